//! Our client against the emulator for the stateful bucket- and account-level families the
//! emulator serves with hand-written handlers: bucket WORM (states, ids, errors, and
//! `FileImmutable` enforcement), object retention and legal hold, replication, CNAME, image
//! styles, the OSS accelerator, redundancy transition, anti-DDoS, DescribeRegions,
//! ListCloudBoxes, ListBucketInventory and metadata configuration; and that their state
//! survives a restart with a data directory.
// Helpers shared by the tests (not `#[test]` functions themselves) unwrap too.
#![allow(clippy::unwrap_used)]

use oss_tests::sdk_client_one_attempt;

use oss_client::Client;
use oss_emulator::{Emulator, EmulatorConfig};
use oss_model as m;
use time::OffsetDateTime;

const AK: &str = "families-a-ak";
const SK: &str = "families-a-sk";

fn emulator(config: EmulatorConfig) -> Emulator {
    Emulator::start(config.region("cn-hangzhou")).expect("emulator starts")
}

async fn setup() -> (Emulator, Client) {
    let emu = emulator(EmulatorConfig::new(AK, SK));
    let c = sdk_client_one_attempt(&emu);
    (emu, c)
}

async fn bucket(c: &Client, name: &str) {
    c.put_bucket().bucket(name).send().await.unwrap();
}

/// The service error code and HTTP status of a failed call.
fn failure<T: std::fmt::Debug>(r: Result<T, oss_client::Error>) -> (String, u16) {
    let err = r.expect_err("the call fails");
    (
        err.code().unwrap_or("<none>").to_owned(),
        err.status().map_or(0, |s| s.as_u16()),
    )
}

fn expect_error<T: std::fmt::Debug>(r: Result<T, oss_client::Error>, code: &str, status: u16) {
    assert_eq!(failure(r), (code.to_owned(), status));
}

async fn put(c: &Client, b: &str, key: &str, data: &'static str) -> Option<String> {
    c.put_object()
        .bucket(b)
        .key(key)
        .body(bytes::Bytes::from_static(data.as_bytes()))
        .send()
        .await
        .unwrap()
        .version_id
}

async fn enable_versioning(c: &Client, b: &str) {
    c.put_bucket_versioning()
        .bucket(b)
        .configuration(m::VersioningConfiguration {
            status: Some(m::VersioningStatus::Enabled),
        })
        .send()
        .await
        .unwrap();
}

// ------------------------------------------------------------------------------ bucket WORM

#[tokio::test]
async fn bucket_worm_goes_from_in_progress_to_locked_and_only_extends() {
    let (_emu, c) = setup().await;
    bucket(&c, "worm").await;
    let get = || c.get_bucket_worm().bucket("worm").send();
    expect_error(get().await, "NoSuchWORMConfiguration", 404);
    expect_error(
        c.abort_bucket_worm().bucket("worm").send().await,
        "NoSuchWORMConfiguration",
        404,
    );
    expect_error(
        c.initiate_bucket_worm()
            .bucket("worm")
            .body(m::InitiateWormConfiguration {
                retention_period_in_days: 0,
            })
            .send()
            .await,
        "InvalidArgument",
        400,
    );

    let init = |days| {
        c.initiate_bucket_worm()
            .bucket("worm")
            .body(m::InitiateWormConfiguration {
                retention_period_in_days: days,
            })
            .send()
    };
    let first = init(3).await.unwrap().worm_id.expect("a worm id");
    let got = get().await.unwrap();
    assert_eq!(got.worm_id.as_deref(), Some(first.as_str()));
    assert_eq!(got.state, Some(m::BucketWormState::InProgress));
    assert_eq!(got.retention_period_in_days, Some(3));
    let created = got.creation_date.expect("a creation date");
    let expires = got.expiration_date.expect("an expiration date");
    assert_eq!(created.len(), "2020-10-15T15:50:32".len(), "{created}");
    assert!(expires > created, "{created} .. {expires}");
    // A second policy while one is in progress is refused.
    expect_error(init(5).await, "InvalidWORMState", 409);
    // An unlocked policy cannot be extended; a wrong id names no policy.
    let extend = |id: &str, days| {
        c.extend_bucket_worm()
            .bucket("worm")
            .worm_id(id)
            .body(m::ExtendWormConfiguration {
                retention_period_in_days: days,
            })
            .send()
    };
    expect_error(extend(&first, 10).await, "InvalidWORMState", 409);
    expect_error(extend("nope", 10).await, "NoSuchWORMConfiguration", 404);
    expect_error(
        c.complete_bucket_worm()
            .bucket("worm")
            .worm_id("nope")
            .send()
            .await,
        "NoSuchWORMConfiguration",
        404,
    );

    // Abort the unlocked policy; a new one gets a new id.
    c.abort_bucket_worm().bucket("worm").send().await.unwrap();
    expect_error(get().await, "NoSuchWORMConfiguration", 404);
    let second = init(1).await.unwrap().worm_id.unwrap();
    assert_ne!(second, first);
    c.complete_bucket_worm()
        .bucket("worm")
        .worm_id(&second)
        .send()
        .await
        .unwrap();
    let got = get().await.unwrap();
    assert_eq!(got.state, Some(m::BucketWormState::Locked));
    assert_eq!(got.worm_id.as_deref(), Some(second.as_str()));
    assert_eq!(got.retention_period_in_days, Some(1));
    expect_error(
        c.complete_bucket_worm()
            .bucket("worm")
            .worm_id(&second)
            .send()
            .await,
        "InvalidWORMState",
        409,
    );
    expect_error(
        c.abort_bucket_worm().bucket("worm").send().await,
        "InvalidWORMState",
        409,
    );
    // Only longer periods.
    expect_error(extend(&second, 1).await, "InvalidArgument", 400);
    extend(&second, 30).await.unwrap();
    assert_eq!(get().await.unwrap().retention_period_in_days, Some(30));
    expect_error(extend(&second, 25_551).await, "InvalidArgument", 400);
}

