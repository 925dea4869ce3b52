//! The tool's errors and the exit codes they map to.

use std::fmt;

/// The process exit codes (ossutil's, plus 4 and 5 for batches and interruptions).
///
/// ```text
/// 0 ok · 1 bad parameters · 2 server error · 3 client error · 4 some objects failed · 5 interrupted
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExitCode {
    /// Everything done.
    Ok = 0,
    /// Bad command-line parameters or configuration.
    Usage = 1,
    /// OSS answered with an error.
    Server = 2,
    /// A local failure: network, files, credentials, integrity.
    Client = 3,
    /// Some objects of a batch failed; the others were done.
    Partial = 4,
    /// Interrupted (Ctrl-C); checkpoints are left to resume from.
    Interrupted = 5,
}

/// Everything a command can fail with.
#[derive(Debug)]
#[non_exhaustive]
pub(crate) enum CliError {
    /// A bad argument or configuration.
    Usage(String),
    /// A call to OSS failed.
    Oss {
        /// What was being done (`stat oss://b/k`).
        context: String,
        /// The client's error.
        source: oss_client::Error,
    },
    /// A managed transfer (upload, download, copy) failed.
    Transfer {
        /// What was being done.
        context: String,
        /// The transfer's error.
        source: oss_transfer::Error,
    },
    /// A local file could not be read or written.
    Io {
        /// What was being done.
        context: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Data differed from what was expected (a `check` or `hash` mismatch, a bad download).
    Integrity(String),
    /// Some objects of a batch failed (they were reported as they failed).
    Partial {
        /// How many failed.
        failed: usize,
        /// How many were done.
        done: usize,
    },
    /// Every object of a batch failed (each was reported as it failed): the batch did nothing,
    /// so the exit code is its failures' class (1, 2 or 3), not 4.
    AllFailed {
        /// How many failed.
        failed: usize,
        /// The exit code of the first failure.
        class: ExitCode,
    },
    /// `check` found differences (each was listed).
    Differ {
        /// How many paths differ.
        differ: usize,
        /// How many could not be compared.
        unchecked: usize,
    },
    /// Interrupted by Ctrl-C.
    Interrupted,
}

impl CliError {
    /// A usage error.
    pub(crate) fn usage(msg: impl Into<String>) -> Self {
        CliError::Usage(msg.into())
    }

    /// An OSS call's error, with context.
    pub(crate) fn oss(context: impl Into<String>, source: oss_client::Error) -> Self {
        CliError::Oss {
            context: context.into(),
            source,
        }
    }

    /// A transfer's error, with context.
    pub(crate) fn transfer(context: impl Into<String>, source: oss_transfer::Error) -> Self {
        CliError::Transfer {
            context: context.into(),
            source,
        }
    }

    /// An I/O error, with context.
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        CliError::Io {
            context: context.into(),
            source,
        }
    }

    /// The exit code this error ends the process with.
    pub(crate) fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Usage(_) => ExitCode::Usage,
            CliError::Oss { source, .. } => oss_exit_code(source),
            CliError::Transfer { source, .. } => match source {
                oss_transfer::Error::Client(e) => oss_exit_code(e),
                _ => ExitCode::Client,
            },
            CliError::Io { .. } | CliError::Integrity(_) => ExitCode::Client,
            CliError::Partial { .. } | CliError::Differ { .. } => ExitCode::Partial,
            CliError::AllFailed { class, .. } => *class,
            CliError::Interrupted => ExitCode::Interrupted,
        }
    }
}

/// 2 when OSS answered with an error, 1 for input the client refused to send, else 3.
fn oss_exit_code(e: &oss_client::Error) -> ExitCode {
    if e.service_error().is_some() {
        return ExitCode::Server;
    }
    match e {
        oss_client::Error::InvalidConfig { .. } => ExitCode::Usage,
        oss_client::Error::Protocol(
            oss_proto::Error::InvalidArgument { .. }
            | oss_proto::Error::InvalidBucketName { .. }
            | oss_proto::Error::InvalidObjectKey { .. },
        ) => ExitCode::Usage,
        _ => ExitCode::Client,
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(msg) => write!(f, "{msg}"),
            CliError::Oss { context, source } => fmt_oss(f, context, source),
            CliError::Transfer { context, source } => match source {
                oss_transfer::Error::Client(e) => fmt_oss(f, context, e),
                other => write!(f, "{context}: {other}"),
            },
            CliError::Io { context, source } => write!(f, "{context}: {source}"),
            CliError::Integrity(msg) => write!(f, "{msg}"),
            CliError::Partial { failed, done } => {
                write!(f, "{failed} object(s) failed, {done} done")
            }
            CliError::AllFailed { failed: 1, .. } => write!(f, "the one object failed, none done"),
            CliError::AllFailed { failed, .. } => {
                write!(f, "all {failed} objects failed, none done")
            }
            CliError::Differ { differ, unchecked } => {
                write!(f, "{differ} path(s) differ")?;
                if *unchecked > 0 {
                    write!(f, ", {unchecked} could not be compared")?;
                }
                Ok(())
            }
            CliError::Interrupted => write!(f, "interrupted"),
        }
    }
}

/// `context: 404 NoSuchKey (message), request id ...` for service errors, else the error.
fn fmt_oss(f: &mut fmt::Formatter<'_>, context: &str, source: &oss_client::Error) -> fmt::Result {
    match source.service_error() {
        Some(se) => write!(
            f,
            "{context}: {} {} ({}){}",
            se.status.as_u16(),
            se.code,
            se.message,
            if se.request_id.is_empty() {
                String::new()
            } else {
                format!(", request id {}", se.request_id)
            }
        ),
        None => write!(f, "{context}: {source}"),
    }
}

impl std::error::Error for CliError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CliError::Oss { source, .. } => Some(source),
            CliError::Transfer { source, .. } => Some(source),
            CliError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The result of a command.
pub(crate) type CliResult<T = ()> = Result<T, CliError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes() {
        assert_eq!(CliError::usage("x").exit_code() as i32, 1);
        assert_eq!(
            CliError::io("x", std::io::Error::other("y")).exit_code() as i32,
            3
        );
        assert_eq!(
            CliError::Partial { failed: 1, done: 2 }.exit_code() as i32,
            4
        );
        let differ = CliError::Differ {
            differ: 2,
            unchecked: 1,
        };
        assert_eq!(differ.exit_code() as i32, 4);
        assert_eq!(
            differ.to_string(),
            "2 path(s) differ, 1 could not be compared"
        );
        assert_eq!(CliError::Interrupted.exit_code() as i32, 5);
        let all = CliError::AllFailed {
            failed: 3,
            class: ExitCode::Server,
        };
        assert_eq!(all.exit_code() as i32, 2);
        assert_eq!(all.to_string(), "all 3 objects failed, none done");
    }
}
