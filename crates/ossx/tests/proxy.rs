//! `--proxy`: requests go through a loopback forwarding proxy (plain HTTP in absolute form) that
//! records what it relays; proxy credentials reach it as basic auth and never show in errors.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use common::World;

/// A forwarding proxy to `upstream`; returns its port and the request heads it relayed.
fn forwarding_proxy(upstream: String) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { return };
            let upstream = upstream.clone();
            let log = log.clone();
            std::thread::spawn(move || relay(client, &upstream, &log));
        }
    });
    (port, seen)
}

/// Relays one connection: each request head is recorded and forwarded as it is (absolute
/// form), the body and the responses copied through.
fn relay(client: TcpStream, upstream: &str, log: &Mutex<Vec<String>>) {
    let Ok(server) = TcpStream::connect(upstream) else {
        return;
    };
    let mut server_w = server.try_clone().unwrap();
    let mut client_w = client.try_clone().unwrap();
    let mut server_r = server;
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut server_r, &mut client_w);
        let _ = client_w.shutdown(std::net::Shutdown::Both);
    });
    let mut reader = BufReader::new(client);
    loop {
        let mut head = String::new();
        let mut content_length = 0usize;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if let Some((k, v)) = line.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                content_length = v.trim().parse().unwrap_or(0);
            }
            let end = line == "\r\n";
            head.push_str(&line);
            if end {
                break;
            }
        }
        log.lock().unwrap().push(head.clone());
        let mut body = vec![0u8; content_length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        if server_w.write_all(head.as_bytes()).is_err() || server_w.write_all(&body).is_err() {
            return;
        }
    }
}

#[test]
fn requests_go_through_the_proxy() {
    let w = World::new();
    let emulator_addr = w
        .emulator
        .endpoint()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let (port, seen) = forwarding_proxy(emulator_addr.clone());
    let proxy = format!("http://proxyuser:proxysecret@127.0.0.1:{port}");

    w.run(&["--proxy", &proxy, "mb", "oss://via-proxy"]).ok();
    let file = w.path("f.txt");
    common::write(&file, b"through the proxy");
    w.run(&[
        "--proxy",
        &proxy,
        "cp",
        file.to_str().unwrap(),
        "oss://via-proxy/f.txt",
    ])
    .ok();
    let r = w
        .run(&["--proxy", &proxy, "cat", "oss://via-proxy/f.txt"])
        .ok();
    assert_eq!(r.stdout, "through the proxy");
    {
        let heads = seen.lock().unwrap();
        assert!(heads.len() >= 3, "{heads:?}");
        for h in heads.iter() {
            let first = h.lines().next().unwrap();
            assert!(
                first.contains(&format!("http://{emulator_addr}/")),
                "not in absolute form: {first}"
            );
            // proxyuser:proxysecret, base64.
            assert!(
                h.contains("cHJveHl1c2VyOnByb3h5c2VjcmV0"),
                "no Proxy-Authorization: {h}"
            );
        }
        assert!(
            heads
                .iter()
                .any(|h| h.starts_with("PUT ") && h.contains("/f.txt"))
        );
    }

    // `--proxy env` takes HTTP_PROXY; NO_PROXY bypasses it.
    let before = seen.lock().unwrap().len();
    let mut cmd = w.cmd();
    cmd.env("HTTP_PROXY", format!("http://127.0.0.1:{port}"));
    w.run_with(cmd, &["--proxy", "env", "ls", "oss://via-proxy"])
        .ok();
    let after = seen.lock().unwrap().len();
    assert!(after > before, "HTTP_PROXY was not used");
    let mut cmd = w.cmd();
    cmd.env("HTTP_PROXY", format!("http://127.0.0.1:{port}"))
        .env("NO_PROXY", "127.0.0.1");
    w.run_with(cmd, &["--proxy", "env", "ls", "oss://via-proxy"])
        .ok();
    assert_eq!(
        seen.lock().unwrap().len(),
        after,
        "NO_PROXY was not honoured"
    );
    // Without --proxy, no proxy.
    w.run(&["ls", "oss://via-proxy"]).ok();
    assert_eq!(seen.lock().unwrap().len(), after);

    // A bad proxy is a bad parameter, and its password is not printed.
    let r = w
        .run(&["--proxy", "ftp://u:hidden-pw@host:1", "ls"])
        .expect(1);
    assert!(r.stderr.contains("proxy"), "{}", r.stderr);
    assert!(!r.stderr.contains("hidden-pw"), "{}", r.stderr);
}
