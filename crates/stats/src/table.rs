//! Exact counts per byte-string key, with keys stored once in an arena, so that
//! counting an already-seen key allocates nothing.

use std::hash::BuildHasher;
use std::sync::OnceLock;

use foldhash::fast::RandomState;

/// The hash of every table in this process: one hasher, so that a key hashes the same
/// in every table and every worker (the summary hashes a key once for all the tables
/// it goes in: the 404 table reuses the path table's hash), but seeded at random once
/// per process, as std's `HashMap` is.
/// Keys are paths, user agents and referrers that whoever sent the requests chose: with
/// a seed they could read in this source, they could send keys that all land in one
/// probe run and turn each lookup into a walk over the whole table.
fn process_hasher() -> &'static RandomState {
    static HASHER: OnceLock<RandomState> = OnceLock::new();
    HASHER.get_or_init(RandomState::default)
}

/// A key's hash by the process's hasher: what [`CountTable::hash`] gives, for tables
/// of other kinds that share the summary's hashes.
pub(crate) fn hash_key(key: &[u8]) -> u64 {
    process_hasher().hash_one(key)
}

/// Keys longer than this are cut to it before counting. A path or user agent is far
/// shorter; a line of garbage must not pin megabytes per key.
pub(crate) const MAX_KEY_LEN: usize = 1024;

/// Keys live in pages of this size (much larger than [`MAX_KEY_LEN`]), so the arena
/// grows without ever copying what it holds.
const PAGE: usize = 64 * 1024;

/// The first page's size; each later page is twice the one before, up to [`PAGE`].
const FIRST_PAGE: usize = 2 * 1024;

#[inline]
pub(crate) fn cut_key(key: &[u8]) -> &[u8] {
    &key[..key.len().min(MAX_KEY_LEN)]
}

/// An index slot holds the top 16 bits of the key's hash (a tag, so most mismatches are
/// rejected without reading the entry) and the entry's position plus one (0 = empty).
const TAG_MASK: u64 = 0xFFFF_0000_0000_0000;
const POS_MASK: u64 = !TAG_MASK;
const EMPTY: u64 = 0;

/// Entries the memo of [`CountTable::add_remembered`] holds.
const MEMO_SLOTS: usize = 1024;

/// A few words of a key (its length, both ends, its middle), mixed: not a hash of the
/// key, only a way to find where it was last counted. Two keys with the same
/// fingerprint are told apart by the full compare that follows.
#[inline(always)]
fn fingerprint(key: &[u8]) -> u64 {
    let n = key.len();
    let x = (n as u64)
        ^ read_u64(key)
        ^ read_u64(&key[n.saturating_sub(8)..]).rotate_left(21)
        ^ read_u64(&key[n / 2..]).rotate_left(42);
    x.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1
}

/// Bytes before the key in an entry: count (8), key length (4). The hash is not stored:
/// the slot's tag rejects nearly every other key before its entry is read, and the two
/// rare passes that need a stored key's hash (growing the index, merging) hash the key
/// again. Each entry is then 8 bytes shorter, and more of the table stays in cache.
const HEADER: usize = 12;

/// Where an entry is: page number above 16 bits of offset within the page.
#[inline(always)]
fn position(page: usize, offset: usize) -> u64 {
    ((page as u64) << 16) | offset as u64
}

#[inline(always)]
fn read_u64(bytes: &[u8]) -> u64 {
    bytes.first_chunk().map_or(0, |b| u64::from_ne_bytes(*b))
}

#[inline(always)]
fn read_u32(bytes: &[u8]) -> u32 {
    bytes.first_chunk().map_or(0, |b| u32::from_ne_bytes(*b))
}

#[inline(always)]
fn read_u128(bytes: &[u8]) -> u128 {
    bytes.first_chunk().map_or(0, |b| u128::from_ne_bytes(*b))
}

/// Key equality without a call into `memcmp` for keys of up to 64 bytes (addresses,
/// paths, most referrers), where the call costs more than the compare: words of 4, 8
/// or 16 bytes from each end, overlapping in the middle.
#[inline(always)]
fn same_key(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        0..4 => a.iter().zip(b).all(|(x, y)| x == y),
        4..8 => read_u32(a) == read_u32(b) && read_u32(&a[n - 4..]) == read_u32(&b[n - 4..]),
        8..=16 => read_u64(a) == read_u64(b) && read_u64(&a[n - 8..]) == read_u64(&b[n - 8..]),
        17..=32 => {
            read_u128(a) == read_u128(b) && read_u128(&a[n - 16..]) == read_u128(&b[n - 16..])
        }
        33..=64 => {
            let (x, y) = (&a[n - 32..], &b[n - 32..]);
            read_u128(a) == read_u128(b)
                && read_u128(&a[16..]) == read_u128(&b[16..])
                && read_u128(x) == read_u128(y)
                && read_u128(&x[16..]) == read_u128(&y[16..])
        }
        _ => a == b,
    }
}

