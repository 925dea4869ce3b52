//! Retry rules, pure: which failures are worth another attempt, how long to wait, and a token
//! budget that stops retry storms when the service is struggling.
//!
//! The client's attempt loop asks, after each failed attempt:
//! 1. [`classify`] (or [`classify_transport`]): is this failure transient, and of which kind?
//! 2. [`RetryPolicy::should_retry`]: attempts left, and is the body replayable?
//! 3. [`RetryBudget::try_acquire`]: is there budget for one more retry?
//! 4. [`RetryPolicy::delay`]: how long to sleep, given a random number it supplies.
//!
//! On success it returns the token with [`RetryBudget::on_success`].

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use crate::Error;
use crate::operation::RequestBody;

/// Why a failed attempt may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RetryReason {
    /// The service answered 5xx.
    ServerError,
    /// The service answered 429 Too Many Requests (throttling).
    Throttled,
    /// The service answered 408 Request Timeout, or a transient error code
    /// (`InternalError`, `ServiceUnavailable`).
    TransientService,
    /// `RequestTimeTooSkewed`: retry after correcting the clock
    /// (see [`crate::clock_skew`]).
    ClockSkew,
    /// The connection could not be made, broke, or was reset.
    Connection,
    /// The attempt timed out.
    Timeout,
    /// The data arrived corrupted: the CRC-64 or MD5 did not match.
    ChecksumMismatch,
}

/// How a transport failed, as the client reports it to [`classify_transport`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportFailure {
    /// DNS, TCP connect or TLS handshake failed.
    Connect,
    /// The connection was reset or closed mid-exchange, or the body ended early.
    Io,
    /// A per-attempt timeout fired.
    Timeout,
    /// The request could not be formed (a bug or bad input, not transient).
    Request,
}

/// Service error codes that are transient whatever the status.
const TRANSIENT_CODES: &[&str] = &["InternalError", "ServiceUnavailable", "RequestTimeout"];

/// Whether a protocol error is worth retrying, and why.
///
/// ```
/// use oss_proto::retry::{RetryReason, classify};
/// use oss_proto::{Error, ServiceError};
/// assert_eq!(classify(&ServiceError::new(503).into()), Some(RetryReason::ServerError));
/// assert_eq!(classify(&ServiceError::new(404).into()), None);
/// assert_eq!(classify(&Error::invalid_argument("acl", "required")), None);
/// ```
pub fn classify(error: &Error) -> Option<RetryReason> {
    match error {
        Error::Service(e) => {
            if e.code == "RequestTimeTooSkewed" {
                return Some(RetryReason::ClockSkew);
            }
            if TRANSIENT_CODES.contains(&e.code.as_str()) {
                return Some(RetryReason::TransientService);
            }
            match e.status.as_u16() {
                500.. => Some(RetryReason::ServerError),
                429 => Some(RetryReason::Throttled),
                408 => Some(RetryReason::TransientService),
                _ => None,
            }
        }
        Error::ChecksumMismatch { .. } => Some(RetryReason::ChecksumMismatch),
        _ => None,
    }
}

/// Whether a transport failure is worth retrying, and why.
///
/// ```
/// use oss_proto::retry::{RetryReason, TransportFailure, classify_transport};
/// assert_eq!(classify_transport(TransportFailure::Timeout), Some(RetryReason::Timeout));
/// assert_eq!(classify_transport(TransportFailure::Request), None);
/// ```
pub fn classify_transport(failure: TransportFailure) -> Option<RetryReason> {
    match failure {
        TransportFailure::Connect | TransportFailure::Io => Some(RetryReason::Connection),
        TransportFailure::Timeout => Some(RetryReason::Timeout),
        TransportFailure::Request => None,
    }
}

/// Whether the protocol can send `body` again by itself: empty and in-memory bodies can; a
/// streaming body only if the caller can rewind its source (the caller decides then).
///
/// ```
/// use oss_proto::operation::RequestBody;
/// use oss_proto::retry::body_replayable;
/// assert!(body_replayable(&RequestBody::Bytes(bytes::Bytes::from_static(b"<x/>"))));
/// assert!(!body_replayable(&RequestBody::Streaming));
/// ```
pub fn body_replayable(body: &RequestBody) -> bool {
    matches!(body, RequestBody::Empty | RequestBody::Bytes(_))
}

