//! Upload callbacks: after a PutObject or CompleteMultipartUpload carrying `x-oss-callback`
//! has stored the object, the emulator POSTs the callback to the application server and answers
//! the upload with the server's reply, as OSS does.
//!
//! - `x-oss-callback` is base64 of a JSON object: `callbackUrl` (up to 5 URLs separated by
//!   `;`, tried in turn), `callbackBody` (with `${bucket}`, `${object}`, `${etag}`, `${size}`,
//!   `${mimeType}`, `${crc64}`, `${contentMd5}` and custom `${x:name}` variables from the
//!   base64 JSON `x-oss-callback-var`), optional `callbackHost` and `callbackBodyType`
//!   (`application/x-www-form-urlencoded`, the default, whose variable values are
//!   URL-encoded, or `application/json`). A malformed one is refused before anything is
//!   stored (`InvalidArgument`).
//! - The emulator calls back only `http://` URLs on loopback (`127.0.0.0/8`, `[::1]`,
//!   `localhost`); any other address is refused the same way.
//! - The callback is signed as OSS signs it: `Authorization` is base64 of the RSA (PKCS#1 v1.5,
//!   MD5) signature of the URL-decoded path, the query string (with its `?`), `\n` and the body;
//!   `x-oss-pub-key-url` is base64 of the URL where the emulator serves the public key
//!   ([`PUB_KEY_PATH`]). The key pair is the fixed test key in `keys/` (not a secret).
//! - The application must answer 200 with a JSON body, which becomes the upload's response
//!   body. Anything else (an error status, a body that is not JSON, no answer within 5
//!   seconds) is `203 CallbackFailed`: the object stays stored.

use std::io::{Read as _, Write as _};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::sync::OnceLock;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use bytes::Bytes;
use http::StatusCode;
use percent_encoding::{NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use rsa::pkcs1::DecodeRsaPrivateKey as _;
use rsa::{Pkcs1v15Sign, RsaPrivateKey};

use crate::context::Context;
use crate::error::OssError;
use crate::request::Request;
use crate::response::Reply;
use crate::storage::ObjectMeta;

/// Where the emulator serves its callback public key (PEM), without authentication.
pub(crate) const PUB_KEY_PATH: &str = "/__emulator/callback_pub_key.pem";

/// The public key of the emulator's callback signatures (SubjectPublicKeyInfo PEM).
pub(crate) const PUBLIC_KEY_PEM: &str = include_str!("../../keys/callback-test-pub-key.pem");
const PRIVATE_KEY_PEM: &str = include_str!("../../keys/callback-test-key.pem");

const TIMEOUT: Duration = Duration::from_secs(5);
const FORM: &str = "application/x-www-form-urlencoded";

fn key() -> Result<&'static RsaPrivateKey, OssError> {
    static KEY: OnceLock<Option<RsaPrivateKey>> = OnceLock::new();
    KEY.get_or_init(|| RsaPrivateKey::from_pkcs1_pem(PRIVATE_KEY_PEM).ok())
        .as_ref()
        .ok_or_else(|| OssError::internal("the callback signing key cannot be read"))
}

