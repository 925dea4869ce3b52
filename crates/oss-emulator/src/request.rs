//! A received request, decoded: addressing (bucket, key, style), query pairs, headers, body.

use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, Method};
use percent_encoding::percent_decode_str;

use crate::checksum;
use crate::storage::{Data, Digests, StagedBody};

/// How the bucket was addressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// `http://host/bucket/key`.
    Path,
    /// `http://bucket.host/key`.
    VirtualHosted,
}

/// One request as the handlers see it.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub(crate) method: Method,
    pub(crate) bucket: Option<String>,
    pub(crate) key: Option<String>,
    /// Decoded query pairs in order; `None` for a valueless parameter.
    pub(crate) query: Vec<(String, Option<String>)>,
    pub(crate) headers: HeaderMap,
    /// The body in memory (empty when it was staged on disk).
    pub(crate) body: Bytes,
    /// The body, when it was streamed to a temporary file (object data on the disk store).
    pub(crate) staged: Option<Arc<StagedBody>>,
    /// The in-memory body's digests, when they were computed as it arrived (object data on the
    /// memory store).
    pub(crate) digests: Option<Digests>,
    /// The client's address (bucket policies' `acs:SourceIp`).
    pub(crate) peer: Option<std::net::IpAddr>,
}

/// Percent-decodes a path segment or query component (`+` only in queries).
pub(crate) fn decode(s: &str, plus_is_space: bool) -> String {
    if plus_is_space && s.contains('+') {
        let replaced = s.replace('+', " ");
        percent_decode_str(&replaced)
            .decode_utf8_lossy()
            .into_owned()
    } else {
        percent_decode_str(s).decode_utf8_lossy().into_owned()
    }
}

/// Splits a raw query into decoded pairs.
pub(crate) fn parse_query(raw: &str) -> Vec<(String, Option<String>)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (decode(k, true), Some(decode(v, true))),
            None => (decode(pair, true), None),
        })
        .collect()
}

fn is_ip(host: &str) -> bool {
    host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[')
}

/// Finds the bucket and key of a request. `bucket_exists` decides whether a Host's first
/// label names a bucket (virtual-hosted style).
pub(crate) fn address(
    host: Option<&str>,
    raw_path: &str,
    bucket_exists: impl Fn(&str) -> bool,
) -> (Option<String>, Option<String>, Style) {
    if let Some(host) = host {
        let host = match host.rsplit_once(':') {
            Some((h, port))
                if !host.starts_with('[') && port.chars().all(|c| c.is_ascii_digit()) =>
            {
                h
            }
            _ => host,
        };
        if !is_ip(host)
            && let Some((first, rest)) = host.split_once('.')
            && !rest.is_empty()
            && !is_ip(rest)
            && bucket_exists(first)
        {
            let key = raw_path.strip_prefix('/').unwrap_or(raw_path);
            let key = if key.is_empty() {
                None
            } else {
                Some(decode(key, false))
            };
            return (Some(first.to_owned()), key, Style::VirtualHosted);
        }
    }
    let trimmed = raw_path.strip_prefix('/').unwrap_or(raw_path);
    if trimmed.is_empty() {
        return (None, None, Style::Path);
    }
    match trimmed.split_once('/') {
        None => (Some(decode(trimmed, false)), None, Style::Path),
        Some((bucket, "")) => (Some(decode(bucket, false)), None, Style::Path),
        Some((bucket, key)) => (
            Some(decode(bucket, false)),
            Some(decode(key, false)),
            Style::Path,
        ),
    }
}

impl Request {
    /// The value of a query parameter (`Some("")` for a valueless one).
    pub(crate) fn q(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_deref().unwrap_or(""))
    }

    /// A header's value as text.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The SHA-256 digest of the body.
    pub(crate) fn body_sha256(&self) -> [u8; 32] {
        let staged_data;
        let data: &[u8] = match &self.staged {
            Some(staged) => match staged.sha256 {
                Some(digest) => return digest,
                // Not computed while staging (the request did not sign it): read it back.
                None => {
                    staged_data = std::fs::read(staged.path()).unwrap_or_default();
                    &staged_data
                }
            },
            None => match self.digests.and_then(|d| d.sha256) {
                Some(digest) => return digest,
                None => &self.body,
            },
        };
        let d = ring::digest::digest(&ring::digest::SHA256, data);
        let mut out = [0u8; 32];
        out.copy_from_slice(d.as_ref());
        out
    }

    /// The raw MD5 digest of the body.
    pub(crate) fn body_md5(&self) -> [u8; 16] {
        match &self.staged {
            Some(staged) => staged.md5,
            None => match &self.digests {
                Some(d) => d.md5,
                None => checksum::md5(&self.body),
            },
        }
    }

    /// The CRC-64/XZ of the body.
    pub(crate) fn body_crc64(&self) -> u64 {
        match &self.staged {
            Some(staged) => staged.crc64,
            None => match &self.digests {
                Some(d) => d.crc64,
                None => checksum::crc64(&self.body),
            },
        }
    }

    /// The body's length.
    pub(crate) fn body_len(&self) -> u64 {
        match &self.staged {
            Some(staged) => staged.len,
            None => self.body.len() as u64,
        }
    }

    /// The body as data to store.
    pub(crate) fn body_data(&self) -> Data<'_> {
        match &self.staged {
            Some(staged) => Data::Staged(staged),
            None => Data::Bytes(&self.body),
        }
    }

    /// The bucket (handlers for bucket and object scope only run when it is set).
    pub(crate) fn bucket(&self) -> &str {
        self.bucket.as_deref().unwrap_or_default()
    }

    /// The key (handlers for object scope only run when it is set).
    pub(crate) fn key(&self) -> &str {
        self.key.as_deref().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_style_addresses() {
        let none = |_: &str| false;
        assert_eq!(
            address(Some("127.0.0.1:9000"), "/", none),
            (None, None, Style::Path)
        );
        assert_eq!(
            address(Some("127.0.0.1:9000"), "/b", none),
            (Some("b".into()), None, Style::Path)
        );
        assert_eq!(
            address(Some("127.0.0.1:9000"), "/b/", none),
            (Some("b".into()), None, Style::Path)
        );
        assert_eq!(
            address(Some("127.0.0.1"), "/b/dir%20one/%E5%AD%90+x", none),
            (Some("b".into()), Some("dir one/子+x".into()), Style::Path)
        );
    }

    #[test]
    fn virtual_hosted_needs_an_existing_bucket_and_a_non_ip_rest() {
        let exists = |b: &str| b == "bkt";
        assert_eq!(
            address(Some("bkt.localhost:8080"), "/a/b", exists),
            (Some("bkt".into()), Some("a/b".into()), Style::VirtualHosted)
        );
        assert_eq!(
            address(Some("bkt.oss-cn-hangzhou.aliyuncs.com"), "/", exists),
            (Some("bkt".into()), None, Style::VirtualHosted)
        );
        assert_eq!(
            address(Some("other.localhost"), "/bkt/k", exists),
            (Some("bkt".into()), Some("k".into()), Style::Path)
        );
        assert_eq!(address(Some("127.0.0.1:80"), "/bkt", exists).2, Style::Path);
    }

    #[test]
    fn query_pairs_are_decoded_and_valueless_kept() {
        let q = parse_query("acl&prefix=a%2Fb+c&max-keys=10&x=");
        assert_eq!(q[0], ("acl".into(), None));
        assert_eq!(q[1], ("prefix".into(), Some("a/b c".into())));
        assert_eq!(q[3], ("x".into(), Some(String::new())));
    }
}
