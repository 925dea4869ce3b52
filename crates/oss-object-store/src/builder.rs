//! Building an [`OssObjectStore`]: from a URL (`oss://bucket/prefix`), the environment, a client
//! configuration, or a ready client.

use std::time::Duration;

use oss_client::credentials::CredentialsProvider;
use oss_client::{Client, Config, ConfigBuilder, RetryPolicy};

use crate::error::AdapterError;
use crate::store::OssObjectStore;

/// Builds an [`OssObjectStore`].
///
/// The store addresses one bucket, optionally below a key prefix (every path is relative to
/// it). Requests go through an [`oss_client::Client`]: give one with
/// [`with_client`](Self::with_client), a whole [`Config`] with [`with_config`](Self::with_config),
/// or let the builder assemble one from the region, endpoint, credentials, retry and timeout
/// settings below (credentials default to the client's chain: environment, profile file, OIDC,
/// ECS RAM role, ...).
///
/// ```
/// use oss_object_store::OssObjectStoreBuilder;
/// let store = OssObjectStoreBuilder::new()
///     .with_url("oss://examplebucket/tables/")
///     .unwrap()
///     .with_region("cn-hangzhou")
///     .build()
///     .unwrap();
/// assert_eq!(store.bucket(), "examplebucket");
/// assert_eq!(store.prefix(), "tables/");
/// assert_eq!(store.to_string(), "OssObjectStore(examplebucket/tables/)");
/// ```
#[derive(Debug, Default)]
pub struct OssObjectStoreBuilder {
    bucket: Option<String>,
    prefix: Option<String>,
    client: Option<Client>,
    config: Option<Config>,
    region: Option<String>,
    endpoint: Option<String>,
    credentials: Option<SetCredentials>,
    retry: Option<RetryPolicy>,
    connect_timeout: Option<Duration>,
    read_timeout: Option<Option<Duration>>,
    operation_timeout: Option<Duration>,
}

/// Installs the caller's credentials provider into the client configuration.
struct SetCredentials(Box<dyn FnOnce(ConfigBuilder) -> ConfigBuilder + Send>);

impl std::fmt::Debug for SetCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<credentials provider>")
    }
}

