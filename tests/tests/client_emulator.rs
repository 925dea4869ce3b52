//! The client against the in-process emulator: every operation the emulator serves, with V4 and
//! V1 signing, path-style and virtual-hosted addressing, and the emulator's fault injection.
// Helpers shared by the tests (not `#[test]` functions themselves) unwrap too.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use bytes::Bytes;
use futures_util::TryStreamExt as _;
use oss_client::credentials::StaticProvider;
use oss_client::transport::FixedResolver;
use oss_client::{AddressingStyle, Client, Config, RetryPolicy, SignatureVersion};
use oss_emulator::{Emulator, EmulatorConfig, Faults};
use oss_model::{
    BucketAcl, CompleteMultipartUpload, CompletedPart, Delete, ObjectIdentifier, Tag, TagSet,
    Tagging, VersioningConfiguration,
};

const AK: &str = "client-test-ak";
const SK: &str = "client-test-sk";

fn emulator(faults: Faults) -> Emulator {
    Emulator::start(
        EmulatorConfig::new(AK, SK)
            .region("cn-hangzhou")
            .faults(faults),
    )
    .expect("emulator starts")
}

fn client(emu: &Emulator, version: SignatureVersion, style: AddressingStyle) -> Client {
    let builder = Config::builder()
        .region("cn-hangzhou")
        .credentials(StaticProvider::from_keys(AK, SK))
        .signature_version(version)
        .retry(
            RetryPolicy::default()
                .max_attempts(10)
                .base_delay(Duration::from_millis(1))
                .max_delay(Duration::from_millis(20)),
        );
    let builder = match style {
        AddressingStyle::VirtualHosted => builder
            .endpoint(format!(
                "http://oss-cn-hangzhou.aliyuncs.com:{}",
                emu.addr().port()
            ))
            .addressing_style(AddressingStyle::VirtualHosted)
            .resolver(FixedResolver::new([127, 0, 0, 1].into())),
        _ => builder.endpoint(emu.endpoint()),
    };
    Client::new(builder.build().expect("config"))
}

fn tagging(pairs: &[(&str, &str)]) -> Tagging {
    Tagging {
        tag_set: TagSet {
            tags: pairs
                .iter()
                .map(|(k, v)| Tag {
                    key: (*k).into(),
                    value: Some((*v).into()),
                })
                .collect(),
        },
    }
}

async fn get_bytes(client: &Client, bucket: &str, key: &str) -> Result<Bytes, oss_client::Error> {
    let (_, body) = client.get_object().bucket(bucket).key(key).send().await?;
    body.collect().await
}