/// A parsed `x-oss-callback` (and `x-oss-callback-var`).
#[derive(Debug, Clone)]
pub(crate) struct Spec {
    urls: Vec<Target>,
    host: Option<String>,
    body: String,
    body_type: String,
    vars: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
struct Target {
    addr: SocketAddr,
    authority: String,
    /// Path and query as given (still percent-encoded).
    path: String,
    query: Option<String>,
}

fn invalid(message: impl Into<String>) -> OssError {
    OssError::invalid_argument(message).with("ArgumentName", "callback")
}

fn decode_json(value: &str, what: &str) -> Result<serde_json::Value, OssError> {
    let raw = B64
        .decode(value.trim())
        .map_err(|_| invalid(format!("The {what} is not base64 encoded.")))?;
    serde_json::from_slice(&raw).map_err(|_| invalid(format!("The {what} is not json format.")))
}

fn loopback_target(url: &str) -> Result<Target, OssError> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| invalid(format!("The callback url {url:?} is not an http:// URL.")))?;
    let (authority, path_query) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => {
            let port = p
                .parse::<u16>()
                .map_err(|_| invalid(format!("The callback url {url:?} has a bad port.")))?;
            (h, port)
        }
        _ => (authority, 80),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let ip: IpAddr = if host.eq_ignore_ascii_case("localhost") {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        host.parse().map_err(|_| {
            invalid(format!(
                "The callback url {url:?} is not a loopback address."
            ))
        })?
    };
    if !ip.is_loopback() {
        return Err(invalid(format!(
            "The emulator calls back loopback addresses only, not {url:?}."
        )));
    }
    let (path, query) = match path_query.split_once('?') {
        Some((p, q)) => (p.to_owned(), Some(q.to_owned()).filter(|q| !q.is_empty())),
        None => (path_query.to_owned(), None),
    };
    Ok(Target {
        addr: SocketAddr::new(ip, port),
        authority: authority.to_owned(),
        path,
        query,
    })
}

/// Reads the request's callback parameters, when it has them; malformed or non-loopback ones
/// are `InvalidArgument`.
pub(crate) fn parse(req: &Request) -> Result<Option<Spec>, OssError> {
    let Some(header) = req.header("x-oss-callback") else {
        return Ok(None);
    };
    let mut vars = Vec::new();
    if let Some(v) = req.header("x-oss-callback-var") {
        let json = decode_json(v, "callback var")?;
        let object = json
            .as_object()
            .ok_or_else(|| invalid("The callback var is not a json object."))?;
        for (name, value) in object {
            let value = match value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            vars.push((name.clone(), value));
        }
    }
    spec(header, vars).map(Some)
}

/// The callback of a PostObject form: its `callback` field (base64 JSON, as the header) and
/// its `x:` fields as the custom variables.
pub(crate) fn from_form<'a>(
    callback: &str,
    fields: impl Iterator<Item = (&'a str, &'a str)>,
) -> Result<Spec, OssError> {
    let vars = fields
        .filter(|(name, _)| name.starts_with("x:"))
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    spec(callback, vars)
}

/// Reads base64 callback parameters and their custom variables (`x:` names only).
fn spec(encoded: &str, vars: Vec<(String, String)>) -> Result<Spec, OssError> {
    if let Some((name, _)) = vars.iter().find(|(name, _)| !name.starts_with("x:")) {
        return Err(invalid(format!(
            "The callback var {name} does not start with x:."
        )));
    }
    let json = decode_json(encoded, "callback configuration")?;
    let field = |name: &str| json.get(name).and_then(serde_json::Value::as_str);
    let urls = field("callbackUrl")
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| invalid("The callbackUrl is missing."))?;
    let urls = urls
        .split(';')
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .collect::<Vec<_>>();
    if urls.len() > 5 {
        return Err(invalid("At most 5 callback URLs are allowed."));
    }
    let urls = urls
        .into_iter()
        .map(loopback_target)
        .collect::<Result<Vec<_>, _>>()?;
    let body = field("callbackBody")
        .ok_or_else(|| invalid("The callbackBody is missing."))?
        .to_owned();
    let body_type = field("callbackBodyType").unwrap_or(FORM).to_owned();
    if body_type != FORM && body_type != "application/json" {
        return Err(invalid(format!(
            "The callbackBodyType {body_type} is not supported."
        )));
    }
    Ok(Spec {
        urls,
        host: field("callbackHost").map(str::to_owned),
        body,
        body_type,
        vars,
    })
}