/// Exact occurrence counts of byte-string keys, bounded to `max_keys` distinct keys.
///
/// While the table holds fewer than `max_keys` keys every count is exact and the
/// result does not depend on the order keys arrive in. Past the bound, new keys are no
/// longer stored: their occurrences go to [`untracked`](Self::untracked), keys already
/// stored keep exact counts, and which keys made it in depends on the order of the scan
/// ([`is_complete`](Self::is_complete) turns false).
///
/// Layout, chosen for the cache. Each entry — count, key length, key bytes — is
/// written once, contiguously, into an arena page. The index is an open-addressing
/// array of 8-byte slots (linear probing, at most 5/8 full), each holding a hash tag
/// and an entry position. A lookup of a known key reads one slot (usually its home
/// slot) and one entry whose count and key share a cache line or two. On large
/// tables both reads miss the cache; [`prefetch`](Self::prefetch) and then
/// [`prefetch_entry`](Self::prefetch_entry) let the caller start the reads of several
/// tables at once, so that their misses overlap instead of adding up.
#[derive(Clone)]
pub(crate) struct CountTable {
    hasher: RandomState,
    slots: Vec<u64>,
    /// For [`add_remembered`](Self::add_remembered): by a cheap fingerprint of a key,
    /// the fingerprint and position (plus one) of an entry recently counted.
    memo: Option<Box<[(u64, u64); MEMO_SLOTS]>>,
    len: usize,
    pages: Vec<Vec<u8>>,
    max_keys: usize,
    total: u64,
    untracked: u64,
}

/// The bytes of the entry at `pos`, from its start to the end of its page.
#[inline(always)]
fn entry_bytes(pages: &[Vec<u8>], pos: u64) -> &[u8] {
    pages
        .get((pos >> 16) as usize)
        .and_then(|page| page.get((pos & 0xFFFF) as usize..))
        .unwrap_or_default()
}

/// The count and key of the entry `e` starts with, if it holds a whole one.
#[inline]
fn entry_at(e: &[u8]) -> Option<(u64, &[u8])> {
    let len = read_u32(e.get(8..)?) as usize;
    let key = e.get(HEADER..HEADER + len)?;
    Some((read_u64(e), key))
}

/// Bytes an entry with a key of `len` bytes takes in its page: entries start on 8-byte
/// boundaries, so a count never straddles a cache line.
#[inline]
fn entry_size(len: usize) -> usize {
    (HEADER + len).next_multiple_of(8)
}

/// Every entry of an arena, in the order they were written: position, count, key.
fn arena_entries(pages: &[Vec<u8>]) -> impl Iterator<Item = (u64, u64, &[u8])> {
    pages.iter().enumerate().flat_map(|(index, page)| {
        let mut at = 0;
        std::iter::from_fn(move || {
            let (count, key) = page.get(at..).and_then(entry_at)?;
            let pos = position(index, at);
            at += entry_size(key.len());
            Some((pos, count, key))
        })
    })
}

/// The first empty slot of `slots` on the probe sequence of `hash` (an index has one:
/// it is never more than 5/8 full).
fn first_empty(slots: &[u64], hash: u64) -> usize {
    let mask = slots.len() - 1;
    let mut i = hash as usize & mask;
    while slots[i] != EMPTY {
        i = (i + 1) & mask;
    }
    i
}

impl CountTable {
    pub(crate) fn new(max_keys: usize) -> Self {
        Self {
            hasher: process_hasher().clone(),
            slots: Vec::new(),
            memo: None,
            len: 0,
            pages: Vec::new(),
            max_keys,
            total: 0,
            untracked: 0,
        }
    }

    /// The hash [`add_hashed`](Self::add_hashed) wants for `key`: the same in every
    /// table of this process, different in the next process.
    #[inline]
    pub(crate) fn hash(&self, key: &[u8]) -> u64 {
        self.hasher.hash_one(key)
    }

    /// Counts one occurrence of `key` (cut to [`MAX_KEY_LEN`]).
    #[inline]
    pub(crate) fn add(&mut self, key: &[u8]) {
        let key = cut_key(key);
        self.add_hashed(self.hash(key), key, 1);
    }

