//! [`Presigned`]: what a V4 or V1 presigning returns.

use time::OffsetDateTime;

use crate::SignatureVersion;

/// A presigned request: the query parameters to add to the URL and the headers the caller must
/// send with it. [`crate::v4::presign`] and [`crate::v1::presign`] both return one.
///
/// `Debug` shows the parameters with the security token redacted.
///
/// ```
/// # use oss_sign::{Credentials, request::{Resource, SignableRequest}, v4::{self, SigningParams}};
/// let creds = Credentials::new("ak", "sk").with_security_token("secret-token");
/// let req = SignableRequest::new("GET", Resource::Object { bucket: "b", key: "k" });
/// let now = time::OffsetDateTime::from_unix_timestamp(1_744_859_740).unwrap();
/// let p = v4::presign(&req, &SigningParams::new(&creds, "cn-hangzhou", now), v4::DEFAULT_PRESIGN_EXPIRY).unwrap();
/// assert!(p.encoded_query().contains("x-oss-expires=900"));
/// assert_eq!(p.expires_at().unix_timestamp(), 1_744_859_740 + 900);
/// assert!(p.signed_headers().is_empty());
/// assert!(!format!("{p:?}").contains("secret-token"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Presigned {
    pub(crate) version: SignatureVersion,
    pub(crate) params: Vec<(&'static str, String)>,
    pub(crate) signed_headers: Vec<(String, String)>,
    pub(crate) expires_at: OffsetDateTime,
}

