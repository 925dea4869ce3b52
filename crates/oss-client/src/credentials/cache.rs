//! Caching and single-flight refresh for credentials that expire.

use std::future::Future;
use std::sync::{PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use super::{Credentials, CredentialsError};

/// How long before expiry credentials are refreshed by default (the official SDKs use 3 minutes).
pub(crate) const DEFAULT_REFRESH_AHEAD: Duration = Duration::from_secs(180);

/// Holds the current credentials of a refreshing provider.
///
/// [`get_or_refresh`](CredentialsCache::get_or_refresh) returns cached credentials while they are
/// further than `refresh_ahead` from expiry. Past that, one caller refreshes; concurrent callers
/// keep using the old credentials while they are still valid, or wait for the refresh when they
/// are not. A failed refresh falls back to still-valid credentials.
///
/// ```
/// use std::time::Duration;
/// use oss_client::credentials::{Credentials, CredentialsCache};
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let cache = CredentialsCache::new(Duration::from_secs(180));
/// let creds = cache
///     .get_or_refresh(|| async { Ok(Credentials::new("id", "secret")) })
///     .await
///     .unwrap();
/// assert_eq!(creds.access_key_id(), "id");
/// # });
/// ```
#[derive(Debug)]
pub struct CredentialsCache {
    current: RwLock<Option<Credentials>>,
    refresh: tokio::sync::Mutex<()>,
    refresh_ahead: Duration,
}

impl Default for CredentialsCache {
    fn default() -> Self {
        CredentialsCache::new(DEFAULT_REFRESH_AHEAD)
    }
}

impl CredentialsCache {
    /// An empty cache refreshing `refresh_ahead` before expiry.
    pub fn new(refresh_ahead: Duration) -> Self {
        CredentialsCache {
            current: RwLock::new(None),
            refresh: tokio::sync::Mutex::new(()),
            refresh_ahead,
        }
    }

    fn current(&self) -> Option<Credentials> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Cached credentials not yet due for refresh at `now`.
    fn fresh(&self, now: SystemTime) -> Option<Credentials> {
        self.current().filter(|c| match c.expiry() {
            None => true,
            Some(expiry) => expiry
                .duration_since(now)
                .is_ok_and(|left| left > self.refresh_ahead),
        })
    }

    /// Cached credentials that have not expired at `now` (maybe due for refresh).
    fn usable(&self, now: SystemTime) -> Option<Credentials> {
        self.current().filter(|c| !c.is_expired_at(now))
    }

    /// Forgets the cached credentials, so the next call refreshes.
    pub fn invalidate(&self) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// Returns the cached credentials, or runs `fetch` (at most one at a time) to refresh them.
    pub async fn get_or_refresh<F, Fut>(&self, fetch: F) -> Result<Credentials, CredentialsError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Credentials, CredentialsError>>,
    {
        let now = SystemTime::now();
        if let Some(creds) = self.fresh(now) {
            return Ok(creds);
        }
        let _guard = match self.refresh.try_lock() {
            Ok(guard) => guard,
            Err(_) => {
                // Another caller is refreshing: use what is still valid rather than wait.
                if let Some(creds) = self.usable(now) {
                    return Ok(creds);
                }
                self.refresh.lock().await
            }
        };
        // A refresh may have finished while we waited for the lock.
        let now = SystemTime::now();
        if let Some(creds) = self.fresh(now) {
            return Ok(creds);
        }
        match fetch().await {
            Ok(creds) => {
                *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(creds.clone());
                Ok(creds)
            }
            Err(err) => match self.usable(SystemTime::now()) {
                Some(creds) => {
                    tracing::warn!(error = %err, "credentials refresh failed; using still-valid credentials");
                    Ok(creds)
                }
                None => Err(err),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    async fn never_called() -> Result<Credentials, CredentialsError> {
        panic!("a refresh started that should not have")
    }

    fn expiring_in(secs: u64, id: &str) -> Credentials {
        Credentials::new(id, "secret").with_expiry(SystemTime::now() + Duration::from_secs(secs))
    }

    #[tokio::test]
    async fn caches_until_refresh_window() {
        let cache = CredentialsCache::new(Duration::from_secs(180));
        let calls = AtomicUsize::new(0);
        for _ in 0..5 {
            let creds = cache
                .get_or_refresh(|| async {
                    calls.fetch_add(1, Ordering::SeqCst);
                    Ok(expiring_in(3600, "a"))
                })
                .await
                .unwrap();
            assert_eq!(creds.access_key_id(), "a");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn refreshes_inside_window() {
        let cache = CredentialsCache::new(Duration::from_secs(180));
        let calls = AtomicUsize::new(0);
        for i in 0..3 {
            let creds = cache
                .get_or_refresh(|| async {
                    let n = calls.fetch_add(1, Ordering::SeqCst);
                    // 100 s left: already inside the 180 s window, so every call refreshes.
                    Ok(expiring_in(100, &format!("k{n}")))
                })
                .await
                .unwrap();
            assert_eq!(creds.access_key_id(), format!("k{i}"));
        }
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn failed_refresh_falls_back_to_valid_credentials() {
        let cache = CredentialsCache::new(Duration::from_secs(180));
        cache
            .get_or_refresh(|| async { Ok(expiring_in(100, "old")) })
            .await
            .unwrap();
        let creds = cache
            .get_or_refresh(|| async { Err(CredentialsError::Timeout { provider: "test" }) })
            .await
            .unwrap();
        assert_eq!(creds.access_key_id(), "old");
    }

    #[tokio::test]
    async fn failed_refresh_of_expired_credentials_is_an_error() {
        let cache = CredentialsCache::new(Duration::from_secs(180));
        let past = SystemTime::now() - Duration::from_secs(1);
        cache
            .get_or_refresh(|| async { Ok(Credentials::new("old", "s").with_expiry(past)) })
            .await
            .unwrap();
        let err = cache
            .get_or_refresh(|| async { Err(CredentialsError::Timeout { provider: "test" }) })
            .await
            .unwrap_err();
        assert!(matches!(err, CredentialsError::Timeout { .. }));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_callers_share_one_refresh() {
        let cache = Arc::new(CredentialsCache::new(Duration::from_secs(180)));
        let calls = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let cache = Arc::clone(&cache);
            let calls = Arc::clone(&calls);
            tasks.push(tokio::spawn(async move {
                cache
                    .get_or_refresh(|| async {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        Ok(expiring_in(3600, "shared"))
                    })
                    .await
            }));
        }
        for task in tasks {
            assert_eq!(task.await.unwrap().unwrap().access_key_id(), "shared");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn callers_use_valid_credentials_while_refresh_is_in_flight() {
        let cache = Arc::new(CredentialsCache::new(Duration::from_secs(180)));
        cache
            .get_or_refresh(|| async { Ok(expiring_in(100, "old")) })
            .await
            .unwrap();
        let (started_tx, started_rx) = tokio::sync::oneshot::channel();
        let (release_tx, release_rx) = tokio::sync::oneshot::channel::<()>();
        let refresher = {
            let cache = Arc::clone(&cache);
            tokio::spawn(async move {
                cache
                    .get_or_refresh(|| async move {
                        let _ = started_tx.send(());
                        let _ = release_rx.await;
                        Ok(expiring_in(3600, "new"))
                    })
                    .await
            })
        };
        started_rx.await.unwrap();
        let during = cache.get_or_refresh(never_called).await.unwrap();
        assert_eq!(during.access_key_id(), "old");
        release_tx.send(()).unwrap();
        assert_eq!(refresher.await.unwrap().unwrap().access_key_id(), "new");
        let after = cache.get_or_refresh(never_called).await.unwrap();
        assert_eq!(after.access_key_id(), "new");
    }
}
