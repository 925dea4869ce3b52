//! Temporary credentials from STS: AssumeRole (signed with source credentials) and
//! AssumeRoleWithOIDC (RRSA: a pod's OIDC token, no source credentials).

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde::Deserialize;

use super::remote::{self, RemoteRequest};
use super::rpc;
use super::{
    Credentials, CredentialsCache, CredentialsError, CredentialsProvider, Environment,
    ProvideCredentials, parse_expiration,
};
use crate::transport::{Transport, TransportConfig};

const API_VERSION: &str = "2015-04-01";
const DEFAULT_DURATION: Duration = Duration::from_secs(3600);
const MIN_DURATION: Duration = Duration::from_secs(900);

/// Where STS requests go, and how long they may take.
#[derive(Debug, Clone)]
struct StsEndpoint {
    url: String,
    timeout: Duration,
}

impl StsEndpoint {
    /// `https://sts.aliyuncs.com`, or the regional (`ALIBABA_CLOUD_STS_REGION`) and VPC
    /// (`ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true`) variants.
    fn from_environment(env: &Environment) -> Self {
        let vpc = env
            .get("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let prefix = if vpc { "sts-vpc" } else { "sts" };
        let url = match env.get("ALIBABA_CLOUD_STS_REGION") {
            Some(region) => format!("https://{prefix}.{region}.aliyuncs.com"),
            None if vpc => "https://sts-vpc.aliyuncs.com".to_owned(),
            None => "https://sts.aliyuncs.com".to_owned(),
        };
        StsEndpoint {
            url,
            timeout: Duration::from_secs(15),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StsResponse {
    credentials: Option<StsCredentials>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StsCredentials {
    access_key_id: Option<String>,
    access_key_secret: Option<String>,
    security_token: Option<String>,
    expiration: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StsError {
    code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
}

fn session_name(env: &Environment) -> String {
    env.get("ALIBABA_CLOUD_ROLE_SESSION_NAME")
        .unwrap_or_else(|| {
            let micros = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_micros())
                .unwrap_or_default();
            format!("oss-rs-{micros}")
        })
}

fn check_duration(provider: &'static str, d: Duration) -> Result<(), CredentialsError> {
    if d < MIN_DURATION {
        return Err(CredentialsError::InvalidConfig {
            provider,
            reason: format!(
                "session duration {}s is below the 900s minimum",
                d.as_secs()
            ),
        });
    }
    Ok(())
}

/// POSTs one STS action and reads its credentials.
async fn call_sts(
    transport: &Transport,
    provider: &'static str,
    endpoint: &StsEndpoint,
    query: &[(String, String)],
    form: &[(String, String)],
) -> Result<Credentials, CredentialsError> {
    let query_string = query
        .iter()
        .map(|(k, v)| format!("{}={}", rpc::encode(k), rpc::encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let body = form
        .iter()
        .map(|(k, v)| format!("{}={}", rpc::encode(k), rpc::encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let url = format!("{}/?{query_string}", endpoint.url.trim_end_matches('/'));
    let (status, body) = remote::call(
        transport,
        provider,
        RemoteRequest {
            method: http::Method::POST,
            url: &url,
            headers: vec![
                (
                    "content-type",
                    "application/x-www-form-urlencoded".to_owned(),
                ),
                ("accept-encoding", "identity".to_owned()),
            ],
            body: Bytes::from(body),
            timeout: endpoint.timeout,
        },
    )
    .await?;
    if !status.is_success() {
        let parsed: Option<StsError> = serde_json::from_slice(&body).ok();
        return Err(match parsed {
            Some(e) => CredentialsError::Service {
                provider,
                status: status.as_u16(),
                code: e.code,
                message: format!(
                    "{} (request id {})",
                    e.message.unwrap_or_default(),
                    e.request_id.unwrap_or_default()
                ),
            },
            None => CredentialsError::Service {
                provider,
                status: status.as_u16(),
                code: None,
                message: remote::snippet(&body),
            },
        });
    }
    let parsed: StsResponse =
        serde_json::from_slice(&body).map_err(|e| CredentialsError::InvalidResponse {
            provider,
            reason: format!("not an STS response: {e}"),
        })?;
    let Some(StsCredentials {
        access_key_id: Some(id),
        access_key_secret: Some(secret),
        security_token: Some(token),
        expiration: Some(expiration),
    }) = parsed.credentials
    else {
        return Err(CredentialsError::InvalidResponse {
            provider,
            reason: "Credentials (AccessKeyId, AccessKeySecret, SecurityToken, Expiration) missing"
                .into(),
        });
    };
    Ok(Credentials::new(id, secret)
        .with_security_token(token)
        .with_expiry(parse_expiration(provider, &expiration)?))
}

/// Assumes a RAM role with STS `AssumeRole`, signing the request with credentials from a source
/// provider (HMAC-SHA1 RPC signature), and refreshes 3 minutes before expiry.
///
/// ```
/// use oss_client::credentials::{AssumeRoleProvider, StaticProvider};
/// let provider = AssumeRoleProvider::new(
///     StaticProvider::from_keys("ak", "sk"),
///     "acs:ram::123456789012:role/oss-reader",
/// )
/// .session_name("reader")
/// .duration(std::time::Duration::from_secs(3600));
/// # let _ = provider;
/// ```
pub struct AssumeRoleProvider {
    source: Arc<dyn CredentialsProvider>,
    role_arn: String,
    session_name: String,
    duration: Duration,
    policy: Option<String>,
    external_id: Option<String>,
    endpoint: StsEndpoint,
    transport: Transport,
    cache: CredentialsCache,
}

impl fmt::Debug for AssumeRoleProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AssumeRoleProvider")
            .field("source", &self.source)
            .field("role_arn", &self.role_arn)
            .field("session_name", &self.session_name)
            .field("duration", &self.duration)
            .field("endpoint", &self.endpoint.url)
            .finish_non_exhaustive()
    }
}

impl AssumeRoleProvider {
    const NAME: &'static str = "assume_role";

    /// Assumes `role_arn` with credentials from `source`. The STS endpoint and session name come
    /// from the process environment (`ALIBABA_CLOUD_STS_REGION`, `ALIBABA_CLOUD_ROLE_SESSION_NAME`)
    /// unless set.
    pub fn new(source: impl CredentialsProvider + 'static, role_arn: impl Into<String>) -> Self {
        let env = Environment::process();
        AssumeRoleProvider {
            source: Arc::new(source),
            role_arn: role_arn.into(),
            session_name: session_name(&env),
            duration: DEFAULT_DURATION,
            policy: None,
            external_id: None,
            endpoint: StsEndpoint::from_environment(&env),
            transport: Transport::new(&TransportConfig::default()),
            cache: CredentialsCache::default(),
        }
    }

    /// The role session name (shown in audit logs).
    pub fn session_name(mut self, name: impl Into<String>) -> Self {
        self.session_name = name.into();
        self
    }

    /// How long the credentials last (default 1 hour, at least 15 minutes).
    pub fn duration(mut self, duration: Duration) -> Self {
        self.duration = duration;
        self
    }

    /// A policy further restricting the role's permissions.
    pub fn policy(mut self, policy: impl Into<String>) -> Self {
        self.policy = Some(policy.into());
        self
    }

    /// The external id the role's trust policy requires.
    pub fn external_id(mut self, id: impl Into<String>) -> Self {
        self.external_id = Some(id.into());
        self
    }

    /// The STS endpoint URL (default `https://sts.aliyuncs.com`).
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint.url = url.into();
        self
    }

    /// The regional STS endpoint `https://sts.{region}.aliyuncs.com`.
    pub fn region(self, region: &str) -> Self {
        self.endpoint(format!("https://sts.{region}.aliyuncs.com"))
    }

    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        check_duration(Self::NAME, self.duration)?;
        let source = self.source.provide_credentials().await?;
        if source.is_anonymous() {
            return Err(CredentialsError::InvalidConfig {
                provider: Self::NAME,
                reason: "the source credentials are anonymous".into(),
            });
        }
        let mut query: Vec<(String, String)> = [
            ("Version", API_VERSION.to_owned()),
            ("Action", "AssumeRole".to_owned()),
            ("Format", "JSON".to_owned()),
            ("Timestamp", rpc::timestamp(time::OffsetDateTime::now_utc())),
            ("SignatureMethod", "HMAC-SHA1".to_owned()),
            ("SignatureVersion", "1.0".to_owned()),
            ("SignatureNonce", rpc::nonce()),
            ("AccessKeyId", source.access_key_id().to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        if let Some(token) = source.security_token() {
            query.push(("SecurityToken".into(), token.to_owned()));
        }
        let mut form = vec![
            ("RoleArn".to_owned(), self.role_arn.clone()),
            ("RoleSessionName".to_owned(), self.session_name.clone()),
            (
                "DurationSeconds".to_owned(),
                self.duration.as_secs().to_string(),
            ),
        ];
        if let Some(policy) = &self.policy {
            form.push(("Policy".into(), policy.clone()));
        }
        if let Some(id) = &self.external_id {
            form.push(("ExternalId".into(), id.clone()));
        }
        let all: Vec<(String, String)> = query.iter().chain(form.iter()).cloned().collect();
        let signature = rpc::signature("POST", &all, source.access_key_secret());
        query.push(("Signature".into(), signature));
        call_sts(&self.transport, Self::NAME, &self.endpoint, &query, &form).await
    }
}

impl CredentialsProvider for AssumeRoleProvider {
    fn provide_credentials(&self) -> ProvideCredentials<'_> {
        Box::pin(self.cache.get_or_refresh(|| self.fetch()))
    }
}

/// Assumes a RAM role with STS `AssumeRoleWithOIDC` (RRSA on ACK): the OIDC token is read from a
/// file on every refresh, since the platform rotates it.
///
/// ```
/// use oss_client::credentials::{Environment, OidcRoleProvider};
/// let env = Environment::from_pairs([
///     ("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::123456789012:role/app"),
///     ("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "acs:ram::123456789012:oidc-provider/ack"),
///     ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/var/run/secrets/tokens/oidc-token"),
/// ]);
/// assert!(OidcRoleProvider::from_environment(&env).is_ok());
/// assert!(OidcRoleProvider::from_environment(&Environment::from_pairs::<&str, &str>([])).is_err());
/// ```
#[derive(Debug)]
pub struct OidcRoleProvider {
    role_arn: String,
    oidc_provider_arn: String,
    token_file: PathBuf,
    session_name: String,
    duration: Duration,
    policy: Option<String>,
    endpoint: StsEndpoint,
    transport: Transport,
    cache: CredentialsCache,
}

impl OidcRoleProvider {
    const NAME: &'static str = "oidc_role";

    /// A provider for the given role, OIDC provider and token file.
    pub fn new(
        role_arn: impl Into<String>,
        oidc_provider_arn: impl Into<String>,
        token_file: impl Into<PathBuf>,
    ) -> Self {
        let env = Environment::process();
        OidcRoleProvider {
            role_arn: role_arn.into(),
            oidc_provider_arn: oidc_provider_arn.into(),
            token_file: token_file.into(),
            session_name: session_name(&env),
            duration: DEFAULT_DURATION,
            policy: None,
            endpoint: StsEndpoint::from_environment(&env),
            transport: Transport::new(&TransportConfig::default()),
            cache: CredentialsCache::default(),
        }
    }

    /// Configured from `ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`,
    /// `ALIBABA_CLOUD_OIDC_TOKEN_FILE` (all required), `ALIBABA_CLOUD_ROLE_SESSION_NAME`,
    /// `ALIBABA_CLOUD_STS_REGION` and `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED`.
    pub fn from_environment(env: &Environment) -> Result<Self, CredentialsError> {
        let need = |name: &str| {
            env.get(name)
                .ok_or_else(|| CredentialsError::NotConfigured {
                    provider: Self::NAME,
                    reason: format!("{name} is not set"),
                })
        };
        let role_arn = need("ALIBABA_CLOUD_ROLE_ARN")?;
        let oidc_provider_arn = need("ALIBABA_CLOUD_OIDC_PROVIDER_ARN")?;
        let token_file = need("ALIBABA_CLOUD_OIDC_TOKEN_FILE")?;
        let mut provider = OidcRoleProvider::new(role_arn, oidc_provider_arn, token_file);
        provider.session_name = session_name(env);
        provider.endpoint = StsEndpoint::from_environment(env);
        Ok(provider)
    }

    /// The role session name.
    pub fn session_name(mut self, name: impl Into<String>) -> Self {
        self.session_name = name.into();
        self
    }

    /// How long the credentials last (default 1 hour, at least 15 minutes).
    pub fn duration(mut self, duration: Duration) -> Self {
        self.duration = duration;
        self
    }

    /// A policy further restricting the role's permissions.
    pub fn policy(mut self, policy: impl Into<String>) -> Self {
        self.policy = Some(policy.into());
        self
    }

    /// The STS endpoint URL (default `https://sts.aliyuncs.com`).
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint.url = url.into();
        self
    }

    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        check_duration(Self::NAME, self.duration)?;
        let token = tokio::fs::read_to_string(&self.token_file)
            .await
            .map_err(|source| CredentialsError::Io {
                provider: Self::NAME,
                path: self.token_file.clone(),
                source,
            })?;
        let token = token.trim();
        if token.is_empty() {
            return Err(CredentialsError::InvalidConfig {
                provider: Self::NAME,
                reason: format!("the OIDC token file {} is empty", self.token_file.display()),
            });
        }
        let query: Vec<(String, String)> = [
            ("Version", API_VERSION.to_owned()),
            ("Action", "AssumeRoleWithOIDC".to_owned()),
            ("Format", "JSON".to_owned()),
            ("Timestamp", rpc::timestamp(time::OffsetDateTime::now_utc())),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let mut form = vec![
            ("RoleArn".to_owned(), self.role_arn.clone()),
            ("OIDCProviderArn".to_owned(), self.oidc_provider_arn.clone()),
            ("OIDCToken".to_owned(), token.to_owned()),
            ("RoleSessionName".to_owned(), self.session_name.clone()),
            (
                "DurationSeconds".to_owned(),
                self.duration.as_secs().to_string(),
            ),
        ];
        if let Some(policy) = &self.policy {
            form.push(("Policy".into(), policy.clone()));
        }
        call_sts(&self.transport, Self::NAME, &self.endpoint, &query, &form).await
    }
}

impl CredentialsProvider for OidcRoleProvider {
    fn provide_credentials(&self) -> ProvideCredentials<'_> {
        Box::pin(self.cache.get_or_refresh(|| self.fetch()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::StaticProvider;
    use crate::test_server::{Reply, TestServer};
    use std::collections::BTreeMap;

    fn decode_pairs(s: &str) -> BTreeMap<String, String> {
        s.split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                let dec = |x: &str| {
                    percent_encoding::percent_decode_str(x)
                        .decode_utf8()
                        .unwrap()
                        .into_owned()
                };
                (dec(k), dec(v))
            })
            .collect()
    }

    fn sts_ok(id: &str) -> String {
        let exp = (time::OffsetDateTime::now_utc() + time::Duration::hours(1))
            .replace_nanosecond(0)
            .unwrap()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        format!(
            r#"{{"RequestId":"r-1","AssumedRoleUser":{{"Arn":"acs:ram::1:role/x/s","AssumedRoleId":"1:s"}},"Credentials":{{"SecurityToken":"tok-{id}","AccessKeyId":"{id}","AccessKeySecret":"sec-{id}","Expiration":"{exp}"}}}}"#
        )
    }

    #[tokio::test]
    async fn assume_role_sends_a_verifiable_rpc_signature() {
        let server = TestServer::start(|_| Reply::ok(sts_ok("STS.assumed"))).await;
        let provider = AssumeRoleProvider::new(
            StaticProvider::new(
                Credentials::new("src-ak", "src-sk").with_security_token("src-tok"),
            ),
            "acs:ram::1:role/x",
        )
        .session_name("sess")
        .policy(r#"{"Statement":[]}"#)
        .external_id("ext")
        .endpoint(server.url());
        for _ in 0..2 {
            let creds = provider.provide_credentials().await.unwrap();
            assert_eq!(creds.access_key_id(), "STS.assumed");
            assert_eq!(creds.access_key_secret(), "sec-STS.assumed");
            assert_eq!(creds.security_token(), Some("tok-STS.assumed"));
        }
        let requests = server.requests();
        assert_eq!(requests.len(), 1, "cached after the first call");
        let req = &requests[0];
        assert_eq!(req.method, "POST");
        assert_eq!(req.path, "/");
        assert_eq!(
            req.header("content-type").as_deref(),
            Some("application/x-www-form-urlencoded")
        );
        let mut query = decode_pairs(req.query.as_deref().unwrap());
        let form = decode_pairs(std::str::from_utf8(&req.body).unwrap());
        assert_eq!(query["Action"], "AssumeRole");
        assert_eq!(query["Version"], "2015-04-01");
        assert_eq!(query["Format"], "JSON");
        assert_eq!(query["SignatureMethod"], "HMAC-SHA1");
        assert_eq!(query["SignatureVersion"], "1.0");
        assert_eq!(query["AccessKeyId"], "src-ak");
        assert_eq!(query["SecurityToken"], "src-tok");
        assert_eq!(form["RoleArn"], "acs:ram::1:role/x");
        assert_eq!(form["RoleSessionName"], "sess");
        assert_eq!(form["DurationSeconds"], "3600");
        assert_eq!(form["Policy"], r#"{"Statement":[]}"#);
        assert_eq!(form["ExternalId"], "ext");
        // Verify as STS would: the signature covers every query and form parameter.
        let sent = query.remove("Signature").unwrap();
        let all: Vec<(String, String)> = query.into_iter().chain(form).collect();
        assert_eq!(rpc::signature("POST", &all, "src-sk"), sent);
    }

    #[tokio::test]
    async fn assume_role_service_error_is_typed() {
        let server = TestServer::start(|_| {
            Reply::status(
                403,
                r#"{"RequestId":"r-9","HostId":"sts.aliyuncs.com","Code":"NoPermission","Message":"You are not authorized"}"#,
            )
        })
        .await;
        let err = AssumeRoleProvider::new(StaticProvider::from_keys("ak", "sk-hidden"), "arn")
            .endpoint(server.url())
            .provide_credentials()
            .await
            .unwrap_err();
        match &err {
            CredentialsError::Service { status, code, .. } => {
                assert_eq!(*status, 403);
                assert_eq!(code.as_deref(), Some("NoPermission"));
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(!err.to_string().contains("sk-hidden"));
    }

    #[tokio::test]
    async fn short_duration_is_rejected_before_sending() {
        let err = AssumeRoleProvider::new(StaticProvider::from_keys("ak", "sk"), "arn")
            .endpoint("http://127.0.0.1:9")
            .duration(Duration::from_secs(60))
            .provide_credentials()
            .await
            .unwrap_err();
        assert!(
            matches!(err, CredentialsError::InvalidConfig { .. }),
            "{err}"
        );
    }

    #[tokio::test]
    async fn oidc_reads_token_file_each_refresh() {
        let dir = tempfile::tempdir().unwrap();
        let token_path = dir.path().join("token");
        std::fs::write(&token_path, "eyJ.token.one\n").unwrap();
        let server = TestServer::start(|_| Reply::ok(sts_ok("STS.oidc"))).await;
        let env = Environment::from_pairs([
            ("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/app"),
            (
                "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
                "acs:ram::1:oidc-provider/ack",
            ),
            (
                "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
                token_path.to_str().unwrap(),
            ),
            ("ALIBABA_CLOUD_ROLE_SESSION_NAME", "pod"),
        ]);
        let provider = OidcRoleProvider::from_environment(&env)
            .unwrap()
            .endpoint(server.url());
        let creds = provider.provide_credentials().await.unwrap();
        assert_eq!(creds.access_key_id(), "STS.oidc");
        let req = &server.requests()[0];
        let query = decode_pairs(req.query.as_deref().unwrap());
        let form = decode_pairs(std::str::from_utf8(&req.body).unwrap());
        assert_eq!(query["Action"], "AssumeRoleWithOIDC");
        assert!(
            !query.contains_key("Signature"),
            "AssumeRoleWithOIDC is anonymous"
        );
        assert_eq!(form["OIDCToken"], "eyJ.token.one");
        assert_eq!(form["OIDCProviderArn"], "acs:ram::1:oidc-provider/ack");
        assert_eq!(form["RoleArn"], "acs:ram::1:role/app");
        assert_eq!(form["RoleSessionName"], "pod");
    }

    #[tokio::test]
    async fn oidc_missing_token_file_is_io_error() {
        let err = OidcRoleProvider::new("arn", "provider", "/nonexistent/oidc-token")
            .endpoint("http://127.0.0.1:9")
            .provide_credentials()
            .await
            .unwrap_err();
        assert!(matches!(err, CredentialsError::Io { .. }), "{err}");
    }
}
