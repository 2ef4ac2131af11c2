//! The client table. Nearly every client of a web server is an IPv4 address: at most
//! 15 digits and dots, which fit in one 64-bit word at four bits a byte. Packed so,
//! a client takes one 16-byte slot — its packed text and its count — instead of an
//! index slot pointing at an arena entry: a lookup reads one cache line, whose load
//! starts as soon as the address is read, where a text key must wait for its slot
//! before the load of its entry can start. On the bench's 5,000,000-line file this
//! took 3–5% off the summary's time (docs/benchmarks.md). Everything else (IPv6, host
//! names, `-`) is counted by its text in a [`CountTable`].
//!
//! Packing keeps every byte (a dot has its own nibble, the length its own four bits),
//! so any text of digits and dots — an address written with leading zeros too — is
//! reported byte for byte as it was read, and no client is counted on both sides.

use std::hash::BuildHasher;

use foldhash::fast::RandomState;

use crate::table::{CountTable, cut_key, process_hasher};

/// `text` packed into one word, if it is 7 to 15 digits and dots (every IPv4
/// address): a nibble per byte (a digit its value, a dot 0xE), byte i at bits 4i, and
/// the length in the top four bits. No two texts get the same word, and
/// [`unpack`] gives the text back byte for byte.
///
/// No branch on the bytes themselves: both halves are checked and packed a word at a
/// time.
#[inline(always)]
pub(crate) fn pack(text: &[u8]) -> Option<u64> {
    let n = text.len();
    let (lo, hi) = match n {
        // Bytes 8..n moved down to 0..n-8: the load overlaps the low word.
        9..=15 => (read_u64(text), read_u64(&text[n - 8..]) >> (8 * (16 - n))),
        8 => (read_u64(text), 0),
        7 => (
            u64::from(read_u32(text)) | u64::from(read_u32(&text[3..])) << 24,
            0,
        ),
        _ => return None,
    };
    let (lo, lo_ok) = pack_word(lo, n.min(8));
    let (hi, hi_ok) = pack_word(hi, n.saturating_sub(8));
    (lo_ok & hi_ok).then_some(lo | hi << 32 | (n as u64) << 60)
}

/// The nibbles of the first `len` (at most 8) bytes of `w`, whose other bytes are 0,
/// and whether each of those bytes is a digit or a dot.
#[inline(always)]
fn pack_word(w: u64, len: usize) -> (u64, bool) {
    const ONES: u64 = u64::MAX / 0xFF;
    let within = u64::MAX.checked_shr(64 - 8 * len as u32).unwrap_or(0);
    // Digits become 0..=9, dots 0x1E; bytes past the text stay 0.
    let t = w ^ ((ONES * 0x30) & within);
    let dots = zero_bytes(t ^ (ONES * 0x1E));
    // With dots set to 0, a byte is a digit if it is below 10: adding 0x76 sets bit 7
    // of any byte from 10 up; a byte of 0x80 or more fails on its own bit 7, whatever
    // it carries into the next byte.
    let digits = t & !((dots >> 7) * 0xFF);
    let ok = (digits | digits.wrapping_add(ONES * 0x76)) & (ONES * 0x80) == 0;
    let mut x = t & (ONES * 0x0F);
    x = (x | x >> 4) & 0x00FF_00FF_00FF_00FF;
    x = (x | x >> 8) & 0x0000_FFFF_0000_FFFF;
    x = (x | x >> 16) & 0xFFFF_FFFF;
    (x, ok)
}

/// Bit 7 of each byte of `x` that is zero, and no other bit (exact: no false positive
/// next to a real zero, as the shorter `(x - 0x01…) & !x & 0x80…` can give).
#[inline(always)]
fn zero_bytes(x: u64) -> u64 {
    const LOW7: u64 = u64::MAX / 0xFF * 0x7F;
    !(((x & LOW7) + LOW7) | x) & (u64::MAX / 0xFF * 0x80)
}