    /// Counts one occurrence of `key` (cut to [`MAX_KEY_LEN`]), for a table of few
    /// distinct long keys (user agents): a key counted recently is found by a cheap
    /// fingerprint of a few of its words and one full compare, without hashing all of
    /// its bytes. The count is the same as [`add`](Self::add)'s.
    #[inline]
    pub(crate) fn add_remembered(&mut self, key: &[u8]) {
        let key = cut_key(key);
        if key.len() < 32 {
            return self.add(key);
        }
        let fp = fingerprint(key);
        let at = (fp >> 54) as usize % MEMO_SLOTS;
        if let Some(memo) = &self.memo
            && let (seen, pos) = memo[at]
            && seen == fp
            && let Some(count) = self.count_if_key(pos.wrapping_sub(1), key)
        {
            *count = (u64::from_ne_bytes(*count) + 1).to_ne_bytes();
            self.total += 1;
            return;
        }
        let hash = self.hash(key);
        self.add_hashed(hash, key, 1);
        if let Ok((page, offset)) = self.find(hash, key) {
            let memo = self
                .memo
                .get_or_insert_with(|| Box::new([(0, 0); MEMO_SLOTS]));
            memo[at] = (fp, position(page, offset) + 1);
        }
    }

    /// The count bytes of the entry at `pos`, if it holds `key`.
    #[inline(always)]
    fn count_if_key(&mut self, pos: u64, key: &[u8]) -> Option<&mut [u8; 8]> {
        let (page, at) = ((pos >> 16) as usize, (pos & 0xFFFF) as usize);
        let e = self
            .pages
            .get_mut(page)?
            .get_mut(at..at + HEADER + key.len())?;
        let matches = read_u32(&e[8..]) as usize == key.len() && same_key(&e[HEADER..], key);
        matches.then(|| e.first_chunk_mut::<8>()).flatten()
    }

    /// Starts loading the home slot of `hash` into the cache, so that a later
    /// [`add_hashed`](Self::add_hashed) of that key does not wait for memory.
    #[inline]
    pub(crate) fn prefetch(&self, hash: u64) {
        let mask = self.slots.len().wrapping_sub(1);
        if let Some(slot) = self.slots.get(hash as usize & mask) {
            crate::prefetch::prefetch(slot);
        }
    }

    /// After [`prefetch`](Self::prefetch) has had time to bring the home slot in:
    /// starts loading the entry that slot points to, if its tag matches `hash`.
    #[inline]
    pub(crate) fn prefetch_entry(&self, hash: u64) {
        let mask = self.slots.len().wrapping_sub(1);
        if let Some(&slot) = self.slots.get(hash as usize & mask)
            && slot != EMPTY
            && (slot ^ hash) & TAG_MASK == 0
            && let Some(first) = entry_bytes(&self.pages, (slot & POS_MASK) - 1).first()
        {
            crate::prefetch::prefetch(first);
        }
    }

    /// Counts `n` occurrences of `key`, whose hash by [`hash`](Self::hash) is `hash` and which
    /// is already cut. A key already stored costs a probe and a compare, inline; a new
    /// one is stored out of line.
    #[inline(always)]
    pub(crate) fn add_hashed(&mut self, hash: u64, key: &[u8], n: u64) {
        self.total += n;
        match self.find(hash, key) {
            Ok((page, at)) => {
                if let Some(count) = self
                    .pages
                    .get_mut(page)
                    .and_then(|p| p.get_mut(at..at + 8))
                    .and_then(|c| c.first_chunk_mut::<8>())
                {
                    *count = (u64::from_ne_bytes(*count) + n).to_ne_bytes();
                }
            }
            Err(slot) => self.insert_new(slot, hash, key, n),
        }
    }

    /// The page and offset of `key`'s entry, or the index of the empty slot where it
    /// would go (`usize::MAX` while the index has no slots).
    #[inline(always)]
    fn find(&self, hash: u64, key: &[u8]) -> Result<(usize, usize), usize> {
        let mask = self.slots.len().wrapping_sub(1);
        let mut i = hash as usize & mask;
        loop {
            let Some(&slot) = self.slots.get(i) else {
                return Err(usize::MAX);
            };
            if slot == EMPTY {
                return Err(i);
            }
            if (slot ^ hash) & TAG_MASK == 0 {
                let pos = (slot & POS_MASK) - 1;
                let (page, at) = ((pos >> 16) as usize, (pos & 0xFFFF) as usize);
                if let Some(e) = self
                    .pages
                    .get(page)
                    .and_then(|p| p.get(at..at + HEADER + key.len()))
                    && read_u32(&e[8..]) as usize == key.len()
                    && same_key(&e[HEADER..], key)
                {
                    return Ok((page, at));
                }
            }
            i = (i + 1) & mask;
        }
    }

