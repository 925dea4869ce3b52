//! V4 (`OSS4-HMAC-SHA256`) signing: [`sign_headers`] for a request about to be sent and
//! [`presign`] for a URL, plus traced variants that also return the canonical request and
//! string to sign.
//!
//! ```
//! use oss_sign::{Credentials, SigningKeyCache};
//! use oss_sign::request::{Resource, SignableRequest};
//! use oss_sign::v4::{self, SigningParams};
//!
//! let creds = Credentials::new("ak", "sk");
//! let cache = SigningKeyCache::new();
//! let mut headers = http::HeaderMap::new();
//! headers.insert("content-type", "text/plain".parse().unwrap());
//! let req = SignableRequest::new("PUT", Resource::Object { bucket: "bucket", key: "a.txt" })
//!     .with_headers(&headers);
//! let now = time::OffsetDateTime::from_unix_timestamp(1_702_743_657).unwrap();
//! let params = SigningParams::new(&creds, "cn-hangzhou", now).with_key_cache(&cache);
//! let signature = v4::sign_headers(&req, &params).unwrap();
//! signature.apply_to(&mut headers).unwrap();
//! assert!(headers["authorization"].to_str().unwrap().starts_with(
//!     "OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,Signature="));
//! assert_eq!(headers["x-oss-date"], "20231216T162057Z");
//! assert_eq!(headers["x-oss-content-sha256"], "UNSIGNED-PAYLOAD");
//! ```

use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue};
use ring::hmac;
use time::OffsetDateTime;

use crate::canonical::{
    ALGORITHM, CanonicalInput, canonical_to_string_to_sign, is_default_signed,
    redact_security_token, with_buffer, write_canonical_request, write_scope,
};
use crate::datetime::IsoStamp;
use crate::encoding::{bytes_to_string, hex32};
use crate::request::{Headers, SignableRequest};
use crate::{Credentials, Presigned, SignError, SignatureVersion, SigningKey, SigningKeyCache};

/// The V4 algorithm name, as in the `Authorization` header and `x-oss-signature-version`.
///
/// ```
/// assert_eq!(oss_sign::v4::SIGNATURE_VERSION, "OSS4-HMAC-SHA256");
/// ```
pub const SIGNATURE_VERSION: &str = ALGORITHM;

/// The payload hash V4 requests carry in `x-oss-content-sha256`.
///
/// ```
/// assert_eq!(oss_sign::v4::UNSIGNED_PAYLOAD, "UNSIGNED-PAYLOAD");
/// ```
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// The lifetime of a presigned URL when the caller has no preference: 15 minutes.
///
/// ```
/// assert_eq!(oss_sign::v4::DEFAULT_PRESIGN_EXPIRY.as_secs(), 900);
/// ```
pub const DEFAULT_PRESIGN_EXPIRY: Duration = Duration::from_secs(15 * 60);

/// The longest lifetime OSS accepts for a V4 presigned URL: 7 days.
///
/// ```
/// assert_eq!(oss_sign::v4::MAX_PRESIGN_EXPIRY.as_secs(), 604_800);
/// ```
pub const MAX_PRESIGN_EXPIRY: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// The default product in the credential scope.
///
/// ```
/// assert_eq!(oss_sign::v4::DEFAULT_PRODUCT, "oss");
/// ```
pub const DEFAULT_PRODUCT: &str = "oss";

/// What V4 signing needs besides the request: credentials, region, product, time, the
/// additional headers to sign and, optionally, a signing-key cache.
///
/// ```
/// use oss_sign::{Credentials, v4::SigningParams};
/// let creds = Credentials::new("ak", "sk");
/// let now = time::OffsetDateTime::UNIX_EPOCH;
/// let params = SigningParams::new(&creds, "cb-123", now)
///     .with_product("oss-cloudbox")
///     .with_additional_headers(&["host"]);
/// assert_eq!(params.product(), "oss-cloudbox");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct SigningParams<'a> {
    credentials: &'a Credentials,
    region: &'a str,
    product: &'a str,
    time: OffsetDateTime,
    additional_headers: &'a [&'a str],
    key_cache: Option<&'a SigningKeyCache>,
}

