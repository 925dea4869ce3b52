//! Helpers the generated operations call: request assembly (query, headers, bodies) and response
//! reading (headers, documents), with errors built only through `crate::Error`'s constructors.
//!
//! Hand-written machinery, not generated: the generator emits calls to whichever helpers the
//! spec needs, so a helper may be unused for a while.
#![allow(
    dead_code,
    reason = "the generated code calls the subset the spec needs"
)]

use std::collections::BTreeMap;

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderName, HeaderValue, Method};
use oss_model::json::JsonDocument;
use oss_model::value::TextValue;
use oss_model::xml::XmlDocument;

use crate::Error;
use crate::operation::{RequestBody, RequestParts, Scope};

/// Starts the request parts of an operation, checking the bucket name and object key.
pub(crate) fn request(
    method: Method,
    scope: Scope,
    bucket: Option<&str>,
    key: Option<&str>,
) -> Result<RequestParts, Error> {
    if let Some(bucket) = bucket {
        if scope == Scope::Vector {
            if bucket.is_empty() {
                return Err(Error::invalid_argument("bucket", "must not be empty"));
            }
        } else {
            crate::validate::bucket(bucket)?;
        }
    }
    if let Some(key) = key {
        crate::validate::key(key)?;
    }
    Ok(RequestParts {
        method,
        bucket: bucket.map(str::to_string),
        key: key.map(str::to_string),
        query: Vec::new(),
        headers: http::HeaderMap::new(),
        body: RequestBody::Empty,
    })
}

/// Adds a fixed sub-resource query parameter (`acl`, `list-type=2`).
pub(crate) fn fixed_query(parts: &mut RequestParts, name: &str, value: Option<&str>) {
    parts
        .query
        .push((name.to_string(), value.map(str::to_string)));
}

/// Adds a fixed sub-resource that an optional member may give a value: `regions` when unset,
/// `regions=oss-cn-hangzhou` when set.
pub(crate) fn fixed_query_value<T: TextValue>(
    parts: &mut RequestParts,
    name: &str,
    value: &Option<T>,
) {
    parts.query.push((
        name.to_string(),
        value.as_ref().map(|v| v.to_text().into_owned()),
    ));
}

/// Adds a query member.
pub(crate) fn query<T: TextValue>(parts: &mut RequestParts, name: &str, value: &T) {
    parts
        .query
        .push((name.to_string(), Some(value.to_text().into_owned())));
}

/// Adds a query member when it is set.
pub(crate) fn query_opt<T: TextValue>(parts: &mut RequestParts, name: &str, value: &Option<T>) {
    if let Some(value) = value {
        query(parts, name, value);
    }
}

/// Sets a header member; `field` names the input member in errors.
pub(crate) fn header<T: TextValue>(
    parts: &mut RequestParts,
    field: &'static str,
    name: &'static str,
    value: &T,
) -> Result<(), Error> {
    let value = HeaderValue::from_str(&value.to_text()).map_err(|_| {
        Error::invalid_argument(
            field,
            format!("cannot be sent as the `{name}` header value"),
        )
    })?;
    parts.headers.insert(HeaderName::from_static(name), value);
    Ok(())
}

/// Sets a header member when it is set.
pub(crate) fn header_opt<T: TextValue>(
    parts: &mut RequestParts,
    field: &'static str,
    name: &'static str,
    value: &Option<T>,
) -> Result<(), Error> {
    match value {
        Some(value) => header(parts, field, name, value),
        None => Ok(()),
    }
}

/// Sets one header per map entry, named `prefix` + key.
pub(crate) fn header_map(
    parts: &mut RequestParts,
    field: &'static str,
    prefix: &str,
    map: &BTreeMap<String, String>,
) -> Result<(), Error> {
    for (key, value) in map {
        let name = HeaderName::from_bytes(format!("{prefix}{key}").to_ascii_lowercase().as_bytes())
            .map_err(|_| {
                Error::invalid_argument(field, format!("`{key}` cannot be part of a header name"))
            })?;
        let value = HeaderValue::from_str(value).map_err(|_| {
            Error::invalid_argument(
                field,
                format!("the value of `{key}` cannot be sent in a header"),
            )
        })?;
        parts.headers.append(name, value);
    }
    Ok(())
}

/// Sets a document body with its `Content-Type` and, as the official SDKs send on every XML or
/// JSON document, its `Content-MD5` (end-to-end integrity of the document).
fn document_body(parts: &mut RequestParts, body: Vec<u8>, content_type: &'static str) {
    if let Ok(md5) = HeaderValue::try_from(crate::crc::content_md5(&body)) {
        parts.headers.insert(crate::crc::CONTENT_MD5_HEADER, md5);
    }
    parts.body = RequestBody::Bytes(Bytes::from(body));
    parts
        .headers
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
}

/// Sets an XML document body (with its Content-MD5).
pub(crate) fn xml_body<T: XmlDocument>(parts: &mut RequestParts, value: &T) {
    document_body(parts, value.to_xml().into(), "application/xml");
}

