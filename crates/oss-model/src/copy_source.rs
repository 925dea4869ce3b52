//! The source of a copy (`x-oss-copy-source` of CopyObject and UploadPartCopy): a bucket, a key
//! and optionally a version, encoded once when the header is written.

use std::borrow::Cow;
use std::fmt::{self, Write as _};

use crate::error::ValueError;
use crate::value::TextValue;

/// The object a copy reads from.
///
/// The header form is `/<bucket>/<key>[?versionId=<id>]` with the key percent-encoded (every
/// byte but unreserved characters and `/`, so spaces, `+`, `?`, `%` and non-ASCII keys survive)
/// and the version id encoded as a query value. Build it from the plain names; never encode the
/// key yourself.
///
/// ```
/// use oss_model::CopySource;
/// use oss_model::value::TextValue;
///
/// let source = CopySource::new("examplebucket", "dir/a b+c?.txt");
/// assert_eq!(source.to_text(), "/examplebucket/dir/a%20b%2Bc%3F.txt");
///
/// let versioned = CopySource::new("examplebucket", "中文.txt").version_id("CAEQ+id");
/// assert_eq!(versioned.to_text(), "/examplebucket/%E4%B8%AD%E6%96%87.txt?versionId=CAEQ%2Bid");
///
/// // Reading the header decodes it exactly once.
/// assert_eq!(CopySource::from_text(&versioned.to_text()).unwrap(), versioned);
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CopySource {
    bucket: String,
    key: String,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    version_id: Option<String>,
}

impl CopySource {
    /// The current version of `key` in `bucket` (plain, unencoded names).
    pub fn new(bucket: impl Into<String>, key: impl Into<String>) -> Self {
        CopySource {
            bucket: bucket.into(),
            key: key.into(),
            version_id: None,
        }
    }

    /// Copies this version of the object (versioned buckets).
    #[must_use]
    pub fn version_id(mut self, version_id: impl Into<String>) -> Self {
        self.version_id = Some(version_id.into());
        self
    }

    /// The source bucket.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The source key, unencoded.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The source version, when one was chosen.
    pub fn version(&self) -> Option<&str> {
        self.version_id.as_deref()
    }
}

impl fmt::Debug for CopySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CopySource")
            .field("bucket", &self.bucket)
            .field("key", &self.key)
            .field("version_id", &self.version_id)
            .finish()
    }
}

impl fmt::Display for CopySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl<B: Into<String>, K: Into<String>> From<(B, K)> for CopySource {
    fn from((bucket, key): (B, K)) -> Self {
        CopySource::new(bucket, key)
    }
}

/// Percent-encodes every byte but unreserved characters (and `/` when `keep_slash`).
fn encode(out: &mut String, text: &str, keep_slash: bool) {
    for b in text.bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'.' | b'~')
            || (keep_slash && b == b'/')
        {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

/// Decodes `%XX` escapes only (`+` stays a plus: this is a path, not a form).
fn decode(text: &str) -> Result<String, ValueError> {
    let err = || ValueError::new("percent-encoded copy source", text);
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = |j: usize| {
                b.get(j)
                    .and_then(|c| char::from(*c).to_digit(16))
                    .ok_or_else(err)
            };
            let (hi, lo) = (hex(i + 1)?, hex(i + 2)?);
            out.push(u8::try_from(hi * 16 + lo).map_err(|_| err())?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| err())
}

impl TextValue for CopySource {
    fn to_text(&self) -> Cow<'_, str> {
        let mut out = String::with_capacity(self.bucket.len() + self.key.len() * 3 + 2);
        out.push('/');
        out.push_str(&self.bucket);
        out.push('/');
        encode(&mut out, &self.key, true);
        if let Some(v) = &self.version_id {
            out.push_str("?versionId=");
            encode(&mut out, v, false);
        }
        Cow::Owned(out)
    }

    fn from_text(text: &str) -> Result<Self, ValueError> {
        let err = || ValueError::new("copy source `/bucket/key[?versionId=id]`", text);
        let (path, version) = match text.split_once('?') {
            Some((path, query)) => {
                let v = query.strip_prefix("versionId=").ok_or_else(err)?;
                (path, Some(decode(v)?))
            }
            None => (text, None),
        };
        let path = path.strip_prefix('/').unwrap_or(path);
        let (bucket, key) = path
            .split_once('/')
            .filter(|(b, k)| !b.is_empty() && !k.is_empty())
            .ok_or_else(err)?;
        Ok(CopySource {
            bucket: decode(bucket)?,
            key: decode(key)?,
            version_id: version,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_need_encoding_round_trip() {
        for key in [
            "a b",
            "a+b",
            "a?b",
            "100%",
            "中文/ключ/🎉.txt",
            "dir//double",
            "&=#;,",
        ] {
            let s = CopySource::new("b", key).version_id("v+1/2");
            let text = s.to_text();
            assert!(!text[3..].contains(' '), "{text}");
            assert!(!text.contains("a+b"), "{text}");
            assert_eq!(CopySource::from_text(&text).unwrap(), s, "{text}");
        }
    }

    #[test]
    fn matches_the_official_sdks_form() {
        // The Go and Python SDKs encode the key as a path (`/` kept) and the version as a value.
        assert_eq!(
            CopySource::new("bkt", "a/b c+d?e").to_text(),
            "/bkt/a/b%20c%2Bd%3Fe"
        );
        assert_eq!(
            CopySource::new("bkt", "k").version_id("CAEQ/x=").to_text(),
            "/bkt/k?versionId=CAEQ%2Fx%3D"
        );
    }

    #[test]
    fn malformed_headers_are_typed_errors() {
        for bad in [
            "",
            "/",
            "/b",
            "/b/",
            "//k",
            "/b/k?other=1",
            "/b/%zz",
            "/b/%FF",
        ] {
            assert!(CopySource::from_text(bad).is_err(), "{bad}");
        }
        // `+` in the header is a plus, not a space.
        assert_eq!(CopySource::from_text("/b/a+b").unwrap().key(), "a+b");
    }
}