impl<'a> SigningParams<'a> {
    /// Parameters for `region`, product `oss`, signing at `time`.
    ///
    /// ```
    /// let creds = oss_sign::Credentials::new("ak", "sk");
    /// let p = oss_sign::v4::SigningParams::new(&creds, "cn-hangzhou", time::OffsetDateTime::UNIX_EPOCH);
    /// assert_eq!(p.region(), "cn-hangzhou");
    /// ```
    pub fn new(credentials: &'a Credentials, region: &'a str, time: OffsetDateTime) -> Self {
        Self {
            credentials,
            region,
            product: DEFAULT_PRODUCT,
            time,
            additional_headers: &[],
            key_cache: None,
        }
    }

    /// Sets the product of the credential scope (`oss`, `oss-cloudbox`, ...).
    ///
    /// ```
    /// # use oss_sign::{Credentials, request::{Resource, SignableRequest}, v4::{self, SigningParams}};
    /// # let creds = Credentials::new("ak", "sk");
    /// # let now = time::OffsetDateTime::UNIX_EPOCH;
    /// let p = SigningParams::new(&creds, "cb-123", now).with_product("oss-cloudbox");
    /// assert_eq!(p.product(), "oss-cloudbox");
    /// ```
    #[must_use]
    pub fn with_product(mut self, product: &'a str) -> Self {
        self.product = product;
        self
    }

    /// Headers to sign beyond the default ones (`x-oss-*`, `content-type`, `content-md5`).
    /// Names are compared case-insensitively; those absent from the request (or empty) and
    /// default ones are skipped, as the official SDKs do.
    ///
    /// ```
    /// # use oss_sign::{Credentials, request::{Resource, SignableRequest}, v4::{self, SigningParams}};
    /// # let creds = Credentials::new("ak", "sk");
    /// # let now = time::OffsetDateTime::UNIX_EPOCH;
    /// let headers = [("Host", "b.oss-cn-hangzhou.aliyuncs.com"), ("Range", "bytes=0-1")];
    /// let req = SignableRequest::new("GET", Resource::Object { bucket: "b", key: "k" }).with_headers(&headers);
    /// let p = SigningParams::new(&creds, "cn-hangzhou", now).with_additional_headers(&["range", "host", "x-oss-absent"]);
    /// let sig = v4::sign_headers(&req, &p).unwrap();
    /// assert!(sig.authorization().contains(",AdditionalHeaders=host;range,"));
    /// ```
    #[must_use]
    pub fn with_additional_headers(mut self, names: &'a [&'a str]) -> Self {
        self.additional_headers = names;
        self
    }

    /// Uses (and fills) a signing-key cache, so the key is derived once per day and scope.
    ///
    /// ```
    /// # use oss_sign::{Credentials, request::{Resource, SignableRequest}, v4::{self, SigningParams}};
    /// # let creds = Credentials::new("ak", "sk");
    /// # let now = time::OffsetDateTime::UNIX_EPOCH;
    /// let cache = oss_sign::SigningKeyCache::new();
    /// let req = SignableRequest::new("GET", Resource::Service);
    /// v4::sign_headers(&req, &SigningParams::new(&creds, "cn-hangzhou", now).with_key_cache(&cache)).unwrap();
    /// assert_eq!(cache.len(), 1);
    /// ```
    #[must_use]
    pub fn with_key_cache(mut self, cache: &'a SigningKeyCache) -> Self {
        self.key_cache = Some(cache);
        self
    }

    /// The region of the credential scope.
    ///
    /// ```
    /// # use oss_sign::{Credentials, request::{Resource, SignableRequest}, v4::{self, SigningParams}};
    /// # let creds = Credentials::new("ak", "sk");
    /// # let now = time::OffsetDateTime::UNIX_EPOCH;
    /// assert_eq!(SigningParams::new(&creds, "cn-hangzhou", now).region(), "cn-hangzhou");
    /// ```
    pub fn region(&self) -> &'a str {
        self.region
    }

    /// The product of the credential scope.
    ///
    /// ```
    /// # use oss_sign::{Credentials, request::{Resource, SignableRequest}, v4::{self, SigningParams}};
    /// # let creds = Credentials::new("ak", "sk");
    /// # let now = time::OffsetDateTime::UNIX_EPOCH;
    /// assert_eq!(SigningParams::new(&creds, "cn-hangzhou", now).product(), "oss");
    /// ```
    pub fn product(&self) -> &'a str {
        self.product
    }

    /// The signing time.
    ///
    /// ```
    /// # use oss_sign::{Credentials, request::{Resource, SignableRequest}, v4::{self, SigningParams}};
    /// # let creds = Credentials::new("ak", "sk");
    /// # let now = time::OffsetDateTime::UNIX_EPOCH;
    /// assert_eq!(SigningParams::new(&creds, "cn-hangzhou", now).time(), now);
    /// ```
    pub fn time(&self) -> OffsetDateTime {
        self.time
    }

    /// The credentials.
    ///
    /// ```
    /// # use oss_sign::{Credentials, request::{Resource, SignableRequest}, v4::{self, SigningParams}};
    /// # let creds = Credentials::new("ak", "sk");
    /// # let now = time::OffsetDateTime::UNIX_EPOCH;
    /// assert_eq!(SigningParams::new(&creds, "cn-hangzhou", now).credentials().access_key_id(), "ak");
    /// ```
    pub fn credentials(&self) -> &'a Credentials {
        self.credentials
    }

    fn check(&self, req: &SignableRequest<'_>) -> Result<IsoStamp, SignError> {
        self.credentials.check()?;
        req.check_method()?;
        check_scope_part("region", self.region)?;
        check_scope_part("product", self.product)?;
        IsoStamp::new(self.time)
    }

    fn key(&self, date: &str) -> SigningKey {
        let secret = self.credentials.access_key_secret();
        match self.key_cache {
            Some(cache) => cache.get_or_derive(secret, date, self.region, self.product),
            None => SigningKey::derive(secret, date, self.region, self.product),
        }
    }
}

