//! Fixed credentials, and none at all.

use super::{Credentials, CredentialsProvider, ProvideCredentials};

/// Always returns the same credentials.
///
/// ```
/// use oss_client::credentials::{Credentials, CredentialsProvider, StaticProvider};
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let provider = StaticProvider::new(Credentials::new("id", "secret").with_security_token("sts"));
/// assert_eq!(provider.provide_credentials().await.unwrap().security_token(), Some("sts"));
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct StaticProvider {
    credentials: Credentials,
}

impl StaticProvider {
    /// A provider of `credentials`.
    pub fn new(credentials: Credentials) -> Self {
        StaticProvider { credentials }
    }

    /// A provider of a long-term key pair.
    pub fn from_keys(
        access_key_id: impl Into<String>,
        access_key_secret: impl Into<String>,
    ) -> Self {
        StaticProvider::new(Credentials::new(access_key_id, access_key_secret))
    }
}

impl CredentialsProvider for StaticProvider {
    fn provide_credentials(&self) -> ProvideCredentials<'_> {
        let credentials = self.credentials.clone();
        Box::pin(async move { Ok(credentials) })
    }
}

/// Provides anonymous credentials: requests go out unsigned (for public-read buckets).
///
/// ```
/// use oss_client::credentials::{AnonymousProvider, CredentialsProvider};
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// assert!(AnonymousProvider.provide_credentials().await.unwrap().is_anonymous());
/// # });
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct AnonymousProvider;

impl CredentialsProvider for AnonymousProvider {
    fn provide_credentials(&self) -> ProvideCredentials<'_> {
        Box::pin(async { Ok(Credentials::anonymous()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn static_returns_what_it_was_given() {
        let provider = StaticProvider::from_keys("ak", "sk");
        let creds = provider.provide_credentials().await.unwrap();
        assert_eq!(creds.access_key_id(), "ak");
        assert_eq!(creds.access_key_secret(), "sk");
        assert_eq!(creds.security_token(), None);
        assert_eq!(creds.expiry(), None);
        assert!(!format!("{provider:?}").contains("sk\""));
    }

    #[tokio::test]
    async fn anonymous_is_anonymous() {
        let creds = AnonymousProvider.provide_credentials().await.unwrap();
        assert!(creds.is_anonymous());
    }
}
