//! The client's retry settings, over oss-proto's retry rules (classification, backoff ceiling,
//! budget).

use std::time::Duration;

use oss_proto::operation::{RequestBody, RequestParts};
use oss_proto::retry::{
    RetryReason, TransportFailure, body_replayable, classify, classify_transport,
};

use crate::error::{Error, TimeoutKind};
use crate::transport::Body;

/// How many attempts an operation gets and how long to wait between them (exponential backoff
/// with full jitter, oss-proto's rules). Defaults follow the official SDKs: 3 attempts, 200 ms
/// base, 20 s cap.
///
/// ```
/// use std::time::Duration;
/// use oss_client::RetryPolicy;
/// let policy = RetryPolicy::default().max_attempts(5).base_delay(Duration::from_millis(50));
/// assert_eq!(policy.max_attempts_value(), 5);
/// assert!(policy.backoff(3) <= Duration::from_millis(400));
/// assert_eq!(RetryPolicy::disabled().max_attempts_value(), 1);
/// ```
#[derive(Debug, Clone, Default)]
pub struct RetryPolicy {
    rules: oss_proto::retry::RetryPolicy,
}

impl RetryPolicy {
    /// One attempt, no retries.
    pub fn disabled() -> Self {
        RetryPolicy::default().max_attempts(1)
    }

    /// Total attempts, the first included (at least 1).
    pub fn max_attempts(mut self, n: u32) -> Self {
        let (base, max) = (self.rules.base_delay, self.rules.max_delay);
        self.rules = oss_proto::retry::RetryPolicy::with_max_attempts(n).with_delays(base, max);
        self
    }

    /// The configured number of attempts.
    pub fn max_attempts_value(&self) -> u32 {
        self.rules.max_attempts
    }

    /// The delay unit of the exponential backoff.
    pub fn base_delay(mut self, d: Duration) -> Self {
        let max = self.rules.max_delay;
        self.rules = self.rules.with_delays(d, max);
        self
    }

    /// The longest wait between two attempts.
    pub fn max_delay(mut self, d: Duration) -> Self {
        let base = self.rules.base_delay;
        self.rules = self.rules.with_delays(base, d);
        self
    }

    /// The wait after failed attempt `attempt` (1-based): a random duration up to
    /// `min(max_delay, base_delay * 2^(attempt-1))`.
    pub fn backoff(&self, attempt: u32) -> Duration {
        self.rules.delay(attempt.saturating_sub(1), random_unit())
    }

    /// Whether to try again after `attempts_made` attempts ended in a failure of `reason`.
    pub(crate) fn should_retry(
        &self,
        reason: Option<RetryReason>,
        attempts_made: u32,
        replayable: bool,
    ) -> bool {
        self.rules.should_retry(reason, attempts_made, replayable)
    }
}

/// A uniformly random number in `[0, 1]` for the jitter.
fn random_unit() -> f64 {
    use ring::rand::SecureRandom as _;
    let mut b = [0u8; 8];
    if ring::rand::SystemRandom::new().fill(&mut b).is_err() {
        return 0.5;
    }
    // 53 random bits, the precision of an f64 mantissa.
    (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
}

/// Whether a request can be sent again: oss-proto decides for the bodies it built (none, or a
/// document in memory); for object data the caller's [`Body`] does (an operation sent without
/// one sends an empty body, which can always be sent again).
pub(crate) fn request_replayable(parts: &RequestParts, body: Option<&Body>) -> bool {
    match (&parts.body, body) {
        (RequestBody::Streaming, Some(body)) => body.is_replayable(),
        (RequestBody::Streaming, None) => true,
        (built, _) => body_replayable(built),
    }
}

/// Why a failed attempt may succeed when tried again, or `None`.
pub(crate) fn retry_reason(err: &Error) -> Option<RetryReason> {
    match err {
        Error::Protocol(e) => classify(e),
        Error::Transport { .. } => classify_transport(TransportFailure::Io),
        Error::Proxy { source, .. } if source.is_transient() => {
            classify_transport(TransportFailure::Io)
        }
        Error::Timeout {
            kind: TimeoutKind::Connect | TimeoutKind::Read,
            ..
        } => classify_transport(TransportFailure::Timeout),
        _ => None,
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
        assert!(retry_reason(&service(503, "ServiceUnavailable")).is_some());
        assert!(retry_reason(&service(500, "InternalError")).is_some());
        assert!(retry_reason(&service(429, "TooManyRequests")).is_some());
        assert_eq!(
            retry_reason(&service(403, "RequestTimeTooSkewed")),
            Some(RetryReason::ClockSkew)
        );
        assert!(retry_reason(&service(404, "NoSuchKey")).is_none());
        assert!(retry_reason(&service(403, "AccessDenied")).is_none());
        assert!(
            retry_reason(&Error::from(oss_proto::Error::invalid_argument(
                "bucket", "x"
            )))
            .is_none()
        );
        let read = Error::Timeout {
            kind: TimeoutKind::Read,
            after: Duration::from_secs(1),
        };
        assert_eq!(retry_reason(&read), Some(RetryReason::Timeout));
        let op = Error::Timeout {
            kind: TimeoutKind::Operation,
            after: Duration::from_secs(1),
        };
        assert!(retry_reason(&op).is_none());
    }

    #[test]
    fn replayable_requests() {
        let mut parts = RequestParts {
            method: http::Method::PUT,
            bucket: Some("b".into()),
            key: Some("k".into()),
            query: Vec::new(),
            headers: http::HeaderMap::new(),
            body: RequestBody::Streaming,
        };
        let stream = Body::from_stream(
            futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from("x"))]),
            Some(1),
        );
        assert!(request_replayable(&parts, Some(&Body::from("data"))));
        assert!(!request_replayable(&parts, Some(&stream)));
        assert!(request_replayable(&parts, None));
        parts.body = RequestBody::Bytes(bytes::Bytes::from_static(b"<Tagging/>"));
        assert!(request_replayable(&parts, None));
        // A caller's body is not sent for a document request, so it does not matter.
        assert!(request_replayable(&parts, Some(&stream)));
        parts.body = RequestBody::Empty;
        assert!(request_replayable(&parts, None));
    }

    #[test]
    fn backoff_is_capped_and_jittered() {
        let p = RetryPolicy::default()
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(300));
        for attempt in 1..40 {
            assert!(p.backoff(attempt) <= Duration::from_millis(300));
        }
        assert!(p.backoff(1) <= Duration::from_millis(100));
        let samples: Vec<Duration> = (0..8).map(|_| p.backoff(3)).collect();
        assert!(
            samples.iter().any(|d| *d != samples[0]),
            "jitter varies the delay"
        );
    }

    #[test]
    fn unit_random_in_range() {
        for _ in 0..100 {
            let r = random_unit();
            assert!((0.0..=1.0).contains(&r));
        }
    }
}
