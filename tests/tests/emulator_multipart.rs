//! Multipart uploads against the emulator: the happy path with OSS's ETag, and the ordering and
//! size errors (InvalidPart, InvalidPartOrder, EntityTooSmall), part copy, listings, abort.

use md5::{Digest, Md5};
use oss_tests::{Client, start_emulator};

const KIB: usize = 1024;

fn part_data(n: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| n.wrapping_mul(31).wrapping_add((i % 251) as u8))
        .collect()
}

fn setup() -> (oss_tests::Emulator, Client) {
    let emu = start_emulator();
    let c = Client::new(&emu);
    assert_eq!(c.put("/mp-bucket").send().status, 200);
    (emu, c)
}

fn initiate(c: &Client, key: &str) -> String {
    let r = c
        .post(&format!("/mp-bucket/{key}"))
        .subresource("uploads")
        .header("x-oss-meta-m", "v")
        .send();
    assert_eq!(r.status, 200, "{}", r.text());
    r.xml("UploadId").expect("UploadId")
}

fn upload(c: &Client, key: &str, id: &str, n: u32, data: &[u8]) -> String {
    let r = c
        .put(&format!("/mp-bucket/{key}"))
        .query("partNumber", Some(&n.to_string()))
        .query("uploadId", Some(id))
        .body_with_md5(data)
        .send();
    assert_eq!(r.status, 200, "{}", r.text());
    r.header("etag").expect("ETag").to_owned()
}

fn complete(c: &Client, key: &str, id: &str, parts: &[(u32, &str)]) -> oss_tests::Response {
    let mut doc = String::from("<CompleteMultipartUpload>");
    for (n, etag) in parts {
        doc.push_str(&format!(
            "<Part><PartNumber>{n}</PartNumber><ETag>{etag}</ETag></Part>"
        ));
    }
    doc.push_str("</CompleteMultipartUpload>");
    c.post(&format!("/mp-bucket/{key}"))
        .query("uploadId", Some(id))
        .body(doc)
        .send()
}

fn upper_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

#[test]
fn complete_assembles_parts_with_the_oss_multipart_etag() {
    let (_emu, c) = setup();
    let id = initiate(&c, "big.bin");
    let p1 = part_data(1, 100 * KIB);
    let p2 = part_data(2, 120 * KIB);
    let p3 = part_data(3, 7);
    let e1 = upload(&c, "big.bin", &id, 1, &p1);
    let e3 = upload(&c, "big.bin", &id, 3, &p3);
    let e2 = upload(&c, "big.bin", &id, 2, &p2);
    assert_eq!(e1, format!("\"{}\"", upper_hex(&Md5::digest(&p1))));

    let listed = c
        .get("/mp-bucket/big.bin")
        .query("uploadId", Some(&id))
        .send();
    assert_eq!(listed.xml_all("PartNumber"), ["1", "2", "3"]);
    assert_eq!(listed.xml_all("Size"), ["102400", "122880", "7"]);
    let page = c
        .get("/mp-bucket/big.bin")
        .query("uploadId", Some(&id))
        .query("max-parts", Some("2"))
        .send();
    assert_eq!(
        (
            page.xml_all("PartNumber"),
            page.xml("IsTruncated").as_deref()
        ),
        (vec!["1".into(), "2".into()], Some("true"))
    );
    assert_eq!(page.xml("NextPartNumberMarker").as_deref(), Some("2"));
    let uploads = c.get("/mp-bucket").subresource("uploads").send();
    assert_eq!(uploads.xml_all("UploadId"), std::slice::from_ref(&id));

    let r = complete(&c, "big.bin", &id, &[(1, &e1), (2, &e2), (3, &e3)]);
    assert_eq!(r.status, 200, "{}", r.text());
    // "<MD5 of the concatenated binary part MD5s>-<part count>", upper-case hex, quoted.
    let mut concat = Vec::new();
    for p in [&p1, &p2, &p3] {
        concat.extend_from_slice(&Md5::digest(p));
    }
    let expected = format!("\"{}-3\"", upper_hex(&Md5::digest(&concat)));
    assert_eq!(r.xml("ETag"), Some(expected.clone()));
    let g = c.get("/mp-bucket/big.bin").send();
    assert_eq!(g.header("etag"), Some(expected.as_str()));
    assert_eq!(g.header("x-oss-object-type"), Some("Multipart"));
    assert_eq!(g.header("x-oss-meta-m"), Some("v"));
    assert_eq!(g.body, [p1, p2, p3].concat());
    // The upload is gone.
    let r = c
        .get("/mp-bucket/big.bin")
        .query("uploadId", Some(&id))
        .send();
    assert_eq!(r.code().as_deref(), Some("NoSuchUpload"));
    assert!(
        c.get("/mp-bucket")
            .subresource("uploads")
            .send()
            .xml_all("UploadId")
            .is_empty()
    );
}

