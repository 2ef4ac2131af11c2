//! Served time per path: where the server spent its time, path by path.

use hashbrown::HashTable;

use crate::table::hash_key;

/// The served times of one path's requests: exact, and mergeable in any order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Times {
    /// Requests with a served time.
    pub(crate) requests: u64,
    /// Their served times added up, in microseconds (wide enough never to saturate).
    pub(crate) total_us: u128,
    /// The longest of them, in microseconds.
    pub(crate) max_us: u64,
}

impl Times {
    #[inline]
    fn add(&mut self, us: u64) {
        self.requests += 1;
        self.total_us += u128::from(us);
        self.max_us = self.max_us.max(us);
    }

    fn merge(&mut self, other: Times) {
        self.requests += other.requests;
        self.total_us += other.total_us;
        self.max_us = self.max_us.max(other.max_us);
    }
}

/// Served times by path, bounded to `max_keys` distinct paths like the count tables:
/// past the bound a new path's requests go to [`untracked`](Self::untracked), and which
/// paths made it in depends on the scan order — but not on the process: entries are
/// kept and merged in the order their paths were first seen, as the count tables do,
/// never in the order of the hash index, whose seed is random per process.
///
/// Each entry owns its key (one allocation per distinct path): the table is made only
/// when asked for (`SummaryBuilder::path_times`), so it keeps to the simplest layout
/// rather than the count tables' arena.
#[derive(Clone, Debug)]
pub(crate) struct PathTimes {
    /// In the order the paths were first seen.
    entries: Vec<(Box<[u8]>, Times)>,
    /// Positions in `entries`, by the path's hash.
    index: HashTable<usize>,
    max_keys: usize,
    untracked: Times,
}

impl PathTimes {
    pub(crate) fn new(max_keys: usize) -> PathTimes {
        PathTimes {
            entries: Vec::new(),
            index: HashTable::new(),
            max_keys,
            untracked: Times::default(),
        }
    }

    /// The position of `path`'s entry, if it has one.
    #[inline]
    fn find(&self, hash: u64, path: &[u8]) -> Option<usize> {
        let entries = &self.entries;
        self.index
            .find(hash, |&at| {
                entries.get(at).is_some_and(|(key, _)| **key == *path)
            })
            .copied()
    }

    /// Adds a request of `us` microseconds to `path` (already cut to the tables' key
    /// length), whose hash by the tables' hasher is `hash`.
    #[inline]
    pub(crate) fn add(&mut self, hash: u64, path: &[u8], us: u64) {
        match self.find(hash, path) {
            Some(at) => self.entries[at].1.add(us),
            None => self.add_new(hash, path, us),
        }
    }

    #[cold]
    #[inline(never)]
    fn add_new(&mut self, hash: u64, path: &[u8], us: u64) {
        let mut times = Times::default();
        times.add(us);
        self.insert_new(hash, path.into(), times);
    }

    fn insert_new(&mut self, hash: u64, path: Box<[u8]>, times: Times) {
        if self.entries.len() >= self.max_keys {
            self.untracked.merge(times);
            return;
        }
        let at = self.entries.len();
        self.entries.push((path, times));
        let entries = &self.entries;
        self.index.insert_unique(hash, at, |&i| {
            entries.get(i).map_or(0, |(key, _)| hash_key(key))
        });
    }

    /// Adds `other`'s times into these, its paths in the order it first saw them.
    pub(crate) fn merge(&mut self, other: PathTimes) {
        if self.entries.is_empty() && self.max_keys >= other.max_keys {
            // Taking the other table whole is the same result, without re-inserting;
            // this table's own bound stays.
            let (untracked, max_keys) = (self.untracked, self.max_keys);
            *self = other;
            self.untracked.merge(untracked);
            self.max_keys = max_keys;
            return;
        }
        self.untracked.merge(other.untracked);
        for (path, times) in other.entries {
            let hash = hash_key(&path);
            match self.find(hash, &path) {
                Some(at) => self.entries[at].1.merge(times),
                None => self.insert_new(hash, path, times),
            }
        }
    }

    /// Distinct paths held.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether every timed request's path is held.
    pub(crate) fn is_complete(&self) -> bool {
        self.untracked.requests == 0
    }

    /// The times of requests whose paths were left out.
    pub(crate) fn untracked(&self) -> Times {
        self.untracked
    }

