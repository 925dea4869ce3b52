//! Server-side verification ([`verify`]): parse the `Authorization` header (V4 or V1, `,` or
//! `, ` separators) or the presign query, look the secret up, recompute, compare in constant
//! time, check the clock (header auth) or the expiry (presigned).
//!
//! ```
//! use oss_sign::{Credentials, SignatureVersion, VerifyError};
//! use oss_sign::request::{Resource, SignableRequest};
//! use oss_sign::v4::{self, SigningParams};
//! use oss_sign::verify::{verify, VerifyOptions};
//!
//! // A client signs...
//! let creds = Credentials::new("ak", "sk");
//! let now = time::OffsetDateTime::from_unix_timestamp(1_744_859_740).unwrap();
//! let mut headers = http::HeaderMap::new();
//! headers.insert("content-type", "text/plain".parse().unwrap());
//! let resource = Resource::Object { bucket: "b", key: "k" };
//! let sig = v4::sign_headers(&SignableRequest::new("PUT", resource).with_headers(&headers),
//!     &SigningParams::new(&creds, "cn-hangzhou", now)).unwrap();
//! sig.apply_to(&mut headers).unwrap();
//!
//! // ...the server verifies what it received.
//! let received = SignableRequest::new("PUT", resource).with_headers(&headers);
//! let lookup = |ak: &str| (ak == "ak").then(|| creds.clone());
//! let ok = verify(&received, lookup, &VerifyOptions::new(now)).unwrap();
//! assert_eq!(ok.version, SignatureVersion::V4);
//!
//! // A tampered request fails with the server's canonical request and string to sign.
//! let tampered = SignableRequest::new("DELETE", resource).with_headers(&headers);
//! match verify(&tampered, lookup, &VerifyOptions::new(now)) {
//!     Err(VerifyError::SignatureDoesNotMatch { canonical_request, .. }) => {
//!         assert!(canonical_request.unwrap().starts_with("DELETE\n/b/k\n"));
//!     }
//!     other => panic!("{other:?}"),
//! }
//! ```

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ring::hmac;
use time::OffsetDateTime;

use crate::canonical::{
    ALGORITHM, CanonicalInput, canonical_to_string_to_sign, write_canonical_request,
};
use crate::datetime::{IsoStamp, parse_http_date, parse_iso_stamp, parse_scope_date};
use crate::encoding::{bytes_to_string, unhex32};
use crate::request::SignableRequest;
use crate::signing_key::SCOPE_TERMINATOR;
use crate::v1::StringToSign;
use crate::v4::{MAX_PRESIGN_EXPIRY, UNSIGNED_PAYLOAD, check_scope_part};
use crate::{Credentials, SignatureVersion, SigningKey, SigningKeyCache, VerifyError};

/// How verification judges time and V1 sub-resources.
///
/// ```
/// use oss_sign::verify::VerifyOptions;
/// let opts = VerifyOptions::new(time::OffsetDateTime::UNIX_EPOCH)
///     .with_max_clock_skew(None)
///     .with_v1_sub_resources(&["resourceGroup"]);
/// assert_eq!(opts.max_clock_skew(), None);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct VerifyOptions<'a> {
    now: OffsetDateTime,
    max_clock_skew: Option<Duration>,
    v1_sub_resources: &'a [&'a str],
    key_cache: Option<&'a SigningKeyCache>,
}

impl<'a> VerifyOptions<'a> {
    /// The default skew OSS allows between a signed request's time and the server's: 15 min.
    ///
    /// ```
    /// assert_eq!(oss_sign::verify::VerifyOptions::DEFAULT_MAX_CLOCK_SKEW.as_secs(), 900);
    /// ```
    pub const DEFAULT_MAX_CLOCK_SKEW: Duration = Duration::from_secs(15 * 60);

