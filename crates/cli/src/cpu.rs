//! What instruction set this binary was compiled for, for `logscan --version`.
//!
//! A default build runs on any CPU of its architecture. `cargo xtask bench` measures
//! a build for the machine's own CPU (`-C target-cpu=native`, docs/benchmarks.md,
//! "Native and portable builds"); the version line tells the two apart.

/// Extensions a `target-cpu` setting commonly adds on x86-64, by `target_feature` name,
/// with whether this binary was compiled with each.
fn x86_64_extensions() -> [(&'static str, bool); 18] {
    macro_rules! ext {
        ($($name:tt),*) => {
            [$(($name, cfg!(target_feature = $name))),*]
        };
    }
    ext!(
        "sse3", "ssse3", "sse4.1", "sse4.2", "popcnt", "avx", "avx2", "bmi1", "bmi2", "fma",
        "lzcnt", "movbe", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"
    )
}

/// The architecture and the extensions compiled in beyond its baseline, e.g.
/// `x86_64 with sse3, ..., avx2`, or `x86_64 (baseline instruction set)`.
pub fn compiled_for() -> String {
    let arch = std::env::consts::ARCH;
    let extensions: Vec<&str> = if arch == "x86_64" {
        x86_64_extensions()
            .iter()
            .filter(|(_, compiled)| *compiled)
            .map(|(name, _)| *name)
            .collect()
    } else {
        Vec::new()
    };
    if extensions.is_empty() {
        format!("{arch} (baseline instruction set)")
    } else {
        format!("{arch} with {}", extensions.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_line_names_what_the_compiler_was_allowed_to_use() {
        let line = compiled_for();
        assert!(line.starts_with(std::env::consts::ARCH), "{line}");
        // The tests are built like the default binary, for the architecture's
        // baseline: on x86-64 that has SSE2 but no AVX2.
        #[cfg(target_arch = "x86_64")]
        assert_eq!(
            line.contains("avx2"),
            cfg!(target_feature = "avx2"),
            "{line}"
        );
    }
}
