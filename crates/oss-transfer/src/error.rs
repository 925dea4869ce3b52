//! The transfer managers' error type.

use std::fmt;
use std::path::PathBuf;

/// Everything a transfer can fail with.
///
/// ```
/// use oss_transfer::Error;
/// let err = Error::ChecksumMismatch { what: "download of b/k".into(), expected: 1, actual: 2 };
/// assert!(err.is_integrity_error());
/// assert!(err.to_string().contains("download of b/k"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A request failed (service error, transport, timeout, credentials, a per-request
    /// checksum mismatch); see [`oss_client::Error`].
    Client(oss_client::Error),
    /// A local file could not be read or written.
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The data transferred does not match the object's CRC-64 (the whole object's, combined
    /// from its parts or ranges).
    ChecksumMismatch {
        /// What was checked (`"upload of bucket/key"`, ...).
        what: String,
        /// The CRC-64 OSS reported.
        expected: u64,
        /// The CRC-64 of the data this transfer moved.
        actual: u64,
    },
    /// The object changed while it was being read: a ranged read conditional on the first
    /// ETag was refused, or the object's size or ETag differs from the checkpoint's.
    ObjectChanged {
        /// `bucket/key`.
        object: String,
        /// What differs.
        reason: String,
    },
    /// The source of an upload changed while it was being read (its size or modification
    /// time), or a stream ended before its declared length.
    SourceChanged {
        /// The source.
        source_name: String,
        /// What differs.
        reason: String,
    },
    /// A checkpoint file cannot be used for this transfer: it is unreadable, or it records a
    /// different source, destination, part size or object than the transfer being resumed.
    Checkpoint {
        /// The checkpoint file.
        path: PathBuf,
        /// Why it was refused.
        reason: String,
    },
    /// The request cannot be carried out as given (a range on a managed download, an object
    /// too large for 10,000 parts of the chosen size, ...).
    InvalidRequest {
        /// What is wrong.
        reason: String,
    },
}

impl Error {
    /// True when transferred data failed an integrity check: the whole-object CRC-64 here, or
    /// a per-request CRC-64 / Content-MD5 check in the client.
    pub fn is_integrity_error(&self) -> bool {
        match self {
            Error::ChecksumMismatch { .. } => true,
            Error::Client(e) => e.is_checksum_mismatch(),
            _ => false,
        }
    }

    /// The service's error code (`NoSuchKey`, ...), when a request failed with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Client(e) => e.code(),
            _ => None,
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn invalid(reason: impl Into<String>) -> Self {
        Error::InvalidRequest {
            reason: reason.into(),
        }
    }

    pub(crate) fn checkpoint(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Error::Checkpoint {
            path: path.into(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Client(e) => e.fmt(f),
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Error::ChecksumMismatch {
                what,
                expected,
                actual,
            } => write!(
                f,
                "{what}: CRC-64 mismatch (object {expected}, transferred data {actual})"
            ),
            Error::ObjectChanged { object, reason } => {
                write!(f, "{object} changed during the transfer: {reason}")
            }
            Error::SourceChanged {
                source_name,
                reason,
            } => write!(f, "{source_name} changed during the upload: {reason}"),
            Error::Checkpoint { path, reason } => {
                write!(f, "checkpoint {} refused: {reason}", path.display())
            }
            Error::InvalidRequest { reason } => write!(f, "invalid transfer request: {reason}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Client(e) => Some(e),
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<oss_client::Error> for Error {
    fn from(e: oss_client::Error) -> Self {
        Error::Client(e)
    }
}

impl From<Error> for std::io::Error {
    fn from(e: Error) -> Self {
        match e {
            Error::Io { source, .. } => source,
            other => std::io::Error::other(other),
        }
    }
}
