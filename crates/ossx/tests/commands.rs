//! The object and bucket commands (everything but cp/sync/check) against the emulator.
#![allow(clippy::unwrap_used)]

mod common;

use common::{World, write};

#[test]
fn buckets_objects_and_exit_codes() {
    let w = World::new();
    w.mb("alpha");
    w.mb("beta");
    let ls = w.run(&["ls"]).ok();
    assert!(
        ls.stdout.contains("oss://alpha") && ls.stdout.contains("oss://beta"),
        "{}",
        ls.stdout
    );
    assert!(ls.stdout.contains("Bucket Number is: 2"), "{}", ls.stdout);

    w.put("alpha", "a.txt", b"hello");
    w.put("alpha", "dir/b.txt", b"world!");
    w.put("alpha", "dir/sub/c.log", b"x");
    let ls = w
        .run(&["--output-format", "json", "ls", "oss://alpha"])
        .ok()
        .json();
    assert_eq!(ls["count"], 3);
    assert_eq!(ls["total_size"], 12);
    let keys: Vec<_> = ls["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(keys, ["a.txt", "dir/b.txt", "dir/sub/c.log"]);

    let ls = w.run(&["ls", "-d", "oss://alpha/dir/"]).ok();
    assert!(ls.stdout.contains("oss://alpha/dir/sub/"), "{}", ls.stdout);
    assert!(ls.stdout.contains("oss://alpha/dir/b.txt"), "{}", ls.stdout);
    assert!(!ls.stdout.contains("c.log"), "{}", ls.stdout);
    // ossutil 2.0's long name for -d.
    let long = w.run(&["ls", "--dirs", "oss://alpha/dir/"]).ok();
    assert_eq!(long.stdout.lines().count(), ls.stdout.lines().count());
    assert!(
        long.stdout.contains("oss://alpha/dir/sub/"),
        "{}",
        long.stdout
    );
    let ls = w
        .run(&["ls", "-s", "--limited-num", "1", "oss://alpha"])
        .ok();
    assert_eq!(
        ls.stdout
            .lines()
            .filter(|l| l.starts_with("oss://"))
            .count(),
        1,
        "{}",
        ls.stdout
    );

    let stat = w
        .run(&["--output-format", "json", "stat", "oss://alpha/dir/b.txt"])
        .ok()
        .json();
    assert_eq!(stat["Content-Length"], "6");
    let stat = w.run(&["stat", "oss://alpha"]).ok();
    assert!(stat.stdout.contains("alpha"), "{}", stat.stdout);

    // Exit codes: 2 for an OSS error, 1 for bad parameters.
    let r = w.run(&["stat", "oss://alpha/missing"]).expect(2);
    assert!(r.stderr.contains("404"), "{}", r.stderr);
    w.run(&["ls", "oss://nosuchbucket"]).expect(2);
    w.run(&["ls", "s3://x"]).expect(1);
    w.run(&["--addressing-style", "sideways", "ls"]).expect(1);
    w.run(&["no-such-command"]).expect(1);
    w.run(&["ls", "--min-size", "huge", "oss://alpha"])
        .expect(1);
    let r = w.run_with(w.bare(), &["ls"]).expect(1);
    assert!(r.stderr.contains("region"), "{}", r.stderr);
    w.run(&["rb", "oss://alpha"]).expect(2);
    w.run(&["rb", "-a", "oss://alpha"]).ok();
    let ls = w.run(&["ls"]).ok();
    assert!(!ls.stdout.contains("oss://alpha"), "{}", ls.stdout);
}

#[test]
fn cat_append_mkdir_hash_du() {
    let w = World::new();
    w.mb("bkt");
    write(&w.path("part1"), b"hello ");
    w.run(&["append", "part1", "oss://bkt/log"]).ok();
    let mut c = w.cmd();
    c.stdin(std::process::Stdio::piped());
    let mut child = c
        .args(["append", "-", "oss://bkt/log"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write as _;
        child.stdin.take().unwrap().write_all(b"world").unwrap();
    }
    assert!(child.wait().unwrap().success());
    assert_eq!(
        w.run(&["cat", "oss://bkt/log"]).ok().raw_stdout,
        b"hello world"
    );
    assert_eq!(
        w.run(&["cat", "--range", "6-10", "oss://bkt/log"])
            .ok()
            .raw_stdout,
        b"world"
    );
    assert_eq!(
        w.run(&["cat", "--offset", "2", "--count", "3", "oss://bkt/log"])
            .ok()
            .raw_stdout,
        b"llo"
    );
    assert_eq!(
        w.run(&["cat", "--range", "-5", "oss://bkt/log"])
            .ok()
            .raw_stdout,
        b"world"
    );

    w.run(&["mkdir", "oss://bkt/folder"]).ok();
    assert!(w.keys("bkt").contains(&"folder/".to_string()));

    // CRC-64/XZ of "123456789" is the catalogued check value 0x995DC9BBDF1939FA.
    write(&w.path("digits"), b"123456789");
    let h = w
        .run(&["--output-format", "json", "hash", "digits"])
        .ok()
        .json();
    assert_eq!(
        h["crc64ecma"],
        u64::from_str_radix("995DC9BBDF1939FA", 16)
            .unwrap()
            .to_string()
    );
    w.put("bkt", "digits", b"123456789");
    let h = w
        .run(&["--output-format", "json", "hash", "oss://bkt/digits"])
        .ok()
        .json();
    let stat = w
        .run(&["--output-format", "json", "stat", "oss://bkt/digits"])
        .ok()
        .json();
    assert_eq!(
        h["crc64ecma"], stat["X-Oss-Hash-Crc64ecma"],
        "our CRC equals the emulator's"
    );
    let h = w
        .run(&["--output-format", "json", "hash", "--type", "md5", "digits"])
        .ok()
        .json();
    assert_eq!(h["md5_hex"], "25f9e794323b453885f5181f1b624d0b");

    let du = w
        .run(&["--output-format", "json", "du", "oss://bkt"])
        .ok()
        .json();
    assert_eq!(du["objects"], 3);
    assert_eq!(du["size"], 11 + 9);
}

#[test]
fn rm_recursive_with_filters_and_versions() {
    let w = World::new();
    w.mb("bkt");
    for k in [
        "keep/a.txt",
        "keep/b.log",
        "gone/c.txt",
        "gone/d/e.txt",
        "top.txt",
    ] {
        w.put("bkt", k, k.as_bytes());
    }
    // Filters: only .txt under the prefix, but not keep/.
    let dry = w
        .run(&[
            "rm",
            "-r",
            "--dry-run",
            "--exclude",
            "keep/",
            "--include",
            "*.txt",
            "oss://bkt/",
        ])
        .ok();
    assert!(
        dry.stdout.contains("would remove oss://bkt/gone/c.txt"),
        "{}",
        dry.stdout
    );
    assert_eq!(w.keys("bkt").len(), 5, "a dry run removes nothing");
    w.run(&[
        "rm",
        "-r",
        "-f",
        "--exclude",
        "keep/",
        "--include",
        "*.txt",
        "oss://bkt/",
    ])
    .ok();
    assert_eq!(w.keys("bkt"), ["keep/a.txt", "keep/b.log"]);
    w.run(&["rm", "oss://bkt/keep/a.txt"]).ok();
    assert_eq!(w.keys("bkt"), ["keep/b.log"]);
    w.run(&["rm", "oss://bkt/"]).expect(1);
    w.run(&["rm", "-r", "oss://bkt/keep"]).ok();
    assert!(w.keys("bkt").is_empty());

    // Versions: enable versioning through `api`, write twice, remove every version.
    w.run(&[
        "api",
        "PutBucketVersioning",
        r#"{"bucket":"bkt","configuration":{"status":"Enabled"}}"#,
    ])
    .ok();
    w.put("bkt", "v", b"1");
    w.put("bkt", "v", b"2");
    let ls = w
        .run(&[
            "--output-format",
            "json",
            "ls",
            "--all-versions",
            "oss://bkt",
        ])
        .ok()
        .json();
    assert_eq!(ls["count"], 2, "{ls}");
    w.run(&["rm", "--all-versions", "oss://bkt/v"]).ok();
    let ls = w
        .run(&[
            "--output-format",
            "json",
            "ls",
            "--all-versions",
            "oss://bkt",
        ])
        .ok()
        .json();
    assert_eq!(ls["count"], 0, "{ls}");
}

#[test]
fn multipart_uploads_are_listed_and_aborted() {
    let w = World::new();
    w.mb("bkt");
    let client = w.client();
    let id = w.block_on(async {
        client
            .initiate_multipart_upload()
            .bucket("bkt")
            .key("big/file")
            .send()
            .await
            .unwrap()
            .upload_id
    });
    let ls = w.run(&["ls", "-m", "oss://bkt"]).ok();
    assert!(ls.stdout.contains(&id), "{}", ls.stdout);
    w.run(&["rm", "-m", "-r", "oss://bkt/big/"]).ok();
    let ls = w
        .run(&["--output-format", "json", "ls", "-m", "oss://bkt"])
        .ok()
        .json();
    assert_eq!(ls["count"], 0);
}

#[test]
fn presigned_urls_work_with_a_plain_http_client() {
    let w = World::new();
    w.mb("bkt");
    w.put("bkt", "dir/file name ü.txt", b"presigned content");
    let url = w
        .run(&[
            "presign",
            "--expires-duration",
            "10m",
            "oss://bkt/dir/file name ü.txt",
        ])
        .ok();
    let url = url.stdout.lines().next().unwrap().trim().to_string();
    let (status, body) = http_get(&url);
    assert_eq!(status, 200, "{url}");
    assert_eq!(body, b"presigned content");

    // ossutil 2.0's --expires-date: an absolute UTC time instead of a duration.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let at = time::OffsetDateTime::from_unix_timestamp(i64::try_from(now + 3600).unwrap()).unwrap();
    let date = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    );
    let doc = w
        .run(&[
            "--output-format",
            "json",
            "presign",
            "--expires-date",
            &date,
            "oss://bkt/dir/file name ü.txt",
        ])
        .ok()
        .json();
    let expires_at = doc["expires_at"].as_u64().unwrap();
    assert!(
        expires_at.abs_diff(now + 3600) <= 2,
        "expires at {expires_at}, asked for {}",
        now + 3600
    );
    let (status, body) = http_get(doc["url"].as_str().unwrap());
    assert_eq!(status, 200);
    assert_eq!(body, b"presigned content");
    // A time already past, or one that is not a time, is refused.
    w.run(&[
        "presign",
        "--expires-date",
        "2001-01-01T00:00:00",
        "oss://bkt/x",
    ])
    .expect(1);
    w.run(&["presign", "--expires-date", "yesterday", "oss://bkt/x"])
        .expect(1);

    // PUT with a signed Content-Type.
    let put = w
        .run(&[
            "presign",
            "--method",
            "PUT",
            "--content-type",
            "text/plain",
            "oss://bkt/up.txt",
        ])
        .ok();
    let url = put.stdout.lines().next().unwrap().trim().to_string();
    let status = http_put(&url, "text/plain", b"uploaded");
    assert_eq!(status, 200);
    assert_eq!(w.get("bkt", "up.txt").unwrap(), b"uploaded");
    w.run(&["presign", "--expires-duration", "30d", "oss://bkt/up.txt"])
        .expect(1);
}

fn http_get(url: &str) -> (u16, Vec<u8>) {
    use http_body_util::BodyExt as _;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build_http::<http_body_util::Empty<bytes::Bytes>>();
        let resp = client.get(url.parse().unwrap()).await.unwrap();
        let status = resp.status().as_u16();
        let body = resp
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        (status, body)
    })
}

