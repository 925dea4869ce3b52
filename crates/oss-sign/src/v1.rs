//! V1 (HMAC-SHA1) signing: [`sign_headers`] (`Authorization: OSS ak:signature`) and
//! [`presign`] (`OSSAccessKeyId`, `Expires`, `Signature` query parameters).
//!
//! ```
//! use oss_sign::Credentials;
//! use oss_sign::request::{Resource, SignableRequest};
//! use oss_sign::v1::{self, V1Params};
//!
//! let creds = Credentials::new("ak", "sk");
//! let query = [("acl", None)];
//! let req = SignableRequest::new("GET", Resource::Bucket("examplebucket")).with_query(&query);
//! let now = time::OffsetDateTime::from_unix_timestamp(1_672_223_261).unwrap();
//! let (sig, string_to_sign) = v1::sign_headers_traced(&req, &V1Params::new(&creds, now)).unwrap();
//! assert_eq!(string_to_sign, "GET\n\n\nWed, 28 Dec 2022 10:27:41 GMT\n/examplebucket/?acl");
//! assert!(sig.authorization().starts_with("OSS ak:"));
//! ```

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use http::HeaderMap;
use ring::hmac;
use time::OffsetDateTime;

use crate::datetime::http_date;
use crate::encoding::bytes_to_string;
use crate::request::{Headers, Query, Resource, SignableRequest};
use crate::{Credentials, Presigned, SignError, SignatureVersion};

/// The query parameters V1 always signs when present (besides any `x-oss-*` parameter),
/// sorted. Per-operation extras are passed in [`V1Params::with_sub_resources`].
///
/// ```
/// assert!(oss_sign::v1::SIGNED_SUB_RESOURCES.contains(&"uploadId"));
/// ```
pub const SIGNED_SUB_RESOURCES: &[&str] = &[
    "acl",
    "append",
    "bucketInfo",
    "callback",
    "callback-var",
    "cloudboxes",
    "continuation-token",
    "delete",
    "location",
    "objectMeta",
    "partNumber",
    "position",
    "regionList",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
    "restore",
    "security-token",
    "sequential",
    "stat",
    "symlink",
    "tagging",
    "uploadId",
    "uploads",
    "versionId",
    "versioning",
    "versions",
];

/// What V1 signing needs besides the request.
///
/// ```
/// let creds = oss_sign::Credentials::new("ak", "sk");
/// let p = oss_sign::v1::V1Params::new(&creds, time::OffsetDateTime::UNIX_EPOCH)
///     .with_sub_resources(&["resourceGroup"]);
/// assert_eq!(p.sub_resources(), ["resourceGroup"]);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct V1Params<'a> {
    credentials: &'a Credentials,
    time: OffsetDateTime,
    sub_resources: &'a [&'a str],
}

impl<'a> V1Params<'a> {
    /// Parameters signing at `time` (the `Date` of a header signature; the start of a
    /// presigned URL's lifetime).
    ///
    /// ```
    /// # let creds = oss_sign::Credentials::new("ak", "sk");
    /// let p = oss_sign::v1::V1Params::new(&creds, time::OffsetDateTime::UNIX_EPOCH);
    /// assert!(p.sub_resources().is_empty());
    /// ```
    pub fn new(credentials: &'a Credentials, time: OffsetDateTime) -> Self {
        Self {
            credentials,
            time,
            sub_resources: &[],
        }
    }

    /// Query parameters the operation signs beyond [`SIGNED_SUB_RESOURCES`] (the spec's
    /// `v1_signed_query`).
    ///
    /// ```
    /// # let creds = oss_sign::Credentials::new("ak", "sk");
    /// let p = oss_sign::v1::V1Params::new(&creds, time::OffsetDateTime::UNIX_EPOCH).with_sub_resources(&["resourceGroup"]);
    /// assert_eq!(p.sub_resources(), ["resourceGroup"]);
    /// ```
    #[must_use]
    pub fn with_sub_resources(mut self, names: &'a [&'a str]) -> Self {
        self.sub_resources = names;
        self
    }

    /// The extra signed query parameters.
    ///
    /// ```
    /// # let creds = oss_sign::Credentials::new("ak", "sk");
    /// let p = oss_sign::v1::V1Params::new(&creds, time::OffsetDateTime::UNIX_EPOCH);
    /// assert_eq!(p.sub_resources(), [] as [&str; 0]);
    /// ```
    pub fn sub_resources(&self) -> &'a [&'a str] {
        self.sub_resources
    }

    /// The signing time.
    ///
    /// ```
    /// # let creds = oss_sign::Credentials::new("ak", "sk");
    /// let p = oss_sign::v1::V1Params::new(&creds, time::OffsetDateTime::UNIX_EPOCH);
    /// assert_eq!(p.time(), time::OffsetDateTime::UNIX_EPOCH);
    /// ```
    pub fn time(&self) -> OffsetDateTime {
        self.time
    }
}