/// Sets a JSON document body (with its Content-MD5).
pub(crate) fn json_body<T: JsonDocument>(parts: &mut RequestParts, value: &T) {
    document_body(parts, value.to_json(), "application/json");
}

/// Sets a small text body.
pub(crate) fn text_body(parts: &mut RequestParts, value: &str) {
    parts.body = RequestBody::Bytes(Bytes::from(value.to_string()));
}

/// Sets a small text body sent with the given `Content-Type` (a JSON policy: `application/json`).
pub(crate) fn typed_text_body(parts: &mut RequestParts, value: &str, content_type: &'static str) {
    text_body(parts, value);
    parts
        .headers
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
}

/// The request ID of a response.
pub(crate) fn request_id(head: &http::response::Parts) -> Option<String> {
    head.headers
        .get("x-oss-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn header_text<'h>(
    operation: &'static str,
    head: &'h http::response::Parts,
    name: &'static str,
) -> Result<Option<&'h str>, Error> {
    match head.headers.get(name) {
        None => Ok(None),
        Some(value) => std::str::from_utf8(value.as_bytes())
            .map(Some)
            .map_err(|_| {
                Error::invalid_response(operation, format!("header `{name}` is not UTF-8"))
            }),
    }
}

/// Reads an optional header member.
pub(crate) fn header_value<T: TextValue>(
    operation: &'static str,
    head: &http::response::Parts,
    name: &'static str,
) -> Result<Option<T>, Error> {
    match header_text(operation, head, name)? {
        None => Ok(None),
        Some(text) => T::from_text(text)
            .map(Some)
            .map_err(|e| Error::invalid_response(operation, format!("header `{name}`: {e}"))),
    }
}

/// Reads a required header member.
pub(crate) fn required_header<T: TextValue>(
    operation: &'static str,
    head: &http::response::Parts,
    name: &'static str,
) -> Result<T, Error> {
    header_value(operation, head, name)?.ok_or_else(|| Error::missing_header(operation, name))
}

/// Collects the headers starting with `prefix`, prefix stripped.
pub(crate) fn header_prefix_map(
    operation: &'static str,
    head: &http::response::Parts,
    prefix: &'static str,
) -> Result<BTreeMap<String, String>, Error> {
    let mut map = BTreeMap::new();
    for (name, value) in &head.headers {
        if let Some(key) = name.as_str().strip_prefix(prefix) {
            let value = std::str::from_utf8(value.as_bytes()).map_err(|_| {
                Error::invalid_response(operation, format!("header `{name}` is not UTF-8"))
            })?;
            map.insert(key.to_string(), value.to_string());
        }
    }
    Ok(map)
}

