//! Credentials of the RAM role attached to an ECS instance, from the instance metadata service.

use std::time::Duration;

use bytes::Bytes;
use serde::Deserialize;

use super::remote::{self, RemoteRequest};
use super::{
    Credentials, CredentialsCache, CredentialsError, CredentialsProvider, Environment,
    ProvideCredentials, parse_expiration,
};
use crate::transport::{Transport, TransportConfig};

const PROVIDER: &str = "ecs_ram_role";
const DEFAULT_ENDPOINT: &str = "http://100.100.100.200";
const TOKEN_PATH: &str = "/latest/api/token";
const CREDENTIALS_PATH: &str = "/latest/meta-data/ram/security-credentials/";
const TOKEN_TTL_HEADER: &str = "x-aliyun-ecs-metadata-token-ttl-seconds";
const TOKEN_HEADER: &str = "x-aliyun-ecs-metadata-token";
const TOKEN_TTL_SECS: u32 = 21_600;

/// Fetches the instance RAM role's STS credentials from the ECS metadata service, refreshing
/// them 3 minutes before they expire.
///
/// Each refresh first asks for a hardened-mode session token (`PUT /latest/api/token`) and sends
/// it with the metadata requests. When that fails the provider falls back to plain requests,
/// unless [`disable_imds_v1`](EcsRamRoleProvider::disable_imds_v1) (or
/// `ALIBABA_CLOUD_IMDSV1_DISABLED=true`) says not to. Without a role name
/// (`ALIBABA_CLOUD_ECS_METADATA`) the role is discovered from
/// `/latest/meta-data/ram/security-credentials/`.
///
/// ```
/// use oss_client::credentials::EcsRamRoleProvider;
/// let provider = EcsRamRoleProvider::new().role_name("my-role").disable_imds_v1(true);
/// # let _ = provider;
/// ```
#[derive(Debug)]
pub struct EcsRamRoleProvider {
    endpoint: String,
    role_name: Option<String>,
    disable_imds_v1: bool,
    disabled: bool,
    timeout: Duration,
    transport: Transport,
    cache: CredentialsCache,
}

impl Default for EcsRamRoleProvider {
    fn default() -> Self {
        EcsRamRoleProvider::new()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MetadataCredentials {
    code: Option<String>,
    access_key_id: Option<String>,
    access_key_secret: Option<String>,
    security_token: Option<String>,
    expiration: Option<String>,
}

impl EcsRamRoleProvider {
    /// Configured from the process environment.
    pub fn new() -> Self {
        EcsRamRoleProvider::from_environment(&Environment::process())
    }

    /// Configured from `env`: `ALIBABA_CLOUD_ECS_METADATA` (role name),
    /// `ALIBABA_CLOUD_IMDSV1_DISABLED`, `ALIBABA_CLOUD_ECS_METADATA_DISABLED`.
    pub fn from_environment(env: &Environment) -> Self {
        let is_true = |name| {
            env.get(name)
                .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        };
        EcsRamRoleProvider {
            endpoint: DEFAULT_ENDPOINT.to_owned(),
            role_name: env.get("ALIBABA_CLOUD_ECS_METADATA"),
            disable_imds_v1: is_true("ALIBABA_CLOUD_IMDSV1_DISABLED"),
            disabled: is_true("ALIBABA_CLOUD_ECS_METADATA_DISABLED"),
            timeout: Duration::from_secs(5),
            transport: Transport::new(
                &TransportConfig::default().connect_timeout(Duration::from_secs(1)),
            ),
            cache: CredentialsCache::default(),
        }
    }

    /// The metadata service base URL (default `http://100.100.100.200`).
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = endpoint.into().trim_end_matches('/').to_owned();
        self
    }

    /// The RAM role name; skips role discovery.
    pub fn role_name(mut self, role: impl Into<String>) -> Self {
        self.role_name = Some(role.into());
        self
    }

    /// Requires the hardened-mode token: fail instead of falling back to plain requests.
    pub fn disable_imds_v1(mut self, disable: bool) -> Self {
        self.disable_imds_v1 = disable;
        self
    }

    /// The limit for each metadata request (default 5 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    async fn get(
        &self,
        path: &str,
        token: Option<&str>,
    ) -> Result<(http::StatusCode, Bytes), CredentialsError> {
        let url = format!("{}{path}", self.endpoint);
        let headers = token
            .map(|t| vec![(TOKEN_HEADER, t.to_owned())])
            .unwrap_or_default();
        remote::call(
            &self.transport,
            PROVIDER,
            RemoteRequest {
                method: http::Method::GET,
                url: &url,
                headers,
                body: Bytes::new(),
                timeout: self.timeout,
            },
        )
        .await
    }