/// Whether V1 signs this query parameter.
pub(crate) fn is_signed_sub_resource(name: &str, extra: &[&str]) -> bool {
    SIGNED_SUB_RESOURCES.binary_search(&name).is_ok()
        || name.starts_with("x-oss-")
        || extra.contains(&name)
}

/// The V1 string to sign, with everything the caller decides made explicit.
pub(crate) struct StringToSign<'r> {
    pub(crate) method: &'r str,
    pub(crate) resource: Resource<'r>,
    pub(crate) query: Query<'r>,
    /// Query parameters added by presigning (`security-token`).
    pub(crate) extra_query: &'r [(&'r str, &'r str)],
    pub(crate) headers: Headers<'r>,
    /// Headers the signer sets (`x-oss-security-token`), replacing caller ones.
    pub(crate) override_headers: &'r [(&'r str, &'r str)],
    /// The `Date` header, or `Expires` of a presigned URL.
    pub(crate) date: &'r str,
    pub(crate) sub_resources: &'r [&'r str],
}

impl StringToSign<'_> {
    pub(crate) fn write(
        &self,
        out: &mut Vec<u8>,
        mut signed_headers: Option<&mut Vec<(String, String)>>,
    ) -> Result<(), SignError> {
        out.clear();
        out.extend_from_slice(self.method.as_bytes());
        out.push(b'\n');
        for name in ["content-md5", "content-type"] {
            if let Some(v) = self.headers.get(name) {
                out.extend_from_slice(v);
                if let Some(sh) = signed_headers.as_deref_mut() {
                    sh.push((name.to_string(), String::from_utf8_lossy(v).into_owned()));
                }
            }
            out.push(b'\n');
        }
        out.extend_from_slice(self.date.as_bytes());
        out.push(b'\n');

        // CanonicalizedOSSHeaders
        let mut oss: Vec<(&str, &[u8])> = self
            .headers
            .iter()
            .filter(|(n, _)| n.len() >= 6 && n.as_bytes()[..6].eq_ignore_ascii_case(b"x-oss-"))
            .filter(|(n, _)| {
                !self
                    .override_headers
                    .iter()
                    .any(|(o, _)| o.eq_ignore_ascii_case(n))
            })
            .collect();
        oss.extend(
            self.override_headers
                .iter()
                .map(|(n, v)| (*n, v.as_bytes())),
        );
        oss.sort_by(|a, b| {
            a.0.bytes()
                .map(|c| c.to_ascii_lowercase())
                .cmp(b.0.bytes().map(|c| c.to_ascii_lowercase()))
        });
        let mut i = 0;
        while i < oss.len() {
            let name = oss[i].0;
            let start = out.len();
            out.extend(name.bytes().map(|c| c.to_ascii_lowercase()));
            out.push(b':');
            let value_start = out.len();
            let mut first = true;
            while i < oss.len() && oss[i].0.eq_ignore_ascii_case(name) {
                if !first {
                    out.push(b',');
                }
                first = false;
                out.extend_from_slice(oss[i].1.trim_ascii());
                i += 1;
            }
            if let Some(sh) = signed_headers.as_deref_mut() {
                sh.push((
                    String::from_utf8_lossy(&out[start..value_start - 1]).into_owned(),
                    String::from_utf8_lossy(&out[value_start..]).into_owned(),
                ));
            }
            out.push(b'\n');
        }

        // CanonicalizedResource
        self.resource.v1_path(out)?;
        let mut params: Vec<(&str, &str)> = Vec::new();
        for (k, v) in self
            .query
            .iter()
            .map(|(k, v)| (k, v.unwrap_or("")))
            .chain(self.extra_query.iter().copied())
        {
            if is_signed_sub_resource(k, self.sub_resources) && !params.iter().any(|(p, _)| *p == k)
            {
                params.push((k, v));
            }
        }
        params.sort_by(|a, b| a.0.cmp(b.0));
        for (i, (k, v)) in params.iter().enumerate() {
            out.push(if i == 0 { b'?' } else { b'&' });
            out.extend_from_slice(k.as_bytes());
            if !v.is_empty() {
                out.push(b'=');
                out.extend_from_slice(v.as_bytes());
            }
        }
        Ok(())
    }
}

