//! The client through a small loopback proxy: plain HTTP forwarded in absolute form to the
//! emulator, HTTPS through a `CONNECT` tunnel to a TLS server, with and without basic auth, and
//! `NO_PROXY` bypassing it.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};

use crate::credentials::StaticProvider;
use crate::transport::{FixedResolver, Proxy};
use crate::{Client, Config, RetryPolicy};

/// What the proxy saw: the first request line of each connection and its
/// `Proxy-Authorization`.
#[derive(Default)]
struct Seen {
    lines: Vec<String>,
    auth: Vec<Option<String>>,
}

/// A forward proxy on 127.0.0.1: `CONNECT host:port` opens a tunnel to 127.0.0.1:port;
/// absolute-form requests are forwarded to 127.0.0.1:port. With `require` set, requests
/// without that `Proxy-Authorization` value are answered 407.
async fn start_proxy(require: Option<&'static str>) -> (u16, Arc<Mutex<Seen>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let record = Arc::clone(&seen);
    tokio::spawn(async move {
        loop {
            let Ok((client, _)) = listener.accept().await else {
                return;
            };
            let record = Arc::clone(&record);
            tokio::spawn(async move {
                let mut client = BufReader::new(client);
                let mut line = String::new();
                if client.read_line(&mut line).await.unwrap_or(0) == 0 {
                    return;
                }
                let mut head = Vec::new();
                let mut auth = None;
                loop {
                    let mut h = String::new();
                    if client.read_line(&mut h).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if h == "\r\n" {
                        break;
                    }
                    if let Some((k, v)) = h.split_once(':')
                        && k.eq_ignore_ascii_case("proxy-authorization")
                    {
                        auth = Some(v.trim().to_owned());
                        continue;
                    }
                    head.push(h);
                }
                {
                    let mut r = record.lock().unwrap();
                    r.lines.push(line.trim_end().to_owned());
                    r.auth.push(auth.clone());
                }
                if let Some(required) = require
                    && auth.as_deref() != Some(required)
                {
                    let _ = client
                        .get_mut()
                        .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                        .await;
                    return;
                }
                let mut parts = line.split_whitespace();
                let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                let authority = if method == "CONNECT" {
                    target.to_owned()
                } else {
                    target
                        .strip_prefix("http://")
                        .and_then(|r| r.split('/').next())
                        .unwrap_or("")
                        .to_owned()
                };
                let port = authority
                    .rsplit(':')
                    .next()
                    .and_then(|p| p.parse::<u16>().ok());
                let Some(port) = port else { return };
                let Ok(mut upstream) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await
                else {
                    return;
                };
                if method == "CONNECT" {
                    let _ = client
                        .get_mut()
                        .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                        .await;
                } else {
                    let mut forwarded = line.clone();
                    for h in &head {
                        forwarded.push_str(h);
                    }
                    forwarded.push_str("\r\n");
                    let _ = upstream.write_all(forwarded.as_bytes()).await;
                }
                let buffered = client.buffer().to_vec();
                let _ = upstream.write_all(&buffered).await;
                let mut client = client.into_inner();
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            });
        }
    });
    (port, seen)
}

fn emulator() -> oss_emulator::Emulator {
    oss_emulator::Emulator::start(oss_emulator::EmulatorConfig::new("ak", "sk")).unwrap()
}

fn via(emu: &oss_emulator::Emulator, proxy: Option<Proxy>) -> Client {
    Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .endpoint(emu.endpoint())
            .credentials(StaticProvider::from_keys("ak", "sk"))
            .retry(RetryPolicy::disabled())
            .proxy(proxy)
            .build()
            .unwrap(),
    )
}

