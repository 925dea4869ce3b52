//! Reading a received response: success goes to the operation's
//! [`parse_output`](crate::operation::Operation::parse_output), anything else becomes an
//! [`Error::Service`].
//!
//! Error responses come in several forms, all read here:
//! - an XML `<Error>` document (`Code`, `Message`, `RequestId`, `HostId`, `EC`, plus fields such as
//!   `StringToSign`, `CanonicalRequest`, `ServerTime` kept in [`ServiceError::extra`]);
//! - no body (HEAD) but an `x-oss-err` header holding the same document in base64;
//! - a JSON document (vector buckets), either `{"Error": {...}}` or the fields at the top level;
//! - `203 Non-Authoritative Information` with a `CallbackFailed` document: the upload succeeded but
//!   the callback failed;
//! - anything unreadable: the error still carries the status, the request id and `x-oss-ec`.

use std::borrow::Cow;
use std::collections::BTreeMap;

use bytes::Bytes;
use quick_xml::events::Event;

use crate::operation::Operation;
use crate::{Error, ServiceError};

/// The response header carrying the request id.
pub const REQUEST_ID_HEADER: &str = "x-oss-request-id";
/// The response header carrying the detailed error code.
pub const EC_HEADER: &str = "x-oss-ec";
/// The response header carrying the base64 error document of a body-less error response.
pub const ERR_HEADER: &str = "x-oss-err";

/// True when a response with this status may be an error, so its body must be read whole and
/// passed to [`read_response`] even for streaming operations: any status ≥ 300, and 203 (a
/// failed upload callback).
///
/// ```
/// use http::StatusCode;
/// use oss_proto::response::may_be_error;
/// assert!(may_be_error(StatusCode::NOT_FOUND));
/// assert!(may_be_error(StatusCode::NON_AUTHORITATIVE_INFORMATION));
/// assert!(!may_be_error(StatusCode::OK));
/// assert!(!may_be_error(StatusCode::PARTIAL_CONTENT));
/// ```
pub fn may_be_error(status: http::StatusCode) -> bool {
    status.as_u16() >= 300 || status == http::StatusCode::NON_AUTHORITATIVE_INFORMATION
}

/// Reads a response of operation `O`: a success becomes `O::Output`, an error response becomes
/// [`Error::Service`]. For streaming operations pass an empty `body` on success (the transport
/// keeps the stream) and the whole body when [`may_be_error`] says so.
///
/// A 203 whose body is an OSS error document (`CallbackFailed`) is an error; a 203 without one
/// is read as a success.
///
/// ```
/// use bytes::Bytes;
/// use oss_proto::operation::*;
///
/// struct HeadThing;
/// impl Operation for HeadThing {
///     type Input = ();
///     type Output = u16;
///     const METADATA: OperationMetadata = OperationMetadata {
///         name: "HeadThing",
///         method: http::Method::HEAD,
///         scope: Scope::Bucket,
///         response_body: ResponseBodyKind::Empty,
///         requires_content_md5: false,
///     };
///     fn build_request(_: &()) -> Result<RequestParts, oss_proto::Error> {
///         unreachable!()
///     }
///     fn parse_output(head: &http::response::Parts, _: Bytes) -> Result<u16, oss_proto::Error> {
///         Ok(head.status.as_u16())
///     }
/// }
///
/// let (ok, ()) = http::Response::builder().status(200).body(()).unwrap().into_parts();
/// assert_eq!(oss_proto::response::read_response::<HeadThing>(&ok, Bytes::new()), Ok(200));
///
/// let (missing, ()) = http::Response::builder()
///     .status(404)
///     .header("x-oss-request-id", "5C3D9175B6FC201293AD4890")
///     .body(())
///     .unwrap()
///     .into_parts();
/// let err = oss_proto::response::read_response::<HeadThing>(&missing, Bytes::new()).unwrap_err();
/// assert!(err.is_not_found());
/// assert_eq!(err.request_id(), Some("5C3D9175B6FC201293AD4890"));
/// ```
pub fn read_response<O: Operation>(
    head: &http::response::Parts,
    body: Bytes,
) -> Result<O::Output, Error> {
    if head.status == http::StatusCode::NON_AUTHORITATIVE_INFORMATION {
        if let Some(err) = read_error_document(head, &body) {
            return Err(err.into());
        }
    } else if may_be_error(head.status) {
        return Err(read_error(head, &body).into());
    }
    O::parse_output(head, body)
}

