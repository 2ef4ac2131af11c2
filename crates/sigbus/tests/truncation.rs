//! A file shrinking, growing or being rewritten under a registered mapping never kills
//! the reader; every read either sees the file's bytes or zeros, and a zero read past the
//! new end is always reported by `faulted()`.

mod support;

use std::sync::Barrier;
use std::sync::atomic::{AtomicUsize, Ordering};

use logscan_sigbus::Registration;
use support::{MappedFile, assert_success, is_child, page_size, pattern, run_child};

const PAGES: usize = 64;
const ITERATIONS: usize = 100;

/// When, relative to the reader, a run truncates the file.
#[derive(Clone, Copy, Debug, PartialEq)]
enum When {
    /// Once the reader has passed a page, without stopping it: a real race.
    Racing,
    /// While the reader waits at a page: it reads the rest after the truncation.
    Lockstep,
    /// After the reader finished.
    AfterRead,
}

fn register(mapped: &MappedFile) -> Registration {
    // SAFETY: `mapped.map` is a read-only file mapping; every test drops the
    // registration before `mapped`, and nothing writes through the mapping.
    unsafe { Registration::register(mapped.map.as_ptr(), mapped.map.len()) }
        .expect("register mapping")
}

/// Checks what one run read: bytes before `cut` are the file's, bytes from `cut` on are
/// the file's or zero, and a run that was not faulted read everything intact.
fn check_run(read: &[u8], cut: usize, faulted: bool, what: &str) {
    for (offset, &byte) in read.iter().enumerate() {
        let expected = pattern(offset);
        if offset < cut {
            assert_eq!(
                byte, expected,
                "{what}: byte {offset} before the cut at {cut} changed"
            );
        } else {
            assert!(
                byte == expected || byte == 0,
                "{what}: byte {offset} is {byte}, neither the file's nor zero"
            );
        }
        if !faulted {
            assert_eq!(
                byte, expected,
                "{what}: no fault reported, but byte {offset} is wrong"
            );
        }
    }
}

#[test]
fn truncation_during_a_read_never_kills_and_is_reported() {
    let page = page_size();
    let len = PAGES * page;
    // Cut points are at most the start of the last page, so the cut always removes a
    // whole page: a reader that reads anything past the cut after it happened must fault.
    let max_cut = (PAGES - 1) * page;
    let (mut faulted_runs, mut complete_runs) = (0, 0);

    for run in 0..ITERATIONS {
        let when = [When::Racing, When::Lockstep, When::AfterRead][run % 3];
        let cut = (run * 7919 + run * run * 131) % (max_cut + 1);
        let at_page = (run * 13) % PAGES;
        let mapped = MappedFile::new(len);
        let guard = register(&mapped);

        let progress = AtomicUsize::new(0); // pages read so far
        let truncated = Barrier::new(2); // used by Lockstep only
        let mut read = vec![0u8; len];
        std::thread::scope(|scope| {
            scope.spawn(|| {
                if when == When::AfterRead {
                    while progress.load(Ordering::Acquire) < PAGES {
                        std::thread::yield_now();
                    }
                } else {
                    while progress.load(Ordering::Acquire) < at_page {
                        std::hint::spin_loop();
                    }
                }
                mapped.set_len(cut);
                if when == When::Lockstep {
                    truncated.wait();
                }
            });
            for (index, out) in read.chunks_mut(page).enumerate() {
                if when == When::Lockstep && index == at_page {
                    truncated.wait();
                }
                mapped.read_page(index, out);
                progress.store(index + 1, Ordering::Release);
            }
        });

        let what = format!("run {run} ({when:?}, cut at {cut}, page {at_page})");
        let faulted = guard.faulted();
        check_run(&read, cut, faulted, &what);
        let first_gone = cut.div_ceil(page);
        assert!(
            guard.fault_count() <= PAGES - first_gone,
            "{what}: too many faults"
        );
        match when {
            When::Lockstep => {
                // Every page from `at_page` on was read after the cut; those wholly past
                // it faulted once each and read as zeros.
                let expected = PAGES - first_gone.max(at_page);
                assert_eq!(guard.fault_count(), expected, "{what}: fault count");
                assert!(
                    read[cut.max(at_page * page)..].iter().all(|&b| b == 0),
                    "{what}"
                );
            }
            When::AfterRead => assert!(!faulted, "{what}: fault after the read finished"),
            When::Racing => {}
        }
        if faulted {
            faulted_runs += 1;
        } else {
            complete_runs += 1;
        }
        drop(guard); // before the mapping goes
    }
    assert!(
        faulted_runs >= ITERATIONS / 3,
        "only {faulted_runs} runs faulted"
    );
    assert!(
        complete_runs >= ITERATIONS / 3,
        "only {complete_runs} runs completed"
    );
}