pub(crate) fn check_scope_part(field: &'static str, value: &str) -> Result<(), SignError> {
    if value.is_empty() || value.bytes().any(|b| b == b'/' || !b.is_ascii_graphic()) {
        return Err(SignError::InvalidScope {
            field,
            value: value.to_string(),
        });
    }
    Ok(())
}

/// The additional headers actually signed: lower-cased, not default-signed, present with a
/// non-empty value, sorted, without duplicates.
fn effective_additional(requested: &[&str], headers: Headers<'_>) -> Vec<String> {
    if requested.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<String> = requested
        .iter()
        .filter(|name| !is_default_signed(name))
        .filter(|name| {
            headers
                .iter()
                .any(|(n, v)| n.eq_ignore_ascii_case(name) && !v.is_empty())
        })
        .map(|name| name.to_ascii_lowercase())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The canonical request, string to sign and signature of one signing, for debugging.
///
/// ```
/// # use oss_sign::{Credentials, request::{Resource, SignableRequest}, v4::{self, SigningParams}};
/// let creds = Credentials::new("ak", "sk");
/// let req = SignableRequest::new("GET", Resource::Bucket("b"));
/// let params = SigningParams::new(&creds, "cn-hangzhou", time::OffsetDateTime::UNIX_EPOCH);
/// let (_, trace) = v4::sign_headers_traced(&req, &params).unwrap();
/// assert!(trace.canonical_request.starts_with("GET\n/b/\n"));
/// assert!(trace.string_to_sign.starts_with("OSS4-HMAC-SHA256\n19700101T000000Z\n"));
/// assert_eq!(trace.signature.len(), 64);
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SigningTrace {
    /// The canonical request.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// The hex signature.
    pub signature: String,
}

impl std::fmt::Debug for SigningTrace {
    // The canonical request may carry the security token: Debug redacts it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningTrace")
            .field(
                "canonical_request",
                &redact_security_token(&self.canonical_request),
            )
            .field("string_to_sign", &self.string_to_sign)
            .field("signature", &self.signature)
            .finish()
    }
}

