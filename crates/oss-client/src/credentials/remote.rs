//! One HTTP exchange with a credentials service (instance metadata, STS).

use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt as _;

use super::CredentialsError;
use crate::transport::{CrcTracker, HttpRequestBody, Transport};

/// A request to a credentials service.
pub(super) struct RemoteRequest<'a> {
    pub(super) method: http::Method,
    pub(super) url: &'a str,
    pub(super) headers: Vec<(&'static str, String)>,
    pub(super) body: Bytes,
    pub(super) timeout: Duration,
}

/// Sends `request` and reads the whole response, within `request.timeout`.
pub(super) async fn call(
    transport: &Transport,
    provider: &'static str,
    request: RemoteRequest<'_>,
) -> Result<(http::StatusCode, Bytes), CredentialsError> {
    let target = request.url.split('?').next().unwrap_or_default().to_owned();
    let http_err = |source: Box<dyn std::error::Error + Send + Sync>| CredentialsError::Http {
        provider,
        target: target.clone(),
        source,
    };
    let mut builder = http::Request::builder()
        .method(request.method)
        .uri(request.url);
    for (name, value) in &request.headers {
        builder = builder.header(*name, value);
    }
    let req = builder
        .body(HttpRequestBody::from_bytes(
            request.body,
            CrcTracker::default(),
        ))
        .map_err(|e| http_err(Box::new(e)))?;
    let exchange = async {
        let response = transport
            .send(provider, req, None)
            .await
            .map_err(|e| http_err(Box::new(e)))?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(http_err)?
            .to_bytes();
        Ok((status, body))
    };
    tokio::time::timeout(request.timeout, exchange)
        .await
        .map_err(|_| CredentialsError::Timeout { provider })?
}

/// The start of a response body for an error message (bodies of failed credential calls hold
/// error documents, not credentials).
pub(super) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut s: String = text.chars().take(300).collect();
    if text.chars().count() > 300 {
        s.push('…');
    }
    s
}
