//! Access keys: the access key id, its secret and an optional STS security token.

use std::fmt;

/// The access key a request is signed with.
///
/// `Debug` and `Display` show the access key id only; the secret and the security token are
/// always redacted.
///
/// ```
/// use oss_sign::Credentials;
///
/// let creds = Credentials::new("LTAI5tExample", "very-secret").with_security_token("sts-token");
/// assert_eq!(creds.access_key_id(), "LTAI5tExample");
/// let shown = format!("{creds:?} {creds}");
/// assert!(!shown.contains("very-secret") && !shown.contains("sts-token"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: String,
    access_key_secret: String,
    security_token: Option<String>,
}

impl Credentials {
    /// Long-lived credentials: an access key id and its secret.
    ///
    /// ```
    /// let creds = oss_sign::Credentials::new("ak", "sk");
    /// assert!(creds.security_token().is_none());
    /// ```
    pub fn new(access_key_id: impl Into<String>, access_key_secret: impl Into<String>) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            access_key_secret: access_key_secret.into(),
            security_token: None,
        }
    }

    /// Adds an STS security token (temporary credentials). The signers send it as
    /// `x-oss-security-token` (header signing) or as a query parameter (presigning).
    ///
    /// ```
    /// let creds = oss_sign::Credentials::new("STS.ak", "sk").with_security_token("token");
    /// assert_eq!(creds.security_token(), Some("token"));
    /// ```
    #[must_use]
    pub fn with_security_token(mut self, token: impl Into<String>) -> Self {
        self.security_token = Some(token.into());
        self
    }

    /// The access key id (not secret).
    ///
    /// ```
    /// assert_eq!(oss_sign::Credentials::new("ak", "sk").access_key_id(), "ak");
    /// ```
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The access key secret. Sensitive: never log or display it.
    ///
    /// ```
    /// assert_eq!(oss_sign::Credentials::new("ak", "sk").access_key_secret(), "sk");
    /// ```
    pub fn access_key_secret(&self) -> &str {
        &self.access_key_secret
    }

    /// The STS security token, if these are temporary credentials. Sensitive.
    ///
    /// ```
    /// assert_eq!(oss_sign::Credentials::new("ak", "sk").security_token(), None);
    /// ```
    pub fn security_token(&self) -> Option<&str> {
        self.security_token.as_deref()
    }

    /// Checks what every signer needs: a non-empty key id and secret.
    pub(crate) fn check(&self) -> Result<(), crate::SignError> {
        if self.access_key_id.is_empty() {
            return Err(crate::SignError::InvalidCredentials {
                reason: "the access key id is empty",
            });
        }
        if self.access_key_secret.is_empty() {
            return Err(crate::SignError::InvalidCredentials {
                reason: "the access key secret is empty",
            });
        }
        Ok(())
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"<redacted>")
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "access key {} (secret redacted)", self.access_key_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_redact_secret_and_token() {
        let creds = Credentials::new("AKID", "s3cr3t-value").with_security_token("tok-123");
        for shown in [
            format!("{creds:?}"),
            format!("{creds:#?}"),
            creds.to_string(),
        ] {
            assert!(shown.contains("AKID"), "{shown}");
            assert!(!shown.contains("s3cr3t-value"), "{shown}");
            assert!(!shown.contains("tok-123"), "{shown}");
        }
    }

    #[test]
    fn empty_parts_are_rejected() {
        assert!(Credentials::new("", "sk").check().is_err());
        assert!(Credentials::new("ak", "").check().is_err());
        assert!(Credentials::new("ak", "sk").check().is_ok());
    }
}
