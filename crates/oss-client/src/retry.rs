//! When and how long to wait before trying a failed attempt again.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use crate::error::Error;

/// How many attempts an operation gets and how long to wait between them (exponential backoff
/// with full jitter). Defaults follow the official SDKs: 3 attempts, 200 ms base, 20 s cap.
///
/// ```
/// use std::time::Duration;
/// use oss_client::RetryPolicy;
/// let policy = RetryPolicy::default().max_attempts(5).base_delay(Duration::from_millis(50));
/// assert_eq!(policy.max_attempts_value(), 5);
/// assert!(policy.backoff(3) <= Duration::from_millis(400));
/// assert_eq!(RetryPolicy::disabled().max_attempts_value(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(20),
        }
    }
}

impl RetryPolicy {
    /// One attempt, no retries.
    pub fn disabled() -> Self {
        RetryPolicy::default().max_attempts(1)
    }

    /// Total attempts, the first included (at least 1).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// The configured number of attempts.
    pub fn max_attempts_value(&self) -> u32 {
        self.max_attempts
    }

    /// The delay unit of the exponential backoff.
    pub fn base_delay(mut self, d: Duration) -> Self {
        self.base_delay = d;
        self
    }

    /// The longest wait between two attempts.
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.max_delay = d;
        self
    }

    /// The wait before attempt `attempt + 1` after `attempt` (1-based) failed: a random duration
    /// up to `min(max_delay, base_delay * 2^(attempt-1))`.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(20));
        let cap = exp.min(self.max_delay);
        let nanos = u64::try_from(cap.as_nanos()).unwrap_or(u64::MAX);
        if nanos == 0 {
            return Duration::ZERO;
        }
        Duration::from_nanos(random_u64() % (nanos + 1))
    }
}

fn random_u64() -> u64 {
    use ring::rand::SecureRandom as _;
    let mut b = [0u8; 8];
    if ring::rand::SystemRandom::new().fill(&mut b).is_err() {
        return u64::from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or_default(),
        );
    }
    u64::from_le_bytes(b)
}

/// A client-wide token bucket limiting retries when many attempts fail (an outage should not
/// triple the load). A retry costs 5 tokens (10 after a timeout); a success returns 1.
#[derive(Debug)]
pub(crate) struct RetryBudget {
    tokens: AtomicU32,
    capacity: u32,
}

impl RetryBudget {
    const RETRY_COST: u32 = 5;
    const TIMEOUT_COST: u32 = 10;

    pub(crate) fn new(capacity: u32) -> Self {
        RetryBudget {
            tokens: AtomicU32::new(capacity),
            capacity,
        }
    }

    /// Takes the cost of one retry; false when the budget is spent.
    pub(crate) fn try_acquire(&self, after_timeout: bool) -> bool {
        let cost = if after_timeout {
            Self::TIMEOUT_COST
        } else {
            Self::RETRY_COST
        };
        self.tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| t.checked_sub(cost))
            .is_ok()
    }

    /// Returns a token after a success.
    pub(crate) fn release(&self) {
        let _ = self
            .tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                (t < self.capacity).then_some(t + 1)
            });
    }
}

/// Service error codes worth another attempt whatever their status.
const RETRYABLE_CODES: &[&str] = &["RequestTimeTooSkewed", "BadRequest", "RequestTimeout"];

/// Whether another attempt may succeed where this one failed.
pub(crate) fn is_retryable(err: &Error) -> bool {
    match err {
        Error::Transport { .. } => true,
        Error::Timeout { kind, .. } => *kind != crate::error::TimeoutKind::Operation,
        Error::Credentials(_) => false,
        Error::Protocol(oss_proto::Error::ChecksumMismatch { .. }) => true,
        Error::Protocol(oss_proto::Error::Service(e)) => {
            let status = e.status.as_u16();
            status >= 500
                || matches!(status, 401 | 408 | 429)
                || RETRYABLE_CODES.contains(&e.code.as_str())
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(status: u16, code: &str) -> Error {
        let mut e = oss_proto::ServiceError::new(status);
        e.code = code.into();
        Error::Protocol(oss_proto::Error::Service(Box::new(e)))
    }

    #[test]
    fn classification() {
        assert!(is_retryable(&service(503, "ServiceUnavailable")));
        assert!(is_retryable(&service(500, "InternalError")));
        assert!(is_retryable(&service(429, "TooManyRequests")));
        assert!(is_retryable(&service(403, "RequestTimeTooSkewed")));
        assert!(!is_retryable(&service(404, "NoSuchKey")));
        assert!(!is_retryable(&service(403, "AccessDenied")));
        assert!(!is_retryable(&Error::from(
            oss_proto::Error::invalid_argument("bucket", "x")
        )));
        assert!(is_retryable(&Error::Timeout {
            kind: crate::error::TimeoutKind::Read,
            after: Duration::from_secs(1)
        }));
        assert!(!is_retryable(&Error::Timeout {
            kind: crate::error::TimeoutKind::Operation,
            after: Duration::from_secs(1)
        }));
    }

    #[test]
    fn backoff_is_capped() {
        let p = RetryPolicy::default()
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(300));
        for attempt in 1..40 {
            assert!(p.backoff(attempt) <= Duration::from_millis(300));
        }
        assert!(p.backoff(1) <= Duration::from_millis(100));
    }

    #[test]
    fn budget_runs_out_and_refills() {
        let b = RetryBudget::new(12);
        assert!(b.try_acquire(false));
        assert!(b.try_acquire(false));
        assert!(!b.try_acquire(false));
        for _ in 0..3 {
            b.release();
        }
        assert!(b.try_acquire(false));
        for _ in 0..100 {
            b.release();
        }
        assert!(b.try_acquire(true));
        assert!(!b.try_acquire(false));
    }
}
