//! Credentials from environment variables.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use super::{Credentials, CredentialsError, CredentialsProvider, ProvideCredentials};

/// Where providers read environment variables: the process environment, or a fixed map (tests,
/// embedding applications).
///
/// ```
/// use oss_client::credentials::Environment;
/// let env = Environment::from_pairs([("OSS_REGION", "cn-hangzhou")]);
/// assert_eq!(env.get("OSS_REGION").as_deref(), Some("cn-hangzhou"));
/// assert_eq!(env.get("UNSET"), None);
/// ```
#[derive(Clone, Default)]
pub struct Environment {
    fixed: Option<Arc<HashMap<String, String>>>,
}

impl Environment {
    /// The process environment.
    pub fn process() -> Self {
        Environment { fixed: None }
    }

    /// A fixed set of variables; nothing else is visible.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Environment {
            fixed: Some(Arc::new(
                pairs
                    .into_iter()
                    .map(|(k, v)| (k.into(), v.into()))
                    .collect(),
            )),
        }
    }

    /// The variable's value; unset and empty are both `None`.
    pub fn get(&self, name: &str) -> Option<String> {
        let value = match &self.fixed {
            Some(map) => map.get(name).cloned(),
            None => std::env::var(name).ok(),
        };
        value.filter(|v| !v.is_empty())
    }
}

impl fmt::Debug for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Values may be secrets: show only where they come from.
        match &self.fixed {
            Some(map) => write!(f, "Environment::Fixed({} variables)", map.len()),
            None => f.write_str("Environment::Process"),
        }
    }
}

/// Reads `OSS_ACCESS_KEY_ID`, `OSS_ACCESS_KEY_SECRET` and `OSS_SESSION_TOKEN`; when
/// `OSS_ACCESS_KEY_ID` is unset, `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET`
/// and `ALIBABA_CLOUD_SECURITY_TOKEN`. Read on every call, so changes are picked up.
///
/// ```
/// use oss_client::credentials::{CredentialsProvider, Environment, EnvironmentProvider};
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let env = Environment::from_pairs([("OSS_ACCESS_KEY_ID", "ak"), ("OSS_ACCESS_KEY_SECRET", "sk")]);
/// let creds = EnvironmentProvider::with_environment(env).provide_credentials().await.unwrap();
/// assert_eq!(creds.access_key_id(), "ak");
/// # });
/// ```
#[derive(Debug, Clone, Default)]
pub struct EnvironmentProvider {
    env: Environment,
}

impl EnvironmentProvider {
    /// Reads the process environment.
    pub fn new() -> Self {
        EnvironmentProvider::default()
    }

    /// Reads `env` instead of the process environment.
    pub fn with_environment(env: Environment) -> Self {
        EnvironmentProvider { env }
    }

    fn read(&self) -> Result<Credentials, CredentialsError> {
        const PROVIDER: &str = "environment";
        let (id, secret, token) = if self.env.get("OSS_ACCESS_KEY_ID").is_some() {
            (
                "OSS_ACCESS_KEY_ID",
                "OSS_ACCESS_KEY_SECRET",
                "OSS_SESSION_TOKEN",
            )
        } else if self.env.get("ALIBABA_CLOUD_ACCESS_KEY_ID").is_some() {
            (
                "ALIBABA_CLOUD_ACCESS_KEY_ID",
                "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                "ALIBABA_CLOUD_SECURITY_TOKEN",
            )
        } else {
            return Err(CredentialsError::NotConfigured {
                provider: PROVIDER,
                reason: "neither OSS_ACCESS_KEY_ID nor ALIBABA_CLOUD_ACCESS_KEY_ID is set".into(),
            });
        };
        let access_key_id = self.env.get(id).unwrap_or_default();
        let Some(access_key_secret) = self.env.get(secret) else {
            return Err(CredentialsError::InvalidConfig {
                provider: PROVIDER,
                reason: format!("{id} is set but {secret} is not"),
            });
        };
        let mut creds = Credentials::new(access_key_id, access_key_secret);
        if let Some(token) = self.env.get(token) {
            creds = creds.with_security_token(token);
        }
        Ok(creds)
    }
}

impl CredentialsProvider for EnvironmentProvider {
    fn provide_credentials(&self) -> ProvideCredentials<'_> {
        let result = self.read();
        Box::pin(async move { result })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn provide(pairs: &[(&str, &str)]) -> Result<Credentials, CredentialsError> {
        let env = Environment::from_pairs(pairs.iter().copied());
        EnvironmentProvider::with_environment(env)
            .provide_credentials()
            .await
    }

    #[tokio::test]
    async fn oss_variables() {
        let creds = provide(&[
            ("OSS_ACCESS_KEY_ID", "ak"),
            ("OSS_ACCESS_KEY_SECRET", "sk"),
            ("OSS_SESSION_TOKEN", "tok"),
        ])
        .await
        .unwrap();
        assert_eq!(
            (
                creds.access_key_id(),
                creds.access_key_secret(),
                creds.security_token()
            ),
            ("ak", "sk", Some("tok"))
        );
    }

    #[tokio::test]
    async fn alibaba_cloud_variables() {
        let creds = provide(&[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ak2"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "sk2"),
            ("ALIBABA_CLOUD_SECURITY_TOKEN", "tok2"),
        ])
        .await
        .unwrap();
        assert_eq!(
            (
                creds.access_key_id(),
                creds.access_key_secret(),
                creds.security_token()
            ),
            ("ak2", "sk2", Some("tok2"))
        );
    }

    #[tokio::test]
    async fn oss_variables_take_precedence_and_do_not_mix() {
        let creds = provide(&[
            ("OSS_ACCESS_KEY_ID", "ak"),
            ("OSS_ACCESS_KEY_SECRET", "sk"),
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ak2"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "sk2"),
            ("ALIBABA_CLOUD_SECURITY_TOKEN", "tok2"),
        ])
        .await
        .unwrap();
        assert_eq!(creds.access_key_id(), "ak");
        assert_eq!(creds.security_token(), None);
    }

    #[tokio::test]
    async fn nothing_set_is_not_configured() {
        let err = provide(&[]).await.unwrap_err();
        assert!(err.is_not_configured(), "{err}");
    }

    #[tokio::test]
    async fn missing_secret_is_invalid_config_without_values() {
        let err = provide(&[("OSS_ACCESS_KEY_ID", "ak-visible")])
            .await
            .unwrap_err();
        assert!(
            matches!(err, CredentialsError::InvalidConfig { .. }),
            "{err}"
        );
        assert!(err.to_string().contains("OSS_ACCESS_KEY_SECRET"));
    }

    #[test]
    fn debug_hides_values() {
        let env = Environment::from_pairs([("OSS_ACCESS_KEY_SECRET", "very-secret")]);
        assert!(!format!("{env:?}").contains("very-secret"));
    }
}
