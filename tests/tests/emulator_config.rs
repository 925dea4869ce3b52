//! Our client against the emulator for every configuration document the emulator serves
//! generically (spec `absent` entries → `oss_proto::generated::CONFIG_DOCUMENTS`): before a
//! put, the get answers OSS's `NoSuch…` error or its default document; put, then get answers
//! the same document field by field; delete, then the get answers the absent answer again.
//! Plus bad input (malformed, unknown enum value, oversized policy, more rules or transitions
//! than OSS allows: nothing stored changes)
//! and persistence across a restart with a data directory.
// Helpers shared by the tests (not `#[test]` functions themselves) unwrap too.
#![allow(clippy::unwrap_used)]

use oss_tests::sdk_client_one_attempt;

use oss_client::Client;
use oss_emulator::{Emulator, EmulatorConfig};
use oss_proto::generated::{self as ops, CONFIG_DOCUMENTS, ConfigAbsent, OperationId};
use oss_proto::operation::Operation;
use serde_json::{Value, json};

const AK: &str = "config-test-ak";
const SK: &str = "config-test-sk";

fn emulator(config: EmulatorConfig) -> Emulator {
    Emulator::start(config.region("cn-hangzhou")).expect("emulator starts")
}

/// The input of `O` from JSON: `base` (bucket, instance members) plus `extra` members.
fn input<O: Operation>(base: &Value, extra: Value) -> O::Input
where
    O::Input: serde::de::DeserializeOwned,
{
    let mut merged = base.clone();
    if let (Some(m), Value::Object(e)) = (merged.as_object_mut(), extra) {
        m.extend(e);
    }
    serde_json::from_value(merged.clone()).unwrap_or_else(|e| panic!("{merged}: {e}"))
}

/// A get's output as JSON, without the request id.
async fn get<G: Operation>(c: &Client, base: &Value) -> Result<Value, oss_client::Error>
where
    G::Input: serde::de::DeserializeOwned,
    G::Output: serde::Serialize,
{
    let out = c.call::<G>(input::<G>(base, json!({}))).await?;
    let mut v = serde_json::to_value(&out).unwrap();
    if let Some(m) = v.as_object_mut() {
        m.remove("request_id");
    }
    Ok(v)
}

/// Every member of `doc` in `out` with the same value, and nothing else in `out`.
fn assert_same_document(name: &str, doc: &Value, out: &Value) {
    let (Some(doc), Some(out)) = (doc.as_object(), out.as_object()) else {
        panic!("{name}: not objects: {doc} / {out}");
    };
    for (k, v) in doc {
        assert_eq!(out.get(k), Some(v), "{name}: member {k}: {out:?}");
    }
    for (k, v) in out {
        assert!(
            doc.contains_key(k) || v.is_null() || v == &json!([]),
            "{name}: member {k} = {v} was never put"
        );
    }
}

/// One family: the three operations, the document (JSON of the put's body shape, or a string
/// for a text document), members naming the instance, and the expected absent answer.
struct Family {
    get: OperationId,
    doc: Value,
    instance: Value,
}

/// What OSS answers for an absent document, from the generated table (checked against the
/// reference-page values in `absent_answers_are_osss`).
fn absent_of(get: OperationId) -> ConfigAbsent {
    CONFIG_DOCUMENTS
        .iter()
        .find(|d| d.get == get)
        .unwrap_or_else(|| panic!("{get:?} is not a configuration document"))
        .absent
}