/// The base64 MD5 an ETag of a simple upload (32 hex digits) stands for.
fn md5_base64(etag: &str) -> Option<String> {
    if etag.len() != 32 {
        return None;
    }
    let bytes = (0..16)
        .map(|i| u8::from_str_radix(etag.get(i * 2..i * 2 + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    Some(B64.encode(bytes))
}

/// The callback body with its `${...}` variables replaced.
fn render(spec: &Spec, bucket: &str, meta: &ObjectMeta) -> String {
    let etag = meta.etag.trim_matches('"').to_owned();
    let value = |name: &str| -> String {
        match name {
            "bucket" => bucket.to_owned(),
            "object" => meta.key.clone(),
            "etag" => etag.clone(),
            "size" => meta.size.to_string(),
            "mimeType" => meta.content_type.clone(),
            "crc64" => meta.crc64.to_string(),
            "contentMd5" => md5_base64(&etag).unwrap_or_default(),
            custom => spec
                .vars
                .iter()
                .find(|(k, _)| k == custom)
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
        }
    };
    let form = spec.body_type == FORM;
    let mut out = String::with_capacity(spec.body.len());
    let mut rest = spec.body.as_str();
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let v = value(&after[..end]);
        if form {
            out.push_str(&utf8_percent_encode(&v, NON_ALPHANUMERIC).to_string());
        } else {
            out.push_str(&v);
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// What the application server answered.
struct Answer {
    status: u16,
    body: Vec<u8>,
}

fn post(ctx: &Context, spec: &Spec, target: &Target, body: &str) -> Result<Answer, String> {
    let decoded_path = percent_decode_str(&target.path).decode_utf8_lossy();
    let query = target
        .query
        .as_ref()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    let to_sign = format!("{decoded_path}{query}\n{body}");
    let digest = {
        use md5::Digest as _;
        md5::Md5::digest(to_sign.as_bytes())
    };
    let signature = key()
        .map_err(|e| e.message)?
        .sign(Pkcs1v15Sign::new::<md5::Md5>(), &digest)
        .map_err(|e| format!("signing failed: {e}"))?;
    let key_url = match ctx.addr {
        Some(addr) => format!("http://{addr}{PUB_KEY_PATH}"),
        None => format!("http://127.0.0.1{PUB_KEY_PATH}"),
    };
    let host = spec
        .host
        .clone()
        .unwrap_or_else(|| target.authority.clone());
    let head = format!(
        "POST {}{query} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
         Date: {}\r\nAuthorization: {}\r\nx-oss-pub-key-url: {}\r\nUser-Agent: aliyun-oss-callback\r\n\
         Connection: close\r\n\r\n",
        target.path,
        spec.body_type,
        body.len(),
        crate::timefmt::http_date(time::OffsetDateTime::now_utc()),
        B64.encode(signature),
        B64.encode(key_url),
    );
    let mut stream =
        TcpStream::connect_timeout(&target.addr, TIMEOUT).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(TIMEOUT)))
        .map_err(|e| e.to_string())?;
    stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body.as_bytes()))
        .map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).map_err(|e| e.to_string())?;
    parse_answer(&raw).ok_or_else(|| "the callback server's answer is not HTTP".to_owned())
}

fn parse_answer(raw: &[u8]) -> Option<Answer> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let mut rest = raw[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let mut length = None;
    let mut chunked = false;
    for line in lines {
        let (name, value) = line.split_once(':')?;
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = value.parse::<usize>().ok();
        } else if name.eq_ignore_ascii_case("transfer-encoding")
            && value.eq_ignore_ascii_case("chunked")
        {
            chunked = true;
        }
    }
    if chunked {
        let mut body = Vec::new();
        let mut data = rest.as_slice();
        loop {
            let end = data.windows(2).position(|w| w == b"\r\n")?;
            let size_text = std::str::from_utf8(&data[..end]).ok()?;
            let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
            data = &data[end + 2..];
            if size == 0 {
                break;
            }
            body.extend_from_slice(data.get(..size)?);
            data = data.get(size + 2..)?;
        }
        rest = body;
    } else if let Some(n) = length {
        rest.truncate(n);
    }
    Some(Answer { status, body: rest })
}