/// The text [`pack`] made `key` from.
fn unpack(key: u64) -> PackedText {
    let len = (key >> 60) as u8;
    let mut bytes = [0; 15];
    for (i, byte) in bytes.iter_mut().enumerate().take(usize::from(len)) {
        *byte = match (key >> (4 * i)) as u8 & 0xF {
            0xE => b'.',
            digit => b'0' + digit,
        };
    }
    PackedText { bytes, len }
}

#[inline(always)]
fn read_u64(bytes: &[u8]) -> u64 {
    bytes.first_chunk().map_or(0, |b| u64::from_le_bytes(*b))
}

#[inline(always)]
fn read_u32(bytes: &[u8]) -> u32 {
    bytes.first_chunk().map_or(0, |b| u32::from_le_bytes(*b))
}

/// A packed key's text, kept on the stack.
#[derive(Clone, Copy)]
struct PackedText {
    bytes: [u8; 15],
    len: u8,
}

impl PackedText {
    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

/// A client as the summary hands it over: its packed text, or its text, hashed.
#[derive(Clone, Copy)]
pub(crate) enum Client<'a> {
    Packed { key: u64, hash: u64 },
    Text { key: &'a [u8], hash: u64 },
}

/// A slot: a packed key (0 = empty: a packed key holds its length, at least 7) and
/// its count.
#[derive(Clone, Copy, Default)]
#[repr(C, align(16))]
struct Slot {
    key: u64,
    count: u64,
}

/// Counts per packed key: open addressing, linear probing, at most 3/4 full (four
/// slots share a cache line, so a longer probe seldom costs another line).
#[derive(Clone)]
struct PackedCounts {
    hasher: RandomState,
    slots: Vec<Slot>,
    len: usize,
}

impl PackedCounts {
    fn new() -> Self {
        Self {
            hasher: process_hasher().clone(),
            slots: Vec::new(),
            len: 0,
        }
    }

    #[inline(always)]
    fn hash(&self, key: u64) -> u64 {
        self.hasher.hash_one(key)
    }

    #[inline(always)]
    fn prefetch(&self, hash: u64) {
        let mask = self.slots.len().wrapping_sub(1);
        if let Some(slot) = self.slots.get(hash as usize & mask) {
            crate::prefetch::prefetch(slot);
        }
    }

    /// Adds `n` to `key`'s count; returns false (and counts nothing) if the key is not
    /// stored and `room` is false.
    #[inline(always)]
    fn add(&mut self, hash: u64, key: u64, n: u64, room: bool) -> bool {
        let mask = self.slots.len().wrapping_sub(1);
        let mut i = hash as usize & mask;
        loop {
            let Some(slot) = self.slots.get_mut(i) else {
                return room && self.insert(hash, key, n);
            };
            if slot.key == key {
                slot.count += n;
                return true;
            }
            if slot.key == 0 {
                return room && self.insert(hash, key, n);
            }
            i = (i + 1) & mask;
        }
    }

    #[cold]
    #[inline(never)]
    fn insert(&mut self, hash: u64, key: u64, n: u64) -> bool {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let i = first_empty(&self.slots, hash);
        self.slots[i] = Slot { key, count: n };
        self.len += 1;
        true
    }

    fn grow(&mut self) {
        let mut slots = vec![Slot::default(); (self.slots.len() * 2).max(64)];
        for slot in self.slots.iter().filter(|s| s.key != 0) {
            let i = first_empty(&slots, self.hash(slot.key));
            slots[i] = *slot;
        }
        self.slots = slots;
    }

    /// Every key and its count, in slot order (which depends on the hash seed).
    fn entries(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.slots
            .iter()
            .filter(|s| s.key != 0)
            .map(|s| (s.key, s.count))
    }

    fn heap_bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Slot>()
    }
}

