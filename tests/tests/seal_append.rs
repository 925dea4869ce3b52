//! SealAppendObject through the client: a sealed appendable object takes no more appends
//! (`ObjectNotAppendable`), reports `x-oss-sealed-time` on reads, keeps its first seal time,
//! and the seal checks the position and the object type as OSS does.
#![allow(clippy::unwrap_used)]

use oss_emulator::{Emulator, EmulatorConfig};
use oss_tests::{sdk_client, service_code};

const AK: &str = "seal-test-ak";
const SK: &str = "seal-test-sk";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sealed_object_refuses_appends() {
    let emu = Emulator::start(EmulatorConfig::new(AK, SK)).unwrap();
    let c = sdk_client(&emu);
    c.put_bucket().bucket("logs").send().await.unwrap();
    for (pos, part) in [(0, "first "), (6, "second")] {
        c.append_object()
            .bucket("logs")
            .key("app.log")
            .position(pos)
            .body(part)
            .send()
            .await
            .unwrap();
    }
    let before = c
        .head_object()
        .bucket("logs")
        .key("app.log")
        .send()
        .await
        .unwrap();
    assert_eq!(before.sealed_time, None);

    // The position must be the current length (12).
    let err = c
        .seal_append_object()
        .bucket("logs")
        .key("app.log")
        .position(6)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        service_code(&err),
        (409, "PositionNotEqualToLength".to_owned())
    );

    let sealed = c
        .seal_append_object()
        .bucket("logs")
        .key("app.log")
        .position(12)
        .send()
        .await
        .unwrap();
    let first = sealed.sealed_time.expect("x-oss-sealed-time");
    let now = time::OffsetDateTime::now_utc();
    assert!((now - first).abs() < time::Duration::minutes(1), "{first}");

    let err = c
        .append_object()
        .bucket("logs")
        .key("app.log")
        .position(12)
        .body("third")
        .send()
        .await
        .unwrap_err();
    assert_eq!(service_code(&err), (409, "ObjectNotAppendable".to_owned()));

    let head = c
        .head_object()
        .bucket("logs")
        .key("app.log")
        .send()
        .await
        .unwrap();
    assert_eq!(head.sealed_time, Some(first));
    assert_eq!(head.content_length, Some(12));
    let (got, body) = c
        .get_object()
        .bucket("logs")
        .key("app.log")
        .send()
        .await
        .unwrap();
    assert_eq!(got.sealed_time, Some(first));
    assert_eq!(&body.collect().await.unwrap()[..], b"first second");

    // Sealing again keeps the first time.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let again = c
        .seal_append_object()
        .bucket("logs")
        .key("app.log")
        .position(12)
        .send()
        .await
        .unwrap();
    assert_eq!(again.sealed_time, Some(first));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_appendable_objects_are_sealed() {
    let emu = Emulator::start(EmulatorConfig::new(AK, SK)).unwrap();
    let c = sdk_client(&emu);
    c.put_bucket().bucket("logs").send().await.unwrap();
    c.put_object()
        .bucket("logs")
        .key("normal")
        .body("12345")
        .send()
        .await
        .unwrap();
    let err = c
        .seal_append_object()
        .bucket("logs")
        .key("normal")
        .position(5)
        .send()
        .await
        .unwrap_err();
    assert_eq!(service_code(&err), (409, "ObjectNotAppendable".to_owned()));
    let err = c
        .seal_append_object()
        .bucket("logs")
        .key("missing")
        .position(0)
        .send()
        .await
        .unwrap_err();
    assert_eq!(service_code(&err), (404, "NoSuchKey".to_owned()));
}