/// Reads an error response (any form listed in the module docs) into a [`ServiceError`]. Never
/// fails: what cannot be read is described in the message.
///
/// ```
/// let (head, ()) = http::Response::builder()
///     .status(403)
///     .header("x-oss-request-id", "636B68BA80DA8539399F****")
///     .header("x-oss-ec", "0003-00000001")
///     .body(())
///     .unwrap()
///     .into_parts();
/// let body = br#"<?xml version="1.0" encoding="UTF-8"?>
/// <Error>
///   <Code>AccessDenied</Code>
///   <Message>You have no right to access this object because of bucket acl.</Message>
///   <RequestId>636B68BA80DA8539399F****</RequestId>
///   <HostId>examplebucket.oss-cn-hangzhou.aliyuncs.com</HostId>
///   <EC>0003-00000001</EC>
/// </Error>"#;
/// let err = oss_proto::response::read_error(&head, body);
/// assert_eq!(err.code, "AccessDenied");
/// assert_eq!(err.ec.as_deref(), Some("0003-00000001"));
/// ```
pub fn read_error(head: &http::response::Parts, body: &[u8]) -> ServiceError {
    if let Some(err) = read_error_document(head, body) {
        return err;
    }
    let mut err = base_error(head);
    let document = error_document(head, body);
    if !document.is_empty() {
        err.message = format!(
            "unreadable error response body: {}",
            snapshot(document.as_ref())
        );
    }
    err
}

/// The error document of a response parsed into a [`ServiceError`], or `None` when there is no
/// readable OSS error document.
fn read_error_document(head: &http::response::Parts, body: &[u8]) -> Option<ServiceError> {
    let document = error_document(head, body);
    if document.is_empty() {
        return None;
    }
    // Sniff rather than trust Content-Type: proxies and gateways mislabel error bodies.
    let fields = if looks_like_json(&document) {
        json_error_fields(&document)?
    } else {
        xml_error_fields(&document)?
    };
    let mut err = base_error(head);
    for (name, value) in fields {
        match name.as_str() {
            "Code" => err.code = value,
            "Message" => err.message = value,
            "RequestId" if !value.is_empty() => err.request_id = value,
            "HostId" => err.host_id = value,
            "EC" if !value.is_empty() => err.ec = Some(value),
            _ => {
                err.extra.insert(name, value);
            }
        }
    }
    Some(err)
}

/// Status, request id and EC from the head alone.
fn base_error(head: &http::response::Parts) -> ServiceError {
    let mut err = ServiceError::new(head.status.as_u16());
    err.request_id = header_str(head, REQUEST_ID_HEADER).unwrap_or_default();
    err.ec = header_str(head, EC_HEADER).filter(|ec| !ec.is_empty());
    err
}

fn header_str(head: &http::response::Parts, name: &str) -> Option<String> {
    head.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_owned())
}

/// The body, or when it is empty the decoded `x-oss-err` header.
fn error_document<'a>(head: &http::response::Parts, body: &'a [u8]) -> Cow<'a, [u8]> {
    if !body.iter().all(u8::is_ascii_whitespace) {
        return Cow::Borrowed(body);
    }
    use base64::Engine as _;
    head.headers
        .get(ERR_HEADER)
        .and_then(|v| {
            base64::engine::general_purpose::STANDARD
                .decode(v.as_bytes().trim_ascii())
                .ok()
        })
        .map_or(Cow::Borrowed(&[][..]), Cow::Owned)
}

fn looks_like_json(document: &[u8]) -> bool {
    document.trim_ascii_start().starts_with(b"{")
}

/// The fields of a JSON error: `{"Error": {...}}` or the fields at the top level.
fn json_error_fields(document: &[u8]) -> Option<Vec<(String, String)>> {
    let value: serde_json::Value = serde_json::from_slice(document).ok()?;
    let object = value.as_object()?;
    let fields = match object.get("Error").and_then(|e| e.as_object()) {
        Some(inner) => inner,
        None => object,
    };
    if !fields.contains_key("Code") && !fields.contains_key("Message") {
        return None;
    }
    Some(
        fields
            .iter()
            .map(|(k, v)| {
                let text = match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), text)
            })
            .collect(),
    )
}