fn http_put(url: &str, content_type: &str, data: &[u8]) -> u16 {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build_http::<http_body_util::Full<bytes::Bytes>>();
        let req = http::Request::put(url)
            .header("content-type", content_type)
            .body(http_body_util::Full::new(bytes::Bytes::copy_from_slice(
                data,
            )))
            .unwrap();
        client.request(req).await.unwrap().status().as_u16()
    })
}

#[test]
fn set_props_and_profiles() {
    let w = World::new();
    w.mb("bkt");
    w.put("bkt", "p/one", b"1");
    w.put("bkt", "p/two", b"2");
    w.run(&[
        "set-props",
        "-r",
        "--metadata",
        "owner=ossx",
        "--content-type",
        "text/x-test",
        "--tagging",
        "t=1",
        "oss://bkt/p/",
    ])
    .ok();
    let stat = w
        .run(&["--output-format", "json", "stat", "oss://bkt/p/two"])
        .ok()
        .json();
    assert_eq!(stat["Content-Type"], "text/x-test");
    assert_eq!(stat["metadata"]["owner"], "ossx");
    assert_eq!(stat["X-Oss-Tagging-Count"], "1");
    w.run(&["set-props", "oss://bkt/p/one"]).expect(1);

    // Keys, region and endpoint from ~/.ossutilconfig, the profile chosen with --profile.
    let config = format!(
        "[default]\nregion = nowhere-1\n\n[profile emu]\naccessKeyId = {}\naccessKeySecret = {}\nregion = {}\nendpoint = {}\n",
        common::AK,
        common::SK,
        w.emulator.region(),
        w.emulator.endpoint()
    );
    std::fs::write(w.home.path().join(".ossutilconfig"), config).unwrap();
    let ls = w
        .run_with(w.bare(), &["--profile", "emu", "ls", "-s", "oss://bkt"])
        .ok();
    assert!(ls.stdout.contains("oss://bkt/p/one"), "{}", ls.stdout);
    // The same through the environment.
    let mut env = w.bare();
    env.env("OSSUTIL_PROFILE", "emu");
    w.run_with(env, &["ls", "oss://bkt"]).ok();
    // Wrong keys from the command line win over the profile: the emulator refuses them.
    w.run_with(
        w.bare(),
        &["--profile", "emu", "-i", "x", "-k", "y", "ls", "oss://bkt"],
    )
    .expect(2);
    w.run_with(w.bare(), &["--profile", "missing", "ls"])
        .expect(1);
    // OSS_ACCESS_KEY_* from the environment.
    let mut env = w.bare();
    env.env("OSS_ACCESS_KEY_ID", common::AK)
        .env("OSS_ACCESS_KEY_SECRET", common::SK);
    w.run_with(
        env,
        &[
            "--endpoint",
            w.emulator.endpoint(),
            "--region",
            w.emulator.region(),
            "ls",
            "oss://bkt",
        ],
    )
    .ok();
    // V1 signing works too.
    w.run(&["--sign-version", "v1", "ls", "oss://bkt"]).ok();
}

