//! Authentication with oss-sign's verification entry point, and ACL checks for anonymous
//! requests.
//!
//! Accepted: V4 and V1 `Authorization` headers (`,` or `, ` separators), V4 and V1 presigned
//! URLs (expiry checked), all signed with the configured key pair. A security token, when the
//! request carries one, must be one of the configured tokens; when none are configured any
//! token is accepted. Anonymous requests are allowed only where the ACL permits.

use http::StatusCode;
use oss_sign::request::{Resource, SignableRequest};
use oss_sign::verify::{VerifyOptions, verify};
use oss_sign::{Credentials, SignatureVersion, VerifyError};

use crate::checksum::hex_upper;
use crate::context::Context;
use crate::error::OssError;
use crate::request::Request;
use crate::timefmt::http_date;

/// Who signed a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Signer {
    /// Nobody: an anonymous request.
    Anonymous,
    /// The configured key pair: the account owning the buckets.
    Owner,
    /// An extra user's key pair: another account, by UID.
    Account(String),
}

/// Checks the request's signature: by the configured key ([`Signer::Owner`]), by an extra
/// user's ([`Signer::Account`]), or none ([`Signer::Anonymous`]).
///
/// `v1_extras` are the operation's sub-resources that V1 signs beyond oss-sign's fixed list
/// (the spec's `v1_signed_query`, e.g. `cors`).
pub(crate) fn authenticate(
    ctx: &Context,
    req: &Request,
    v1_extras: &[&str],
) -> Result<Signer, OssError> {
    let resource = match (req.bucket.as_deref(), req.key.as_deref()) {
        (None, _) => Resource::Service,
        (Some(bucket), None) => Resource::Bucket(bucket),
        (Some(bucket), Some(key)) => Resource::Object { bucket, key },
    };
    let signable = SignableRequest::new(req.method.as_str(), resource)
        .with_query(&req.query)
        .with_headers(&req.headers);
    let lookup = |ak: &str| {
        if ak == ctx.access_key_id {
            return Some(Credentials::new(
                ctx.access_key_id.clone(),
                ctx.access_key_secret.clone(),
            ));
        }
        ctx.extra_users
            .iter()
            .find(|u| u.access_key_id == ak)
            .map(|u| Credentials::new(u.access_key_id.clone(), u.access_key_secret.clone()))
    };
    let options = VerifyOptions::new(ctx.now()).with_v1_sub_resources(v1_extras);
    let outcome = match verify(&signable, lookup, &options) {
        Err(
            first @ VerifyError::SignatureDoesNotMatch {
                version: SignatureVersion::V1,
                ..
            },
        ) => verify_v1_without_oss_query(req, &signable, v1_extras, &lookup, &options).ok_or(first),
        other => other,
    };
    match outcome {
        Ok(verified) => {
            if let Some(token) = &verified.security_token
                && !ctx.security_tokens.is_empty()
                && !ctx.security_tokens.iter().any(|t| t == token)
            {
                return Err(OssError::new(
                    StatusCode::FORBIDDEN,
                    "InvalidSecurityToken",
                    "The security token you provided is invalid.",
                )
                .ec("0002-00000009"));
            }
            if verified.access_key_id == ctx.access_key_id {
                return Ok(Signer::Owner);
            }
            let uid = ctx
                .extra_users
                .iter()
                .find(|u| u.access_key_id == verified.access_key_id)
                .map(|u| u.uid.clone())
                .unwrap_or_default();
            Ok(Signer::Account(uid))
        }
        Err(VerifyError::NotSigned) => Ok(Signer::Anonymous),
        Err(e) => Err(verify_error(ctx, req, e)),
    }
}

/// The second canonical resource a V1 signature may cover: the request's `x-oss-*` query
/// parameters left out (those the operation lists in `v1_extras` stay).
///
/// The official SDKs disagree here. OSS's V1 documentation, the Go SDK v2 (every `x-oss-`
/// query parameter) and the Java SDK (`x-oss-process`, `x-oss-async-process`, ... in
/// `SIGNED_PARAMTERS`) sign them, and so do oss-sign and our client; the Python SDK v2 (1.4.1)
/// signs only its fixed list and each operation's `sub-resource` metadata, so its V1
/// GetObject / SelectObject / ProcessObject with `x-oss-process` sign the bare object path.
/// Both are accepted, as the service accepts both SDKs. `None` when the request has no such
/// parameter or the signature does not match this resource either.
fn verify_v1_without_oss_query(
    req: &Request,
    signable: &SignableRequest<'_>,
    v1_extras: &[&str],
    lookup: &dyn Fn(&str) -> Option<Credentials>,
    options: &VerifyOptions<'_>,
) -> Option<oss_sign::verify::Verified> {
    let unlisted = |name: &str| name.starts_with("x-oss-") && !v1_extras.contains(&name);
    if !req.query.iter().any(|(name, _)| unlisted(name)) {
        return None;
    }
    let query: Vec<(String, Option<String>)> = req
        .query
        .iter()
        .filter(|(name, _)| !unlisted(name))
        .cloned()
        .collect();
    let narrowed = signable.with_query(&query);
    verify(&narrowed, lookup, options).ok()
}