/// The headers V4 header signing adds to a request.
///
/// ```
/// # use oss_sign::{Credentials, request::{Resource, SignableRequest}, v4::{self, SigningParams}};
/// let creds = Credentials::new("ak", "sk").with_security_token("tok");
/// let req = SignableRequest::new("GET", Resource::Service);
/// let params = SigningParams::new(&creds, "cn-hangzhou", time::OffsetDateTime::UNIX_EPOCH);
/// let sig = v4::sign_headers(&req, &params).unwrap();
/// let names: Vec<_> = sig.headers().map(|(n, _)| n).collect();
/// assert_eq!(names, ["x-oss-date", "x-oss-content-sha256", "x-oss-security-token", "authorization"]);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct HeaderSignature<'a> {
    authorization: String,
    signature_start: usize,
    stamp: IsoStamp,
    security_token: Option<&'a str>,
}

impl std::fmt::Debug for HeaderSignature<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeaderSignature")
            .field("authorization", &self.authorization)
            .field("x_oss_date", &self.x_oss_date())
            .field("security_token", &self.security_token.map(|_| "<redacted>"))
            .finish()
    }
}

impl<'a> HeaderSignature<'a> {
    /// The `Authorization` header value.
    ///
    /// ```
    /// # use oss_sign::{Credentials, request::{Resource, SignableRequest}, v4::{self, SigningParams}};
    /// # let creds = Credentials::new("ak", "sk");
    /// # let now = time::OffsetDateTime::UNIX_EPOCH;
    /// # let req = SignableRequest::new("GET", Resource::Bucket("b"));
    /// # let sig = v4::sign_headers(&req, &SigningParams::new(&creds, "cn-hangzhou", now)).unwrap();
    /// assert!(sig.authorization().starts_with("OSS4-HMAC-SHA256 Credential=ak/19700101/cn-hangzhou/oss/aliyun_v4_request,Signature="));
    /// ```
    pub fn authorization(&self) -> &str {
        &self.authorization
    }

    /// The hex signature (the part after `Signature=`).
    ///
    /// ```
    /// # use oss_sign::{Credentials, request::{Resource, SignableRequest}, v4::{self, SigningParams}};
    /// # let creds = Credentials::new("ak", "sk");
    /// # let now = time::OffsetDateTime::UNIX_EPOCH;
    /// # let req = SignableRequest::new("GET", Resource::Bucket("b"));
    /// # let sig = v4::sign_headers(&req, &SigningParams::new(&creds, "cn-hangzhou", now)).unwrap();
    /// assert_eq!(sig.signature().len(), 64);
    /// ```
    pub fn signature(&self) -> &str {
        self.authorization.get(self.signature_start..).unwrap_or("")
    }

    /// The `x-oss-date` header value (`YYYYMMDDTHHMMSSZ`).
    ///
    /// ```
    /// # use oss_sign::{Credentials, request::{Resource, SignableRequest}, v4::{self, SigningParams}};
    /// # let creds = Credentials::new("ak", "sk");
    /// # let now = time::OffsetDateTime::UNIX_EPOCH;
    /// # let req = SignableRequest::new("GET", Resource::Bucket("b"));
    /// # let sig = v4::sign_headers(&req, &SigningParams::new(&creds, "cn-hangzhou", now)).unwrap();
    /// assert_eq!(sig.x_oss_date(), "19700101T000000Z");
    /// ```
    pub fn x_oss_date(&self) -> &str {
        self.stamp.as_str()
    }