    #[cold]
    #[inline(never)]
    fn insert_new(&mut self, mut slot: usize, hash: u64, key: &[u8], n: u64) {
        if self.len >= self.max_keys {
            self.untracked += n;
            return;
        }
        // Grow at 5/8 full: linear probing stays short (about 1.8 slots per hit).
        if (self.len + 1) * 8 > self.slots.len() * 5 {
            self.grow();
            // The key is not in the table, so its place is the first empty slot of
            // its probe sequence in the grown index.
            slot = first_empty(&self.slots, hash);
        }
        let pos = self.store(key, n);
        self.slots[slot] = (hash & TAG_MASK) | (pos + 1);
        self.len += 1;
    }

    fn grow(&mut self) {
        let mut slots = vec![EMPTY; (self.slots.len() * 2).max(16)];
        // In arena order: the pages are read once, front to back.
        for (pos, _, key) in arena_entries(&self.pages) {
            let hash = self.hash(key);
            let i = first_empty(&slots, hash);
            slots[i] = (hash & TAG_MASK) | (pos + 1);
        }
        self.slots = slots;
    }

    /// Writes a new entry into the arena; returns its position.
    fn store(&mut self, key: &[u8], n: u64) -> u64 {
        // Offsets stay below PAGE (16 bits), and a page never outgrows the capacity it
        // was made with, so it never moves.
        let size = entry_size(key.len());
        let fits = self
            .pages
            .last()
            .is_some_and(|p| p.capacity() - p.len() >= size);
        if !fits {
            // Pages double from FIRST_PAGE up to PAGE: a table of a few keys (one per
            // worker per file when many small files are summarised) costs a few KiB,
            // not a full page each.
            let capacity = (FIRST_PAGE << self.pages.len().min(8)).clamp(size, PAGE);
            self.pages.push(Vec::with_capacity(capacity));
        }
        let index = self.pages.len() - 1;
        let page = &mut self.pages[index];
        let at = page.len();
        page.extend_from_slice(&n.to_ne_bytes());
        page.extend_from_slice(&(key.len() as u32).to_ne_bytes());
        page.extend_from_slice(key);
        page.resize(at + size, 0);
        position(index, at)
    }

    /// Every entry: count and key, in the order the keys were first stored. Not in
    /// slot order: that depends on the process's hash seed, and when a merge fills the
    /// table, the order decides which keys get in.
    fn entries(&self) -> impl Iterator<Item = (u64, &[u8])> {
        arena_entries(&self.pages).map(|(_, count, key)| (count, key))
    }

    /// Adds every count of `other` into this table.
    pub(crate) fn merge(&mut self, other: CountTable) {
        if self.len == 0 && self.max_keys >= other.max_keys {
            // Taking the other table whole is the same result, without re-inserting;
            // this table's own bound stays.
            let (untracked, total, max_keys) = (self.untracked, self.total, self.max_keys);
            *self = other;
            self.untracked += untracked;
            self.total += total;
            self.max_keys = max_keys;
            return;
        }
        self.untracked += other.untracked;
        self.total += other.untracked;
        for (count, key) in other.entries() {
            self.add_hashed(self.hash(key), key, count);
        }
    }