#[tokio::test]
async fn a_locked_worm_refuses_deletes_and_overwrites_an_unlocked_one_does_not() {
    let (_emu, c) = setup().await;
    bucket(&c, "guarded").await;
    put(&c, "guarded", "early", "a").await;
    let id = c
        .initiate_bucket_worm()
        .bucket("guarded")
        .body(m::InitiateWormConfiguration {
            retention_period_in_days: 1,
        })
        .send()
        .await
        .unwrap()
        .worm_id
        .unwrap();
    // InProgress: objects can still be overwritten and deleted.
    put(&c, "guarded", "early", "b").await;
    c.delete_object()
        .bucket("guarded")
        .key("early")
        .send()
        .await
        .unwrap();
    c.complete_bucket_worm()
        .bucket("guarded")
        .worm_id(&id)
        .send()
        .await
        .unwrap();
    // Locked: a new key can be written and read...
    put(&c, "guarded", "kept", "one").await;
    let (_, body) = c
        .get_object()
        .bucket("guarded")
        .key("kept")
        .send()
        .await
        .unwrap();
    assert_eq!(body.collect().await.unwrap().as_ref(), b"one");
    // ...but not deleted, overwritten, copied over or batch-deleted.
    expect_error(
        c.delete_object().bucket("guarded").key("kept").send().await,
        "FileImmutable",
        409,
    );
    expect_error(
        c.put_object()
            .bucket("guarded")
            .key("kept")
            .body(bytes::Bytes::from_static(b"two"))
            .send()
            .await,
        "FileImmutable",
        409,
    );
    expect_error(
        c.copy_object()
            .bucket("guarded")
            .key("kept")
            .copy_source(("guarded", "kept"))
            .send()
            .await,
        "FileImmutable",
        409,
    );
    expect_error(
        c.delete_multiple_objects()
            .bucket("guarded")
            .delete(m::Delete {
                quiet: None,
                objects: vec![m::ObjectIdentifier {
                    key: "kept".into(),
                    version_id: None,
                }],
            })
            .send()
            .await,
        "FileImmutable",
        409,
    );
    let (_, body) = c
        .get_object()
        .bucket("guarded")
        .key("kept")
        .send()
        .await
        .unwrap();
    assert_eq!(body.collect().await.unwrap().as_ref(), b"one");
}

// ----------------------------------------------------------- object retention and legal hold

async fn object_worm_bucket(c: &Client, b: &str) {
    bucket(c, b).await;
    enable_versioning(c, b).await;
    c.put_bucket_object_worm_configuration()
        .bucket(b)
        .body(m::ObjectWormConfiguration {
            object_worm_enabled: Some("Enabled".into()),
            rule: None,
        })
        .send()
        .await
        .unwrap();
}

fn in_days(days: i64) -> OffsetDateTime {
    let t = OffsetDateTime::now_utc() + time::Duration::days(days);
    t.replace_nanosecond(0).unwrap()
}

#[tokio::test]
async fn object_retention_and_legal_hold_round_trip_and_guard_versions() {
    let (_emu, c) = setup().await;
    bucket(&c, "plain").await;
    put(&c, "plain", "k", "x").await;
    expect_error(
        c.get_object_legal_hold()
            .bucket("plain")
            .key("k")
            .send()
            .await,
        "InvalidRequest",
        400,
    );

    object_worm_bucket(&c, "held").await;
    expect_error(
        c.get_object_retention()
            .bucket("held")
            .key("missing")
            .send()
            .await,
        "NoSuchKey",
        404,
    );
    let v1 = put(&c, "held", "doc", "v1").await.expect("a version id");
    // Never set: no retention, hold OFF.
    let r = c
        .get_object_retention()
        .bucket("held")
        .key("doc")
        .send()
        .await
        .unwrap();
    assert_eq!((r.mode, r.retain_until_date), (None, None));
    let h = c
        .get_object_legal_hold()
        .bucket("held")
        .key("doc")
        .send()
        .await
        .unwrap();
    assert_eq!(h.status, Some(m::ObjectLegalHoldStatus::Off));

    // Legal hold ON: the version cannot be deleted; a delete marker can still be added.
    c.put_object_legal_hold()
        .bucket("held")
        .key("doc")
        .body(m::ObjectLegalHold {
            status: Some(m::ObjectLegalHoldStatus::On),
        })
        .send()
        .await
        .unwrap();
    let h = c
        .get_object_legal_hold()
        .bucket("held")
        .key("doc")
        .version_id(&v1)
        .send()
        .await
        .unwrap();
    assert_eq!(h.status, Some(m::ObjectLegalHoldStatus::On));
    expect_error(
        c.delete_object()
            .bucket("held")
            .key("doc")
            .version_id(&v1)
            .send()
            .await,
        "FileImmutable",
        409,
    );
    c.put_object_legal_hold()
        .bucket("held")
        .key("doc")
        .version_id(&v1)
        .body(m::ObjectLegalHold {
            status: Some(m::ObjectLegalHoldStatus::Off),
        })
        .send()
        .await
        .unwrap();

    // GOVERNANCE retention: round trip; cannot be shortened or bypassed without the header.
    let until = in_days(2);
    let retention = |mode, until| m::ObjectRetention {
        mode: Some(mode),
        retain_until_date: Some(until),
    };
    c.put_object_retention()
        .bucket("held")
        .key("doc")
        .version_id(&v1)
        .body(retention(m::ObjectWormMode::Governance, until))
        .send()
        .await
        .unwrap();
    let r = c
        .get_object_retention()
        .bucket("held")
        .key("doc")
        .version_id(&v1)
        .send()
        .await
        .unwrap();
    assert_eq!(r.mode, Some(m::ObjectWormMode::Governance));
    assert_eq!(r.retain_until_date, Some(until));
    expect_error(
        c.put_object_retention()
            .bucket("held")
            .key("doc")
            .version_id(&v1)
            .body(retention(m::ObjectWormMode::Governance, in_days(1)))
            .send()
            .await,
        "AccessDenied",
        403,
    );
    expect_error(
        c.put_object_retention()
            .bucket("held")
            .key("doc")
            .body(retention(
                m::ObjectWormMode::Governance,
                OffsetDateTime::now_utc() - time::Duration::hours(1),
            ))
            .send()
            .await,
        "InvalidArgument",
        400,
    );
    expect_error(
        c.delete_object()
            .bucket("held")
            .key("doc")
            .version_id(&v1)
            .send()
            .await,
        "FileImmutable",
        409,
    );
    c.delete_object()
        .bucket("held")
        .key("doc")
        .version_id(&v1)
        .bypass_governance_retention(true)
        .send()
        .await
        .unwrap();
    expect_error(
        c.get_object()
            .bucket("held")
            .key("doc")
            .version_id(&v1)
            .send()
            .await,
        "NoSuchVersion",
        404,
    );

    // COMPLIANCE: not even the bypass header removes the version or shortens the date.
    let v2 = put(&c, "held", "doc", "v2").await.unwrap();
    c.put_object_retention()
        .bucket("held")
        .key("doc")
        .body(retention(m::ObjectWormMode::Compliance, in_days(3)))
        .send()
        .await
        .unwrap();
    expect_error(
        c.put_object_retention()
            .bucket("held")
            .key("doc")
            .version_id(&v2)
            .bypass_governance_retention(true)
            .body(retention(m::ObjectWormMode::Compliance, in_days(1)))
            .send()
            .await,
        "AccessDenied",
        403,
    );
    expect_error(
        c.delete_object()
            .bucket("held")
            .key("doc")
            .version_id(&v2)
            .bypass_governance_retention(true)
            .send()
            .await,
        "FileImmutable",
        409,
    );
    // Extending is allowed.
    c.put_object_retention()
        .bucket("held")
        .key("doc")
        .version_id(&v2)
        .body(retention(m::ObjectWormMode::Compliance, in_days(10)))
        .send()
        .await
        .unwrap();
    // A delete without a version id only adds a delete marker.
    let out = c
        .delete_object()
        .bucket("held")
        .key("doc")
        .send()
        .await
        .unwrap();
    assert_eq!(out.delete_marker, Some(true));
}