#[test]
fn truncation_by_another_process_is_reported() {
    if is_child("truncation_by_another_process_is_reported") {
        let path = std::env::var("LOGSCAN_SIGBUS_TEST_PATH").expect("path");
        let len: u64 = std::env::var("LOGSCAN_SIGBUS_TEST_LEN")
            .expect("len")
            .parse()
            .expect("len is a number");
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .expect("open");
        file.set_len(len).expect("ftruncate in child");
        return;
    }

    let page = page_size();
    let len = PAGES * page;
    for run in 0..10 {
        let cut = (run * 5 + 1) * page + run * 333;
        let mapped = MappedFile::new(len);
        let guard = register(&mapped);
        let path = mapped.file.path().to_string_lossy().into_owned();

        let mut read = vec![0u8; len];
        let child = std::thread::scope(|scope| {
            let child = scope.spawn(|| {
                run_child(
                    "truncation_by_another_process_is_reported",
                    &[
                        ("LOGSCAN_SIGBUS_TEST_PATH", path.clone()),
                        ("LOGSCAN_SIGBUS_TEST_LEN", cut.to_string()),
                    ],
                )
            });
            // Keep reading the whole mapping while the other process runs, then once more,
            // so the last pass certainly follows the truncation.
            loop {
                let done = child.is_finished();
                for (index, out) in read.chunks_mut(page).enumerate() {
                    mapped.read_page(index, out);
                }
                if done {
                    break;
                }
            }
            child.join().expect("child runner thread")
        });
        assert_success(&child);

        let what = format!("run {run} (cut at {cut})");
        assert!(
            guard.faulted(),
            "{what}: the last pass read past the cut without a fault"
        );
        check_run(&read, cut, true, &what);
        assert!(
            read[cut..].iter().all(|&b| b == 0),
            "{what}: stale bytes after the cut"
        );
        drop(guard);
    }
}

#[test]
fn growth_under_the_mapping_is_not_a_fault() {
    let page = page_size();
    let len = 8 * page;
    let mapped = MappedFile::new(len);
    let guard = register(&mapped);
    let mut out = vec![0u8; page];
    for index in 0..8 {
        // The file doubles while we read; the mapping keeps its length and its bytes.
        mapped.set_len(len + (index + 1) * page);
        mapped.read_page(index, &mut out);
        for (i, &byte) in out.iter().enumerate() {
            assert_eq!(byte, pattern(index * page + i));
        }
    }
    assert!(!guard.faulted());
    assert_eq!(guard.fault_count(), 0);
}

#[test]
fn rewrite_in_place_is_invisible_to_the_guard() {
    // A limitation, pinned down: a file emptied and rewritten with the same length shows
    // the new bytes through the mapping and raises no fault. Only the file's metadata
    // (the source compares it) can tell.
    use std::io::{Seek, SeekFrom, Write};
    let page = page_size();
    let len = 4 * page;
    let mapped = MappedFile::new(len);
    let guard = register(&mapped);
    assert_eq!(mapped.read_byte(len - 1), pattern(len - 1));

    mapped.set_len(0);
    let mut file = mapped.file.as_file();
    file.seek(SeekFrom::Start(0)).expect("seek");
    file.write_all(&vec![b'N'; len]).expect("rewrite");

    for offset in (0..len).step_by(page / 2) {
        assert_eq!(mapped.read_byte(offset), b'N');
    }
    assert!(!guard.faulted());
}

#[test]
fn shrinking_within_the_last_page_reads_zeros_without_a_fault() {
    // Another limitation the source must cover with fstat: bytes past the new end of a
    // page that still partly exists read as zeros, and no SIGBUS is raised.
    let page = page_size();
    let len = 2 * page + page / 2;
    let mapped = MappedFile::new(len);
    let guard = register(&mapped);

    let cut = 2 * page + 10;
    mapped.set_len(cut);
    assert_eq!(mapped.read_byte(cut - 1), pattern(cut - 1));
    assert_eq!(mapped.read_byte(cut), 0);
    assert_eq!(mapped.read_byte(len - 1), 0);
    assert!(!guard.faulted());
}

#[test]
fn regions_fault_independently_across_threads() {
    // Several threads each truncate and read their own registered mapping while another
    // registers and drops registrations in a loop; each region reports only its own
    // faults, and an untouched region none.
    let page = page_size();
    let untouched = MappedFile::new(4 * page);
    let untouched_guard = register(&untouched);
    let stop = std::sync::atomic::AtomicBool::new(false);

    std::thread::scope(|scope| {
        let churn = scope.spawn(|| {
            let mapped = MappedFile::new(page);
            let mut cycles = 0usize;
            while !stop.load(Ordering::Relaxed) || cycles == 0 {
                let guard = register(&mapped);
                assert!(!guard.faulted());
                drop(guard);
                cycles += 1;
            }
            cycles
        });
        let workers: Vec<_> = (0..4)
            .map(|worker| {
                scope.spawn(move || {
                    for round in 0..25 {
                        let pages = 4 + (worker + round) % 5;
                        let mapped = MappedFile::new(pages * page);
                        let guard = register(&mapped);
                        mapped.set_len(page);
                        for index in 0..pages {
                            let byte = mapped.read_byte(index * page + 1);
                            let expected = if index == 0 { pattern(1) } else { 0 };
                            assert_eq!(byte, expected, "worker {worker} round {round}");
                        }
                        assert_eq!(guard.fault_count(), pages - 1);
                        drop(guard);
                    }
                })
            })
            .collect();
        for worker in workers {
            worker.join().expect("worker");
        }
        stop.store(true, Ordering::Relaxed);
        assert!(churn.join().expect("churn thread") > 0);
    });

    for offset in (0..untouched.map.len()).step_by(page) {
        assert_eq!(untouched.read_byte(offset), pattern(offset));
    }
    assert!(!untouched_guard.faulted());
}