/// Attempts and full-jitter exponential backoff.
///
/// ```
/// use std::time::Duration;
/// use oss_proto::retry::RetryPolicy;
/// let policy = RetryPolicy::default();
/// assert_eq!(policy.max_attempts, 3);
/// // Full jitter: the delay before retry n is uniform in [0, min(cap, base * 2^n)).
/// assert_eq!(policy.delay(0, 0.5), Duration::from_millis(100));
/// assert_eq!(policy.delay(1, 0.5), Duration::from_millis(200));
/// assert_eq!(policy.delay(30, 0.5), Duration::from_secs(10));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Total attempts, the first included (1 disables retries).
    pub max_attempts: u32,
    /// The backoff ceiling before the first retry.
    pub base_delay: Duration,
    /// The largest ceiling.
    pub max_delay: Duration,
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
    /// A policy with `max_attempts` attempts (at least 1) and the default delays.
    pub fn with_max_attempts(max_attempts: u32) -> Self {
        RetryPolicy {
            max_attempts: max_attempts.max(1),
            ..RetryPolicy::default()
        }
    }

    /// Sets the delays.
    pub fn with_delays(mut self, base_delay: Duration, max_delay: Duration) -> Self {
        self.base_delay = base_delay;
        self.max_delay = max_delay.max(base_delay);
        self
    }

    /// Whether attempt number `attempts_made` (1 after the first attempt) may be followed by
    /// another: the failure is retryable, attempts remain, and the body can be sent again.
    ///
    /// ```
    /// use oss_proto::retry::{RetryPolicy, RetryReason};
    /// let p = RetryPolicy::default();
    /// assert!(p.should_retry(Some(RetryReason::ServerError), 1, true));
    /// assert!(!p.should_retry(Some(RetryReason::ServerError), 3, true));
    /// assert!(!p.should_retry(Some(RetryReason::ServerError), 1, false));
    /// assert!(!p.should_retry(None, 1, true));
    /// ```
    pub fn should_retry(
        &self,
        reason: Option<RetryReason>,
        attempts_made: u32,
        body_replayable: bool,
    ) -> bool {
        reason.is_some() && body_replayable && attempts_made < self.max_attempts
    }

    /// The ceiling of the delay before retry number `retry` (0 for the first retry):
    /// `min(max_delay, base_delay * 2^retry)`.
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX);
        self.base_delay
            .checked_mul(factor)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }

    /// The delay before retry number `retry` (0 for the first retry), with full jitter:
    /// `random` is drawn by the caller uniformly from `[0, 1)` and scales the
    /// [`ceiling`](Self::ceiling). Values outside `[0, 1]` (or NaN) are clamped.
    pub fn delay(&self, retry: u32, random: f64) -> Duration {
        let random = if random.is_nan() {
            0.0
        } else {
            random.clamp(0.0, 1.0)
        };
        self.ceiling(retry).mul_f64(random)
    }
}

/// A shared retry budget (the token bucket of the AWS SDKs' standard mode and of
/// `object_store`): each retry costs tokens, each success refills some; when the bucket is empty
/// failures are returned at once instead of retried. Share one per client (`Arc`).
///
/// ```
/// use oss_proto::retry::{RetryBudget, RetryReason};
/// let budget = RetryBudget::new(10);
/// let token = budget.try_acquire(RetryReason::ServerError).unwrap(); // costs 5
/// assert_eq!(budget.available(), 5);
/// budget.on_success(Some(token)); // the retry succeeded: its cost comes back
/// assert_eq!(budget.available(), 10);
/// assert!(budget.try_acquire(RetryReason::Timeout).is_some()); // costs 10
/// assert!(budget.try_acquire(RetryReason::ServerError).is_none()); // empty
/// ```
#[derive(Debug)]
pub struct RetryBudget {
    capacity: u32,
    available: AtomicU32,
}

/// Tokens held by one retry; give them back with [`RetryBudget::on_success`].
#[derive(Debug, PartialEq, Eq)]
#[must_use = "return the token to the budget when the retried request succeeds"]
pub struct RetryToken {
    cost: u32,
}

