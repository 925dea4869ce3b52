//! What the fuzz targets run: each function takes arbitrary bytes, feeds them to one family of
//! parsers and returns normally whatever the bytes are. A panic (or an abort, a timeout, an
//! out-of-memory) is the bug libFuzzer reports. The property is the project's rule: bad input
//! gets a typed error, never a panic.
#![forbid(unsafe_code)]

mod generated;

use bytes::Bytes;
use oss_model::xml::{XmlDocument as _, XmlReader};
use oss_proto::generated::OperationId;
use oss_proto::operation::{RequestBody, RequestParts, Scope};

/// Splits fuzz input into pieces: a few selector bytes, then `\n`-separated header lines up to
/// an empty line, then the body.
struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    fn new(data: &'a [u8]) -> Self {
        Input { data }
    }

    fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((b, rest)) => {
                self.data = rest;
                *b
            }
            None => 0,
        }
    }

    fn u16(&mut self) -> u16 {
        u16::from(self.byte()) << 8 | u16::from(self.byte())
    }

    /// One line (without its `\n`), or everything left.
    fn line(&mut self) -> &'a [u8] {
        match self.data.iter().position(|b| *b == b'\n') {
            Some(i) => {
                let line = &self.data[..i];
                self.data = &self.data[i + 1..];
                line
            }
            None => std::mem::take(&mut self.data),
        }
    }

    /// `name: value` lines up to an empty line; lines that are not valid headers are skipped.
    fn headers(&mut self) -> http::HeaderMap {
        let mut headers = http::HeaderMap::new();
        while !self.data.is_empty() {
            let line = self.line();
            if line.is_empty() {
                break;
            }
            let Some(colon) = line.iter().position(|b| *b == b':') else {
                continue;
            };
            let (name, value) = (&line[..colon], &line[colon + 1..]);
            let value = value.strip_prefix(b" ").unwrap_or(value);
            if let (Ok(name), Ok(value)) = (
                http::HeaderName::from_bytes(name),
                http::HeaderValue::from_bytes(value),
            ) {
                headers.append(name, value);
            }
        }
        headers
    }

    fn text(&mut self) -> String {
        String::from_utf8_lossy(self.line()).into_owned()
    }

    fn rest(self) -> &'a [u8] {
        self.data
    }
}

/// Statuses a response may have: the ones the readers treat specially, then any.
fn status(selector: u8) -> http::StatusCode {
    const USUAL: &[u16] = &[
        200, 203, 204, 206, 301, 304, 307, 400, 403, 404, 409, 412, 500, 503,
    ];
    let code = match USUAL.get(usize::from(selector)) {
        Some(code) => *code,
        None => 100 + u16::from(selector) * 2,
    };
    http::StatusCode::from_u16(code).unwrap_or(http::StatusCode::OK)
}

fn operation(selector: u16) -> OperationId {
    let all = OperationId::ALL;
    all[usize::from(selector) % all.len()]
}

fn response_head(status: http::StatusCode, headers: http::HeaderMap) -> http::response::Parts {
    let mut response = http::Response::new(());
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response.into_parts().0
}

/// The XML scanner: walks the whole tree (children, text, skips), and reads the bytes as a few
/// documents with deep and repeated structure.
pub fn xml_scanner(data: &[u8]) {
    fn walk(r: &mut XmlReader<'_>, depth: usize, choices: &mut impl Iterator<Item = u8>) {
        while let Ok(Some(_tag)) = r.next_child() {
            let result = match choices.next().unwrap_or(0) % 3 {
                0 if depth < 64 => {
                    walk(r, depth + 1, choices);
                    Ok(())
                }
                1 => r.text("fuzz").map(drop),
                _ => r.skip(),
            };
            if result.is_err() {
                return;
            }
        }
    }
    let mut r = XmlReader::new(data);
    let mut choices = data.iter().rev().copied();
    if r.open_root("Root").is_ok() || r.next_child().is_ok() {
        walk(&mut r, 0, &mut choices);
    }
    let _ = oss_model::ListBucketResult::from_xml(data);
    let _ = oss_model::LifecycleConfiguration::from_xml(data);
    let _ = oss_model::CompleteMultipartUpload::from_xml(data);
}

/// Every generated response reader (`oss_proto::response::read_response`: the success parser
/// of the operation, or the error reader): operation and status from the first bytes, then
/// headers, then the body.
pub fn responses(data: &[u8]) {
    let mut input = Input::new(data);
    let id = operation(input.u16());
    let status = status(input.byte());
    let headers = input.headers();
    let body = Bytes::copy_from_slice(input.rest());
    let head = response_head(status, headers);
    let _ = generated::read_response(id, &head, body);
}

