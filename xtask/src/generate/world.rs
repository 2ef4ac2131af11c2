//! The simulated site: its paths and its clients, built once from the seed.
//!
//! Every string lives in one arena so that drawing a path or a client per line is an
//! index, never an allocation.

use super::rng::Rng;
use super::text::{PROBE_PATHS, USER_AGENTS, WORDS, push_hex, push_hex_trim, push_u64};
use super::zipf::Zipf;

/// Distinct paths on the site. Zipf over this many gives a long tail of rare URLs.
const PATHS: usize = 20_000;
/// Distinct clients. The top one (a crawler or a carrier NAT) takes ~9% of traffic.
const CLIENTS: usize = 30_000;
/// Share of clients on IPv6.
const IPV6_SHARE: f64 = 0.12;

/// What a path serves decides its methods, status mix, body size and latency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PathKind {
    Page,
    Static,
    Image,
    Api,
    Probe,
    Health,
    Redirect,
}

#[derive(Debug, Clone, Copy)]
struct Span {
    start: u32,
    end: u32,
}

/// One path of the site.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PathEntry {
    span: Span,
    pub(crate) kind: PathKind,
    /// Typical response body in bytes (exact for static files).
    pub(crate) size: u32,
    /// Byte offset of `?` inside the path, if it has a query.
    pub(crate) query_at: Option<u32>,
}

/// One client: an address and the user agent it usually sends.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Client {
    span: Span,
    pub(crate) user_agent: u16,
}

/// The paths and clients, with their popularity distributions.
#[derive(Debug)]
pub(crate) struct World {
    arena: Vec<u8>,
    paths: Vec<PathEntry>,
    path_rank: Zipf,
    /// Indices of the HTML pages, in popularity order: what a referrer points at.
    pages: Vec<u32>,
    page_rank: Zipf,
    clients: Vec<Client>,
    client_rank: Zipf,
    ua_weights: Vec<u32>,
}

fn push_word(buf: &mut Vec<u8>, rng: &mut Rng) {
    buf.extend_from_slice(WORDS[rng.index(WORDS.len())].as_bytes());
}

fn push_slug(buf: &mut Vec<u8>, rng: &mut Rng, min_words: u64, max_words: u64) {
    let words = rng.range(min_words, max_words);
    for i in 0..words {
        if i > 0 {
            buf.push(b'-');
        }
        push_word(buf, rng);
    }
}

/// Percent-encoded non-Latin search terms, as real shops in Iran, Japan or Russia log.
const ENCODED_TERMS: &[&str] = &[
    "%D8%B3%D9%84%D8%A7%D9%85",
    "%E6%97%A5%E6%9C%AC%E8%AA%9E",
    "%D0%BA%D1%83%D1%80%D1%82%D0%BA%D0%B0",
    "caf%C3%A9",
];

impl World {
    pub(crate) fn new(seed: u64) -> Self {
        let mut rng = Rng::derive(seed, 1);
        let mut world = World {
            arena: Vec::with_capacity(PATHS * 40 + CLIENTS * 20),
            paths: Vec::with_capacity(PATHS),
            path_rank: Zipf::new(PATHS, 1.05),
            pages: Vec::new(),
            page_rank: Zipf::new(1, 1.0),
            clients: Vec::with_capacity(CLIENTS),
            client_rank: Zipf::new(CLIENTS, 1.0),
            ua_weights: USER_AGENTS.iter().map(|&(_, w)| w).collect(),
        };
        let heads: &[(&str, PathKind, u32)] = &[
            ("/", PathKind::Page, 48_211),
            ("/static/js/app.{h}.js", PathKind::Static, 412_733),
            ("/static/css/main.{h}.css", PathKind::Static, 88_102),
            ("/favicon.ico", PathKind::Static, 15_086),
            ("/api/v1/cart", PathKind::Api, 1_804),
            ("/static/js/vendor.{h}.js", PathKind::Static, 1_204_551),
            ("/healthz", PathKind::Health, 2),
            ("/api/v1/session", PathKind::Api, 512),
            ("/robots.txt", PathKind::Static, 312),
            ("/login", PathKind::Page, 9_877),
            ("/static/img/logo.svg", PathKind::Static, 4_391),
            ("/api/v1/recommendations?limit=12", PathKind::Api, 6_220),
            ("/sitemap.xml", PathKind::Static, 182_004),
            ("/cart", PathKind::Page, 21_450),
            ("/old-shop/index.php", PathKind::Redirect, 0),
        ];
        for &(template, kind, size) in heads {
            let start = world.arena.len();
            for (i, part) in template.split("{h}").enumerate() {
                if i > 0 {
                    push_hex(&mut world.arena, rng.next_u64(), 8);
                }
                world.arena.extend_from_slice(part.as_bytes());
            }
            world.push_path(start, kind, size);
        }
        while world.paths.len() < PATHS {
            let rank = world.paths.len();
            // Scanner probes sit in the middle of the popularity table: every server
            // sees them, none serves them.
            if rank % 97 == 50 {
                let p = PROBE_PATHS[(rank / 97) % PROBE_PATHS.len()];
                let start = world.arena.len();
                world.arena.extend_from_slice(p.as_bytes());
                world.push_path(start, PathKind::Probe, 153);
                continue;
            }
            world.push_generated_path(&mut rng);
        }
        for _ in 0..CLIENTS {
            world.push_client(&mut rng);
        }
        world.pages = (0..world.paths.len() as u32)
            .filter(|&i| world.paths[i as usize].kind == PathKind::Page)
            .collect();
        world.page_rank = Zipf::new(world.pages.len(), 1.05);
        world
    }

