//! `cargo xtask gen`: argument parsing and output handling for the generator.

use std::fs::File;
use std::io;
use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use xtask::{Format, GenError, Generator, parse_count, parse_size};

/// Arguments of `cargo xtask gen`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  cargo xtask gen --lines 20k --out /tmp/access.log\n  \
    cargo xtask gen --size 2GiB --format json --seed 7 --out big.jsonl\n  \
    cargo xtask gen --format app --lines 1000 --out - | head"
)]
pub struct GenArgs {
    /// Number of lines (`1_000_000`, `20k`, `2m`). Default 1,000,000.
    #[arg(long, value_parser = parse_count, conflicts_with = "size")]
    lines: Option<u64>,
    /// Write whole lines until at least this size (`2GiB`, `500MB`).
    #[arg(long, value_parser = parse_size)]
    size: Option<u64>,
    /// Log format.
    #[arg(long, value_enum, default_value_t = Format::Combined)]
    format: Format,
    /// Seed: the same seed gives the same bytes.
    #[arg(long, default_value_t = xtask::DEFAULT_SEED)]
    seed: u64,
    /// Output file, or `-` for stdout. Default: <target-dir>/bench-data/<name>,
    /// the name keyed by format, amount, seed and generator version.
    #[arg(long)]
    out: Option<PathBuf>,
}

pub fn run(args: GenArgs) -> Result<(), Box<dyn std::error::Error>> {
    let mut builder = Generator::builder().format(args.format).seed(args.seed);
    builder = match (args.lines, args.size) {
        (_, Some(size)) => builder.bytes(size),
        (Some(lines), None) => builder.lines(lines),
        (None, None) => builder.lines(xtask::DEFAULT_LINES),
    };
    let generator = builder.build()?;
    let start = Instant::now();
    let (stats, shown) = match args.out {
        Some(p) if p.as_os_str() == "-" => match generator.write_to(io::stdout().lock()) {
            Ok(stats) => (stats, "stdout".to_owned()),
            // `| head` closing the pipe early is a normal way to stop.
            Err(GenError::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(()),
            Err(e) => return Err(e.into()),
        },
        out => {
            let path = match out {
                Some(p) => p,
                None => {
                    let dir = xtask::workspace_target_dir()?.join("bench-data");
                    std::fs::create_dir_all(&dir)?;
                    dir.join(generator.file_name())
                }
            };
            let file = File::create(&path)
                .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
            let stats = generator.write_to(file)?;
            (stats, path.display().to_string())
        }
    };
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "wrote {} lines, {} bytes ({} damaged: cut, glued or binary; {} long) to {shown} in {secs:.2} s: {:.0} MB/s",
        stats.lines,
        stats.bytes,
        stats.malformed,
        stats.long_lines,
        stats.bytes as f64 / secs.max(1e-9) / 1e6
    );
    Ok(())
}