impl RetryToken {
    /// The tokens this retry took.
    pub fn cost(&self) -> u32 {
        self.cost
    }
}

impl RetryBudget {
    /// The default capacity: 500 tokens.
    pub const DEFAULT_CAPACITY: u32 = 500;
    /// The cost of a retry.
    pub const RETRY_COST: u32 = 5;
    /// The cost of a retry after a timeout (a slow service is more likely overloaded).
    pub const TIMEOUT_RETRY_COST: u32 = 10;
    /// Tokens added by a success that needed no retry.
    pub const SUCCESS_REFILL: u32 = 1;

    /// A full budget of `capacity` tokens.
    pub fn new(capacity: u32) -> Self {
        RetryBudget {
            capacity,
            available: AtomicU32::new(capacity),
        }
    }

    /// The tokens left.
    pub fn available(&self) -> u32 {
        self.available.load(Ordering::Relaxed)
    }

    /// The tokens a retry for `reason` costs.
    pub fn cost(reason: RetryReason) -> u32 {
        match reason {
            RetryReason::Timeout => Self::TIMEOUT_RETRY_COST,
            _ => Self::RETRY_COST,
        }
    }

    /// Takes the tokens for one retry, or `None` when too few are left.
    pub fn try_acquire(&self, reason: RetryReason) -> Option<RetryToken> {
        let cost = Self::cost(reason);
        self.available
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(cost))
            .ok()
            .map(|_| RetryToken { cost })
    }

    /// Records a successful request: returns the token of the retry that succeeded, or adds
    /// [`Self::SUCCESS_REFILL`] when it succeeded without retrying. Never exceeds the capacity.
    pub fn on_success(&self, token: Option<RetryToken>) {
        let refill = token.map_or(Self::SUCCESS_REFILL, |t| t.cost);
        let capacity = self.capacity;
        let _ = self
            .available
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                Some(n.saturating_add(refill).min(capacity))
            });
    }
}

