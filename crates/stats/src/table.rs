//! Exact counts per byte-string key, with keys stored once in an arena, so that
//! counting an already-seen key allocates nothing.

use std::hash::BuildHasher;

use foldhash::fast::FixedState;
use hashbrown::HashTable;

/// One fixed seed for every table and every worker: a key hashes the same everywhere,
/// so merges reuse the stored hash, and the unique-client estimate (which uses the
/// same hash) is identical whichever worker saw a key.
const SEED: u64 = 0x6c6f_6773_6361_6e21;

/// Keys longer than this are cut to it before counting. A path or user agent is far
/// shorter; a line of garbage must not pin megabytes per key.
pub(crate) const MAX_KEY_LEN: usize = 1024;

/// Keys live in pages of this size (much larger than [`MAX_KEY_LEN`]), so the arena
/// grows without ever copying what it holds.
const PAGE: usize = 64 * 1024;

#[inline]
pub(crate) fn hash_key(key: &[u8]) -> u64 {
    FixedState::with_seed(SEED).hash_one(key)
}

#[inline]
pub(crate) fn cut_key(key: &[u8]) -> &[u8] {
    &key[..key.len().min(MAX_KEY_LEN)]
}

#[derive(Clone, Copy)]
struct Slot {
    hash: u64,
    count: u64,
    page: u32,
    start: u32,
    len: u32,
}

/// Exact occurrence counts of byte-string keys, bounded to `max_keys` distinct keys.
///
/// While the table holds fewer than `max_keys` keys every count is exact and the
/// result does not depend on the order keys arrive in. Past the bound, new keys are no
/// longer stored: their occurrences go to [`untracked`](Self::untracked), keys already
/// stored keep exact counts, and which keys made it in depends on the order of the scan
/// ([`is_complete`](Self::is_complete) turns false).
#[derive(Clone)]
pub(crate) struct CountTable {
    slots: HashTable<Slot>,
    pages: Vec<Vec<u8>>,
    max_keys: usize,
    total: u64,
    untracked: u64,
}

impl CountTable {
    pub(crate) fn new(max_keys: usize) -> Self {
        Self {
            slots: HashTable::new(),
            pages: Vec::new(),
            max_keys,
            total: 0,
            untracked: 0,
        }
    }

    /// Counts one occurrence of `key` (cut to [`MAX_KEY_LEN`]).
    #[inline]
    pub(crate) fn add(&mut self, key: &[u8]) {
        let key = cut_key(key);
        self.add_hashed(hash_key(key), key, 1);
    }

    /// Counts `n` occurrences of `key`, whose hash by [`hash_key`] is `hash` and which
    /// is already cut.
    #[inline]
    pub(crate) fn add_hashed(&mut self, hash: u64, key: &[u8], n: u64) {
        self.total += n;
        let pages = &self.pages;
        if let Some(slot) = self
            .slots
            .find_mut(hash, |s| s.hash == hash && key_of(pages, s) == key)
        {
            slot.count += n;
            return;
        }
        self.insert_new(hash, key, n);
    }

    #[cold]
    fn insert_new(&mut self, hash: u64, key: &[u8], n: u64) {
        if self.slots.len() >= self.max_keys {
            self.untracked += n;
            return;
        }
        let (page, start) = self.store(key);
        let slot = Slot {
            hash,
            count: n,
            page,
            start,
            len: key.len() as u32,
        };
        self.slots.insert_unique(hash, slot, |s| s.hash);
    }

    /// Copies `key` into the arena; returns where it is.
    fn store(&mut self, key: &[u8]) -> (u32, u32) {
        let fits = self
            .pages
            .last()
            .is_some_and(|p| p.capacity() - p.len() >= key.len());
        if !fits {
            self.pages.push(Vec::with_capacity(PAGE));
        }
        let index = self.pages.len() - 1;
        let page = &mut self.pages[index];
        let start = page.len();
        page.extend_from_slice(key);
        (index as u32, start as u32)
    }

    /// Adds every count of `other` into this table.
    pub(crate) fn merge(&mut self, other: CountTable) {
        if self.slots.is_empty() && self.max_keys >= other.max_keys {
            // Taking the other table whole is the same result, without re-inserting.
            let untracked = self.untracked;
            let total = self.total;
            *self = other;
            self.untracked += untracked;
            self.total += total;
            return;
        }
        self.untracked += other.untracked;
        self.total += other.untracked;
        for slot in other.slots.iter() {
            self.add_hashed(slot.hash, key_of(&other.pages, slot), slot.count);
        }
    }

