//! Where the client's credentials come from: static keys, the environment, the shared credentials
//! file, the ECS instance metadata service, STS (AssumeRole and AssumeRoleWithOIDC), an external
//! process, and a default chain over them.
//!
//! Every provider implements [`CredentialsProvider`]. Providers whose credentials expire
//! (ECS RAM role, STS, OIDC, process) keep them in a [`CredentialsCache`] and refresh ahead of
//! expiry with one refresh in flight at a time.

mod cache;
mod chain;
mod ecs;
mod environment;
mod error;
mod process;
mod profile;
mod remote;
mod rpc;
mod static_keys;
mod sts;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::SystemTime;

pub use cache::CredentialsCache;
pub use chain::{ChainProvider, default_provider, default_provider_from};
pub use ecs::EcsRamRoleProvider;
pub use environment::{Environment, EnvironmentProvider};
pub use error::CredentialsError;
pub use process::ProcessProvider;
pub use profile::ProfileProvider;
pub(crate) use profile::profile_setting;
pub use static_keys::{AnonymousProvider, StaticProvider};
pub use sts::{AssumeRoleProvider, OidcRoleProvider};

/// An access key pair, an optional STS security token, and an optional expiry.
///
/// The secret and the token never appear in `Debug` output.
///
/// ```
/// use oss_client::credentials::Credentials;
/// let creds = Credentials::new("LTAI-example", "example-secret").with_security_token("token");
/// assert_eq!(creds.access_key_id(), "LTAI-example");
/// assert!(!format!("{creds:?}").contains("example-secret"));
/// assert!(!format!("{creds:?}").contains("token\""));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: String,
    access_key_secret: String,
    security_token: Option<String>,
    expiry: Option<SystemTime>,
}

impl Credentials {
    /// Long-term credentials (no token, no expiry).
    pub fn new(access_key_id: impl Into<String>, access_key_secret: impl Into<String>) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            access_key_secret: access_key_secret.into(),
            security_token: None,
            expiry: None,
        }
    }

    /// Empty credentials: requests made with them are sent unsigned (public-read buckets).
    ///
    /// ```
    /// assert!(oss_client::credentials::Credentials::anonymous().is_anonymous());
    /// ```
    pub fn anonymous() -> Self {
        Credentials::new("", "")
    }

    /// Adds an STS security token (sent as `x-oss-security-token`).
    pub fn with_security_token(mut self, token: impl Into<String>) -> Self {
        let token = token.into();
        self.security_token = if token.is_empty() { None } else { Some(token) };
        self
    }

    /// Sets the instant after which the credentials are no longer valid.
    pub fn with_expiry(mut self, expiry: SystemTime) -> Self {
        self.expiry = Some(expiry);
        self
    }

    /// The AccessKey ID.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The AccessKey secret. Never log it.
    pub fn access_key_secret(&self) -> &str {
        &self.access_key_secret
    }

    /// The STS security token, if any. Never log it.
    pub fn security_token(&self) -> Option<&str> {
        self.security_token.as_deref()
    }

    /// When the credentials expire, if they do.
    pub fn expiry(&self) -> Option<SystemTime> {
        self.expiry
    }

    /// The key pair and token in the signer's form.
    ///
    /// ```
    /// let creds = oss_client::credentials::Credentials::new("ak", "sk").with_security_token("t");
    /// assert_eq!(creds.to_signing().security_token(), Some("t"));
    /// ```
    pub fn to_signing(&self) -> oss_sign::Credentials {
        let keys = oss_sign::Credentials::new(&self.access_key_id, &self.access_key_secret);
        match &self.security_token {
            Some(token) => keys.with_security_token(token),
            None => keys,
        }
    }

    /// True when there is no key pair: requests are sent without a signature.
    pub fn is_anonymous(&self) -> bool {
        self.access_key_id.is_empty() || self.access_key_secret.is_empty()
    }

    /// True when the credentials have an expiry at or before `now`.
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// use oss_client::credentials::Credentials;
    /// let now = SystemTime::now();
    /// let creds = Credentials::new("id", "secret").with_expiry(now + Duration::from_secs(60));
    /// assert!(!creds.is_expired_at(now));
    /// assert!(creds.is_expired_at(now + Duration::from_secs(60)));
    /// ```
    pub fn is_expired_at(&self, now: SystemTime) -> bool {
        self.expiry.is_some_and(|expiry| expiry <= now)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"<redacted>")
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expiry", &self.expiry)
            .finish()
    }
}

/// The future a [`CredentialsProvider`] returns.
pub type ProvideCredentials<'a> =
    Pin<Box<dyn Future<Output = Result<Credentials, CredentialsError>> + Send + 'a>>;

/// A source of credentials. Called before every request attempt, so implementations cache.
///
/// ```
/// use oss_client::credentials::{Credentials, CredentialsProvider, StaticProvider};
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let provider = StaticProvider::new(Credentials::new("id", "secret"));
/// let creds = provider.provide_credentials().await.unwrap();
/// assert_eq!(creds.access_key_id(), "id");
/// # });
/// ```
pub trait CredentialsProvider: Send + Sync + fmt::Debug {
    /// Returns credentials valid now, refreshing them if needed.
    fn provide_credentials(&self) -> ProvideCredentials<'_>;
}

impl<P: CredentialsProvider + ?Sized> CredentialsProvider for std::sync::Arc<P> {
    fn provide_credentials(&self) -> ProvideCredentials<'_> {
        (**self).provide_credentials()
    }
}

impl<P: CredentialsProvider + ?Sized> CredentialsProvider for Box<P> {
    fn provide_credentials(&self) -> ProvideCredentials<'_> {
        (**self).provide_credentials()
    }
}

/// Parses the `Expiration` timestamps STS, ECS and credential processes return
/// (`2006-01-02T15:04:05Z`, RFC 3339).
fn parse_expiration(provider: &'static str, value: &str) -> Result<SystemTime, CredentialsError> {
    time::OffsetDateTime::parse(value.trim(), &time::format_description::well_known::Rfc3339)
        .map(SystemTime::from)
        .map_err(|e| CredentialsError::InvalidResponse {
            provider,
            reason: format!("bad Expiration {value:?}: {e}"),
        })
}
