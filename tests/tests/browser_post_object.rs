//! A real browser uploads through a form built by the client's policy builder: headless
//! Chromium (Debian's `chromium`, installed by `cargo xtask test`) loads a page served on
//! loopback, whose script attaches files to three forms. The good form is submitted natively
//! (`form.submit()`) and redirected by the emulator to a loopback collector; a form with a
//! tampered policy and one with a file over its `content-length-range` are posted with
//! `fetch(new FormData(form))` (the browser's own multipart encoding) and their answers
//! reported to the collector.
//!
//! There is no skip: without Chromium the test fails and says how to install it.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use oss_client::credentials::StaticProvider;
use oss_client::post_policy::PostPolicy;
use oss_client::{Client, Config};
use oss_emulator::{Emulator, EmulatorConfig};

const AK: &str = "browser-test-ak";
const SK: &str = "browser-test-sk";

fn chromium() -> PathBuf {
    let path = std::env::var_os("OSS_RS_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.exists(),
        "Chromium is needed at {} (run `cargo xtask test`, which installs Debian's chromium \
         package, or `apt-get install chromium`, or set OSS_RS_CHROMIUM)",
        path.display()
    );
    path
}

/// A loopback HTTP server that records `(path, body)` of every request it gets.
fn collector() -> (u16, mpsc::Receiver<(String, String)>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            let path = line.split_whitespace().nth(1).unwrap_or("").to_owned();
            let mut len = 0usize;
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                    break;
                }
                if let Some((k, v)) = h.split_once(':')
                    && k.eq_ignore_ascii_case("content-length")
                {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0u8; len];
            let _ = reader.read_exact(&mut body);
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
            );
            if path != "/favicon.ico" {
                let _ = tx.send((path, String::from_utf8_lossy(&body).into_owned()));
            }
        }
    });
    (port, rx)
}

fn form_html(id: &str, action: &str, inputs: &str) -> String {
    format!(
        r#"<form id="{id}" method="post" enctype="multipart/form-data" action="{action}">
{inputs}<input type="file" name="file"></form>
"#
    )
}

#[test]
fn chromium_uploads_through_a_signed_form() {
    let chromium = chromium();
    let emu = Emulator::start(EmulatorConfig::new(AK, SK)).unwrap();
    let (port, reports) = collector();
    let collector_url = format!("http://127.0.0.1:{port}");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let client = Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .endpoint(emu.endpoint())
            .credentials(StaticProvider::from_keys(AK, SK))
            .build()
            .unwrap(),
    );
    let expires = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
    let page = rt.block_on(async {
        client.put_bucket().bucket("uploads").send().await.unwrap();
        client.put_bucket().bucket("site").send().await.unwrap();
        let action = client.post_object_url("uploads").unwrap();
        let good = PostPolicy::builder(expires)
            .bucket("uploads")
            .key_starts_with("browser/")
            .content_length_range(1, 1024)
            .content_type_in(["text/plain"])
            .meta("origin", "chromium")
            .success_action_redirect(format!("{collector_url}/done"))
            .build();
        let good = client
            .sign_post_policy(&good)
            .await
            .unwrap()
            .with_field("key", "browser/${filename}");
        let tight = PostPolicy::builder(expires)
            .bucket("uploads")
            .key_starts_with("browser/")
            .content_length_range(1, 8)
            .build();
        let tight = client
            .sign_post_policy(&tight)
            .await
            .unwrap()
            .with_field("key", "browser/${filename}");
        // The tampered form carries a looser policy than the one that was signed.
        let loose = PostPolicy::builder(expires)
            .content_length_range(0, 1 << 30)
            .build();
        let tampered = tight.clone().with_field(
            "policy",
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, loose.to_json()),
        );
        let html = format!(
            r#"<!doctype html><html><body>
{}{}{}<script>
const COLLECT = "{collector_url}";
function attach(id, name, text) {{
  const form = document.getElementById(id);
  const dt = new DataTransfer();
  dt.items.add(new File([text], name, {{ type: "text/plain" }}));
  form.querySelector("input[type=file]").files = dt.files;
  return form;
}}
async function report(what, value) {{
  await fetch(COLLECT + "/" + what, {{ method: "POST", mode: "no-cors", body: value }});
}}
(async () => {{
  try {{
    for (const [id, name, text] of [["tampered", "tampered.txt", "0123456789abcdef"],
                                    ["toobig", "big.txt", "0123456789abcdef"]]) {{
      const form = attach(id, name, text);
      const r = await fetch(form.action, {{ method: "POST", body: new FormData(form) }});
      await report(id, r.status + " " + await r.text());
    }}
    attach("good", "hello.txt", "hello from chromium").submit();
  }} catch (e) {{
    await report("error", String(e));
  }}
}})();
</script></body></html>"#,
            form_html("good", &action, &good.html_inputs()),
            form_html("tampered", &action, &tampered.html_inputs()),
            form_html("toobig", &action, &tight.html_inputs()),
        );
        client
            .put_object()
            .bucket("site")
            .key("upload.html")
            .content_type("text/html; charset=utf-8")
            .object_acl(oss_model::ObjectAcl::PublicRead)
            .body(html)
            .send()
            .await
            .unwrap();
        format!("{}/site/upload.html", emu.endpoint())
    });

    let profile = tempfile::tempdir().unwrap();
    let mut browser = Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(&page)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", chromium.display()));

    let mut got = std::collections::BTreeMap::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while got.len() < 3 && !got.contains_key("/error") {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match reports.recv_timeout(left) {
            Ok((path, body)) => {
                let name = path.split('?').next().unwrap_or("").to_owned();
                got.insert(name, (path, body));
            }
            Err(_) => break,
        }
    }
    let _ = browser.kill();
    let _ = browser.wait();
    assert!(!got.contains_key("/error"), "the page failed: {got:?}");

    let (_, tampered) = got.get("/tampered").expect("tampered form reported");
    assert!(
        tampered.starts_with("403 ") && tampered.contains("<Code>SignatureDoesNotMatch</Code>"),
        "{tampered}"
    );
    let (_, too_big) = got.get("/toobig").expect("oversized form reported");
    assert!(
        too_big.starts_with("400 ") && too_big.contains("<Code>EntityTooLarge</Code>"),
        "{too_big}"
    );
    let (done, _) = got
        .get("/done")
        .expect("the good form redirected to the collector");
    assert!(
        done.contains("bucket=uploads") && done.contains("key=browser%2Fhello.txt"),
        "{done}"
    );

    rt.block_on(async {
        let (meta, body) = client
            .get_object()
            .bucket("uploads")
            .key("browser/hello.txt")
            .send()
            .await
            .unwrap();
        assert_eq!(&body.collect().await.unwrap()[..], b"hello from chromium");
        assert_eq!(meta.content_type.as_deref(), Some("text/plain"));
        assert_eq!(
            meta.metadata.get("origin").map(String::as_str),
            Some("chromium")
        );
        let etag = meta.etag.unwrap();
        assert!(
            done.contains(&format!("etag={}", etag.trim_matches('"'))),
            "{done}"
        );
        for refused in ["browser/tampered.txt", "browser/big.txt"] {
            let err = client
                .head_object()
                .bucket("uploads")
                .key(refused)
                .send()
                .await
                .unwrap_err();
            assert!(err.is_not_found(), "{refused}: {err}");
        }
    });
}
