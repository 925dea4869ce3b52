//! Upload callbacks end to end: the client's typed callback parameters on an upload, the
//! emulator calling a loopback application server with OSS's signature, the application's reply
//! as the upload's response, `203 CallbackFailed` when the application fails, and the client's
//! verification of the call (which fails for a tampered call).
#![allow(clippy::unwrap_used)]

use oss_tests::{sdk_client, service_code};
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

use base64::Engine as _;
use oss_client::callback::{
    CallbackBodyType, CallbackParams, CallbackRequest, CallbackVerifyError, public_key_url, verify,
};
use oss_emulator::{Emulator, EmulatorConfig};

const AK: &str = "callback-test-ak";
const SK: &str = "callback-test-sk";

/// One request the application server received.
#[derive(Debug, Clone)]
struct Received {
    method: String,
    path: String,
    query: Option<String>,
    headers: http::HeaderMap,
    body: Vec<u8>,
}

/// A loopback application server answering every request with `status` and `body`, reporting
/// what it received.
struct AppServer {
    addr: SocketAddr,
    received: mpsc::Receiver<Received>,
}

fn read_request(stream: &mut TcpStream) -> Received {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    let split = loop {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "connection closed before the head");
        raw.extend_from_slice(&buf[..n]);
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
    };
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap().split(' ');
    let method = first.next().unwrap().to_owned();
    let target = first.next().unwrap().to_owned();
    let mut headers = http::HeaderMap::new();
    for line in lines {
        let (n, v) = line.split_once(':').unwrap();
        headers.append(
            http::HeaderName::from_bytes(n.trim().to_ascii_lowercase().as_bytes()).unwrap(),
            v.trim().parse().unwrap(),
        );
    }
    let length: usize = headers
        .get("content-length")
        .map_or(0, |v| v.to_str().unwrap().parse().unwrap());
    let mut body = raw[split + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0);
        body.extend_from_slice(&buf[..n]);
    }
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
        None => (target, None),
    };
    Received {
        method,
        path,
        query,
        headers,
        body,
    }
}

impl AppServer {
    fn start(status: u16, reply: &'static str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let got = read_request(&mut stream);
                let _ = stream.write_all(
                    format!(
                        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                        reply.len()
                    )
                    .as_bytes(),
                );
                if tx.send(got).is_err() {
                    return;
                }
            }
        });
        AppServer { addr, received: rx }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn next(&self) -> Received {
        self.received
            .recv_timeout(Duration::from_secs(10))
            .expect("the application server was called")
    }
}

/// GET of a plain `http://host:port/path` URL (the emulator's public key).
fn http_get(url: &str) -> String {
    let rest = url.strip_prefix("http://").unwrap();
    let (authority, path) = rest.split_at(rest.find('/').unwrap());
    let mut s = TcpStream::connect(authority).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    body.to_owned()
}