/// The child elements of an `<Error>` root, in document order, text trimmed. Nested elements
/// deeper than the root's children are ignored.
fn xml_error_fields(document: &[u8]) -> Option<Vec<(String, String)>> {
    let mut reader = quick_xml::Reader::from_reader(document);
    let mut fields = Vec::new();
    let mut depth = 0usize;
    let mut current: Option<(String, String)> = None;
    loop {
        match reader.read_event().ok()? {
            Event::Start(start) => {
                depth += 1;
                let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                match depth {
                    1 if name != "Error" => return None,
                    2 => current = Some((name, String::new())),
                    _ => {}
                }
            }
            Event::Empty(start) => {
                let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                match depth {
                    0 if name == "Error" => return Some(fields),
                    0 => return None,
                    1 => fields.push((name, String::new())),
                    _ => {}
                }
            }
            Event::End(_) => {
                if depth == 2
                    && let Some((name, text)) = current.take()
                {
                    fields.push((name, text.trim().to_owned()));
                }
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(fields);
                }
            }
            Event::Text(text) => {
                if let Some((_, value)) = current.as_mut().filter(|_| depth == 2) {
                    value.push_str(&text.xml_content().ok()?);
                }
            }
            Event::CData(data) => {
                if let Some((_, value)) = current.as_mut().filter(|_| depth == 2) {
                    value.push_str(&data.decode().ok()?);
                }
            }
            Event::GeneralRef(reference) => {
                if let Some((_, value)) = current.as_mut().filter(|_| depth == 2) {
                    if let Some(ch) = reference.resolve_char_ref().ok()? {
                        value.push(ch);
                    } else {
                        let name = reference.decode().ok()?;
                        value.push_str(quick_xml::escape::resolve_predefined_entity(&name)?);
                    }
                }
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// At most 256 characters of a body, for error messages.
fn snapshot(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    match text.char_indices().nth(256) {
        None => text.into_owned(),
        Some((cut, _)) => format!("{}…", &text[..cut]),
    }
}

/// Every element of an error document by name, for callers that need one not kept as a field.
///
/// ```
/// let fields = oss_proto::response::error_fields(
///     b"<Error><Code>RequestTimeTooSkewed</Code><ServerTime>2024-01-01T00:00:00.000Z</ServerTime></Error>",
/// );
/// assert_eq!(fields["ServerTime"], "2024-01-01T00:00:00.000Z");
/// ```
pub fn error_fields(document: &[u8]) -> BTreeMap<String, String> {
    let fields = if looks_like_json(document) {
        json_error_fields(document)
    } else {
        xml_error_fields(document)
    };
    fields.unwrap_or_default().into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::{OperationMetadata, RequestBody, RequestParts, ResponseBodyKind, Scope};

    fn head(status: u16, headers: &[(&str, &str)]) -> http::response::Parts {
        let mut builder = http::Response::builder().status(status);
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        builder.body(()).expect("response").into_parts().0
    }

    /// The example of the OSS "Error responses" documentation page.
    const MISSING_ARGUMENT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>MissingArgument</Code>
  <Message>Missing Some Required Arguments.</Message>
  <RequestId>57ABD896CCB80C366955****</RequestId>
  <HostId>oss-example.oss-cn-hangzhou.aliyuncs.com</HostId> 
  <EC>0016-00000502</EC> 
  <RecommendDoc>https://api.aliyun.com/troubleshoot?q=0016-00000502</RecommendDoc>
</Error>"#;

    #[test]
    fn xml_error_document_from_the_docs() {
        let h = head(
            400,
            &[
                ("content-type", "application/xml"),
                ("x-oss-request-id", "57ABD896CCB80C366955****"),
            ],
        );
        let e = read_error(&h, MISSING_ARGUMENT.as_bytes());
        assert_eq!(e.status, 400);
        assert_eq!(e.code, "MissingArgument");
        assert_eq!(e.message, "Missing Some Required Arguments.");
        assert_eq!(e.request_id, "57ABD896CCB80C366955****");
        assert_eq!(e.host_id, "oss-example.oss-cn-hangzhou.aliyuncs.com");
        assert_eq!(e.ec.as_deref(), Some("0016-00000502"));
        assert_eq!(
            e.extra["RecommendDoc"],
            "https://api.aliyun.com/troubleshoot?q=0016-00000502"
        );
    }

    #[test]
    fn xml_error_with_namespace_and_whitespace_around_values() {
        // The MalformedXML example of the Chinese "错误响应" page (with a straight-quoted
        // namespace) and the SignatureDoesNotMatch example whose values sit on their own lines.
        let doc = r#"<?xml version="1.0" ?>
<Error xmlns="http://doc.oss-cn-hangzhou.aliyuncs.com">
<Code>MalformedXML</Code>
<Message>The XML you provided was not well-formed or did not validate against our published schema.</Message>
<RequestId>57ABD896CCB80C366955****</RequestId>
<HostId>oss-cn-hangzhou.aliyuncs.com</HostId>
<EC>0031-00000001</EC>
</Error>"#;
        let e = read_error(&head(400, &[]), doc.as_bytes());
        assert_eq!(e.code, "MalformedXML");
        assert_eq!(e.ec.as_deref(), Some("0031-00000001"));

        let doc = r#"<?xml version="1.0" ?>
<Error>
 <Code>
     SignatureDoesNotMatch
 </Code>
 <Message>
     The request signature we calculated does not match the signature you provided. Check your key and signing method.
 </Message>
 <StringToSignBytes>
     47 45 54 0a 0a 0a 57 65 64 2c 20 31 31 20 4d 61 79
 </StringToSignBytes>
 <RequestId>
     1E446260FF9B10C2
 </RequestId>
 <HostId>
     oss-cn-hangzhou.aliyuncs.com
 </HostId>
 <SignatureProvided>
     y5H7yzPsA/tP4+0tH1HHvPEwUv8=
 </SignatureProvided>
 <StringToSign>
     GET&#x000A;&#x000A;&#x000A;Wed, 11 May 2011 07:59:25 GMT&#x000A;/oss-example?acl
 </StringToSign>
 <OSSAccessKeyId>
     AKIAIVAKMSMOY7VOMRWQ
 </OSSAccessKeyId>
</Error>"#;
        let e = read_error(&head(403, &[]), doc.as_bytes());
        assert_eq!(e.code, "SignatureDoesNotMatch");
        assert_eq!(e.request_id, "1E446260FF9B10C2");
        assert_eq!(
            e.extra["StringToSign"],
            "GET\n\n\nWed, 11 May 2011 07:59:25 GMT\n/oss-example?acl"
        );
        assert_eq!(e.extra["SignatureProvided"], "y5H7yzPsA/tP4+0tH1HHvPEwUv8=");
        assert_eq!(
            e.extra["StringToSignBytes"],
            "47 45 54 0a 0a 0a 57 65 64 2c 20 31 31 20 4d 61 79"
        );
    }

    #[test]
    fn escaped_text_is_unescaped() {
        let doc = "<Error><Code>InvalidArgument</Code><Message>a &lt; b &amp;&amp; c</Message>\
                   <ArgumentName>x-oss-&quot;meta&quot;</ArgumentName></Error>";
        let e = read_error(&head(400, &[]), doc.as_bytes());
        assert_eq!(e.message, "a < b && c");
        assert_eq!(e.extra["ArgumentName"], "x-oss-\"meta\"");
    }

    #[test]
    fn ec_header_used_when_document_has_none() {
        let h = head(403, &[("x-oss-ec", "0003-00000001")]);
        let e = read_error(
            &h,
            b"<Error><Code>AccessDenied</Code><Message>m</Message></Error>",
        );
        assert_eq!(e.ec.as_deref(), Some("0003-00000001"));
    }

    #[test]
    fn x_oss_err_header_for_head_requests() {
        use base64::Engine as _;
        let doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>NoSuchKey</Code>\n  \
                   <Message>The specified key does not exist.</Message>\n  <RequestId>5C3D9175B6FC201293AD****</RequestId>\n  \
                   <HostId>test.oss-cn-hangzhou.aliyuncs.com</HostId>\n  <Key>test.txt</Key>\n  <EC>0026-00000001</EC>\n</Error>\n";
        let encoded = base64::engine::general_purpose::STANDARD.encode(doc);
        let h = head(
            404,
            &[
                ("x-oss-request-id", "5C3D9175B6FC201293AD****"),
                ("x-oss-ec", "0026-00000001"),
                ("x-oss-err", &encoded),
            ],
        );
        let e = read_error(&h, b"");
        assert_eq!(e.code, "NoSuchKey");
        assert_eq!(e.message, "The specified key does not exist.");
        assert_eq!(e.extra["Key"], "test.txt");
        assert_eq!(e.host_id, "test.oss-cn-hangzhou.aliyuncs.com");
    }

    #[test]
    fn head_error_without_any_document() {
        let h = head(
            404,
            &[
                ("x-oss-request-id", "5C3D9175B6FC201293AD****"),
                ("x-oss-ec", "0026-00000001"),
            ],
        );
        let e = read_error(&h, b"");
        assert_eq!(e.status, 404);
        assert_eq!(e.code, "");
        assert_eq!(e.message, "");
        assert_eq!(e.request_id, "5C3D9175B6FC201293AD****");
        assert_eq!(e.ec.as_deref(), Some("0026-00000001"));
        assert!(Error::from(e).is_not_found());
    }

    #[test]
    fn bad_x_oss_err_header_is_ignored() {
        let h = head(404, &[("x-oss-err", "%%%not base64")]);
        let e = read_error(&h, b"");
        assert_eq!(e.code, "");
    }

    #[test]
    fn json_error_of_the_vector_endpoint() {
        let h = head(
            404,
            &[
                ("content-type", "application/json"),
                ("x-oss-request-id", "5C3D9175B6FC201293AD****"),
            ],
        );
        let doc = r#"{
  "Error": {
    "Code": "NoSuchBucket",
    "Message": "The specified bucket does not exist.",
    "RequestId": "5C3D9175B6FC201293AD****",
    "HostId": "test.oss-cn-hangzhou.aliyuncs.com",
    "BucketName": "test",
    "EC": "0015-00000101"
  }
}"#;
        let e = read_error(&h, doc.as_bytes());
        assert_eq!(e.code, "NoSuchBucket");
        assert_eq!(e.message, "The specified bucket does not exist.");
        assert_eq!(e.host_id, "test.oss-cn-hangzhou.aliyuncs.com");
        assert_eq!(e.ec.as_deref(), Some("0015-00000101"));
        assert_eq!(e.extra["BucketName"], "test");
    }

    #[test]
    fn flat_json_error() {
        let h = head(
            409,
            &[
                ("content-type", "application/json"),
                ("x-oss-ec", "0015-00000104"),
            ],
        );
        let e = read_error(
            &h,
            br#"{"Code": "BucketAlreadyExists", "Message": "taken", "Retry": 3}"#,
        );
        assert_eq!(e.code, "BucketAlreadyExists");
        assert_eq!(e.ec.as_deref(), Some("0015-00000104"));
        assert_eq!(e.extra["Retry"], "3");
    }

    #[test]
    fn mislabelled_bodies_are_sniffed() {
        let xml_as_json = head(404, &[("content-type", "application/json")]);
        let e = read_error(
            &xml_as_json,
            b"<Error><Code>NoSuchBucket</Code><Message>m</Message></Error>",
        );
        assert_eq!(e.code, "NoSuchBucket");
        let json_as_xml = head(404, &[("content-type", "application/xml")]);
        let e = read_error(&json_as_xml, br#"{"Error":{"Code":"NoSuchBucket"}}"#);
        assert_eq!(e.code, "NoSuchBucket");
    }

    #[test]
    fn unparseable_bodies_keep_status_and_request_id() {
        let h = head(
            502,
            &[("x-oss-request-id", "abc"), ("content-type", "text/html")],
        );
        let e = read_error(&h, b"<html><body>Bad Gateway</body></html>");
        assert_eq!(e.status, 502);
        assert_eq!(e.request_id, "abc");
        assert_eq!(e.code, "");
        assert!(e.message.contains("Bad Gateway"), "{}", e.message);

        let e = read_error(&h, b"<Error><Code>Trunc");
        assert_eq!(e.request_id, "abc");
        assert!(e.message.starts_with("unreadable"));

        let e = read_error(&head(500, &[("content-type", "application/json")]), b"{");
        assert_eq!(e.status, 500);
    }

    #[test]
    fn long_unparseable_bodies_are_cut() {
        let body = "x".repeat(10_000);
        let e = read_error(&head(500, &[]), body.as_bytes());
        assert!(e.message.chars().count() < 300);
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bodies_never_panic(
            status in 300u16..600,
            body in proptest::collection::vec(proptest::arbitrary::any::<u8>(), 0..512),
            err_header in "[A-Za-z0-9+/=]{0,64}",
        ) {
            let h = head(status, &[("x-oss-err", &err_header), ("x-oss-request-id", "r")]);
            let e = read_error(&h, &body);
            proptest::prop_assert_eq!(e.status.as_u16(), status);
            proptest::prop_assert_eq!(e.request_id.as_str(), "r");
        }

        #[test]
        fn xml_like_bodies_never_panic(body in "(<Error>|<Code>|</Code>|</Error>|&amp;|&#x41;|&bogus;|<!\\[CDATA\\[x\\]\\]>|[a-z ]){0,40}") {
            let _ = read_error(&head(400, &[]), body.as_bytes());
        }
    }

    struct Fake;
    impl Operation for Fake {
        type Input = ();
        type Output = String;
        const METADATA: OperationMetadata = OperationMetadata {
            name: "PutObject",
            method: http::Method::PUT,
            scope: Scope::Object,
            response_body: ResponseBodyKind::Empty,
            requires_content_md5: false,
        };
        fn build_request(_: &()) -> Result<RequestParts, Error> {
            Ok(RequestParts {
                method: http::Method::PUT,
                bucket: None,
                key: None,
                query: Vec::new(),
                headers: http::HeaderMap::new(),
                body: RequestBody::Empty,
            })
        }
        fn parse_output(head: &http::response::Parts, body: Bytes) -> Result<String, Error> {
            Ok(format!(
                "{} {}",
                head.status.as_u16(),
                String::from_utf8_lossy(&body)
            ))
        }
    }

    #[test]
    fn callback_failed_203() {
        // The CallbackFailed example of the OSS callback documentation.
        let doc = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>CallbackFailed</Code>
  <Message>Error status : 502.</Message>
  <RequestId>5C3D9175B6FC201293AD****</RequestId>
  <HostId>examplebucket.oss-cn-hangzhou.aliyuncs.com</HostId>
  <EC>0007-00000203</EC>
</Error>"#;
        let h = head(203, &[("x-oss-request-id", "5C3D9175B6FC201293AD****")]);
        let err = read_response::<Fake>(&h, Bytes::from(doc)).expect_err("callback failed");
        assert_eq!(err.code(), Some("CallbackFailed"));
        assert_eq!(
            err.status(),
            Some(http::StatusCode::NON_AUTHORITATIVE_INFORMATION)
        );
        assert_eq!(err.request_id(), Some("5C3D9175B6FC201293AD****"));
    }

    #[test]
    fn plain_203_is_success_and_2xx_goes_to_parse_output() {
        let h = head(203, &[]);
        assert_eq!(read_response::<Fake>(&h, Bytes::new()), Ok("203 ".into()));
        let h = head(200, &[]);
        assert_eq!(
            read_response::<Fake>(&h, Bytes::from_static(b"{\"callback\":\"ok\"}")),
            Ok("200 {\"callback\":\"ok\"}".into())
        );
        let h = head(206, &[]);
        assert!(read_response::<Fake>(&h, Bytes::new()).is_ok());
    }

    #[test]
    fn redirects_and_errors_are_service_errors() {
        for status in [301, 304, 400, 403, 404, 409, 500, 503] {
            let err = read_response::<Fake>(&head(status, &[]), Bytes::new()).expect_err("error");
            assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        }
    }

    #[test]
    fn error_document_with_other_root_is_not_an_error_document() {
        let h = head(203, &[]);
        let out = read_response::<Fake>(&h, Bytes::from_static(b"<Result><Code>x</Code></Result>"));
        assert!(out.is_ok());
    }
}