    /// The `n` paths with the most time in total: most first, ties by path bytes.
    pub(crate) fn top(&self, n: usize) -> Vec<(&[u8], Times)> {
        let mut all: Vec<(&[u8], Times)> = self
            .entries
            .iter()
            .map(|(key, times)| (&key[..], *times))
            .collect();
        let order = |a: &(&[u8], Times), b: &(&[u8], Times)| {
            b.1.total_us.cmp(&a.1.total_us).then_with(|| a.0.cmp(b.0))
        };
        if all.len() > n {
            all.select_nth_unstable_by(n, order);
            all.truncate(n);
        }
        all.sort_unstable_by(order);
        all
    }

    /// Heap bytes held: the entries, the index and the keys.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.entries.capacity() * size_of::<(Box<[u8]>, Times)>()
            + self.index.allocation_size()
            + self.entries.iter().map(|(key, _)| key.len()).sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(t: &mut PathTimes, path: &[u8], us: u64) {
        t.add(hash_key(path), path, us);
    }

    #[test]
    fn totals_and_maxima_merge_in_any_order() {
        let requests: [(&[u8], u64); 6] = [
            (b"/a", 10),
            (b"/b", 500),
            (b"/a", 30),
            (b"/c", 7),
            (b"/b", 1),
            (b"/a", 20),
        ];
        let mut whole = PathTimes::new(100);
        for (path, us) in requests {
            add(&mut whole, path, us);
        }
        let (mut left, mut right) = (PathTimes::new(100), PathTimes::new(100));
        for (i, (path, us)) in requests.into_iter().enumerate() {
            add(if i % 2 == 0 { &mut left } else { &mut right }, path, us);
        }
        right.merge(left);
        for t in [&whole, &right] {
            let top = t.top(2);
            assert_eq!(
                top,
                [
                    (
                        &b"/b"[..],
                        Times {
                            requests: 2,
                            total_us: 501,
                            max_us: 500,
                        }
                    ),
                    (
                        &b"/a"[..],
                        Times {
                            requests: 3,
                            total_us: 60,
                            max_us: 30,
                        }
                    ),
                ]
            );
            assert_eq!(t.len(), 3);
            assert!(t.is_complete());
        }
    }

    #[test]
    fn which_paths_fill_the_bound_depends_on_first_sight_not_on_the_hash() {
        // A full table keeps the paths the merged table saw first, in every process.
        let mut kept = PathTimes::new(3);
        add(&mut kept, b"/a", 1);
        add(&mut kept, b"/b", 1);
        let mut other = PathTimes::new(3);
        for path in [&b"/c"[..], b"/d", b"/e", b"/f", b"/g"] {
            add(&mut other, path, 1);
        }
        kept.merge(other);
        let mut paths: Vec<&[u8]> = kept.top(10).into_iter().map(|(p, _)| p).collect();
        paths.sort();
        assert_eq!(paths, [&b"/a"[..], b"/b", b"/c"]);
        assert_eq!(kept.untracked().requests, 4);
    }

    #[test]
    fn an_empty_table_taking_another_whole_keeps_its_own_bound() {
        let mut wide = PathTimes::new(10);
        let mut narrow = PathTimes::new(2);
        add(&mut narrow, b"/a", 1);
        wide.merge(narrow);
        for path in [&b"/b"[..], b"/c", b"/d"] {
            add(&mut wide, path, 1);
        }
        assert_eq!(wide.len(), 4);
        assert!(wide.is_complete());
    }

    #[test]
    fn totals_do_not_saturate() {
        let mut t = PathTimes::new(10);
        for _ in 0..40 {
            add(&mut t, b"/a", u64::MAX / 2);
        }
        let (_, times) = t.top(1)[0];
        assert_eq!(times.total_us, u128::from(u64::MAX / 2) * 40);
        assert_eq!(
            times.total_us / u128::from(times.requests),
            u128::from(times.max_us)
        );
    }

    #[test]
    fn ties_go_to_the_lower_path_and_the_bound_holds() {
        let mut t = PathTimes::new(2);
        for path in [&b"/z"[..], b"/y", b"/x", b"/x"] {
            add(&mut t, path, 5);
        }
        assert_eq!(t.len(), 2);
        assert!(!t.is_complete());
        assert_eq!(t.untracked().requests, 2, "both requests for /x");
        let top: Vec<&[u8]> = t.top(5).into_iter().map(|(p, _)| p).collect();
        assert_eq!(top, [&b"/y"[..], b"/z"]);
        assert!(t.top(0).is_empty());
    }
}