fn is_blank(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

/// Reads the XML document body.
pub(crate) fn xml_document<T: XmlDocument>(
    operation: &'static str,
    body: &[u8],
) -> Result<T, Error> {
    T::from_xml(body).map_err(|e| Error::invalid_response(operation, e.to_string()))
}

/// Reads an XML document body that may be absent (an empty body is the default document).
pub(crate) fn optional_xml_document<T: XmlDocument + Default>(
    operation: &'static str,
    body: &[u8],
) -> Result<T, Error> {
    if is_blank(body) {
        Ok(T::default())
    } else {
        xml_document(operation, body)
    }
}

/// Reads the JSON document body.
pub(crate) fn json_document<T: JsonDocument>(
    operation: &'static str,
    body: &[u8],
) -> Result<T, Error> {
    T::from_json(body).map_err(|e| Error::invalid_response(operation, e.to_string()))
}

/// Reads a JSON document body that may be absent.
pub(crate) fn optional_json_document<T: JsonDocument + Default>(
    operation: &'static str,
    body: &[u8],
) -> Result<T, Error> {
    if is_blank(body) {
        Ok(T::default())
    } else {
        json_document(operation, body)
    }
}

/// Reads a text body.
pub(crate) fn text_document(operation: &'static str, body: &[u8]) -> Result<String, Error> {
    String::from_utf8(body.to_vec())
        .map_err(|_| Error::invalid_response(operation, "the body is not UTF-8"))
}

// ------------------------------------------------------------------------------------------------
// The server side (what an emulator needs): requests read into inputs, outputs written as responses.

/// A required input member read from a request.
pub(crate) fn required_member<T>(value: Option<T>, field: &'static str) -> Result<T, Error> {
    value.ok_or_else(|| Error::invalid_argument(field, "is required"))
}

/// The bucket or key of a request.
pub(crate) fn request_path_part(
    value: Option<&String>,
    field: &'static str,
) -> Result<String, Error> {
    value
        .cloned()
        .ok_or_else(|| Error::invalid_argument(field, "is required"))
}

/// Reads a query member of a request.
pub(crate) fn request_query<T: TextValue>(
    parts: &RequestParts,
    field: &'static str,
    name: &str,
) -> Result<Option<T>, Error> {
    match parts.query.iter().find(|(k, _)| k == name) {
        None => Ok(None),
        Some((_, value)) => T::from_text(value.as_deref().unwrap_or(""))
            .map(Some)
            .map_err(|e| Error::invalid_argument(field, e.to_string())),
    }
}

/// Reads the value of a fixed sub-resource of a request: `None` when it is bare (`?regions`,
/// `?regions=`), the value otherwise.
pub(crate) fn request_fixed_query_value<T: TextValue>(
    parts: &RequestParts,
    field: &'static str,
    name: &str,
) -> Result<Option<T>, Error> {
    match parts.query.iter().find(|(k, _)| k == name) {
        Some((_, Some(value))) if !value.is_empty() => T::from_text(value)
            .map(Some)
            .map_err(|e| Error::invalid_argument(field, e.to_string())),
        _ => Ok(None),
    }
}

/// Reads a header member of a request.
pub(crate) fn request_header<T: TextValue>(
    parts: &RequestParts,
    field: &'static str,
    name: &'static str,
) -> Result<Option<T>, Error> {
    match parts.headers.get(name) {
        None => Ok(None),
        Some(value) => {
            let text = std::str::from_utf8(value.as_bytes())
                .map_err(|_| Error::invalid_argument(field, "the header is not UTF-8"))?;
            T::from_text(text)
                .map(Some)
                .map_err(|e| Error::invalid_argument(field, e.to_string()))
        }
    }
}

/// Collects the request headers starting with `prefix`, prefix stripped.
pub(crate) fn request_header_map(
    parts: &RequestParts,
    field: &'static str,
    prefix: &str,
) -> Result<BTreeMap<String, String>, Error> {
    let mut map = BTreeMap::new();
    for (name, value) in &parts.headers {
        if let Some(key) = name.as_str().strip_prefix(prefix) {
            let value = std::str::from_utf8(value.as_bytes())
                .map_err(|_| Error::invalid_argument(field, "a header is not UTF-8"))?;
            map.insert(key.to_string(), value.to_string());
        }
    }
    Ok(map)
}

/// Reads an XML request body; `None` when the body is empty.
pub(crate) fn request_xml<T: XmlDocument>(
    field: &'static str,
    body: &[u8],
) -> Result<Option<T>, Error> {
    if is_blank(body) {
        return Ok(None);
    }
    T::from_xml(body)
        .map(Some)
        .map_err(|e| Error::invalid_argument(field, e.to_string()))
}

/// Reads a JSON request body; `None` when the body is empty.
pub(crate) fn request_json<T: JsonDocument>(
    field: &'static str,
    body: &[u8],
) -> Result<Option<T>, Error> {
    if is_blank(body) {
        return Ok(None);
    }
    T::from_json(body)
        .map(Some)
        .map_err(|e| Error::invalid_argument(field, e.to_string()))
}

/// Reads a text request body; `None` when the body is empty.
pub(crate) fn request_text(field: &'static str, body: &[u8]) -> Result<Option<String>, Error> {
    if body.is_empty() {
        return Ok(None);
    }
    String::from_utf8(body.to_vec())
        .map(Some)
        .map_err(|_| Error::invalid_argument(field, "the body is not UTF-8"))
}

/// Sets a response header.
pub(crate) fn response_header<T: TextValue>(
    headers: &mut http::HeaderMap,
    field: &'static str,
    name: &'static str,
    value: &T,
) -> Result<(), Error> {
    let value = HeaderValue::from_str(&value.to_text()).map_err(|_| {
        Error::invalid_argument(
            field,
            format!("cannot be sent as the `{name}` header value"),
        )
    })?;
    headers.insert(HeaderName::from_static(name), value);
    Ok(())
}

/// Sets a response header when the member is set.
pub(crate) fn response_header_opt<T: TextValue>(
    headers: &mut http::HeaderMap,
    field: &'static str,
    name: &'static str,
    value: &Option<T>,
) -> Result<(), Error> {
    match value {
        Some(value) => response_header(headers, field, name, value),
        None => Ok(()),
    }
}

/// Sets one response header per map entry, named `prefix` + key.
pub(crate) fn response_header_map(
    headers: &mut http::HeaderMap,
    field: &'static str,
    prefix: &str,
    map: &BTreeMap<String, String>,
) -> Result<(), Error> {
    for (key, value) in map {
        let name = HeaderName::from_bytes(format!("{prefix}{key}").to_ascii_lowercase().as_bytes())
            .map_err(|_| {
                Error::invalid_argument(field, format!("`{key}` cannot be part of a header name"))
            })?;
        let value = HeaderValue::from_str(value).map_err(|_| {
            Error::invalid_argument(
                field,
                format!("the value of `{key}` cannot be sent in a header"),
            )
        })?;
        headers.append(name, value);
    }
    Ok(())
}

/// Sets the `Content-Type` of a text response body.
pub(crate) fn response_content_type(headers: &mut http::HeaderMap, content_type: &'static str) {
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
}

/// An XML response body with its content type.
pub(crate) fn response_xml<T: XmlDocument>(headers: &mut http::HeaderMap, value: &T) -> Bytes {
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/xml"));
    Bytes::from(value.to_xml())
}

/// A JSON response body with its content type.
pub(crate) fn response_json<T: JsonDocument>(headers: &mut http::HeaderMap, value: &T) -> Bytes {
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Bytes::from(value.to_json())
}
