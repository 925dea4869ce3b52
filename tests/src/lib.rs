//! Shared helpers for the cross-crate tests in `tests/`: an in-process or spawned emulator, and a
//! minimal HTTP/1.1 client that signs with oss-sign (V4, V1, presigned or anonymous).
//!
//! ```
//! use oss_tests::{Client, start_emulator};
//! let emu = start_emulator();
//! let client = Client::new(&emu);
//! assert_eq!(client.put("/doc-bucket").send().status, 200);
//! let r = client.put("/doc-bucket/hello.txt").body("hello world").send();
//! assert_eq!(r.header("etag"), Some("\"5EB63BBBE01EEED093CB22BB8F5ACDC3\""));
//! assert_eq!(client.get("/doc-bucket/hello.txt").send().text(), "hello world");
//! ```
#![forbid(unsafe_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use base64::Engine;
use http::HeaderMap;
use md5::{Digest, Md5};
pub use oss_emulator::{Emulator, EmulatorConfig, Faults};
use oss_sign::Credentials;
use oss_sign::encoding::{encode_path, encode_query};
use oss_sign::request::{Resource, SignableRequest};
use oss_sign::v1::{self, V1Params};
use oss_sign::v4::{self, SigningParams};
use time::OffsetDateTime;

/// Test credentials; they protect nothing.
pub const ACCESS_KEY_ID: &str = "LTAItestEmulatorKeyId";
/// Test credentials; they protect nothing.
pub const ACCESS_KEY_SECRET: &str = "testEmulatorKeySecret0123456789";
/// The region the tests sign for.
pub const REGION: &str = "cn-hangzhou";

/// An SDK client ([`oss_client::Client`]) of `emu`: its endpoint and keys, region
/// [`REGION`], the client's default retries.
///
/// ```
/// let emu = oss_tests::start_emulator();
/// let client = oss_tests::sdk_client(&emu);
/// # let _ = client;
/// ```
pub fn sdk_client(emu: &Emulator) -> oss_client::Client {
    oss_client::Client::new(sdk_config(emu).build().expect("client config"))
}

/// [`sdk_client`] that sends each request once and gives up connecting after 5 s: for tests
/// of exact error answers, which a retry would hide.
///
/// ```
/// let emu = oss_tests::start_emulator();
/// let client = oss_tests::sdk_client_one_attempt(&emu);
/// # let _ = client;
/// ```
pub fn sdk_client_one_attempt(emu: &Emulator) -> oss_client::Client {
    oss_client::Client::new(
        sdk_config(emu)
            .retry(oss_client::RetryPolicy::default().max_attempts(1))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .expect("client config"),
    )
}

fn sdk_config(emu: &Emulator) -> oss_client::ConfigBuilder {
    oss_client::Config::builder()
        .region(REGION)
        .endpoint(emu.endpoint())
        .credentials(oss_client::credentials::StaticProvider::from_keys(
            emu.access_key_id(),
            emu.access_key_secret(),
        ))
}

/// The HTTP status and OSS error code of a service error; panics with `err` when it is
/// another kind of error.
///
/// ```
/// let emu = oss_tests::start_emulator();
/// let client = oss_tests::sdk_client(&emu);
/// let rt = tokio::runtime::Runtime::new().unwrap();
/// let err = rt
///     .block_on(client.get_bucket_info().bucket("no-such-bucket").send())
///     .unwrap_err();
/// assert_eq!(oss_tests::service_code(&err), (404, "NoSuchBucket".to_owned()));
/// ```
pub fn service_code(err: &oss_client::Error) -> (u16, String) {
    let e = err.service_error().unwrap_or_else(|| panic!("{err}"));
    (e.status.as_u16(), e.code.clone())
}

/// `len` bytes of a fixed pseudo-random sequence (xorshift from `seed`): not a repeating
/// pattern, so a misplaced or spliced range is visible.
///
/// ```
/// assert_eq!(oss_tests::pseudo_random(4, 1), oss_tests::pseudo_random(4, 1));
/// assert_ne!(oss_tests::pseudo_random(64, 1), oss_tests::pseudo_random(64, 2));
/// ```
pub fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Starts an in-memory emulator with [`ACCESS_KEY_ID`] / [`ACCESS_KEY_SECRET`].
///
/// # Panics
/// When the emulator cannot start (a test failure).
pub fn start_emulator() -> Emulator {
    start_emulator_with(EmulatorConfig::new(ACCESS_KEY_ID, ACCESS_KEY_SECRET))
}

