//! Client configuration: where requests go, who signs them, and how patiently.

use std::sync::Arc;
use std::time::Duration;

use oss_proto::endpoint::{AddressingStyle, Endpoint, EndpointKind};

use crate::credentials::{
    CredentialsProvider, Environment, default_provider, default_provider_from,
};
use crate::error::Error;
use crate::retry::RetryPolicy;
use crate::transport::{HttpClient, Resolve, TransportConfig};

pub use oss_sign::SignatureVersion;

/// The client's settings. Build with [`Config::builder`].
///
/// ```
/// use oss_client::{Config, credentials::StaticProvider};
/// let config = Config::builder()
///     .region("cn-hangzhou")
///     .credentials(StaticProvider::from_keys("ak", "sk"))
///     .build()
///     .unwrap();
/// assert_eq!(config.endpoint().authority(), "oss-cn-hangzhou.aliyuncs.com");
/// assert_eq!(config.region(), "cn-hangzhou");
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) endpoint: Endpoint,
    pub(crate) region: String,
    pub(crate) credentials: Arc<dyn CredentialsProvider>,
    pub(crate) signature_version: SignatureVersion,
    pub(crate) retry: RetryPolicy,
    pub(crate) read_timeout: Option<Duration>,
    pub(crate) operation_timeout: Option<Duration>,
    pub(crate) user_agent: String,
    pub(crate) transport: TransportConfig,
    /// The HTTP stack requests go through; `None`: hyper's, built from `transport`.
    pub(crate) http_client: Option<Arc<dyn HttpClient>>,
    pub(crate) verify_crc: bool,
    pub(crate) correct_clock_skew: bool,
    pub(crate) max_redirects: u32,
}

impl Config {
    /// The configuration from the process environment, in one call: see
    /// [`ConfigBuilder::from_env`] for the variables and their precedence.
    ///
    /// ```no_run
    /// // OSS_REGION=cn-hangzhou, credentials from the default chain.
    /// let client = oss_client::Client::new(oss_client::Config::from_env()?);
    /// # Ok::<(), oss_client::Error>(())
    /// ```
    pub fn from_env() -> Result<Config, Error> {
        ConfigBuilder::from_env()?.build()
    }

    /// A builder with the defaults: V4 signing, the default credentials chain, 3 attempts,
    /// 10 s connect and 20 s read timeouts, CRC-64 checks on.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// The endpoint requests are addressed to.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The signing region.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The signature version.
    pub fn signature_version(&self) -> SignatureVersion {
        self.signature_version
    }

    /// The account id vector-bucket requests are addressed with (`{bucket}-{account}.…`), when
    /// known.
    pub fn account_id(&self) -> Option<&str> {
        self.endpoint.account_id()
    }
}

/// The account id from the environment: `OSS_ACCOUNT_ID`, else `account_id` in the active profile
/// of the shared credentials file (`ALIBABA_CLOUD_CREDENTIALS_FILE` or
/// `~/.alibabacloud/credentials`, profile `ALIBABA_CLOUD_PROFILE` or `default`).
///
/// ```
/// use oss_client::credentials::Environment;
/// let env = Environment::from_pairs([("OSS_ACCOUNT_ID", "1234567890")]);
/// assert_eq!(oss_client::account_id_from(&env).as_deref(), Some("1234567890"));
/// ```
pub fn account_id_from(env: &Environment) -> Option<String> {
    env.get("OSS_ACCOUNT_ID")
        .filter(|v| !v.is_empty())
        .or_else(|| crate::credentials::profile_setting(env, "account_id"))
}

