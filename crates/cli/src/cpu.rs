//! The instruction-set extensions this binary was compiled for, checked against the
//! CPU it runs on.
//!
//! The workspace compiles for the building machine's CPU (`-C target-cpu=native` in
//! `.cargo/config.toml`). Copied to a machine whose CPU lacks one of those extensions,
//! the binary would die of SIGILL at the first such instruction, somewhere in a scan;
//! [`missing_features`] lets `main` refuse to start with one clear line instead.
//!
//! `is_x86_feature_detected!` cannot answer this: for a feature enabled at compile
//! time it is `true` without asking the CPU. So the CPU is asked directly (CPUID).

/// An extension: its `target_feature` name and where CPUID reports it.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
struct Feature {
    name: &'static str,
    compiled: bool,
    leaf: Leaf,
    bit: u32,
}

/// The CPUID register words the features are read from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
enum Leaf {
    /// Leaf 1, ECX.
    #[default]
    BasicEcx,
    /// Leaf 7 sub-leaf 0, EBX.
    ExtendedEbx,
    /// Leaf 0x8000_0001, ECX.
    AmdEcx,
}

/// The CPUID words [`Leaf`] names (zero where the CPU has no such leaf).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
struct CpuidWords {
    basic_ecx: u32,
    extended_ebx: u32,
    amd_ecx: u32,
}

impl CpuidWords {
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    fn has(&self, leaf: Leaf, bit: u32) -> bool {
        let word = match leaf {
            Leaf::BasicEcx => self.basic_ecx,
            Leaf::ExtendedEbx => self.extended_ebx,
            Leaf::AmdEcx => self.amd_ecx,
        };
        word >> bit & 1 == 1
    }
}

/// The extensions a compiler given `target-cpu=native` may use on current x86-64
/// CPUs, with whether this binary was compiled with each.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
fn features() -> [Feature; 18] {
    macro_rules! feature {
        ($name:tt, $leaf:ident, $bit:literal) => {
            Feature {
                name: $name,
                compiled: cfg!(target_feature = $name),
                leaf: Leaf::$leaf,
                bit: $bit,
            }
        };
    }
    [
        feature!("sse3", BasicEcx, 0),
        feature!("ssse3", BasicEcx, 9),
        feature!("fma", BasicEcx, 12),
        feature!("sse4.1", BasicEcx, 19),
        feature!("sse4.2", BasicEcx, 20),
        feature!("movbe", BasicEcx, 22),
        feature!("popcnt", BasicEcx, 23),
        feature!("avx", BasicEcx, 28),
        feature!("f16c", BasicEcx, 29),
        feature!("bmi1", ExtendedEbx, 3),
        feature!("avx2", ExtendedEbx, 5),
        feature!("bmi2", ExtendedEbx, 8),
        feature!("avx512f", ExtendedEbx, 16),
        feature!("avx512dq", ExtendedEbx, 17),
        feature!("avx512cd", ExtendedEbx, 28),
        feature!("avx512bw", ExtendedEbx, 30),
        feature!("avx512vl", ExtendedEbx, 31),
        feature!("lzcnt", AmdEcx, 5),
    ]
}

/// Of `features`, the ones compiled in that `cpu` lacks.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
fn missing_in(features: &[Feature], cpu: &CpuidWords) -> Vec<&'static str> {
    features
        .iter()
        .filter(|f| f.compiled && !cpu.has(f.leaf, f.bit))
        .map(|f| f.name)
        .collect()
}

#[cfg(target_arch = "x86_64")]
fn cpuid_words() -> CpuidWords {
    use std::arch::x86_64::{__cpuid, __cpuid_count};
    // A leaf above the highest one the CPU reports is never asked for (leaves 0 and
    // 0x8000_0000 give those).
    let max_basic = __cpuid(0).eax;
    let max_extended = __cpuid(0x8000_0000).eax;
    CpuidWords {
        basic_ecx: if max_basic >= 1 { __cpuid(1).ecx } else { 0 },
        extended_ebx: if max_basic >= 7 {
            __cpuid_count(7, 0).ebx
        } else {
            0
        },
        amd_ecx: if max_extended >= 0x8000_0001 {
            __cpuid(0x8000_0001).ecx
        } else {
            0
        },
    }
}

/// What the binary was compiled for, for `logscan --version`: the architecture and
/// the extensions beyond its baseline, e.g. `x86_64 with sse3, ssse3, ... avx2`.
pub fn compiled_for() -> String {
    let extensions: Vec<&str> = features()
        .iter()
        .filter(|f| f.compiled)
        .map(|f| f.name)
        .collect();
    let arch = std::env::consts::ARCH;
    if extensions.is_empty() {
        format!("{arch} (baseline instruction set)")
    } else {
        format!("{arch} with {}", extensions.join(", "))
    }
}

/// The extensions this binary was compiled for that the CPU it runs on lacks.
pub fn missing_features() -> Vec<&'static str> {
    #[cfg(target_arch = "x86_64")]
    return missing_in(&features(), &cpuid_words());
    #[cfg(not(target_arch = "x86_64"))]
    Vec::new()
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;

    fn compiled(names: &[&'static str]) -> Vec<Feature> {
        features()
            .into_iter()
            .map(|f| Feature {
                compiled: names.contains(&f.name),
                ..f
            })
            .collect()
    }

    #[test]
    fn a_cpu_without_avx2_is_told_what_it_lacks() {
        let haswell_build = compiled(&["avx", "avx2", "bmi1", "bmi2", "fma", "lzcnt"]);
        // An older CPU: AVX (leaf 1 bit 28) and nothing from leaf 7.
        let sandy_bridge = CpuidWords {
            basic_ecx: 1 << 28,
            ..CpuidWords::default()
        };
        assert_eq!(
            missing_in(&haswell_build, &sandy_bridge),
            ["fma", "bmi1", "avx2", "bmi2", "lzcnt"]
        );
        let haswell = CpuidWords {
            basic_ecx: 1 << 28 | 1 << 12,
            extended_ebx: 1 << 3 | 1 << 5 | 1 << 8,
            amd_ecx: 1 << 5,
        };
        assert!(missing_in(&haswell_build, &haswell).is_empty());
        // A baseline build runs anywhere.
        assert!(missing_in(&compiled(&[]), &CpuidWords::default()).is_empty());
    }

    #[test]
    fn the_machine_that_built_the_tests_runs_them() {
        assert_eq!(missing_features(), Vec::<&str>::new());
    }
}
