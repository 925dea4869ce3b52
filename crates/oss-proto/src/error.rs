//! The error type of the protocol layer.
//!
//! One enum, [`Error`], covers everything that can go wrong between a typed input and a typed
//! output: bad input caught before sending, a response that cannot be read, and an error the
//! service itself returned ([`ServiceError`]).
//!
//! # Constructors for generated code
//!
//! Generated `build_request` and `parse_output` implementations build errors only through these
//! constructors, so the variants can grow without touching the generator:
//!
//! | constructor | when |
//! |---|---|
//! | [`Error::invalid_argument`]`(field, message)` | an input member is missing or invalid |
//! | [`Error::missing_header`]`(operation, header)` | a required response header is absent |
//! | [`Error::invalid_response`]`(operation, message)` | a response header or body cannot be parsed |
//!
//! Bucket names and object keys are checked with [`crate::validate::bucket`] and
//! [`crate::validate::key`], which return [`Error::InvalidBucketName`] and
//! [`Error::InvalidObjectKey`].

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

/// An error of the protocol layer.
///
/// ```
/// use oss_proto::Error;
/// let err = Error::invalid_argument("acl", "is required");
/// assert_eq!(err.to_string(), "invalid argument `acl`: is required");
/// assert!(!err.is_not_found());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A bucket name breaks OSS's naming rules.
    InvalidBucketName {
        /// The rejected name.
        name: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// An object key breaks OSS's naming rules.
    InvalidObjectKey {
        /// The rejected key (possibly shortened for display).
        key: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// A region id is not of the form `[a-z0-9-]+`.
    InvalidRegion {
        /// The rejected region id.
        region: String,
    },
    /// An endpoint cannot be used to address requests.
    InvalidEndpoint {
        /// The rejected endpoint.
        endpoint: String,
        /// Why.
        reason: Cow<'static, str>,
    },
    /// An input member is missing or has an invalid value.
    InvalidArgument {
        /// The input member (snake case) or parameter name.
        field: Cow<'static, str>,
        /// What is wrong with it.
        message: String,
    },
    /// A presigned URL was asked to live longer than OSS allows.
    PresignExpiryTooLong {
        /// The requested lifetime, in seconds.
        requested_secs: u64,
        /// The longest lifetime allowed, in seconds.
        max_secs: u64,
    },
    /// A response lacks a header the operation requires.
    MissingHeader {
        /// The operation whose response was read.
        operation: &'static str,
        /// The missing header.
        header: Cow<'static, str>,
    },
    /// A response (headers or body) cannot be read.
    InvalidResponse {
        /// The operation whose response was read.
        operation: &'static str,
        /// What is wrong with it.
        message: String,
        /// The response's `x-oss-request-id`, when it had one (for support tickets).
        request_id: Option<String>,
    },
    /// The service answered with an error.
    Service(Box<ServiceError>),
    /// A checksum of transferred data does not match the one the peer computed.
    ChecksumMismatch {
        /// Which checksum (`crc64ecma`, `content-md5`).
        algorithm: &'static str,
        /// The value announced by the peer.
        expected: String,
        /// The value computed locally.
        actual: String,
    },
    /// A paginated listing said it was truncated but gave no marker to continue from.
    PaginationStalled {
        /// The listing operation.
        operation: &'static str,
    },
}

impl Error {
    /// An input member is missing or invalid. Called by generated `build_request`.
    ///
    /// ```
    /// let err = oss_proto::Error::invalid_argument("max_keys", "must be between 1 and 1000");
    /// assert!(matches!(err, oss_proto::Error::InvalidArgument { .. }));
    /// ```
    pub fn invalid_argument(
        field: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        Error::InvalidArgument {
            field: field.into(),
            message: message.into(),
        }
    }

    /// A response cannot be parsed. Called by generated `parse_output`.
    ///
    /// ```
    /// let err = oss_proto::Error::invalid_response("GetBucketAcl", "unexpected element <Foo>");
    /// assert_eq!(
    ///     err.to_string(),
    ///     "invalid GetBucketAcl response: unexpected element <Foo>"
    /// );
    /// ```
    pub fn invalid_response(operation: &'static str, message: impl Into<String>) -> Self {
        Error::InvalidResponse {
            operation,
            message: message.into(),
            request_id: None,
        }
    }

    /// Records the request id of the response an [`Error::InvalidResponse`] came from (other
    /// errors are returned unchanged).
    ///
    /// ```
    /// let err = oss_proto::Error::invalid_response("GetBucketAcl", "bad XML").with_request_id("5C3D9175");
    /// assert!(err.to_string().ends_with("(request id 5C3D9175)"));
    /// ```
    #[must_use]
    pub fn with_request_id(self, id: &str) -> Self {
        match self {
            Error::InvalidResponse {
                operation,
                message,
                request_id: None,
            } => Error::InvalidResponse {
                operation,
                message,
                request_id: Some(id.to_owned()),
            },
            other => other,
        }
    }

    /// A required response header is absent. Called by generated `parse_output`.
    ///
    /// ```
    /// let err = oss_proto::Error::missing_header("PutObject", "etag");
    /// assert_eq!(err.to_string(), "PutObject response lacks the `etag` header");
    /// ```
    pub fn missing_header(operation: &'static str, header: impl Into<Cow<'static, str>>) -> Self {
        Error::MissingHeader {
            operation,
            header: header.into(),
        }
    }

    /// The service error, when this is one.
    pub fn service_error(&self) -> Option<&ServiceError> {
        match self {
            Error::Service(e) => Some(e),
            _ => None,
        }
    }

    /// The OSS error code (`NoSuchKey`, `AccessDenied`, ...) of a service error.
    ///
    /// ```
    /// use oss_proto::{Error, ServiceError};
    /// let mut e = ServiceError::new(404);
    /// e.code = "NoSuchKey".into();
    /// assert_eq!(Error::from(e).code(), Some("NoSuchKey"));
    /// ```
    pub fn code(&self) -> Option<&str> {
        self.service_error()
            .map(|e| e.code.as_str())
            .filter(|c| !c.is_empty())
    }

    /// The request id (`x-oss-request-id`) of a service error.
    pub fn request_id(&self) -> Option<&str> {
        self.service_error()
            .map(|e| e.request_id.as_str())
            .filter(|c| !c.is_empty())
    }

    /// The HTTP status of a service error.
    pub fn status(&self) -> Option<http::StatusCode> {
        self.service_error().map(|e| e.status)
    }

    /// True when the addressed bucket, object, upload or configuration does not exist: a 404, or
    /// any `NoSuch*` code.
    ///
    /// ```
    /// use oss_proto::{Error, ServiceError};
    /// assert!(Error::from(ServiceError::new(404)).is_not_found());
    /// assert!(!Error::from(ServiceError::new(403)).is_not_found());
    /// ```
    pub fn is_not_found(&self) -> bool {
        self.service_error().is_some_and(|e| {
            e.status == http::StatusCode::NOT_FOUND || e.code.starts_with("NoSuch")
        })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidBucketName { name, reason } => {
                write!(f, "invalid bucket name {name:?}: {reason}")
            }
            Error::InvalidObjectKey { key, reason } => {
                write!(f, "invalid object key {key:?}: {reason}")
            }
            Error::InvalidRegion { region } => {
                write!(f, "invalid region id {region:?}: expected [a-z0-9-]+")
            }
            Error::InvalidEndpoint { endpoint, reason } => {
                write!(f, "invalid endpoint {endpoint:?}: {reason}")
            }
            Error::InvalidArgument { field, message } => {
                write!(f, "invalid argument `{field}`: {message}")
            }
            Error::PresignExpiryTooLong {
                requested_secs,
                max_secs,
            } => write!(
                f,
                "presign expiry of {requested_secs} s exceeds the maximum of {max_secs} s"
            ),
            Error::MissingHeader { operation, header } => {
                write!(f, "{operation} response lacks the `{header}` header")
            }
            Error::InvalidResponse {
                operation,
                message,
                request_id,
            } => {
                write!(f, "invalid {operation} response: {message}")?;
                match request_id {
                    Some(id) => write!(f, " (request id {id})"),
                    None => Ok(()),
                }
            }
            Error::Service(e) => fmt::Display::fmt(e, f),
            Error::ChecksumMismatch {
                algorithm,
                expected,
                actual,
            } => write!(
                f,
                "{algorithm} checksum mismatch: expected {expected}, computed {actual}"
            ),
            Error::PaginationStalled { operation } => write!(
                f,
                "{operation} response is truncated but names no marker to continue from"
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Service(e) => Some(e.as_ref()),
            _ => None,
        }
    }
}

impl From<ServiceError> for Error {
    fn from(e: ServiceError) -> Self {
        Error::Service(Box::new(e))
    }
}

/// An error response of the service: the `<Error>` document, the `x-oss-err` header, or what
/// could be gathered from the status and headers when neither is readable.
///
/// Fields OSS sends beyond the common ones (`StringToSign`, `CanonicalRequest`, `BucketName`,
/// `RecommendDoc`, ...) are kept in [`ServiceError::extra`], keyed by element name.
///
/// ```
/// use oss_proto::ServiceError;
/// let mut e = ServiceError::new(403);
/// e.code = "AccessDenied".into();
/// e.request_id = "5C3D9175B6FC201293AD4890".into();
/// assert_eq!(
///     e.to_string(),
///     "OSS error 403 AccessDenied (request id 5C3D9175B6FC201293AD4890)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceError {
    /// The HTTP status.
    pub status: http::StatusCode,
    /// The error code, e.g. `NoSuchKey`; empty when the response carried none.
    pub code: String,
    /// The human-readable message; empty when the response carried none.
    pub message: String,
    /// The request id (`RequestId` element or `x-oss-request-id` header).
    pub request_id: String,
    /// The host that answered (`HostId`).
    pub host_id: String,
    /// The detailed error code (`EC` element or `x-oss-ec` header), e.g. `0026-00000001`.
    pub ec: Option<String>,
    /// Every other element of the error document, by name.
    pub extra: BTreeMap<String, String>,
}