    /// Distinct keys stored.
    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    /// Occurrences counted, stored or not.
    pub(crate) fn total(&self) -> u64 {
        self.total
    }

    /// Occurrences of keys that arrived after the table was full.
    pub(crate) fn untracked(&self) -> u64 {
        self.untracked
    }

    /// True while every key seen is stored with its exact count.
    pub(crate) fn is_complete(&self) -> bool {
        self.untracked == 0
    }

    /// Heap bytes held: the hash table and the key arena.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.slots.allocation_size()
            + self.pages.iter().map(Vec::capacity).sum::<usize>()
            + self.pages.capacity() * std::mem::size_of::<Vec<u8>>()
    }

    /// The `n` keys with the highest counts, highest first; ties in key byte order, so
    /// the result does not depend on insertion order.
    pub(crate) fn top(&self, n: usize) -> Vec<(&[u8], u64)> {
        let mut all: Vec<(&[u8], u64)> = self
            .slots
            .iter()
            .map(|s| (key_of(&self.pages, s), s.count))
            .collect();
        let order = |a: &(&[u8], u64), b: &(&[u8], u64)| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0));
        if n < all.len() {
            if n == 0 {
                return Vec::new();
            }
            all.select_nth_unstable_by(n - 1, order);
            all.truncate(n);
        }
        all.sort_unstable_by(order);
        all
    }
}

#[inline]
fn key_of<'a>(pages: &'a [Vec<u8>], slot: &Slot) -> &'a [u8] {
    let start = slot.start as usize;
    &pages[slot.page as usize][start..start + slot.len as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_exact_and_top_breaks_ties_by_key() {
        let mut t = CountTable::new(100);
        for k in ["b", "a", "c", "a", "b", "d"] {
            t.add(k.as_bytes());
        }
        assert_eq!(t.len(), 4);
        assert_eq!(t.total(), 6);
        let top = t.top(3);
        assert_eq!(top, [(&b"a"[..], 2), (&b"b"[..], 2), (&b"c"[..], 1)]);
        assert_eq!(t.top(0), []);
        assert_eq!(t.top(10).len(), 4);
    }

    #[test]
    fn merge_adds_counts_whatever_the_split() {
        let keys: Vec<String> = (0..500).map(|i| format!("/k{}", i % 37)).collect();
        let mut whole = CountTable::new(1000);
        keys.iter().for_each(|k| whole.add(k.as_bytes()));
        for split in [0, 1, 250, 499] {
            let (mut a, mut b) = (CountTable::new(1000), CountTable::new(1000));
            keys[..split].iter().for_each(|k| a.add(k.as_bytes()));
            keys[split..].iter().for_each(|k| b.add(k.as_bytes()));
            b.merge(a);
            assert_eq!(b.top(100), whole.top(100), "split at {split}");
            assert_eq!(b.total(), 500);
        }
    }

    #[test]
    fn a_full_table_counts_new_keys_as_untracked() {
        let mut t = CountTable::new(2);
        for k in ["a", "b", "c", "a", "c"] {
            t.add(k.as_bytes());
        }
        assert_eq!(t.len(), 2);
        assert_eq!(t.untracked(), 2);
        assert!(!t.is_complete());
        assert_eq!(t.top(5), [(&b"a"[..], 2), (&b"b"[..], 1)]);
        let mut other = CountTable::new(2);
        other.add(b"z");
        other.merge(t);
        assert_eq!(other.total(), 6);
        assert_eq!(other.untracked(), 3, "z kept, a and b cannot both fit");
    }

    #[test]
    fn long_keys_are_cut_and_pages_fill_up() {
        let mut t = CountTable::new(10);
        let long = vec![b'x'; PAGE * 2];
        t.add(&long);
        t.add(&long[..MAX_KEY_LEN]);
        assert_eq!(t.top(1), [(&long[..MAX_KEY_LEN], 2)]);
        let mut t = CountTable::new(1000);
        for len in 0..200 {
            t.add(&[b'k'; 900][..len * 4]);
        }
        assert_eq!(
            t.len(),
            200,
            "the empty key and 199 lengths of k, 80 KB in all"
        );
        assert!(t.pages.len() > 1, "80 KB of keys need more than one page");
        assert!(t.heap_bytes() >= PAGE * t.pages.len());
    }
}
