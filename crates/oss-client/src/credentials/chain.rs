//! Trying providers in order, and the default chain.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{
    CredentialsError, CredentialsProvider, EcsRamRoleProvider, Environment, EnvironmentProvider,
    OidcRoleProvider, ProfileProvider, ProvideCredentials,
};

/// Tries providers in order and returns the first credentials obtained. Once a provider has
/// succeeded it is asked first afterwards.
///
/// ```
/// use oss_client::credentials::{ChainProvider, CredentialsProvider, Environment, EnvironmentProvider, StaticProvider};
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let chain = ChainProvider::new()
///     .push(EnvironmentProvider::with_environment(Environment::from_pairs::<&str, &str>([])))
///     .push(StaticProvider::from_keys("fallback", "sk"));
/// assert_eq!(chain.provide_credentials().await.unwrap().access_key_id(), "fallback");
/// # });
/// ```
#[derive(Debug, Default)]
pub struct ChainProvider {
    providers: Vec<Arc<dyn CredentialsProvider>>,
    last_success: AtomicUsize,
}

impl ChainProvider {
    /// An empty chain.
    pub fn new() -> Self {
        ChainProvider::default()
    }

    /// Appends a provider.
    pub fn push(mut self, provider: impl CredentialsProvider + 'static) -> Self {
        self.providers.push(Arc::new(provider));
        self
    }

    /// The number of providers.
    pub fn len(&self) -> usize {
        self.providers.len()
    }

    /// True when the chain has no provider.
    pub fn is_empty(&self) -> bool {
        self.providers.is_empty()
    }
}

impl CredentialsProvider for ChainProvider {
    fn provide_credentials(&self) -> ProvideCredentials<'_> {
        Box::pin(async move {
            let first = self.last_success.load(Ordering::Relaxed);
            let order = std::iter::once(first)
                .chain((0..self.providers.len()).filter(move |&i| i != first))
                .filter(|&i| i < self.providers.len());
            let mut errors = Vec::new();
            for i in order {
                match self.providers[i].provide_credentials().await {
                    Ok(creds) => {
                        self.last_success.store(i, Ordering::Relaxed);
                        return Ok(creds);
                    }
                    Err(e) => {
                        tracing::debug!(provider = i, error = %e, "credentials provider failed; trying the next");
                        errors.push(e);
                    }
                }
            }
            Err(CredentialsError::Chain { errors })
        })
    }
}

/// The default chain, configured from the process environment: environment variables, OIDC role
/// (when `ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN` and
/// `ALIBABA_CLOUD_OIDC_TOKEN_FILE` are set), the shared credentials file, then the ECS RAM role
/// (unless `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true`).
///
/// ```
/// let provider = oss_client::credentials::default_provider();
/// # let _ = provider;
/// ```
pub fn default_provider() -> ChainProvider {
    default_provider_from(&Environment::process())
}

/// [`default_provider`] configured from `env`.
pub fn default_provider_from(env: &Environment) -> ChainProvider {
    let mut chain = ChainProvider::new().push(EnvironmentProvider::with_environment(env.clone()));
    if let Ok(oidc) = OidcRoleProvider::from_environment(env) {
        chain = chain.push(oidc);
    }
    chain = chain.push(ProfileProvider::from_environment(env));
    let ecs_disabled = env
        .get("ALIBABA_CLOUD_ECS_METADATA_DISABLED")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if !ecs_disabled {
        chain = chain.push(EcsRamRoleProvider::from_environment(env));
    }
    chain
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::{Credentials, StaticProvider};
    use std::sync::atomic::AtomicUsize;

    #[derive(Debug, Default)]
    struct Failing(AtomicUsize);

    impl CredentialsProvider for Failing {
        fn provide_credentials(&self) -> ProvideCredentials<'_> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Box::pin(async {
                Err(CredentialsError::NotConfigured {
                    provider: "failing",
                    reason: "test".into(),
                })
            })
        }
    }

    #[tokio::test]
    async fn remembers_the_provider_that_worked() {
        let failing = Arc::new(Failing::default());
        let chain = ChainProvider::new()
            .push(Arc::clone(&failing))
            .push(StaticProvider::from_keys("second", "sk"));
        for _ in 0..3 {
            let creds = chain.provide_credentials().await.unwrap();
            assert_eq!(creds.access_key_id(), "second");
        }
        assert_eq!(failing.0.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn all_failing_reports_every_error() {
        let chain = ChainProvider::new()
            .push(Failing::default())
            .push(Failing::default());
        let err = chain.provide_credentials().await.unwrap_err();
        match err {
            CredentialsError::Chain { errors } => assert_eq!(errors.len(), 2),
            other => panic!("unexpected {other:?}"),
        }
        let err = ChainProvider::new()
            .provide_credentials()
            .await
            .unwrap_err();
        assert!(matches!(err, CredentialsError::Chain { .. }));
    }

    #[tokio::test]
    async fn default_chain_order() {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(home.path().join(".alibabacloud")).unwrap();
        std::fs::write(
            home.path().join(".alibabacloud/credentials"),
            "[default]\ntype = access_key\naccess_key_id = from-file\naccess_key_secret = s\n",
        )
        .unwrap();
        let home = home.path().to_str().unwrap().to_owned();
        // ECS is disabled so no test ever contacts the metadata address.
        let base = vec![
            ("HOME".to_owned(), home),
            (
                "ALIBABA_CLOUD_ECS_METADATA_DISABLED".to_owned(),
                "true".to_owned(),
            ),
        ];
        let from_file = default_provider_from(&Environment::from_pairs(base.clone()));
        assert_eq!(from_file.len(), 2);
        assert_eq!(
            from_file.provide_credentials().await.unwrap(),
            Credentials::new("from-file", "s")
        );
        let mut with_env = base;
        with_env.push(("OSS_ACCESS_KEY_ID".into(), "from-env".into()));
        with_env.push(("OSS_ACCESS_KEY_SECRET".into(), "s2".into()));
        let from_env = default_provider_from(&Environment::from_pairs(with_env));
        assert_eq!(
            from_env
                .provide_credentials()
                .await
                .unwrap()
                .access_key_id(),
            "from-env"
        );
    }
}