/// The error reader alone: XML and JSON error documents, the `x-oss-err` header, 203
/// `CallbackFailed`, unreadable bodies.
pub fn error_reader(data: &[u8]) {
    let mut input = Input::new(data);
    let status = status(input.byte());
    let headers = input.headers();
    let body = Bytes::copy_from_slice(input.rest());
    let head = response_head(status, headers);
    let read =
        oss_proto::response::read_response::<oss_proto::generated::GetBucketAcl>(&head, body);
    if let Err(e) = &read {
        let _ = e.to_string();
        let _ = e.service_error().map(|s| s.to_string());
        let _ = oss_proto::clock_skew::detect(
            &head,
            e.service_error(),
            std::time::SystemTime::UNIX_EPOCH,
        );
    }
    let _ = oss_proto::crc::header_value(&head.headers);
}

/// Signature verification as a server does it: method, resource, query and headers
/// (`Authorization`, `x-oss-date`, presign parameters) from the input.
pub fn signature(data: &[u8]) {
    let mut input = Input::new(data);
    let kind = input.byte();
    let method = input.text();
    let bucket = input.text();
    let key = input.text();
    let query = oss_sign::encoding::decode_query(&input.text());
    let headers = input.headers();
    let resource = match kind % 4 {
        0 => oss_sign::request::Resource::Service,
        1 => oss_sign::request::Resource::Bucket(&bucket),
        2 => oss_sign::request::Resource::Object {
            bucket: &bucket,
            key: &key,
        },
        _ => oss_sign::request::Resource::Vector {
            account_id: &key,
            bucket: Some(&bucket),
            key: None,
        },
    };
    let request = oss_sign::request::SignableRequest::new(&method, resource)
        .with_query(oss_sign::request::Query::Owned(&query))
        .with_headers(oss_sign::request::Headers::Map(&headers));
    let lookup = |ak: &str| (ak == "ak").then(|| oss_sign::Credentials::new("ak", "sk"));
    let now = time::OffsetDateTime::from_unix_timestamp(1_744_859_740)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let _ = oss_sign::verify::verify(&request, lookup, &oss_sign::verify::VerifyOptions::new(now));
}

/// Endpoint and URL parsing: endpoints, regions, query strings, copy sources, addresses built
/// from the parsed pieces.
pub fn endpoint_url(data: &[u8]) {
    let mut input = Input::new(data);
    let style = input.byte();
    let endpoint = input.text();
    let region = input.text();
    let bucket = input.text();
    let key = input.text();
    let raw_query = input.text();
    let copy_source = input.text();
    let _ = oss_proto::endpoint::check_region(&region);
    let _ = oss_proto::endpoint::Endpoint::from_region(
        &region,
        oss_proto::endpoint::EndpointKind::Public,
    );
    let _ = <oss_model::CopySource as oss_model::value::TextValue>::from_text(&copy_source);
    let query = oss_sign::encoding::decode_query(&raw_query);
    let _ = oss_proto::endpoint::encode_query(&query);
    let Ok(mut e) = oss_proto::endpoint::Endpoint::parse(&endpoint) else {
        return;
    };
    e = e.with_style(match style % 3 {
        0 => oss_proto::endpoint::AddressingStyle::VirtualHosted,
        1 => oss_proto::endpoint::AddressingStyle::Path,
        _ => oss_proto::endpoint::AddressingStyle::Cname,
    });
    if let Ok(with_region) = e.clone().with_region(&region) {
        e = with_region;
    }
    let parts = RequestParts {
        method: http::Method::GET,
        bucket: Some(bucket),
        key: Some(key),
        query,
        headers: http::HeaderMap::new(),
        body: RequestBody::Empty,
    };
    for scope in [Scope::Service, Scope::Bucket, Scope::Object, Scope::Vector] {
        let _ = e.address(scope, &parts);
    }
}

/// Request reading as the emulator does it: the routing table picks the operation from
/// method, scope, query and headers, then that operation's `parse_request` reads the input.
pub fn requests(data: &[u8]) {
    let mut input = Input::new(data);
    let selector = input.byte();
    let method = input.text();
    let bucket = input.text();
    let key = input.text();
    let query = oss_sign::encoding::decode_query(&input.text());
    let headers = input.headers();
    let body = input.rest();
    let scope = match selector % 4 {
        0 => Scope::Service,
        1 => Scope::Bucket,
        2 => Scope::Object,
        _ => Scope::Vector,
    };
    let has_bucket = scope != Scope::Service;
    let Some(id) = oss_proto::route::route(&method, scope, has_bucket, &query, &headers) else {
        return;
    };
    let Ok(method) = http::Method::from_bytes(method.as_bytes()) else {
        return;
    };
    let parts = RequestParts {
        method,
        bucket: has_bucket.then_some(bucket),
        key: (scope == Scope::Object).then_some(key),
        query,
        headers,
        body: RequestBody::Bytes(Bytes::copy_from_slice(body)),
    };
    let _ = generated::parse_request(id, &parts, body);
}