#[tokio::test]
async fn uploads_get_the_retention_their_headers_or_the_bucket_default_give() {
    let (_emu, c) = setup().await;
    bucket(&c, "no-worm").await;
    expect_error(
        c.put_object()
            .bucket("no-worm")
            .key("k")
            .object_worm_mode(m::ObjectWormMode::Compliance)
            .object_worm_retain_until_date("2999-01-01T00:00:00.000Z")
            .body(bytes::Bytes::from_static(b"x"))
            .send()
            .await,
        "InvalidRequest",
        400,
    );
    object_worm_bucket(&c, "dflt").await;
    // No default rule yet: a plain upload has no retention.
    put(&c, "dflt", "plain", "p").await;
    let r = c
        .get_object_retention()
        .bucket("dflt")
        .key("plain")
        .send()
        .await
        .unwrap();
    assert_eq!((r.mode, r.retain_until_date), (None, None));
    // Headers give the retention of the new version.
    let until = in_days(5);
    let v = c
        .put_object()
        .bucket("dflt")
        .key("headed")
        .object_worm_mode(m::ObjectWormMode::Compliance)
        .object_worm_retain_until_date(
            until
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap(),
        )
        .body(bytes::Bytes::from_static(b"h"))
        .send()
        .await
        .unwrap()
        .version_id
        .unwrap();
    let r = c
        .get_object_retention()
        .bucket("dflt")
        .key("headed")
        .send()
        .await
        .unwrap();
    assert_eq!(r.mode, Some(m::ObjectWormMode::Compliance));
    assert_eq!(r.retain_until_date, Some(until));
    expect_error(
        c.delete_object()
            .bucket("dflt")
            .key("headed")
            .version_id(&v)
            .send()
            .await,
        "FileImmutable",
        409,
    );
    expect_error(
        c.put_object()
            .bucket("dflt")
            .key("bad")
            .object_worm_mode(m::ObjectWormMode::Unknown("FOREVER".into()))
            .object_worm_retain_until_date("2999-01-01T00:00:00.000Z")
            .body(bytes::Bytes::from_static(b"x"))
            .send()
            .await,
        "InvalidArgument",
        400,
    );
    // The bucket's default retention applies to later uploads.
    c.put_bucket_object_worm_configuration()
        .bucket("dflt")
        .body(m::ObjectWormConfiguration {
            object_worm_enabled: Some("Enabled".into()),
            rule: Some(m::ObjectWormRule {
                default_retention: Some(m::ObjectWormDefaultRetention {
                    mode: Some(m::ObjectWormMode::Governance),
                    days: Some(2),
                    years: None,
                }),
            }),
        })
        .send()
        .await
        .unwrap();
    let before = OffsetDateTime::now_utc();
    put(&c, "dflt", "later", "l").await;
    let r = c
        .get_object_retention()
        .bucket("dflt")
        .key("later")
        .send()
        .await
        .unwrap();
    assert_eq!(r.mode, Some(m::ObjectWormMode::Governance));
    let date = r.retain_until_date.expect("a default retention");
    let expected = before + time::Duration::days(2);
    assert!(
        (date - expected).abs() < time::Duration::seconds(5),
        "{date} vs {expected}"
    );
    // The earlier upload is unchanged.
    let r = c
        .get_object_retention()
        .bucket("dflt")
        .key("plain")
        .send()
        .await
        .unwrap();
    assert_eq!(r.retain_until_date, None);
}

// ------------------------------------------------------------------------------- replication

fn rule(id: Option<&str>, dest: &str) -> m::ReplicationRule {
    m::ReplicationRule {
        id: id.map(str::to_owned),
        prefix_set: vec!["logs/".into(), "img/".into()],
        destination: m::ReplicationDestination {
            bucket: dest.into(),
            location: "oss-cn-beijing".into(),
            transfer_type: None,
        },
        ..Default::default()
    }
}

/// An upload's `x-oss-object-worm-legal-hold: ON` puts the hold on the new version, and
/// HeadObject / GetObject report the version's retention and hold in the
/// `x-oss-object-worm-*` headers (none for a version without either).
#[tokio::test]
async fn uploads_take_a_legal_hold_and_reads_report_retention_headers() {
    let (_emu, c) = setup().await;
    bucket(&c, "plainhold").await;
    expect_error(
        c.put_object()
            .bucket("plainhold")
            .key("k")
            .object_worm_legal_hold(m::ObjectLegalHoldStatus::On)
            .body(bytes::Bytes::from_static(b"x"))
            .send()
            .await,
        "InvalidRequest",
        400,
    );

    object_worm_bucket(&c, "hdrs").await;
    put(&c, "hdrs", "bare", "b").await;
    let h = c
        .head_object()
        .bucket("hdrs")
        .key("bare")
        .send()
        .await
        .unwrap();
    assert_eq!(
        (
            h.object_worm_mode,
            h.object_worm_retain_until_date,
            h.object_worm_legal_hold
        ),
        (None, None, None)
    );

    let until = in_days(4);
    let v = c
        .put_object()
        .bucket("hdrs")
        .key("held")
        .object_worm_mode(m::ObjectWormMode::Governance)
        .object_worm_retain_until_date(
            until
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap(),
        )
        .object_worm_legal_hold(m::ObjectLegalHoldStatus::On)
        .body(bytes::Bytes::from_static(b"h"))
        .send()
        .await
        .unwrap()
        .version_id
        .unwrap();
    let hold = c
        .get_object_legal_hold()
        .bucket("hdrs")
        .key("held")
        .send()
        .await
        .unwrap();
    assert_eq!(hold.status, Some(m::ObjectLegalHoldStatus::On));
    // The hold alone keeps the version even with the governance bypass.
    expect_error(
        c.delete_object()
            .bucket("hdrs")
            .key("held")
            .version_id(&v)
            .bypass_governance_retention(true)
            .send()
            .await,
        "FileImmutable",
        409,
    );

    let expected_until = format!(
        "{}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
        until.year(),
        u8::from(until.month()),
        until.day(),
        until.hour(),
        until.minute(),
        until.second()
    );
    let h = c
        .head_object()
        .bucket("hdrs")
        .key("held")
        .send()
        .await
        .unwrap();
    assert_eq!(h.object_worm_mode, Some(m::ObjectWormMode::Governance));
    assert_eq!(
        h.object_worm_retain_until_date.as_deref(),
        Some(expected_until.as_str())
    );
    assert_eq!(h.object_worm_legal_hold, Some(m::ObjectLegalHoldStatus::On));
    let (g, _data) = c
        .get_object()
        .bucket("hdrs")
        .key("held")
        .send()
        .await
        .unwrap();
    assert_eq!(g.object_worm_mode, Some(m::ObjectWormMode::Governance));
    assert_eq!(
        g.object_worm_retain_until_date.as_deref(),
        Some(expected_until.as_str())
    );
    assert_eq!(g.object_worm_legal_hold, Some(m::ObjectLegalHoldStatus::On));
}