impl ServiceError {
    /// An error with only a status; a status that is not a valid HTTP status becomes 500.
    pub fn new(status: u16) -> Self {
        ServiceError {
            status: http::StatusCode::from_u16(status)
                .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
            code: String::new(),
            message: String::new(),
            request_id: String::new(),
            host_id: String::new(),
            ec: None,
            extra: BTreeMap::new(),
        }
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OSS error {}", self.status.as_u16())?;
        if !self.code.is_empty() {
            write!(f, " {}", self.code)?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        let mut details = Vec::new();
        if !self.request_id.is_empty() {
            details.push(format!("request id {}", self.request_id));
        }
        if let Some(ec) = &self.ec {
            details.push(format!("EC {ec}"));
        }
        if !details.is_empty() {
            write!(f, " ({})", details.join(", "))?;
        }
        Ok(())
    }
}

impl std::error::Error for ServiceError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_by_status_or_code() {
        let mut e = ServiceError::new(400);
        e.code = "NoSuchUpload".into();
        assert!(Error::from(e).is_not_found());
        assert!(Error::from(ServiceError::new(404)).is_not_found());
        assert!(!Error::invalid_argument("x", "y").is_not_found());
    }

    #[test]
    fn accessors_on_non_service_errors_are_none() {
        let e = Error::invalid_response("ListObjects", "bad xml");
        assert_eq!(e.code(), None);
        assert_eq!(e.request_id(), None);
        assert_eq!(e.status(), None);
    }

    #[test]
    fn display_includes_ec_and_message() {
        let mut e = ServiceError::new(404);
        e.code = "NoSuchKey".into();
        e.message = "The specified key does not exist.".into();
        e.request_id = "abc".into();
        e.ec = Some("0026-00000001".into());
        assert_eq!(
            e.to_string(),
            "OSS error 404 NoSuchKey: The specified key does not exist. (request id abc, EC 0026-00000001)"
        );
    }

    #[test]
    fn invalid_status_becomes_500() {
        assert_eq!(ServiceError::new(42).status, 500);
    }
}