    /// The headers to add, lower-case names: `x-oss-date`, `x-oss-content-sha256`,
    /// `x-oss-security-token` (with temporary credentials) and `authorization`. They replace
    /// any existing headers of the same names.
    ///
    /// ```
    /// # use oss_sign::{Credentials, request::{Resource, SignableRequest}, v4::{self, SigningParams}};
    /// # let creds = Credentials::new("ak", "sk");
    /// # let now = time::OffsetDateTime::UNIX_EPOCH;
    /// # let req = SignableRequest::new("GET", Resource::Bucket("b"));
    /// # let sig = v4::sign_headers(&req, &SigningParams::new(&creds, "cn-hangzhou", now)).unwrap();
    /// assert_eq!(sig.headers().count(), 3);
    /// ```
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        [
            Some(("x-oss-date", self.x_oss_date())),
            Some(("x-oss-content-sha256", UNSIGNED_PAYLOAD)),
            self.security_token.map(|t| ("x-oss-security-token", t)),
            Some(("authorization", self.authorization())),
        ]
        .into_iter()
        .flatten()
    }

    /// Inserts [`HeaderSignature::headers`] into `map`, replacing existing values.
    ///
    /// # Errors
    /// [`SignError::InvalidHeaderValue`] if the security token is not a valid header value.
    ///
    /// ```
    /// # use oss_sign::{Credentials, request::{Resource, SignableRequest}, v4::{self, SigningParams}};
    /// # let creds = Credentials::new("ak", "sk");
    /// # let now = time::OffsetDateTime::UNIX_EPOCH;
    /// # let req = SignableRequest::new("GET", Resource::Bucket("b"));
    /// # let sig = v4::sign_headers(&req, &SigningParams::new(&creds, "cn-hangzhou", now)).unwrap();
    /// let mut map = http::HeaderMap::new();
    /// sig.apply_to(&mut map).unwrap();
    /// assert_eq!(map["x-oss-content-sha256"], "UNSIGNED-PAYLOAD");
    /// ```
    pub fn apply_to(&self, map: &mut HeaderMap) -> Result<(), SignError> {
        apply(self.headers(), map)
    }
}

pub(crate) fn apply<'s>(
    headers: impl Iterator<Item = (&'static str, &'s str)>,
    map: &mut HeaderMap,
) -> Result<(), SignError> {
    for (name, value) in headers {
        let value =
            HeaderValue::from_str(value).map_err(|_| SignError::InvalidHeaderValue { name })?;
        map.insert(HeaderName::from_static(name), value);
    }
    Ok(())
}

/// Signs `req` for sending with V4 header authentication.
///
/// Signed: the method; the canonical URI from [`crate::request::Resource`]; every query
/// parameter; every `x-oss-*`, `content-type` and `content-md5` header plus the additional
/// headers present; `x-oss-content-sha256: UNSIGNED-PAYLOAD`, `x-oss-date` and (temporary
/// credentials) `x-oss-security-token`, which the signature adds. `Date` is not added.
///
/// # Errors
/// Empty credentials, a bad method, region or product, or a time outside years 0–9999.
///
/// ```
/// use oss_sign::{Credentials, request::{Resource, SignableRequest}, v4::{self, SigningParams}};
/// let creds = Credentials::new("ak", "sk");
/// let headers = [("Content-Type", "application/xml"), ("x-oss-acl", "private")];
/// let req = SignableRequest::new("PUT", Resource::Bucket("oss-example")).with_headers(&headers);
/// let now = time::OffsetDateTime::from_unix_timestamp(1_744_859_740).unwrap();
/// let sig = v4::sign_headers(&req, &SigningParams::new(&creds, "cn-hangzhou", now)).unwrap();
/// assert_eq!(sig.x_oss_date(), "20250417T031540Z");
/// ```
pub fn sign_headers<'a>(
    req: &SignableRequest<'_>,
    params: &SigningParams<'a>,
) -> Result<HeaderSignature<'a>, SignError> {
    sign_headers_inner(req, params, None)
}