pub(crate) fn hmac_sha1_base64(secret: &str, data: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret.as_bytes());
    BASE64.encode(hmac::sign(&key, data).as_ref())
}

/// The headers V1 header signing adds: `date`, `x-oss-security-token` (temporary
/// credentials) and `authorization`.
///
/// ```
/// # use oss_sign::{Credentials, request::{Resource, SignableRequest}, v1::{self, V1Params}};
/// let creds = Credentials::new("ak", "sk");
/// let req = SignableRequest::new("GET", Resource::Service);
/// let sig = v1::sign_headers(&req, &V1Params::new(&creds, time::OffsetDateTime::UNIX_EPOCH)).unwrap();
/// assert_eq!(sig.date(), "Thu, 01 Jan 1970 00:00:00 GMT");
/// let mut map = http::HeaderMap::new();
/// sig.apply_to(&mut map).unwrap();
/// assert!(map.contains_key("authorization"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct V1HeaderSignature<'a> {
    date: String,
    authorization: String,
    security_token: Option<&'a str>,
}

impl std::fmt::Debug for V1HeaderSignature<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("V1HeaderSignature")
            .field("date", &self.date)
            .field("authorization", &self.authorization)
            .field("security_token", &self.security_token.map(|_| "<redacted>"))
            .finish()
    }
}

impl V1HeaderSignature<'_> {
    /// The `Date` header value.
    ///
    /// ```
    /// # use oss_sign::{Credentials, request::{Resource, SignableRequest}, v1::{self, V1Params}};
    /// # let creds = Credentials::new("ak", "sk");
    /// # let now = time::OffsetDateTime::UNIX_EPOCH;
    /// # let req = SignableRequest::new("GET", Resource::Bucket("b"));
    /// # let sig = v1::sign_headers(&req, &V1Params::new(&creds, now)).unwrap();
    /// assert_eq!(sig.date(), "Thu, 01 Jan 1970 00:00:00 GMT");
    /// ```
    pub fn date(&self) -> &str {
        &self.date
    }

    /// The `Authorization` header value (`OSS ak:signature`).
    ///
    /// ```
    /// # use oss_sign::{Credentials, request::{Resource, SignableRequest}, v1::{self, V1Params}};
    /// # let creds = Credentials::new("ak", "sk");
    /// # let now = time::OffsetDateTime::UNIX_EPOCH;
    /// # let req = SignableRequest::new("GET", Resource::Bucket("b"));
    /// # let sig = v1::sign_headers(&req, &V1Params::new(&creds, now)).unwrap();
    /// assert!(sig.authorization().starts_with("OSS ak:"));
    /// ```
    pub fn authorization(&self) -> &str {
        &self.authorization
    }

    /// The headers to add (lower-case names), replacing existing ones of the same names.
    ///
    /// ```
    /// # use oss_sign::{Credentials, request::{Resource, SignableRequest}, v1::{self, V1Params}};
    /// # let creds = Credentials::new("ak", "sk");
    /// # let now = time::OffsetDateTime::UNIX_EPOCH;
    /// # let req = SignableRequest::new("GET", Resource::Bucket("b"));
    /// # let sig = v1::sign_headers(&req, &V1Params::new(&creds, now)).unwrap();
    /// assert_eq!(sig.headers().map(|(k, _)| k).collect::<Vec<_>>(), ["date", "authorization"]);
    /// ```
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        [
            Some(("date", self.date.as_str())),
            self.security_token.map(|t| ("x-oss-security-token", t)),
            Some(("authorization", self.authorization.as_str())),
        ]
        .into_iter()
        .flatten()
    }

    /// Inserts [`V1HeaderSignature::headers`] into `map`.
    ///
    /// # Errors
    /// [`SignError::InvalidHeaderValue`] if the security token is not a valid header value.
    ///
    /// ```
    /// # use oss_sign::{Credentials, request::{Resource, SignableRequest}, v1::{self, V1Params}};
    /// # let creds = Credentials::new("ak", "sk");
    /// # let now = time::OffsetDateTime::UNIX_EPOCH;
    /// # let req = SignableRequest::new("GET", Resource::Bucket("b"));
    /// # let sig = v1::sign_headers(&req, &V1Params::new(&creds, now)).unwrap();
    /// let mut map = http::HeaderMap::new();
    /// sig.apply_to(&mut map).unwrap();
    /// assert_eq!(map["date"], sig.date());
    /// ```
    pub fn apply_to(&self, map: &mut HeaderMap) -> Result<(), SignError> {
        crate::v4::apply(self.headers(), map)
    }
}