#[tokio::test]
async fn replication_rules_get_ids_rtc_progress_and_are_deleted_by_id() {
    let (_emu, c) = setup().await;
    bucket(&c, "src").await;
    let get = || c.get_bucket_replication().bucket("src").send();
    expect_error(get().await, "NoSuchReplicationConfiguration", 404);
    let add = |r: m::ReplicationRule| {
        c.put_bucket_replication()
            .bucket("src")
            .body(m::ReplicationConfiguration { rules: vec![r] })
            .send()
    };
    let generated = add(rule(None, "dst1"))
        .await
        .unwrap()
        .replication_rule_id
        .expect("a rule id");
    assert!(!generated.is_empty());
    let named = add(rule(Some("second"), "dst2")).await.unwrap();
    assert_eq!(named.replication_rule_id.as_deref(), Some("second"));
    expect_error(
        add(rule(Some("second"), "dst3")).await,
        "InvalidArgument",
        400,
    );

    let got = get().await.unwrap();
    assert_eq!(got.rules.len(), 2);
    let first = &got.rules[0];
    assert_eq!(first.id.as_deref(), Some(generated.as_str()));
    assert_eq!(
        first.prefix_set,
        vec!["logs/".to_owned(), "img/".to_owned()]
    );
    assert_eq!(first.action.as_deref(), Some("ALL"));
    assert_eq!(first.destination.bucket, "dst1");
    assert_eq!(first.destination.location, "oss-cn-beijing");
    assert_eq!(
        first.destination.transfer_type,
        Some(m::ReplicationTransferType::Internal)
    );
    assert_eq!(first.status, Some(m::ReplicationRuleStatus::Doing));
    assert_eq!(
        first.historical_object_replication,
        Some(m::HistoricalObjectReplication::Enabled)
    );
    assert_eq!(first.rtc, None);
    assert_eq!(got.rules[1].id.as_deref(), Some("second"));

    // RTC of one rule.
    let rtc = |id: &str| {
        c.put_bucket_rtc()
            .bucket("src")
            .body(m::RtcConfiguration {
                rtc: m::ReplicationTimeControl {
                    status: m::ReplicationRtcStatus::Enabled,
                },
                id: id.into(),
            })
            .send()
    };
    rtc("second").await.unwrap();
    expect_error(rtc("nope").await, "NoSuchReplicationRule", 404);
    let got = get().await.unwrap();
    assert_eq!(
        got.rules[1].rtc.as_ref().map(|r| r.status.clone()),
        Some(m::ReplicationRtcStatus::Enabled)
    );
    assert_eq!(got.rules[0].rtc, None);

    // Progress of one rule.
    let p = c
        .get_bucket_replication_progress()
        .bucket("src")
        .rule_id("second")
        .send()
        .await
        .unwrap();
    assert_eq!(p.rules.len(), 1);
    assert_eq!(p.rules[0].id.as_deref(), Some("second"));
    assert_eq!(
        p.rules[0].destination.as_ref().map(|d| d.bucket.as_str()),
        Some("dst2")
    );
    let progress = p.rules[0].progress.as_ref().expect("progress");
    assert_eq!(progress.historical_object.as_deref(), Some("0.00"));
    assert!(progress.new_object.is_some());
    expect_error(
        c.get_bucket_replication_progress()
            .bucket("src")
            .rule_id("nope")
            .send()
            .await,
        "NoSuchReplicationRule",
        404,
    );

    // Where data can go: other regions, not the bucket's own.
    let loc = c
        .get_bucket_replication_location()
        .bucket("src")
        .send()
        .await
        .unwrap();
    assert!(loc.locations.contains(&"oss-cn-beijing".to_owned()));
    assert!(!loc.locations.contains(&"oss-cn-hangzhou".to_owned()));

    // Deleted by id, in a body.
    let delete = |id: &str| {
        c.delete_bucket_replication()
            .bucket("src")
            .body(m::ReplicationRules {
                ids: vec![id.into()],
            })
            .send()
    };
    delete(&generated).await.unwrap();
    let got = get().await.unwrap();
    assert_eq!(
        got.rules.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
        vec![Some("second".to_owned())]
    );
    expect_error(delete(&generated).await, "NoSuchReplicationRule", 404);
    delete("second").await.unwrap();
    expect_error(get().await, "NoSuchReplicationConfiguration", 404);
}

// ------------------------------------------------------------------------------------- CNAME

fn cname_config(
    domain: &str,
    cert: Option<m::CnameCertificateConfiguration>,
) -> m::BucketCnameConfiguration {
    m::BucketCnameConfiguration {
        cname: m::BucketCname {
            domain: domain.into(),
            is_wild_card: None,
            certificate_configuration: cert,
        },
    }
}