impl OssObjectStoreBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder from the environment: `OSS_BUCKET` (optionally `oss://bucket/prefix`),
    /// `OSS_REGION`, `OSS_ENDPOINT`; credentials come from the client's default chain (which
    /// reads `OSS_ACCESS_KEY_ID`, `OSS_ACCESS_KEY_SECRET`, `OSS_SESSION_TOKEN`, profiles, ...).
    ///
    /// ```
    /// let builder = oss_object_store::OssObjectStoreBuilder::from_env();
    /// # let _ = builder;
    /// ```
    pub fn from_env() -> Self {
        Self::from_env_vars(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// [`from_env`](Self::from_env) over any source of variables (for tests).
    ///
    /// ```
    /// use oss_object_store::OssObjectStoreBuilder;
    /// let store = OssObjectStoreBuilder::from_env_vars(|name| match name {
    ///     "OSS_BUCKET" => Some("oss://examplebucket/logs".into()),
    ///     "OSS_REGION" => Some("cn-beijing".into()),
    ///     _ => None,
    /// })
    /// .build()
    /// .unwrap();
    /// assert_eq!(store.prefix(), "logs/");
    /// assert_eq!(store.client().config().region(), "cn-beijing");
    /// ```
    pub fn from_env_vars(get: impl Fn(&str) -> Option<String>) -> Self {
        let mut builder = Self::new();
        if let Some(bucket) = get("OSS_BUCKET") {
            builder = if bucket.starts_with("oss://") {
                match builder.with_url(&bucket) {
                    Ok(b) => b,
                    // Kept as the bucket name, so `build` reports it as invalid.
                    Err(_) => Self::new().with_bucket(bucket),
                }
            } else {
                builder.with_bucket(bucket)
            };
        }
        if let Some(region) = get("OSS_REGION") {
            builder = builder.with_region(region);
        }
        if let Some(endpoint) = get("OSS_ENDPOINT") {
            builder = builder.with_endpoint(endpoint);
        }
        builder
    }

    /// Bucket and prefix from `oss://bucket[/prefix]`.
    ///
    /// ```
    /// use oss_object_store::OssObjectStoreBuilder;
    /// assert!(OssObjectStoreBuilder::new().with_url("s3://bucket").is_err());
    /// assert!(OssObjectStoreBuilder::new().with_url("oss://").is_err());
    /// ```
    pub fn with_url(mut self, url: &str) -> Result<Self, object_store::Error> {
        let invalid = |reason| AdapterError::InvalidUrl {
            url: url.to_owned(),
            reason,
        };
        let rest = url
            .strip_prefix("oss://")
            .ok_or_else(|| invalid("the scheme must be oss://"))?;
        if rest.contains(['?', '#']) {
            return Err(invalid("query strings and fragments are not allowed").into());
        }
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(invalid("the bucket name is missing").into());
        }
        self.bucket = Some(bucket.to_owned());
        self.prefix = Some(prefix.to_owned());
        Ok(self)
    }

    /// The bucket.
    pub fn with_bucket(mut self, bucket: impl Into<String>) -> Self {
        self.bucket = Some(bucket.into());
        self
    }

    /// A key prefix every path is relative to (a trailing `/` is added when missing).
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }

    /// Uses this client (its configuration wins over the settings below).
    pub fn with_client(mut self, client: Client) -> Self {
        self.client = Some(client);
        self
    }

    /// Uses a client with this configuration (it wins over the settings below).
    pub fn with_config(mut self, config: Config) -> Self {
        self.config = Some(config);
        self
    }

    /// The region (`cn-hangzhou`).
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// An explicit endpoint (`https://oss-cn-hangzhou-internal.aliyuncs.com`, `http://127.0.0.1:9000`).
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// The credentials provider (default: the client's chain).
    pub fn with_credentials(mut self, provider: impl CredentialsProvider + 'static) -> Self {
        self.credentials = Some(SetCredentials(Box::new(move |b: ConfigBuilder| {
            b.credentials(provider)
        })));
        self
    }

    /// The retry policy (default: the client's, 3 attempts with full-jitter backoff).
    pub fn with_retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// The connect timeout (default 10 s).
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The read (idle) timeout (default 20 s; `None`: no limit).
    pub fn with_read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.read_timeout = Some(timeout);
        self
    }

    /// A limit for each whole operation, retries included (default none).
    pub fn with_operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = Some(timeout);
        self
    }

    /// Checks the settings and builds the store.
    ///
    /// ```
    /// use oss_object_store::OssObjectStoreBuilder;
    /// let err = OssObjectStoreBuilder::new().with_region("cn-hangzhou").build().unwrap_err();
    /// assert!(err.to_string().contains("bucket"), "{err}");
    /// ```
    pub fn build(self) -> Result<OssObjectStore, object_store::Error> {
        let bucket = self
            .bucket
            .ok_or(AdapterError::MissingSetting { setting: "bucket" })?;
        oss_proto::validate::bucket(&bucket).map_err(|e| object_store::Error::Generic {
            store: crate::error::STORE,
            source: Box::new(e),
        })?;
        let mut prefix = self.prefix.unwrap_or_default();
        while prefix.starts_with('/') {
            prefix.remove(0);
        }
        if !prefix.is_empty() && !prefix.ends_with('/') {
            prefix.push('/');
        }
        let client = match (self.client, self.config) {
            (Some(client), _) => client,
            (None, Some(config)) => Client::new(config),
            (None, None) => {
                let mut b = Config::builder();
                if let Some(region) = self.region {
                    b = b.region(region);
                }
                if let Some(endpoint) = self.endpoint {
                    b = b.endpoint(endpoint);
                }
                if let Some(credentials) = self.credentials {
                    b = (credentials.0)(b);
                }
                if let Some(retry) = self.retry {
                    b = b.retry(retry);
                }
                if let Some(t) = self.connect_timeout {
                    b = b.connect_timeout(t);
                }
                if let Some(t) = self.read_timeout {
                    b = b.read_timeout(t);
                }
                if let Some(t) = self.operation_timeout {
                    b = b.operation_timeout(t);
                }
                let config = b.build().map_err(|e| object_store::Error::Generic {
                    store: crate::error::STORE,
                    source: Box::new(e),
                })?;
                Client::new(config)
            }
        };
        Ok(OssObjectStore::new(client, bucket, prefix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oss_client::credentials::StaticProvider;

    fn base() -> OssObjectStoreBuilder {
        OssObjectStoreBuilder::new()
            .with_region("cn-hangzhou")
            .with_credentials(StaticProvider::from_keys("ak", "sk"))
    }

    #[test]
    fn urls_give_bucket_and_prefix() {
        for (url, prefix) in [
            ("oss://b-1", ""),
            ("oss://b-1/", ""),
            ("oss://b-1/a", "a/"),
            ("oss://b-1/a/b/", "a/b/"),
        ] {
            let store = base().with_url(url).unwrap().build().unwrap();
            assert_eq!(store.bucket(), "b-1", "{url}");
            assert_eq!(store.prefix(), prefix, "{url}");
        }
        for url in [
            "oss:/b",
            "https://b.oss-cn-hangzhou.aliyuncs.com",
            "oss:///p",
            "oss://b?x=1",
        ] {
            assert!(base().with_url(url).is_err(), "{url}");
        }
    }

    #[test]
    fn bad_bucket_names_are_refused() {
        let err = base().with_bucket("Bad_Bucket").build().unwrap_err();
        assert!(
            matches!(err, object_store::Error::Generic { store: "OSS", .. }),
            "{err}"
        );
    }

    #[test]
    fn client_settings_reach_the_config() {
        let store = OssObjectStoreBuilder::from_env_vars(|name| match name {
            "OSS_BUCKET" => Some("examplebucket".into()),
            "OSS_ENDPOINT" => Some("http://127.0.0.1:9".into()),
            "OSS_REGION" => Some("cn-shanghai".into()),
            _ => None,
        })
        .with_credentials(StaticProvider::from_keys("ak", "sk"))
        .with_read_timeout(Some(Duration::from_secs(3)))
        .build()
        .unwrap();
        assert_eq!(store.client().config().region(), "cn-shanghai");
        assert_eq!(
            store.client().config().endpoint().authority(),
            "127.0.0.1:9"
        );
        assert_eq!(store.prefix(), "");
    }

    #[test]
    fn missing_region_is_reported() {
        let err = OssObjectStoreBuilder::new()
            .with_bucket("examplebucket")
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("region"), "{err}");
    }
}