/// The first empty slot of `slots` on the probe sequence of `hash`.
fn first_empty(slots: &[Slot], hash: u64) -> usize {
    let mask = slots.len() - 1;
    let mut i = hash as usize & mask;
    while slots[i].key != 0 {
        i = (i + 1) & mask;
    }
    i
}

/// Exact counts per client, bounded to `max_keys` distinct clients, with the
/// behaviour of a [`CountTable`] of the clients' texts (the same counts, the same top
/// entries, the same bound), and the IPv4 addresses among them stored packed.
#[derive(Clone)]
pub(crate) struct ClientTable {
    packed: PackedCounts,
    texts: CountTable,
    max_keys: usize,
    /// Occurrences of packed clients that arrived after the table was full (the text
    /// side keeps its own).
    untracked: u64,
    total: u64,
}

impl ClientTable {
    pub(crate) fn new(max_keys: usize) -> Self {
        Self {
            packed: PackedCounts::new(),
            texts: CountTable::new(max_keys),
            max_keys,
            untracked: 0,
            total: 0,
        }
    }

    /// Reads and hashes a client's key (the text as logged), and starts loading the
    /// slot it will be counted in; [`add`](Self::add) counts it.
    #[inline(always)]
    pub(crate) fn locate<'a>(&self, key: &'a [u8]) -> Client<'a> {
        match pack(key) {
            Some(key) => {
                let hash = self.packed.hash(key);
                self.packed.prefetch(hash);
                Client::Packed { key, hash }
            }
            None => {
                let key = cut_key(key);
                let hash = self.texts.hash(key);
                self.texts.prefetch(hash);
                Client::Text { key, hash }
            }
        }
    }

    /// After [`locate`](Self::locate): starts loading a text key's entry (packed keys
    /// have none).
    #[inline(always)]
    pub(crate) fn prefetch_entry(&self, client: &Client<'_>) {
        if let Client::Text { hash, .. } = client {
            self.texts.prefetch_entry(*hash);
        }
    }

    /// Counts one occurrence of a located client.
    #[inline(always)]
    pub(crate) fn add(&mut self, client: Client<'_>) {
        self.add_n(client, 1);
    }

    #[inline(always)]
    fn add_n(&mut self, client: Client<'_>, n: u64) {
        match client {
            Client::Packed { key, hash } => {
                self.total += n;
                let room = self.len() < self.max_keys;
                if !self.packed.add(hash, key, n, room) {
                    self.untracked += n;
                }
            }
            Client::Text { key, hash } => self.add_text(hash, key, n),
        }
    }

    #[cold]
    #[inline(never)]
    fn add_text(&mut self, hash: u64, key: &[u8], n: u64) {
        self.texts
            .set_max_keys(self.max_keys.saturating_sub(self.packed.len));
        self.texts.add_hashed(hash, key, n);
    }

    /// Counts one occurrence of `key`.
    #[cfg(test)]
    pub(crate) fn add_key(&mut self, key: &[u8]) {
        let client = self.locate(key);
        self.add(client);
    }

    /// Adds every count of `other` into this table. Packed keys are taken in key order
    /// when the table may fill up, so which ones get in does not depend on the hash
    /// seed (texts are taken in their table's arena order, for the same reason).
    pub(crate) fn merge(&mut self, other: ClientTable) {
        self.untracked += other.untracked;
        self.total += other.untracked;
        let mut packed: Vec<(u64, u64)> = other.packed.entries().collect();
        if self.len() + other.len() > self.max_keys {
            packed.sort_unstable_by_key(|&(key, _)| key);
        }
        for (key, count) in packed {
            let hash = self.packed.hash(key);
            self.add_n(Client::Packed { key, hash }, count);
        }
        self.texts
            .set_max_keys(self.max_keys.saturating_sub(self.packed.len));
        self.texts.merge(other.texts);
    }

    /// Calls `f` with each stored client's text (packed ones unpacked: as they were read).
    pub(crate) fn for_each_key(&self, mut f: impl FnMut(&[u8])) {
        for (key, _) in self.packed.entries() {
            f(unpack(key).as_bytes());
        }
        self.texts.keys().for_each(f);
    }

    /// The most distinct clients the table stores.
    pub(crate) fn max_keys(&self) -> usize {
        self.max_keys
    }

    /// Distinct clients stored.
    pub(crate) fn len(&self) -> usize {
        self.packed.len + self.texts.len()
    }

    /// Occurrences counted, stored or not.
    pub(crate) fn total(&self) -> u64 {
        self.total + self.texts.total()
    }

    /// Occurrences of clients that arrived after the table was full.
    pub(crate) fn untracked(&self) -> u64 {
        self.untracked + self.texts.untracked()
    }

    /// True while every client seen is stored with its exact count.
    pub(crate) fn is_complete(&self) -> bool {
        self.untracked() == 0
    }

    /// Heap bytes held by both sides.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.packed.heap_bytes() + self.texts.heap_bytes()
    }

    /// The `n` clients with the highest counts, highest first; ties in byte order of
    /// their text, as a [`CountTable`] of the texts orders them.
    pub(crate) fn top(&self, n: usize) -> Vec<(Vec<u8>, u64)> {
        if n == 0 {
            return Vec::new();
        }
        let order = |a: &(PackedText, u64), b: &(PackedText, u64)| {
            b.1.cmp(&a.1)
                .then_with(|| a.0.as_bytes().cmp(b.0.as_bytes()))
        };
        let mut packed: Vec<(PackedText, u64)> = self
            .packed
            .entries()
            .map(|(key, count)| (unpack(key), count))
            .collect();
        if n < packed.len() {
            packed.select_nth_unstable_by(n - 1, order);
            packed.truncate(n);
        }
        let mut all: Vec<(Vec<u8>, u64)> = packed
            .iter()
            .map(|(text, count)| (text.as_bytes().to_vec(), *count))
            .chain(self.texts.top(n).into_iter().map(|(k, c)| (k.to_vec(), c)))
            .collect();
        all.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        all.truncate(n);
        all
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn text_table(keys: &[Vec<u8>], max_keys: usize) -> CountTable {
        let mut t = CountTable::new(max_keys);
        keys.iter().for_each(|k| t.add(k));
        t
    }

    fn client_table(keys: &[Vec<u8>], max_keys: usize) -> ClientTable {
        let mut t = ClientTable::new(max_keys);
        keys.iter().for_each(|k| t.add_key(k));
        t
    }

    /// Everything the report reads of a table.
    fn same_as_texts(clients: &ClientTable, texts: &CountTable) {
        let top: Vec<(Vec<u8>, u64)> = texts
            .top(usize::MAX)
            .into_iter()
            .map(|(k, c)| (k.to_vec(), c))
            .collect();
        assert_eq!(clients.top(usize::MAX), top);
        assert_eq!(clients.top(3), top[..top.len().min(3)]);
        assert_eq!(clients.len(), texts.len());
        assert_eq!(clients.total(), texts.total());
        assert_eq!(clients.untracked(), texts.untracked());
        assert_eq!(clients.is_complete(), texts.is_complete());
        let mut keys = Vec::new();
        clients.for_each_key(|k| keys.push(k.to_vec()));
        keys.sort();
        let mut expected: Vec<Vec<u8>> = texts.keys().map(<[u8]>::to_vec).collect();
        expected.sort();
        assert_eq!(keys, expected);
    }

    /// Clients as a log has them: IPv4 addresses (some written with leading zeros, so
    /// not as they print, but packed all the same), IPv6, `-`, digits that are no
    /// address, and bytes of any kind.
    fn client() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            4 => (0u8..4, 0u8..4, 0u8..=255, 0u8..=255)
                .prop_map(|(a, b, c, d)| format!("10.{a}.{b}{c}.{d}").into_bytes()),
            1 => "0?[0-9]{1,3}\\.[0-9]{1,3}\\.0?[0-9]{1,3}\\.[0-9]{1,3}".prop_map(String::into_bytes),
            1 => "2001:db8::[0-9a-f]{1,4}".prop_map(String::into_bytes),
            1 => Just(b"-".to_vec()),
            1 => "[0-9.]{0,17}".prop_map(String::into_bytes),
            1 => proptest::collection::vec(any::<u8>(), 0..20),
        ]
    }

    proptest! {
        /// Texts of 7 to 15 digits and dots, and only those, pack; each unpacks to
        /// itself, so no two share a key.
        #[test]
        fn pack_takes_digits_and_dots_and_gives_them_back(text in client()) {
            let expected = (7..=15).contains(&text.len())
                && text.iter().all(|&b| b.is_ascii_digit() || b == b'.');
            let packed = pack(&text);
            prop_assert_eq!(packed.is_some(), expected);
            if let Some(key) = packed {
                let back = unpack(key);
                prop_assert_eq!(back.as_bytes(), &text[..]);
            }
        }

        /// The client table reports what a table of the clients' texts reports: the
        /// same counts, order, totals and keys, also when it fills up (keys arriving
        /// in one order, as within one worker).
        #[test]
        fn the_client_table_counts_as_a_table_of_texts(
            keys in proptest::collection::vec(client(), 0..300),
            max_keys in prop_oneof![Just(usize::MAX), 1usize..40],
        ) {
            same_as_texts(&client_table(&keys, max_keys), &text_table(&keys, max_keys));
        }

        /// Merged, split anywhere, it is the same table as counted whole (while the
        /// bound holds every key).
        #[test]
        fn merged_client_tables_are_the_whole_table(
            keys in proptest::collection::vec(client(), 0..300),
            split in any::<prop::sample::Index>(),
        ) {
            let split = split.index(keys.len() + 1);
            let mut a = client_table(&keys[..split], 1000);
            a.merge(client_table(&keys[split..], 1000));
            same_as_texts(&a, &text_table(&keys, 1000));
        }
    }

    #[test]
    fn addresses_of_every_length_pack() {
        for text in [
            "1.2.3.4",
            "10.0.0.1",
            "127.0.0.1",
            "10.20.30.40",
            "255.255.255.255",
        ] {
            assert_eq!(
                unpack(pack(text.as_bytes()).unwrap()).as_bytes(),
                text.as_bytes()
            );
        }
        for text in ["1.2.3.", "1.2.3.4 ", "::1", "1.2.3.4.5.6.7.8", "1.2.3\n"] {
            assert!(
                pack(text.as_bytes()).is_none() || text.len() <= 15,
                "{text}"
            );
        }
        assert!(pack(b"1.2.3.4 ").is_none());
        assert!(pack(b"1.2.3.4.5.6.7.89").is_none(), "16 bytes");
        assert!(
            pack(b"1.2.3.4.5.6.7.8").is_some(),
            "15 digits and dots, if no address"
        );
        assert!(pack(b"1.2.3.").is_none(), "6 bytes");
    }

    #[test]
    fn a_full_client_table_leaves_out_addresses_and_texts_alike() {
        let keys: Vec<Vec<u8>> = ["10.0.0.1", "::1", "10.0.0.2", "10.0.0.1", "::2", "::1"]
            .iter()
            .map(|k| k.as_bytes().to_vec())
            .collect();
        let t = client_table(&keys, 2);
        assert_eq!(t.len(), 2);
        assert_eq!(
            t.untracked(),
            2,
            "10.0.0.2 and ::2 came after the table was full"
        );
        assert_eq!(t.top(5), [(b"10.0.0.1".to_vec(), 2), (b"::1".to_vec(), 2)]);
        same_as_texts(&t, &text_table(&keys, 2));
        let mut merged = client_table(&keys[..1], 2);
        merged.merge(t);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged.total(), 7);
        assert_eq!(merged.untracked(), 2);
    }
}