/// [`sign_headers`], also returning the canonical request and string to sign.
///
/// # Errors
/// As [`sign_headers`].
///
/// ```
/// # use oss_sign::{Credentials, request::{Resource, SignableRequest}, v4::{self, SigningParams}};
/// let creds = Credentials::new("ak", "sk");
/// let req = SignableRequest::new("PUT", Resource::Bucket("b"));
/// let p = SigningParams::new(&creds, "cn-hangzhou", time::OffsetDateTime::UNIX_EPOCH);
/// let (sig, trace) = v4::sign_headers_traced(&req, &p).unwrap();
/// assert_eq!(sig.signature(), trace.signature);
/// ```
pub fn sign_headers_traced<'a>(
    req: &SignableRequest<'_>,
    params: &SigningParams<'a>,
) -> Result<(HeaderSignature<'a>, SigningTrace), SignError> {
    let mut trace = SigningTrace {
        canonical_request: String::new(),
        string_to_sign: String::new(),
        signature: String::new(),
    };
    let sig = sign_headers_inner(req, params, Some(&mut trace))?;
    trace.signature = sig.signature().to_string();
    Ok((sig, trace))
}

fn sign_headers_inner<'a>(
    req: &SignableRequest<'_>,
    params: &SigningParams<'a>,
    trace: Option<&mut SigningTrace>,
) -> Result<HeaderSignature<'a>, SignError> {
    let stamp = params.check(req)?;
    let token = params.credentials.security_token();
    let additional = effective_additional(params.additional_headers, req.headers());
    let additional_refs: Vec<&str> = additional.iter().map(String::as_str).collect();

    let mut overrides: [(&str, &[u8]); 3] = [
        ("x-oss-content-sha256", UNSIGNED_PAYLOAD.as_bytes()),
        ("x-oss-date", &stamp.0),
        ("x-oss-security-token", b""),
    ];
    let n_overrides = match token {
        Some(t) => {
            overrides[2].1 = t.as_bytes();
            3
        }
        None => 2,
    };
    let input = CanonicalInput {
        method: req.method(),
        resource: req.resource(),
        region: params.region,
        query: req.query(),
        extra_query: &[],
        skip_query: None,
        headers: req.headers(),
        override_headers: &overrides[..n_overrides],
        additional: &additional_refs,
        payload: UNSIGNED_PAYLOAD.as_bytes(),
    };
    let hex = with_buffer(|buf| sign_input(buf, &input, &stamp, params, trace, None));

    let ak = params.credentials.access_key_id();
    let mut auth = Vec::with_capacity(200 + ak.len() + params.region.len() + params.product.len());
    auth.extend_from_slice(ALGORITHM.as_bytes());
    auth.extend_from_slice(b" Credential=");
    auth.extend_from_slice(ak.as_bytes());
    auth.push(b'/');
    write_scope(&mut auth, stamp.date(), params.region, params.product);
    if !additional.is_empty() {
        auth.extend_from_slice(b",AdditionalHeaders=");
        auth.extend_from_slice(additional.join(";").as_bytes());
    }
    auth.extend_from_slice(b",Signature=");
    let signature_start = auth.len();
    auth.extend_from_slice(&hex);
    Ok(HeaderSignature {
        authorization: bytes_to_string(auth),
        signature_start,
        stamp,
        security_token: token,
    })
}

/// Builds the canonical request and string to sign in `buf`, signs, returns the hex signature.
fn sign_input(
    buf: &mut Vec<u8>,
    input: &CanonicalInput<'_>,
    stamp: &IsoStamp,
    params: &SigningParams<'_>,
    trace: Option<&mut SigningTrace>,
    signed_headers: Option<&mut Vec<(String, String)>>,
) -> [u8; 64] {
    write_canonical_request(buf, input, signed_headers);
    let mut trace = trace;
    if let Some(t) = trace.as_deref_mut() {
        t.canonical_request = String::from_utf8_lossy(buf).into_owned();
    }
    canonical_to_string_to_sign(buf, stamp, params.region, params.product);
    if let Some(t) = trace {
        t.string_to_sign = String::from_utf8_lossy(buf).into_owned();
    }
    let key = params.key(stamp.date());
    hex32(hmac::sign(&key.0, buf).as_ref())
}

