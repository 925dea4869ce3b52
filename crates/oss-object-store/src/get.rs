//! Reads: GetObject with a range and conditions, HeadObject for `head`, and coalesced
//! multi-range reads.

use std::ops::Range;

use bytes::Bytes;
use futures_util::{StreamExt as _, TryStreamExt as _};
use object_store::path::Path;
use object_store::{
    Attribute, Attributes, GetOptions, GetRange, GetResult, GetResultPayload,
    OBJECT_STORE_COALESCE_DEFAULT, ObjectMeta, Result,
};

use crate::error::{AdapterError, map_error};
use crate::store::Inner;
use crate::time::{to_chrono, to_time};

/// The object's standard headers and user metadata as object_store attributes.
pub(crate) struct Headers<'a> {
    pub(crate) content_type: Option<&'a str>,
    pub(crate) content_encoding: Option<&'a str>,
    pub(crate) content_disposition: Option<&'a str>,
    pub(crate) content_language: Option<&'a str>,
    pub(crate) cache_control: Option<&'a str>,
    pub(crate) metadata: &'a std::collections::BTreeMap<String, String>,
}

impl Headers<'_> {
    fn attributes(&self) -> Attributes {
        let mut out = Attributes::new();
        let standard = [
            (Attribute::ContentType, self.content_type),
            (Attribute::ContentEncoding, self.content_encoding),
            (Attribute::ContentDisposition, self.content_disposition),
            (Attribute::ContentLanguage, self.content_language),
            (Attribute::CacheControl, self.cache_control),
        ];
        for (attribute, value) in standard {
            if let Some(v) = value {
                out.insert(attribute, v.to_owned().into());
            }
        }
        for (k, v) in self.metadata {
            out.insert(Attribute::Metadata(k.clone().into()), v.clone().into());
        }
        out
    }
}

/// `GetObject` (or `HeadObject` when `options.head`) with the options' range, conditions and
/// version.
pub(crate) async fn get_opts(
    inner: &Inner,
    location: &Path,
    options: GetOptions,
) -> Result<GetResult> {
    let key = inner.key(location);
    if options.head {
        return head(inner, location, key, &options).await;
    }
    if let Some(range) = &options.range {
        range.is_valid().map_err(|e| object_store::Error::Generic {
            store: crate::error::STORE,
            source: Box::new(e),
        })?;
    }
    let mut request = inner.client.get_object().bucket(&inner.bucket).key(key);
    if let Some(range) = &options.range {
        // RFC 7233 behaviour: a start beyond the object is 416, an end beyond it is clamped
        // (without it OSS ignores an unsatisfiable range and sends the whole object).
        request = request.range(range.to_string()).range_behavior("standard");
    }
    if let Some(v) = &options.if_match {
        request = request.if_match(v);
    }
    if let Some(v) = &options.if_none_match {
        request = request.if_none_match(v);
    }
    if let Some(t) = options.if_modified_since {
        request = request.if_modified_since(to_time(t)?);
    }
    if let Some(t) = options.if_unmodified_since {
        request = request.if_unmodified_since(to_time(t)?);
    }
    if let Some(v) = &options.version {
        request = request.version_id(v);
    }
    let (out, body) = request.send().await.map_err(inner.err(location))?;
    const OP: &str = "GetObject";
    let length = out
        .content_length
        .and_then(|l| u64::try_from(l).ok())
        .ok_or(AdapterError::MissingResponseValue {
            operation: OP,
            what: "Content-Length",
        })?;
    let (range, size, sent) = match out.content_range.as_deref() {
        Some(header) => {
            let (range, size) =
                parse_content_range(header).ok_or_else(|| AdapterError::InvalidResponseValue {
                    operation: OP,
                    message: format!("unreadable Content-Range `{header}`"),
                })?;
            (range.clone(), size, range)
        }
        None => {
            // The whole object came back: apply a requested range here.
            let range = match &options.range {
                Some(r) => r
                    .as_range(length)
                    .map_err(|e| object_store::Error::Generic {
                        store: crate::error::STORE,
                        source: Box::new(e),
                    })?,
                None => 0..length,
            };
            (range, length, 0..length)
        }
    };
    let meta = ObjectMeta {
        location: location.clone(),
        last_modified: to_chrono(out.last_modified, OP)?,
        size,
        e_tag: out.etag.clone(),
        version: out.version_id.clone(),
    };
    let attributes = Headers {
        content_type: out.content_type.as_deref(),
        content_encoding: out.content_encoding.as_deref(),
        content_disposition: out.content_disposition.as_deref(),
        content_language: out.content_language.as_deref(),
        cache_control: out.cache_control.as_deref(),
        metadata: &out.metadata,
    }
    .attributes();
    let path = location.to_string();
    let mut stream = body.map_err(move |e| map_error(&path, e)).boxed();
    if sent != range {
        stream = slice(stream, range.start - sent.start, range.end - range.start);
    }
    Ok(GetResult {
        payload: GetResultPayload::Stream(stream),
        meta,
        range,
        attributes,
        extensions: Default::default(),
    })
}