/// Starts an emulator with `config`.
///
/// # Panics
/// When the emulator cannot start (a test failure).
pub fn start_emulator_with(config: EmulatorConfig) -> Emulator {
    Emulator::start(config).expect("the emulator starts")
}

/// How a [`Client`] authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signing {
    /// `Authorization: OSS4-HMAC-SHA256 ...`.
    V4,
    /// `Authorization: OSS ak:signature`.
    V1,
    /// No signature.
    Anonymous,
}

/// A minimal HTTP/1.1 client for the emulator: one connection per request.
#[derive(Debug, Clone)]
pub struct Client {
    addr: SocketAddr,
    credentials: Credentials,
    signing: Signing,
}

impl Client {
    /// A V4-signing client with the emulator's credentials.
    pub fn new(emu: &Emulator) -> Self {
        Client::for_addr(emu.addr(), emu.access_key_id(), emu.access_key_secret())
    }

    /// A V4-signing client for an emulator at `addr` (e.g. a spawned binary).
    pub fn for_addr(addr: SocketAddr, access_key_id: &str, access_key_secret: &str) -> Self {
        Client {
            addr,
            credentials: Credentials::new(access_key_id, access_key_secret),
            signing: Signing::V4,
        }
    }

    /// The same client, signing another way.
    #[must_use]
    pub fn signing(mut self, signing: Signing) -> Self {
        self.signing = signing;
        self
    }

    /// The same client with other credentials.
    #[must_use]
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// The emulator's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A request to `target`: `/bucket`, `/bucket/key` (key unencoded) or `/`.
    pub fn request(&self, method: &str, target: &str) -> RequestBuilder<'_> {
        let trimmed = target.strip_prefix('/').unwrap_or(target);
        let (bucket, key) = match trimmed.split_once('/') {
            _ if trimmed.is_empty() => (None, None),
            None => (Some(trimmed.to_owned()), None),
            Some((b, "")) => (Some(b.to_owned()), None),
            Some((b, k)) => (Some(b.to_owned()), Some(k.to_owned())),
        };
        RequestBuilder {
            client: self,
            method: method.to_owned(),
            bucket,
            key,
            query: Vec::new(),
            headers: HeaderMap::new(),
            body: Vec::new(),
            time: None,
            virtual_host: None,
        }
    }

    /// `GET target`.
    pub fn get(&self, target: &str) -> RequestBuilder<'_> {
        self.request("GET", target)
    }

    /// `PUT target`.
    pub fn put(&self, target: &str) -> RequestBuilder<'_> {
        self.request("PUT", target)
    }

    /// `POST target`.
    pub fn post(&self, target: &str) -> RequestBuilder<'_> {
        self.request("POST", target)
    }

    /// `HEAD target`.
    pub fn head(&self, target: &str) -> RequestBuilder<'_> {
        self.request("HEAD", target)
    }

    /// `DELETE target`.
    pub fn delete(&self, target: &str) -> RequestBuilder<'_> {
        self.request("DELETE", target)
    }
}

/// One request being built.
#[derive(Debug)]
pub struct RequestBuilder<'c> {
    client: &'c Client,
    method: String,
    bucket: Option<String>,
    key: Option<String>,
    query: Vec<(String, Option<String>)>,
    headers: HeaderMap,
    body: Vec<u8>,
    time: Option<OffsetDateTime>,
    virtual_host: Option<String>,
}