macro_rules! run_family {
    ($c:expr, $bucket:expr, $fam:expr, $put:ident, $get:ident $(, $delete:ident)?) => {{
        let fam: &Family = $fam;
        let name = stringify!($get);
        assert_eq!(fam.get, OperationId::$get);
        let mut base = json!({ "bucket": $bucket });
        if let (Some(m), Value::Object(i)) = (base.as_object_mut(), fam.instance.clone()) {
            m.extend(i);
        }
        // Absent first.
        check_absent::<ops::$get>($c, &base, name, absent_of(OperationId::$get)).await;
        // Put, get equal.
        $c.call::<ops::$put>(input::<ops::$put>(&base, json!({ "body": fam.doc })))
            .await
            .unwrap_or_else(|e| panic!("{name}: put: {e}"));
        let out = get::<ops::$get>($c, &base).await.unwrap_or_else(|e| panic!("{name}: {e}"));
        if fam.doc.is_string() {
            let sent: Value = serde_json::from_str(fam.doc.as_str().unwrap()).unwrap();
            let back: Value = serde_json::from_str(out["body"].as_str().unwrap()).unwrap();
            assert_eq!(back, sent, "{name}");
        } else {
            assert_same_document(name, &fam.doc, &out);
        }
        // Delete, absent again.
        $(
            $c.call::<ops::$delete>(input::<ops::$delete>(&base, json!({})))
                .await
                .unwrap_or_else(|e| panic!("{name}: delete: {e}"));
            check_absent::<ops::$get>($c, &base, name, absent_of(OperationId::$get)).await;
        )?
    }};
}

async fn check_absent<G: Operation>(c: &Client, base: &Value, name: &str, absent: ConfigAbsent)
where
    G::Input: serde::de::DeserializeOwned,
    G::Output: serde::Serialize,
{
    match (absent, get::<G>(c, base).await) {
        (ConfigAbsent::Error { code, status, .. }, Err(e)) => {
            assert_eq!(e.code(), Some(code), "{name}: {e}");
            assert_eq!(e.status().map(|s| s.as_u16()), Some(status), "{name}: {e}");
        }
        (ConfigAbsent::Default(_), Ok(_)) => {}
        (expected, got) => panic!("{name}: expected {expected:?}, got {got:?}"),
    }
}

fn family(get: OperationId, doc: Value) -> Family {
    Family {
        get,
        doc,
        instance: json!({}),
    }
}

fn policy() -> String {
    json!({
        "Version": "1",
        "Statement": [{
            "Effect": "Allow",
            "Action": ["oss:GetObject"],
            "Principal": ["*"],
            "Resource": ["acs:oss:*:*:config-bucket/*"]
        }]
    })
    .to_string()
}

