//! The client through a small loopback proxy: plain HTTP forwarded in absolute form to the
//! emulator, HTTPS through a `CONNECT` tunnel to a TLS server, with and without basic auth, and
//! `NO_PROXY` bypassing it; and through a small loopback SOCKS5 proxy (RFC 1928/1929) that
//! records the methods, credentials and targets it saw.

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

/// A client configured from an environment with the emulator's endpoint and keys, the proxy
/// variable `proxy` (`("HTTP_PROXY", url)`) and, when given, `NO_PROXY`.
fn from_environment(
    emu: &oss_emulator::Emulator,
    proxy: (&str, &str),
    no_proxy: Option<&str>,
) -> Client {
    let mut pairs = vec![
        ("OSS_REGION", "cn-hangzhou"),
        ("OSS_ENDPOINT", emu.endpoint()),
        ("OSS_ACCESS_KEY_ID", "ak"),
        ("OSS_ACCESS_KEY_SECRET", "sk"),
        proxy,
    ];
    if let Some(hosts) = no_proxy {
        pairs.push(("NO_PROXY", hosts));
    }
    let env = crate::credentials::Environment::from_pairs(pairs);
    Client::new(
        crate::ConfigBuilder::from_environment(&env)
            .unwrap()
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
    let proxied = from_environment(
        &emu,
        ("HTTP_PROXY", &format!("http://127.0.0.1:{proxy_port}")),
        None,
    );
    roundtrip(&proxied, "env-proxy").await.unwrap();
    let through = seen.lock().unwrap().lines.len();
    // The proxy records the first request of each connection (the rest are piped through).
    assert!(through >= 1, "{through}");

    let bypassing = from_environment(
        &emu,
        ("HTTP_PROXY", &format!("http://127.0.0.1:{proxy_port}")),
        Some("localhost,127.0.0.1"),
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

/// What the SOCKS5 proxy saw, one entry per connection.
#[derive(Default, Debug)]
struct SocksSeen {
    /// The authentication methods offered.
    methods: Vec<Vec<u8>>,
    /// The username and password sent, when the proxy asked for them.
    auth: Vec<Option<(String, String)>>,
    /// The target asked for: `ip:port` for an address, `name:port` (prefixed `dns:`) for a
    /// domain name.
    targets: Vec<String>,
}

/// A SOCKS5 proxy on 127.0.0.1 (RFC 1928 `CONNECT`, RFC 1929 when `require` is set). Domain
/// targets are "resolved" to 127.0.0.1; address targets are connected to as given. When the
/// target refuses the connection the proxy answers reply code 5.
async fn start_socks(
    require: Option<(&'static str, &'static str)>,
) -> (u16, Arc<Mutex<SocksSeen>>) {
    use tokio::io::AsyncReadExt as _;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(SocksSeen::default()));
    let record = Arc::clone(&seen);
    tokio::spawn(async move {
        loop {
            let Ok((mut c, _)) = listener.accept().await else {
                return;
            };
            let record = Arc::clone(&record);
            tokio::spawn(async move {
                let mut head = [0u8; 2];
                if c.read_exact(&mut head).await.is_err() || head[0] != 5 {
                    return;
                }
                let mut methods = vec![0u8; usize::from(head[1])];
                c.read_exact(&mut methods).await.unwrap();
                record.lock().unwrap().methods.push(methods.clone());
                let mut sent = None;
                if let Some((user, pass)) = require {
                    if !methods.contains(&2) {
                        let _ = c.write_all(&[5, 0xff]).await;
                        return;
                    }
                    c.write_all(&[5, 2]).await.unwrap();
                    let mut v = [0u8; 2];
                    c.read_exact(&mut v).await.unwrap();
                    let mut u = vec![0u8; usize::from(v[1])];
                    c.read_exact(&mut u).await.unwrap();
                    let mut plen = [0u8; 1];
                    c.read_exact(&mut plen).await.unwrap();
                    let mut p = vec![0u8; usize::from(plen[0])];
                    c.read_exact(&mut p).await.unwrap();
                    let (u, p) = (String::from_utf8(u).unwrap(), String::from_utf8(p).unwrap());
                    let ok = u == user && p == pass;
                    sent = Some((u, p));
                    record.lock().unwrap().auth.push(sent.clone());
                    c.write_all(&[1, if ok { 0 } else { 1 }]).await.unwrap();
                    if !ok {
                        return;
                    }
                } else {
                    c.write_all(&[5, 0]).await.unwrap();
                    record.lock().unwrap().auth.push(sent);
                }
                let mut req = [0u8; 4];
                c.read_exact(&mut req).await.unwrap();
                assert_eq!(req[..3], [5, 1, 0]);
                let (shown, ip) = match req[3] {
                    1 => {
                        let mut a = [0u8; 4];
                        c.read_exact(&mut a).await.unwrap();
                        let ip = std::net::IpAddr::from(a);
                        (ip.to_string(), ip)
                    }
                    4 => {
                        let mut a = [0u8; 16];
                        c.read_exact(&mut a).await.unwrap();
                        let ip = std::net::IpAddr::from(a);
                        (format!("[{ip}]"), ip)
                    }
                    3 => {
                        let mut len = [0u8; 1];
                        c.read_exact(&mut len).await.unwrap();
                        let mut name = vec![0u8; usize::from(len[0])];
                        c.read_exact(&mut name).await.unwrap();
                        let name = String::from_utf8(name).unwrap();
                        (format!("dns:{name}"), [127, 0, 0, 1].into())
                    }
                    _ => return,
                };
                let mut port = [0u8; 2];
                c.read_exact(&mut port).await.unwrap();
                let port = u16::from_be_bytes(port);
                record
                    .lock()
                    .unwrap()
                    .targets
                    .push(format!("{shown}:{port}"));
                let Ok(mut upstream) = tokio::net::TcpStream::connect((ip, port)).await else {
                    let _ = c.write_all(&[5, 5, 0, 1, 0, 0, 0, 0, 0, 0]).await;
                    return;
                };
                c.write_all(&[5, 0, 0, 1, 127, 0, 0, 1, 0x04, 0x38])
                    .await
                    .unwrap();
                let _ = tokio::io::copy_bidirectional(&mut c, &mut upstream).await;
            });
        }
    });
    (port, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn socks5_carries_requests_with_and_without_auth() {
    let emu = emulator();
    let port = emu.addr().port();

    // No credentials: only "no authentication" is offered; the client sends the address.
    let (socks, seen) = start_socks(None).await;
    let client = via(
        &emu,
        Some(Proxy::all(&format!("socks5://127.0.0.1:{socks}")).unwrap()),
    );
    roundtrip(&client, "socks-open").await.unwrap();
    {
        let seen = seen.lock().unwrap();
        assert!(!seen.targets.is_empty());
        assert!(
            seen.targets
                .iter()
                .all(|t| *t == format!("127.0.0.1:{port}")),
            "{seen:?}"
        );
        assert!(seen.methods.iter().all(|m| *m == [0]), "{seen:?}");
    }

    // Credentials (percent-decoded) are sent as RFC 1929 username/password.
    let (socks, seen) = start_socks(Some(("user", "p@ss"))).await;
    let authed = via(
        &emu,
        Some(Proxy::all(&format!("socks5://user:p%40ss@127.0.0.1:{socks}")).unwrap()),
    );
    roundtrip(&authed, "socks-auth").await.unwrap();
    {
        let seen = seen.lock().unwrap();
        assert!(seen.methods.iter().all(|m| *m == [0, 2]), "{seen:?}");
        assert!(
            seen.auth
                .iter()
                .all(|a| a.as_ref() == Some(&("user".into(), "p@ss".into()))),
            "{seen:?}"
        );
    }

    // A wrong password: a typed error naming the proxy, never showing the password.
    let wrong = via(
        &emu,
        Some(Proxy::all(&format!("socks5://user:hunter2@127.0.0.1:{socks}")).unwrap()),
    );
    let err = wrong
        .put_bucket()
        .bucket("socks-wrong")
        .send()
        .await
        .unwrap_err();
    match &err {
        crate::Error::Proxy {
            operation,
            source: crate::transport::ProxyError::AuthRefused { proxy },
        } => {
            assert_eq!(*operation, "PutBucket");
            assert_eq!(*proxy, format!("socks5://127.0.0.1:{socks}"));
        }
        other => panic!("not a refused authentication: {other:?}"),
    }
    assert!(
        err.to_string()
            .contains("refused the username and password"),
        "{err}"
    );
    for shown in [err.to_string(), format!("{err:?}")] {
        assert!(!shown.contains("hunter2"), "{shown}");
    }
    // Without credentials, a proxy that demands them accepts no offered method.
    let anonymous = via(
        &emu,
        Some(Proxy::all(&format!("socks5://127.0.0.1:{socks}")).unwrap()),
    );
    let err = anonymous
        .put_bucket()
        .bucket("socks-none")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            crate::Error::Proxy {
                source: crate::transport::ProxyError::NoAcceptableAuth { .. },
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn socks5_reply_codes_are_typed_errors() {
    // A port nothing listens on: the proxy cannot connect and answers "connection refused".
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    let (socks, _) = start_socks(None).await;
    let client = Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .endpoint(format!("http://127.0.0.1:{closed_port}"))
            .credentials(StaticProvider::from_keys("ak", "sk"))
            .retry(RetryPolicy::disabled())
            .proxy(Some(
                Proxy::all(&format!("socks5h://u:hunter2@127.0.0.1:{socks}")).unwrap(),
            ))
            .build()
            .unwrap(),
    );
    let err = client
        .put_bucket()
        .bucket("refused")
        .send()
        .await
        .unwrap_err();
    let crate::Error::Proxy { source, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(source.reply_code(), Some(5), "{source:?}");
    assert_eq!(source.proxy(), format!("socks5h://127.0.0.1:{socks}"));
    assert!(source.is_transient());
    assert!(err.to_string().contains("connection refused"), "{err}");
    assert!(!err.to_string().contains("hunter2"), "{err}");
    assert!(crate::retry::retry_reason(&err).is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn socks5h_sends_the_name_and_socks5_the_resolved_address() {
    let emu = emulator();
    let port = emu.addr().port();
    // Virtual-hosted names, which only the configured resolver (or the proxy) knows.
    let client = |proxy: &str| {
        Client::new(
            Config::builder()
                .region("cn-hangzhou")
                .endpoint(format!("http://oss-cn-hangzhou.aliyuncs.com:{port}"))
                .resolver(FixedResolver::new([127, 0, 0, 1].into()))
                .credentials(StaticProvider::from_keys("ak", "sk"))
                .retry(RetryPolicy::disabled())
                .proxy(Some(Proxy::all(proxy).unwrap()))
                .build()
                .unwrap(),
        )
    };
    let (socks, seen) = start_socks(None).await;
    roundtrip(&client(&format!("socks5h://127.0.0.1:{socks}")), "named")
        .await
        .unwrap();
    {
        let seen = seen.lock().unwrap();
        assert!(
            seen.targets
                .iter()
                .all(|t| *t == format!("dns:named.oss-cn-hangzhou.aliyuncs.com:{port}")),
            "{seen:?}"
        );
    }
    let before = seen.lock().unwrap().targets.len();
    roundtrip(&client(&format!("socks5://127.0.0.1:{socks}")), "resolved")
        .await
        .unwrap();
    let seen = seen.lock().unwrap();
    assert!(seen.targets.len() > before);
    assert!(
        seen.targets[before..]
            .iter()
            .all(|t| *t == format!("127.0.0.1:{port}")),
        "{seen:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_goes_through_a_socks5_tunnel() {
    let (tls_port, cert, _) = crate::client_tests::tls_server().await;
    let (socks, seen) = start_socks(Some(("user", "secret"))).await;
    let client = Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .endpoint(format!("https://oss-cn-hangzhou.aliyuncs.com:{tls_port}"))
            .credentials(StaticProvider::from_keys("ak", "sk"))
            .retry(RetryPolicy::disabled())
            .add_root_certificate(cert)
            .proxy(Some(
                Proxy::https(&format!("socks5h://user:secret@127.0.0.1:{socks}")).unwrap(),
            ))
            .build()
            .unwrap(),
    );
    let out = client
        .call::<crate::client_tests::GetAcl>(())
        .await
        .unwrap();
    assert_eq!(out, "over tls");
    assert_eq!(
        seen.lock().unwrap().targets,
        [format!(
            "dns:bucket.oss-cn-hangzhou.aliyuncs.com:{tls_port}"
        )]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_proxy_bypasses_socks5() {
    let emu = emulator();
    let (socks, seen) = start_socks(None).await;
    let explicit = via(
        &emu,
        Some(
            Proxy::all(&format!("socks5h://127.0.0.1:{socks}"))
                .unwrap()
                .no_proxy("127.0.0.1"),
        ),
    );
    roundtrip(&explicit, "socks-bypass").await.unwrap();
    let from_env = from_environment(
        &emu,
        ("ALL_PROXY", &format!("socks5://127.0.0.1:{socks}")),
        Some("localhost,127.0.0.0/8"),
    );
    roundtrip(&from_env, "socks-env-bypass").await.unwrap();
    assert!(
        seen.lock().unwrap().methods.is_empty(),
        "NO_PROXY hosts went through SOCKS5"
    );
    // The same environment without NO_PROXY goes through it.
    let through = from_environment(
        &emu,
        ("ALL_PROXY", &format!("socks5://127.0.0.1:{socks}")),
        None,
    );
    roundtrip(&through, "socks-env").await.unwrap();
    assert!(!seen.lock().unwrap().targets.is_empty());
}
