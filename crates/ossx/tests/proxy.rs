//! `--proxy`: requests go through a loopback forwarding proxy (plain HTTP in absolute form) that
//! records what it relays; proxy credentials reach it as basic auth and never show in errors.
//! `--proxy socks5://...`: requests go through a loopback SOCKS5 proxy (RFC 1928/1929) that
//! records the credentials and targets it saw; a refused password is a client error (exit 3)
//! naming the proxy without the password.
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

/// What the SOCKS5 proxy saw: per connection, the credentials sent and the target asked for.
#[derive(Default, Debug)]
struct SocksSeen {
    auth: Vec<(String, String)>,
    targets: Vec<String>,
}

/// A SOCKS5 proxy on loopback demanding `user`/`pass`; domain targets are taken to mean
/// 127.0.0.1. Returns its port and what it saw.
fn socks5_proxy(user: &'static str, pass: &'static str) -> (u16, Arc<Mutex<SocksSeen>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(SocksSeen::default()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { return };
            let log = log.clone();
            std::thread::spawn(move || {
                let _ = socks5_session(client, user, pass, &log);
            });
        }
    });
    (port, seen)
}

fn read_vec(s: &mut TcpStream, n: usize) -> std::io::Result<Vec<u8>> {
    let mut v = vec![0u8; n];
    s.read_exact(&mut v)?;
    Ok(v)
}

fn socks5_session(
    mut c: TcpStream,
    user: &str,
    pass: &str,
    log: &Mutex<SocksSeen>,
) -> std::io::Result<()> {
    let head = read_vec(&mut c, 2)?;
    let methods = read_vec(&mut c, usize::from(head[1]))?;
    if head[0] != 5 || !methods.contains(&2) {
        return c.write_all(&[5, 0xff]);
    }
    c.write_all(&[5, 2])?;
    let v = read_vec(&mut c, 2)?;
    let u = String::from_utf8_lossy(&read_vec(&mut c, usize::from(v[1]))?).into_owned();
    let plen = read_vec(&mut c, 1)?;
    let p = String::from_utf8_lossy(&read_vec(&mut c, usize::from(plen[0]))?).into_owned();
    let ok = u == user && p == pass;
    log.lock().unwrap().auth.push((u, p));
    c.write_all(&[1, u8::from(!ok)])?;
    if !ok {
        return Ok(());
    }
    let req = read_vec(&mut c, 4)?;
    let host = match req[3] {
        1 => {
            std::net::Ipv4Addr::from(<[u8; 4]>::try_from(read_vec(&mut c, 4)?).unwrap()).to_string()
        }
        3 => {
            let len = read_vec(&mut c, 1)?;
            format!(
                "dns:{}",
                String::from_utf8_lossy(&read_vec(&mut c, usize::from(len[0]))?)
            )
        }
        _ => return Ok(()),
    };
    let port = read_vec(&mut c, 2)?;
    let port = u16::from_be_bytes([port[0], port[1]]);
    log.lock().unwrap().targets.push(format!("{host}:{port}"));
    let Ok(upstream) = TcpStream::connect(("127.0.0.1", port)) else {
        return c.write_all(&[5, 5, 0, 1, 0, 0, 0, 0, 0, 0]);
    };
    c.write_all(&[5, 0, 0, 1, 127, 0, 0, 1, 0, 0])?;
    let mut up_r = upstream.try_clone()?;
    let mut c_w = c.try_clone()?;
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut up_r, &mut c_w);
        let _ = c_w.shutdown(std::net::Shutdown::Both);
    });
    let mut up_w = upstream;
    let _ = std::io::copy(&mut c, &mut up_w);
    let _ = up_w.shutdown(std::net::Shutdown::Write);
    Ok(())
}

#[test]
fn requests_go_through_a_socks5_proxy() {
    let w = World::new();
    let emulator_port = w.emulator.addr().port();
    let (port, seen) = socks5_proxy("sockuser", "sock-secret");
    let proxy = format!("socks5://sockuser:sock-secret@127.0.0.1:{port}");

    w.run(&["--proxy", &proxy, "mb", "oss://via-socks"]).ok();
    let file = w.path("s.txt");
    common::write(&file, b"through socks");
    w.run(&[
        "--proxy",
        &proxy,
        "cp",
        file.to_str().unwrap(),
        "oss://via-socks/s.txt",
    ])
    .ok();
    assert_eq!(
        w.get("via-socks", "s.txt").as_deref(),
        Some(&b"through socks"[..])
    );
    {
        let seen = seen.lock().unwrap();
        assert!(!seen.targets.is_empty());
        assert!(
            seen.targets
                .iter()
                .all(|t| *t == format!("127.0.0.1:{emulator_port}")),
            "{seen:?}"
        );
        assert!(
            seen.auth
                .iter()
                .all(|(u, p)| u == "sockuser" && p == "sock-secret"),
            "{seen:?}"
        );
    }

    // socks5h through ALL_PROXY (`--proxy env`); NO_PROXY bypasses it.
    let before = seen.lock().unwrap().targets.len();
    let mut cmd = w.cmd();
    cmd.env(
        "ALL_PROXY",
        format!("socks5h://sockuser:sock-secret@127.0.0.1:{port}"),
    );
    let r = w
        .run_with(cmd, &["--proxy", "env", "cat", "oss://via-socks/s.txt"])
        .ok();
    assert_eq!(r.stdout, "through socks");
    let after = seen.lock().unwrap().targets.len();
    assert!(after > before, "ALL_PROXY was not used");
    let mut cmd = w.cmd();
    cmd.env(
        "ALL_PROXY",
        format!("socks5h://sockuser:sock-secret@127.0.0.1:{port}"),
    )
    .env("NO_PROXY", "127.0.0.1");
    w.run_with(cmd, &["--proxy", "env", "ls", "oss://via-socks"])
        .ok();
    assert_eq!(
        seen.lock().unwrap().targets.len(),
        after,
        "NO_PROXY was not honoured"
    );

    // A wrong password: a client error naming the proxy, without the password.
    let r = w
        .run(&[
            "--proxy",
            &format!("socks5://sockuser:wrong-pw@127.0.0.1:{port}"),
            "--retry-times",
            "0",
            "ls",
            "oss://via-socks",
        ])
        .expect(3);
    assert!(
        r.stderr
            .contains(&format!("SOCKS5 proxy socks5://127.0.0.1:{port} refused")),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("wrong-pw"), "{}", r.stderr);
}