#[tokio::test]
async fn every_configuration_document_round_trips_and_answers_osss_absent_code() {
    let emu = emulator(EmulatorConfig::new(AK, SK));
    let c = sdk_client_one_attempt(&emu);
    let b = "config-bucket";
    c.put_bucket().bucket(b).send().await.unwrap();
    use OperationId as Id;

    run_family!(
        &c,
        b,
        &family(
            Id::GetBucketLifecycle,
            json!({"rules": [
                {"id": "expire-logs", "prefix": "logs/", "status": "Enabled", "expiration": {"days": 30}},
                {"id": "abort-parts", "prefix": "tmp/", "status": "Disabled", "abort_multipart_upload": {"days": 2}}
            ]})
        ),
        PutBucketLifecycle,
        GetBucketLifecycle,
        DeleteBucketLifecycle
    );
    run_family!(
        &c,
        b,
        &family(
            Id::GetBucketWebsite,
            json!({
                "index_document": {"suffix": "index.html", "support_sub_dir": true},
                "error_document": {"key": "404.html", "http_status": 404}
            })
        ),
        PutBucketWebsite,
        GetBucketWebsite,
        DeleteBucketWebsite
    );
    run_family!(
        &c,
        b,
        &family(Id::GetBucketPolicy, json!(policy())),
        PutBucketPolicy,
        GetBucketPolicy,
        DeleteBucketPolicy
    );
    run_family!(
        &c,
        b,
        &family(
            Id::GetBucketEncryption,
            json!({
                "apply_server_side_encryption_by_default": {"sse_algorithm": "KMS", "kms_master_key_id": "key-1"}
            })
        ),
        PutBucketEncryption,
        GetBucketEncryption,
        DeleteBucketEncryption
    );
    run_family!(
        &c,
        b,
        &family(
            Id::GetBucketReferer,
            json!({
                "allow_empty_referer": false, "allow_truncate_query_string": true,
                "referer_list": ["http://www.example.com", "https://*.example.org"],
                "referer_blacklist": ["http://bad.example.com"]
            })
        ),
        PutBucketReferer,
        GetBucketReferer
    );
    run_family!(
        &c,
        b,
        &family(Id::GetBucketRequestPayment, json!({"payer": "Requester"})),
        PutBucketRequestPayment,
        GetBucketRequestPayment
    );
    run_family!(
        &c,
        b,
        &family(
            Id::GetBucketLogging,
            json!({
                "logging_enabled": {"target_bucket": b, "target_prefix": "access-log/"}
            })
        ),
        PutBucketLogging,
        GetBucketLogging,
        DeleteBucketLogging
    );
    run_family!(
        &c,
        b,
        &family(
            Id::GetUserDefinedLogFieldsConfig,
            json!({
                "header_set": ["x-team"], "param_set": ["trace"]
            })
        ),
        PutUserDefinedLogFieldsConfig,
        GetUserDefinedLogFieldsConfig,
        DeleteUserDefinedLogFieldsConfig
    );
    run_family!(
        &c,
        b,
        &family(Id::GetBucketAccessMonitor, json!({"status": "Enabled"})),
        PutBucketAccessMonitor,
        GetBucketAccessMonitor
    );
    run_family!(
        &c,
        b,
        &family(Id::GetBucketArchiveDirectRead, json!({"enabled": true})),
        PutBucketArchiveDirectRead,
        GetBucketArchiveDirectRead
    );
    run_family!(
        &c,
        b,
        &family(Id::GetBucketTransferAcceleration, json!({"enabled": true})),
        PutBucketTransferAcceleration,
        GetBucketTransferAcceleration
    );
    run_family!(
        &c,
        b,
        &family(
            Id::GetBucketOverwriteConfig,
            json!({"rules": [
                {"id": "keep-reports", "action": "forbid", "prefix": "reports/", "suffix": ".csv", "principals": ["1234567890"]}
            ]})
        ),
        PutBucketOverwriteConfig,
        GetBucketOverwriteConfig,
        DeleteBucketOverwriteConfig
    );
    run_family!(
        &c,
        b,
        &family(
            Id::GetBucketHttpsConfig,
            json!({
                "tls": {"enable": true, "tls_versions": ["TLSv1.2", "TLSv1.3"]}
            })
        ),
        PutBucketHttpsConfig,
        GetBucketHttpsConfig
    );
    run_family!(
        &c,
        b,
        &family(
            Id::GetBucketResourceGroup,
            json!({"resource_group_id": "rg-aek27tc1234"})
        ),
        PutBucketResourceGroup,
        GetBucketResourceGroup
    );
    run_family!(
        &c,
        b,
        &family(
            Id::GetBucketPublicAccessBlock,
            json!({"block_public_access": true})
        ),
        PutBucketPublicAccessBlock,
        GetBucketPublicAccessBlock,
        DeleteBucketPublicAccessBlock
    );
    run_family!(
        &c,
        b,
        &family(
            Id::GetBucketStorageQuota,
            json!({"storage_quota": 1_073_741_824_i64, "mode": "Strict"})
        ),
        PutBucketStorageQuota,
        GetBucketStorageQuota,
        DeleteBucketStorageQuota
    );
    run_family!(
        &c,
        b,
        &family(
            Id::GetBucketObjectWormConfiguration,
            json!({
                "object_worm_enabled": "Enabled",
                "rule": {"default_retention": {"mode": "GOVERNANCE", "days": 1}}
            })
        ),
        PutBucketObjectWormConfiguration,
        GetBucketObjectWormConfiguration
    );
    let inventory = |id: &str| {
        json!({
            "id": id, "is_enabled": true,
            "destination": {"oss_bucket_destination": {
                "format": "CSV", "account_id": "1234567890", "role_arn": "acs:ram::1234567890:role/inventory",
                "bucket": "acs:oss:::config-bucket", "prefix": "inventory/"
            }},
            "schedule": {"frequency": "Weekly"},
            "filter": {"prefix": "data/"},
            "included_object_versions": "Current",
            "optional_fields": ["Size", "ETag"]
        })
    };
    let mut inv = family(Id::GetBucketInventory, inventory("weekly"));
    inv.instance = json!({"inventory_id": "weekly"});
    run_family!(
        &c,
        b,
        &inv,
        PutBucketInventory,
        GetBucketInventory,
        DeleteBucketInventory
    );
    // The account-level public access block.
    let account = Family {
        get: Id::GetPublicAccessBlock,
        doc: json!({"block_public_access": true}),
        instance: json!({}),
    };
    check_absent::<ops::GetPublicAccessBlock>(
        &c,
        &json!({}),
        "GetPublicAccessBlock",
        absent_of(Id::GetPublicAccessBlock),
    )
    .await;
    c.call::<ops::PutPublicAccessBlock>(input::<ops::PutPublicAccessBlock>(
        &json!({}),
        json!({"body": account.doc}),
    ))
    .await
    .unwrap();
    let out = get::<ops::GetPublicAccessBlock>(&c, &json!({}))
        .await
        .unwrap();
    assert_same_document("GetPublicAccessBlock", &account.doc, &out);
    c.call::<ops::DeletePublicAccessBlock>(input::<ops::DeletePublicAccessBlock>(
        &json!({}),
        json!({}),
    ))
    .await
    .unwrap();
    let out = get::<ops::GetPublicAccessBlock>(&c, &json!({}))
        .await
        .unwrap();
    assert_eq!(out["block_public_access"], json!(false));
}

