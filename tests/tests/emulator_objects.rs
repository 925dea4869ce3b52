//! Object operations against the emulator: checksums, conditional and range requests, response
//! overrides, append, copy, multi-delete, tagging, symlinks, errors.

use oss_tests::{Client, start_emulator};

/// CRC-64/XZ of "123456789" (`shared/vectors/crc64.json`, from the official SDKs), in decimal.
const CRC_123456789: &str = "11051210869376104954";
/// MD5("123456789") = 25f9e794323b453885f5181f1b624d0b (RFC 1321 test-suite style value).
const ETAG_123456789: &str = "\"25F9E794323B453885F5181F1B624D0B\"";

fn setup(bucket: &str) -> (oss_tests::Emulator, Client) {
    let emu = start_emulator();
    let client = Client::new(&emu);
    assert_eq!(client.put(&format!("/{bucket}")).send().status, 200);
    (emu, client)
}

#[test]
fn put_and_get_report_oss_etag_crc_and_metadata() {
    let (_emu, c) = setup("obj-bucket");
    let r = c
        .put("/obj-bucket/digits")
        .body_with_md5("123456789")
        .header("content-type", "text/plain")
        .header("x-oss-meta-Owner", "tester")
        .header("cache-control", "no-cache")
        .send();
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("etag"), Some(ETAG_123456789));
    assert_eq!(r.header("x-oss-hash-crc64ecma"), Some(CRC_123456789));
    assert!(
        r.header("x-oss-request-id")
            .is_some_and(|id| id.len() == 24)
    );

    let g = c.get("/obj-bucket/digits").send();
    assert_eq!(g.text(), "123456789");
    assert_eq!(g.header("etag"), Some(ETAG_123456789));
    assert_eq!(g.header("x-oss-hash-crc64ecma"), Some(CRC_123456789));
    assert_eq!(g.header("content-type"), Some("text/plain"));
    assert_eq!(g.header("x-oss-meta-owner"), Some("tester"));
    assert_eq!(g.header("cache-control"), Some("no-cache"));
    assert_eq!(g.header("x-oss-object-type"), Some("Normal"));

    let h = c.head("/obj-bucket/digits").send();
    assert_eq!(h.status, 200);
    assert_eq!(h.header("content-length"), Some("9"));
    assert!(h.body.is_empty());
    let m = c
        .head("/obj-bucket/digits")
        .subresource("objectMeta")
        .send();
    assert_eq!((m.status, m.header("etag")), (200, Some(ETAG_123456789)));

    let bad = c
        .put("/obj-bucket/x")
        .body("data")
        .header("content-md5", "1B2M2Y8AsgTpgAmY7PhCfg==")
        .send();
    assert_eq!(
        (bad.status, bad.code().as_deref()),
        (400, Some("InvalidDigest"))
    );
    assert_eq!(
        c.get("/obj-bucket/x").send().code().as_deref(),
        Some("NoSuchKey")
    );
    let missing = c.head("/obj-bucket/x").send();
    assert_eq!(missing.status, 404);
    assert!(
        missing.header("x-oss-err").is_some(),
        "HEAD errors carry the document in x-oss-err"
    );
    assert_eq!(
        c.get("/no-such-bucket/x").send().code().as_deref(),
        Some("NoSuchBucket")
    );
}

#[test]
fn range_requests() {
    let (_emu, c) = setup("range-bucket");
    assert_eq!(
        c.put("/range-bucket/r").body("0123456789").send().status,
        200
    );
    let get = |range: &str| c.get("/range-bucket/r").header("range", range).send();
    let r = get("bytes=2-5");
    assert_eq!((r.status, r.text().as_str()), (206, "2345"));
    assert_eq!(r.header("content-range"), Some("bytes 2-5/10"));
    let r = get("bytes=7-");
    assert_eq!((r.status, r.text().as_str()), (206, "789"));
    let r = get("bytes=-3");
    assert_eq!((r.status, r.text().as_str()), (206, "789"));
    let r = get("bytes=8-100");
    assert_eq!((r.status, r.text().as_str()), (206, "89"));
    assert_eq!(r.header("content-range"), Some("bytes 8-9/10"));
    // Out of range: the whole object by default, 416 with x-oss-range-behavior: standard.
    let r = get("bytes=10-20");
    assert_eq!((r.status, r.text().as_str()), (200, "0123456789"));
    let r = c
        .get("/range-bucket/r")
        .header("range", "bytes=10-20")
        .header("x-oss-range-behavior", "standard")
        .send();
    assert_eq!((r.status, r.code().as_deref()), (416, Some("InvalidRange")));
    // Malformed ranges are ignored.
    let r = get("bytes=5-2");
    assert_eq!((r.status, r.text().as_str()), (200, "0123456789"));
}

