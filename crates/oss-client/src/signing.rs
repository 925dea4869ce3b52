//! Signing one request with the configured signature version, and presigning URLs.

use std::time::{Duration, SystemTime};

use oss_proto::endpoint::Endpoint;
use oss_proto::operation::{RequestParts, Scope};
use oss_sign::request::{Headers, Query, SignableRequest};
use oss_sign::{SignatureVersion, SigningKeyCache, v1, v4};

use crate::credentials::Credentials;
use crate::error::Error;

fn sign_error(e: &oss_sign::SignError) -> Error {
    Error::Sign {
        reason: e.to_string(),
    }
}

/// What the signer needs to know about where a request goes.
pub(crate) struct SigningContext<'a> {
    pub(crate) version: SignatureVersion,
    pub(crate) region: &'a str,
    pub(crate) endpoint: &'a Endpoint,
    pub(crate) key_cache: &'a SigningKeyCache,
    /// The operation's V1-signed query parameters beyond the signer's fixed list.
    pub(crate) v1_sub_resources: &'static [&'static str],
}

/// Adds the signature headers to `request` (nothing for anonymous credentials).
pub(crate) fn sign<B>(
    ctx: &SigningContext<'_>,
    creds: &Credentials,
    scope: Scope,
    parts: &RequestParts,
    request: &mut http::Request<B>,
    now: time::OffsetDateTime,
) -> Result<(), Error> {
    if creds.is_anonymous() {
        return Ok(());
    }
    let keys = creds.to_signing();
    let method = request.method().as_str().to_owned();
    let headers = request.headers().clone();
    let signable = SignableRequest::new(&method, ctx.endpoint.resource(scope, parts)?)
        .with_query(Query::Owned(&parts.query))
        .with_headers(Headers::Map(&headers));
    match ctx.version {
        SignatureVersion::V1 => {
            let params = v1::V1Params::new(&keys, now).with_sub_resources(ctx.v1_sub_resources);
            v1::sign_headers(&signable, &params)
                .and_then(|s| s.apply_to(request.headers_mut()))
                .map_err(|e| sign_error(&e))
        }
        _ => {
            let params = v4::SigningParams::new(&keys, ctx.region, now)
                .with_product(ctx.endpoint.product())
                .with_key_cache(ctx.key_cache);
            v4::sign_headers(&signable, &params)
                .and_then(|s| s.apply_to(request.headers_mut()))
                .map_err(|e| sign_error(&e))
        }
    }
}

/// A presigned request: the URL to use, when it stops working, and the headers that were signed
/// and so must be sent with it.
///
/// ```
/// fn curl_command(p: &oss_client::PresignedRequest) -> String {
///     let mut cmd = format!("curl -X {} '{}'", p.method, p.url);
///     for (name, value) in &p.signed_headers {
///         cmd.push_str(&format!(" -H '{name}: {value}'"));
///     }
///     cmd
/// }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PresignedRequest {
    /// The HTTP method to use.
    pub method: http::Method,
    /// The full URL, signature in the query.
    pub url: String,
    /// When the URL expires.
    pub expires_at: SystemTime,
    /// Headers that were signed: send them with exactly these values.
    pub signed_headers: Vec<(String, String)>,
}

/// Presigns `parts` for `expires`.
pub(crate) fn presign(
    ctx: &SigningContext<'_>,
    creds: &Credentials,
    scope: Scope,
    parts: &RequestParts,
    now: time::OffsetDateTime,
    expires: Duration,
    additional_headers: &[&str],
) -> Result<PresignedRequest, Error> {
    let address = ctx.endpoint.address(scope, parts)?;
    let base = address.uri.to_string();
    let join = |query: String, signed: Vec<(String, String)>, at: time::OffsetDateTime| {
        let sep = if base.contains('?') { '&' } else { '?' };
        PresignedRequest {
            method: parts.method.clone(),
            url: format!("{base}{sep}{query}"),
            expires_at: SystemTime::from(at),
            signed_headers: signed,
        }
    };
    if creds.is_anonymous() {
        return Err(Error::InvalidConfig {
            reason: "presigning needs credentials; the provider returned anonymous ones".into(),
        });
    }
    let keys = creds.to_signing();
    let method = parts.method.as_str().to_owned();
    // `host` is not among the parts' headers: when it is to be signed, sign the URL's.
    let with_host;
    let mut headers = &parts.headers;
    if additional_headers
        .iter()
        .any(|h| h.eq_ignore_ascii_case("host"))
        && let Some(authority) = address.uri.authority()
        && let Ok(value) = http::HeaderValue::from_str(authority.as_str())
    {
        let mut map = parts.headers.clone();
        map.insert(http::header::HOST, value);
        with_host = map;
        headers = &with_host;
    }
    let signable = SignableRequest::new(&method, ctx.endpoint.resource(scope, parts)?)
        .with_query(Query::Owned(&parts.query))
        .with_headers(Headers::Map(headers));
    match ctx.version {
        SignatureVersion::V1 => {
            let params = v1::V1Params::new(&keys, now).with_sub_resources(ctx.v1_sub_resources);
            let p = v1::presign(&signable, &params, expires).map_err(|e| sign_error(&e))?;
            Ok(join(
                p.encoded_query(),
                p.signed_headers().to_vec(),
                p.expires_at(),
            ))
        }
        _ => {
            let params = v4::SigningParams::new(&keys, ctx.region, now)
                .with_product(ctx.endpoint.product())
                .with_additional_headers(additional_headers)
                .with_key_cache(ctx.key_cache);
            let p = v4::presign(&signable, &params, expires).map_err(|e| sign_error(&e))?;
            Ok(join(
                p.encoded_query(),
                p.signed_headers().to_vec(),
                p.expires_at(),
            ))
        }
    }
}