/// Presigns `req` with V4 query authentication, valid for `expires` from the signing time.
///
/// Adds `x-oss-signature-version`, `x-oss-date`, `x-oss-expires`, `x-oss-credential`,
/// `x-oss-additional-headers` (when additional headers are signed), `x-oss-security-token`
/// (temporary credentials) and `x-oss-signature`. Signed headers are those of `req` that V4
/// signs; they are reported in [`Presigned::signed_headers`].
///
/// # Errors
/// As [`sign_headers`], and [`SignError::InvalidExpiry`] for a lifetime under 1 s or over
/// [`MAX_PRESIGN_EXPIRY`].
///
/// ```
/// # use oss_sign::{Credentials, SignError, request::{Resource, SignableRequest}, v4::{self, SigningParams}};
/// # use std::time::Duration;
/// let creds = Credentials::new("ak", "sk");
/// let req = SignableRequest::new("GET", Resource::Object { bucket: "b", key: "k" });
/// let params = SigningParams::new(&creds, "cn-hangzhou", time::OffsetDateTime::UNIX_EPOCH);
/// let err = v4::presign(&req, &params, Duration::from_secs(8 * 86400)).unwrap_err();
/// assert!(matches!(err, SignError::InvalidExpiry { .. }));
/// ```
pub fn presign(
    req: &SignableRequest<'_>,
    params: &SigningParams<'_>,
    expires: Duration,
) -> Result<Presigned, SignError> {
    presign_inner(req, params, expires, None)
}

/// [`presign`], also returning the canonical request and string to sign.
///
/// # Errors
/// As [`presign`].
///
/// ```
/// # use oss_sign::{Credentials, request::{Resource, SignableRequest}, v4::{self, SigningParams}};
/// let creds = Credentials::new("ak", "sk");
/// let req = SignableRequest::new("GET", Resource::Bucket("b"));
/// let p = SigningParams::new(&creds, "cn-hangzhou", time::OffsetDateTime::UNIX_EPOCH);
/// let (signed, trace) = v4::presign_traced(&req, &p, v4::DEFAULT_PRESIGN_EXPIRY).unwrap();
/// assert!(trace.canonical_request.contains("x-oss-expires=900"));
/// assert_eq!(signed.signature(), trace.signature);
/// ```
pub fn presign_traced(
    req: &SignableRequest<'_>,
    params: &SigningParams<'_>,
    expires: Duration,
) -> Result<(Presigned, SigningTrace), SignError> {
    let mut trace = SigningTrace {
        canonical_request: String::new(),
        string_to_sign: String::new(),
        signature: String::new(),
    };
    let signed = presign_inner(req, params, expires, Some(&mut trace))?;
    trace.signature = signed.signature().to_string();
    Ok((signed, trace))
}

