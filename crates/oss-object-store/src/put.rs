//! Writes in one request: PutObject with the options' mode, attributes and tags.

use bytes::Bytes;
use object_store::path::Path;
use object_store::{
    Attribute, Attributes, PutMode, PutOptions, PutPayload, PutResult, Result, TagSet,
};

use crate::store::Inner;

/// The implementer named in `NotImplemented` errors.
pub(crate) const IMPLEMENTER: &str = "OssObjectStore";

/// Object headers from object_store attributes and tags, ready for PutObject or
/// InitiateMultipartUpload.
#[derive(Debug, Default)]
pub(crate) struct ObjectHeaders {
    pub(crate) content_type: Option<String>,
    pub(crate) content_encoding: Option<String>,
    pub(crate) content_disposition: Option<String>,
    pub(crate) content_language: Option<String>,
    pub(crate) cache_control: Option<String>,
    pub(crate) storage_class: Option<oss_model::StorageClass>,
    pub(crate) metadata: std::collections::BTreeMap<String, String>,
    pub(crate) tagging: Option<String>,
}

impl ObjectHeaders {
    /// Maps every attribute to its OSS header; an attribute OSS has no header for is refused
    /// (never dropped).
    pub(crate) fn new(attributes: &Attributes, tags: &TagSet, operation: &str) -> Result<Self> {
        let mut h = ObjectHeaders::default();
        for (attribute, value) in attributes {
            let value = value.as_ref().to_owned();
            match attribute {
                Attribute::ContentType => h.content_type = Some(value),
                Attribute::ContentEncoding => h.content_encoding = Some(value),
                Attribute::ContentDisposition => h.content_disposition = Some(value),
                Attribute::ContentLanguage => h.content_language = Some(value),
                Attribute::CacheControl => h.cache_control = Some(value),
                Attribute::StorageClass => {
                    h.storage_class = Some(oss_model::StorageClass::from(value.as_str()));
                }
                Attribute::Metadata(name) => {
                    h.metadata.insert(name.to_string(), value);
                }
                other => {
                    return Err(object_store::Error::NotImplemented {
                        operation: format!("{operation} with attribute {other:?}"),
                        implementer: IMPLEMENTER.into(),
                    });
                }
            }
        }
        if !tags.is_empty() {
            h.tagging = Some(tagging(tags));
        }
        Ok(h)
    }
}

/// `x-oss-tagging`: the tags as a query string, percent-encoded (object_store's form encoding
/// writes a space as `+`, which OSS would keep as a plus sign).
fn tagging(tags: &TagSet) -> String {
    let encode = |s: &str| percent_encoding::utf8_percent_encode(s, TAG_ENCODE).to_string();
    url::form_urlencoded::parse(tags.encoded().as_bytes())
        .map(|(k, v)| format!("{}={}", encode(&k), encode(&v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Everything but RFC 3986 unreserved characters.
const TAG_ENCODE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The payload's chunks as a replayable request body (not joined).
pub(crate) fn body(payload: PutPayload) -> oss_client::Body {
    let chunks: Vec<Bytes> = payload.into_iter().collect();
    match <[Bytes; 1]>::try_from(chunks) {
        Ok([one]) => oss_client::Body::from(one),
        Err(chunks) => oss_client::Body::from_chunks(chunks),
    }
}

/// PutObject: `PutMode::Create` through `x-oss-forbid-overwrite` (a taken key is
/// `AlreadyExists`); `PutMode::Update` is `NotImplemented` (OSS has no conditional overwrite).
pub(crate) async fn put_opts(
    inner: &Inner,
    location: &Path,
    payload: PutPayload,
    opts: PutOptions,
) -> Result<PutResult> {
    let forbid_overwrite = match &opts.mode {
        PutMode::Overwrite => false,
        PutMode::Create => true,
        PutMode::Update(_) => {
            return Err(object_store::Error::NotImplemented {
                operation: "put_opts with PutMode::Update (OSS has no conditional overwrite)"
                    .into(),
                implementer: IMPLEMENTER.into(),
            });
        }
    };
    let headers = ObjectHeaders::new(&opts.attributes, &opts.tags, "put_opts")?;
    let mut request = inner
        .client
        .put_object()
        .bucket(&inner.bucket)
        .key(inner.key(location))
        .body(body(payload));
    if forbid_overwrite {
        request = request.forbid_overwrite(true);
    }
    if let Some(v) = headers.content_type {
        request = request.content_type(v);
    }
    if let Some(v) = headers.content_encoding {
        request = request.content_encoding(v);
    }
    if let Some(v) = headers.content_disposition {
        request = request.content_disposition(v);
    }
    if let Some(v) = headers.content_language {
        request = request.content_language(v);
    }
    if let Some(v) = headers.cache_control {
        request = request.cache_control(v);
    }
    if let Some(v) = headers.storage_class {
        request = request.storage_class(v);
    }
    if !headers.metadata.is_empty() {
        request = request.metadata(headers.metadata);
    }
    if let Some(v) = headers.tagging {
        request = request.tagging(v);
    }
    let out = request.send().await.map_err(inner.err(location))?;
    Ok(PutResult {
        e_tag: out.etag,
        version: out.version_id,
        extensions: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_and_tags_become_headers() {
        let attributes = Attributes::from_iter([
            (Attribute::ContentType, "text/csv"),
            (Attribute::ContentLanguage, "en-US"),
            (Attribute::StorageClass, "IA"),
            (Attribute::Metadata("owner".into()), "etl"),
        ]);
        let mut tags = TagSet::default();
        tags.push("team", "data eng");
        tags.push("a+b", "x&y=z");
        let h = ObjectHeaders::new(&attributes, &tags, "put").unwrap();
        assert_eq!(h.content_type.as_deref(), Some("text/csv"));
        assert_eq!(h.content_language.as_deref(), Some("en-US"));
        assert_eq!(h.storage_class, Some(oss_model::StorageClass::Ia));
        assert_eq!(h.metadata.get("owner").map(String::as_str), Some("etl"));
        assert_eq!(
            h.tagging.as_deref(),
            Some("team=data%20eng&a%2Bb=x%26y%3Dz")
        );
    }

    #[test]
    fn payload_chunks_are_kept() {
        let payload = PutPayload::from_iter([Bytes::from("ab"), Bytes::from("cde")]);
        assert_eq!(body(payload).content_length(), Some(5));
        assert_eq!(body(PutPayload::from("x")).content_length(), Some(1));
        assert_eq!(body(PutPayload::new()).content_length(), Some(0));
    }
}