fn as_request(r: &Received) -> CallbackRequest<'_> {
    CallbackRequest {
        method: &r.method,
        path: &r.path,
        query: r.query.as_deref(),
        headers: &r.headers,
        body: &r.body,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_json_callback_is_signed_and_its_reply_returned() {
    let emu = Emulator::start(EmulatorConfig::new(AK, SK)).unwrap();
    let c = sdk_client(&emu);
    c.put_bucket().bucket("photos").send().await.unwrap();
    let app = AppServer::start(200, r#"{"status":"recorded"}"#);
    let params = CallbackParams::new(
        app.url("/notify%20me?source=oss"),
        r#"{"bucket":"${bucket}","object":"${object}","etag":"${etag}","size":${size},"type":"${mimeType}","uid":"${x:uid}"}"#,
    )
    .host("app.example.com")
    .body_type(CallbackBodyType::Json)
    .var("x:uid", "u-42")
    .encode()
    .unwrap();
    let out = c
        .callback()
        .bucket("photos")
        .key("cats/tom.jpg")
        .content_type("image/jpeg")
        .callback(params.callback())
        .callback_var(params.callback_var().unwrap())
        .body("hello")
        .send()
        .await
        .unwrap();
    // The application's reply is the upload's response body.
    assert_eq!(out.body, r#"{"status":"recorded"}"#);
    // MD5("hello"), as OSS writes ETags.
    assert_eq!(
        out.etag.as_deref(),
        Some("\"5D41402ABC4B2A76B9719D911017C592\"")
    );

    let got = app.next();
    assert_eq!(got.method, "POST");
    assert_eq!(got.path, "/notify%20me");
    assert_eq!(got.query.as_deref(), Some("source=oss"));
    assert_eq!(got.headers["host"], "app.example.com");
    assert_eq!(got.headers["content-type"], "application/json");
    let body: serde_json::Value = serde_json::from_slice(&got.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({
            "bucket": "photos",
            "object": "cats/tom.jpg",
            "etag": "5D41402ABC4B2A76B9719D911017C592",
            "size": 5,
            "type": "image/jpeg",
            "uid": "u-42",
        })
    );

    // The application checks the call with the key the call names.
    let key_url = public_key_url(&got.headers).unwrap();
    assert_eq!(
        key_url,
        format!("http://{}/__emulator/callback_pub_key.pem", emu.addr())
    );
    let pem = http_get(&key_url);
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"), "{pem}");
    verify(&as_request(&got), &pem).unwrap();

    // A call that was changed on the way does not verify.
    let mut tampered = got.clone();
    tampered.body = tampered
        .body
        .iter()
        .map(|b| if *b == b'5' { b'6' } else { *b })
        .collect();
    assert_eq!(
        verify(&as_request(&tampered), &pem),
        Err(CallbackVerifyError::SignatureMismatch)
    );
    let mut other_path = got.clone();
    other_path.path = "/notify%20you".to_owned();
    assert_eq!(
        verify(&as_request(&other_path), &pem),
        Err(CallbackVerifyError::SignatureMismatch)
    );
    let mut other_query = got.clone();
    other_query.query = None;
    assert_eq!(
        verify(&as_request(&other_query), &pem),
        Err(CallbackVerifyError::SignatureMismatch)
    );
    let mut forged = got;
    forged.headers.insert(
        "authorization",
        base64::engine::general_purpose::STANDARD
            .encode([7u8; 256])
            .parse()
            .unwrap(),
    );
    assert_eq!(
        verify(&as_request(&forged), &pem),
        Err(CallbackVerifyError::SignatureMismatch)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_callback_url_encodes_its_variables() {
    let emu = Emulator::start(EmulatorConfig::new(AK, SK)).unwrap();
    let c = sdk_client(&emu);
    c.put_bucket().bucket("docs").send().await.unwrap();
    let app = AppServer::start(200, r#"{"ok":true}"#);
    let params = CallbackParams::new(app.url("/cb"), "object=${object}&size=${size}&n=${x:name}")
        .var("x:name", "a&b c")
        .encode()
        .unwrap();
    let out = c
        .put_object()
        .bucket("docs")
        .key("my file.txt")
        .callback(params.callback())
        .callback_var(params.callback_var().unwrap())
        .body("12345678")
        .send()
        .await
        .unwrap();
    assert!(out.etag.is_some());
    let got = app.next();
    assert_eq!(
        got.headers["content-type"],
        "application/x-www-form-urlencoded"
    );
    assert_eq!(
        String::from_utf8(got.body.clone()).unwrap(),
        "object=my%20file%2Etxt&size=8&n=a%26b%20c"
    );
    let pem = http_get(&public_key_url(&got.headers).unwrap());
    verify(&as_request(&got), &pem).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_callbacks_are_203_callback_failed_and_the_object_stays() {
    let emu = Emulator::start(EmulatorConfig::new(AK, SK)).unwrap();
    let c = sdk_client(&emu);
    c.put_bucket().bucket("cbk").send().await.unwrap();

    // The application answers 500.
    let failing = AppServer::start(500, r#"{"error":"boom"}"#);
    let params = CallbackParams::new(failing.url("/cb"), "object=${object}")
        .encode()
        .unwrap();
    let err = c
        .callback()
        .bucket("cbk")
        .key("k500")
        .callback(params.callback())
        .body("data")
        .send()
        .await
        .unwrap_err();
    assert_eq!(service_code(&err), (203, "CallbackFailed".to_owned()));
    assert!(
        err.service_error().unwrap().message.contains("500"),
        "{err}"
    );
    assert_eq!(failing.next().body, b"object=k500");
    let (_, body) = c
        .get_object()
        .bucket("cbk")
        .key("k500")
        .send()
        .await
        .unwrap();
    assert_eq!(&body.collect().await.unwrap()[..], b"data");

    // The application answers 200 with something that is not JSON.
    let not_json = AppServer::start(200, "thanks");
    let params = CallbackParams::new(not_json.url("/cb"), "x")
        .encode()
        .unwrap();
    let err = c
        .callback()
        .bucket("cbk")
        .key("knotjson")
        .callback(params.callback())
        .body("data")
        .send()
        .await
        .unwrap_err();
    assert_eq!(service_code(&err), (203, "CallbackFailed".to_owned()));

    // Nobody listens (a port just freed).
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let params = CallbackParams::new(format!("http://{closed}/cb"), "x")
        .encode()
        .unwrap();
    let err = c
        .callback()
        .bucket("cbk")
        .key("kclosed")
        .callback(params.callback())
        .body("data")
        .send()
        .await
        .unwrap_err();
    assert_eq!(service_code(&err), (203, "CallbackFailed".to_owned()));
    assert!(c.is_object_exist("cbk", "kclosed").await.unwrap());

    // A later URL is tried when the first fails.
    let good = AppServer::start(200, r#"{"second":true}"#);
    let params = CallbackParams::new(format!("http://{closed}/cb"), "x")
        .url(good.url("/cb"))
        .encode()
        .unwrap();
    let out = c
        .callback()
        .bucket("cbk")
        .key("ksecond")
        .callback(params.callback())
        .body("data")
        .send()
        .await
        .unwrap();
    assert_eq!(out.body, r#"{"second":true}"#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_loopback_and_malformed_callbacks_are_refused_before_storing() {
    let emu = Emulator::start(EmulatorConfig::new(AK, SK)).unwrap();
    let c = sdk_client(&emu);
    c.put_bucket().bucket("cbk").send().await.unwrap();
    for (key, header) in [
        (
            "remote",
            CallbackParams::new("http://203.0.113.7/cb", "x")
                .encode()
                .unwrap()
                .callback()
                .to_owned(),
        ),
        (
            "named",
            CallbackParams::new("http://app.example.com/cb", "x")
                .encode()
                .unwrap()
                .callback()
                .to_owned(),
        ),
        ("garbage", "%%%not base64".to_owned()),
        (
            "notjson",
            base64::engine::general_purpose::STANDARD.encode("callbackUrl=x"),
        ),
    ] {
        let err = c
            .put_object()
            .bucket("cbk")
            .key(key)
            .callback(header)
            .body("data")
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            service_code(&err),
            (400, "InvalidArgument".to_owned()),
            "{key}"
        );
        assert!(!c.is_object_exist("cbk", key).await.unwrap(), "{key}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn complete_multipart_upload_calls_back_with_the_whole_object() {
    let emu = Emulator::start(EmulatorConfig::new(AK, SK)).unwrap();
    let c = sdk_client(&emu);
    c.put_bucket().bucket("cbk").send().await.unwrap();
    let app = AppServer::start(200, r#"{"done":1}"#);
    let init = c
        .initiate_multipart_upload()
        .bucket("cbk")
        .key("big")
        .send()
        .await
        .unwrap();
    let upload_id = init.upload_id.clone();
    let part = c
        .upload_part()
        .bucket("cbk")
        .key("big")
        .upload_id(upload_id.clone())
        .part_number(1)
        .body("part one")
        .send()
        .await
        .unwrap();
    let params = CallbackParams::new(app.url("/mp"), "object=${object}&size=${size}")
        .encode()
        .unwrap();
    let raw = oss_tests::Client::for_addr(emu.addr(), AK, SK);
    let doc = format!(
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{}</ETag></Part></CompleteMultipartUpload>",
        part.etag.unwrap()
    );
    let resp = raw
        .post("/cbk/big")
        .query("uploadId", Some(&upload_id))
        .header("x-oss-callback", params.callback())
        .body(doc)
        .send();
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.text(), r#"{"done":1}"#);
    assert_eq!(app.next().body, b"object=big&size=8");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_object_form_with_a_callback_field_calls_back() {
    use oss_client::post_policy::PostPolicy;
    let emu = Emulator::start(EmulatorConfig::new(AK, SK)).unwrap();
    let c = sdk_client(&emu);
    c.put_bucket().bucket("forms").send().await.unwrap();
    let app = AppServer::start(200, r#"{"form":"seen"}"#);
    let params = CallbackParams::new(
        app.url("/posted"),
        r#"{"object":"${object}","size":${size},"who":"${x:who}"}"#,
    )
    .body_type(CallbackBodyType::Json)
    .encode()
    .unwrap();
    let policy = PostPolicy::builder(time::OffsetDateTime::now_utc() + time::Duration::hours(1))
        .bucket("forms")
        .build();
    let form = c
        .sign_post_policy(&policy)
        .await
        .unwrap()
        .with_field("key", "uploads/${filename}")
        .with_field("callback", params.callback())
        // A form carries its custom variables as `x:` fields.
        .with_field("x:who", "browser");
    let out = c
        .post_object()
        .bucket("forms")
        .form(form.encode("pic.txt", "text/plain", b"four".to_vec()))
        .send()
        .await
        .unwrap();
    // The application's reply is the form upload's response.
    assert_eq!(out.body.as_deref(), Some(r#"{"form":"seen"}"#));
    let got = app.next();
    assert_eq!(got.path, "/posted");
    let body: serde_json::Value = serde_json::from_slice(&got.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"object": "uploads/pic.txt", "size": 4, "who": "browser"})
    );
    let pem = http_get(&public_key_url(&got.headers).unwrap());
    verify(&as_request(&got), &pem).unwrap();

    // An application answering 500: 203 CallbackFailed, and the object is stored anyway.
    let failing = AppServer::start(500, r#"{"error":"down"}"#);
    let params = CallbackParams::new(failing.url("/posted"), "object=${object}")
        .encode()
        .unwrap();
    let form = c
        .sign_post_policy(&policy)
        .await
        .unwrap()
        .with_field("key", "uploads/second.txt")
        .with_field("callback", params.callback());
    let err = c
        .post_object()
        .bucket("forms")
        .form(form.encode("second.txt", "text/plain", b"2".to_vec()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(service_code(&err), (203, "CallbackFailed".to_owned()));
    failing.next();
    let (_, data) = c
        .get_object()
        .bucket("forms")
        .key("uploads/second.txt")
        .send()
        .await
        .unwrap();
    assert_eq!(&data.collect().await.unwrap()[..], b"2");

    // A callback field that is not base64 JSON is refused before anything is stored.
    let form = c
        .sign_post_policy(&policy)
        .await
        .unwrap()
        .with_field("key", "uploads/third.txt")
        .with_field("callback", "not base64 json");
    let err = c
        .post_object()
        .bucket("forms")
        .form(form.encode("third.txt", "text/plain", b"3".to_vec()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(service_code(&err).0, 400);
    assert!(
        c.head_object()
            .bucket("forms")
            .key("uploads/third.txt")
            .send()
            .await
            .is_err()
    );
}