    /// Options judging against the server time `now`, allowing
    /// [`VerifyOptions::DEFAULT_MAX_CLOCK_SKEW`].
    ///
    /// ```
    /// let o = oss_sign::verify::VerifyOptions::new(time::OffsetDateTime::UNIX_EPOCH);
    /// assert_eq!(o.max_clock_skew(), Some(std::time::Duration::from_secs(900)));
    /// ```
    pub fn new(now: OffsetDateTime) -> Self {
        Self {
            now,
            max_clock_skew: Some(Self::DEFAULT_MAX_CLOCK_SKEW),
            v1_sub_resources: &[],
            key_cache: None,
        }
    }

    /// Sets the allowed skew for header-signed requests (`None`: do not check).
    ///
    /// ```
    /// let o = oss_sign::verify::VerifyOptions::new(time::OffsetDateTime::UNIX_EPOCH)
    ///     .with_max_clock_skew(Some(std::time::Duration::from_secs(60)));
    /// assert_eq!(o.max_clock_skew(), Some(std::time::Duration::from_secs(60)));
    /// ```
    #[must_use]
    pub fn with_max_clock_skew(mut self, skew: Option<Duration>) -> Self {
        self.max_clock_skew = skew;
        self
    }

    /// Query parameters the operation signs in V1 beyond [`crate::v1::SIGNED_SUB_RESOURCES`].
    ///
    /// ```
    /// let o = oss_sign::verify::VerifyOptions::new(time::OffsetDateTime::UNIX_EPOCH)
    ///     .with_v1_sub_resources(&["resourceGroup"]);
    /// # let _ = o;
    /// ```
    #[must_use]
    pub fn with_v1_sub_resources(mut self, names: &'a [&'a str]) -> Self {
        self.v1_sub_resources = names;
        self
    }

    /// Uses a signing-key cache for V4.
    ///
    /// ```
    /// let cache = oss_sign::SigningKeyCache::new();
    /// let o = oss_sign::verify::VerifyOptions::new(time::OffsetDateTime::UNIX_EPOCH).with_key_cache(&cache);
    /// # let _ = o;
    /// ```
    #[must_use]
    pub fn with_key_cache(mut self, cache: &'a SigningKeyCache) -> Self {
        self.key_cache = Some(cache);
        self
    }

    /// The allowed clock skew.
    ///
    /// ```
    /// let o = oss_sign::verify::VerifyOptions::new(time::OffsetDateTime::UNIX_EPOCH).with_max_clock_skew(None);
    /// assert_eq!(o.max_clock_skew(), None);
    /// ```
    pub fn max_clock_skew(&self) -> Option<Duration> {
        self.max_clock_skew
    }

    pub(crate) fn signing_key(
        &self,
        secret: &str,
        date: &str,
        region: &str,
        product: &str,
    ) -> SigningKey {
        match self.key_cache {
            Some(c) => c.get_or_derive(secret, date, region, product),
            None => SigningKey::derive(secret, date, region, product),
        }
    }

    fn check_skew(&self, request_time: OffsetDateTime) -> Result<(), VerifyError> {
        if let Some(max) = self.max_clock_skew {
            let diff = (self.now - request_time).abs();
            if diff > max {
                return Err(VerifyError::RequestTimeTooSkewed {
                    request_time,
                    now: self.now,
                });
            }
        }
        Ok(())
    }
}

/// A request that passed verification: who signed it and how.
///
/// ```
/// # use oss_sign::{Credentials, request::{Resource, SignableRequest}, v1::{self, V1Params}, verify::*};
/// let creds = Credentials::new("ak", "sk");
/// let now = time::OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
/// let req = SignableRequest::new("GET", Resource::Object { bucket: "b", key: "k" });
/// let p = v1::presign(&req, &V1Params::new(&creds, now), std::time::Duration::from_secs(60)).unwrap();
/// let q: Vec<(&str, Option<&str>)> = p.query_params().iter().map(|(k, v)| (*k, Some(v.as_str()))).collect();
/// let got = verify(&req.with_query(&q), |_| Some(creds.clone()), &VerifyOptions::new(now)).unwrap();
/// assert!(got.presigned);
/// assert_eq!(got.expires_at, Some(p.expires_at()));
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Verified {
    /// The signature version.
    pub version: SignatureVersion,
    /// The access key id that signed.
    pub access_key_id: String,
    /// The security token the request carried (header or query), for the caller to check.
    pub security_token: Option<String>,
    /// The credential-scope region (V4).
    pub region: Option<String>,
    /// The credential-scope product (V4).
    pub product: Option<String>,
    /// Whether the signature was in the query (a presigned URL).
    pub presigned: bool,
    /// When a presigned URL expires.
    pub expires_at: Option<OffsetDateTime>,
}