    /// The keys stored, in the order they were first stored.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &[u8]> {
        self.entries().map(|(_, key)| key)
    }

    /// The most distinct keys the table stores.
    pub(crate) fn max_keys(&self) -> usize {
        self.max_keys
    }

    /// Distinct keys stored.
    pub(crate) fn len(&self) -> usize {
        self.len
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

    /// Heap bytes held: the index and the entry arena.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<u64>()
            + self.pages.iter().map(Vec::capacity).sum::<usize>()
            + self.pages.capacity() * std::mem::size_of::<Vec<u8>>()
    }

    /// The `n` keys with the highest counts, highest first; ties in key byte order, so
    /// the result does not depend on insertion order.
    pub(crate) fn top(&self, n: usize) -> Vec<(&[u8], u64)> {
        let mut all: Vec<(&[u8], u64)> = self.entries().map(|(c, k)| (k, c)).collect();
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

#[cfg(test)]
mod tests {
    use super::*;

    impl CountTable {
        /// The farthest any stored key sits from its home slot.
        fn longest_probe(&self) -> usize {
            let mask = self.slots.len() - 1;
            (0..self.slots.len())
                .filter(|&i| self.slots[i] != EMPTY)
                .map(|i| {
                    let e = entry_bytes(&self.pages, (self.slots[i] & POS_MASK) - 1);
                    let hash = self.hash(entry_at(e).unwrap().1);
                    i.wrapping_sub(hash as usize) & mask
                })
                .max()
                .unwrap_or(0)
        }
    }

    #[test]
    fn keys_made_to_collide_under_a_published_seed_do_not_share_a_probe_run() {
        use std::io::Write;
        // What an attacker can do offline against a fixed seed (this one was the
        // tables' until they took a random one): keep the paths whose hash has its low
        // 10 bits zero. Under that seed all 4,000 would start probing at one of 8 home
        // slots of the table's 8,192: runs of about 500 slots, each walked by every
        // lookup that lands in it (and 500,000 such keys would make runs of 500,000).
        let published = foldhash::fast::FixedState::with_seed(0x6c6f_6773_6361_6e21);
        let mut key = Vec::new();
        let mut keys = Vec::new();
        for i in 0u64.. {
            key.clear();
            write!(key, "/wp-admin/{i}.php").unwrap();
            if published.hash_one(&key) & 1023 == 0 {
                keys.push(key.clone());
                if keys.len() == 4000 {
                    break;
                }
            }
        }
        let mut t = CountTable::new(usize::MAX);
        for k in &keys {
            t.add(k);
        }
        assert_eq!(t.len(), 4000);
        assert_eq!(t.slots.len(), 8192);
        let longest = t.longest_probe();
        assert!(longest < 100, "a probe run of {longest} slots");
    }

    #[test]
    fn same_key_agrees_with_slice_equality() {
        let base: Vec<u8> = (0..70u8).collect();
        for n in 0..70 {
            for m in 0..70 {
                let a = &base[..n];
                let mut b = base[..m].to_vec();
                assert_eq!(same_key(a, &b), a == &b[..], "{n} {m}");
                for i in 0..m {
                    b[i] ^= 1;
                    assert_eq!(same_key(a, &b), a == &b[..], "{n} {m} byte {i} changed");
                    b[i] ^= 1;
                }
            }
        }
    }

    /// Counting through the memo gives the counts of counting plainly, including for
    /// keys with equal fingerprints (same length, ends and middle, different
    /// elsewhere), which the memo must tell apart.
    #[test]
    fn remembered_counts_equal_plain_counts() {
        let mut keys: Vec<Vec<u8>> = Vec::new();
        for i in 0..40u8 {
            // 100 bytes, equal but for byte 20.
            let mut k = vec![b'a'; 100];
            k[20] = b'0' + i;
            keys.push(k);
            keys.push(format!("Mozilla/5.0 agent number {i:03} of many, long enough").into_bytes());
            keys.push(vec![i; 31]); // under the memo's length
        }
        let mut x: u64 = 7;
        let (mut plain, mut remembered) = (CountTable::new(1000), CountTable::new(1000));
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Mostly a few keys, sometimes any.
            let k = &keys[if x.is_multiple_of(4) {
                x as usize / 4 % keys.len()
            } else {
                x as usize % 7
            }];
            plain.add(k);
            remembered.add_remembered(k);
        }
        assert_eq!(remembered.top(usize::MAX), plain.top(usize::MAX));
        assert_eq!(remembered.total(), plain.total());
        assert_eq!(remembered.len(), plain.len());
        assert_eq!(fingerprint(&keys[0]), fingerprint(&keys[3]));
    }

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
    fn an_empty_table_taking_another_whole_keeps_its_own_bound() {
        let mut wide = CountTable::new(10);
        let mut narrow = CountTable::new(2);
        narrow.add(b"a");
        wide.merge(narrow);
        for key in [&b"b"[..], b"c", b"d"] {
            wide.add(key);
        }
        assert_eq!(wide.len(), 4);
        assert!(wide.is_complete());
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
        let held: usize = t.pages.iter().map(Vec::capacity).sum();
        assert!(t.heap_bytes() >= held && held >= 80_000);
        assert!(
            t.pages.iter().all(|p| p.capacity() <= PAGE),
            "offsets must fit in 16 bits"
        );
        assert_eq!(
            t.pages[0].capacity(),
            FIRST_PAGE,
            "a small table starts small"
        );
    }
}
