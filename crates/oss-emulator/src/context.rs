//! What every request handler shares: the store, the configured credentials, the fault state.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use time::OffsetDateTime;

use crate::fault::FaultState;
use crate::storage::Store;

/// The owner id and display name the emulator reports.
pub(crate) const OWNER_ID: &str = "1234567890123456";

/// Shared by all connections of one emulator.
#[derive(Debug)]
pub(crate) struct Context {
    pub(crate) store: Store,
    pub(crate) access_key_id: String,
    pub(crate) access_key_secret: String,
    /// The accepted security tokens; empty accepts any token.
    pub(crate) security_tokens: Vec<String>,
    pub(crate) region: String,
    /// A fixed "now" for signature checks (replaying recorded requests); `None` is the clock.
    pub(crate) fixed_now: Option<OffsetDateTime>,
    pub(crate) faults: FaultState,
    /// The vector buckets (served on the vector listener).
    pub(crate) vectors: crate::vectors::VectorStore,
    /// The account id vector buckets belong to (`{bucket}-{account}` hosts, signatures).
    pub(crate) account_id: String,
    /// Other accounts' key pairs (they own no bucket).
    pub(crate) extra_users: Vec<crate::config::ExtraUser>,
    /// How long a RestoreObject takes to complete.
    pub(crate) restore_delay: std::time::Duration,
    /// The listener's address (the public key URL of upload callbacks).
    pub(crate) addr: Option<std::net::SocketAddr>,
    /// Response body bytes handed to connections so far (all requests).
    pub(crate) body_bytes_sent: Arc<AtomicU64>,
    counter: AtomicU64,
    started: u64,
    /// The most recent requests' `METHOD target`, for tests counting requests.
    log: Mutex<VecDeque<String>>,
}

/// How many requests the log keeps (the oldest are dropped).
pub(crate) const REQUEST_LOG_CAPACITY: usize = 100_000;

impl Context {
    pub(crate) fn new(
        store: Store,
        access_key_id: String,
        access_key_secret: String,
        security_tokens: Vec<String>,
        region: String,
        fixed_now: Option<OffsetDateTime>,
        faults: FaultState,
    ) -> Self {
        let started = OffsetDateTime::now_utc().unix_timestamp() as u64;
        Context {
            store,
            access_key_id,
            access_key_secret,
            security_tokens,
            region,
            fixed_now,
            faults,
            vectors: Default::default(),
            account_id: crate::config::DEFAULT_ACCOUNT_ID.to_owned(),
            extra_users: Vec::new(),
            restore_delay: std::time::Duration::ZERO,
            addr: None,
            body_bytes_sent: Arc::new(AtomicU64::new(0)),
            counter: AtomicU64::new(0),
            started,
            log: Mutex::new(VecDeque::new()),
        }
    }

    /// Records a request as `METHOD target` (path and query as received).
    pub(crate) fn log_request(&self, method: &http::Method, uri: &http::Uri) {
        let entry = format!(
            "{method} {}",
            uri.path_and_query().map_or("/", |p| p.as_str())
        );
        let mut log = self
            .log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if log.len() == REQUEST_LOG_CAPACITY {
            log.pop_front();
        }
        log.push_back(entry);
    }

    /// The logged requests, oldest first; with `clear`, the log is emptied.
    pub(crate) fn requests(&self, clear: bool) -> Vec<String> {
        let mut log = self
            .log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let out = log.iter().cloned().collect();
        if clear {
            log.clear();
        }
        out
    }

    /// The time signatures are checked against.
    pub(crate) fn now(&self) -> OffsetDateTime {
        self.fixed_now.unwrap_or_else(OffsetDateTime::now_utc)
    }

    /// A new request id: 24 upper-case hex digits, unique within this emulator.
    pub(crate) fn next_request_id(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        format!("{:08X}{:016X}", self.started & 0xFFFF_FFFF, n)
    }

    /// `oss-<region>`, the bucket location.
    pub(crate) fn location(&self) -> String {
        format!("oss-{}", self.region)
    }
}