impl std::fmt::Debug for Verified {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verified")
            .field("version", &self.version)
            .field("access_key_id", &self.access_key_id)
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "<redacted>"),
            )
            .field("region", &self.region)
            .field("product", &self.product)
            .field("presigned", &self.presigned)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

fn malformed(version: SignatureVersion, reason: &str) -> VerifyError {
    VerifyError::Malformed {
        version: Some(version),
        reason: reason.to_string(),
    }
}

/// A parsed V4 credential: `ak/date/region/product/aliyun_v4_request`.
pub(crate) struct Credential<'s> {
    pub(crate) access_key_id: &'s str,
    pub(crate) date: &'s str,
    pub(crate) region: &'s str,
    pub(crate) product: &'s str,
}

pub(crate) fn parse_credential(s: &str) -> Result<Credential<'_>, VerifyError> {
    let bad = |reason| malformed(SignatureVersion::V4, reason);
    let mut parts = s.rsplitn(5, '/');
    let (Some(term), Some(product), Some(region), Some(date), Some(ak)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(bad(
            "credential is not ak/date/region/product/aliyun_v4_request",
        ));
    };
    if term != SCOPE_TERMINATOR {
        return Err(bad("credential scope does not end with aliyun_v4_request"));
    }
    if ak.is_empty() {
        return Err(bad("empty access key id"));
    }
    if parse_scope_date(date).is_none() {
        return Err(bad("credential date is not YYYYMMDD"));
    }
    if check_scope_part("region", region).is_err() || check_scope_part("product", product).is_err()
    {
        return Err(bad("invalid region or product in credential"));
    }
    Ok(Credential {
        access_key_id: ak,
        date,
        region,
        product,
    })
}

/// Verifies a received request's signature (a server's entry point).
///
/// `req` is the request as received: method, the resource the server resolved from host and
/// path, the decoded query (see [`crate::encoding::decode_query`]) and the headers.
/// `lookup` maps the access key id the request names to its credentials.
///
/// Accepted: `Authorization: OSS4-HMAC-SHA256 Credential=..,[AdditionalHeaders=..,]Signature=..`
/// (fields in any order, separated by `,` or `, `), `Authorization: OSS ak:signature`, V4 presign
/// query (`x-oss-signature-version`, ...) and V1 presign query (`OSSAccessKeyId`, `Expires`,
/// `Signature`).
///
/// # Errors
/// [`VerifyError::NotSigned`] for an anonymous request; otherwise the reason it fails,
/// [`VerifyError::SignatureDoesNotMatch`] carrying the server's canonical request (V4) and
/// string to sign.
///
/// ```
/// use oss_sign::{VerifyError, request::{Resource, SignableRequest}, verify::{verify, VerifyOptions}};
/// let req = SignableRequest::new("GET", Resource::Bucket("b"));
/// let err = verify(&req, |_| None, &VerifyOptions::new(time::OffsetDateTime::UNIX_EPOCH));
/// assert_eq!(err.unwrap_err(), VerifyError::NotSigned);
/// ```
pub fn verify(
    req: &SignableRequest<'_>,
    lookup: impl FnOnce(&str) -> Option<Credentials>,
    options: &VerifyOptions<'_>,
) -> Result<Verified, VerifyError> {
    if let Some(auth) = req.headers().get("authorization") {
        let auth = std::str::from_utf8(auth).map_err(|_| VerifyError::Malformed {
            version: None,
            reason: "Authorization is not UTF-8".into(),
        })?;
        if let Some(rest) = auth.strip_prefix(ALGORITHM) {
            return verify_v4_header(req, rest, lookup, options);
        }
        if let Some(rest) = auth.strip_prefix("OSS ") {
            return verify_v1_header(req, rest, lookup, options);
        }
        return Err(VerifyError::Malformed {
            version: None,
            reason: "unsupported Authorization scheme".into(),
        });
    }
    let query = req.query();
    if query.get("x-oss-signature-version").is_some() {
        return verify_v4_query(req, lookup, options);
    }
    if query.get("OSSAccessKeyId").is_some() || query.get("Signature").is_some() {
        return verify_v1_query(req, lookup, options);
    }
    Err(VerifyError::NotSigned)
}