/// Space-separated hex bytes, as OSS writes `StringToSignBytes`.
fn spaced_hex(s: &str) -> String {
    s.bytes()
        .map(|b| hex_upper(&[b]).to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(" ")
}

fn provided_signature(req: &Request) -> String {
    if let Some(auth) = req.header("authorization") {
        if let Some(pos) = auth.find("Signature=") {
            return auth[pos + "Signature=".len()..].trim().to_owned();
        }
        if let Some((_, sig)) = auth.rsplit_once(':') {
            return sig.to_owned();
        }
    }
    req.q("x-oss-signature")
        .or_else(|| req.q("Signature"))
        .unwrap_or_default()
        .to_owned()
}

pub(crate) fn verify_error(ctx: &Context, req: &Request, e: VerifyError) -> OssError {
    match e {
        VerifyError::SignatureDoesNotMatch {
            canonical_request,
            string_to_sign,
            ..
        } => {
            let mut err = OssError::new(
                StatusCode::FORBIDDEN,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
            )
            .ec("0002-00000040")
            .with("OSSAccessKeyId", ctx.access_key_id.clone())
            .with("SignatureProvided", provided_signature(req))
            .with("StringToSign", string_to_sign.clone())
            .with("StringToSignBytes", spaced_hex(&string_to_sign));
            if let Some(cr) = canonical_request {
                err = err
                    .with("CanonicalRequest", cr.clone())
                    .with("CanonicalRequestBytes", spaced_hex(&cr));
            }
            err
        }
        VerifyError::Expired { expires_at, now } => OssError::access_denied("Request has expired.")
            .ec("0002-00000069")
            .with("Expires", http_date(expires_at))
            .with("ServerTime", http_date(now)),
        VerifyError::RequestTimeTooSkewed { request_time, now } => OssError::new(
            StatusCode::FORBIDDEN,
            "RequestTimeTooSkewed",
            "The difference between the request time and the current time is too large.",
        )
        .ec("0002-00000504")
        .with("RequestTime", http_date(request_time))
        .with("ServerTime", http_date(now)),
        VerifyError::UnknownAccessKeyId { access_key_id } => OssError::new(
            StatusCode::FORBIDDEN,
            "InvalidAccessKeyId",
            "The OSS Access Key Id you provided does not exist in our records.",
        )
        .ec("0002-00000902")
        .with("OSSAccessKeyId", access_key_id),
        other => {
            let code = other.oss_error_code();
            let status = if code == "AccessDenied" {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::BAD_REQUEST
            };
            OssError::new(status, code, other.to_string()).ec("0002-00000001")
        }
    }
}

/// What an operation needs from the ACL when the request is anonymous.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// Reading an object.
    ReadObject,
    /// Listing a bucket.
    List,
    /// Writing or deleting an object.
    Write,
    /// Always allowed (CORS preflight).
    Public,
    /// Only the owner (signed requests).
    Owner,
}

/// Whether an anonymous request may perform an operation needing `access` by the ACLs
/// (`public_blocked`: Block Public Access is on, so public ACLs grant nothing).
pub(crate) fn allow_anonymous(
    ctx: &Context,
    req: &Request,
    access: Access,
    public_blocked: bool,
) -> Result<(), OssError> {
    let denied = || {
        OssError::access_denied("You have no right to access this object because of bucket acl.")
            .ec("0003-00000001")
    };
    let bucket_acl = match access {
        Access::Public => return Ok(()),
        Access::Owner => return Err(denied()),
        _ if public_blocked => return Err(denied()),
        _ => ctx.store.bucket(req.bucket())?.acl,
    };
    let object_acl = match (access, req.key.as_deref()) {
        (Access::ReadObject, Some(key)) => ctx
            .store
            .object(req.bucket(), key, req.q("versionId"))
            .map(|m| m.acl)
            .unwrap_or_else(|_| "default".to_owned()),
        _ => "default".to_owned(),
    };
    let effective = if object_acl == "default" {
        bucket_acl
    } else {
        object_acl
    };
    let ok = match access {
        Access::ReadObject | Access::List => {
            effective == "public-read" || effective == "public-read-write"
        }
        Access::Write => effective == "public-read-write",
        Access::Public | Access::Owner => false,
    };
    if ok { Ok(()) } else { Err(denied()) }
}

/// Checks a V4 request's `x-oss-content-sha256` against its body when it is a hex SHA-256
/// rather than `UNSIGNED-PAYLOAD`.
///
/// OSS documents the fine-grained code `0002-00000214` ("the value of the x-oss-content-sha256
/// header is invalid") but not its `Code`; the emulator answers `InvalidArgument` 400 with that
/// `EC`.
pub(crate) fn check_content_sha256(req: &Request) -> Result<(), OssError> {
    let Some(given) = req.header("x-oss-content-sha256") else {
        return Ok(());
    };
    let is_hex_digest = given.len() == 64 && given.bytes().all(|b| b.is_ascii_hexdigit());
    if !is_hex_digest {
        return Ok(());
    }
    let actual = req.body_sha256();
    if given.eq_ignore_ascii_case(&hex_upper(&actual)) {
        return Ok(());
    }
    Err(OssError::invalid_argument(
        "The x-oss-content-sha256 you specified did not match what we received.",
    )
    .ec("0002-00000214")
    .with("ArgumentName", "x-oss-content-sha256")
    .with("ArgumentValue", given))
}
