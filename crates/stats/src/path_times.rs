//! Served time per path: where the server spent its time, path by path.

use hashbrown::HashTable;

use crate::table::hash_key;

/// The served times of one path's requests: exact, and mergeable in any order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Times {
    /// Requests with a served time.
    pub(crate) requests: u64,
    /// Their served times added up, in microseconds.
    pub(crate) total_us: u64,
    /// The longest of them, in microseconds.
    pub(crate) max_us: u64,
}

impl Times {
    #[inline]
    fn add(&mut self, us: u64) {
        self.requests += 1;
        self.total_us = self.total_us.saturating_add(us);
        self.max_us = self.max_us.max(us);
    }

    fn merge(&mut self, other: Times) {
        self.requests += other.requests;
        self.total_us = self.total_us.saturating_add(other.total_us);
        self.max_us = self.max_us.max(other.max_us);
    }
}

/// Served times by path, bounded to `max_keys` distinct paths like the count tables:
/// past the bound a new path's requests go to [`untracked`](Self::untracked), and which
/// paths made it in depends on the scan order.
///
/// Each entry owns its key (one allocation per distinct path): the table is made only
/// when asked for (`SummaryBuilder::path_times`), so it keeps to the simplest layout
/// rather than the count tables' arena.
#[derive(Clone, Debug)]
pub(crate) struct PathTimes {
    table: HashTable<(Box<[u8]>, Times)>,
    max_keys: usize,
    untracked: Times,
}

impl PathTimes {
    pub(crate) fn new(max_keys: usize) -> PathTimes {
        PathTimes {
            table: HashTable::new(),
            max_keys,
            untracked: Times::default(),
        }
    }

    /// Adds a request of `us` microseconds to `path` (already cut to the tables' key
    /// length), whose hash by the tables' hasher is `hash`.
    #[inline]
    pub(crate) fn add(&mut self, hash: u64, path: &[u8], us: u64) {
        match self.table.find_mut(hash, |(key, _)| **key == *path) {
            Some((_, times)) => times.add(us),
            None => self.add_new(hash, path, us),
        }
    }

    #[cold]
    #[inline(never)]
    fn add_new(&mut self, hash: u64, path: &[u8], us: u64) {
        let mut times = Times::default();
        times.add(us);
        self.insert_new(hash, path, times);
    }

    fn insert_new(&mut self, hash: u64, path: &[u8], times: Times) {
        if self.table.len() >= self.max_keys {
            self.untracked.merge(times);
            return;
        }
        self.table
            .insert_unique(hash, (path.into(), times), |(key, _)| hash_key(key));
    }

    pub(crate) fn merge(&mut self, other: PathTimes) {
        self.untracked.merge(other.untracked);
        for (path, times) in other.table {
            let hash = hash_key(&path);
            match self.table.find_mut(hash, |(key, _)| *key == path) {
                Some((_, mine)) => mine.merge(times),
                None => self.insert_new(hash, &path, times),
            }
        }
    }

    /// Distinct paths held.
    pub(crate) fn len(&self) -> usize {
        self.table.len()
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
            .table
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

    /// Heap bytes held: the table's buckets and the keys.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.table.allocation_size() + self.table.iter().map(|(key, _)| key.len()).sum::<usize>()
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
                            max_us: 500
                        }
                    ),
                    (
                        &b"/a"[..],
                        Times {
                            requests: 3,
                            total_us: 60,
                            max_us: 30
                        }
                    ),
                ]
            );
            assert_eq!(t.len(), 3);
            assert!(t.is_complete());
        }
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