#[tokio::test]
async fn cname_tokens_mappings_and_certificates() {
    let (_emu, c) = setup().await;
    bucket(&c, "site").await;
    bucket(&c, "other").await;
    let list = || c.list_cname().bucket("site").send();
    assert!(list().await.unwrap().cnames.is_empty());
    // Mapping needs the ownership token first.
    expect_error(
        c.put_cname()
            .bucket("site")
            .body(cname_config("img.example.com", None))
            .send()
            .await,
        "NeedVerifyDomainOwnership",
        400,
    );
    expect_error(
        c.get_cname_token()
            .bucket("site")
            .cname("img.example.com")
            .send()
            .await,
        "NoSuchCnameToken",
        404,
    );
    expect_error(
        c.create_cname_token()
            .bucket("site")
            .body(cname_config("not a domain", None))
            .send()
            .await,
        "InvalidArgument",
        400,
    );
    let token = c
        .create_cname_token()
        .bucket("site")
        .body(cname_config("img.example.com", None))
        .send()
        .await
        .unwrap();
    assert_eq!(token.bucket.as_deref(), Some("site"));
    assert_eq!(token.cname.as_deref(), Some("img.example.com"));
    assert_eq!(token.token.len(), 32, "{}", token.token);
    assert!(token.expire_time.is_some());
    let again = c
        .get_cname_token()
        .bucket("site")
        .cname("img.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(
        (again.token, again.expire_time, again.bucket),
        (
            token.token.clone(),
            token.expire_time.clone(),
            Some("site".to_owned())
        )
    );

    c.put_cname()
        .bucket("site")
        .body(cname_config("img.example.com", None))
        .send()
        .await
        .unwrap();
    let got = list().await.unwrap();
    assert_eq!(got.bucket.as_deref(), Some("site"));
    assert_eq!(got.cnames.len(), 1);
    assert_eq!(got.cnames[0].domain, "img.example.com");
    assert_eq!(got.cnames[0].status, Some(m::CnameStatus::Enabled));
    assert!(got.cnames[0].last_modified.is_some());
    assert_eq!(got.cnames[0].certificate, None);
    assert_eq!(got.cnames[0].is_wild_card, None);
    // `IsWildCard` sent with the mapping is listed with it.
    let mut wild = cname_config("img.example.com", None);
    wild.cname.is_wild_card = Some(false);
    c.put_cname()
        .bucket("site")
        .body(wild)
        .send()
        .await
        .unwrap();
    assert_eq!(list().await.unwrap().cnames[0].is_wild_card, Some(false));

    // Another bucket cannot take the domain.
    expect_error(
        c.put_cname()
            .bucket("other")
            .body(cname_config("img.example.com", None))
            .send()
            .await,
        "CnameAlreadyExists",
        409,
    );

    // Bind an uploaded certificate, then remove it.
    let cert = m::CnameCertificateConfiguration {
        certificate: Some("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----".into()),
        private_key: Some("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----".into()),
        ..Default::default()
    };
    c.put_cname()
        .bucket("site")
        .body(cname_config("img.example.com", Some(cert)))
        .send()
        .await
        .unwrap();
    let bound = list().await.unwrap().cnames[0]
        .certificate
        .clone()
        .expect("a certificate");
    assert_eq!(bound.r#type, Some(m::CnameCertificateType::Upload));
    assert_eq!(bound.status, Some(m::CnameStatus::Enabled));
    assert!(bound.cert_id.is_some());
    assert_eq!(
        bound.fingerprint.as_ref().map(|f| f.split(':').count()),
        Some(20)
    );
    c.put_cname()
        .bucket("site")
        .body(cname_config(
            "img.example.com",
            Some(m::CnameCertificateConfiguration {
                delete_certificate: Some(true),
                ..Default::default()
            }),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(list().await.unwrap().cnames[0].certificate, None);

    c.delete_cname()
        .bucket("site")
        .body(cname_config("img.example.com", None))
        .send()
        .await
        .unwrap();
    assert!(list().await.unwrap().cnames.is_empty());
    expect_error(
        c.delete_cname()
            .bucket("site")
            .body(cname_config("img.example.com", None))
            .send()
            .await,
        "NoSuchCname",
        404,
    );
}

// -------------------------------------------------------------------------------- image style

#[tokio::test]
async fn image_styles_are_put_listed_replaced_and_deleted() {
    let (_emu, c) = setup().await;
    bucket(&c, "pics").await;
    let get = |name: &str| c.get_style().bucket("pics").style_name(name).send();
    expect_error(get("thumb").await, "NoSuchStyle", 404);
    let put_style = |name: &str, content: &str, category: Option<&str>| {
        let mut r = c
            .put_style()
            .bucket("pics")
            .style_name(name)
            .body(m::StyleContent {
                content: content.into(),
            });
        if let Some(cat) = category {
            r = r.category(cat);
        }
        r.send()
    };
    put_style("thumb", "image/resize,p_50", None).await.unwrap();
    put_style("doc", "doc/preview", Some("document"))
        .await
        .unwrap();
    expect_error(
        put_style("bad", "image/resize,p_50", Some("audio")).await,
        "InvalidArgument",
        400,
    );
    expect_error(
        put_style("bad name!", "image/resize,p_50", None).await,
        "InvalidArgument",
        400,
    );

    let thumb = get("thumb").await.unwrap();
    assert_eq!(thumb.name.as_deref(), Some("thumb"));
    assert_eq!(thumb.content.as_deref(), Some("image/resize,p_50"));
    assert_eq!(thumb.category.as_deref(), Some("image"));
    assert!(thumb.create_time.is_some());
    assert_eq!(thumb.last_modify_time, thumb.create_time);
    let list = c.list_style().bucket("pics").send().await.unwrap();
    assert_eq!(
        list.styles
            .iter()
            .map(|s| (s.name.clone().unwrap(), s.category.clone().unwrap()))
            .collect::<Vec<_>>(),
        vec![
            ("thumb".to_owned(), "image".to_owned()),
            ("doc".to_owned(), "document".to_owned())
        ]
    );

    put_style("thumb", "image/resize,w_100", None)
        .await
        .unwrap();
    let replaced = get("thumb").await.unwrap();
    assert_eq!(replaced.content.as_deref(), Some("image/resize,w_100"));
    assert_eq!(replaced.create_time, thumb.create_time);

    c.delete_style()
        .bucket("pics")
        .style_name("thumb")
        .send()
        .await
        .unwrap();
    expect_error(get("thumb").await, "NoSuchStyle", 404);
    expect_error(
        c.delete_style()
            .bucket("pics")
            .style_name("thumb")
            .send()
            .await,
        "NoSuchStyle",
        404,
    );
    assert_eq!(
        c.list_style()
            .bucket("pics")
            .send()
            .await
            .unwrap()
            .styles
            .len(),
        1
    );
}

// --------------------------------------------------------------------------- OSS accelerator

fn accelerator(
    zone: &str,
    quota: i64,
    policy: m::DataAcceleratorCachePolicy,
) -> m::DataAcceleratorConfiguration {
    m::DataAcceleratorConfiguration {
        available_zone: zone.into(),
        quota,
        accelerate_paths: m::DataAcceleratePaths {
            default_cache_policy: policy,
            paths: vec![m::DataAcceleratePath {
                name: "hot/".into(),
                cache_policy: m::DataAcceleratorCachePolicy::SyncWarmup,
            }],
        },
    }
}

#[tokio::test]
async fn data_accelerators_are_kept_per_zone() {
    let (_emu, c) = setup().await;
    bucket(&c, "fast").await;
    let empty = c
        .get_bucket_data_accelerator()
        .bucket("fast")
        .send()
        .await
        .unwrap();
    assert!(empty.basic_informations.is_empty());
    let put_acc = |cfg| {
        c.put_bucket_data_accelerator()
            .bucket("fast")
            .body(cfg)
            .send()
    };
    put_acc(accelerator(
        "cn-hangzhou-h",
        100,
        m::DataAcceleratorCachePolicy::WriteBack,
    ))
    .await
    .unwrap();
    put_acc(accelerator(
        "cn-hangzhou-j",
        200,
        m::DataAcceleratorCachePolicy::SyncWarmup,
    ))
    .await
    .unwrap();
    expect_error(
        put_acc(accelerator(
            "cn-hangzhou-k",
            0,
            m::DataAcceleratorCachePolicy::WriteBack,
        ))
        .await,
        "InvalidArgument",
        400,
    );
    expect_error(
        put_acc(accelerator(
            "cn-hangzhou-k",
            10,
            m::DataAcceleratorCachePolicy::Unknown("eager".into()),
        ))
        .await,
        "InvalidArgument",
        400,
    );

    let all = c
        .get_bucket_data_accelerator()
        .bucket("fast")
        .send()
        .await
        .unwrap();
    assert_eq!(all.bucket_name.as_deref(), Some("fast"));
    assert_eq!(
        all.basic_informations
            .iter()
            .map(|i| (i.available_zone.clone().unwrap(), i.quota.unwrap()))
            .collect::<Vec<_>>(),
        vec![
            ("cn-hangzhou-h".to_owned(), 100),
            ("cn-hangzhou-j".to_owned(), 200)
        ]
    );
    assert!(
        all.basic_informations
            .iter()
            .all(|i| i.accelerate_paths.is_none())
    );
    assert!(
        all.basic_informations
            .iter()
            .all(|i| i.creation_date.is_some())
    );
    let one = c
        .get_bucket_data_accelerator()
        .bucket("fast")
        .available_zone("cn-hangzhou-h")
        .verbose("")
        .send()
        .await
        .unwrap();
    assert_eq!(one.basic_informations.len(), 1);
    let paths = one.basic_informations[0]
        .accelerate_paths
        .clone()
        .expect("paths with verbose");
    assert_eq!(
        paths.default_cache_policy,
        m::DataAcceleratorCachePolicy::WriteBack
    );
    assert_eq!(paths.paths.len(), 1);
    assert_eq!(paths.paths[0].name, "hot/");
    assert_eq!(
        paths.paths[0].cache_policy,
        m::DataAcceleratorCachePolicy::SyncWarmup
    );

    c.delete_bucket_data_accelerator()
        .bucket("fast")
        .available_zone("cn-hangzhou-h")
        .send()
        .await
        .unwrap();
    let left = c
        .get_bucket_data_accelerator()
        .bucket("fast")
        .send()
        .await
        .unwrap();
    assert_eq!(
        left.basic_informations
            .iter()
            .map(|i| i.available_zone.clone().unwrap())
            .collect::<Vec<_>>(),
        vec!["cn-hangzhou-j".to_owned()]
    );
}

// ---------------------------------------------------------------------- redundancy transition

#[tokio::test]
async fn redundancy_transition_tasks_have_ids_states_and_pages() {
    let (_emu, c) = setup().await;
    bucket(&c, "lrs-a").await;
    bucket(&c, "lrs-b").await;
    let list = |b: &str| c.list_bucket_data_redundancy_transition().bucket(b).send();
    assert!(
        list("lrs-a")
            .await
            .unwrap()
            .bucket_data_redundancy_transitions
            .is_empty()
    );
    expect_error(
        c.create_bucket_data_redundancy_transition()
            .bucket("lrs-a")
            .target_redundancy_type(m::DataRedundancyType::Lrs)
            .send()
            .await,
        "InvalidArgument",
        400,
    );
    let create = |b: &str| {
        c.create_bucket_data_redundancy_transition()
            .bucket(b)
            .target_redundancy_type(m::DataRedundancyType::Zrs)
            .send()
    };
    let a = create("lrs-a").await.unwrap().task_id;
    assert!(!a.is_empty());
    expect_error(create("lrs-a").await, "InvalidRequest", 409);
    let b = create("lrs-b").await.unwrap().task_id;
    assert_ne!(a, b);

    let task = c
        .get_bucket_data_redundancy_transition()
        .bucket("lrs-a")
        .task_id(&a)
        .send()
        .await
        .unwrap();
    assert_eq!(task.task_id, a);
    assert_eq!(task.bucket.as_deref(), Some("lrs-a"));
    assert_eq!(
        task.status,
        Some(m::DataRedundancyTransitionStatus::Queueing)
    );
    assert!(task.create_time.is_some());
    expect_error(
        c.get_bucket_data_redundancy_transition()
            .bucket("lrs-a")
            .task_id(&b)
            .send()
            .await,
        "NoSuchDataRedundancyTransition",
        404,
    );
    let listed = list("lrs-a")
        .await
        .unwrap()
        .bucket_data_redundancy_transitions;
    assert_eq!(
        listed.iter().map(|t| t.task_id.clone()).collect::<Vec<_>>(),
        vec![a.clone()]
    );

    // The account's tasks, one a page.
    let page1 = c
        .list_user_data_redundancy_transition()
        .max_keys(1)
        .send()
        .await
        .unwrap();
    assert_eq!(page1.is_truncated, Some(true));
    assert_eq!(page1.bucket_data_redundancy_transitions.len(), 1);
    assert_eq!(page1.bucket_data_redundancy_transitions[0].task_id, a);
    let page2 = c
        .list_user_data_redundancy_transition()
        .max_keys(1)
        .continuation_token(page1.next_continuation_token.unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page2.is_truncated, Some(false));
    assert_eq!(page2.bucket_data_redundancy_transitions[0].task_id, b);
    assert_eq!(page2.next_continuation_token, None);

    c.delete_bucket_data_redundancy_transition()
        .bucket("lrs-a")
        .task_id(&a)
        .send()
        .await
        .unwrap();
    expect_error(
        c.get_bucket_data_redundancy_transition()
            .bucket("lrs-a")
            .task_id(&a)
            .send()
            .await,
        "NoSuchDataRedundancyTransition",
        404,
    );
    // After the queued task is gone a new one can start.
    create("lrs-a").await.unwrap();
}

// ---------------------------------------------------------------------------------- anti-DDoS

#[tokio::test]
async fn anti_ddos_instances_and_protected_buckets() {
    let (_emu, c) = setup().await;
    bucket(&c, "shield-a").await;
    bucket(&c, "shield-b").await;
    assert!(
        c.get_user_anti_ddos_info()
            .send()
            .await
            .unwrap()
            .anti_ddos_configurations
            .is_empty()
    );
    let id = c
        .init_user_anti_ddos_info()
        .send()
        .await
        .unwrap()
        .defender_instance
        .expect("an instance id");
    let got = c.get_user_anti_ddos_info().send().await.unwrap();
    assert_eq!(got.anti_ddos_configurations.len(), 1);
    let inst = &got.anti_ddos_configurations[0];
    assert_eq!(inst.instance_id.as_deref(), Some(id.as_str()));
    assert_eq!(inst.status, Some(m::AntiDDoSStatus::Defending));
    assert!(inst.ctime.is_some() && inst.owner.is_some());

    let init = |b: &str, inst: &str| {
        c.init_bucket_anti_ddos_info()
            .bucket(b)
            .defender_instance(inst)
            .defender_type("AntiDDosPremimum")
            .body(m::AntiDDOSConfiguration {
                cnames: vec![format!("{b}.example.com")],
            })
            .send()
    };
    expect_error(
        init("shield-a", "cbdd-none").await,
        "NoSuchAntiDDosInstance",
        404,
    );
    init("shield-a", &id).await.unwrap();
    init("shield-b", &id).await.unwrap();
    c.update_bucket_anti_ddos_info()
        .bucket("shield-b")
        .defender_instance(&id)
        .defender_status(m::AntiDDoSStatus::Defending)
        .send()
        .await
        .unwrap();

    let page1 = c
        .list_bucket_anti_ddos_info()
        .max_keys(1)
        .send()
        .await
        .unwrap();
    assert_eq!(page1.is_truncated, Some(true));
    assert_eq!(page1.anti_ddos_configurations.len(), 1);
    let a = &page1.anti_ddos_configurations[0];
    assert_eq!(a.bucket.as_deref(), Some("shield-a"));
    assert_eq!(a.instance_id.as_deref(), Some(id.as_str()));
    assert_eq!(a.status, Some(m::AntiDDoSStatus::Init));
    assert_eq!(a.cnames, vec!["shield-a.example.com".to_owned()]);
    assert_eq!(a.instance_type.as_deref(), Some("AntiDDosPremimum"));
    let page2 = c
        .list_bucket_anti_ddos_info()
        .max_keys(1)
        .marker(page1.marker.unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page2.is_truncated, Some(false));
    let b = &page2.anti_ddos_configurations[0];
    assert_eq!(b.bucket.as_deref(), Some("shield-b"));
    assert_eq!(b.status, Some(m::AntiDDoSStatus::Defending));
    assert_eq!(b.cnames, vec!["shield-b.example.com".to_owned()]);
    assert!(b.active_time.is_some_and(|t| t > 0));

    c.update_user_anti_ddos_info()
        .defender_instance(&id)
        .defender_status(m::AntiDDoSStatus::HaltDefending)
        .send()
        .await
        .unwrap();
    let got = c.get_user_anti_ddos_info().send().await.unwrap();
    assert_eq!(
        got.anti_ddos_configurations[0].status,
        Some(m::AntiDDoSStatus::HaltDefending)
    );
    expect_error(
        c.update_user_anti_ddos_info()
            .defender_instance("cbdd-none")
            .defender_status(m::AntiDDoSStatus::HaltDefending)
            .send()
            .await,
        "NoSuchAntiDDosInstance",
        404,
    );
}

// --------------------------------------------------- regions, CloudBoxes, inventory listing

fn inventory(id: &str) -> m::InventoryConfiguration {
    m::InventoryConfiguration {
        id: id.into(),
        is_enabled: true,
        filter: None,
        destination: m::InventoryDestination {
            oss_bucket_destination: m::InventoryOssBucketDestination {
                format: m::InventoryFormat::Csv,
                account_id: "1234567890123456".into(),
                role_arn: "acs:ram::1234567890123456:role/inventory".into(),
                bucket: "acs:oss:::dest".into(),
                prefix: Some("inv/".into()),
                encryption: None,
            },
        },
        schedule: m::InventorySchedule {
            frequency: m::InventoryFrequency::Weekly,
            day_of_month: None,
            auto_delete: None,
        },
        included_object_versions: m::InventoryIncludedObjectVersions::Current,
        optional_fields: vec![m::InventoryOptionalField::Size],
        incremental_inventory: None,
    }
}

#[tokio::test]
async fn regions_cloud_boxes_and_inventory_lists() {
    let (_emu, c) = setup().await;
    let all = c.describe_regions().send().await.unwrap();
    let hz = all
        .region_infos
        .iter()
        .find(|r| r.region == "oss-cn-hangzhou")
        .expect("the emulator's region");
    assert_eq!(
        hz.internet_endpoint.as_deref(),
        Some("oss-cn-hangzhou.aliyuncs.com")
    );
    assert_eq!(
        hz.internal_endpoint.as_deref(),
        Some("oss-cn-hangzhou-internal.aliyuncs.com")
    );
    assert!(all.region_infos.len() > 10);
    let one = c
        .describe_regions()
        .regions("oss-eu-west-1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        one.region_infos
            .iter()
            .map(|r| r.region.as_str())
            .collect::<Vec<_>>(),
        vec!["oss-eu-west-1"]
    );
    expect_error(
        c.describe_regions().regions("oss-mars-1").send().await,
        "NoSuchRegion",
        404,
    );

    let boxes = c
        .list_cloud_boxes()
        .prefix("cb-")
        .max_keys(10)
        .send()
        .await
        .unwrap();
    assert!(boxes.cloud_boxes.is_empty());
    assert_eq!(boxes.prefix.as_deref(), Some("cb-"));
    assert_eq!(boxes.max_keys, Some(10));
    assert_eq!(boxes.is_truncated, Some(false));

    bucket(&c, "inv").await;
    let listed = c
        .list_bucket_inventory()
        .bucket("inv")
        .send()
        .await
        .unwrap();
    assert!(listed.inventory_configurations.is_empty());
    for id in ["weekly-b", "weekly-a"] {
        c.put_bucket_inventory()
            .bucket("inv")
            .inventory_id(id)
            .body(inventory(id))
            .send()
            .await
            .unwrap();
    }
    let listed = c
        .list_bucket_inventory()
        .bucket("inv")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.is_truncated, Some(false));
    assert_eq!(
        listed.inventory_configurations,
        vec![inventory("weekly-a"), inventory("weekly-b")]
    );
    let after = c
        .list_bucket_inventory()
        .bucket("inv")
        .continuation_token("weekly-a")
        .send()
        .await
        .unwrap();
    assert_eq!(after.inventory_configurations, vec![inventory("weekly-b")]);
}

// ------------------------------------------------------------------- metadata configuration

#[tokio::test]
async fn metadata_tables_are_created_updated_and_deleted() {
    let (_emu, c) = setup().await;
    bucket(&c, "meta").await;
    let get = || c.get_bucket_metadata_configuration().bucket("meta").send();
    expect_error(get().await, "NoSuchMetadataConfiguration", 404);
    expect_error(
        c.update_bucket_metadata_journal_table_configuration()
            .bucket("meta")
            .body(m::MetadataJournalTableConfiguration::default())
            .send()
            .await,
        "NoSuchMetadataConfiguration",
        404,
    );
    let expiration = |days| m::MetadataTableRecordExpiration {
        expiration: Some(m::MetadataTableState::Enabled),
        days: Some(days),
    };
    expect_error(
        c.create_bucket_metadata_configuration()
            .bucket("meta")
            .body(m::MetadataConfiguration {
                journal_table_configuration: Some(m::MetadataJournalTableConfiguration {
                    record_expiration: Some(expiration(3)),
                    encryption_configuration: None,
                }),
                inventory_table_configuration: None,
            })
            .send()
            .await,
        "InvalidArgument",
        400,
    );
    expect_error(
        c.create_bucket_metadata_configuration()
            .bucket("meta")
            .body(m::MetadataConfiguration {
                journal_table_configuration: Some(m::MetadataJournalTableConfiguration {
                    record_expiration: None,
                    encryption_configuration: Some(m::MetadataTableEncryption {
                        sse_algorithm: Some("AES256".into()),
                        kms_key_arn: Some("acs:kms:cn-hangzhou:1:key/k".into()),
                    }),
                }),
                inventory_table_configuration: None,
            })
            .send()
            .await,
        "InvalidArgument",
        400,
    );
    let create = || {
        c.create_bucket_metadata_configuration()
            .bucket("meta")
            .body(m::MetadataConfiguration {
                journal_table_configuration: Some(m::MetadataJournalTableConfiguration {
                    record_expiration: Some(expiration(7)),
                    encryption_configuration: Some(m::MetadataTableEncryption {
                        sse_algorithm: Some("AES256".into()),
                        kms_key_arn: None,
                    }),
                }),
                inventory_table_configuration: None,
            })
            .send()
    };
    create().await.unwrap();
    expect_error(create().await, "MetadataConfigurationAlreadyExist", 409);
    let got = get()
        .await
        .unwrap()
        .metadata_configuration_result
        .expect("a result");
    let dest = got.destination_result.expect("a destination");
    assert_eq!(dest.table_bucket_type.as_deref(), Some("oss"));
    assert_eq!(dest.table_namespace.as_deref(), Some("b_meta"));
    let journal = got
        .journal_table_configuration_result
        .expect("a journal table");
    assert_eq!(journal.table_status, Some(m::MetadataTableStatus::Active));
    assert_eq!(journal.table_name.as_deref(), Some("journal"));
    assert_eq!(journal.record_expiration, Some(expiration(7)));
    assert_eq!(
        journal
            .encryption_configuration
            .and_then(|e| e.sse_algorithm)
            .as_deref(),
        Some("AES256")
    );
    assert_eq!(got.inventory_table_configuration_result, None);

    c.update_bucket_metadata_journal_table_configuration()
        .bucket("meta")
        .body(m::MetadataJournalTableConfiguration {
            record_expiration: Some(expiration(30)),
            encryption_configuration: None,
        })
        .send()
        .await
        .unwrap();
    c.update_bucket_metadata_inventory_table_configuration()
        .bucket("meta")
        .body(m::MetadataInventoryTableConfiguration {
            configuration_state: Some(m::MetadataTableState::Enabled),
            encryption_configuration: None,
        })
        .send()
        .await
        .unwrap();
    let got = get().await.unwrap().metadata_configuration_result.unwrap();
    assert_eq!(
        got.journal_table_configuration_result
            .unwrap()
            .record_expiration,
        Some(expiration(30))
    );
    let inv = got
        .inventory_table_configuration_result
        .expect("an inventory table");
    assert_eq!(
        inv.configuration_state,
        Some(m::MetadataTableState::Enabled)
    );
    assert_eq!(inv.table_status, Some(m::MetadataTableStatus::Active));
    assert_eq!(inv.table_name.as_deref(), Some("inventory"));

    c.delete_bucket_metadata_configuration()
        .bucket("meta")
        .send()
        .await
        .unwrap();
    expect_error(get().await, "NoSuchMetadataConfiguration", 404);
}

// ------------------------------------------------------------------------------- persistence

#[tokio::test]
async fn stateful_families_survive_a_restart_with_a_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let worm_id;
    {
        let emu = emulator(EmulatorConfig::new(AK, SK).data_dir(dir.path()));
        let c = sdk_client_one_attempt(&emu);
        bucket(&c, "kept").await;
        worm_id = c
            .initiate_bucket_worm()
            .bucket("kept")
            .body(m::InitiateWormConfiguration {
                retention_period_in_days: 2,
            })
            .send()
            .await
            .unwrap()
            .worm_id
            .unwrap();
        c.complete_bucket_worm()
            .bucket("kept")
            .worm_id(&worm_id)
            .send()
            .await
            .unwrap();
        c.put_bucket_replication()
            .bucket("kept")
            .body(m::ReplicationConfiguration {
                rules: vec![rule(Some("r1"), "far")],
            })
            .send()
            .await
            .unwrap();
        c.put_style()
            .bucket("kept")
            .style_name("s")
            .body(m::StyleContent {
                content: "image/rotate,90".into(),
            })
            .send()
            .await
            .unwrap();
        c.init_user_anti_ddos_info().send().await.unwrap();
        put(&c, "kept", "obj", "data").await;
    }
    let emu = emulator(EmulatorConfig::new(AK, SK).data_dir(dir.path()));
    let c = sdk_client_one_attempt(&emu);
    let w = c.get_bucket_worm().bucket("kept").send().await.unwrap();
    assert_eq!(w.worm_id.as_deref(), Some(worm_id.as_str()));
    assert_eq!(w.state, Some(m::BucketWormState::Locked));
    assert_eq!(w.retention_period_in_days, Some(2));
    let r = c
        .get_bucket_replication()
        .bucket("kept")
        .send()
        .await
        .unwrap();
    assert_eq!(r.rules.len(), 1);
    assert_eq!(r.rules[0].id.as_deref(), Some("r1"));
    assert_eq!(r.rules[0].destination.bucket, "far");
    let s = c
        .get_style()
        .bucket("kept")
        .style_name("s")
        .send()
        .await
        .unwrap();
    assert_eq!(s.content.as_deref(), Some("image/rotate,90"));
    assert_eq!(
        c.get_user_anti_ddos_info()
            .send()
            .await
            .unwrap()
            .anti_ddos_configurations
            .len(),
        1
    );
    // The locked policy still guards the object written before the restart.
    expect_error(
        c.delete_object().bucket("kept").key("obj").send().await,
        "FileImmutable",
        409,
    );
}