    async fn metadata_token(&self) -> Result<Option<String>, CredentialsError> {
        let url = format!("{}{TOKEN_PATH}", self.endpoint);
        let result = remote::call(
            &self.transport,
            PROVIDER,
            RemoteRequest {
                method: http::Method::PUT,
                url: &url,
                headers: vec![(TOKEN_TTL_HEADER, TOKEN_TTL_SECS.to_string())],
                body: Bytes::new(),
                timeout: self.timeout,
            },
        )
        .await;
        let failure = match result {
            Ok((status, body)) if status.is_success() => {
                return Ok(Some(String::from_utf8_lossy(&body).trim().to_owned()));
            }
            Ok((status, body)) => CredentialsError::Service {
                provider: PROVIDER,
                status: status.as_u16(),
                code: None,
                message: format!("metadata token: {}", remote::snippet(&body)),
            },
            Err(e) => e,
        };
        if self.disable_imds_v1 {
            Err(failure)
        } else {
            tracing::debug!(error = %failure, "ECS metadata token unavailable; using plain requests");
            Ok(None)
        }
    }

    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        if self.disabled {
            return Err(CredentialsError::NotConfigured {
                provider: PROVIDER,
                reason: "ALIBABA_CLOUD_ECS_METADATA_DISABLED is true".into(),
            });
        }
        let token = self.metadata_token().await?;
        let role = match &self.role_name {
            Some(role) => role.clone(),
            None => {
                let (status, body) = self.get(CREDENTIALS_PATH, token.as_deref()).await?;
                if !status.is_success() {
                    return Err(CredentialsError::Service {
                        provider: PROVIDER,
                        status: status.as_u16(),
                        code: None,
                        message: format!("role discovery: {}", remote::snippet(&body)),
                    });
                }
                let text = String::from_utf8_lossy(&body);
                match text.lines().map(str::trim).find(|l| !l.is_empty()) {
                    Some(role) => role.to_owned(),
                    None => {
                        return Err(CredentialsError::InvalidResponse {
                            provider: PROVIDER,
                            reason: "no RAM role is attached to this instance".into(),
                        });
                    }
                }
            }
        };
        let (status, body) = self
            .get(&format!("{CREDENTIALS_PATH}{role}"), token.as_deref())
            .await?;
        if !status.is_success() {
            return Err(CredentialsError::Service {
                provider: PROVIDER,
                status: status.as_u16(),
                code: None,
                message: format!("role {role}: {}", remote::snippet(&body)),
            });
        }
        let doc: MetadataCredentials =
            serde_json::from_slice(&body).map_err(|e| CredentialsError::InvalidResponse {
                provider: PROVIDER,
                reason: format!("not a credentials document: {e}"),
            })?;
        if doc.code.as_deref() != Some("Success") {
            return Err(CredentialsError::InvalidResponse {
                provider: PROVIDER,
                reason: format!(
                    "Code is {:?}, not \"Success\"",
                    doc.code.unwrap_or_default()
                ),
            });
        }
        let (Some(id), Some(secret), Some(token), Some(expiration)) = (
            doc.access_key_id,
            doc.access_key_secret,
            doc.security_token,
            doc.expiration,
        ) else {
            return Err(CredentialsError::InvalidResponse {
                provider: PROVIDER,
                reason: "AccessKeyId, AccessKeySecret, SecurityToken or Expiration is missing"
                    .into(),
            });
        };
        Ok(Credentials::new(id, secret)
            .with_security_token(token)
            .with_expiry(parse_expiration(PROVIDER, &expiration)?))
    }
}

