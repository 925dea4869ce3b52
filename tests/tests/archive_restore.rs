//! Archive, Cold Archive and Deep Cold Archive objects: unreadable until restored, the
//! `x-oss-restore` state through a restore, CleanRestoredObject, and OSS's errors.
#![allow(clippy::unwrap_used)]

use oss_client::Client;
use oss_emulator::{Emulator, EmulatorConfig};
use oss_model::{RestoreJobParameters, RestoreRequest, RestoreTier, StorageClass};
use oss_tests::{sdk_client, service_code};

const AK: &str = "restore-test-ak";
const SK: &str = "restore-test-sk";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

fn request(days: i64, tier: Option<RestoreTier>) -> RestoreRequest {
    RestoreRequest {
        days,
        job_parameters: tier.map(|tier| RestoreJobParameters { tier }),
    }
}

async fn put(c: &Client, key: &str, class: StorageClass) {
    c.put_object()
        .bucket("cold")
        .key(key)
        .storage_class(class)
        .body("frozen data")
        .send()
        .await
        .unwrap();
}

#[test]
fn restored_objects_are_readable_until_cleaned() {
    let emu = Emulator::start(EmulatorConfig::new(AK, SK)).unwrap();
    let raw = oss_tests::Client::for_addr(emu.addr(), AK, SK);
    runtime().block_on(async {
        let c = sdk_client(&emu);
        c.put_bucket().bucket("cold").send().await.unwrap();
        for (key, class) in [
            ("a", StorageClass::Archive),
            ("c", StorageClass::ColdArchive),
            ("d", StorageClass::DeepColdArchive),
        ] {
            put(&c, key, class).await;
            let err = c
                .get_object()
                .bucket("cold")
                .key(key)
                .send()
                .await
                .unwrap_err();
            assert_eq!(
                service_code(&err),
                (403, "InvalidObjectState".into()),
                "{key}"
            );
            let head = c
                .head_object()
                .bucket("cold")
                .key(key)
                .send()
                .await
                .unwrap();
            assert_eq!(head.restore, None);
            let err = c
                .clean_restored_object()
                .bucket("cold")
                .key(key)
                .send()
                .await
                .unwrap_err();
            assert_eq!(service_code(&err), (409, "ArchiveRestoreFileStale".into()));
            // A frozen object cannot be copied either.
            let err = c
                .copy_object()
                .bucket("cold")
                .key("copy")
                .copy_source(oss_model::CopySource::new("cold", key))
                .send()
                .await
                .unwrap_err();
            assert_eq!(service_code(&err), (403, "InvalidObjectState".into()));

            // First restore: 202; the delay is zero, so it is complete at once.
            let tier = (key != "a").then_some(RestoreTier::Expedited);
            let first = raw
                .post(&format!("/cold/{key}"))
                .subresource("restore")
                .body(restore_xml(2, tier.as_ref()))
                .send();
            assert_eq!(first.status, 202, "{}", first.text());
            if key != "a" {
                assert_eq!(
                    first.header("x-oss-object-restore-priority"),
                    Some("Expedited")
                );
            }
            let head = c
                .head_object()
                .bucket("cold")
                .key(key)
                .send()
                .await
                .unwrap();
            let restore = head.restore.unwrap();
            assert!(
                restore.starts_with("ongoing-request=\"false\", expiry-date=\""),
                "{restore}"
            );
            let (_, body) = c.get_object().bucket("cold").key(key).send().await.unwrap();
            assert_eq!(&body.collect().await.unwrap()[..], b"frozen data");
            // Restoring a restored object extends it: 200.
            let again = raw
                .post(&format!("/cold/{key}"))
                .subresource("restore")
                .body(restore_xml(3, tier.as_ref()))
                .send();
            assert_eq!(again.status, 200, "{}", again.text());

            c.clean_restored_object()
                .bucket("cold")
                .key(key)
                .send()
                .await
                .unwrap();
            let err = c
                .get_object()
                .bucket("cold")
                .key(key)
                .send()
                .await
                .unwrap_err();
            assert_eq!(service_code(&err), (403, "InvalidObjectState".into()));
        }

        // Only archived objects are restored.
        put(&c, "s", StorageClass::Standard).await;
        let err = c
            .restore_object()
            .bucket("cold")
            .key("s")
            .send()
            .await
            .unwrap_err();
        assert_eq!(service_code(&err), (400, "OperationNotSupported".into()));
        // Deep Cold Archive has no Bulk tier; Archive keeps at most 7 days.
        let err = c
            .restore_object()
            .bucket("cold")
            .key("d")
            .restore_request(request(1, Some(RestoreTier::Bulk)))
            .send()
            .await
            .unwrap_err();
        assert_eq!(service_code(&err), (400, "MalformedXML".into()));
        let err = c
            .restore_object()
            .bucket("cold")
            .key("a")
            .restore_request(request(8, None))
            .send()
            .await
            .unwrap_err();
        assert_eq!(service_code(&err), (400, "MalformedXML".into()));
    });
}

#[test]
fn a_restore_in_progress_is_ongoing() {
    let emu = Emulator::start(
        EmulatorConfig::new(AK, SK).restore_delay(std::time::Duration::from_secs(3600)),
    )
    .unwrap();
    runtime().block_on(async {
        let c = sdk_client(&emu);
        c.put_bucket().bucket("cold").send().await.unwrap();
        put(&c, "k", StorageClass::ColdArchive).await;
        let out = c
            .restore_object()
            .bucket("cold")
            .key("k")
            .restore_request(request(1, Some(RestoreTier::Bulk)))
            .send()
            .await
            .unwrap();
        assert_eq!(out.restore_priority.as_deref(), Some("Bulk"));
        let head = c
            .head_object()
            .bucket("cold")
            .key("k")
            .send()
            .await
            .unwrap();
        assert_eq!(head.restore.as_deref(), Some("ongoing-request=\"true\""));
        let err = c
            .get_object()
            .bucket("cold")
            .key("k")
            .send()
            .await
            .unwrap_err();
        assert_eq!(service_code(&err), (403, "InvalidObjectState".into()));
        let err = c
            .restore_object()
            .bucket("cold")
            .key("k")
            .send()
            .await
            .unwrap_err();
        assert_eq!(service_code(&err), (409, "RestoreAlreadyInProgress".into()));
        let err = c
            .clean_restored_object()
            .bucket("cold")
            .key("k")
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            service_code(&err),
            (409, "ArchiveRestoreNotFinished".into())
        );
    });
}

fn restore_xml(days: i64, tier: Option<&RestoreTier>) -> String {
    let job = tier
        .map(|t| format!("<JobParameters><Tier>{}</Tier></JobParameters>", t.as_str()))
        .unwrap_or_default();
    format!("<RestoreRequest><Days>{days}</Days>{job}</RestoreRequest>")
}
