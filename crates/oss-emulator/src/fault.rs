//! Fault injection: a layer around the router that slows, fails, cuts or corrupts responses.
//!
//! Every random choice comes from a seeded generator, so a test that sets the same [`Faults`]
//! (including [`Faults::seed`]) sees the same sequence of failures.

use std::sync::Mutex;
use std::time::Duration;

/// The faults the emulator injects. The default injects none.
///
/// ```
/// use oss_emulator::Faults;
/// let faults = Faults::none().with_latency_ms(20).with_5xx_rate(0.25).with_seed(7);
/// assert_eq!(faults.latency_ms, 20);
/// assert!(faults.is_active());
/// assert!(!Faults::default().is_active());
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Faults {
    /// Milliseconds added before every response.
    pub latency_ms: u64,
    /// Fraction (0.0..=1.0) of requests answered `500 InternalError` or `503 ServiceUnavailable`
    /// (alternating, starting with 500) instead of being served. The request has no effect.
    pub error_5xx_rate: f64,
    /// When set, every response body longer than this many bytes is cut after them and the
    /// connection reset (the `Content-Length` still announces the whole body).
    pub reset_after_bytes: Option<u64>,
    /// Fraction (0.0..=1.0) of the responses longer than `reset_after_bytes` that are cut
    /// (1.0, the default: every one).
    pub reset_rate: f64,
    /// When true, every `x-oss-hash-crc64ecma` response header carries a wrong value.
    pub wrong_crc: bool,
    /// The next this-many requests are served (their effects committed) and then answered
    /// `503 ServiceUnavailable` anyway, as when a response is lost on the way back.
    pub lost_responses: u32,
    /// Seed of the generator deciding which requests fail.
    pub seed: u64,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            latency_ms: 0,
            error_5xx_rate: 0.0,
            reset_after_bytes: None,
            reset_rate: 1.0,
            wrong_crc: false,
            lost_responses: 0,
            seed: 0x05_5e_a1_u64,
        }
    }
}

impl Faults {
    /// No faults.
    pub fn none() -> Self {
        Faults::default()
    }

    /// Adds `ms` milliseconds before every response.
    #[must_use]
    pub fn with_latency_ms(mut self, ms: u64) -> Self {
        self.latency_ms = ms;
        self
    }

    /// Answers this fraction (clamped to 0.0..=1.0) of requests with 500/503.
    #[must_use]
    pub fn with_5xx_rate(mut self, rate: f64) -> Self {
        self.error_5xx_rate = if rate.is_nan() {
            0.0
        } else {
            rate.clamp(0.0, 1.0)
        };
        self
    }

    /// Cuts every response body after `bytes` bytes and resets the connection.
    #[must_use]
    pub fn with_reset_after_bytes(mut self, bytes: u64) -> Self {
        self.reset_after_bytes = Some(bytes);
        self
    }

    /// Cuts only this fraction (clamped to 0.0..=1.0) of the responses that
    /// [`with_reset_after_bytes`](Faults::with_reset_after_bytes) would cut.
    ///
    /// ```
    /// let f = oss_emulator::Faults::none().with_reset_after_bytes(1000).with_reset_rate(0.2);
    /// assert_eq!(f.reset_rate, 0.2);
    /// ```
    #[must_use]
    pub fn with_reset_rate(mut self, rate: f64) -> Self {
        self.reset_rate = if rate.is_nan() {
            0.0
        } else {
            rate.clamp(0.0, 1.0)
        };
        self
    }

    /// Serves the next `n` requests and answers them 503 anyway (a lost response: the
    /// client sees a failure although the request took effect).
    ///
    /// ```
    /// let f = oss_emulator::Faults::none().with_lost_responses(1);
    /// assert!(f.is_active());
    /// ```
    #[must_use]
    pub fn with_lost_responses(mut self, n: u32) -> Self {
        self.lost_responses = n;
        self
    }

    /// Sends a wrong `x-oss-hash-crc64ecma` on every response carrying one.
    #[must_use]
    pub fn with_wrong_crc(mut self) -> Self {
        self.wrong_crc = true;
        self
    }

    /// Seeds the generator deciding which requests fail.
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// True when any fault is switched on.
    pub fn is_active(&self) -> bool {
        self.latency_ms > 0
            || self.error_5xx_rate > 0.0
            || self.reset_after_bytes.is_some()
            || self.wrong_crc
            || self.lost_responses > 0
    }
}