/// The absent answers are OSS's own (reference pages): spot checks of the generated table.
#[tokio::test]
async fn absent_answers_are_osss() {
    let emu = emulator(EmulatorConfig::new(AK, SK));
    let c = sdk_client_one_attempt(&emu);
    c.put_bucket().bucket("absent").send().await.unwrap();
    let base = json!({"bucket": "absent"});
    for (code, err) in [
        (
            "NoSuchLifecycle",
            get::<ops::GetBucketLifecycle>(&c, &base).await.err(),
        ),
        (
            "NoSuchWebsiteConfiguration",
            get::<ops::GetBucketWebsite>(&c, &base).await.err(),
        ),
        (
            "NoSuchBucketPolicy",
            get::<ops::GetBucketPolicy>(&c, &base).await.err(),
        ),
        (
            "NoSuchServerSideEncryptionRule",
            get::<ops::GetBucketEncryption>(&c, &base).await.err(),
        ),
    ] {
        let err = err.unwrap_or_else(|| panic!("{code}: the get succeeded"));
        assert_eq!(err.code(), Some(code), "{err}");
        assert_eq!(err.status(), Some(http::StatusCode::NOT_FOUND), "{err}");
    }
    let referer = get::<ops::GetBucketReferer>(&c, &base).await.unwrap();
    assert_eq!(referer["allow_empty_referer"], json!(true));
    let payment = get::<ops::GetBucketRequestPayment>(&c, &base)
        .await
        .unwrap();
    assert_eq!(payment["payer"], json!("BucketOwner"));
    // A bucket that does not exist is NoSuchBucket, not the document's code.
    let err = get::<ops::GetBucketLifecycle>(&c, &json!({"bucket": "no-such-bucket"}))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchBucket"), "{err}");
}

