//! The client as a new user meets it, against the emulator: configuration from the environment,
//! presigned URLs finished from any request builder (another endpoint, chosen signed headers,
//! V1 and V4), and typed copy sources for keys that need encoding.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use http::HeaderMap;
use oss_client::credentials::{Environment, StaticProvider};
use oss_client::{
    Client, Config, ConfigBuilder, PresignOptions, PresignedRequest, SignatureVersion,
};
use oss_emulator::{Emulator, EmulatorConfig};
use oss_model::{CompleteMultipartUpload, CompletedPart, CopySource, VersioningConfiguration};
use oss_tests::send_raw;

const AK: &str = "ergonomics-ak";
const SK: &str = "ergonomics-sk";

fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::new(AK, SK).region("cn-hangzhou")).unwrap()
}

fn client(emu: &Emulator, version: SignatureVersion) -> Client {
    Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .endpoint(emu.endpoint())
            .credentials(StaticProvider::from_keys(AK, SK))
            .signature_version(version)
            .build()
            .unwrap(),
    )
}

/// A client whose own endpoint is the region's internal one (never contacted here).
fn internal_client(version: SignatureVersion) -> Client {
    Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .endpoint_kind(oss_client::EndpointKind::Internal)
            .credentials(StaticProvider::from_keys(AK, SK))
            .signature_version(version)
            .build()
            .unwrap(),
    )
}