/// Signs `req` with V1 header authentication at `params.time()`.
///
/// # Errors
/// Empty credentials, a bad method, a time outside years 0–9999, or a vector-bucket resource.
///
/// ```
/// # use oss_sign::{Credentials, request::{Resource, SignableRequest}, v1::{self, V1Params}};
/// let creds = Credentials::new("ak", "sk");
/// let req = SignableRequest::new("PUT", Resource::Object { bucket: "b", key: "k" });
/// let sig = v1::sign_headers(&req, &V1Params::new(&creds, time::OffsetDateTime::UNIX_EPOCH)).unwrap();
/// assert!(sig.authorization().starts_with("OSS ak:"));
/// ```
pub fn sign_headers<'a>(
    req: &SignableRequest<'_>,
    params: &V1Params<'a>,
) -> Result<V1HeaderSignature<'a>, SignError> {
    sign_headers_traced(req, params).map(|(s, _)| s)
}

/// [`sign_headers`], also returning the string to sign.
///
/// # Errors
/// As [`sign_headers`].
///
/// ```
/// # use oss_sign::{Credentials, request::{Resource, SignableRequest}, v1::{self, V1Params}};
/// let creds = Credentials::new("ak", "sk");
/// let req = SignableRequest::new("PUT", Resource::Bucket("b"));
/// let (_, sts) = v1::sign_headers_traced(&req, &V1Params::new(&creds, time::OffsetDateTime::UNIX_EPOCH)).unwrap();
/// assert_eq!(sts, "PUT\n\n\nThu, 01 Jan 1970 00:00:00 GMT\n/b/");
/// ```
pub fn sign_headers_traced<'a>(
    req: &SignableRequest<'_>,
    params: &V1Params<'a>,
) -> Result<(V1HeaderSignature<'a>, String), SignError> {
    params.credentials.check()?;
    req.check_method()?;
    let date = http_date(params.time)?;
    let token = params.credentials.security_token();
    let overrides: &[(&str, &str)] = match token {
        Some(t) => &[("x-oss-security-token", t)],
        None => &[],
    };
    let sts = StringToSign {
        method: req.method(),
        resource: req.resource(),
        query: req.query(),
        extra_query: &[],
        headers: req.headers(),
        override_headers: overrides,
        date: &date,
        sub_resources: params.sub_resources,
    };
    let mut buf = Vec::with_capacity(512);
    sts.write(&mut buf, None)?;
    let signature = hmac_sha1_base64(params.credentials.access_key_secret(), &buf);
    let authorization = format!("OSS {}:{signature}", params.credentials.access_key_id());
    Ok((
        V1HeaderSignature {
            date,
            authorization,
            security_token: token,
        },
        bytes_to_string(buf),
    ))
}