impl RequestBuilder<'_> {
    /// Adds a query parameter (`None`: valueless, `?acl`).
    #[must_use]
    pub fn query(mut self, name: &str, value: Option<&str>) -> Self {
        self.query.push((name.to_owned(), value.map(str::to_owned)));
        self
    }

    /// Adds a valueless query parameter.
    #[must_use]
    pub fn subresource(self, name: &str) -> Self {
        self.query(name, None)
    }

    /// Adds a header.
    ///
    /// # Panics
    /// On a name or value `http` rejects (a test bug).
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.append(
            http::HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes())
                .expect("header name"),
            http::HeaderValue::from_str(value).expect("header value"),
        );
        self
    }

    /// Sets the body.
    #[must_use]
    pub fn body(mut self, body: impl AsRef<[u8]>) -> Self {
        self.body = body.as_ref().to_vec();
        self
    }

    /// Sets the body and its `Content-MD5`.
    #[must_use]
    pub fn body_with_md5(self, body: impl AsRef<[u8]>) -> Self {
        let md5 = base64::engine::general_purpose::STANDARD.encode(Md5::digest(body.as_ref()));
        self.body(body).header("content-md5", &md5)
    }

    /// Signs as of `time` instead of now.
    #[must_use]
    pub fn at(mut self, time: OffsetDateTime) -> Self {
        self.time = Some(time);
        self
    }

    /// Addresses the bucket virtual-hosted style with `Host: bucket.<domain>`.
    #[must_use]
    pub fn virtual_hosted(mut self, domain: &str) -> Self {
        self.virtual_host = Some(domain.to_owned());
        self
    }

    fn resource(&self) -> Resource<'_> {
        match (&self.bucket, &self.key) {
            (None, _) => Resource::Service,
            (Some(b), None) => Resource::Bucket(b),
            (Some(b), Some(k)) => Resource::Object { bucket: b, key: k },
        }
    }

    fn path(&self) -> String {
        let key = self.key.as_deref().map(encode_path).unwrap_or_default();
        match (&self.bucket, &self.virtual_host) {
            (None, _) => "/".to_owned(),
            (Some(_), Some(_)) => format!("/{key}"),
            (Some(b), None) if self.key.is_some() => format!("/{b}/{key}"),
            (Some(b), None) => format!("/{b}/"),
        }
    }

    fn host(&self) -> String {
        match (&self.bucket, &self.virtual_host) {
            (Some(b), Some(domain)) => format!("{b}.{domain}"),
            _ => self.client.addr.to_string(),
        }
    }

    fn query_pairs(&self) -> Vec<(&str, Option<&str>)> {
        self.query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_deref()))
            .collect()
    }

    /// The request target with a presigned query (`/bucket/key?...`), signed as the client's
    /// signing version (V4 unless V1), valid for `expires`.
    ///
    /// # Panics
    /// When signing fails (a test bug).
    pub fn presign(&self, expires: Duration) -> String {
        let now = self.time.unwrap_or_else(OffsetDateTime::now_utc);
        let pairs = self.query_pairs();
        let req = SignableRequest::new(&self.method, self.resource())
            .with_query(&pairs)
            .with_headers(&self.headers);
        let signed_query = match self.client.signing {
            Signing::V1 => {
                v1::presign(&req, &V1Params::new(&self.client.credentials, now), expires)
                    .expect("presign")
                    .encoded_query()
            }
            _ => v4::presign(
                &req,
                &SigningParams::new(&self.client.credentials, REGION, now),
                expires,
            )
            .expect("presign")
            .encoded_query(),
        };
        let own = encode_query(&pairs);
        if own.is_empty() {
            format!("{}?{signed_query}", self.path())
        } else {
            format!("{}?{own}&{signed_query}", self.path())
        }
    }

    /// Signs the request, announces `content_length` bytes of body, sends only `sent`, and
    /// returns the open connection: an upload caught mid-body (for crash tests).
    ///
    /// # Errors
    /// An I/O error while connecting or writing.
    ///
    /// # Panics
    /// When signing fails (a test bug).
    pub fn send_partial(self, content_length: usize, sent: &[u8]) -> std::io::Result<TcpStream> {
        let now = self.time.unwrap_or_else(OffsetDateTime::now_utc);
        let pairs = self.query_pairs();
        let mut headers = self.headers.clone();
        let req = SignableRequest::new(&self.method, self.resource())
            .with_query(&pairs)
            .with_headers(&self.headers);
        v4::sign_headers(
            &req,
            &SigningParams::new(&self.client.credentials, REGION, now),
        )
        .expect("sign")
        .apply_to(&mut headers)
        .expect("apply");
        let own = encode_query(&pairs);
        let target = if own.is_empty() {
            self.path()
        } else {
            format!("{}?{own}", self.path())
        };
        let mut stream = TcpStream::connect(self.client.addr)?;
        let mut head = format!(
            "{} {target} HTTP/1.1\r\nHost: {}\r\nContent-Length: {content_length}\r\n",
            self.method,
            self.host()
        );
        for (name, value) in &headers {
            head.push_str(name.as_str());
            head.push_str(": ");
            head.push_str(&String::from_utf8_lossy(value.as_bytes()));
            head.push_str("\r\n");
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes())?;
        stream.write_all(sent)?;
        stream.flush()?;
        Ok(stream)
    }

    /// Signs and sends the request, returning the response.
    ///
    /// # Panics
    /// When signing fails or the connection breaks (see [`RequestBuilder::try_send`]).
    pub fn send(self) -> Response {
        self.try_send().expect("the request completes")
    }

    /// Signs and sends the request; an error when the connection breaks before the whole
    /// response arrived.
    ///
    /// # Errors
    /// The I/O error.
    ///
    /// # Panics
    /// When signing fails (a test bug).
    pub fn try_send(mut self) -> std::io::Result<Response> {
        let now = self.time.unwrap_or_else(OffsetDateTime::now_utc);
        let pairs = self.query_pairs();
        let mut headers = self.headers.clone();
        {
            let req = SignableRequest::new(&self.method, self.resource())
                .with_query(&pairs)
                .with_headers(&self.headers);
            match self.client.signing {
                Signing::V4 => v4::sign_headers(
                    &req,
                    &SigningParams::new(&self.client.credentials, REGION, now),
                )
                .expect("sign")
                .apply_to(&mut headers)
                .expect("apply"),
                Signing::V1 => {
                    v1::sign_headers(&req, &V1Params::new(&self.client.credentials, now))
                        .expect("sign")
                        .apply_to(&mut headers)
                        .expect("apply");
                }
                Signing::Anonymous => {}
            }
        }
        let own = encode_query(&pairs);
        let target = if own.is_empty() {
            self.path()
        } else {
            format!("{}?{own}", self.path())
        };
        let host = self.host();
        let body = std::mem::take(&mut self.body);
        send_raw(
            self.client.addr,
            &self.method,
            &target,
            &host,
            &headers,
            &body,
        )
    }
}

