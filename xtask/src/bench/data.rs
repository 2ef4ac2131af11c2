//! The benchmark's inputs, generated once and cached under the data directory by a
//! name that encodes everything that determines their bytes.

use std::fs::{self, File};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::BenchError;
use crate::generate::{Format, GENERATOR_VERSION, Generator};

/// A generated file (or directory of files) and what it holds.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub(crate) path: PathBuf,
    pub(crate) files: Vec<String>,
    pub(crate) lines: u64,
    pub(crate) bytes: u64,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> BenchError + '_ {
    move |source| BenchError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A temporary name next to `path`, so that an interrupted run never leaves a
/// truncated file under the final name.
fn temp_name(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp-{}", std::process::id()));
    path.with_file_name(name)
}

/// The main dataset: `lines` lines of `format` from `seed`, generated if missing.
pub(crate) fn dataset(
    dir: &Path,
    format: Format,
    lines: u64,
    seed: u64,
    progress: bool,
) -> Result<Prepared, BenchError> {
    let generator = Generator::builder()
        .format(format)
        .lines(lines)
        .seed(seed)
        .build()?;
    let path = dir.join(generator.file_name());
    if !path.is_file() {
        if progress {
            eprintln!("xtask bench: generating {}", path.display());
        }
        let tmp = temp_name(&path);
        let file = File::create(&tmp).map_err(io_err(&tmp))?;
        generator.write_to(file)?;
        fs::rename(&tmp, &path).map_err(io_err(&path))?;
    }
    let bytes = fs::metadata(&path).map_err(io_err(&path))?.len();
    Ok(Prepared {
        files: vec![path.display().to_string()],
        path,
        lines,
        bytes,
    })
}

/// The first `lines` lines of `source`, for tools too slow for the whole dataset.
pub(crate) fn excerpt(source: &Prepared, lines: u64) -> Result<Prepared, BenchError> {
    let lines = lines.min(source.lines);
    let stem = source
        .path
        .file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let path = source
        .path
        .with_file_name(format!("{stem}.first{lines}.log"));
    if !path.is_file() {
        let tmp = temp_name(&path);
        let mut reader = BufReader::new(File::open(&source.path).map_err(io_err(&source.path))?);
        let mut out = BufWriter::new(File::create(&tmp).map_err(io_err(&tmp))?);
        let mut line = Vec::new();
        for _ in 0..lines {
            line.clear();
            let n = reader
                .read_until(b'\n', &mut line)
                .map_err(io_err(&source.path))?;
            if n == 0 {
                break;
            }
            out.write_all(&line).map_err(io_err(&tmp))?;
        }
        out.flush().map_err(io_err(&tmp))?;
        drop(out);
        fs::rename(&tmp, &path).map_err(io_err(&path))?;
    }
    let bytes = fs::metadata(&path).map_err(io_err(&path))?.len();
    Ok(Prepared {
        files: vec![path.display().to_string()],
        path,
        lines,
        bytes,
    })
}

/// Target size of one small file: whole lines, at most this many bytes (at least
/// one line).
const SMALL_FILE_BYTES: usize = 1024;

/// Marker written last in a small-files directory: `files lines bytes`.
const COMPLETE: &str = "COMPLETE";

/// `count` files of about 1 KB each (whole lines, no very long lines), in
/// a directory of their own. The file names are relative to that directory.
pub(crate) fn small_files(
    dir: &Path,
    format: Format,
    count: usize,
    seed: u64,
    progress: bool,
) -> Result<Prepared, BenchError> {
    let path = dir.join(format!(
        "small-{}-{count}x1k-s{seed}-g{GENERATOR_VERSION}",
        format.name()
    ));
    let files: Vec<String> = (0..count).map(|i| format!("f{i:05}.log")).collect();
    let marker = path.join(COMPLETE);
    if let Ok(text) = fs::read_to_string(&marker) {
        let nums: Vec<u64> = text
            .split_whitespace()
            .filter_map(|t| t.parse().ok())
            .collect();
        if let [n, lines, bytes] = nums[..]
            && n == count as u64
        {
            return Ok(Prepared {
                path,
                files,
                lines,
                bytes,
            });
        }
    }
    if progress {
        eprintln!(
            "xtask bench: writing {count} small files to {}",
            path.display()
        );
    }
    fs::create_dir_all(&path).map_err(io_err(&path))?;
    // One generated stream cut into files: the generator's tables are built once,
    // not per file. The stream goes through a temporary file rather than memory to
    // keep this process's peak RSS (the floor under every child's figure) low.
    let generator = Generator::builder()
        .format(format)
        .bytes((count * (SMALL_FILE_BYTES + 300) + (1 << 20)) as u64)
        .seed(seed ^ 0x5a11_f11e)
        .long_lines(false)
        .build()?;
    let stream_path = temp_name(&path.join("stream"));
    let file = File::create(&stream_path).map_err(io_err(&stream_path))?;
    generator.write_to(file)?;
    let mut reader = BufReader::new(File::open(&stream_path).map_err(io_err(&stream_path))?);
    let (mut lines, mut bytes) = (0u64, 0u64);
    let mut line = Vec::new();
    let mut content = Vec::with_capacity(SMALL_FILE_BYTES * 2);
    for name in &files {
        content.clear();
        let mut n = 0u64;
        loop {
            if line.is_empty() {
                reader
                    .read_until(b'\n', &mut line)
                    .map_err(io_err(&stream_path))?;
                if line.is_empty() {
                    break;
                }
            }
            if n > 0 && content.len() + line.len() > SMALL_FILE_BYTES {
                break;
            }
            content.extend_from_slice(&line);
            line.clear();
            n += 1;
        }
        if n == 0 {
            return Err(BenchError::Config(
                "generated stream too short for the small files".into(),
            ));
        }
        let file = path.join(name);
        fs::write(&file, &content).map_err(io_err(&file))?;
        lines += n;
        bytes += content.len() as u64;
    }
    drop(reader);
    fs::remove_file(&stream_path).map_err(io_err(&stream_path))?;
    fs::write(&marker, format!("{count} {lines} {bytes}\n")).map_err(io_err(&marker))?;
    Ok(Prepared {
        path,
        files,
        lines,
        bytes,
    })
}