    fn push_path(&mut self, start: usize, kind: PathKind, size: u32) {
        let end = self.arena.len();
        let query_at = self.arena[start..end]
            .iter()
            .position(|&b| b == b'?')
            .map(|q| q as u32);
        self.paths.push(PathEntry {
            span: Span {
                start: start as u32,
                end: end as u32,
            },
            kind,
            size,
            query_at,
        });
    }

    fn push_generated_path(&mut self, rng: &mut Rng) {
        let start = self.arena.len();
        let a = &mut self.arena;
        let id = rng.range(1_000, 99_999);
        let (kind, size) = match rng.weighted(&[30, 10, 5, 25, 8, 20, 2]) {
            0 => {
                a.extend_from_slice(b"/products/");
                push_u64(a, id);
                a.push(b'-');
                push_slug(a, rng, 1, 3);
                if rng.chance(0.15) {
                    a.extend_from_slice(b"?utm_source=newsletter&utm_campaign=");
                    push_word(a, rng);
                }
                (PathKind::Page, rng.range(15_000, 70_000) as u32)
            }
            1 => {
                a.extend_from_slice(b"/category/");
                push_slug(a, rng, 1, 2);
                a.extend_from_slice(b"?page=");
                push_u64(a, rng.range(1, 40));
                if rng.chance(0.3) {
                    a.extend_from_slice(b"&sort=price_asc");
                }
                (PathKind::Page, rng.range(30_000, 90_000) as u32)
            }
            2 => {
                a.extend_from_slice(b"/blog/20");
                push_u64(a, rng.range(18, 25));
                a.push(b'/');
                push_u64(a, rng.range(10, 12));
                a.push(b'/');
                push_slug(a, rng, 2, 5);
                (PathKind::Page, rng.range(20_000, 60_000) as u32)
            }
            3 => {
                a.extend_from_slice(b"/images/");
                push_u64(a, id);
                let dims: &[&[u8]] = &[b"/200x200.jpg", b"/600x600.jpg", b"/1200x900.webp"];
                a.extend_from_slice(dims[rng.index(dims.len())]);
                (PathKind::Image, rng.range(4_000, 220_000) as u32)
            }
            4 => {
                a.extend_from_slice(b"/static/");
                let files: &[&[u8]] = &[b"fonts/inter-", b"js/chunk-", b"css/page-"];
                a.extend_from_slice(files[rng.index(files.len())]);
                push_hex(a, rng.next_u64(), 8);
                let exts: &[&[u8]] = &[b".woff2", b".js", b".css"];
                a.extend_from_slice(exts[rng.index(exts.len())]);
                (PathKind::Static, rng.range(2_000, 300_000) as u32)
            }
            5 => {
                match rng.below(4) {
                    0 => {
                        a.extend_from_slice(b"/api/v1/users/");
                        push_u64(a, id);
                        a.extend_from_slice(b"/orders");
                    }
                    1 => {
                        a.extend_from_slice(b"/api/v1/products/");
                        push_u64(a, id);
                        a.extend_from_slice(b"/stock");
                    }
                    2 => {
                        a.extend_from_slice(b"/api/v2/search?q=");
                        if rng.chance(0.1) {
                            a.extend_from_slice(
                                ENCODED_TERMS[rng.index(ENCODED_TERMS.len())].as_bytes(),
                            );
                        } else {
                            push_word(a, rng);
                            a.push(b'+');
                            push_word(a, rng);
                        }
                        a.extend_from_slice(b"&limit=20");
                    }
                    _ => {
                        a.extend_from_slice(b"/api/v1/cart/items/");
                        push_u64(a, id);
                    }
                }
                (PathKind::Api, rng.range(80, 12_000) as u32)
            }
            _ => {
                a.extend_from_slice(b"/shop/item.php?id=");
                push_u64(a, id);
                (PathKind::Redirect, 0)
            }
        };
        self.push_path(start, kind, size);
    }

