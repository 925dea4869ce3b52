//! PostObject: forms built and signed by the client's policy builder, posted by the client
//! (without an `Authorization` header) to the emulator, which checks the signature and every
//! condition.
#![allow(clippy::unwrap_used)]

use oss_client::credentials::StaticProvider;
use oss_client::post_policy::{PostForm, PostPolicy};
use oss_client::{Client, Config, SignatureVersion};
use oss_emulator::{Emulator, EmulatorConfig};
use oss_tests::service_code;
use time::{Duration, OffsetDateTime};

const AK: &str = "post-test-ak";
const SK: &str = "post-test-sk";

fn setup() -> (Emulator, tokio::runtime::Runtime) {
    let emu = Emulator::start(EmulatorConfig::new(AK, SK)).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    (emu, rt)
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

fn in_an_hour() -> OffsetDateTime {
    OffsetDateTime::now_utc() + Duration::hours(1)
}

async fn post(
    client: &Client,
    bucket: &str,
    form: &PostForm,
    name: &str,
    data: &[u8],
) -> Result<oss_model::PostObjectOutput, oss_client::Error> {
    client
        .post_object()
        .bucket(bucket)
        .form(form.encode(name, "text/plain", data.to_vec()))
        .send()
        .await
}

#[test]
fn v4_and_v1_forms_upload_with_their_fields() {
    let (emu, rt) = setup();
    rt.block_on(async {
        for version in [SignatureVersion::V4, SignatureVersion::V1] {
            let c = client(&emu, version);
            let bucket = format!("post-{}", format!("{version:?}").to_lowercase());
            c.put_bucket().bucket(&bucket).send().await.unwrap();
            let policy = PostPolicy::builder(in_an_hour())
                .bucket(&bucket)
                .key_starts_with("user/")
                .content_length_range(1, 100)
                .content_type("text/markdown")
                .meta("owner", "alice")
                .success_action_status(201)
                .build();
            let form = c
                .sign_post_policy(&policy)
                .await
                .unwrap()
                .with_field("key", "user/${filename}")
                .with_field("Cache-Control", "no-store");
            let out = post(&c, &bucket, &form, "notes.md", b"# hi").await.unwrap();
            let doc = out.body.unwrap();
            assert!(doc.contains("<Key>user/notes.md</Key>"), "{doc}");
            assert!(doc.contains(&format!("<Bucket>{bucket}</Bucket>")), "{doc}");
            let (meta, body) = c
                .get_object()
                .bucket(&bucket)
                .key("user/notes.md")
                .send()
                .await
                .unwrap();
            assert_eq!(&body.collect().await.unwrap()[..], b"# hi");
            assert_eq!(meta.content_type.as_deref(), Some("text/markdown"));
            assert_eq!(meta.cache_control.as_deref(), Some("no-store"));
            assert_eq!(
                meta.metadata.get("owner").map(String::as_str),
                Some("alice")
            );
            assert_eq!(out.etag, meta.etag);
        }
    });
}

#[test]
fn conditions_signature_and_expiry_are_enforced() {
    let (emu, rt) = setup();
    rt.block_on(async {
        let c = client(&emu, SignatureVersion::V4);
        c.put_bucket().bucket("strict").send().await.unwrap();
        let policy = PostPolicy::builder(in_an_hour())
            .bucket("strict")
            .key("exact.txt")
            .content_length_range(2, 4)
            .build();
        let form = c.sign_post_policy(&policy).await.unwrap();
        // Default success status: 204, no body.
        let ok = post(&c, "strict", &form, "a", b"abc").await.unwrap();
        assert!(ok.body.unwrap_or_default().is_empty());

        let err = post(&c, "strict", &form, "a", b"abcde").await.unwrap_err();
        assert_eq!(service_code(&err), (400, "EntityTooLarge".into()));
        let err = post(&c, "strict", &form, "a", b"a").await.unwrap_err();
        assert_eq!(service_code(&err), (400, "EntityTooSmall".into()));

        let other_key = form.clone().with_field("key", "other.txt");
        let err = post(&c, "strict", &other_key, "a", b"abc")
            .await
            .unwrap_err();
        assert_eq!(service_code(&err), (403, "AccessDenied".into()));
        assert!(
            err.service_error()
                .unwrap()
                .message
                .contains("Policy Condition failed")
        );

        // The same form posted to another bucket fails the bucket condition.
        c.put_bucket().bucket("elsewhere").send().await.unwrap();
        let err = post(&c, "elsewhere", &form, "a", b"abc").await.unwrap_err();
        assert_eq!(service_code(&err), (403, "AccessDenied".into()));

        // A policy edited after signing no longer matches its signature.
        let loose = PostPolicy::builder(in_an_hour())
            .content_length_range(0, 1 << 20)
            .build();
        let tampered = form.clone().with_field(
            "policy",
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, loose.to_json()),
        );
        let err = post(&c, "strict", &tampered, "a", b"abcde")
            .await
            .unwrap_err();
        assert_eq!(service_code(&err), (403, "SignatureDoesNotMatch".into()));

        // A form signed with another secret is refused too.
        let stranger = PostPolicy::builder(in_an_hour())
            .build()
            .sign(
                &oss_sign::Credentials::new(AK, "not-the-secret"),
                "cn-hangzhou",
                OffsetDateTime::now_utc(),
                SignatureVersion::V4,
            )
            .unwrap()
            .with_field("key", "exact.txt");
        let err = post(&c, "strict", &stranger, "a", b"abc")
            .await
            .unwrap_err();
        assert_eq!(service_code(&err), (403, "SignatureDoesNotMatch".into()));

        let expired = PostPolicy::builder(OffsetDateTime::now_utc() - Duration::minutes(1))
            .key("exact.txt")
            .build();
        let form = c.sign_post_policy(&expired).await.unwrap();
        let err = post(&c, "strict", &form, "a", b"abc").await.unwrap_err();
        assert_eq!(service_code(&err), (403, "AccessDenied".into()));
        assert!(
            err.service_error()
                .unwrap()
                .message
                .contains("Policy expired")
        );
    });
}

