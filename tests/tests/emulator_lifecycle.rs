//! The emulator's lifecycle pass (`Emulator::run_lifecycle` at a time the test hands in, and
//! `--lifecycle-interval`): each rule kind has an affected object and an unaffected one
//! (another prefix, a missing tag, a `Not` exclusion, a disabled rule, a time not yet due).
// Helpers shared by the tests (not `#[test]` functions themselves) unwrap too.
#![allow(clippy::unwrap_used)]

use std::time::Duration as StdDuration;

use oss_tests::{Client, Response, Spawned, start_emulator};
use time::{Duration, OffsetDateTime};

fn ok(r: Response) -> Response {
    assert!(r.status < 300, "{} {}", r.status, r.text());
    r
}

fn put_lifecycle(owner: &Client, bucket: &str, rules: &str) {
    ok(owner
        .put(&format!("/{bucket}"))
        .subresource("lifecycle")
        .body_with_md5(format!(
            "<LifecycleConfiguration>{rules}</LifecycleConfiguration>"
        ))
        .send());
}

fn put(owner: &Client, bucket: &str, key: &str) -> Response {
    ok(owner.put(&format!("/{bucket}/{key}")).body(key).send())
}

fn status(owner: &Client, bucket: &str, key: &str) -> u16 {
    owner.get(&format!("/{bucket}/{key}")).send().status
}

fn days(n: i64) -> OffsetDateTime {
    OffsetDateTime::now_utc() + Duration::days(n)
}

#[test]
fn expiration_deletes_what_enabled_rules_select() {
    let emu = start_emulator();
    let owner = Client::new(&emu);
    ok(owner.put("/lc-expire").send());
    put_lifecycle(
        &owner,
        "lc-expire",
        "<Rule><ID>logs</ID><Prefix>logs/</Prefix><Status>Enabled</Status>\
           <Filter><Not><Prefix>logs/keep/</Prefix></Not></Filter>\
           <Expiration><Days>30</Days></Expiration></Rule>\
         <Rule><ID>off</ID><Prefix>off/</Prefix><Status>Disabled</Status>\
           <Expiration><Days>1</Days></Expiration></Rule>\
         <Rule><ID>tagged</ID><Prefix>tagged/</Prefix><Status>Enabled</Status>\
           <Tag><Key>stage</Key><Value>tmp</Value></Tag>\
           <Expiration><CreatedBeforeDate>2100-01-01T00:00:00.000Z</CreatedBeforeDate></Expiration></Rule>",
    );
    for key in ["logs/a", "logs/keep/b", "off/c", "other/d"] {
        put(&owner, "lc-expire", key);
    }
    ok(owner
        .put("/lc-expire/tagged/tmp")
        .header("x-oss-tagging", "stage=tmp")
        .body("t")
        .send());
    ok(owner
        .put("/lc-expire/tagged/final")
        .header("x-oss-tagging", "stage=final")
        .body("t")
        .send());

    // Day 1: only the date rule is due, and only for the object with its tag.
    let report = emu.run_lifecycle(days(1)).unwrap();
    assert_eq!(report.expired, 1, "{report:?}");
    assert_eq!(status(&owner, "lc-expire", "tagged/tmp"), 404);
    assert_eq!(status(&owner, "lc-expire", "tagged/final"), 200);
    assert_eq!(status(&owner, "lc-expire", "logs/a"), 200, "not due yet");

    // Day 31: the 30-day rule expires logs/a, not the excluded prefix; the disabled rule and
    // unmatched keys do nothing.
    let report = emu.run_lifecycle(days(31)).unwrap();
    assert_eq!(report.expired, 1, "{report:?}");
    assert_eq!(status(&owner, "lc-expire", "logs/a"), 404);
    for key in ["logs/keep/b", "off/c", "other/d", "tagged/final"] {
        assert_eq!(status(&owner, "lc-expire", key), 200, "{key}");
    }
    // Nothing left to do.
    let report = emu.run_lifecycle(days(31)).unwrap();
    assert_eq!(report, oss_emulator::LifecycleReport::default());
}