/// Presigns `req` with V1 query authentication, expiring `expires` after `params.time()`.
///
/// # Errors
/// As [`sign_headers`]; [`SignError::InvalidExpiry`] for a zero lifetime;
/// [`SignError::TimeOutOfRange`] if the expiry is before 1970.
///
/// ```
/// # use oss_sign::{Credentials, request::{Resource, SignableRequest}, v1::{self, V1Params}};
/// let creds = Credentials::new("ak", "sk");
/// let req = SignableRequest::new("GET", Resource::Object { bucket: "b", key: "k" });
/// let params = V1Params::new(&creds, time::OffsetDateTime::UNIX_EPOCH);
/// let (p, sts) = v1::presign_traced(&req, &params, std::time::Duration::from_secs(60)).unwrap();
/// assert_eq!(sts, "GET\n\n\n60\n/b/k");
/// assert_eq!(p.signature().len(), 28);
/// ```
pub fn presign(
    req: &SignableRequest<'_>,
    params: &V1Params<'_>,
    expires: Duration,
) -> Result<Presigned, SignError> {
    presign_traced(req, params, expires).map(|(p, _)| p)
}

/// [`presign`], also returning the string to sign.
///
/// # Errors
/// As [`presign`].
///
/// ```
/// # use oss_sign::{Credentials, request::{Resource, SignableRequest}, v1::{self, V1Params}};
/// let creds = Credentials::new("ak", "sk").with_security_token("t");
/// let req = SignableRequest::new("GET", Resource::Bucket("b"));
/// let params = V1Params::new(&creds, time::OffsetDateTime::UNIX_EPOCH);
/// let (_, sts) = v1::presign_traced(&req, &params, std::time::Duration::from_secs(1)).unwrap();
/// assert_eq!(sts, "GET\n\n\n1\n/b/?security-token=t");
/// ```
pub fn presign_traced(
    req: &SignableRequest<'_>,
    params: &V1Params<'_>,
    expires: Duration,
) -> Result<(Presigned, String), SignError> {
    params.credentials.check()?;
    req.check_method()?;
    let secs = expires.as_secs();
    if secs == 0 {
        return Err(SignError::InvalidExpiry {
            requested_secs: 0,
            max_secs: u64::MAX,
        });
    }
    let expires_at = i64::try_from(secs)
        .ok()
        .and_then(|s| params.time.checked_add(time::Duration::seconds(s)))
        .ok_or(SignError::TimeOutOfRange)?;
    let expires_unix = expires_at.unix_timestamp();
    if expires_unix < 0 {
        return Err(SignError::TimeOutOfRange);
    }
    let expires_str = expires_unix.to_string();
    let token = params.credentials.security_token();
    let extra: &[(&str, &str)] = match token {
        Some(t) => &[("security-token", t)],
        None => &[],
    };
    let sts = StringToSign {
        method: req.method(),
        resource: req.resource(),
        query: req.query(),
        extra_query: extra,
        headers: req.headers(),
        override_headers: &[],
        date: &expires_str,
        sub_resources: params.sub_resources,
    };
    let mut buf = Vec::with_capacity(512);
    let mut signed_headers = Vec::new();
    sts.write(&mut buf, Some(&mut signed_headers))?;
    let signature = hmac_sha1_base64(params.credentials.access_key_secret(), &buf);
    let mut out: Vec<(&'static str, String)> = Vec::with_capacity(4);
    out.push((
        "OSSAccessKeyId",
        params.credentials.access_key_id().to_string(),
    ));
    out.push(("Expires", expires_str));
    out.push(("Signature", signature));
    if let Some(t) = token {
        out.push(("security-token", t.to_string()));
    }
    Ok((
        Presigned {
            version: SignatureVersion::V1,
            params: out,
            signed_headers,
            expires_at,
        },
        bytes_to_string(buf),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_resource_list_is_sorted_for_binary_search() {
        let mut sorted = SIGNED_SUB_RESOURCES.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, SIGNED_SUB_RESOURCES);
        assert!(is_signed_sub_resource("uploadId", &[]));
        assert!(is_signed_sub_resource("x-oss-process", &[]));
        assert!(!is_signed_sub_resource("prefix", &[]));
        assert!(is_signed_sub_resource("prefix", &["prefix"]));
    }

    #[test]
    fn vector_buckets_are_refused() {
        let creds = Credentials::new("ak", "sk");
        let req = SignableRequest::new(
            "GET",
            Resource::Vector {
                account_id: "1",
                bucket: None,
                key: None,
            },
        );
        let err = sign_headers(&req, &V1Params::new(&creds, OffsetDateTime::UNIX_EPOCH));
        assert!(matches!(err, Err(SignError::UnsupportedResource { .. })));
    }
}
