//! Command-line locations: `oss://bucket/key`, local paths, and `-`.

use std::fmt;
use std::path::PathBuf;

use crate::error::{CliError, CliResult};

/// An object location, `oss://bucket[/key]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OssUrl {
    /// The bucket.
    pub(crate) bucket: String,
    /// The key or prefix (may be empty).
    pub(crate) key: String,
}

impl OssUrl {
    /// Parses `oss://bucket[/key]`.
    pub(crate) fn parse(text: &str) -> CliResult<Self> {
        let rest = text
            .strip_prefix("oss://")
            .ok_or_else(|| CliError::usage(format!("{text:?} is not an oss://bucket[/key] URL")))?;
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(CliError::usage(format!("{text:?} names no bucket")));
        }
        Ok(OssUrl {
            bucket: bucket.to_string(),
            key: key.to_string(),
        })
    }

    /// Like [`parse`](Self::parse), and the key must not be empty.
    pub(crate) fn parse_object(text: &str) -> CliResult<Self> {
        let url = Self::parse(text)?;
        if url.key.is_empty() {
            return Err(CliError::usage(format!("{text:?} names no object")));
        }
        Ok(url)
    }

    /// The same bucket with another key.
    pub(crate) fn with_key(&self, key: impl Into<String>) -> Self {
        OssUrl {
            bucket: self.bucket.clone(),
            key: key.into(),
        }
    }

    /// The key as a folder prefix: empty, or ending in `/`.
    pub(crate) fn dir_prefix(&self) -> String {
        if self.key.is_empty() || self.key.ends_with('/') {
            self.key.clone()
        } else {
            format!("{}/", self.key)
        }
    }
}

impl fmt::Display for OssUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "oss://{}/{}", self.bucket, self.key)
    }
}

/// A source or destination of `cp` and `sync`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Location {
    /// `oss://...`.
    Oss(OssUrl),
    /// A local file or folder.
    Local(PathBuf),
    /// `-`: standard input or output.
    Stdio,
}

impl Location {
    /// Parses an argument.
    pub(crate) fn parse(text: &str) -> CliResult<Self> {
        if text == "-" {
            Ok(Location::Stdio)
        } else if text.starts_with("oss://") {
            Ok(Location::Oss(OssUrl::parse(text)?))
        } else if text.contains("://") {
            Err(CliError::usage(format!(
                "{text:?}: only oss:// URLs and local paths are supported"
            )))
        } else {
            Ok(Location::Local(PathBuf::from(text)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse() {
        let u = OssUrl::parse("oss://b/a/b c/ü.txt").unwrap();
        assert_eq!(u.bucket, "b");
        assert_eq!(u.key, "a/b c/ü.txt");
        assert_eq!(OssUrl::parse("oss://b").unwrap().key, "");
        assert_eq!(OssUrl::parse("oss://b/dir").unwrap().dir_prefix(), "dir/");
        assert!(OssUrl::parse("oss:///k").is_err());
        assert!(OssUrl::parse("s3://b/k").is_err());
        assert!(OssUrl::parse_object("oss://b/").is_err());
        assert_eq!(Location::parse("-").unwrap(), Location::Stdio);
        assert!(matches!(
            Location::parse("./x").unwrap(),
            Location::Local(_)
        ));
        assert!(Location::parse("http://x/y").is_err());
    }
}