/// Builds a [`Config`].
#[derive(Debug, Default)]
pub struct ConfigBuilder {
    region: Option<String>,
    endpoint: Option<String>,
    endpoint_kind: Option<EndpointKind>,
    style: Option<AddressingStyle>,
    http: bool,
    credentials: Option<Arc<dyn CredentialsProvider>>,
    signature_version: Option<SignatureVersion>,
    retry: Option<RetryPolicy>,
    connect_timeout: Option<Duration>,
    read_timeout: Option<Option<Duration>>,
    operation_timeout: Option<Duration>,
    user_agent: Option<String>,
    resolver: Option<Arc<dyn Resolve>>,
    root_certificates: Vec<Vec<u8>>,
    verify_crc: Option<bool>,
    correct_clock_skew: Option<bool>,
    account_id: Option<String>,
    vector_endpoint: Option<String>,
    proxy: Option<Option<crate::transport::Proxy>>,
    http_client: Option<Arc<dyn HttpClient>>,
    max_redirects: Option<u32>,
}

impl ConfigBuilder {
    /// A builder preloaded from the process environment (see
    /// [`from_environment`](ConfigBuilder::from_environment)).
    pub fn from_env() -> Result<Self, Error> {
        Self::from_environment(&Environment::process())
    }

    /// A builder preloaded from `env`. Precedence, highest first: what is set on the builder
    /// afterwards, then these variables, then the defaults.
    ///
    /// | variable | sets |
    /// |---|---|
    /// | `OSS_REGION` | [`region`](ConfigBuilder::region) |
    /// | `OSS_ENDPOINT` | [`endpoint`](ConfigBuilder::endpoint) (else the region's endpoint) |
    /// | `OSS_ENDPOINT_KIND` | `public`, `internal`, `dual-stack`, `accelerate`, `accelerate-overseas` |
    /// | `OSS_ADDRESSING_STYLE` | `virtual`, `path` or `cname` |
    /// | `OSS_SIGNATURE_VERSION` | `v4` or `v1` |
    /// | `OSS_DISABLE_SSL` | `true`: plain HTTP for the regional endpoint |
    /// | `OSS_CONNECT_TIMEOUT`, `OSS_READ_TIMEOUT` | seconds |
    /// | `OSS_MAX_ATTEMPTS` | attempts per operation, retries included |
    /// | `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY` (or lower case) | [`proxy`](ConfigBuilder::proxy) |
    /// | `OSS_ACCOUNT_ID` | [`account_id`](ConfigBuilder::account_id) (vector buckets) |
    ///
    /// Credentials come from [`default_provider_from`] over the same variables: `OSS_ACCESS_KEY_ID`
    /// / `OSS_ACCESS_KEY_SECRET` / `OSS_SESSION_TOKEN`, the `ALIBABA_CLOUD_*` OIDC role, the shared
    /// credentials file, the ECS RAM role. A value that cannot be read is an error, never
    /// ignored.
    ///
    /// ```
    /// use oss_client::{ConfigBuilder, SignatureVersion, credentials::Environment};
    /// let env = Environment::from_pairs([
    ///     ("OSS_REGION", "cn-beijing"),
    ///     ("OSS_ENDPOINT_KIND", "internal"),
    ///     ("OSS_SIGNATURE_VERSION", "v1"),
    /// ]);
    /// let config = ConfigBuilder::from_environment(&env)?.build()?;
    /// assert_eq!(config.endpoint().authority(), "oss-cn-beijing-internal.aliyuncs.com");
    /// assert_eq!(config.signature_version(), SignatureVersion::V1);
    ///
    /// // What the code sets wins over the environment.
    /// let config = ConfigBuilder::from_environment(&env)?.region("cn-shanghai").build()?;
    /// assert_eq!(config.region(), "cn-shanghai");
    /// # Ok::<(), oss_client::Error>(())
    /// ```
    pub fn from_environment(env: &Environment) -> Result<Self, Error> {
        let bad = |name: &str, value: &str, expected: &str| Error::InvalidConfig {
            reason: format!("{name}={value:?}: expected {expected}"),
        };
        let secs = |name: &str| -> Result<Option<Duration>, Error> {
            env.get(name)
                .map(|v| {
                    v.trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|s| s.is_finite() && *s > 0.0 && *s < 1e9)
                        .map(Duration::from_secs_f64)
                        .ok_or_else(|| bad(name, &v, "a positive number of seconds"))
                })
                .transpose()
        };
        let mut b = ConfigBuilder {
            region: env.get("OSS_REGION"),
            endpoint: env.get("OSS_ENDPOINT"),
            credentials: Some(Arc::new(default_provider_from(env))),
            account_id: account_id_from(env),
            ..ConfigBuilder::default()
        };
        if let Some(v) = env.get("OSS_ENDPOINT_KIND") {
            b.endpoint_kind = Some(match v.to_ascii_lowercase().as_str() {
                "public" => EndpointKind::Public,
                "internal" => EndpointKind::Internal,
                "dual-stack" | "dualstack" => EndpointKind::DualStack,
                "accelerate" => EndpointKind::Accelerate,
                "accelerate-overseas" => EndpointKind::AccelerateOverseas,
                _ => {
                    return Err(bad(
                        "OSS_ENDPOINT_KIND",
                        &v,
                        "public, internal, dual-stack, accelerate or accelerate-overseas",
                    ));
                }
            });
        }
        if let Some(v) = env.get("OSS_ADDRESSING_STYLE") {
            b.style = Some(match v.to_ascii_lowercase().as_str() {
                "virtual" | "virtual-hosted" => AddressingStyle::VirtualHosted,
                "path" => AddressingStyle::Path,
                "cname" => AddressingStyle::Cname,
                _ => return Err(bad("OSS_ADDRESSING_STYLE", &v, "virtual, path or cname")),
            });
        }
        if let Some(v) = env.get("OSS_SIGNATURE_VERSION") {
            b.signature_version = Some(match v.to_ascii_lowercase().as_str() {
                "v4" | "4" => SignatureVersion::V4,
                "v1" | "1" => SignatureVersion::V1,
                _ => return Err(bad("OSS_SIGNATURE_VERSION", &v, "v4 or v1")),
            });
        }
        if let Some(v) = env.get("OSS_DISABLE_SSL") {
            b.http = match v.to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => true,
                "false" | "0" | "no" => false,
                _ => return Err(bad("OSS_DISABLE_SSL", &v, "true or false")),
            };
        }
        b.connect_timeout = secs("OSS_CONNECT_TIMEOUT")?;
        if let Some(t) = secs("OSS_READ_TIMEOUT")? {
            b.read_timeout = Some(Some(t));
        }
        if let Some(v) = env.get("OSS_MAX_ATTEMPTS") {
            let n: u32 = v
                .trim()
                .parse()
                .ok()
                .filter(|n| (1..=100).contains(n))
                .ok_or_else(|| bad("OSS_MAX_ATTEMPTS", &v, "a number from 1 to 100"))?;
            b.retry = Some(RetryPolicy::default().max_attempts(n));
        }
        b.proxy = Some(crate::transport::Proxy::from_environment(env)?);
        Ok(b)
    }

    /// The region (`cn-hangzhou`): signs requests and, without an explicit endpoint, picks the
    /// regional endpoint.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// An explicit endpoint: `host[:port]`, optionally with `http://` or `https://`. IP addresses
    /// and `localhost` use path-style addressing.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// Which regional endpoint to use without an explicit one: public (default), internal,
    /// dual-stack, or transfer acceleration.
    pub fn endpoint_kind(mut self, kind: EndpointKind) -> Self {
        self.endpoint_kind = Some(kind);
        self
    }

    /// Virtual-hosted (default), path-style, or CNAME (the endpoint is the bucket's own domain).
    pub fn addressing_style(mut self, style: AddressingStyle) -> Self {
        self.style = Some(style);
        self
    }

    /// The Alibaba Cloud account id that vector buckets are addressed with
    /// (`{bucket}-{account}.{region}.oss-vectors.aliyuncs.com`) and signed for. Without it,
    /// [`build`](Self::build) takes [`account_id_from`] the environment.
    pub fn account_id(mut self, account_id: impl Into<String>) -> Self {
        self.account_id = Some(account_id.into());
        self
    }

    /// The host (and port, optionally with a scheme's host form) serving vector buckets, instead
    /// of `{region}[-internal].oss-vectors.aliyuncs.com` (or, with an explicit endpoint, the
    /// endpoint itself); e.g. an emulator's vector listener.
    pub fn vector_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.vector_endpoint = Some(endpoint.into());
        self
    }

    /// Uses plain HTTP for a regional endpoint.
    pub fn disable_ssl(mut self) -> Self {
        self.http = true;
        self
    }

    /// The credentials provider (default: [`default_provider`]).
    pub fn credentials(mut self, provider: impl CredentialsProvider + 'static) -> Self {
        self.credentials = Some(Arc::new(provider));
        self
    }

    /// V4 (default) or V1.
    pub fn signature_version(mut self, version: SignatureVersion) -> Self {
        self.signature_version = Some(version);
        self
    }

    /// The retry policy.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// How long establishing a connection may take (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// How long to wait for the response head and for each piece of a response body
    /// (default 20 s; `None`: no limit).
    pub fn read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.read_timeout = Some(timeout);
        self
    }

    /// A limit for a whole operation, retries included (default none). For streaming
    /// responses it covers the time until the stream is handed over.
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = Some(timeout);
        self
    }

    /// A suffix for the `User-Agent` header (`oss-rs/{version} {suffix}`).
    pub fn user_agent(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent = Some(suffix.into());
        self
    }

    /// The DNS resolver (for tests: [`FixedResolver`](crate::transport::FixedResolver) sends
    /// every bucket host to a local emulator).
    pub fn resolver(mut self, resolver: impl Resolve + 'static) -> Self {
        self.resolver = Some(Arc::new(resolver));
        self
    }

    /// Sends requests through this proxy (an HTTP proxy: HTTPS in a `CONNECT` tunnel, HTTP
    /// forwarded, credentials in the URL sent as basic auth; a `socks5://` / `socks5h://` proxy:
    /// both in a SOCKS5 tunnel, credentials sent as RFC 1929 username/password); `None`: straight to OSS even when
    /// [`from_env`](ConfigBuilder::from_env) found one. Without `from_env` and without this,
    /// no proxy is used.
    ///
    /// ```
    /// use oss_client::{Config, transport::Proxy};
    /// let config = Config::builder()
    ///     .region("cn-hangzhou")
    ///     .proxy(Some(Proxy::all("http://user:pass@proxy.internal:3128")?.no_proxy("localhost")))
    ///     .build()?;
    /// # let _ = config;
    /// # Ok::<(), oss_client::Error>(())
    /// ```
    pub fn proxy(mut self, proxy: Option<crate::transport::Proxy>) -> Self {
        self.proxy = Some(proxy);
        self
    }

    /// Sends requests through `http` instead of the built-in hyper transport (another HTTP
    /// stack, a recording wrapper, a mock in tests). The connection settings of this builder
    /// (connect timeout, resolver, proxy, root certificates) configure only the built-in
    /// transport; signing, retries, read and operation timeouts and response checks apply to
    /// every stack. See [`HttpClient`](crate::transport::HttpClient) for an example.
    pub fn http_client(mut self, http: impl HttpClient) -> Self {
        self.http_client = Some(Arc::new(http));
        self
    }

    /// Trusts this CA certificate (DER) for HTTPS besides the webpki roots.
    pub fn add_root_certificate(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.root_certificates.push(der.into());
        self
    }

    /// Whether to check CRC-64 (default true): of PutObject, UploadPart and full downloads; of
    /// appends (the first always, later ones when the object's CRC before them is known, see
    /// [`Client::expect_append_crc`](crate::Client::expect_append_crc)); and of
    /// CompleteMultipartUpload when this client uploaded every part it assembles.
    pub fn verify_crc(mut self, on: bool) -> Self {
        self.verify_crc = Some(on);
        self
    }

    /// How many redirects in a row one request follows (default 3; 0: none). Only a redirect
    /// to the same origin (scheme, host, port), to the same bucket (and to an object for an
    /// object request), keeping the method (307 and 308 always; 301, 302 and 303 for GET and
    /// HEAD) and with a body that can be resent is followed, signed afresh for its new
    /// address. Every other 3xx is [`Error::Redirect`](crate::Error::Redirect), with the
    /// status, `Location` and error document.
    ///
    /// ```
    /// let config = oss_client::Config::builder().region("cn-hangzhou").max_redirects(0).build()?;
    /// # let _ = config;
    /// # Ok::<(), oss_client::Error>(())
    /// ```
    pub fn max_redirects(mut self, n: u32) -> Self {
        self.max_redirects = Some(n);
        self
    }

    /// Whether to correct the signing clock after `RequestTimeTooSkewed` (default true).
    pub fn correct_clock_skew(mut self, on: bool) -> Self {
        self.correct_clock_skew = Some(on);
        self
    }

    /// Checks and assembles the configuration.
    ///
    /// ```
    /// let err = oss_client::Config::builder().build().unwrap_err();
    /// assert!(err.to_string().contains("region"));
    /// ```
    pub fn build(self) -> Result<Config, Error> {
        let mut endpoint = match (&self.endpoint, &self.region) {
            (Some(e), region) => {
                let mut endpoint = Endpoint::parse(e)?;
                if endpoint.region().is_none()
                    && let Some(region) = region
                {
                    endpoint = endpoint.with_region(region)?;
                }
                endpoint
            }
            (None, Some(region)) => {
                Endpoint::from_region(region, self.endpoint_kind.unwrap_or(EndpointKind::Public))?
            }
            (None, None) => {
                return Err(Error::InvalidConfig {
                    reason: "set a region or an endpoint".into(),
                });
            }
        };
        if self.http {
            endpoint = endpoint.with_http();
        }
        if let Some(style) = self.style {
            endpoint = endpoint.with_style(style);
        }
        if let Some(account_id) = self
            .account_id
            .or_else(|| account_id_from(&Environment::process()))
        {
            endpoint = endpoint.with_account_id(&account_id)?;
        }
        if let Some(vector) = &self.vector_endpoint {
            endpoint = endpoint.with_vector_endpoint(vector)?;
        }
        let signature_version = self.signature_version.unwrap_or(SignatureVersion::V4);
        let region = match (self.region, endpoint.region()) {
            (Some(r), _) => r,
            (None, Some(r)) => r.to_owned(),
            (None, None) if signature_version == SignatureVersion::V1 => String::new(),
            (None, None) => {
                return Err(Error::InvalidConfig {
                    reason: "V4 signing needs a region: set one for this endpoint".into(),
                });
            }
        };
        let mut transport = TransportConfig::default();
        if let Some(t) = self.connect_timeout {
            transport = transport.connect_timeout(t);
        }
        if let Some(r) = self.resolver {
            transport = transport.shared_resolver(r);
        }
        if let Some(proxy) = self.proxy {
            transport = transport.proxy(proxy);
        }
        for der in self.root_certificates {
            transport = transport.add_root_certificate(der);
        }
        transport.root_store().map_err(|e| Error::InvalidConfig {
            reason: format!("unusable root certificate: {e}"),
        })?;
        let user_agent = match self.user_agent {
            Some(s) => format!("oss-rs/{} {s}", env!("CARGO_PKG_VERSION")),
            None => format!("oss-rs/{}", env!("CARGO_PKG_VERSION")),
        };
        Ok(Config {
            endpoint,
            region,
            credentials: self
                .credentials
                .unwrap_or_else(|| Arc::new(default_provider())),
            signature_version,
            retry: self.retry.unwrap_or_default(),
            read_timeout: self.read_timeout.unwrap_or(Some(Duration::from_secs(20))),
            operation_timeout: self.operation_timeout,
            user_agent,
            transport,
            http_client: self.http_client,
            verify_crc: self.verify_crc.unwrap_or(true),
            correct_clock_skew: self.correct_clock_skew.unwrap_or(true),
            max_redirects: self.max_redirects.unwrap_or(3),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::AnonymousProvider;

    #[test]
    fn regional_kinds_and_styles() {
        let c = Config::builder()
            .region("cn-beijing")
            .endpoint_kind(EndpointKind::Internal)
            .credentials(AnonymousProvider)
            .build()
            .unwrap();
        assert_eq!(
            c.endpoint().authority(),
            "oss-cn-beijing-internal.aliyuncs.com"
        );
        assert_eq!(c.endpoint().style(), AddressingStyle::VirtualHosted);

        let c = Config::builder()
            .region("cn-beijing")
            .endpoint("http://127.0.0.1:9000")
            .credentials(AnonymousProvider)
            .build()
            .unwrap();
        assert_eq!(c.endpoint().scheme(), "http");
        assert_eq!(c.endpoint().style(), AddressingStyle::Path);
        assert_eq!(c.region(), "cn-beijing");

        let c = Config::builder()
            .region("cn-beijing")
            .endpoint("static.example.com")
            .addressing_style(AddressingStyle::Cname)
            .credentials(AnonymousProvider)
            .build()
            .unwrap();
        assert_eq!(c.endpoint().style(), AddressingStyle::Cname);
    }

    #[test]
    fn v4_without_region_is_rejected_v1_allowed() {
        let err = Config::builder()
            .endpoint("static.example.com")
            .credentials(AnonymousProvider)
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::InvalidConfig { .. }), "{err}");
        assert!(
            Config::builder()
                .endpoint("static.example.com")
                .signature_version(SignatureVersion::V1)
                .credentials(AnonymousProvider)
                .build()
                .is_ok()
        );
    }

    #[test]
    fn bad_region_is_a_typed_error() {
        let err = Config::builder()
            .region("cn-hangzhou.evil.com")
            .credentials(AnonymousProvider)
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::Protocol(_)), "{err}");
    }

    #[test]
    fn account_id_and_vector_endpoint() {
        let c = Config::builder()
            .region("cn-hangzhou")
            .account_id("1234567890")
            .credentials(AnonymousProvider)
            .build()
            .unwrap();
        assert_eq!(c.account_id(), Some("1234567890"));
        let c = Config::builder()
            .endpoint("http://127.0.0.1:9000")
            .region("cn-hangzhou")
            .account_id("1234567890")
            .vector_endpoint("http://127.0.0.1:9001")
            .credentials(AnonymousProvider)
            .build()
            .unwrap();
        assert_eq!(c.endpoint().authority(), "127.0.0.1:9000");
        let err = Config::builder()
            .region("cn-hangzhou")
            .account_id("12-34")
            .credentials(AnonymousProvider)
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("account"), "{err}");
    }

    #[test]
    fn account_id_from_the_environment_or_the_profile() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("credentials");
        std::fs::write(
            &file,
            "[default]\ntype = access_key\naccount_id = 111\n[work]\naccount_id = 222\n",
        )
        .unwrap();
        let path = file.to_str().unwrap();
        let env = Environment::from_pairs([("ALIBABA_CLOUD_CREDENTIALS_FILE", path)]);
        assert_eq!(account_id_from(&env).as_deref(), Some("111"));
        let env = Environment::from_pairs([
            ("ALIBABA_CLOUD_CREDENTIALS_FILE", path),
            ("ALIBABA_CLOUD_PROFILE", "work"),
        ]);
        assert_eq!(account_id_from(&env).as_deref(), Some("222"));
        let env = Environment::from_pairs([
            ("ALIBABA_CLOUD_CREDENTIALS_FILE", path),
            ("OSS_ACCOUNT_ID", "333"),
        ]);
        assert_eq!(account_id_from(&env).as_deref(), Some("333"));
        let env = Environment::from_pairs([("ALIBABA_CLOUD_CREDENTIALS_FILE", "/nonexistent")]);
        assert_eq!(account_id_from(&env), None);
    }
}