#[test]
fn ordering_and_size_errors() {
    let (_emu, c) = setup();
    let id = initiate(&c, "e.bin");
    let big = part_data(9, 100 * KIB);
    let e1 = upload(&c, "e.bin", &id, 1, &big);
    let e2 = upload(&c, "e.bin", &id, 2, &big);
    let small = part_data(4, 10);
    let e3 = upload(&c, "e.bin", &id, 3, &small);
    let e4 = upload(&c, "e.bin", &id, 4, &small);

    let r = complete(&c, "e.bin", &id, &[(2, &e2), (1, &e1)]);
    assert_eq!(
        (r.status, r.code().as_deref()),
        (400, Some("InvalidPartOrder"))
    );
    let r = complete(&c, "e.bin", &id, &[(1, &e1), (1, &e1)]);
    assert_eq!(
        (r.status, r.code().as_deref()),
        (400, Some("InvalidPartOrder"))
    );
    let r = complete(&c, "e.bin", &id, &[(1, &e1), (5, &e1)]);
    assert_eq!((r.status, r.code().as_deref()), (400, Some("InvalidPart")));
    let r = complete(
        &c,
        "e.bin",
        &id,
        &[(1, &e1), (2, "\"0123456789ABCDEF0123456789ABCDEF\"")],
    );
    assert_eq!((r.status, r.code().as_deref()), (400, Some("InvalidPart")));
    let r = complete(&c, "e.bin", &id, &[(1, &e1), (3, &e3), (4, &e4)]);
    assert_eq!(
        (r.status, r.code().as_deref()),
        (400, Some("EntityTooSmall"))
    );
    // Failed completions leave the upload intact; a valid subset completes.
    let r = complete(&c, "e.bin", &id, &[(1, &e1), (2, &e2), (4, &e4)]);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        c.get("/mp-bucket/e.bin").send().body,
        [&big[..], &big[..], &small[..]].concat()
    );

    let bad = c
        .put("/mp-bucket/e.bin")
        .query("partNumber", Some("0"))
        .query("uploadId", Some("nope"))
        .body("x")
        .send();
    assert_eq!(bad.code().as_deref(), Some("InvalidArgument"));
    let r = c
        .put("/mp-bucket/e.bin")
        .query("partNumber", Some("1"))
        .query("uploadId", Some("nope"))
        .body("x")
        .send();
    assert_eq!(r.code().as_deref(), Some("NoSuchUpload"));
}

#[test]
fn part_copy_and_abort() {
    let (_emu, c) = setup();
    let src = part_data(7, 200 * KIB);
    assert_eq!(c.put("/mp-bucket/src").body(&src).send().status, 200);
    let id = initiate(&c, "copy.bin");
    let r = c
        .put("/mp-bucket/copy.bin")
        .query("partNumber", Some("1"))
        .query("uploadId", Some(&id))
        .header("x-oss-copy-source", "/mp-bucket/src")
        .header("x-oss-copy-source-range", "bytes=0-102399")
        .send();
    assert_eq!(r.status, 200, "{}", r.text());
    let e1 = r.xml("ETag").expect("ETag");
    assert_eq!(
        e1,
        format!("\"{}\"", upper_hex(&Md5::digest(&src[..100 * KIB])))
    );
    let r = c
        .put("/mp-bucket/copy.bin")
        .query("partNumber", Some("2"))
        .query("uploadId", Some(&id))
        .header("x-oss-copy-source", "/mp-bucket/src")
        .header("x-oss-copy-source-range", "bytes=102400-")
        .send();
    let e2 = r.xml("ETag").expect("ETag");
    assert_eq!(
        complete(&c, "copy.bin", &id, &[(1, &e1), (2, &e2)]).status,
        200
    );
    assert_eq!(c.get("/mp-bucket/copy.bin").send().body, src);

    let id = initiate(&c, "aborted");
    upload(&c, "aborted", &id, 1, b"x");
    assert_eq!(
        c.delete("/mp-bucket/aborted")
            .query("uploadId", Some(&id))
            .send()
            .status,
        204
    );
    let r = c
        .delete("/mp-bucket/aborted")
        .query("uploadId", Some(&id))
        .send();
    assert_eq!(r.code().as_deref(), Some("NoSuchUpload"));
    assert_eq!(
        c.get("/mp-bucket/aborted").send().code().as_deref(),
        Some("NoSuchKey")
    );
}

#[test]
fn list_multipart_uploads_with_prefix_delimiter_and_markers() {
    let (_emu, c) = setup();
    let a1 = initiate(&c, "dir/a");
    let a2 = initiate(&c, "dir/a");
    let _b = initiate(&c, "dir/sub/b");
    let _t = initiate(&c, "top");
    let r = c
        .get("/mp-bucket")
        .subresource("uploads")
        .query("delimiter", Some("/"))
        .send();
    assert_eq!(r.xml_all("Key"), ["top"]);
    assert!(r.xml_all("Prefix").contains(&"dir/".to_owned()));
    let r = c
        .get("/mp-bucket")
        .subresource("uploads")
        .query("prefix", Some("dir/"))
        .query("delimiter", Some("/"))
        .send();
    assert_eq!(r.xml_all("Key"), ["dir/a", "dir/a"]);
    assert!(r.xml_all("Prefix").contains(&"dir/sub/".to_owned()));
    let r = c
        .get("/mp-bucket")
        .subresource("uploads")
        .query("max-uploads", Some("1"))
        .send();
    assert_eq!(
        (r.xml_all("UploadId"), r.xml("IsTruncated").as_deref()),
        (vec![a1.clone()], Some("true"))
    );
    assert_eq!(r.xml("NextKeyMarker").as_deref(), Some("dir/a"));
    let r = c
        .get("/mp-bucket")
        .subresource("uploads")
        .query("key-marker", Some("dir/a"))
        .query("upload-id-marker", Some(&a1))
        .send();
    assert_eq!(r.xml_all("UploadId")[0], a2);
    assert_eq!(r.xml_all("Key"), ["dir/a", "dir/sub/b", "top"]);
}