impl CredentialsProvider for EcsRamRoleProvider {
    fn provide_credentials(&self) -> ProvideCredentials<'_> {
        Box::pin(self.cache.get_or_refresh(|| self.fetch()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_server::{Reply, TestServer};

    fn provider(server: &TestServer) -> EcsRamRoleProvider {
        EcsRamRoleProvider::from_environment(&Environment::from_pairs::<&str, &str>([]))
            .endpoint(server.url())
    }

    fn creds_json(id: &str, expiration: &str) -> String {
        format!(
            r#"{{"AccessKeyId":"{id}","AccessKeySecret":"secret-{id}","Expiration":"{expiration}","SecurityToken":"token-{id}","LastUpdated":"2026-01-01T00:00:00Z","Code":"Success"}}"#
        )
    }

    fn in_hours(h: i64) -> String {
        let t = time::OffsetDateTime::now_utc() + time::Duration::hours(h);
        t.replace_nanosecond(0)
            .unwrap_or(t)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    }

    #[tokio::test]
    async fn hardened_mode_discovers_role_and_caches() {
        let exp = in_hours(6);
        let server = TestServer::start(move |req| match (req.method.as_str(), req.path.as_str()) {
            ("PUT", "/latest/api/token") => {
                assert_eq!(req.header(TOKEN_TTL_HEADER).as_deref(), Some("21600"));
                Reply::ok("tok-123")
            }
            ("GET", "/latest/meta-data/ram/security-credentials/") => {
                assert_eq!(req.header(TOKEN_HEADER).as_deref(), Some("tok-123"));
                Reply::ok("EcsRole\n")
            }
            ("GET", "/latest/meta-data/ram/security-credentials/EcsRole") => {
                assert_eq!(req.header(TOKEN_HEADER).as_deref(), Some("tok-123"));
                Reply::ok(creds_json("STS.ecs", &exp))
            }
            _ => Reply::status(404, "not found"),
        })
        .await;
        let provider = provider(&server);
        for _ in 0..3 {
            let creds = provider.provide_credentials().await.unwrap();
            assert_eq!(creds.access_key_id(), "STS.ecs");
            assert_eq!(creds.access_key_secret(), "secret-STS.ecs");
            assert_eq!(creds.security_token(), Some("token-STS.ecs"));
            assert!(creds.expiry().is_some());
        }
        // One refresh: token + role + credentials.
        assert_eq!(server.requests().len(), 3);
    }

    #[tokio::test]
    async fn falls_back_without_token_unless_disabled() {
        let exp = in_hours(6);
        let handler =
            move |req: &crate::test_server::Request| match (req.method.as_str(), req.path.as_str())
            {
                ("PUT", _) => Reply::status(403, "forbidden"),
                ("GET", "/latest/meta-data/ram/security-credentials/named") => {
                    assert_eq!(req.header(TOKEN_HEADER), None);
                    Reply::ok(creds_json("v1", &exp))
                }
                _ => Reply::status(404, "not found"),
            };
        let server = TestServer::start(handler.clone()).await;
        let creds = provider(&server)
            .role_name("named")
            .provide_credentials()
            .await
            .unwrap();
        assert_eq!(creds.access_key_id(), "v1");

        let server = TestServer::start(handler).await;
        let err = provider(&server)
            .role_name("named")
            .disable_imds_v1(true)
            .provide_credentials()
            .await
            .unwrap_err();
        assert!(
            matches!(err, CredentialsError::Service { status: 403, .. }),
            "{err}"
        );
    }

    #[tokio::test]
    async fn refreshes_when_near_expiry() {
        // Expiring in 60 s: inside the 180 s refresh window, so every call refreshes.
        let server = TestServer::start(|req| {
            if req.method == "PUT" {
                return Reply::ok("t");
            }
            let soon = time::OffsetDateTime::now_utc() + time::Duration::seconds(60);
            let soon = soon
                .replace_nanosecond(0)
                .unwrap()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap();
            Reply::ok(creds_json("short", &soon))
        })
        .await;
        let provider = provider(&server).role_name("r");
        provider.provide_credentials().await.unwrap();
        provider.provide_credentials().await.unwrap();
        assert_eq!(server.requests().len(), 4);
    }

    #[tokio::test]
    async fn non_success_code_is_an_error() {
        let exp = in_hours(1);
        let server = TestServer::start(move |req| {
            if req.method == "PUT" {
                Reply::ok("t")
            } else {
                Reply::ok(creds_json("x", &exp).replace("Success", "Failed"))
            }
        })
        .await;
        let err = provider(&server)
            .role_name("r")
            .provide_credentials()
            .await
            .unwrap_err();
        assert!(
            matches!(err, CredentialsError::InvalidResponse { .. }),
            "{err}"
        );
        assert!(!err.to_string().contains("secret-x"));
    }

    #[tokio::test]
    async fn disabled_by_environment() {
        let env = Environment::from_pairs([("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")]);
        let err = EcsRamRoleProvider::from_environment(&env)
            .provide_credentials()
            .await
            .unwrap_err();
        assert!(err.is_not_configured());
    }
}