/// Runs every object- and bucket-level operation the emulator serves on `bucket`, which a
/// path-style client creates first (virtual-hosted addressing needs an existing bucket).
async fn exercise(emu: &Emulator, version: SignatureVersion, style: AddressingStyle, bucket: &str) {
    let setup = client(emu, version, AddressingStyle::Path);
    setup.put_bucket().bucket(bucket).send().await.unwrap();
    let c = client(emu, version, style);
    let ctx = format!("{version} {style:?}");

    assert!(c.is_bucket_exist(bucket).await.unwrap(), "{ctx}");
    c.get_bucket_info().bucket(bucket).send().await.unwrap();
    c.get_bucket_location().bucket(bucket).send().await.unwrap();
    c.get_bucket_stat().bucket(bucket).send().await.unwrap();
    let buckets = setup.list_buckets().send().await.unwrap();
    assert!(
        buckets.buckets.iter().any(|b| b.name == bucket),
        "{ctx}: {buckets:?}"
    );

    // Bucket ACL, tags, versioning.
    c.put_bucket_acl()
        .bucket(bucket)
        .acl(BucketAcl::PublicRead)
        .send()
        .await
        .unwrap();
    let acl = c.get_bucket_acl().bucket(bucket).send().await.unwrap();
    assert_eq!(
        acl.access_control_list.grant,
        BucketAcl::PublicRead,
        "{ctx}"
    );
    c.put_bucket_acl()
        .bucket(bucket)
        .acl(BucketAcl::Private)
        .send()
        .await
        .unwrap();
    c.put_bucket_tags()
        .bucket(bucket)
        .tagging(tagging(&[("team", "storage")]))
        .send()
        .await
        .unwrap();
    let tags = c.get_bucket_tags().bucket(bucket).send().await.unwrap();
    assert_eq!(tags.tag_set.tags[0].key, "team", "{ctx}");
    c.delete_bucket_tags().bucket(bucket).send().await.unwrap();
    let versioning = c
        .get_bucket_versioning()
        .bucket(bucket)
        .send()
        .await
        .unwrap();
    assert!(versioning.status.is_none(), "{ctx}: {versioning:?}");
    let _ = VersioningConfiguration::default();

    // Objects: put, head, meta, get (whole and range), exists.
    let data = Bytes::from_static(b"hello from the oss-rs client, signed and checked");
    let put = c
        .put_object()
        .bucket(bucket)
        .key("dir/hello world.txt")
        .content_type("text/plain")
        .body(data.clone())
        .send()
        .await
        .unwrap();
    assert!(put.etag.is_some(), "{ctx}");
    let head = c
        .head_object()
        .bucket(bucket)
        .key("dir/hello world.txt")
        .send()
        .await
        .unwrap();
    assert_eq!(head.content_length, Some(data.len() as i64), "{ctx}");
    c.get_object_meta()
        .bucket(bucket)
        .key("dir/hello world.txt")
        .send()
        .await
        .unwrap();
    assert_eq!(
        get_bytes(&c, bucket, "dir/hello world.txt").await.unwrap(),
        data
    );
    let (ranged, body) = c
        .get_object()
        .bucket(bucket)
        .key("dir/hello world.txt")
        .range("bytes=0-4")
        .send()
        .await
        .unwrap();
    assert_eq!(ranged.content_length, Some(5), "{ctx}");
    assert_eq!(&body.collect().await.unwrap()[..], b"hello");
    assert!(
        c.is_object_exist(bucket, "dir/hello world.txt")
            .await
            .unwrap()
    );
    assert!(!c.is_object_exist(bucket, "missing").await.unwrap());

    // Listing, paginated.
    for i in 0..5 {
        c.put_object()
            .bucket(bucket)
            .key(format!("list/{i}"))
            .body(format!("item {i}"))
            .send()
            .await
            .unwrap();
    }
    let input = oss_model::ListObjectsV2Input::builder()
        .bucket(bucket)
        .prefix("list/")
        .max_keys(2)
        .build()
        .unwrap();
    let pages: Vec<_> = c
        .paginate::<oss_proto::generated::ListObjectsV2>(input)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 3, "{ctx}");
    let keys: Vec<String> = pages
        .iter()
        .flat_map(|p| p.contents.iter().map(|o| o.key.clone()))
        .collect();
    assert_eq!(
        keys,
        ["list/0", "list/1", "list/2", "list/3", "list/4"],
        "{ctx}"
    );
    let v1 = c
        .list_objects()
        .bucket(bucket)
        .prefix("list/")
        .send()
        .await
        .unwrap();
    assert_eq!(v1.contents.len(), 5, "{ctx}");

    // Copy, tagging, ACL, symlink.
    c.copy_object()
        .bucket(bucket)
        .key("copy.txt")
        .copy_source(oss_model::CopySource::new(bucket, "list/0"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        &get_bytes(&c, bucket, "copy.txt").await.unwrap()[..],
        b"item 0"
    );
    c.put_object_tagging()
        .bucket(bucket)
        .key("copy.txt")
        .tagging(tagging(&[("k", "v")]))
        .send()
        .await
        .unwrap();
    let tags = c
        .get_object_tagging()
        .bucket(bucket)
        .key("copy.txt")
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tag_set.tags.len(), 1, "{ctx}");
    c.delete_object_tagging()
        .bucket(bucket)
        .key("copy.txt")
        .send()
        .await
        .unwrap();
    c.put_object_acl()
        .bucket(bucket)
        .key("copy.txt")
        .acl(oss_model::ObjectAcl::PublicRead)
        .send()
        .await
        .unwrap();
    c.get_object_acl()
        .bucket(bucket)
        .key("copy.txt")
        .send()
        .await
        .unwrap();
    c.put_symlink()
        .bucket(bucket)
        .key("link")
        .target("copy.txt")
        .send()
        .await
        .unwrap();
    let link = c
        .get_symlink()
        .bucket(bucket)
        .key("link")
        .send()
        .await
        .unwrap();
    assert_eq!(link.target.as_deref(), Some("copy.txt"), "{ctx}");

    // Append: the first append's CRC is checked by the client.
    let first = c
        .append_object()
        .bucket(bucket)
        .key("log")
        .position(0)
        .body("line 1\n")
        .send()
        .await
        .unwrap();
    c.append_object()
        .bucket(bucket)
        .key("log")
        .position(first.next_append_position.unwrap())
        .body("line 2\n")
        .send()
        .await
        .unwrap();
    assert_eq!(
        &get_bytes(&c, bucket, "log").await.unwrap()[..],
        b"line 1\nline 2\n"
    );

    // Multipart.
    let upload = c
        .initiate_multipart_upload()
        .bucket(bucket)
        .key("big")
        .send()
        .await
        .unwrap();
    let part1 = vec![b'a'; 100 * 1024];
    let part2 = b"tail".to_vec();
    let mut parts = Vec::new();
    for (n, part) in [(1i64, part1.clone()), (2, part2.clone())] {
        let out = c
            .upload_part()
            .bucket(bucket)
            .key("big")
            .upload_id(&upload.upload_id)
            .part_number(n)
            .body(part)
            .send()
            .await
            .unwrap();
        parts.push(CompletedPart {
            part_number: n,
            etag: out.etag.unwrap(),
        });
    }
    let listed = c
        .list_parts()
        .bucket(bucket)
        .key("big")
        .upload_id(&upload.upload_id)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.parts.len(), 2, "{ctx}");
    let uploads = c
        .list_multipart_uploads()
        .bucket(bucket)
        .send()
        .await
        .unwrap();
    assert_eq!(uploads.uploads.len(), 1, "{ctx}");
    c.complete_multipart_upload()
        .bucket(bucket)
        .key("big")
        .upload_id(&upload.upload_id)
        .parts(CompleteMultipartUpload { parts })
        .send()
        .await
        .unwrap();
    let mut whole = part1;
    whole.extend_from_slice(&part2);
    assert_eq!(
        get_bytes(&c, bucket, "big").await.unwrap(),
        Bytes::from(whole)
    );
    let aborted = c
        .initiate_multipart_upload()
        .bucket(bucket)
        .key("abandoned")
        .send()
        .await
        .unwrap();
    c.abort_multipart_upload()
        .bucket(bucket)
        .key("abandoned")
        .upload_id(&aborted.upload_id)
        .send()
        .await
        .unwrap();

    // Delete everything, then the bucket.
    let all: Vec<_> = c
        .paginate::<oss_proto::generated::ListObjectsV2>(
            oss_model::ListObjectsV2Input::builder()
                .bucket(bucket)
                .build()
                .unwrap(),
        )
        .try_collect()
        .await
        .unwrap();
    let mut keys: Vec<String> = all
        .iter()
        .flat_map(|p| p.contents.iter().map(|o| o.key.clone()))
        .collect();
    let last = keys.pop().unwrap();
    c.delete_object()
        .bucket(bucket)
        .key(&last)
        .send()
        .await
        .unwrap();
    c.delete_multiple_objects()
        .bucket(bucket)
        .delete(Delete {
            quiet: Some(true),
            objects: keys
                .into_iter()
                .map(|key| ObjectIdentifier {
                    key,
                    version_id: None,
                })
                .collect(),
        })
        .send()
        .await
        .unwrap();
    let rest = c.list_objects_v2().bucket(bucket).send().await.unwrap();
    assert!(rest.contents.is_empty(), "{ctx}: {rest:?}");
    setup.delete_bucket().bucket(bucket).send().await.unwrap();
    assert!(!setup.is_bucket_exist(bucket).await.unwrap(), "{ctx}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_v4_path_style() {
    let emu = emulator(Faults::none());
    exercise(&emu, SignatureVersion::V4, AddressingStyle::Path, "v4-path").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_v4_virtual_hosted() {
    let emu = emulator(Faults::none());
    exercise(
        &emu,
        SignatureVersion::V4,
        AddressingStyle::VirtualHosted,
        "v4-vhost",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_v1_path_style() {
    let emu = emulator(Faults::none());
    exercise(&emu, SignatureVersion::V1, AddressingStyle::Path, "v1-path").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_v1_virtual_hosted() {
    let emu = emulator(Faults::none());
    exercise(
        &emu,
        SignatureVersion::V1,
        AddressingStyle::VirtualHosted,
        "v1-vhost",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_survives_30_percent_503() {
    let emu = emulator(Faults::none().with_5xx_rate(0.3).with_seed(42));
    // Without retries the faults show: some of 20 requests fail with 503.
    let once = Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .endpoint(emu.endpoint())
            .credentials(StaticProvider::from_keys(AK, SK))
            .retry(RetryPolicy::disabled())
            .build()
            .unwrap(),
    );
    let mut failures = 0;
    for _ in 0..20 {
        if let Err(e) = once.list_buckets().send().await {
            assert!(e.status().is_some_and(|s| s.is_server_error()), "{e}");
            failures += 1;
        }
    }
    assert!(failures > 0, "fault injection is active");
    exercise(&emu, SignatureVersion::V4, AddressingStyle::Path, "faulty").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_crc_is_an_integrity_error() {
    let emu = emulator(Faults::none());
    let c = client(&emu, SignatureVersion::V4, AddressingStyle::Path);
    c.put_bucket().bucket("crc").send().await.unwrap();
    c.put_object()
        .bucket("crc")
        .key("k")
        .body("good data")
        .send()
        .await
        .unwrap();
    emu.set_faults(Faults::none().with_wrong_crc());
    let err = c
        .put_object()
        .bucket("crc")
        .key("k2")
        .body("data")
        .send()
        .await
        .unwrap_err();
    assert!(err.is_checksum_mismatch(), "{err}");
    let (_, body) = c.get_object().bucket("crc").key("k").send().await.unwrap();
    let err = body.collect().await.unwrap_err();
    assert!(err.is_checksum_mismatch(), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presigned_get_over_plain_http_and_file_helpers() {
    let emu = emulator(Faults::none());
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("upload.bin");
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&src, &data).unwrap();
    for version in [SignatureVersion::V4, SignatureVersion::V1] {
        let c = client(&emu, version, AddressingStyle::Path);
        let bucket = format!("presign-{}", version.to_string().to_lowercase());
        c.put_bucket().bucket(&bucket).send().await.unwrap();
        c.put_object_from_file(
            oss_model::PutObjectInput::builder()
                .bucket(&bucket)
                .key("file.bin")
                .build()
                .unwrap(),
            &src,
        )
        .await
        .unwrap();
        let dst = dir.path().join(format!("download-{version}.bin"));
        c.get_object_to_file(
            oss_model::GetObjectInput::builder()
                .bucket(&bucket)
                .key("file.bin")
                .build()
                .unwrap(),
            &dst,
        )
        .await
        .unwrap();
        assert_eq!(std::fs::read(&dst).unwrap(), data);

        let input = oss_model::GetObjectInput::builder()
            .bucket(&bucket)
            .key("file.bin")
            .build()
            .unwrap();
        let presigned = c
            .presign::<oss_proto::generated::GetObject>(&input, Duration::from_secs(600))
            .await
            .unwrap();
        let http =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build_http::<http_body_util::Empty<Bytes>>();
        let response = http.get(presigned.url.parse().unwrap()).await.unwrap();
        assert_eq!(response.status(), 200, "{version} {}", presigned.url);
        let body = http_body_util::BodyExt::collect(response.into_body())
            .await
            .unwrap()
            .to_bytes();
        assert_eq!(body.len(), data.len());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_credentials_are_rejected_with_a_typed_error() {
    let emu = emulator(Faults::none());
    let c = Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .endpoint(emu.endpoint())
            .credentials(StaticProvider::from_keys(AK, "wrong-secret"))
            .build()
            .unwrap(),
    );
    let err = c.put_bucket().bucket("nope").send().await.unwrap_err();
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"), "{err}");
    assert!(!err.to_string().contains("wrong-secret"));
}