    fn push_client(&mut self, rng: &mut Rng) {
        let start = self.arena.len();
        let a = &mut self.arena;
        if rng.chance(IPV6_SHARE) {
            // 2001:db8::/32 is the documentation prefix: realistic shape, nobody's address.
            a.extend_from_slice(b"2001:db8:");
            let groups: [u16; 6] = std::array::from_fn(|_| rng.below(0x1_0000) as u16);
            if rng.chance(0.4) {
                // The compressed form most hosts log: a run of zero groups as "::".
                push_hex_trim(a, groups[0]);
                a.extend_from_slice(b"::");
                push_hex_trim(a, groups[5]);
            } else {
                for (i, g) in groups.iter().enumerate() {
                    if i > 0 {
                        a.push(b':');
                    }
                    push_hex_trim(a, *g);
                }
            }
        } else {
            // Public-looking unicast: skip 0/8, 10/8, 127/8 and multicast and above.
            let mut first = rng.range(1, 223);
            if first == 10 || first == 127 {
                first += 1;
            }
            push_u64(a, first);
            for _ in 0..3 {
                a.push(b'.');
                push_u64(a, rng.below(256));
            }
        }
        let end = self.arena.len();
        let user_agent = rng.weighted(&self.ua_weights) as u16;
        self.clients.push(Client {
            span: Span {
                start: start as u32,
                end: end as u32,
            },
            user_agent,
        });
    }

    pub(crate) fn sample_path(&self, rng: &mut Rng) -> &PathEntry {
        &self.paths[self.path_rank.sample(rng)]
    }

    pub(crate) fn sample_client(&self, rng: &mut Rng) -> &Client {
        &self.clients[self.client_rank.sample(rng)]
    }

    /// A page, by popularity among pages: where a click or an asset load came from.
    pub(crate) fn sample_page(&self, rng: &mut Rng) -> &PathEntry {
        &self.paths[self.pages[self.page_rank.sample(rng)] as usize]
    }

    pub(crate) fn path_bytes(&self, p: &PathEntry) -> &[u8] {
        &self.arena[p.span.start as usize..p.span.end as usize]
    }

    pub(crate) fn client_bytes(&self, c: &Client) -> &[u8] {
        &self.arena[c.span.start as usize..c.span.end as usize]
    }

    /// A user agent by the same weights clients were given theirs.
    pub(crate) fn random_user_agent(&self, rng: &mut Rng) -> u16 {
        rng.weighted(&self.ua_weights) as u16
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_full_and_well_formed() {
        let w = World::new(42);
        assert_eq!(w.paths.len(), PATHS);
        assert_eq!(w.clients.len(), CLIENTS);
        assert!(w.paths.iter().any(|p| p.kind == PathKind::Probe));
        for p in &w.paths {
            let b = w.path_bytes(p);
            assert_eq!(b.first(), Some(&b'/'));
            assert!(!b.iter().any(|&c| c == b' ' || c == b'"' || c == b'\n'));
        }
        let v6 = w
            .clients
            .iter()
            .filter(|c| w.client_bytes(c).contains(&b':'))
            .count();
        assert!((CLIENTS / 20..CLIENTS / 5).contains(&v6), "{v6}");
    }

    #[test]
    fn same_seed_same_world() {
        let (a, b, c) = (World::new(1), World::new(1), World::new(2));
        assert_eq!(a.arena, b.arena);
        assert_ne!(a.arena, c.arena);
    }
}