#[test]
fn unsigned_forms_need_a_public_read_write_bucket_and_redirects_carry_the_etag() {
    let (emu, rt) = setup();
    rt.block_on(async {
        let c = client(&emu, SignatureVersion::V4);
        c.put_bucket().bucket("open").send().await.unwrap();
        let body = "--B\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nanon.txt\r\n\
--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\n\r\nanonymous\r\n--B--\r\n";
        let send = |c: &Client| {
            c.post_object()
                .bucket("open")
                .content_type("multipart/form-data; boundary=B")
                .body(body)
                .send()
        };
        let err = send(&c).await.unwrap_err();
        assert_eq!(service_code(&err), (403, "AccessDenied".into()));
        c.put_bucket_acl()
            .bucket("open")
            .acl(oss_model::BucketAcl::PublicReadWrite)
            .send()
            .await
            .unwrap();
        send(&c).await.unwrap();
        let (_, data) = c
            .get_object()
            .bucket("open")
            .key("anon.txt")
            .send()
            .await
            .unwrap();
        assert_eq!(&data.collect().await.unwrap()[..], b"anonymous");

        // success_action_redirect: 303 to the URL with bucket, key and etag.
        let raw = format!("{}/open", emu.endpoint());
        let redirect_body = "--B\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nr.txt\r\n\
--B\r\nContent-Disposition: form-data; name=\"success_action_redirect\"\r\n\r\nhttp://app.example/done?x=1\r\n\
--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\n\r\nabc\r\n--B--\r\n";
        let resp = http_post(&raw, "multipart/form-data; boundary=B", redirect_body);
        assert!(resp.starts_with("HTTP/1.1 303"), "{resp}");
        assert!(
            resp.contains(
                "location: http://app.example/done?x=1&bucket=open&key=r.txt&etag=900150983cd24fb0d6963f7d28e17f72"
            ),
            "{resp}"
        );
        // Through the client the 303 is a typed redirect (to another origin: not followed)
        // carrying the Location, and the upload took place.
        let err = c
            .post_object()
            .bucket("open")
            .content_type("multipart/form-data; boundary=B")
            .body(redirect_body.replace("r.txt", "r2.txt"))
            .send()
            .await
            .unwrap_err();
        let redirect = err.redirect().unwrap_or_else(|| panic!("{err}"));
        assert_eq!(redirect.status().as_u16(), 303);
        assert_eq!(redirect.reason(), oss_client::NotFollowed::CrossOrigin);
        // (The ETag's hex digits are compared without case.)
        assert_eq!(
            redirect.location().map(str::to_ascii_lowercase).as_deref(),
            Some(
                "http://app.example/done?x=1&bucket=open&key=r2.txt&etag=900150983cd24fb0d6963f7d28e17f72"
            )
        );
        let (_, data) = c
            .get_object()
            .bucket("open")
            .key("r2.txt")
            .send()
            .await
            .unwrap();
        assert_eq!(&data.collect().await.unwrap()[..], b"abc");
        // A body that is not multipart is malformed.
        let resp = http_post(&raw, "multipart/form-data; boundary=B", "garbage");
        assert!(resp.contains("<Code>MalformedPOSTRequest</Code>"), "{resp}");
    });
}

/// A bare HTTP/1.1 POST (to see the redirect itself): the head, lower-cased, and the body.
fn http_post(url: &str, content_type: &str, body: &str) -> String {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let mut s = std::net::TcpStream::connect(host).unwrap();
    write!(
        s,
        "POST /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let (head, rest) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    format!(
        "{}\r\n\r\n{rest}",
        head.to_ascii_lowercase()
            .replacen("http/1.1", "HTTP/1.1", 1)
    )
}
