//! Listings against the emulator: delimiters and common prefixes, unicode keys with
//! `encoding-type=url`, pagination exactly at max-keys, V2 continuation, versions, uploads.

use std::collections::BTreeSet;

use oss_tests::{Client, start_emulator};

fn bucket_with(keys: &[&str]) -> (oss_tests::Emulator, Client) {
    let emu = start_emulator();
    let c = Client::new(&emu);
    assert_eq!(c.put("/list-bucket").send().status, 200);
    for k in keys {
        let r = c
            .put(&format!("/list-bucket/{k}"))
            .body(k.as_bytes())
            .send();
        assert_eq!(r.status, 200, "{k}: {}", r.text());
    }
    (emu, c)
}

/// Percent-decodes what a listing sent with `encoding-type=url`.
fn url_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("ascii");
            out.push(u8::from_str_radix(hex, 16).expect("hex"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("utf-8")
}

#[test]
fn delimiter_groups_common_prefixes() {
    let (_emu, c) = bucket_with(&["a.txt", "dir/1", "dir/2", "dir/sub/3", "dos/x", "z"]);
    let r = c.get("/list-bucket").query("delimiter", Some("/")).send();
    assert_eq!(r.xml_all("Key"), ["a.txt", "z"]);
    assert_eq!(r.xml_all("Prefix")[1..], ["dir/", "dos/"]);
    let r = c
        .get("/list-bucket")
        .query("prefix", Some("dir/"))
        .query("delimiter", Some("/"))
        .send();
    assert_eq!(r.xml_all("Key"), ["dir/1", "dir/2"]);
    assert_eq!(r.xml_all("Prefix")[1..], ["dir/sub/"]);
    let r = c.get("/list-bucket").query("prefix", Some("d")).send();
    assert_eq!(r.xml_all("Key"), ["dir/1", "dir/2", "dir/sub/3", "dos/x"]);
    let r = c
        .get("/list-bucket")
        .query("prefix", Some("nothing"))
        .send();
    assert!(r.xml_all("Key").is_empty());
    assert_eq!(r.xml("IsTruncated").as_deref(), Some("false"));
}

#[test]
fn pagination_exactly_at_max_keys() {
    let (_emu, c) = bucket_with(&["k1", "k2", "k3"]);
    let r = c.get("/list-bucket").query("max-keys", Some("3")).send();
    assert_eq!(r.xml_all("Key"), ["k1", "k2", "k3"]);
    assert_eq!(r.xml("IsTruncated").as_deref(), Some("false"));
    assert_eq!(r.xml("NextMarker"), None);

    let r = c.get("/list-bucket").query("max-keys", Some("2")).send();
    assert_eq!(r.xml_all("Key"), ["k1", "k2"]);
    assert_eq!(r.xml("IsTruncated").as_deref(), Some("true"));
    assert_eq!(r.xml("NextMarker").as_deref(), Some("k2"));
    let r = c
        .get("/list-bucket")
        .query("max-keys", Some("2"))
        .query("marker", Some("k2"))
        .send();
    assert_eq!(r.xml_all("Key"), ["k3"]);
    assert_eq!(r.xml("IsTruncated").as_deref(), Some("false"));

    // V2: a page ending exactly at the last key is not truncated.
    let r = c
        .get("/list-bucket")
        .query("list-type", Some("2"))
        .query("max-keys", Some("1"))
        .send();
    assert_eq!(
        (r.xml_all("Key"), r.xml("KeyCount").as_deref()),
        (vec!["k1".to_owned()], Some("1"))
    );
    let token = r.xml("NextContinuationToken").expect("token");
    let r = c
        .get("/list-bucket")
        .query("list-type", Some("2"))
        .query("max-keys", Some("2"))
        .query("continuation-token", Some(&token))
        .send();
    assert_eq!(r.xml_all("Key"), ["k2", "k3"]);
    assert_eq!(r.xml("IsTruncated").as_deref(), Some("false"));
    assert_eq!(r.xml("NextContinuationToken"), None);
    let bad = c.get("/list-bucket").query("max-keys", Some("1001")).send();
    assert_eq!(bad.code().as_deref(), Some("InvalidArgument"));
}

#[test]
fn pages_with_common_prefixes_never_repeat_or_skip() {
    let keys = ["a/1", "a/2", "b", "c/1", "c/2", "c/3", "d", "e/x/y"];
    let (_emu, c) = bucket_with(&keys);
    for max in 1..=4 {
        let mut seen = Vec::new();
        let mut marker = String::new();
        loop {
            let r = c
                .get("/list-bucket")
                .query("delimiter", Some("/"))
                .query("max-keys", Some(&max.to_string()))
                .query("marker", Some(&marker))
                .send();
            let page: Vec<String> = r
                .xml_all("Key")
                .into_iter()
                .chain(r.xml_all("Prefix").into_iter().filter(|p| !p.is_empty()))
                .collect();
            assert!(page.len() <= max);
            seen.extend(page);
            if r.xml("IsTruncated").as_deref() != Some("true") {
                break;
            }
            marker = r.xml("NextMarker").expect("NextMarker");
        }
        let unique: BTreeSet<_> = seen.iter().cloned().collect();
        assert_eq!(
            unique.len(),
            seen.len(),
            "no repeats with max-keys={max}: {seen:?}"
        );
        assert_eq!(
            unique,
            ["a/", "b", "c/", "d", "e/"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            "max-keys={max}"
        );
    }
}

#[test]
fn unicode_and_control_keys_with_url_encoding() {
    let keys = [
        "u/子目录/文件.txt",
        "u/space key+plus",
        "u/ctl\u{1}char",
        "u/émoji😀",
    ];
    let (_emu, c) = bucket_with(&keys);
    let plain = c.get("/list-bucket").query("prefix", Some("u/")).send();
    // With encoding-type=url every key, control characters included, round-trips as ASCII.
    let encoded = c
        .get("/list-bucket")
        .query("prefix", Some("u/"))
        .query("encoding-type", Some("url"))
        .send();
    assert_eq!(encoded.xml("EncodingType").as_deref(), Some("url"));
    let raw = encoded.xml_all("Key");
    assert!(
        raw.iter().all(|k| k.is_ascii() && !k.contains(' ')),
        "{raw:?}"
    );
    let decoded: Vec<String> = raw.iter().map(|k| url_decode(k)).collect();
    let mut all: Vec<String> = keys.iter().map(|s| s.to_string()).collect();
    all.sort();
    assert_eq!(decoded, all);
    assert!(
        plain
            .xml_all("Key")
            .iter()
            .any(|k| k == "u/子目录/文件.txt")
    );
    for k in keys {
        assert_eq!(
            c.get(&format!("/list-bucket/{k}")).send().body,
            k.as_bytes(),
            "{k:?}"
        );
    }
}

#[test]
fn versions_and_delete_markers_are_listed() {
    let (_emu, c) = bucket_with(&[]);
    let v = "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>";
    assert_eq!(
        c.put("/list-bucket")
            .subresource("versioning")
            .body(v)
            .send()
            .status,
        200
    );
    for body in ["1", "2"] {
        assert_eq!(c.put("/list-bucket/doc").body(body).send().status, 200);
    }
    assert_eq!(c.put("/list-bucket/other").body("o").send().status, 200);
    assert_eq!(c.delete("/list-bucket/doc").send().status, 204);
    let r = c.get("/list-bucket").subresource("versions").send();
    assert_eq!(r.xml_all("DeleteMarker").len(), 1);
    assert_eq!(r.xml_all("Version").len(), 3);
    assert_eq!(r.xml_all("Key"), ["doc", "doc", "doc", "other"]);
    assert_eq!(r.xml_all("IsLatest"), ["true", "false", "false", "true"]);
    // Page through one version at a time.
    let mut seen = 0;
    let (mut km, mut vm) = (String::new(), String::new());
    loop {
        let r = c
            .get("/list-bucket")
            .subresource("versions")
            .query("max-keys", Some("1"))
            .query("key-marker", Some(&km))
            .query("version-id-marker", Some(&vm))
            .send();
        seen += r.xml_all("VersionId").len();
        if r.xml("IsTruncated").as_deref() != Some("true") {
            break;
        }
        km = r.xml("NextKeyMarker").expect("key marker");
        vm = r.xml("NextVersionIdMarker").expect("version marker");
    }
    assert_eq!(seen, 4);
    // The plain listing hides the deleted key.
    assert_eq!(c.get("/list-bucket").send().xml_all("Key"), ["other"]);
}
