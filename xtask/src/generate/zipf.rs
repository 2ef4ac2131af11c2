//! Zipf-distributed ranks: a few paths and clients take most of the traffic, as in
//! every real access log.

use super::rng::Rng;

/// Samples ranks `0..n` with probability proportional to `1 / (rank + 1)^s`.
///
/// The cumulative distribution is precomputed once as 64-bit integer thresholds, so
/// a sample is one random word and a binary search (no floating point per draw).
#[derive(Debug, Clone)]
pub(crate) struct Zipf {
    thresholds: Vec<u64>,
}

impl Zipf {
    /// `n` must be at least 1.
    pub(crate) fn new(n: usize, s: f64) -> Self {
        let n = n.max(1);
        let weights: Vec<f64> = (1..=n).map(|k| (k as f64).powf(-s)).collect();
        let total: f64 = weights.iter().sum();
        let mut acc = 0.0;
        let mut thresholds = Vec::with_capacity(n);
        for w in &weights {
            acc += w;
            let t = (acc / total * u64::MAX as f64).min(u64::MAX as f64);
            thresholds.push(t as u64);
        }
        if let Some(last) = thresholds.last_mut() {
            *last = u64::MAX;
        }
        Zipf { thresholds }
    }

    #[inline]
    pub(crate) fn sample(&self, rng: &mut Rng) -> usize {
        let u = rng.next_u64();
        let i = self.thresholds.partition_point(|&t| t < u);
        i.min(self.thresholds.len() - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn low_ranks_dominate() {
        let z = Zipf::new(1000, 1.0);
        let mut rng = Rng::new(11);
        let mut counts = vec![0u32; 1000];
        for _ in 0..100_000 {
            counts[z.sample(&mut rng)] += 1;
        }
        // With s = 1 and n = 1000, rank 0 has p = 1 / H(1000) ~ 13.4%, rank 9 ~ 1.3%.
        assert!((12_000..15_000).contains(&counts[0]), "{}", counts[0]);
        assert!(counts[0] > counts[9] * 7);
        assert!(counts[999] < 100);
    }

    #[test]
    fn single_item_always_zero() {
        let z = Zipf::new(1, 1.2);
        let mut rng = Rng::new(0);
        assert!((0..100).all(|_| z.sample(&mut rng) == 0));
    }
}
