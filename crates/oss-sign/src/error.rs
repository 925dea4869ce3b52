//! The errors of signing ([`SignError`]) and of verification ([`VerifyError`]).

use std::fmt;

use crate::SignatureVersion;

/// Why a request could not be signed. Never carries a secret.
///
/// ```
/// use oss_sign::{Credentials, SignError};
/// use oss_sign::request::{Resource, SignableRequest};
/// use oss_sign::v4::{self, SigningParams};
///
/// let creds = Credentials::new("ak", "");
/// let now = time::OffsetDateTime::UNIX_EPOCH;
/// let req = SignableRequest::new("GET", Resource::Service);
/// let err = v4::sign_headers(&req, &SigningParams::new(&creds, "cn-hangzhou", now)).unwrap_err();
/// assert!(matches!(err, SignError::InvalidCredentials { .. }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignError {
    /// The access key id or secret is empty.
    InvalidCredentials {
        /// What is wrong.
        reason: &'static str,
    },
    /// The HTTP method is empty or contains characters that cannot appear in a method.
    InvalidMethod {
        /// The method given.
        method: String,
    },
    /// A credential-scope component (region or product) is empty or contains `/`, whitespace
    /// or control characters.
    InvalidScope {
        /// `"region"` or `"product"`.
        field: &'static str,
        /// The value given.
        value: String,
    },
    /// The signing time (or expiry) is outside what the wire formats can express
    /// (years 0000–9999, and not before 1970 for V1 `Expires`).
    TimeOutOfRange,
    /// A presigned URL's lifetime is zero or longer than OSS allows.
    InvalidExpiry {
        /// The lifetime asked for, in whole seconds.
        requested_secs: u64,
        /// The longest lifetime allowed, in seconds.
        max_secs: u64,
    },
    /// A value produced by the signer (for example a security token) is not a valid HTTP header
    /// value, so it cannot be put in a [`http::HeaderMap`].
    InvalidHeaderValue {
        /// The header name.
        name: &'static str,
    },
    /// This signature version cannot sign this kind of resource (V1 cannot sign vector buckets).
    UnsupportedResource {
        /// What was asked.
        reason: &'static str,
    },
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidCredentials { reason } => write!(f, "invalid credentials: {reason}"),
            Self::InvalidMethod { method } => write!(f, "invalid HTTP method {method:?}"),
            Self::InvalidScope { field, value } => {
                write!(f, "invalid {field} {value:?} for the credential scope")
            }
            Self::TimeOutOfRange => f.write_str("signing time out of the representable range"),
            Self::InvalidExpiry {
                requested_secs,
                max_secs,
            } => write!(
                f,
                "presign lifetime of {requested_secs} s is not within 1..={max_secs} s"
            ),
            Self::InvalidHeaderValue { name } => {
                write!(f, "the value of header {name} is not a valid header value")
            }
            Self::UnsupportedResource { reason } => write!(f, "unsupported resource: {reason}"),
        }
    }
}

impl std::error::Error for SignError {}

/// Why a received request failed verification ([`crate::verify::verify`]).
///
/// `Display` is short and never shows secrets, tokens or canonical strings;
/// [`VerifyError::SignatureDoesNotMatch`] carries the server's canonical request and string to
/// sign in its fields for the `SignatureDoesNotMatch` error document.
///
/// ```
/// use oss_sign::VerifyError;
/// let err = VerifyError::NotSigned;
/// assert_eq!(err.oss_error_code(), "AccessDenied");
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// The request carries neither an `Authorization` header nor presign query parameters
    /// (an anonymous request).
    NotSigned,
    /// The `Authorization` header or presign query is malformed.
    Malformed {
        /// The signature version it claimed, if known.
        version: Option<SignatureVersion>,
        /// What is wrong.
        reason: String,
    },
    /// The access key id is not known to the secret lookup.
    UnknownAccessKeyId {
        /// The access key id the request named.
        access_key_id: String,
    },
    /// A header the signature version needs is absent.
    MissingHeader {
        /// The header name.
        name: &'static str,
    },
    /// The request time differs from the server's clock by more than the allowed skew.
    RequestTimeTooSkewed {
        /// The request time.
        request_time: time::OffsetDateTime,
        /// The server's time.
        now: time::OffsetDateTime,
    },
    /// A presigned request is past its expiry.
    Expired {
        /// When it expired.
        expires_at: time::OffsetDateTime,
        /// The server's time.
        now: time::OffsetDateTime,
    },
    /// The signature does not match the one the server computes.
    SignatureDoesNotMatch {
        /// The signature version used.
        version: SignatureVersion,
        /// The server's V4 canonical request (`None` for V1, which has none).
        canonical_request: Option<String>,
        /// The server's string to sign.
        string_to_sign: String,
    },
}