#[test]
fn api_round_trips_a_configuration() {
    let w = World::new();
    w.mb("bkt");
    let cors = r#"{"bucket":"bkt","configuration":{"rules":[{"allowed_origins":["https://example.com"],"allowed_methods":["GET","PUT"],"allowed_headers":["*"],"max_age_seconds":100}]}}"#;
    w.run(&["api", "put-bucket-cors", cors]).ok();
    let got = w
        .run(&["api", "GetBucketCors", r#"{"bucket":"bkt"}"#])
        .ok()
        .json();
    let rule = &got["rules"][0];
    assert_eq!(rule["allowed_origins"][0], "https://example.com");
    assert_eq!(rule["allowed_methods"], serde_json::json!(["GET", "PUT"]));
    assert_eq!(rule["max_age_seconds"], 100);

    // Input from a file, output of a download written to a file.
    std::fs::write(w.path("in.json"), r#"{"bucket":"bkt","key":"k"}"#).unwrap();
    write(&w.path("data"), b"api body");
    w.run(&["api", "PutObject", "file://in.json", "--body", "data"])
        .ok();
    let got = w
        .run(&["api", "GetObject", "file://in.json", "--output-file", "out"])
        .ok()
        .json();
    assert_eq!(got["content_length"], 8);
    assert_eq!(std::fs::read(w.path("out")).unwrap(), b"api body");

    // Errors: bad JSON and unknown operations are usage errors; a missing member too.
    w.run(&["api", "GetBucketCors", "{not json"]).expect(1);
    w.run(&["api", "NoSuchOperation"]).expect(1);
    let r = w.run(&["api", "GetBucketCors", "{}"]).expect(1);
    assert!(r.stderr.contains("bucket"), "{}", r.stderr);
    let list = w.run(&["api", "list"]).ok();
    assert!(list.stdout.lines().count() >= 226);
}
