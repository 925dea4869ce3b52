//! Why a credentials provider could not produce credentials.

use std::fmt;

/// Why a [`CredentialsProvider`](super::CredentialsProvider) failed. Messages name the provider
/// and never contain a secret.
///
/// ```
/// use oss_client::credentials::CredentialsError;
/// let err = CredentialsError::NotConfigured { provider: "environment", reason: "OSS_ACCESS_KEY_ID is not set".into() };
/// assert!(err.to_string().contains("environment"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum CredentialsError {
    /// The provider has nothing to offer here (variables unset, no file, no profile). A chain
    /// moves on to its next provider.
    NotConfigured {
        /// The provider's name.
        provider: &'static str,
        /// What is missing.
        reason: String,
    },
    /// A configuration value is present but unusable.
    InvalidConfig {
        /// The provider's name.
        provider: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// Reading a local file failed.
    Io {
        /// The provider's name.
        provider: &'static str,
        /// The file.
        path: std::path::PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The request to a credentials service could not be sent or its response not read.
    Http {
        /// The provider's name.
        provider: &'static str,
        /// What was being fetched (a URL without query).
        target: String,
        /// The transport error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A credentials service answered with an error.
    Service {
        /// The provider's name.
        provider: &'static str,
        /// The HTTP status.
        status: u16,
        /// The service's error code, if the body had one.
        code: Option<String>,
        /// The service's message or the body's start.
        message: String,
    },
    /// A response or process output could not be understood.
    InvalidResponse {
        /// The provider's name.
        provider: &'static str,
        /// What was wrong with it.
        reason: String,
    },
    /// The request or process took too long.
    Timeout {
        /// The provider's name.
        provider: &'static str,
    },
    /// Every provider of a chain failed.
    Chain {
        /// Each provider's failure, in order.
        errors: Vec<CredentialsError>,
    },
}

impl CredentialsError {
    /// True when the provider simply is not configured, so a chain should try the next one.
    pub fn is_not_configured(&self) -> bool {
        matches!(self, CredentialsError::NotConfigured { .. })
    }
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialsError::NotConfigured { provider, reason } => {
                write!(f, "{provider} credentials not configured: {reason}")
            }
            CredentialsError::InvalidConfig { provider, reason } => {
                write!(f, "invalid {provider} credentials configuration: {reason}")
            }
            CredentialsError::Io {
                provider,
                path,
                source,
            } => write!(
                f,
                "{provider} credentials: cannot read {}: {source}",
                path.display()
            ),
            CredentialsError::Http {
                provider,
                target,
                source,
            } => write!(
                f,
                "{provider} credentials: request to {target} failed: {source}"
            ),
            CredentialsError::Service {
                provider,
                status,
                code,
                message,
            } => {
                write!(f, "{provider} credentials: service answered {status}")?;
                if let Some(code) = code {
                    write!(f, " {code}")?;
                }
                write!(f, ": {message}")
            }
            CredentialsError::InvalidResponse { provider, reason } => {
                write!(f, "{provider} credentials: invalid response: {reason}")
            }
            CredentialsError::Timeout { provider } => {
                write!(f, "{provider} credentials: timed out")
            }
            CredentialsError::Chain { errors } => {
                write!(f, "no credentials provider in the chain succeeded")?;
                for (i, e) in errors.iter().enumerate() {
                    write!(f, "{} {e}", if i == 0 { ":" } else { ";" })?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for CredentialsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CredentialsError::Io { source, .. } => Some(source),
            CredentialsError::Http { source, .. } => Some(source.as_ref()),
            _ => None,
        }
    }
}