#[test]
fn conditional_requests() {
    let (_emu, c) = setup("cond-bucket");
    assert_eq!(c.put("/cond-bucket/c").body("123456789").send().status, 200);
    let last_modified = c
        .head("/cond-bucket/c")
        .send()
        .header("last-modified")
        .map(str::to_owned)
        .expect("lm");
    let get = |name: &str, value: &str| c.get("/cond-bucket/c").header(name, value).send();

    assert_eq!(get("if-match", ETAG_123456789).status, 200);
    let r = get("if-match", "\"0000\"");
    assert_eq!(
        (r.status, r.code().as_deref()),
        (412, Some("PreconditionFailed"))
    );
    let r = get("if-none-match", ETAG_123456789);
    assert_eq!(r.status, 304);
    assert!(r.body.is_empty());
    assert_eq!(get("if-none-match", "\"0000\"").status, 200);

    assert_eq!(get("if-modified-since", &last_modified).status, 304);
    assert_eq!(
        get("if-modified-since", "Thu, 01 Jan 2015 00:00:00 GMT").status,
        200
    );
    assert_eq!(get("if-unmodified-since", &last_modified).status, 200);
    let r = get("if-unmodified-since", "Thu, 01 Jan 2015 00:00:00 GMT");
    assert_eq!(
        (r.status, r.code().as_deref()),
        (412, Some("PreconditionFailed"))
    );
    // HEAD evaluates the same conditions.
    let r = c
        .head("/cond-bucket/c")
        .header("if-match", "\"0000\"")
        .send();
    assert_eq!(r.status, 412);
}

#[test]
fn response_header_overrides() {
    let (_emu, c) = setup("over-bucket");
    assert_eq!(
        c.put("/over-bucket/o")
            .body("x")
            .header("content-type", "text/plain")
            .send()
            .status,
        200
    );
    let r = c
        .get("/over-bucket/o")
        .query("response-content-type", Some("application/json"))
        .query(
            "response-content-disposition",
            Some("attachment; filename=\"o.json\""),
        )
        .query("response-cache-control", Some("max-age=60"))
        .send();
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.header("content-disposition"),
        Some("attachment; filename=\"o.json\"")
    );
    assert_eq!(r.header("cache-control"), Some("max-age=60"));
}

#[test]
fn append_checks_positions() {
    let (_emu, c) = setup("append-bucket");
    let append = |pos: &str, body: &str| {
        c.post("/append-bucket/log")
            .subresource("append")
            .query("position", Some(pos))
            .body(body)
            .send()
    };
    let r = append("0", "12345");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-oss-next-append-position"), Some("5"));
    let r = append("3", "x");
    assert_eq!(
        (r.status, r.code().as_deref()),
        (409, Some("PositionNotEqualToLength"))
    );
    assert_eq!(r.header("x-oss-next-append-position"), Some("5"));
    let r = append("5", "6789");
    assert_eq!(r.header("x-oss-next-append-position"), Some("9"));
    assert_eq!(r.header("x-oss-hash-crc64ecma"), Some(CRC_123456789));
    let g = c.get("/append-bucket/log").send();
    assert_eq!(g.text(), "123456789");
    assert_eq!(g.header("x-oss-object-type"), Some("Appendable"));
    // A normal object is not appendable.
    assert_eq!(c.put("/append-bucket/plain").body("p").send().status, 200);
    let r = c
        .post("/append-bucket/plain")
        .subresource("append")
        .query("position", Some("1"))
        .body("q")
        .send();
    assert_eq!(
        (r.status, r.code().as_deref()),
        (409, Some("ObjectNotAppendable"))
    );
}

#[test]
fn copy_with_metadata_directive() {
    let (_emu, c) = setup("copy-bucket");
    copy_with_metadata_directive_on(&c);
}

#[test]
fn copy_with_metadata_directive_on_disk() {
    // The disk store copies file to file (no read into memory): the same answers.
    let dir = tempfile::tempdir().expect("tempdir");
    let emu = oss_tests::start_emulator_with(
        oss_emulator::EmulatorConfig::new(oss_tests::ACCESS_KEY_ID, oss_tests::ACCESS_KEY_SECRET)
            .data_dir(dir.path()),
    );
    let c = Client::new(&emu);
    assert_eq!(c.put("/copy-bucket").send().status, 200);
    copy_with_metadata_directive_on(&c);
}

