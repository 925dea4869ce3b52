//! Crash safety: the binary with `--data-dir` is killed (SIGKILL) while uploads are in flight,
//! restarted on the same directory, and serves everything acknowledged and nothing partial.

use std::time::Duration;

use oss_tests::Spawned;

fn args(dir: &std::path::Path) -> Vec<String> {
    [
        "--addr",
        "127.0.0.1:0",
        "--access-key-id",
        oss_tests::ACCESS_KEY_ID,
        "--access-key-secret",
        oss_tests::ACCESS_KEY_SECRET,
        "--data-dir",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([dir.display().to_string()])
    .collect()
}

fn start(dir: &std::path::Path) -> Spawned {
    let a = args(dir);
    let refs: Vec<&str> = a.iter().map(String::as_str).collect();
    Spawned::start(&refs)
}

fn bytes(seed: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| seed.wrapping_add((i % 253) as u8))
        .collect()
}

#[test]
fn killed_mid_upload_restarts_with_exactly_the_acknowledged_state() {
    let dir = tempfile::tempdir().expect("tempdir");
    let small = bytes(1, 10);
    let big = bytes(2, 1 << 20);
    let first = bytes(3, 300);
    let part1 = bytes(4, 100 * 1024);
    let upload_id;
    {
        let emu = start(dir.path());
        let c = emu.client();
        assert_eq!(c.put("/crash-bucket").send().status, 200);
        assert_eq!(c.put("/crash-bucket/small").body(&small).send().status, 200);
        assert_eq!(c.put("/crash-bucket/big").body(&big).send().status, 200);
        assert_eq!(c.put("/crash-bucket/over").body(&first).send().status, 200);
        assert_eq!(c.put("/crash-bucket/gone").body("x").send().status, 200);
        assert_eq!(c.delete("/crash-bucket/gone").send().status, 204);
        let r = c.post("/crash-bucket/mp").subresource("uploads").send();
        upload_id = r.xml("UploadId").expect("UploadId");
        let r = c
            .put("/crash-bucket/mp")
            .query("partNumber", Some("1"))
            .query("uploadId", Some(&upload_id))
            .body(&part1)
            .send();
        assert_eq!(r.status, 200);

        // In flight when the process dies: a new object, an overwrite, a part.
        let half = bytes(5, 512 * 1024);
        let _new = c
            .put("/crash-bucket/partial")
            .send_partial(1 << 20, &half)
            .expect("partial");
        let _over = c
            .put("/crash-bucket/over")
            .send_partial(1 << 20, &half)
            .expect("partial");
        let _part = c
            .put("/crash-bucket/mp")
            .query("partNumber", Some("2"))
            .query("uploadId", Some(&upload_id))
            .send_partial(1 << 20, &half)
            .expect("partial");
        std::thread::sleep(Duration::from_millis(200));
        emu.kill();
    }

    let emu = start(dir.path());
    let c = emu.client();
    assert_eq!(c.get("/crash-bucket/small").send().body, small);
    let got = c.get("/crash-bucket/big").send();
    assert_eq!(got.body, big);
    assert_eq!(
        c.get("/crash-bucket/over").send().body,
        first,
        "the interrupted overwrite left the old data"
    );
    let r = c.get("/crash-bucket/partial").send();
    assert_eq!(
        r.code().as_deref(),
        Some("NoSuchKey"),
        "nothing partial is visible"
    );
    assert_eq!(
        c.get("/crash-bucket/gone").send().code().as_deref(),
        Some("NoSuchKey")
    );
    let listed = c.get("/crash-bucket").send();
    assert_eq!(listed.xml_all("Key"), ["big", "over", "small"]);

    let parts = c
        .get("/crash-bucket/mp")
        .query("uploadId", Some(&upload_id))
        .send();
    assert_eq!(parts.xml_all("PartNumber"), ["1"]);
    let etag = parts.xml("ETag").expect("ETag");
    let doc = format!(
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag}</ETag></Part></CompleteMultipartUpload>"
    );
    let r = c
        .post("/crash-bucket/mp")
        .query("uploadId", Some(&upload_id))
        .body(doc)
        .send();
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(c.get("/crash-bucket/mp").send().body, part1);

    // What the restarted server acknowledges survives another restart too.
    emu.kill();
    let emu = start(dir.path());
    assert_eq!(emu.client().get("/crash-bucket/mp").send().body, part1);
}
