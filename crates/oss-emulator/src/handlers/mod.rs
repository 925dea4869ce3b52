//! Request handlers, one module per concept, and the helpers they share.

pub(crate) mod archive;
pub(crate) mod bucket;
pub(crate) mod cors;
mod form_data;
pub(crate) mod listing;
pub(crate) mod multipart;
pub(crate) mod object;
pub(crate) mod post_object;

use std::collections::BTreeMap;

use http::StatusCode;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::checksum;
use crate::context::OWNER_ID;
use crate::error::OssError;
use crate::request::Request;
use crate::storage::ObjectMeta;
use crate::xml::{self, Element, XmlWriter};

/// Standard headers stored with an object and returned on reads.
pub(crate) const STORED_HEADERS: [&str; 5] = [
    "cache-control",
    "content-disposition",
    "content-encoding",
    "content-language",
    "expires",
];

const URL_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// True when the request asked for `encoding-type=url`.
pub(crate) fn url_encoding(req: &Request) -> bool {
    req.q("encoding-type") == Some("url")
}

/// Encodes a key-like value for a listing answered with `encoding-type=url`.
pub(crate) fn enc(value: &str, encode: bool) -> String {
    if encode {
        utf8_percent_encode(value, URL_ENCODE).to_string()
    } else {
        value.to_owned()
    }
}

/// Writes the `<Owner>` element.
pub(crate) fn owner(w: &mut XmlWriter) {
    w.open("Owner")
        .elem("ID", OWNER_ID)
        .elem("DisplayName", OWNER_ID)
        .close();
}

/// Rejects a body whose MD5 differs from its `Content-MD5` header.
pub(crate) fn check_content_md5(req: &Request) -> Result<(), OssError> {
    if let Some(given) = req.header("content-md5")
        && given.trim() != checksum::base64_md5(&req.body_md5())
    {
        return Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "InvalidDigest",
            "The Content-MD5 you specified was invalid.",
        )
        .ec("0016-00000201")
        .with("Content-MD5", given));
    }
    Ok(())
}

/// Parses the request body as XML.
pub(crate) fn body_xml(req: &Request) -> Result<Element, OssError> {
    xml::parse(&req.body).ok_or_else(OssError::malformed_xml)
}

/// Object metadata given by request headers: content type, stored headers, user metadata.
pub(crate) fn meta_from_headers(
    req: &Request,
) -> (String, BTreeMap<String, String>, BTreeMap<String, String>) {
    let content_type = req
        .header("content-type")
        .unwrap_or("application/octet-stream")
        .to_owned();
    let mut headers = BTreeMap::new();
    for name in STORED_HEADERS {
        if let Some(v) = req.header(name) {
            headers.insert(name.to_owned(), v.to_owned());
        }
    }
    let mut user = BTreeMap::new();
    for (name, value) in &req.headers {
        if let Some(rest) = name.as_str().strip_prefix("x-oss-meta-") {
            user.insert(
                rest.to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            );
        }
    }
    (content_type, headers, user)
}

/// Validates an ACL value (`default` only where `allow_default`).
pub(crate) fn check_acl(value: &str, allow_default: bool) -> Result<(), OssError> {
    match value {
        "private" | "public-read" | "public-read-write" => Ok(()),
        "default" if allow_default => Ok(()),
        _ => Err(OssError::invalid_argument(format!(
            "no such bucket access control exists: {value}"
        ))
        .with("ArgumentName", "x-oss-acl")
        .with("ArgumentValue", value)),
    }
}

/// Checks a `<Tagging>` document (read by the generated server side) against OSS's limits.
pub(crate) fn checked_tags(
    tagging: oss_model::Tagging,
    max: usize,
) -> Result<Vec<(String, String)>, OssError> {
    let mut tags = Vec::new();
    for tag in tagging.tag_set.tags {
        let value = tag.value.unwrap_or_default();
        if tag.key.is_empty() || tag.key.len() > 128 || value.len() > 256 {
            return Err(OssError::new(
                StatusCode::BAD_REQUEST,
                "InvalidTag",
                "The tag provided was not a valid tag.",
            )
            .ec("0017-00000801"));
        }
        tags.push((tag.key, value));
    }
    if tags.len() > max {
        return Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            format!("Tags number exceeds {max}."),
        ));
    }
    Ok(tags)
}

/// Parses the `x-oss-tagging` header (`k1=v1&k2=v2`).
pub(crate) fn tags_from_header(req: &Request) -> Vec<(String, String)> {
    req.header("x-oss-tagging")
        .map(|h| {
            crate::request::parse_query(h)
                .into_iter()
                .map(|(k, v)| (k, v.unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default()
}

/// Stored tags as the model's `TagSet`.
pub(crate) fn tag_set(tags: &[(String, String)]) -> oss_model::TagSet {
    oss_model::TagSet {
        tags: tags
            .iter()
            .map(|(k, v)| oss_model::Tag {
                key: k.clone(),
                value: Some(v.clone()),
            })
            .collect(),
    }
}

/// The owner the emulator reports, as the model's `Owner`.
pub(crate) fn owner_model() -> oss_model::Owner {
    oss_model::Owner {
        id: OWNER_ID.to_owned(),
        display_name: Some(OWNER_ID.to_owned()),
    }
}

/// The headers every read of an object carries.
pub(crate) fn object_headers(meta: &ObjectMeta) -> Vec<(String, String)> {
    let mut h = vec![
        ("Content-Type".to_owned(), meta.content_type.clone()),
        ("ETag".to_owned(), meta.etag.clone()),
        (
            "Last-Modified".to_owned(),
            crate::timefmt::http_date(crate::storage::from_ms(meta.modified_ms)),
        ),
        ("x-oss-object-type".to_owned(), meta.object_type.clone()),
        ("x-oss-storage-class".to_owned(), meta.storage_class.clone()),
        ("x-oss-hash-crc64ecma".to_owned(), meta.crc64.to_string()),
        ("Accept-Ranges".to_owned(), "bytes".to_owned()),
    ];
    for (k, v) in &meta.headers {
        h.push((k.clone(), v.clone()));
    }
    for (k, v) in &meta.user_meta {
        h.push((format!("x-oss-meta-{k}"), v.clone()));
    }
    if meta.version_id != "null" {
        h.push(("x-oss-version-id".to_owned(), meta.version_id.clone()));
    }
    if let Some(restore) = archive::restore_header(meta) {
        h.push(("x-oss-restore".to_owned(), restore));
    }
    if !meta.tags.is_empty() {
        h.push((
            "x-oss-tagging-count".to_owned(),
            meta.tags.len().to_string(),
        ));
    }
    if meta.object_type == "Appendable" {
        h.push((
            "x-oss-next-append-position".to_owned(),
            meta.size.to_string(),
        ));
    }
    h
}

/// Parses `max-keys`-like parameters: default when absent, `InvalidArgument` when not a number
/// in `1..=limit`.
pub(crate) fn max_param(
    req: &Request,
    name: &'static str,
    default: usize,
    limit: usize,
) -> Result<usize, OssError> {
    match req.q(name) {
        None => Ok(default),
        Some(v) => match v.parse::<usize>() {
            Ok(n) if n <= limit => Ok(n),
            _ => Err(OssError::invalid_argument(format!(
                "Argument {name} must be an integer between 0 and {limit}."
            ))
            .with("ArgumentName", name)
            .with("ArgumentValue", v)),
        },
    }
}
