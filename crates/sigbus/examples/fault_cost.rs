//! Measures what a repaired fault costs: maps a file, registers it, empties the file,
//! then touches every page of the mapping once (each touch is one SIGBUS repaired by the
//! guard) and prints the time per fault.
//!
//! `cargo run --release -p logscan-sigbus --example fault_cost -- [MiB]` (default 64).

use std::error::Error;
use std::io::Write;
use std::time::Instant;

use logscan_sigbus::Registration;

fn main() -> Result<(), Box<dyn Error>> {
    let mib: usize = match std::env::args().nth(1) {
        Some(arg) => arg.parse()?,
        None => 64,
    };
    let len = mib << 20;
    // SAFETY: sysconf has no preconditions.
    let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) })?;

    let mut file = tempfile::tempfile()?;
    let block = vec![b'x'; 1 << 20];
    for _ in 0..mib {
        file.write_all(&block)?;
    }
    // SAFETY: the file is private to this program; it is only truncated, which the
    // registration below guards.
    let map = unsafe { memmap2::Mmap::map(&file)? };

    let touch = |label: &str| {
        let start = Instant::now();
        let mut sum = 0u64;
        for offset in (0..len).step_by(page) {
            // SAFETY: inside the live mapping.
            sum += u64::from(unsafe { std::ptr::read_volatile(map.as_ptr().add(offset)) });
        }
        let elapsed = start.elapsed();
        println!(
            "{label}: {} pages in {elapsed:?} ({:.0} ns/page), byte sum {sum}",
            len / page,
            elapsed.as_nanos() as f64 / (len / page) as f64
        );
    };

    touch("intact, page cache warm");
    // SAFETY: `map` is a read-only file mapping that outlives `guard`.
    let guard = unsafe { Registration::register(map.as_ptr(), map.len())? };
    file.set_len(0)?;
    touch("emptied, every page a repaired SIGBUS");
    println!("faults repaired: {}", guard.fault_count());
    // Each zero page is its own mapping unless the kernel merges neighbours; the
    // count matters because vm.max_map_count caps it (65530 by default).
    let maps = std::fs::read_to_string("/proc/self/maps")?.lines().count();
    println!("mappings in this process now: {maps}");
    touch("emptied, pages already zero-filled");
    drop(guard);
    Ok(())
}
