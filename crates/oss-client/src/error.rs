//! The client's error type.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::credentials::CredentialsError;

/// A boxed error from a lower layer (hyper, rustls, I/O).
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Which deadline passed.
///
/// ```
/// use oss_client::TimeoutKind;
/// assert_eq!(TimeoutKind::Connect.to_string(), "connect");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// Establishing the connection (TCP + TLS).
    Connect,
    /// Waiting for the response head or the next piece of a response body.
    Read,
    /// The whole operation, retries included.
    Operation,
}

impl fmt::Display for TimeoutKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeoutKind::Connect => "connect",
            TimeoutKind::Read => "read",
            TimeoutKind::Operation => "operation",
        })
    }
}

/// Everything a client call can fail with.
///
/// ```
/// use oss_client::Error;
/// let err = Error::from(oss_proto::Error::invalid_argument("bucket", "is required"));
/// assert!(err.to_string().contains("bucket"));
/// assert!(!err.is_not_found());
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// Bad input, an unreadable response, a checksum mismatch, or an error the service returned
    /// (see [`Error::service_error`]).
    Protocol(oss_proto::Error),
    /// No credentials could be obtained.
    Credentials(CredentialsError),
    /// The request could not be signed.
    Sign {
        /// Why.
        reason: String,
    },
    /// The request could not be sent or the response not received.
    Transport {
        /// The operation.
        operation: &'static str,
        /// The underlying error.
        source: BoxError,
    },
    /// A SOCKS5 proxy refused the connection: bad credentials, a rule, an unreachable target
    /// (the proxy is named, without credentials).
    Proxy {
        /// The operation.
        operation: &'static str,
        /// What the proxy answered.
        source: crate::transport::ProxyError,
    },
    /// A deadline passed.
    Timeout {
        /// Which deadline.
        kind: TimeoutKind,
        /// Its length.
        after: Duration,
    },
    /// A local file could not be read or written.
    Io {
        /// The file, when there is one.
        path: Option<PathBuf>,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The client configuration is unusable.
    InvalidConfig {
        /// What is wrong.
        reason: String,
    },
    /// A 3xx redirect the client did not follow (another origin, another bucket, a method
    /// change, too many in a row): its status, `Location` and error document.
    Redirect(Box<crate::Redirect>),
    /// A SelectObject or CreateSelectObjectMeta response body could not be read: a frame
    /// whose payload CRC-32 is wrong, an unknown frame, a body cut short.
    SelectFrame(oss_proto::select_frame::SelectFrameError),
    /// A SelectObject or CreateSelectObjectMeta scan failed after its response had started:
    /// the status and message of its end frame.
    SelectFailed {
        /// The status the end frame carries.
        status: u32,
        /// The end frame's error message.
        message: String,
    },
    /// A [`blocking`](crate::blocking) client call (or a read of its response body, or a page
    /// of its paginator) was made on a thread inside an async runtime, where it would block
    /// that runtime's thread. Nothing was sent; use the async client with `.await` there, or
    /// make the call from a thread outside the runtime.
    #[non_exhaustive]
    BlockingInAsyncContext {
        /// The operation (or `read` of its body) that was refused.
        operation: &'static str,
    },
}

impl Error {
    /// The service's error document, when the service answered with an error.
    pub fn service_error(&self) -> Option<&oss_proto::ServiceError> {
        match self {
            Error::Protocol(e) => e.service_error(),
            Error::Redirect(r) => Some(r.service_error()),
            _ => None,
        }
    }

    /// The service's error code (`NoSuchKey`, ...), when there is one.
    pub fn code(&self) -> Option<&str> {
        self.service_error().map(|e| e.code.as_str())
    }

    /// The HTTP status of a service error.
    pub fn status(&self) -> Option<http::StatusCode> {
        self.service_error().map(|e| e.status)
    }

    /// True for 404-class service errors (no such bucket, key, configuration).
    pub fn is_not_found(&self) -> bool {
        match self {
            Error::Protocol(e) => e.is_not_found(),
            _ => false,
        }
    }

    /// The redirect, when the service answered with one the client did not follow.
    pub fn redirect(&self) -> Option<&crate::Redirect> {
        match self {
            Error::Redirect(r) => Some(r),
            _ => None,
        }
    }

    /// True when transferred data failed its integrity check (CRC-64 or Content-MD5).
    pub fn is_checksum_mismatch(&self) -> bool {
        matches!(
            self,
            Error::Protocol(oss_proto::Error::ChecksumMismatch { .. })
        )
    }

    /// The error of an [`HttpClient`](crate::transport::HttpClient) failure in `operation`.
    pub(crate) fn from_http(operation: &'static str, e: crate::transport::HttpError) -> Self {
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        while let Some(c) = cause {
            if let Some(p) = c.downcast_ref::<crate::transport::ProxyError>() {
                return Error::Proxy {
                    operation,
                    source: p.clone(),
                };
            }
            cause = c.source();
        }
        match e.kind() {
            crate::transport::HttpErrorKind::ConnectTimeout(after) => Error::Timeout {
                kind: TimeoutKind::Connect,
                after,
            },
            _ => Error::Transport {
                operation,
                source: Box::new(e),
            },
        }
    }

    pub(crate) fn io(path: Option<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path, source }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Protocol(e) => e.fmt(f),
            Error::Credentials(e) => e.fmt(f),
            Error::Sign { reason } => write!(f, "cannot sign the request: {reason}"),
            Error::Transport { operation, source } => {
                write!(f, "{operation}: transport error: {source}")?;
                let mut cause = source.source();
                while let Some(c) = cause {
                    write!(f, ": {c}")?;
                    cause = c.source();
                }
                Ok(())
            }
            Error::Proxy { operation, source } => write!(f, "{operation}: {source}"),
            Error::Timeout { kind, after } => write!(f, "{kind} timeout after {after:?}"),
            Error::Io {
                path: Some(p),
                source,
            } => write!(f, "{}: {source}", p.display()),
            Error::Io { path: None, source } => write!(f, "I/O error: {source}"),
            Error::InvalidConfig { reason } => write!(f, "invalid client configuration: {reason}"),
            Error::Redirect(r) => r.fmt(f),
            Error::SelectFrame(e) => e.fmt(f),
            Error::SelectFailed { status, message } => {
                write!(f, "the select scan failed with status {status}: {message}")
            }
            Error::BlockingInAsyncContext { operation } => write!(
                f,
                "{operation}: the blocking client was called on a thread inside an async runtime, \
                 where it would block the runtime; use the async client (`blocking::Client::as_async`) \
                 with `.await` there, or call from a thread outside the runtime"
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Protocol(e) => Some(e),
            Error::Credentials(e) => Some(e),
            Error::Transport { source, .. } => Some(source.as_ref()),
            Error::Proxy { source, .. } => Some(source),
            Error::Io { source, .. } => Some(source),
            Error::SelectFrame(e) => Some(e),
            _ => None,
        }
    }
}

impl From<oss_proto::Error> for Error {
    fn from(e: oss_proto::Error) -> Self {
        Error::Protocol(e)
    }
}

impl From<CredentialsError> for Error {
    fn from(e: CredentialsError) -> Self {
        Error::Credentials(e)
    }
}

impl From<Error> for std::io::Error {
    fn from(e: Error) -> Self {
        match e {
            Error::Io { source, .. } => source,
            Error::Timeout { .. } => std::io::Error::new(std::io::ErrorKind::TimedOut, e),
            other => std::io::Error::other(other),
        }
    }
}