impl VerifyError {
    /// The OSS error code a server answers with for this error.
    ///
    /// ```
    /// use oss_sign::VerifyError;
    /// let err = VerifyError::UnknownAccessKeyId { access_key_id: "ak".into() };
    /// assert_eq!(err.oss_error_code(), "InvalidAccessKeyId");
    /// ```
    pub fn oss_error_code(&self) -> &'static str {
        match self {
            Self::NotSigned | Self::Expired { .. } => "AccessDenied",
            Self::Malformed { .. } | Self::MissingHeader { .. } => "InvalidArgument",
            Self::UnknownAccessKeyId { .. } => "InvalidAccessKeyId",
            Self::RequestTimeTooSkewed { .. } => "RequestTimeTooSkewed",
            Self::SignatureDoesNotMatch { .. } => "SignatureDoesNotMatch",
        }
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotSigned => f.write_str("the request is not signed"),
            Self::Malformed { version, reason } => match version {
                Some(v) => write!(f, "malformed {v} signature: {reason}"),
                None => write!(f, "malformed signature: {reason}"),
            },
            Self::UnknownAccessKeyId { access_key_id } => {
                write!(f, "unknown access key id {access_key_id:?}")
            }
            Self::MissingHeader { name } => write!(f, "missing required header {name}"),
            Self::RequestTimeTooSkewed { request_time, now } => write!(
                f,
                "request time {request_time} is too far from the server time {now}"
            ),
            Self::Expired { expires_at, now } => {
                write!(f, "presigned request expired at {expires_at} (now {now})")
            }
            Self::SignatureDoesNotMatch { version, .. } => write!(
                f,
                "the {version} signature does not match the one calculated by the server"
            ),
        }
    }
}

impl fmt::Debug for VerifyError {
    // The canonical request and V1 string to sign may contain the security token: redacted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SignatureDoesNotMatch {
                version,
                canonical_request,
                string_to_sign,
            } => f
                .debug_struct("SignatureDoesNotMatch")
                .field("version", version)
                .field(
                    "canonical_request",
                    &canonical_request
                        .as_deref()
                        .map(crate::canonical::redact_security_token),
                )
                .field(
                    "string_to_sign",
                    &crate::canonical::redact_security_token(string_to_sign),
                )
                .finish(),
            Self::NotSigned => f.write_str("NotSigned"),
            Self::Malformed { version, reason } => f
                .debug_struct("Malformed")
                .field("version", version)
                .field("reason", reason)
                .finish(),
            Self::UnknownAccessKeyId { access_key_id } => f
                .debug_struct("UnknownAccessKeyId")
                .field("access_key_id", access_key_id)
                .finish(),
            Self::MissingHeader { name } => {
                f.debug_struct("MissingHeader").field("name", name).finish()
            }
            Self::RequestTimeTooSkewed { request_time, now } => f
                .debug_struct("RequestTimeTooSkewed")
                .field("request_time", request_time)
                .field("now", now)
                .finish(),
            Self::Expired { expires_at, now } => f
                .debug_struct("Expired")
                .field("expires_at", expires_at)
                .field("now", now)
                .finish(),
        }
    }
}

impl std::error::Error for VerifyError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_mismatch_debug_and_display_hide_canonical_strings() {
        let err = VerifyError::SignatureDoesNotMatch {
            version: SignatureVersion::V4,
            canonical_request: Some("GET\n/\n\nx-oss-security-token:SECRET-TOKEN\n".into()),
            string_to_sign: "OSS4-HMAC-SHA256\n...".into(),
        };
        let shown = format!("{err:?} {err}");
        assert!(!shown.contains("SECRET-TOKEN"), "{shown}");
        assert_eq!(err.oss_error_code(), "SignatureDoesNotMatch");
    }
}