/// Sends a presigned request to the emulator as a plain HTTP client would: the URL's path and
/// query, its Host (unless `host` overrides it), `headers`, `body`.
fn use_url(
    emu: &Emulator,
    p: &PresignedRequest,
    host: Option<&str>,
    headers: &[(&str, &str)],
    body: &[u8],
) -> oss_tests::Response {
    let rest = p.url.strip_prefix("http://").expect("an http URL");
    let (authority, target) = rest.split_at(rest.find('/').unwrap());
    let mut map = HeaderMap::new();
    for (k, v) in headers {
        map.insert(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            http::HeaderValue::from_str(v).unwrap(),
        );
    }
    send_raw(
        emu.addr(),
        p.method.as_str(),
        target,
        host.unwrap_or(authority),
        &map,
        body,
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn config_from_the_environment_reaches_the_emulator() {
    let emu = emulator();
    let env = Environment::from_pairs([
        ("OSS_REGION", "cn-hangzhou"),
        ("OSS_ENDPOINT", emu.endpoint()),
        ("OSS_ACCESS_KEY_ID", AK),
        ("OSS_ACCESS_KEY_SECRET", SK),
        ("OSS_SIGNATURE_VERSION", "v1"),
        ("OSS_MAX_ATTEMPTS", "2"),
    ]);
    let client = Client::new(
        ConfigBuilder::from_environment(&env)
            .unwrap()
            .build()
            .unwrap(),
    );
    client.put_bucket().bucket("from-env").send().await.unwrap();
    client
        .put_object()
        .bucket("from-env")
        .key("k")
        .body("v")
        .send()
        .await
        .unwrap();
    let (_, body) = client
        .get_object()
        .bucket("from-env")
        .key("k")
        .send()
        .await
        .unwrap();
    assert_eq!(&body.collect().await.unwrap()[..], b"v");

    // Unreadable values are typed errors naming the variable.
    for (name, value) in [
        ("OSS_SIGNATURE_VERSION", "v3"),
        ("OSS_ADDRESSING_STYLE", "sideways"),
        ("OSS_MAX_ATTEMPTS", "0"),
        ("OSS_READ_TIMEOUT", "soon"),
        ("OSS_ENDPOINT_KIND", "private"),
    ] {
        let env = Environment::from_pairs([("OSS_REGION", "cn-hangzhou"), (name, value)]);
        let err = ConfigBuilder::from_environment(&env).unwrap_err();
        assert!(err.to_string().contains(name), "{err}");
    }
    // Without region or endpoint anywhere the error says what to set.
    let err = ConfigBuilder::from_environment(&Environment::from_pairs::<&str, &str>([]))
        .unwrap()
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("region"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn presigned_get_for_another_endpoint_is_accepted() {
    let emu = emulator();
    let setup = client(&emu, SignatureVersion::V4);
    setup
        .put_bucket()
        .bucket("presign-ep")
        .send()
        .await
        .unwrap();
    setup
        .put_object()
        .bucket("presign-ep")
        .key("dir/a b+c.txt")
        .body("payload")
        .send()
        .await
        .unwrap();
    for version in [SignatureVersion::V4, SignatureVersion::V1] {
        let internal = internal_client(version);
        // Without an override the URL names the client's endpoint.
        let own = internal
            .get_object()
            .bucket("presign-ep")
            .key("dir/a b+c.txt")
            .presigned(Duration::from_secs(300))
            .await
            .unwrap();
        assert!(
            own.url.starts_with(
                "https://presign-ep.oss-cn-hangzhou-internal.aliyuncs.com/dir/a%20b%2Bc.txt?"
            ),
            "{}",
            own.url
        );
        let p = internal
            .get_object()
            .bucket("presign-ep")
            .key("dir/a b+c.txt")
            .presigned_with(PresignOptions::new(Duration::from_secs(300)).endpoint(emu.endpoint()))
            .await
            .unwrap();
        assert!(
            p.url
                .starts_with(&format!("{}/presign-ep/", emu.endpoint())),
            "{}",
            p.url
        );
        let r = use_url(&emu, &p, None, &[], b"");
        assert_eq!(r.status, 200, "{version}: {}", r.text());
        assert_eq!(r.body, b"payload");

        // A tampered signature is refused, so the acceptance above is the emulator's verdict.
        let mut bad = p.clone();
        bad.url = bad.url.replace("presign-ep/dir", "presign-ep/dix");
        assert_eq!(use_url(&emu, &bad, None, &[], b"").status, 403, "{version}");
    }

    // V4 with `host` signed: the URL only works on the host it was made for.
    let p = internal_client(SignatureVersion::V4)
        .get_object()
        .bucket("presign-ep")
        .key("dir/a b+c.txt")
        .presigned_with(
            PresignOptions::new(Duration::from_secs(300))
                .endpoint(emu.endpoint())
                .additional_header("host"),
        )
        .await
        .unwrap();
    assert!(p.url.contains("x-oss-additional-headers=host"), "{}", p.url);
    assert_eq!(use_url(&emu, &p, None, &[], b"").status, 200);
    let moved = use_url(&emu, &p, Some("elsewhere.example.com"), &[], b"");
    assert_eq!(moved.status, 403, "{}", moved.text());
}

#[tokio::test(flavor = "multi_thread")]
async fn presigned_put_with_the_browsers_content_type() {
    let emu = emulator();
    let setup = client(&emu, SignatureVersion::V4);
    setup
        .put_bucket()
        .bucket("presign-put")
        .send()
        .await
        .unwrap();
    for version in [SignatureVersion::V4, SignatureVersion::V1] {
        let key = format!("upload-{version}.png");
        let p = client(&emu, version)
            .put_object()
            .bucket("presign-put")
            .key(&key)
            .presigned_with(
                PresignOptions::new(Duration::from_secs(300)).header("Content-Type", "image/png"),
            )
            .await
            .unwrap();
        assert_eq!(p.method, http::Method::PUT);
        assert!(
            p.signed_headers
                .iter()
                .any(|(k, v)| k.eq_ignore_ascii_case("content-type") && v == "image/png"),
            "{:?}",
            p.signed_headers
        );
        // The browser's own Content-Type, signed: accepted.
        let ok = use_url(&emu, &p, None, &[("content-type", "image/png")], b"\x89PNG");
        assert_eq!(ok.status, 200, "{version}: {}", ok.text());
        // Another Content-Type than the signed one: refused.
        let other = use_url(&emu, &p, None, &[("content-type", "text/html")], b"<html>");
        assert_eq!(other.status, 403, "{version}: {}", other.text());
        assert_eq!(other.code().as_deref(), Some("SignatureDoesNotMatch"));

        let meta = setup
            .head_object()
            .bucket("presign-put")
            .key(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(meta.content_type.as_deref(), Some("image/png"));
        assert_eq!(meta.content_length, Some(4));
    }
}

const AWKWARD_KEYS: &[&str] = &[
    "with space.txt",
    "plus+sign.txt",
    "question?mark.txt",
    "unicode/中文-ключ-🎉.txt",
    "all of them + ? 中 %41 &=#.txt",
];

#[tokio::test(flavor = "multi_thread")]
async fn copies_from_keys_that_need_encoding() {
    let emu = emulator();
    let c = client(&emu, SignatureVersion::V4);
    c.put_bucket().bucket("copy-src").send().await.unwrap();
    c.put_bucket().bucket("copy-dst").send().await.unwrap();
    for (i, key) in AWKWARD_KEYS.iter().enumerate() {
        let data = format!("object {i}: {key}");
        c.put_object()
            .bucket("copy-src")
            .key(*key)
            .body(data.clone())
            .send()
            .await
            .unwrap();
        // CopyObject across buckets, same awkward key on the other side.
        c.copy_object()
            .bucket("copy-dst")
            .key(*key)
            .copy_source(CopySource::new("copy-src", *key))
            .send()
            .await
            .unwrap();
        let (_, body) = c
            .get_object()
            .bucket("copy-dst")
            .key(*key)
            .send()
            .await
            .unwrap();
        assert_eq!(body.collect().await.unwrap(), data.as_bytes(), "{key}");

        // UploadPartCopy from the same source.
        let dest = format!("parts/{key}");
        let upload = c
            .initiate_multipart_upload()
            .bucket("copy-dst")
            .key(&dest)
            .send()
            .await
            .unwrap();
        let part = c
            .upload_part_copy()
            .bucket("copy-dst")
            .key(&dest)
            .upload_id(&upload.upload_id)
            .part_number(1)
            .copy_source(CopySource::new("copy-src", *key))
            .send()
            .await
            .unwrap();
        c.complete_multipart_upload()
            .bucket("copy-dst")
            .key(&dest)
            .upload_id(&upload.upload_id)
            .parts(CompleteMultipartUpload {
                parts: vec![CompletedPart {
                    part_number: 1,
                    etag: part.etag.clone().unwrap_or_default(),
                }],
            })
            .send()
            .await
            .unwrap();
        let (_, body) = c
            .get_object()
            .bucket("copy-dst")
            .key(&dest)
            .send()
            .await
            .unwrap();
        assert_eq!(body.collect().await.unwrap(), data.as_bytes(), "{dest}");
    }
    // A key that does not exist (the encoded form of an existing one, taken literally) is a
    // NoSuchKey, not a copy of the wrong object.
    let err = c
        .copy_object()
        .bucket("copy-dst")
        .key("x")
        .copy_source(CopySource::new("copy-src", "with%20space.txt"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchKey"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn copies_a_chosen_version() {
    let emu = emulator();
    let c = client(&emu, SignatureVersion::V4);
    c.put_bucket().bucket("copy-ver").send().await.unwrap();
    c.put_bucket_versioning()
        .bucket("copy-ver")
        .configuration(VersioningConfiguration {
            status: Some(oss_model::VersioningStatus::Enabled),
        })
        .send()
        .await
        .unwrap();
    let key = "v?ersioned + key.txt";
    let first = c
        .put_object()
        .bucket("copy-ver")
        .key(key)
        .body("first")
        .send()
        .await
        .unwrap();
    c.put_object()
        .bucket("copy-ver")
        .key(key)
        .body("second")
        .send()
        .await
        .unwrap();
    let version = first.version_id.expect("a version id");
    c.copy_object()
        .bucket("copy-ver")
        .key("restored.txt")
        .copy_source(CopySource::new("copy-ver", key).version_id(version))
        .send()
        .await
        .unwrap();
    let (_, body) = c
        .get_object()
        .bucket("copy-ver")
        .key("restored.txt")
        .send()
        .await
        .unwrap();
    assert_eq!(&body.collect().await.unwrap()[..], b"first");
}