/// Runs the callback for a stored upload and turns the upload's reply into OSS's answer: the
/// application's JSON with 200, or `203 CallbackFailed`.
pub(crate) fn perform(
    ctx: &Context,
    req: &Request,
    spec: &Spec,
    reply: Reply,
) -> Result<Reply, OssError> {
    perform_for(ctx, req.bucket(), req.key(), spec, reply)
}

/// [`perform`] for the object `bucket/key` (PostObject names its key in the form).
pub(crate) fn perform_for(
    ctx: &Context,
    bucket: &str,
    key: &str,
    spec: &Spec,
    reply: Reply,
) -> Result<Reply, OssError> {
    let meta = ctx.store.object(bucket, key, None)?;
    let body = render(spec, bucket, &meta);
    let mut failure = String::new();
    for target in &spec.urls {
        match post(ctx, spec, target, &body) {
            Ok(answer) if answer.status == 200 => {
                if serde_json::from_slice::<serde_json::Value>(&answer.body).is_err() {
                    failure = "Response body is not valid json format.".to_owned();
                    continue;
                }
                let mut out = Reply::ok();
                for (k, v) in reply.headers {
                    if !k.eq_ignore_ascii_case("content-type") {
                        out = out.header(k, v);
                    }
                }
                return Ok(out
                    .header("Content-Type", "application/json")
                    .body(Bytes::from(answer.body)));
            }
            Ok(answer) => failure = format!("Error status : {}.", answer.status),
            Err(e) => failure = format!("Error status : -1. {e}"),
        }
    }
    let mut err = OssError::new(
        StatusCode::NON_AUTHORITATIVE_INFORMATION,
        "CallbackFailed",
        failure,
    )
    .ec("0007-00000203");
    for (k, v) in &reply.headers {
        let name: Option<&'static str> = match k.to_ascii_lowercase().as_str() {
            "etag" => Some("ETag"),
            "x-oss-hash-crc64ecma" => Some("x-oss-hash-crc64ecma"),
            "x-oss-version-id" => Some("x-oss-version-id"),
            "content-md5" => Some("Content-MD5"),
            _ => None,
        };
        if let Some(name) = name {
            err = err.header(name, v.clone());
        }
    }
    Err(err)
}

/// GET [`PUB_KEY_PATH`]: the public key, for application servers checking callbacks.
pub(crate) fn public_key_reply() -> Reply {
    Reply::ok()
        .header("Content-Type", "application/x-pem-file")
        .body(Bytes::from_static(PUBLIC_KEY_PEM.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_http_urls_are_called() {
        assert!(loopback_target("http://127.0.0.1:8080/cb?a=1").is_ok());
        assert!(loopback_target("http://localhost/cb").is_ok());
        assert!(loopback_target("http://[::1]:9000/").is_ok());
        for url in [
            "http://10.0.0.1/cb",
            "http://example.com/cb",
            "https://127.0.0.1/cb",
            "http://8.8.8.8:80/",
        ] {
            assert!(loopback_target(url).is_err(), "{url}");
        }
        let t = loopback_target("http://127.0.0.1:8080/a%20b?x=1").unwrap();
        assert_eq!(t.addr.port(), 8080);
        assert_eq!(t.path, "/a%20b");
        assert_eq!(t.query.as_deref(), Some("x=1"));
    }

    #[test]
    fn answers_with_length_or_chunks_are_read() {
        let a = parse_answer(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}extra").unwrap();
        assert_eq!((a.status, a.body.as_slice()), (200, &b"{}"[..]));
        let a = parse_answer(
            b"HTTP/1.1 500 Oops\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        )
        .unwrap();
        assert_eq!((a.status, a.body.as_slice()), (500, &b"abc"[..]));
    }
}