/// SplitMix64: small, fast, good enough to decide which request fails.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform value in `[0, 1)`.
    fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// What to do to one request, decided when it arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decision {
    pub(crate) latency: Duration,
    /// `Some(500)` or `Some(503)`: answer this instead of serving.
    pub(crate) fail_status: Option<u16>,
    pub(crate) reset_after_bytes: Option<u64>,
    pub(crate) wrong_crc: bool,
    /// Serve the request, then answer 503 instead of its response.
    pub(crate) lose_response: bool,
}

#[derive(Debug)]
struct Inner {
    faults: Faults,
    rng: SplitMix64,
    failures: u64,
}

/// The live fault settings shared by the server and the [`crate::Emulator`] handle.
#[derive(Debug)]
pub(crate) struct FaultState {
    inner: Mutex<Inner>,
}

impl FaultState {
    pub(crate) fn new(faults: Faults) -> Self {
        let rng = SplitMix64(faults.seed);
        FaultState {
            inner: Mutex::new(Inner {
                faults,
                rng,
                failures: 0,
            }),
        }
    }

    /// Replaces the faults and reseeds the generator.
    pub(crate) fn set(&self, faults: Faults) {
        let mut inner = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        inner.rng = SplitMix64(faults.seed);
        inner.faults = faults;
        inner.failures = 0;
    }

    pub(crate) fn get(&self) -> Faults {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .faults
            .clone()
    }

    /// Decides the faults for the next request.
    pub(crate) fn decide(&self) -> Decision {
        let mut inner = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let rate = inner.faults.error_5xx_rate;
        let fail_status = if rate > 0.0 && inner.rng.next_f64() < rate {
            inner.failures += 1;
            Some(if inner.failures % 2 == 1 { 500 } else { 503 })
        } else {
            None
        };
        let reset_rate = inner.faults.reset_rate;
        let reset_after_bytes = match inner.faults.reset_after_bytes {
            Some(n) if reset_rate >= 1.0 => Some(n),
            Some(n) => (inner.rng.next_f64() < reset_rate).then_some(n),
            None => None,
        };
        let lose_response = fail_status.is_none() && inner.faults.lost_responses > 0;
        if lose_response {
            inner.faults.lost_responses -= 1;
        }
        Decision {
            latency: Duration::from_millis(inner.faults.latency_ms),
            fail_status,
            reset_after_bytes,
            wrong_crc: inner.faults.wrong_crc,
            lose_response,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_failures() {
        let faults = Faults {
            error_5xx_rate: 0.5,
            seed: 42,
            ..Faults::default()
        };
        let a = FaultState::new(faults.clone());
        let b = FaultState::new(faults);
        let sa: Vec<_> = (0..64).map(|_| a.decide().fail_status).collect();
        let sb: Vec<_> = (0..64).map(|_| b.decide().fail_status).collect();
        assert_eq!(sa, sb);
        let failed = sa.iter().filter(|s| s.is_some()).count();
        assert!(
            (16..=48).contains(&failed),
            "about half of 64 fail, got {failed}"
        );
        assert!(sa.contains(&Some(500)) && sa.contains(&Some(503)));
    }

    #[test]
    fn resets_follow_their_rate_and_lost_responses_count_down() {
        let state = FaultState::new(
            Faults::none()
                .with_reset_after_bytes(10)
                .with_reset_rate(0.5)
                .with_lost_responses(2)
                .with_seed(3),
        );
        let decisions: Vec<_> = (0..64).map(|_| state.decide()).collect();
        let resets = decisions
            .iter()
            .filter(|d| d.reset_after_bytes.is_some())
            .count();
        assert!(
            (16..=48).contains(&resets),
            "about half reset, got {resets}"
        );
        let lost: Vec<bool> = decisions.iter().map(|d| d.lose_response).collect();
        assert_eq!(&lost[..3], &[true, true, false]);
        assert!(lost[2..].iter().all(|l| !l));
        let every = FaultState::new(Faults::none().with_reset_after_bytes(10));
        assert!((0..10).all(|_| every.decide().reset_after_bytes == Some(10)));
    }

    #[test]
    fn rate_bounds_are_respected() {
        let never = FaultState::new(Faults::default());
        assert!((0..100).all(|_| never.decide().fail_status.is_none()));
        let always = FaultState::new(Faults {
            error_5xx_rate: 1.0,
            ..Faults::default()
        });
        assert!((0..100).all(|_| always.decide().fail_status.is_some()));
    }
}