#[tokio::test]
async fn bad_documents_are_refused_and_change_nothing() {
    let emu = emulator(EmulatorConfig::new(AK, SK));
    let c = sdk_client_one_attempt(&emu);
    c.put_bucket().bucket("bad-docs").send().await.unwrap();
    let base = json!({"bucket": "bad-docs"});
    let good = json!({"payer": "Requester"});
    c.call::<ops::PutBucketRequestPayment>(input::<ops::PutBucketRequestPayment>(
        &base,
        json!({"body": good}),
    ))
    .await
    .unwrap();
    let raw = oss_tests::Client::for_addr(emu.addr(), AK, SK);
    // Not XML at all.
    let r = raw
        .put("/bad-docs")
        .subresource("requestPayment")
        .body_with_md5("<RequestPaymentConfiguration><Payer>")
        .send();
    assert_eq!(
        (r.status, r.xml_all("Code")),
        (400, vec!["MalformedXML".to_owned()]),
        "{}",
        r.text()
    );
    // A required element missing.
    let r = raw
        .put("/bad-docs")
        .subresource("requestPayment")
        .body_with_md5("<RequestPaymentConfiguration></RequestPaymentConfiguration>")
        .send();
    assert_eq!(
        (r.status, r.xml_all("Code")),
        (400, vec!["MalformedXML".to_owned()]),
        "{}",
        r.text()
    );
    // An enum value OSS does not know.
    let r = raw
        .put("/bad-docs")
        .subresource("requestPayment")
        .body_with_md5(
            "<RequestPaymentConfiguration><Payer>Nobody</Payer></RequestPaymentConfiguration>",
        )
        .send();
    assert_eq!(
        (r.status, r.xml_all("Code")),
        (400, vec!["InvalidArgument".to_owned()]),
        "{}",
        r.text()
    );
    assert_eq!(r.xml_all("ArgumentName"), vec!["Payer".to_owned()]);
    // Nested: a lifecycle rule with an unknown status.
    let r = raw.put("/bad-docs").subresource("lifecycle").body_with_md5("<LifecycleConfiguration><Rule><ID>r</ID><Prefix>a/</Prefix><Status>Sometimes</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>").send();
    assert_eq!(
        (r.status, r.xml_all("Code")),
        (400, vec!["InvalidArgument".to_owned()]),
        "{}",
        r.text()
    );
    // A policy that is not a policy, and one over 16 KB.
    let r = raw
        .put("/bad-docs")
        .subresource("policy")
        .body_with_md5("{\"Version\":\"1\"}")
        .send();
    assert_eq!(r.status, 400, "{}", r.text());
    let big = format!(
        "{{\"Version\":\"1\",\"Statement\":[],\"Pad\":\"{}\"}}",
        "x".repeat(17 * 1024)
    );
    let r = raw
        .put("/bad-docs")
        .subresource("policy")
        .body_with_md5(big)
        .send();
    assert_eq!(r.status, 400, "{}", r.text());
    // A wrong Content-MD5.
    let r = raw
        .put("/bad-docs")
        .subresource("requestPayment")
        .header("content-md5", "AAAAAAAAAAAAAAAAAAAAAA==")
        .body(
            "<RequestPaymentConfiguration><Payer>BucketOwner</Payer></RequestPaymentConfiguration>",
        )
        .send();
    assert_eq!(r.status, 400, "{}", r.text());
    // Nothing changed.
    let out = get::<ops::GetBucketRequestPayment>(&c, &base)
        .await
        .unwrap();
    assert_eq!(out["payer"], json!("Requester"));
    let err = get::<ops::GetBucketLifecycle>(&c, &base).await.unwrap_err();
    assert_eq!(err.code(), Some("NoSuchLifecycle"));
    let err = get::<ops::GetBucketPolicy>(&c, &base).await.unwrap_err();
    assert_eq!(err.code(), Some("NoSuchBucketPolicy"));
}