/// A received response.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The headers (names lower-case).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// The first value of a header (name in any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The texts of every `<name>` element of the body (no nesting of the same name), unescaped.
    pub fn xml_all(&self, name: &str) -> Vec<String> {
        let text = self.text();
        let (open, close) = (format!("<{name}>"), format!("</{name}>"));
        let mut out = Vec::new();
        let mut rest = text.as_str();
        while let Some(start) = rest.find(&open) {
            let after = &rest[start + open.len()..];
            let Some(end) = after.find(&close) else { break };
            out.push(unescape(&after[..end]));
            rest = &after[end + close.len()..];
        }
        out
    }

    /// The text of the first `<name>` element.
    pub fn xml(&self, name: &str) -> Option<String> {
        self.xml_all(name).into_iter().next()
    }

    /// The `<Code>` of an error document.
    pub fn code(&self) -> Option<String> {
        self.xml("Code")
    }
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Sends one HTTP/1.1 request on a new connection and reads the whole response.
///
/// # Errors
/// An I/O error, or `UnexpectedEof` when the body is shorter than its `Content-Length`.
pub fn send_raw(
    addr: SocketAddr,
    method: &str,
    target: &str,
    host: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut head = format!("{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(name.as_str());
        head.push_str(": ");
        head.push_str(&String::from_utf8_lossy(value.as_bytes()));
        head.push_str("\r\n");
    }
    if !body.is_empty() || matches!(method, "PUT" | "POST") {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    read_response(stream, method == "HEAD")
}

fn read_response(stream: TcpStream, head: bool) -> std::io::Result<Response> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("bad status line {line:?}"),
            )
        })?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = Vec::new();
    if !head && status != 204 && status != 304 {
        body.resize(length, 0);
        reader.read_exact(&mut body)?;
    }
    Ok(Response {
        status,
        headers,
        body,
    })
}

/// The workspace root (the parent of this crate).
pub fn workspace_root() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    dir.parent().unwrap_or(dir).to_path_buf()
}

/// Builds the `oss-emulator` binary once per test process and returns its path.
///
/// # Panics
/// When the build fails.
pub fn emulator_binary() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY
        .get_or_init(|| {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
            let status = Command::new(cargo)
                .current_dir(workspace_root())
                .args([
                    "build",
                    "--quiet",
                    "-p",
                    "oss-emulator",
                    "--bin",
                    "oss-emulator",
                ])
                .status()
                .expect("cargo runs");
            assert!(status.success(), "building oss-emulator failed");
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| workspace_root().join("target"));
            target.join("debug").join("oss-emulator")
        })
        .clone()
}

/// An `oss-emulator` process; killed when dropped.
#[derive(Debug)]
pub struct Spawned {
    child: Child,
    /// The address it printed.
    pub addr: SocketAddr,
}

impl Spawned {
    /// Starts the binary with `args` and waits for its `listening on http://ADDR` line.
    ///
    /// # Panics
    /// When it does not start or prints something else.
    pub fn start(args: &[&str]) -> Spawned {
        let mut child = Command::new(emulator_binary())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the emulator binary starts");
        let stdout = child.stdout.take().expect("stdout piped");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the listening line");
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
        Spawned { child, addr }
    }

    /// A V4 client for it.
    pub fn client(&self) -> Client {
        Client::for_addr(self.addr, ACCESS_KEY_ID, ACCESS_KEY_SECRET)
    }

    /// Kills the process (SIGKILL) and waits for it.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