#[test]
fn versioned_buckets_get_delete_markers_then_lose_previous_versions() {
    let emu = start_emulator();
    let owner = Client::new(&emu);
    ok(owner.put("/lc-versions").send());
    ok(owner
        .put("/lc-versions")
        .subresource("versioning")
        .body_with_md5(
            "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>",
        )
        .send());
    put_lifecycle(
        &owner,
        "lc-versions",
        "<Rule><ID>expire</ID><Prefix>v/</Prefix><Status>Enabled</Status>\
           <Expiration><Days>10</Days></Expiration>\
           <NoncurrentVersionExpiration><NoncurrentDays>5</NoncurrentDays></NoncurrentVersionExpiration></Rule>\
         <Rule><ID>markers</ID><Prefix>v/</Prefix><Status>Enabled</Status>\
           <Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule>",
    );
    let first = put(&owner, "lc-versions", "v/a");
    let version = first.header("x-oss-version-id").unwrap().to_owned();
    put(&owner, "lc-versions", "w/b");

    // Day 11: v/a expires: a delete marker hides it, the version stays.
    let report = emu.run_lifecycle(days(11)).unwrap();
    assert_eq!(
        (report.expired, report.noncurrent_expired),
        (1, 0),
        "{report:?}"
    );
    let r = owner.get("/lc-versions/v/a").send();
    assert_eq!(r.status, 404, "{}", r.text());
    assert_eq!(r.header("x-oss-delete-marker"), Some("true"));
    let old = owner
        .get("/lc-versions/v/a")
        .query("versionId", Some(version.as_str()))
        .send();
    assert_eq!((old.status, old.text()), (200, "v/a".to_owned()));
    assert_eq!(status(&owner, "lc-versions", "w/b"), 200, "other prefix");

    // Day 15: the version has been previous for 4 days only.
    let report = emu.run_lifecycle(days(15)).unwrap();
    assert_eq!(report.noncurrent_expired, 0, "{report:?}");

    // Day 17: previous for 6 days: deleted; the marker is then the only version.
    let report = emu.run_lifecycle(days(17)).unwrap();
    assert_eq!(report.noncurrent_expired, 1, "{report:?}");
    let gone = owner
        .get("/lc-versions/v/a")
        .query("versionId", Some(version.as_str()))
        .send();
    assert_eq!(gone.status, 404, "{}", gone.text());
    let versions = ok(owner.get("/lc-versions").subresource("versions").send());
    assert_eq!(
        versions.xml_all("Key"),
        vec!["v/a".to_owned(), "w/b".to_owned()],
        "{}",
        versions.text()
    );

    // The next pass removes the expired delete marker.
    let report = emu.run_lifecycle(days(17)).unwrap();
    assert_eq!(report.delete_markers_removed, 1, "{report:?}");
    let versions = ok(owner.get("/lc-versions").subresource("versions").send());
    assert_eq!(
        versions.xml_all("Key"),
        vec!["w/b".to_owned()],
        "{}",
        versions.text()
    );
}