async fn head(
    inner: &Inner,
    location: &Path,
    key: String,
    options: &GetOptions,
) -> Result<GetResult> {
    let mut request = inner.client.head_object().bucket(&inner.bucket).key(key);
    if let Some(v) = &options.if_match {
        request = request.if_match(v);
    }
    if let Some(v) = &options.if_none_match {
        request = request.if_none_match(v);
    }
    if let Some(t) = options.if_modified_since {
        request = request.if_modified_since(to_time(t)?);
    }
    if let Some(t) = options.if_unmodified_since {
        request = request.if_unmodified_since(to_time(t)?);
    }
    if let Some(v) = &options.version {
        request = request.version_id(v);
    }
    let out = request.send().await.map_err(inner.err(location))?;
    const OP: &str = "HeadObject";
    let size = out
        .content_length
        .and_then(|l| u64::try_from(l).ok())
        .ok_or(AdapterError::MissingResponseValue {
            operation: OP,
            what: "Content-Length",
        })?;
    let range = match &options.range {
        Some(r) => r.as_range(size).map_err(|e| object_store::Error::Generic {
            store: crate::error::STORE,
            source: Box::new(e),
        })?,
        None => 0..size,
    };
    let attributes = Headers {
        content_type: out.content_type.as_deref(),
        content_encoding: out.content_encoding.as_deref(),
        content_disposition: out.content_disposition.as_deref(),
        content_language: out.content_language.as_deref(),
        cache_control: out.cache_control.as_deref(),
        metadata: &out.metadata,
    }
    .attributes();
    Ok(GetResult {
        payload: GetResultPayload::Stream(futures_util::stream::empty().boxed()),
        meta: ObjectMeta {
            location: location.clone(),
            last_modified: to_chrono(out.last_modified, OP)?,
            size,
            e_tag: out.etag,
            version: out.version_id,
        },
        range,
        attributes,
        extensions: Default::default(),
    })
}

/// Several ranges of one object, nearby ones merged into one request (gaps up to 1 MiB),
/// at most 10 requests in flight.
pub(crate) async fn get_ranges(
    inner: &Inner,
    location: &Path,
    ranges: &[Range<u64>],
) -> Result<Vec<Bytes>> {
    object_store::coalesce_ranges(
        ranges,
        |range| async move {
            if range.is_empty() {
                return Ok(Bytes::new());
            }
            let options = GetOptions::new().with_range(Some(GetRange::Bounded(range)));
            get_opts(inner, location, options).await?.bytes().await
        },
        OBJECT_STORE_COALESCE_DEFAULT,
    )
    .await
}

/// `bytes START-END/SIZE` → (`START..END+1`, `SIZE`).
fn parse_content_range(header: &str) -> Option<(Range<u64>, u64)> {
    let rest = header.trim().strip_prefix("bytes ")?;
    let (span, size) = rest.split_once('/')?;
    let (start, end) = span.split_once('-')?;
    let start: u64 = start.trim().parse().ok()?;
    let end: u64 = end.trim().parse().ok()?;
    let size: u64 = size.trim().parse().ok()?;
    (start <= end && end < size).then_some((start..end + 1, size))
}

/// `len` bytes of `stream` after skipping `skip` bytes.
fn slice(
    stream: futures_util::stream::BoxStream<'static, Result<Bytes>>,
    skip: u64,
    len: u64,
) -> futures_util::stream::BoxStream<'static, Result<Bytes>> {
    futures_util::stream::unfold(
        (stream, skip, len),
        |(mut stream, mut skip, mut len)| async move {
            while len > 0 {
                let chunk = match stream.next().await? {
                    Ok(c) => c,
                    Err(e) => return Some((Err(e), (stream, 0, 0))),
                };
                let n = chunk.len() as u64;
                if skip >= n {
                    skip -= n;
                    continue;
                }
                let take = (n - skip).min(len);
                let out = chunk.slice(skip as usize..(skip + take) as usize);
                skip = 0;
                len -= take;
                return Some((Ok(out), (stream, skip, len)));
            }
            None
        },
    )
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges() {
        assert_eq!(parse_content_range("bytes 2-4/14"), Some((2..5, 14)));
        assert_eq!(parse_content_range("bytes 0-0/1"), Some((0..1, 1)));
        assert_eq!(parse_content_range("bytes 5-4/14"), None);
        assert_eq!(parse_content_range("bytes 2-14/14"), None);
        assert_eq!(parse_content_range("bytes */14"), None);
        assert_eq!(parse_content_range("items 1-2/3"), None);
    }

    #[tokio::test]
    async fn slicing_spans_chunks() {
        let chunks = ["abc", "defg", "hij"].map(|s| Ok(Bytes::from(s)));
        let stream = futures_util::stream::iter(chunks).boxed();
        let got: Vec<Bytes> = slice(stream, 2, 6).try_collect().await.unwrap();
        assert_eq!(got.concat(), b"cdefgh");
    }
}