fn copy_with_metadata_directive_on(c: &Client) {
    let r = c
        .put("/copy-bucket/src")
        .body("123456789")
        .header("content-type", "text/plain")
        .header("x-oss-meta-a", "1")
        .send();
    assert_eq!(r.status, 200);
    let r = c
        .put("/copy-bucket/same")
        .header("x-oss-copy-source", "/copy-bucket/src")
        .send();
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.xml("ETag").as_deref(), Some(ETAG_123456789));
    let g = c.get("/copy-bucket/same").send();
    assert_eq!(
        (g.text().as_str(), g.header("x-oss-meta-a")),
        ("123456789", Some("1"))
    );
    assert_eq!(g.header("content-type"), Some("text/plain"));

    let r = c
        .put("/copy-bucket/replaced")
        .header("x-oss-copy-source", "/copy-bucket/src")
        .header("x-oss-metadata-directive", "REPLACE")
        .header("x-oss-meta-b", "2")
        .header("content-type", "application/x-test")
        .send();
    assert_eq!(r.status, 200);
    let g = c.get("/copy-bucket/replaced").send();
    assert_eq!(g.text(), "123456789");
    assert_eq!(
        (g.header("x-oss-meta-a"), g.header("x-oss-meta-b")),
        (None, Some("2"))
    );
    assert_eq!(g.header("content-type"), Some("application/x-test"));

    // Into a bucket that holds nothing yet.
    assert_eq!(c.put("/copy-other").send().status, 200);
    let r = c
        .put("/copy-other/from-copy-bucket")
        .header("x-oss-copy-source", "/copy-bucket/src")
        .send();
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        c.get("/copy-other/from-copy-bucket").send().text(),
        "123456789"
    );

    let r = c
        .put("/copy-bucket/c2")
        .header("x-oss-copy-source", "/copy-bucket/src")
        .header("x-oss-copy-source-if-match", "\"0000\"")
        .send();
    assert_eq!(r.status, 412);
    let r = c
        .put("/copy-bucket/c3")
        .header("x-oss-copy-source", "/copy-bucket/missing")
        .send();
    assert_eq!(r.code().as_deref(), Some("NoSuchKey"));
}

#[test]
fn multi_delete_tagging_acl_and_symlinks() {
    let (_emu, c) = setup("misc-bucket");
    for k in ["a", "b", "c"] {
        assert_eq!(
            c.put(&format!("/misc-bucket/{k}")).body(k).send().status,
            200
        );
    }
    let doc = "<Delete><Quiet>false</Quiet><Object><Key>a</Key></Object><Object><Key>b</Key></Object><Object><Key>zz</Key></Object></Delete>";
    let r = c
        .post("/misc-bucket")
        .subresource("delete")
        .body_with_md5(doc)
        .send();
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.xml_all("Key"), ["a", "b", "zz"]);
    let listed = c.get("/misc-bucket").send();
    assert_eq!(listed.xml_all("Key"), ["c"]);

    let tags = "<Tagging><TagSet><Tag><Key>k1</Key><Value>v1</Value></Tag></TagSet></Tagging>";
    assert_eq!(
        c.put("/misc-bucket/c")
            .subresource("tagging")
            .body(tags)
            .send()
            .status,
        200
    );
    let r = c.get("/misc-bucket/c").subresource("tagging").send();
    assert_eq!(
        (r.xml_all("Key"), r.xml_all("Value")),
        (vec!["k1".to_owned()], vec!["v1".to_owned()])
    );
    assert_eq!(
        c.get("/misc-bucket/c").send().header("x-oss-tagging-count"),
        Some("1")
    );
    assert_eq!(
        c.delete("/misc-bucket/c")
            .subresource("tagging")
            .send()
            .status,
        204
    );
    assert!(
        c.get("/misc-bucket/c")
            .subresource("tagging")
            .send()
            .xml_all("Key")
            .is_empty()
    );

    assert_eq!(
        c.get("/misc-bucket/c")
            .subresource("acl")
            .send()
            .xml("Grant")
            .as_deref(),
        Some("default")
    );
    let r = c
        .put("/misc-bucket/c")
        .subresource("acl")
        .header("x-oss-object-acl", "bogus")
        .send();
    assert_eq!(r.code().as_deref(), Some("InvalidArgument"));

    let r = c
        .put("/misc-bucket/link")
        .subresource("symlink")
        .header("x-oss-symlink-target", "c")
        .send();
    assert_eq!(r.status, 200);
    let r = c.get("/misc-bucket/link").subresource("symlink").send();
    assert_eq!(r.header("x-oss-symlink-target"), Some("c"));
    let r = c.get("/misc-bucket/link").send();
    assert_eq!(
        (r.text().as_str(), r.header("x-oss-object-type")),
        ("c", Some("Symlink"))
    );
    assert_eq!(
        c.get("/misc-bucket/c")
            .subresource("symlink")
            .send()
            .code()
            .as_deref(),
        Some("NotSymlink")
    );
    assert_eq!(c.delete("/misc-bucket/c").send().status, 204);
    assert_eq!(
        c.get("/misc-bucket/link").send().code().as_deref(),
        Some("SymlinkTargetNotExist")
    );
}

