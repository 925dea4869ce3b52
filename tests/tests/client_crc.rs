//! The client's CRC-64 checks that depend on earlier responses (appends after the first,
//! CompleteMultipartUpload) against the emulator, with and without its `wrong_crc` fault.
#![allow(clippy::unwrap_used)]

use oss_client::credentials::StaticProvider;
use oss_client::{Client, Config};
use oss_emulator::{Emulator, EmulatorConfig, Faults};
use oss_model::{CompleteMultipartUpload, CompletedPart};

const AK: &str = "crc-test-ak";
const SK: &str = "crc-test-sk";
const BUCKET: &str = "crc-bucket";

async fn setup() -> (Emulator, Client) {
    let emu = Emulator::start(EmulatorConfig::new(AK, SK).region("cn-hangzhou")).unwrap();
    let client = Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .endpoint(emu.endpoint())
            .credentials(StaticProvider::from_keys(AK, SK))
            .build()
            .unwrap(),
    );
    client.put_bucket().bucket(BUCKET).send().await.unwrap();
    (emu, client)
}

async fn append(
    client: &Client,
    key: &str,
    position: i64,
    data: &'static [u8],
) -> Result<(), oss_client::Error> {
    client
        .append_object()
        .bucket(BUCKET)
        .key(key)
        .position(position)
        .body(data)
        .send()
        .await
        .map(drop)
}

/// Initiates an upload of `key` and uploads `parts`; returns the upload ID and the part list.
async fn upload(
    client: &Client,
    key: &str,
    parts: &[Vec<u8>],
) -> (String, CompleteMultipartUpload) {
    let upload_id = client
        .initiate_multipart_upload()
        .bucket(BUCKET)
        .key(key)
        .send()
        .await
        .unwrap()
        .upload_id;
    let mut listed = Vec::new();
    for (i, data) in parts.iter().enumerate() {
        let n = i as i64 + 1;
        let out = client
            .upload_part()
            .bucket(BUCKET)
            .key(key)
            .upload_id(&upload_id)
            .part_number(n)
            .body(data.clone())
            .send()
            .await
            .unwrap();
        listed.push(CompletedPart {
            part_number: n,
            etag: out.etag.unwrap(),
        });
    }
    (upload_id, CompleteMultipartUpload { parts: listed })
}

fn parts() -> Vec<Vec<u8>> {
    vec![vec![b'a'; 100 * 1024], b"tail of the object".to_vec()]
}

#[tokio::test]
async fn multi_step_appends_pass_and_a_wrong_crc_after_the_first_is_caught() {
    let (emu, client) = setup().await;
    append(&client, "log", 0, b"first ").await.unwrap();
    append(&client, "log", 6, b"second ").await.unwrap();
    append(&client, "log", 13, b"third").await.unwrap();
    let (_, body) = client
        .get_object()
        .bucket(BUCKET)
        .key("log")
        .send()
        .await
        .unwrap();
    assert_eq!(&body.collect().await.unwrap()[..], b"first second third");

    emu.set_faults(Faults::none().with_wrong_crc());
    let err = append(&client, "log", 18, b"!").await.unwrap_err();
    assert!(err.is_checksum_mismatch(), "{err}");
    emu.set_faults(Faults::none());
    // The data was appended (OSS accepted it); only its CRC was wrong.
    let (meta, _) = client
        .get_object()
        .bucket(BUCKET)
        .key("log")
        .send()
        .await
        .unwrap();
    assert_eq!(meta.content_length, Some(19));

    // A first append is checked too, once: sending it again would fail with a position error.
    emu.set_faults(Faults::none().with_wrong_crc());
    let err = append(&client, "new", 0, b"data").await.unwrap_err();
    assert!(err.is_checksum_mismatch(), "{err}");
}

#[tokio::test]
async fn multipart_complete_passes_and_a_wrong_crc_is_caught() {
    let (emu, client) = setup().await;
    let (upload_id, listed) = upload(&client, "ok", &parts()).await;
    client
        .complete_multipart_upload()
        .bucket(BUCKET)
        .key("ok")
        .upload_id(&upload_id)
        .parts(listed)
        .send()
        .await
        .unwrap();

    let (upload_id, listed) = upload(&client, "listed", &parts()).await;
    emu.set_faults(Faults::none().with_wrong_crc());
    let err = client
        .complete_multipart_upload()
        .bucket(BUCKET)
        .key("listed")
        .upload_id(&upload_id)
        .parts(listed)
        .send()
        .await
        .unwrap_err();
    assert!(err.is_checksum_mismatch(), "{err}");
    emu.set_faults(Faults::none());

    let (upload_id, _) = upload(&client, "all", &parts()).await;
    emu.set_faults(Faults::none().with_wrong_crc());
    let err = client
        .complete_multipart_upload()
        .bucket(BUCKET)
        .key("all")
        .upload_id(&upload_id)
        .complete_all("yes")
        .send()
        .await
        .unwrap_err();
    assert!(err.is_checksum_mismatch(), "{err}");
    emu.set_faults(Faults::none());
    // The upload was completed once, not retried into NoSuchUpload.
    assert!(client.is_object_exist(BUCKET, "all").await.unwrap());
    assert!(client.is_object_exist(BUCKET, "listed").await.unwrap());
}