fn presign_inner(
    req: &SignableRequest<'_>,
    params: &SigningParams<'_>,
    expires: Duration,
    trace: Option<&mut SigningTrace>,
) -> Result<Presigned, SignError> {
    let stamp = params.check(req)?;
    let secs = expires.as_secs();
    if secs == 0 || expires > MAX_PRESIGN_EXPIRY {
        return Err(SignError::InvalidExpiry {
            requested_secs: secs,
            max_secs: MAX_PRESIGN_EXPIRY.as_secs(),
        });
    }
    let expires_at = params
        .time
        // `secs` is at most MAX_PRESIGN_EXPIRY here.
        .checked_add(time::Duration::seconds(
            i64::try_from(secs).unwrap_or(i64::MAX),
        ))
        .ok_or(SignError::TimeOutOfRange)?;
    let additional = effective_additional(params.additional_headers, req.headers());
    let additional_refs: Vec<&str> = additional.iter().map(String::as_str).collect();

    let mut credential = Vec::with_capacity(96);
    credential.extend_from_slice(params.credentials.access_key_id().as_bytes());
    credential.push(b'/');
    write_scope(&mut credential, stamp.date(), params.region, params.product);
    let credential = bytes_to_string(credential);

    let mut added: Vec<(&'static str, String)> = Vec::with_capacity(7);
    added.push(("x-oss-signature-version", ALGORITHM.to_string()));
    added.push(("x-oss-date", stamp.as_str().to_string()));
    added.push(("x-oss-expires", secs.to_string()));
    added.push(("x-oss-credential", credential));
    if !additional.is_empty() {
        added.push(("x-oss-additional-headers", additional.join(";")));
    }
    if let Some(token) = params.credentials.security_token() {
        added.push(("x-oss-security-token", token.to_string()));
    }
    let extra: Vec<(&str, &str)> = added.iter().map(|(k, v)| (*k, v.as_str())).collect();

    let payload = req
        .headers()
        .get("x-oss-content-sha256")
        .unwrap_or(UNSIGNED_PAYLOAD.as_bytes());
    let input = CanonicalInput {
        method: req.method(),
        resource: req.resource(),
        region: params.region,
        query: req.query(),
        extra_query: &extra,
        skip_query: None,
        headers: req.headers(),
        override_headers: &[],
        additional: &additional_refs,
        payload,
    };
    let mut signed_headers = Vec::new();
    let hex = with_buffer(|buf| {
        sign_input(
            buf,
            &input,
            &stamp,
            params,
            trace,
            Some(&mut signed_headers),
        )
    });
    added.push(("x-oss-signature", bytes_to_string(hex.to_vec())));
    Ok(Presigned {
        version: SignatureVersion::V4,
        params: added,
        signed_headers,
        expires_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::Resource;

    #[test]
    fn debug_output_never_shows_the_security_token() {
        let creds = Credentials::new("ak", "sk").with_security_token("TOKEN-VALUE");
        let req = SignableRequest::new("GET", Resource::Bucket("b"));
        let params = SigningParams::new(&creds, "cn-hangzhou", OffsetDateTime::UNIX_EPOCH);
        let (sig, trace) = sign_headers_traced(&req, &params).unwrap();
        let (pre, pre_trace) = presign_traced(&req, &params, DEFAULT_PRESIGN_EXPIRY).unwrap();
        assert!(trace.canonical_request.contains("TOKEN-VALUE"));
        for shown in [
            format!("{sig:?}"),
            format!("{trace:?}"),
            format!("{pre:?}"),
            format!("{pre_trace:?}"),
            format!("{params:?}"),
        ] {
            assert!(!shown.contains("TOKEN-VALUE"), "{shown}");
            assert!(!shown.contains("\"sk\""), "{shown}");
        }
    }

    #[test]
    fn bad_scope_parts_are_typed_errors() {
        let creds = Credentials::new("ak", "sk");
        let req = SignableRequest::new("GET", Resource::Service);
        for region in ["", "cn/hangzhou", "cn hangzhou"] {
            let params = SigningParams::new(&creds, region, OffsetDateTime::UNIX_EPOCH);
            assert!(matches!(
                sign_headers(&req, &params),
                Err(SignError::InvalidScope {
                    field: "region",
                    ..
                })
            ));
        }
        let params =
            SigningParams::new(&creds, "r", OffsetDateTime::UNIX_EPOCH).with_product("a/b");
        assert!(matches!(
            presign(&req, &params, DEFAULT_PRESIGN_EXPIRY),
            Err(SignError::InvalidScope {
                field: "product",
                ..
            })
        ));
    }

    #[test]
    fn presign_lifetime_bounds() {
        let creds = Credentials::new("ak", "sk");
        let req = SignableRequest::new("GET", Resource::Service);
        let params = SigningParams::new(&creds, "r", OffsetDateTime::UNIX_EPOCH);
        assert!(presign(&req, &params, MAX_PRESIGN_EXPIRY).is_ok());
        for bad in [
            Duration::ZERO,
            Duration::from_millis(999),
            MAX_PRESIGN_EXPIRY + Duration::from_secs(1),
        ] {
            assert!(matches!(
                presign(&req, &params, bad),
                Err(SignError::InvalidExpiry {
                    max_secs: 604_800,
                    ..
                })
            ));
        }
    }
}
