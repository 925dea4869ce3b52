//! Credentials printed as JSON by an external command.

use std::process::Stdio;
use std::time::Duration;

use serde::Deserialize;

use super::{
    Credentials, CredentialsCache, CredentialsError, CredentialsProvider, ProvideCredentials,
    parse_expiration,
};

const PROVIDER: &str = "process";

/// Runs a command (through `sh -c`, or `cmd /C` on Windows) and reads credentials from the JSON
/// it prints on stdout:
///
/// ```json
/// {"mode": "StsToken", "access_key_id": "...", "access_key_secret": "...",
///  "sts_token": "...", "expiration": "2026-01-01T00:00:00Z"}
/// ```
///
/// `mode` is `AK` (no token) or `StsToken`. Credentials with an `expiration` are refreshed
/// 3 minutes before it; without one they are kept for the provider's lifetime.
///
/// ```
/// use oss_client::credentials::{CredentialsProvider, ProcessProvider};
/// # #[cfg(unix)]
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let provider = ProcessProvider::new(
///     r#"echo '{"mode":"AK","access_key_id":"ak","access_key_secret":"sk"}'"#,
/// );
/// assert_eq!(provider.provide_credentials().await.unwrap().access_key_id(), "ak");
/// # });
/// ```
#[derive(Debug)]
pub struct ProcessProvider {
    command: String,
    timeout: Duration,
    cache: CredentialsCache,
}

#[derive(Deserialize)]
struct ProcessOutput {
    mode: Option<String>,
    access_key_id: Option<String>,
    access_key_secret: Option<String>,
    sts_token: Option<String>,
    expiration: Option<String>,
}

impl ProcessProvider {
    /// Runs `command` when credentials are needed.
    pub fn new(command: impl Into<String>) -> Self {
        ProcessProvider {
            command: command.into(),
            timeout: Duration::from_secs(60),
            cache: CredentialsCache::default(),
        }
    }

    /// How long the command may run (default 60 s); it is killed after that.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let mut cmd = if cfg!(windows) {
            let mut c = tokio::process::Command::new("cmd");
            c.arg("/C").arg(&self.command);
            c
        } else {
            let mut c = tokio::process::Command::new("sh");
            c.arg("-c").arg(&self.command);
            c
        };
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let child = cmd.spawn().map_err(|source| CredentialsError::Io {
            provider: PROVIDER,
            path: "sh".into(),
            source,
        })?;
        let output = tokio::time::timeout(self.timeout, child.wait_with_output())
            .await
            .map_err(|_| CredentialsError::Timeout { provider: PROVIDER })?
            .map_err(|source| CredentialsError::Io {
                provider: PROVIDER,
                path: "sh".into(),
                source,
            })?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(CredentialsError::InvalidResponse {
                provider: PROVIDER,
                reason: format!(
                    "the command exited with {}: {}",
                    output.status,
                    stderr.chars().take(300).collect::<String>().trim()
                ),
            });
        }
        // The output holds secrets: report only the parse error's position, never the text.
        let parsed: ProcessOutput = serde_json::from_slice(&output.stdout).map_err(|e| {
            CredentialsError::InvalidResponse {
                provider: PROVIDER,
                reason: format!(
                    "stdout is not a credentials JSON object (line {}, column {})",
                    e.line(),
                    e.column()
                ),
            }
        })?;
        let (Some(id), Some(secret)) = (
            parsed.access_key_id.filter(|s| !s.is_empty()),
            parsed.access_key_secret.filter(|s| !s.is_empty()),
        ) else {
            return Err(CredentialsError::InvalidResponse {
                provider: PROVIDER,
                reason: "access_key_id or access_key_secret is missing".into(),
            });
        };
        let mut creds = Credentials::new(id, secret);
        match (
            parsed.mode.as_deref(),
            parsed.sts_token.filter(|t| !t.is_empty()),
        ) {
            (Some("StsToken"), None) => {
                return Err(CredentialsError::InvalidResponse {
                    provider: PROVIDER,
                    reason: "mode is StsToken but sts_token is missing".into(),
                });
            }
            (_, Some(token)) => creds = creds.with_security_token(token),
            (_, None) => {}
        }
        if let Some(exp) = parsed.expiration.filter(|e| !e.is_empty()) {
            creds = creds.with_expiry(parse_expiration(PROVIDER, &exp)?);
        }
        Ok(creds)
    }
}

impl CredentialsProvider for ProcessProvider {
    fn provide_credentials(&self) -> ProvideCredentials<'_> {
        Box::pin(self.cache.get_or_refresh(|| self.fetch()))
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sts_token_mode_with_expiration_is_cached() {
        let dir = tempfile::tempdir().unwrap();
        let counter = dir.path().join("count");
        let command = format!(
            r#"echo x >> '{}'; echo '{{"mode":"StsToken","access_key_id":"STS.p","access_key_secret":"sk","sts_token":"tok","expiration":"2999-01-01T00:00:00Z"}}'"#,
            counter.display()
        );
        let provider = ProcessProvider::new(command);
        for _ in 0..3 {
            let creds = provider.provide_credentials().await.unwrap();
            assert_eq!(creds.access_key_id(), "STS.p");
            assert_eq!(creds.security_token(), Some("tok"));
            assert!(creds.expiry().is_some());
        }
        assert_eq!(
            std::fs::read_to_string(&counter).unwrap().lines().count(),
            1
        );
    }

    #[tokio::test]
    async fn expired_output_is_fetched_again() {
        let dir = tempfile::tempdir().unwrap();
        let counter = dir.path().join("count");
        let command = format!(
            r#"echo x >> '{}'; echo '{{"mode":"StsToken","access_key_id":"a","access_key_secret":"s","sts_token":"t","expiration":"2001-01-01T00:00:00Z"}}'"#,
            counter.display()
        );
        let provider = ProcessProvider::new(command);
        provider.provide_credentials().await.unwrap();
        provider.provide_credentials().await.unwrap();
        assert_eq!(
            std::fs::read_to_string(&counter).unwrap().lines().count(),
            2
        );
    }

    #[tokio::test]
    async fn failures_are_typed_and_hide_output() {
        let err = ProcessProvider::new("echo oops >&2; exit 3")
            .provide_credentials()
            .await
            .unwrap_err();
        assert!(err.to_string().contains("oops"), "{err}");

        let err = ProcessProvider::new("echo not-json-secret-value")
            .provide_credentials()
            .await
            .unwrap_err();
        assert!(!err.to_string().contains("secret-value"), "{err}");

        let err = ProcessProvider::new(
            r#"echo '{"mode":"StsToken","access_key_id":"a","access_key_secret":"s"}'"#,
        )
        .provide_credentials()
        .await
        .unwrap_err();
        assert!(err.to_string().contains("sts_token"), "{err}");

        let err = ProcessProvider::new("sleep 5")
            .timeout(Duration::from_millis(100))
            .provide_credentials()
            .await
            .unwrap_err();
        assert!(matches!(err, CredentialsError::Timeout { .. }), "{err}");
    }
}
