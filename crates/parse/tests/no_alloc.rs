//! Parsing access and application lines, and reading every field, does not touch the
//! heap. A counting global allocator counts this thread's allocations around the
//! parsing loop (per-thread, so tests running in parallel do not disturb the count).

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use logscan_parse::LogFormat;

struct Counting;

thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

fn count() {
    let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: forwards every call to the system allocator unchanged; counting only
// touches a const-initialised thread-local Cell, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: the caller's contract for `alloc` is passed through.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: the caller's contract for `alloc_zeroed` is passed through.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract for `dealloc` is passed through.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: the caller's contract for `realloc` is passed through.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocs() -> u64 {
    ALLOCS.with(Cell::get)
}

/// Reads every accessor and every field; returns a checksum so nothing is optimised
/// away and the test can see that fields were really found.
fn touch_all(format: &LogFormat, lines: &[Vec<u8>]) -> (usize, u64) {
    let mut parsed = 0;
    let mut sum = 0u64;
    for line in lines {
        let Ok(r) = format.parse(line) else { continue };
        parsed += 1;
        sum += r.timestamp().map_or(0, |t| t.unix_seconds() as u64 & 0xff);
        sum += r.client().map_or(0, <[u8]>::len) as u64;
        sum += u64::from(r.client_ip().is_some());
        sum += r.remote_user().map_or(0, <[u8]>::len) as u64;
        if let Some(req) = r.request() {
            sum += req.method().map_or(0, <[u8]>::len) as u64;
            sum += req.path().map_or(0, <[u8]>::len) as u64;
        }
        sum += r.method().map_or(0, |m| m.len()) as u64;
        sum += r.path().map_or(0, |m| m.len()) as u64;
        sum += r.query().map_or(0, |m| m.len()) as u64;
        sum += r.protocol().map_or(0, <[u8]>::len) as u64;
        sum += u64::from(r.status().unwrap_or(0));
        sum += r.body_bytes().unwrap_or(0);
        sum += r.request_time_us().unwrap_or(0);
        sum += r.upstream_time_us().unwrap_or(0);
        sum += r.referrer().map_or(0, |v| v.len()) as u64;
        sum += r.user_agent().map_or(0, |v| v.len()) as u64;
        sum += r.x_forwarded_for().map_or(0, <[u8]>::len) as u64;
        sum += r.host().map_or(0, |v| v.len()) as u64;
        sum += r.var("request_time").map_or(0, <[u8]>::len) as u64;
        sum += r.level().map_or(0, |l| l as u64);
        sum += r.component().map_or(0, <[u8]>::len) as u64;
        sum += r.message().map_or(0, |m| m.len()) as u64;
        sum += r.trailing().len() as u64;
        for field in r.fields() {
            sum += field.name.len() as u64;
        }
    }
    (parsed, sum)
}

#[test]
fn access_and_app_paths_do_not_allocate() {
    // Everything that may allocate happens before counting: reading the files and
    // compiling the formats.
    let extras = LogFormat::from_nginx(
        r#"'$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for" $request_time $upstream_response_time'"#,
    )
    .unwrap();
    let synthetic: Vec<Vec<u8>> = (0..200)
        .map(|i| {
            format!(
                r#"10.0.{}.{} - u{i} [10/Oct/2000:13:{:02}:36 -0700] "GET /p/{i}?q={i} HTTP/1.1" {} {} "http://r/{i}" "agent \"{i}\"" "203.0.113.{}, 10.0.0.1" 0.{:03} 0.010, 0.{:03}"#,
                i % 256, (i * 7) % 256, i % 60, 200 + i % 5, i * 13, i % 256, i % 1000, i % 1000
            )
            .into_bytes()
        })
        .collect();
    let cases = [
        (
            LogFormat::combined_xff(),
            common::lines_of("tstack_lnav/test/logfile_shop_access_log.0"),
        ),
        (
            LogFormat::vhost_combined(),
            common::lines_of("jwodder_apachelogs/test/data/vhost_combined.log"),
        ),
        (extras, synthetic),
        (
            LogFormat::app_builder().assumed_year(2024).build(),
            common::lines_of("logpai_loghub/Zookeeper/Zookeeper_2k.log"),
        ),
        (
            LogFormat::app_builder().assumed_year(2024).build(),
            common::lines_of("logpai_loghub/OpenSSH/OpenSSH_2k.log"),
        ),
        (
            LogFormat::app_builder().assumed_year(2024).build(),
            common::lines_of("logpai_loghub/Apache/Apache_2k.log"),
        ),
    ];
    for (format, lines) in &cases {
        let before = allocs();
        let (parsed, sum) = touch_all(format, lines);
        let after = allocs();
        assert!(
            parsed * 10 >= lines.len() * 8,
            "{}: only {parsed} of {} parsed",
            format.name(),
            lines.len()
        );
        assert!(sum > 0);
        assert_eq!(
            after - before,
            0,
            "{}: {} allocations for {parsed} lines",
            format.name(),
            after - before
        );
    }
}

#[test]
fn the_counter_sees_allocations() {
    // Guards the test above against a counter that never counts.
    let before = allocs();
    let v = std::hint::black_box(vec![1u8; 64]);
    assert!(allocs() > before);
    drop(v);
    // A JSON message with escapes is decoded into a new buffer: counted.
    let json = LogFormat::json();
    let line = br#"{"msg":"a\nb"}"#;
    let r = json.parse(line).unwrap();
    let before = allocs();
    let m = r.message().unwrap();
    assert!(allocs() > before);
    assert_eq!(&*m, b"a\nb");
}