#[test]
fn buckets_info_stat_versioning_tags_cors() {
    let (_emu, c) = setup("bkt-info");
    assert_eq!(
        c.put("/bkt-info").send().code().as_deref(),
        Some("BucketAlreadyExists")
    );
    assert_eq!(
        c.put("/Bad_Name").send().code().as_deref(),
        Some("InvalidBucketName")
    );
    let location = c.get("/bkt-info").subresource("location").send();
    assert_eq!(
        location.xml("LocationConstraint").as_deref(),
        Some("oss-cn-hangzhou")
    );
    let info = c.get("/bkt-info").subresource("bucketInfo").send();
    assert_eq!(info.xml("Name").as_deref(), Some("bkt-info"));
    assert_eq!(info.xml("Grant").as_deref(), Some("private"));
    assert_eq!(c.put("/bkt-info/k").body("12345").send().status, 200);
    let stat = c.get("/bkt-info").subresource("stat").send();
    assert_eq!(
        (
            stat.xml("Storage").as_deref(),
            stat.xml("ObjectCount").as_deref()
        ),
        (Some("5"), Some("1"))
    );
    assert_eq!(
        c.delete("/bkt-info").send().code().as_deref(),
        Some("BucketNotEmpty")
    );

    let cors = "<CORSConfiguration><CORSRule><AllowedOrigin>https://*.example.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedHeader>x-oss-*</AllowedHeader><MaxAgeSeconds>100</MaxAgeSeconds></CORSRule></CORSConfiguration>";
    assert_eq!(
        c.get("/bkt-info")
            .subresource("cors")
            .send()
            .code()
            .as_deref(),
        Some("NoSuchCORSConfiguration")
    );
    assert_eq!(
        c.put("/bkt-info")
            .subresource("cors")
            .body(cors)
            .send()
            .status,
        200
    );
    let pre = |origin: &str, method: &str| {
        c.clone()
            .signing(oss_tests::Signing::Anonymous)
            .request("OPTIONS", "/bkt-info/k")
            .header("origin", origin)
            .header("access-control-request-method", method)
            .header("access-control-request-headers", "x-oss-meta-a")
            .send()
    };
    let ok = pre("https://www.example.com", "GET");
    assert_eq!(ok.status, 200);
    assert_eq!(
        ok.header("access-control-allow-origin"),
        Some("https://www.example.com")
    );
    assert_eq!(ok.header("access-control-max-age"), Some("100"));
    assert_eq!(pre("https://evil.test", "GET").status, 403);
    assert_eq!(pre("https://www.example.com", "PUT").status, 403);

    let v = "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>";
    assert_eq!(
        c.put("/bkt-info")
            .subresource("versioning")
            .body(v)
            .send()
            .status,
        200
    );
    assert_eq!(
        c.get("/bkt-info")
            .subresource("versioning")
            .send()
            .xml("Status")
            .as_deref(),
        Some("Enabled")
    );
    let v1 = c
        .put("/bkt-info/ver")
        .body("one")
        .send()
        .header("x-oss-version-id")
        .map(str::to_owned)
        .expect("vid");
    let v2 = c
        .put("/bkt-info/ver")
        .body("two")
        .send()
        .header("x-oss-version-id")
        .map(str::to_owned)
        .expect("vid");
    assert_ne!(v1, v2);
    assert_eq!(c.get("/bkt-info/ver").send().text(), "two");
    assert_eq!(
        c.get("/bkt-info/ver")
            .query("versionId", Some(&v1))
            .send()
            .text(),
        "one"
    );
    let del = c.delete("/bkt-info/ver").send();
    assert_eq!(del.header("x-oss-delete-marker"), Some("true"));
    assert_eq!(
        c.get("/bkt-info/ver").send().code().as_deref(),
        Some("NoSuchKey")
    );
    assert_eq!(
        c.get("/bkt-info/ver")
            .query("versionId", Some(&v2))
            .send()
            .text(),
        "two"
    );
}