impl Default for RetryBudget {
    fn default() -> Self {
        Self::new(Self::DEFAULT_CAPACITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ServiceError;

    fn service(status: u16, code: &str) -> Error {
        let mut e = ServiceError::new(status);
        e.code = code.into();
        e.into()
    }

    #[test]
    fn status_rules() {
        for status in [500, 502, 503, 504, 599] {
            assert_eq!(
                classify(&service(status, "")),
                Some(RetryReason::ServerError),
                "{status}"
            );
        }
        assert_eq!(classify(&service(429, "")), Some(RetryReason::Throttled));
        assert_eq!(
            classify(&service(408, "")),
            Some(RetryReason::TransientService)
        );
        for status in [301, 400, 401, 403, 404, 409, 412, 416] {
            assert_eq!(classify(&service(status, "")), None, "{status}");
        }
    }

    #[test]
    fn code_rules() {
        assert_eq!(
            classify(&service(403, "RequestTimeTooSkewed")),
            Some(RetryReason::ClockSkew)
        );
        assert_eq!(
            classify(&service(400, "InternalError")),
            Some(RetryReason::TransientService)
        );
        assert_eq!(
            classify(&service(400, "ServiceUnavailable")),
            Some(RetryReason::TransientService)
        );
        assert_eq!(classify(&service(404, "NoSuchKey")), None);
        assert_eq!(classify(&service(403, "AccessDenied")), None);
        assert_eq!(classify(&service(403, "SignatureDoesNotMatch")), None);
    }

    #[test]
    fn checksum_and_local_errors() {
        let crc = Error::ChecksumMismatch {
            algorithm: "crc64ecma",
            expected: "1".into(),
            actual: "2".into(),
        };
        assert_eq!(classify(&crc), Some(RetryReason::ChecksumMismatch));
        assert_eq!(classify(&Error::invalid_response("GetObject", "x")), None);
        assert_eq!(
            classify(&Error::InvalidBucketName {
                name: "A".into(),
                reason: "r"
            }),
            None
        );
    }

    #[test]
    fn transport_rules() {
        assert_eq!(
            classify_transport(TransportFailure::Connect),
            Some(RetryReason::Connection)
        );
        assert_eq!(
            classify_transport(TransportFailure::Io),
            Some(RetryReason::Connection)
        );
        assert_eq!(
            classify_transport(TransportFailure::Timeout),
            Some(RetryReason::Timeout)
        );
        assert_eq!(classify_transport(TransportFailure::Request), None);
    }

    #[test]
    fn never_retry_a_body_that_cannot_be_replayed() {
        let p = RetryPolicy::with_max_attempts(10);
        for reason in [
            RetryReason::ServerError,
            RetryReason::Connection,
            RetryReason::Timeout,
            RetryReason::ChecksumMismatch,
        ] {
            assert!(p.should_retry(Some(reason), 1, true));
            assert!(!p.should_retry(Some(reason), 1, false));
        }
    }

    #[test]
    fn attempts_are_bounded() {
        let p = RetryPolicy::default();
        let r = Some(RetryReason::ServerError);
        assert!(p.should_retry(r, 1, true));
        assert!(p.should_retry(r, 2, true));
        assert!(!p.should_retry(r, 3, true));
        let once = RetryPolicy::with_max_attempts(0);
        assert_eq!(once.max_attempts, 1);
        assert!(!once.should_retry(r, 1, true));
    }

    #[test]
    fn full_jitter_schedule() {
        let p = RetryPolicy::default();
        let ms = |d: Duration| d.as_millis();
        // Ceilings: 200 ms doubling, capped at 20 s.
        let ceilings: Vec<u128> = (0..10).map(|n| ms(p.ceiling(n))).collect();
        assert_eq!(
            ceilings,
            [200, 400, 800, 1600, 3200, 6400, 12800, 20000, 20000, 20000]
        );
        assert_eq!(ms(p.ceiling(u32::MAX)), 20000);
        // A scripted random source picks points inside each window.
        let randoms = [0.0, 0.25, 0.999];
        let delays: Vec<u128> = randoms
            .iter()
            .enumerate()
            .map(|(n, r)| ms(p.delay(n as u32, *r)))
            .collect();
        assert_eq!(delays, [0, 100, 799]);
        assert_eq!(p.delay(0, -3.0), Duration::ZERO);
        assert_eq!(p.delay(0, 7.0), Duration::from_millis(200));
        assert_eq!(p.delay(0, f64::NAN), Duration::ZERO);
    }

    #[test]
    fn custom_delays() {
        let p = RetryPolicy::default()
            .with_delays(Duration::from_millis(50), Duration::from_millis(120));
        assert_eq!(p.ceiling(0), Duration::from_millis(50));
        assert_eq!(p.ceiling(1), Duration::from_millis(100));
        assert_eq!(p.ceiling(2), Duration::from_millis(120));
    }

    #[test]
    fn budget_drains_and_refills() {
        let budget = RetryBudget::new(20);
        let a = budget.try_acquire(RetryReason::ServerError).expect("5");
        let b = budget.try_acquire(RetryReason::Timeout).expect("10");
        assert_eq!((a.cost(), b.cost()), (5, 10));
        assert_eq!(budget.available(), 5);
        let c = budget.try_acquire(RetryReason::Connection).expect("5");
        assert_eq!(budget.available(), 0);
        assert!(budget.try_acquire(RetryReason::ServerError).is_none());
        budget.on_success(Some(b));
        assert_eq!(budget.available(), 10);
        budget.on_success(None);
        assert_eq!(budget.available(), 11);
        budget.on_success(Some(a));
        budget.on_success(Some(c));
        assert_eq!(budget.available(), 20, "never above capacity");
        budget.on_success(None);
        assert_eq!(budget.available(), 20);
    }

    #[test]
    fn budget_is_shared_across_threads() {
        let budget = std::sync::Arc::new(RetryBudget::new(500));
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let budget = budget.clone();
                std::thread::spawn(move || {
                    let mut got = 0;
                    while budget.try_acquire(RetryReason::ServerError).is_some() {
                        got += 1;
                    }
                    got
                })
            })
            .collect();
        let total: u32 = handles.into_iter().map(|h| h.join().expect("thread")).sum();
        assert_eq!(total, 100);
        assert_eq!(budget.available(), 0);
    }
}
