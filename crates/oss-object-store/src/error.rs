//! Mapping the client's errors onto `object_store::Error`.

use std::fmt;

/// The name the adapter reports as `store` in `object_store::Error::Generic`.
pub(crate) const STORE: &str = "OSS";

/// What went wrong inside the adapter itself (not in the service or the client): a response
/// that cannot be turned into `object_store` types, or configuration that cannot be used.
///
/// It reaches callers inside `object_store::Error::Generic { store: "OSS", .. }`.
///
/// ```
/// use oss_object_store::AdapterError;
/// let err = AdapterError::InvalidUrl { url: "s3://b".into(), reason: "the scheme must be oss" };
/// assert_eq!(err.to_string(), "invalid OSS URL `s3://b`: the scheme must be oss");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AdapterError {
    /// The URL given to the builder is not `oss://bucket[/prefix]`.
    InvalidUrl {
        /// The rejected URL.
        url: String,
        /// Why.
        reason: &'static str,
    },
    /// The builder lacks a setting it needs.
    MissingSetting {
        /// The setting (`bucket`, `region or endpoint`).
        setting: &'static str,
    },
    /// A response lacks a value the adapter needs (`Last-Modified`, a size, an ETag).
    MissingResponseValue {
        /// The operation.
        operation: &'static str,
        /// The missing value.
        what: &'static str,
    },
    /// A response value cannot be read (`Content-Range`).
    InvalidResponseValue {
        /// The operation.
        operation: &'static str,
        /// What is wrong.
        message: String,
    },
    /// OSS did not report a key of a batch delete as deleted.
    NotDeleted {
        /// The object key.
        key: String,
    },
    /// A multipart upload would need a part number OSS does not allow (1 to 10,000).
    TooManyParts {
        /// The zero-based part index asked for.
        index: usize,
    },
    /// `complete` was called while a part had not finished uploading (or had failed).
    PartMissing {
        /// The zero-based part index.
        index: usize,
    },
}

impl fmt::Display for AdapterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AdapterError::InvalidUrl { url, reason } => {
                write!(f, "invalid OSS URL `{url}`: {reason}")
            }
            AdapterError::MissingSetting { setting } => {
                write!(f, "the OSS store needs a {setting}")
            }
            AdapterError::MissingResponseValue { operation, what } => {
                write!(f, "{operation} response lacks {what}")
            }
            AdapterError::InvalidResponseValue { operation, message } => {
                write!(f, "invalid {operation} response: {message}")
            }
            AdapterError::NotDeleted { key } => {
                write!(f, "DeleteMultipleObjects did not report `{key}` as deleted")
            }
            AdapterError::TooManyParts { index } => write!(
                f,
                "part index {index} is beyond OSS's 10,000 parts per multipart upload"
            ),
            AdapterError::PartMissing { index } => {
                write!(
                    f,
                    "part {index} of the multipart upload has not been uploaded"
                )
            }
        }
    }
}

impl std::error::Error for AdapterError {}

impl From<AdapterError> for object_store::Error {
    fn from(e: AdapterError) -> Self {
        object_store::Error::Generic {
            store: STORE,
            source: Box::new(e),
        }
    }
}

/// Service codes meaning the request's credentials were not accepted (as opposed to accepted
/// but lacking permission).
const UNAUTHENTICATED_CODES: &[&str] = &[
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "InvalidSecurityToken",
    "SecurityTokenExpired",
    "AccessKeyIdDisabled",
    "RequestTimeTooSkewed",
    "InvalidObjectState.AuthFailed",
];

/// Maps a client error about `path` (the object_store path, for the error message) to
/// `object_store::Error`: 404 → `NotFound`, `FileAlreadyExists` → `AlreadyExists`, 412 →
/// `Precondition`, 304 → `NotModified`, rejected credentials → `Unauthenticated`, other 403s →
/// `PermissionDenied`, everything else → `Generic`.
pub(crate) fn map_error(path: &str, e: oss_client::Error) -> object_store::Error {
    let path = path.to_owned();
    if let oss_client::Error::Credentials(_) = &e {
        return object_store::Error::Unauthenticated {
            path,
            source: Box::new(e),
        };
    }
    let (status, code) = match e.service_error() {
        Some(s) => (s.status.as_u16(), s.code.clone()),
        None => {
            return object_store::Error::Generic {
                store: STORE,
                source: Box::new(e),
            };
        }
    };
    let source = Box::new(e);
    match (status, code.as_str()) {
        (_, "FileAlreadyExists") | (409, "ObjectAlreadyExists") => {
            object_store::Error::AlreadyExists { path, source }
        }
        (404, _) | (_, "NoSuchKey") => object_store::Error::NotFound { path, source },
        (412, _) | (_, "PreconditionFailed") => object_store::Error::Precondition { path, source },
        (304, _) => object_store::Error::NotModified { path, source },
        (401, _) => object_store::Error::Unauthenticated { path, source },
        (403, c) if UNAUTHENTICATED_CODES.contains(&c) => {
            object_store::Error::Unauthenticated { path, source }
        }
        (403, _) => object_store::Error::PermissionDenied { path, source },
        _ => object_store::Error::Generic {
            store: STORE,
            source,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(status: u16, code: &str) -> oss_client::Error {
        let mut e = oss_proto::ServiceError::new(status);
        e.code = code.into();
        oss_client::Error::from(oss_proto::Error::from(e))
    }

    #[test]
    fn service_errors_map_to_object_store_kinds() {
        use object_store::Error as E;
        type Case = (u16, &'static str, fn(&E) -> bool);
        let cases: Vec<Case> = vec![
            (404, "NoSuchKey", |e| matches!(e, E::NotFound { .. })),
            (404, "NoSuchBucket", |e| matches!(e, E::NotFound { .. })),
            (409, "FileAlreadyExists", |e| {
                matches!(e, E::AlreadyExists { .. })
            }),
            (412, "PreconditionFailed", |e| {
                matches!(e, E::Precondition { .. })
            }),
            (304, "", |e| matches!(e, E::NotModified { .. })),
            (403, "AccessDenied", |e| {
                matches!(e, E::PermissionDenied { .. })
            }),
            (403, "SignatureDoesNotMatch", |e| {
                matches!(e, E::Unauthenticated { .. })
            }),
            (403, "InvalidAccessKeyId", |e| {
                matches!(e, E::Unauthenticated { .. })
            }),
            (500, "InternalError", |e| {
                matches!(e, E::Generic { store: "OSS", .. })
            }),
        ];
        for (status, code, check) in cases {
            let mapped = map_error("a/b", service(status, code));
            assert!(check(&mapped), "{status} {code}: {mapped:?}");
        }
    }

    #[test]
    fn not_found_names_the_path() {
        let mapped = map_error("dir/file.parquet", service(404, "NoSuchKey"));
        match mapped {
            object_store::Error::NotFound { path, .. } => assert_eq!(path, "dir/file.parquet"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn transport_failures_are_generic() {
        let e = oss_client::Error::Timeout {
            kind: oss_client::TimeoutKind::Read,
            after: std::time::Duration::from_secs(1),
        };
        assert!(matches!(
            map_error("k", e),
            object_store::Error::Generic { store: "OSS", .. }
        ));
    }
}