#[test]
fn documents_over_osss_counts_are_refused_and_change_nothing() {
    let emu = emulator(EmulatorConfig::new(AK, SK));
    let raw = oss_tests::Client::for_addr(emu.addr(), AK, SK);
    assert_eq!(raw.put("/limits").send().status, 200);
    let rule = |i: usize, transitions: usize| {
        let t: String = ["IA", "Archive", "ColdArchive", "DeepColdArchive"]
            .iter()
            .take(transitions)
            .enumerate()
            .map(|(n, class)| {
                format!(
                    "<Transition><Days>{}</Days><StorageClass>{class}</StorageClass></Transition>",
                    30 * (n + 1)
                )
            })
            .collect();
        format!(
            "<Rule><ID>r{i}</ID><Prefix>p{i}/</Prefix><Status>Enabled</Status>{t}\
             <Expiration><Days>365</Days></Expiration></Rule>"
        )
    };
    let put_lifecycle = |rules: &[String]| {
        raw.put("/limits")
            .subresource("lifecycle")
            .body_with_md5(format!(
                "<LifecycleConfiguration>{}</LifecycleConfiguration>",
                rules.concat()
            ))
            .send()
    };
    let get_ids = || {
        raw.get("/limits")
            .subresource("lifecycle")
            .send()
            .xml_all("ID")
    };
    // 1,000 rules (and 3 transitions in a rule) are OSS's most: accepted.
    let most: Vec<String> = (0..1000)
        .map(|i| rule(i, usize::from(i == 0) * 3))
        .collect();
    let r = put_lifecycle(&most);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(get_ids().len(), 1000);
    let before = raw.get("/limits").subresource("lifecycle").send().text();
    // 1,001 rules.
    let over: Vec<String> = (0..1001).map(|i| rule(i, 0)).collect();
    let r = put_lifecycle(&over);
    assert_eq!(
        (r.status, r.code(), r.xml("EC")),
        (
            400,
            Some("InvalidArgument".to_owned()),
            Some("0014-00000014".to_owned())
        ),
        "{}",
        r.text()
    );
    // Four transitions in one rule.
    let r = put_lifecycle(&[rule(0, 4)]);
    assert_eq!(
        (r.status, r.code(), r.xml("EC")),
        (
            400,
            Some("InvalidArgument".to_owned()),
            Some("0014-00000043".to_owned())
        ),
        "{}",
        r.text()
    );
    assert_eq!(
        raw.get("/limits").subresource("lifecycle").send().text(),
        before,
        "refused puts change nothing"
    );

    // CORS: 10 rules at most.
    let cors = |n: usize| {
        let rules: String = (0..n)
            .map(|i| {
                format!(
                    "<CORSRule><AllowedOrigin>https://o{i}.example.com</AllowedOrigin>\
                     <AllowedMethod>GET</AllowedMethod></CORSRule>"
                )
            })
            .collect();
        raw.put("/limits")
            .subresource("cors")
            .body_with_md5(format!("<CORSConfiguration>{rules}</CORSConfiguration>"))
            .send()
    };
    let r = cors(10);
    assert_eq!(r.status, 200, "{}", r.text());
    let r = cors(11);
    assert_eq!(
        (r.status, r.code()),
        (400, Some("InvalidArgument".to_owned())),
        "{}",
        r.text()
    );
    let got = raw.get("/limits").subresource("cors").send();
    assert_eq!(got.xml_all("AllowedOrigin").len(), 10, "{}", got.text());
}

#[tokio::test]
async fn documents_survive_a_restart_with_a_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let lifecycle = json!({"rules": [{"id": "r1", "prefix": "a/", "status": "Enabled", "expiration": {"days": 7}}]});
    let base = json!({"bucket": "persisted"});
    {
        let emu = emulator(EmulatorConfig::new(AK, SK).data_dir(dir.path()));
        let c = sdk_client_one_attempt(&emu);
        c.put_bucket().bucket("persisted").send().await.unwrap();
        c.call::<ops::PutBucketLifecycle>(input::<ops::PutBucketLifecycle>(
            &base,
            json!({"body": lifecycle}),
        ))
        .await
        .unwrap();
        c.call::<ops::PutBucketPolicy>(input::<ops::PutBucketPolicy>(
            &base,
            json!({"body": policy()}),
        ))
        .await
        .unwrap();
        c.call::<ops::PutPublicAccessBlock>(input::<ops::PutPublicAccessBlock>(
            &json!({}),
            json!({"body": {"block_public_access": true}}),
        ))
        .await
        .unwrap();
        emu.stop();
    }
    let emu = emulator(EmulatorConfig::new(AK, SK).data_dir(dir.path()));
    let c = sdk_client_one_attempt(&emu);
    let out = get::<ops::GetBucketLifecycle>(&c, &base).await.unwrap();
    assert_same_document("lifecycle", &lifecycle, &out);
    let out = get::<ops::GetBucketPolicy>(&c, &base).await.unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(out["body"].as_str().unwrap()).unwrap(),
        serde_json::from_str::<Value>(&policy()).unwrap()
    );
    let out = get::<ops::GetPublicAccessBlock>(&c, &json!({}))
        .await
        .unwrap();
    assert_eq!(out["block_public_access"], json!(true));
}