fn verify_v4_header(
    req: &SignableRequest<'_>,
    rest: &str,
    lookup: impl FnOnce(&str) -> Option<Credentials>,
    options: &VerifyOptions<'_>,
) -> Result<Verified, VerifyError> {
    let v = SignatureVersion::V4;
    if !rest.starts_with(' ') {
        return Err(malformed(v, "expected a space after OSS4-HMAC-SHA256"));
    }
    let (mut credential, mut additional, mut signature) = (None, None, None);
    for field in rest.split(',') {
        let field = field.trim();
        let Some((name, value)) = field.split_once('=') else {
            return Err(malformed(v, "Authorization field without '='"));
        };
        let slot = match name {
            "Credential" => &mut credential,
            "AdditionalHeaders" => &mut additional,
            "Signature" => &mut signature,
            _ => return Err(malformed(v, "unknown Authorization field")),
        };
        if slot.replace(value).is_some() {
            return Err(malformed(v, "repeated Authorization field"));
        }
    }
    let credential = credential.ok_or_else(|| malformed(v, "missing Credential"))?;
    let signature = signature.ok_or_else(|| malformed(v, "missing Signature"))?;
    let cred = parse_credential(credential)?;
    let stamp_str = req
        .headers()
        .get_str("x-oss-date")
        .ok_or(VerifyError::MissingHeader { name: "x-oss-date" })?;
    let request_time = parse_iso_stamp(stamp_str)
        .ok_or_else(|| malformed(v, "x-oss-date is not YYYYMMDDTHHMMSSZ"))?;
    if stamp_str.get(..8) != Some(cred.date) {
        return Err(malformed(v, "credential date does not match x-oss-date"));
    }
    let sig = unhex32(signature).ok_or_else(|| malformed(v, "Signature is not 64 hex digits"))?;
    options.check_skew(request_time)?;
    let payload = req
        .headers()
        .get("x-oss-content-sha256")
        .ok_or(VerifyError::MissingHeader {
            name: "x-oss-content-sha256",
        })?;
    let creds = lookup(cred.access_key_id).ok_or_else(|| VerifyError::UnknownAccessKeyId {
        access_key_id: cred.access_key_id.to_string(),
    })?;
    let additional: Vec<&str> = additional
        .map(|a| a.split(';').filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    let input = CanonicalInput {
        method: req.method(),
        resource: req.resource(),
        region: cred.region,
        query: req.query(),
        extra_query: &[],
        skip_query: None,
        headers: req.headers(),
        override_headers: &[],
        additional: &additional,
        payload,
    };
    check_v4(&input, &cred, stamp_str, &sig, &creds, options)?;
    Ok(Verified {
        version: v,
        access_key_id: cred.access_key_id.to_string(),
        security_token: req
            .headers()
            .get_str("x-oss-security-token")
            .map(str::to_string),
        region: Some(cred.region.to_string()),
        product: Some(cred.product.to_string()),
        presigned: false,
        expires_at: None,
    })
}

fn check_v4(
    input: &CanonicalInput<'_>,
    cred: &Credential<'_>,
    stamp_str: &str,
    sig: &[u8; 32],
    creds: &Credentials,
    options: &VerifyOptions<'_>,
) -> Result<(), VerifyError> {
    let stamp = IsoStamp(
        stamp_str
            .as_bytes()
            .try_into()
            .map_err(|_| malformed(SignatureVersion::V4, "bad x-oss-date"))?,
    );
    let mut buf = Vec::with_capacity(1024);
    write_canonical_request(&mut buf, input, None);
    let canonical_request = bytes_to_string(buf.clone());
    canonical_to_string_to_sign(&mut buf, &stamp, cred.region, cred.product);
    let key = options.signing_key(
        creds.access_key_secret(),
        cred.date,
        cred.region,
        cred.product,
    );
    if hmac::verify(&key.0, &buf, sig).is_err() {
        return Err(VerifyError::SignatureDoesNotMatch {
            version: SignatureVersion::V4,
            canonical_request: Some(canonical_request),
            string_to_sign: bytes_to_string(buf),
        });
    }
    Ok(())
}

fn verify_v4_query(
    req: &SignableRequest<'_>,
    lookup: impl FnOnce(&str) -> Option<Credentials>,
    options: &VerifyOptions<'_>,
) -> Result<Verified, VerifyError> {
    let v = SignatureVersion::V4;
    let q = req.query();
    let get = |name: &'static str| {
        q.get(name)
            .flatten()
            .ok_or_else(|| malformed(v, &format!("missing query parameter {name}")))
    };
    if get("x-oss-signature-version")? != ALGORITHM {
        return Err(malformed(v, "unsupported x-oss-signature-version"));
    }
    let cred = parse_credential(get("x-oss-credential")?)?;
    let stamp_str = get("x-oss-date")?;
    let request_time = parse_iso_stamp(stamp_str)
        .ok_or_else(|| malformed(v, "x-oss-date is not YYYYMMDDTHHMMSSZ"))?;
    if stamp_str.get(..8) != Some(cred.date) {
        return Err(malformed(v, "credential date does not match x-oss-date"));
    }
    let expires: u64 = get("x-oss-expires")?
        .parse()
        .map_err(|_| malformed(v, "x-oss-expires is not a number"))?;
    if expires == 0 || expires > MAX_PRESIGN_EXPIRY.as_secs() {
        return Err(malformed(v, "x-oss-expires is not within 1..=604800"));
    }
    let expires_at = request_time + time::Duration::seconds(i64::try_from(expires).unwrap_or(0));
    if options.now > expires_at {
        return Err(VerifyError::Expired {
            expires_at,
            now: options.now,
        });
    }
    let sig = unhex32(get("x-oss-signature")?)
        .ok_or_else(|| malformed(v, "x-oss-signature is not 64 hex digits"))?;
    let creds = lookup(cred.access_key_id).ok_or_else(|| VerifyError::UnknownAccessKeyId {
        access_key_id: cred.access_key_id.to_string(),
    })?;
    let additional: Vec<&str> = q
        .get("x-oss-additional-headers")
        .flatten()
        .map(|a| a.split(';').filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    let payload = req
        .headers()
        .get("x-oss-content-sha256")
        .unwrap_or(UNSIGNED_PAYLOAD.as_bytes());
    let input = CanonicalInput {
        method: req.method(),
        resource: req.resource(),
        region: cred.region,
        query: q,
        extra_query: &[],
        skip_query: Some("x-oss-signature"),
        headers: req.headers(),
        override_headers: &[],
        additional: &additional,
        payload,
    };
    check_v4(&input, &cred, stamp_str, &sig, &creds, options)?;
    Ok(Verified {
        version: v,
        access_key_id: cred.access_key_id.to_string(),
        security_token: q.get("x-oss-security-token").flatten().map(str::to_string),
        region: Some(cred.region.to_string()),
        product: Some(cred.product.to_string()),
        presigned: true,
        expires_at: Some(expires_at),
    })
}

fn check_v1(
    sts: &StringToSign<'_>,
    signature: &str,
    creds: &Credentials,
) -> Result<(), VerifyError> {
    let v = SignatureVersion::V1;
    let sig = BASE64
        .decode(signature)
        .map_err(|_| malformed(v, "signature is not base64"))?;
    let mut buf = Vec::with_capacity(512);
    sts.write(&mut buf, None)
        .map_err(|e| malformed(v, &e.to_string()))?;
    let key = hmac::Key::new(
        hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        creds.access_key_secret().as_bytes(),
    );
    if hmac::verify(&key, &buf, &sig).is_err() {
        return Err(VerifyError::SignatureDoesNotMatch {
            version: v,
            canonical_request: None,
            string_to_sign: bytes_to_string(buf),
        });
    }
    Ok(())
}

fn verify_v1_header(
    req: &SignableRequest<'_>,
    rest: &str,
    lookup: impl FnOnce(&str) -> Option<Credentials>,
    options: &VerifyOptions<'_>,
) -> Result<Verified, VerifyError> {
    let v = SignatureVersion::V1;
    let (ak, signature) = rest
        .trim()
        .rsplit_once(':')
        .ok_or_else(|| malformed(v, "expected OSS ak:signature"))?;
    if ak.is_empty() {
        return Err(malformed(v, "empty access key id"));
    }
    let date = req
        .headers()
        .get_str("date")
        .ok_or(VerifyError::MissingHeader { name: "date" })?;
    let request_time =
        parse_http_date(date).ok_or_else(|| malformed(v, "Date is not an HTTP date"))?;
    options.check_skew(request_time)?;
    let creds = lookup(ak).ok_or_else(|| VerifyError::UnknownAccessKeyId {
        access_key_id: ak.to_string(),
    })?;
    let sts = StringToSign {
        method: req.method(),
        resource: req.resource(),
        query: req.query(),
        extra_query: &[],
        headers: req.headers(),
        override_headers: &[],
        date,
        sub_resources: options.v1_sub_resources,
    };
    check_v1(&sts, signature, &creds)?;
    Ok(Verified {
        version: v,
        access_key_id: ak.to_string(),
        security_token: req
            .headers()
            .get_str("x-oss-security-token")
            .map(str::to_string),
        region: None,
        product: None,
        presigned: false,
        expires_at: None,
    })
}

fn verify_v1_query(
    req: &SignableRequest<'_>,
    lookup: impl FnOnce(&str) -> Option<Credentials>,
    options: &VerifyOptions<'_>,
) -> Result<Verified, VerifyError> {
    let v = SignatureVersion::V1;
    let q = req.query();
    let get = |name: &'static str| {
        q.get(name)
            .flatten()
            .ok_or_else(|| malformed(v, &format!("missing query parameter {name}")))
    };
    let ak = get("OSSAccessKeyId")?;
    let expires_str = get("Expires")?;
    let signature = get("Signature")?;
    let expires_at = expires_str
        .parse::<i64>()
        .ok()
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
        .ok_or_else(|| malformed(v, "Expires is not a unix time"))?;
    if options.now > expires_at {
        return Err(VerifyError::Expired {
            expires_at,
            now: options.now,
        });
    }
    let creds = lookup(ak).ok_or_else(|| VerifyError::UnknownAccessKeyId {
        access_key_id: ak.to_string(),
    })?;
    let sts = StringToSign {
        method: req.method(),
        resource: req.resource(),
        query: q,
        extra_query: &[],
        headers: req.headers(),
        override_headers: &[],
        date: expires_str,
        sub_resources: options.v1_sub_resources,
    };
    check_v1(&sts, signature, &creds)?;
    Ok(Verified {
        version: v,
        access_key_id: ak.to_string(),
        security_token: q.get("security-token").flatten().map(str::to_string),
        region: None,
        product: None,
        presigned: true,
        expires_at: Some(expires_at),
    })
}