#[test]
fn transitions_move_to_colder_classes_and_old_uploads_are_aborted() {
    let emu = start_emulator();
    let owner = Client::new(&emu);
    ok(owner.put("/lc-cold").send());
    put_lifecycle(
        &owner,
        "lc-cold",
        "<Rule><ID>cold</ID><Prefix>cold/</Prefix><Status>Enabled</Status>\
           <Filter><ObjectSizeGreaterThan>3</ObjectSizeGreaterThan></Filter>\
           <Transition><Days>30</Days><StorageClass>IA</StorageClass></Transition>\
           <Transition><Days>60</Days><StorageClass>Archive</StorageClass></Transition></Rule>\
         <Rule><ID>uploads</ID><Prefix>up/</Prefix><Status>Enabled</Status>\
           <AbortMultipartUpload><Days>7</Days></AbortMultipartUpload></Rule>",
    );
    put(&owner, "lc-cold", "cold/big");
    ok(owner.put("/lc-cold/cold/s").body("s").send());
    let class = |key: &str| {
        let r = ok(owner.head(&format!("/lc-cold/{key}")).send());
        r.header("x-oss-storage-class").unwrap_or("").to_owned()
    };
    assert_eq!(class("cold/big"), "Standard");

    let report = emu.run_lifecycle(days(31)).unwrap();
    assert_eq!(report.transitioned, 1, "{report:?}");
    assert_eq!(class("cold/big"), "IA");
    assert_eq!(class("cold/s"), "Standard", "below the size filter");
    let report = emu.run_lifecycle(days(61)).unwrap();
    assert_eq!(report.transitioned, 1, "{report:?}");
    assert_eq!(class("cold/big"), "Archive");
    assert_eq!(class("cold/s"), "Standard");
    // Archived: reading it now needs a restore, as for any archived object.
    let r = owner.get("/lc-cold/cold/big").send();
    assert_eq!(
        (r.status, r.code()),
        (403, Some("InvalidObjectState".to_owned())),
        "{}",
        r.text()
    );

    let initiate = |key: &str| {
        let r = ok(owner
            .post(&format!("/lc-cold/{key}"))
            .subresource("uploads")
            .send());
        r.xml("UploadId").unwrap()
    };
    let old = initiate("up/x");
    let other = initiate("keep/y");
    let report = emu.run_lifecycle(days(6)).unwrap();
    assert_eq!(report.uploads_aborted, 0, "{report:?}");
    let report = emu.run_lifecycle(days(8)).unwrap();
    assert_eq!(report.uploads_aborted, 1, "{report:?}");
    let uploads = ok(owner.get("/lc-cold").subresource("uploads").send());
    assert_eq!(
        uploads.xml_all("UploadId"),
        vec![other],
        "{}",
        uploads.text()
    );
    let r = owner
        .get("/lc-cold/up/x")
        .query("uploadId", Some(old.as_str()))
        .send();
    assert_eq!(
        (r.status, r.code()),
        (404, Some("NoSuchUpload".to_owned())),
        "{}",
        r.text()
    );
}

#[test]
fn the_lifecycle_interval_flag_runs_passes_on_the_clock() {
    let emu = Spawned::start(&[
        "--addr",
        "127.0.0.1:0",
        "--access-key-id",
        oss_tests::ACCESS_KEY_ID,
        "--access-key-secret",
        oss_tests::ACCESS_KEY_SECRET,
        "--lifecycle-interval",
        "1",
    ]);
    let owner = emu.client();
    ok(owner.put("/lc-clock").send());
    put(&owner, "lc-clock", "old/a");
    put(&owner, "lc-clock", "new/b");
    put_lifecycle(
        &owner,
        "lc-clock",
        "<Rule><ID>old</ID><Prefix>old/</Prefix><Status>Enabled</Status>\
           <Expiration><CreatedBeforeDate>2100-01-01T00:00:00.000Z</CreatedBeforeDate></Expiration></Rule>",
    );
    let mut waited = 0;
    while status(&owner, "lc-clock", "old/a") == 200 {
        assert!(waited < 100, "old/a did not expire within 10 s");
        std::thread::sleep(StdDuration::from_millis(100));
        waited += 1;
    }
    assert_eq!(status(&owner, "lc-clock", "old/a"), 404);
    assert_eq!(status(&owner, "lc-clock", "new/b"), 200);
}

#[test]
fn the_parser_knows_the_lifecycle_interval() {
    let args = |v: &str| {
        oss_emulator::EmulatorConfig::from_args(
            [
                "--access-key-id",
                "ak",
                "--access-key-secret",
                "sk",
                "--lifecycle-interval",
                v,
            ]
            .map(str::to_owned),
        )
    };
    assert!(args("60").is_ok());
    assert!(args("0").is_err());
    assert!(args("soon").is_err());
}