async fn roundtrip(client: &Client, bucket: &str) -> Result<(), crate::Error> {
    client.put_bucket().bucket(bucket).send().await?;
    client
        .put_object()
        .bucket(bucket)
        .key("k")
        .body("through")
        .send()
        .await?;
    let (_, body) = client.get_object().bucket(bucket).key("k").send().await?;
    assert_eq!(&body.collect().await?[..], b"through");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_is_forwarded_with_and_without_auth() {
    let emu = emulator();
    let port = emu.addr().port();

    let (proxy_port, seen) = start_proxy(None).await;
    let client = via(
        &emu,
        Some(Proxy::all(&format!("http://127.0.0.1:{proxy_port}")).unwrap()),
    );
    roundtrip(&client, "fwd-open").await.unwrap();
    {
        let seen = seen.lock().unwrap();
        assert!(
            seen.lines
                .iter()
                .any(|l| l.starts_with(&format!("PUT http://127.0.0.1:{port}/fwd-open/ "))),
            "{:?}",
            seen.lines
        );
        assert!(seen.auth.iter().all(Option::is_none));
    }

    // Credentials in the URL (percent-decoded) become basic auth; a proxy demanding them lets
    // the client through.
    let (proxy_port, seen) = start_proxy(Some("Basic dXNlcjpwQHNz")).await;
    let authed = via(
        &emu,
        Some(Proxy::http(&format!("http://user:p%40ss@127.0.0.1:{proxy_port}")).unwrap()),
    );
    roundtrip(&authed, "fwd-auth").await.unwrap();
    assert!(!seen.lock().unwrap().lines.is_empty());
    // Without them the proxy answers 407 and the client reports it.
    let anonymous = via(
        &emu,
        Some(Proxy::all(&format!("http://127.0.0.1:{proxy_port}")).unwrap()),
    );
    let err = anonymous
        .put_bucket()
        .bucket("fwd-none")
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("407"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_goes_through_a_connect_tunnel() {
    let (tls_port, cert, _) = crate::client_tests::tls_server().await;
    let client = |proxy: Proxy| {
        Client::new(
            Config::builder()
                .region("cn-hangzhou")
                .endpoint(format!("https://oss-cn-hangzhou.aliyuncs.com:{tls_port}"))
                .resolver(FixedResolver::new([127, 0, 0, 1].into()))
                .credentials(StaticProvider::from_keys("ak", "sk"))
                .retry(RetryPolicy::disabled())
                .add_root_certificate(cert.clone())
                .proxy(Some(proxy))
                .build()
                .unwrap(),
        )
    };
    for auth in [None, Some(("user", "secret", "Basic dXNlcjpzZWNyZXQ="))] {
        let (proxy_port, seen) = start_proxy(auth.map(|a| a.2)).await;
        let url = match auth {
            Some((u, p, _)) => format!("http://{u}:{p}@127.0.0.1:{proxy_port}"),
            None => format!("http://127.0.0.1:{proxy_port}"),
        };
        let c = client(Proxy::https(&url).unwrap());
        let out = c.call::<crate::client_tests::GetAcl>(()).await.unwrap();
        assert_eq!(out, "over tls");
        let seen = seen.lock().unwrap();
        assert_eq!(
            seen.lines,
            [format!(
                "CONNECT bucket.oss-cn-hangzhou.aliyuncs.com:{tls_port} HTTP/1.1"
            )]
        );
        assert_eq!(seen.auth[0].as_deref(), auth.map(|a| a.2));
    }
    // A tunnel refused for missing credentials is a transport error, not a response.
    let (proxy_port, _) = start_proxy(Some("Basic x")).await;
    let err = client(Proxy::all(&format!("http://127.0.0.1:{proxy_port}")).unwrap())
        .call::<crate::client_tests::GetAcl>(())
        .await
        .unwrap_err();
    assert!(matches!(err, crate::Error::Transport { .. }), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_proxy_bypasses_and_from_environment_finds_it() {
    let emu = emulator();
    let (proxy_port, seen) = start_proxy(None).await;
    let env = crate::credentials::Environment::from_pairs([
        ("OSS_REGION", "cn-hangzhou"),
        ("OSS_ENDPOINT", emu.endpoint()),
        ("OSS_ACCESS_KEY_ID", "ak"),
        ("OSS_ACCESS_KEY_SECRET", "sk"),
        ("HTTP_PROXY", &format!("http://127.0.0.1:{proxy_port}")),
    ]);
    let proxied = Client::new(
        crate::ConfigBuilder::from_environment(&env)
            .unwrap()
            .build()
            .unwrap(),
    );
    roundtrip(&proxied, "env-proxy").await.unwrap();
    let through = seen.lock().unwrap().lines.len();
    // The proxy records the first request of each connection (the rest are piped through).
    assert!(through >= 1, "{through}");

    let env = crate::credentials::Environment::from_pairs([
        ("OSS_REGION", "cn-hangzhou"),
        ("OSS_ENDPOINT", emu.endpoint()),
        ("OSS_ACCESS_KEY_ID", "ak"),
        ("OSS_ACCESS_KEY_SECRET", "sk"),
        ("HTTP_PROXY", &format!("http://127.0.0.1:{proxy_port}")),
        ("NO_PROXY", "localhost,127.0.0.1"),
    ]);
    let bypassing = Client::new(
        crate::ConfigBuilder::from_environment(&env)
            .unwrap()
            .build()
            .unwrap(),
    );
    roundtrip(&bypassing, "no-proxy").await.unwrap();
    let explicit = via(
        &emu,
        Some(
            Proxy::all(&format!("http://127.0.0.1:{proxy_port}"))
                .unwrap()
                .no_proxy("127.0.0.0/8"),
        ),
    );
    roundtrip(&explicit, "no-proxy-cidr").await.unwrap();
    assert_eq!(
        seen.lock().unwrap().lines.len(),
        through,
        "NO_PROXY hosts went through the proxy"
    );
}