impl Presigned {
    /// The query parameter holding the security token in this signature version.
    fn token_param(&self) -> &'static str {
        match self.version {
            SignatureVersion::V1 => "security-token",
            SignatureVersion::V4 => "x-oss-security-token",
        }
    }

    /// The signature version this URL was signed with.
    ///
    /// ```
    /// # use oss_sign::{Credentials, SignatureVersion, request::{Resource, SignableRequest}, v1::{self, V1Params}};
    /// # let creds = Credentials::new("ak", "sk");
    /// # let req = SignableRequest::new("GET", Resource::Object { bucket: "b", key: "k" });
    /// let p = v1::presign(&req, &V1Params::new(&creds, time::OffsetDateTime::UNIX_EPOCH),
    ///     std::time::Duration::from_secs(60)).unwrap();
    /// assert_eq!(p.version(), SignatureVersion::V1);
    /// ```
    pub fn version(&self) -> SignatureVersion {
        self.version
    }

    /// The query parameters to add, decoded, in the order the official SDKs write them: V4's
    /// `x-oss-signature-version` first and `x-oss-signature` last; V1's `OSSAccessKeyId`,
    /// `Expires`, `Signature` and (temporary credentials) `security-token`.
    ///
    /// ```
    /// # use oss_sign::{Credentials, request::{Resource, SignableRequest}, v4::{self, SigningParams}};
    /// # let creds = Credentials::new("ak", "sk");
    /// # let now = time::OffsetDateTime::UNIX_EPOCH;
    /// # let req = SignableRequest::new("PUT", Resource::Object { bucket: "b", key: "k" });
    /// # let p = v4::presign(&req, &SigningParams::new(&creds, "cn-hangzhou", now), v4::DEFAULT_PRESIGN_EXPIRY).unwrap();
    /// assert_eq!(p.query_params()[0], ("x-oss-signature-version", "OSS4-HMAC-SHA256".to_string()));
    /// assert_eq!(p.query_params().last().unwrap().0, "x-oss-signature");
    /// ```
    pub fn query_params(&self) -> &[(&'static str, String)] {
        &self.params
    }

    /// The query parameters to add, encoded and joined with `&` (append to the URL's own query
    /// with `&`, or after `?`).
    ///
    /// ```
    /// # use oss_sign::{Credentials, request::{Resource, SignableRequest}, v1::{self, V1Params}, v4::{self, SigningParams}};
    /// # let creds = Credentials::new("ak", "sk");
    /// # let now = time::OffsetDateTime::UNIX_EPOCH;
    /// # let req = SignableRequest::new("PUT", Resource::Object { bucket: "b", key: "k" });
    /// let p = v4::presign(&req, &SigningParams::new(&creds, "cn-hangzhou", now), v4::DEFAULT_PRESIGN_EXPIRY).unwrap();
    /// assert!(p.encoded_query().contains("x-oss-credential=ak%2F19700101%2Fcn-hangzhou%2Foss%2Faliyun_v4_request"));
    /// let p = v1::presign(&req, &V1Params::new(&creds, now), std::time::Duration::from_secs(60)).unwrap();
    /// assert!(p.encoded_query().starts_with("OSSAccessKeyId=ak&Expires=60&Signature="));
    /// ```
    pub fn encoded_query(&self) -> String {
        let pairs: Vec<(&str, Option<&str>)> = self
            .params
            .iter()
            .map(|(k, v)| (*k, Some(v.as_str())))
            .collect();
        crate::encoding::encode_query(&pairs)
    }

    /// The headers that were signed (lower-case names, canonical values): the caller must send
    /// exactly these with the URL.
    ///
    /// ```
    /// # use oss_sign::{Credentials, request::{Resource, SignableRequest}, v4::{self, SigningParams}};
    /// # let creds = Credentials::new("ak", "sk");
    /// # let now = time::OffsetDateTime::UNIX_EPOCH;
    /// # let headers = [("Content-Type", "text/plain")];
    /// # let req = SignableRequest::new("PUT", Resource::Object { bucket: "b", key: "k" }).with_headers(&headers);
    /// # let p = v4::presign(&req, &SigningParams::new(&creds, "cn-hangzhou", now), v4::DEFAULT_PRESIGN_EXPIRY).unwrap();
    /// assert_eq!(p.signed_headers(), [("content-type".to_string(), "text/plain".to_string())]);
    /// ```
    pub fn signed_headers(&self) -> &[(String, String)] {
        &self.signed_headers
    }

    /// When the URL expires.
    ///
    /// ```
    /// # use oss_sign::{Credentials, request::{Resource, SignableRequest}, v1::{self, V1Params}};
    /// # let creds = Credentials::new("ak", "sk");
    /// # let req = SignableRequest::new("GET", Resource::Object { bucket: "b", key: "k" });
    /// # let p = v1::presign(&req, &V1Params::new(&creds, time::OffsetDateTime::UNIX_EPOCH), std::time::Duration::from_secs(60)).unwrap();
    /// assert_eq!(p.expires_at().unix_timestamp(), 60);
    /// ```
    pub fn expires_at(&self) -> OffsetDateTime {
        self.expires_at
    }

    /// The signature: V4's hex `x-oss-signature`, or V1's base64 `Signature`.
    ///
    /// ```
    /// # use oss_sign::{Credentials, request::{Resource, SignableRequest}, v1::{self, V1Params}, v4::{self, SigningParams}};
    /// # let creds = Credentials::new("ak", "sk");
    /// # let now = time::OffsetDateTime::UNIX_EPOCH;
    /// # let req = SignableRequest::new("GET", Resource::Object { bucket: "b", key: "k" });
    /// let p = v4::presign(&req, &SigningParams::new(&creds, "cn-hangzhou", now), v4::DEFAULT_PRESIGN_EXPIRY).unwrap();
    /// assert_eq!(p.signature().len(), 64);
    /// let p = v1::presign(&req, &V1Params::new(&creds, now), std::time::Duration::from_secs(60)).unwrap();
    /// assert_eq!(p.signature().len(), 28);
    /// ```
    pub fn signature(&self) -> &str {
        let name = match self.version {
            SignatureVersion::V1 => "Signature",
            SignatureVersion::V4 => "x-oss-signature",
        };
        self.params
            .iter()
            .find(|(k, _)| *k == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

impl std::fmt::Debug for Presigned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let token_param = self.token_param();
        let params: Vec<(&str, &str)> = self
            .params
            .iter()
            .map(|(k, v)| {
                if *k == token_param {
                    (*k, "<redacted>")
                } else {
                    (*k, v.as_str())
                }
            })
            .collect();
        f.debug_struct("Presigned")
            .field("version", &self.version)
            .field("params", &params)
            .field("signed_headers", &self.signed_headers)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Credentials;
    use crate::request::{Resource, SignableRequest};

    #[test]
    fn v1_debug_redacts_the_security_token() {
        let creds = Credentials::new("ak", "sk").with_security_token("tok-secret");
        let req = SignableRequest::new(
            "GET",
            Resource::Object {
                bucket: "b",
                key: "k",
            },
        );
        let p = crate::v1::presign(
            &req,
            &crate::v1::V1Params::new(&creds, OffsetDateTime::UNIX_EPOCH),
            std::time::Duration::from_secs(60),
        )
        .unwrap();
        assert!(
            p.query_params()
                .iter()
                .any(|(k, v)| *k == "security-token" && v == "tok-secret")
        );
        assert!(!format!("{p:?}").contains("tok-secret"));
    }
}
