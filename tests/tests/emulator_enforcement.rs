//! What OSS enforces from a bucket's configuration documents, against the emulator: bucket
//! policies and Block Public Access on anonymous requests and on requests of another account,
//! referer lists on anonymous and presigned requests, pay-by-requester, static website hosting,
//! access point aliases and policies, RecommendDoc in error documents. Each rule: a denied
//! request and an allowed one.
// Helpers shared by the tests (not `#[test]` functions themselves) unwrap too.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use http::HeaderMap;
use oss_sign::Credentials;
use oss_tests::{
    ACCESS_KEY_ID, ACCESS_KEY_SECRET, Client, EmulatorConfig, Response, Signing, send_raw,
    start_emulator, start_emulator_with,
};

fn code(r: &Response) -> String {
    r.xml_all("Code").into_iter().next().unwrap_or_default()
}

fn ec(r: &Response) -> String {
    r.xml_all("EC").into_iter().next().unwrap_or_default()
}

/// A private bucket holding `public/a.txt` and `secret/b.txt`.
fn bucket(owner: &Client, name: &str) {
    assert_eq!(owner.put(&format!("/{name}")).send().status, 200);
    for key in ["public/a.txt", "secret/b.txt"] {
        let r = owner.put(&format!("/{name}/{key}")).body(key).send();
        assert_eq!(r.status, 200, "{}", r.text());
    }
}

fn put_policy(owner: &Client, bucket: &str, policy: &serde_json::Value) -> Response {
    owner
        .put(&format!("/{bucket}"))
        .subresource("policy")
        .body_with_md5(policy.to_string())
        .send()
}

#[test]
fn a_bucket_policy_allows_and_denies_anonymous_requests() {
    let emu = start_emulator();
    let owner = Client::new(&emu);
    let anon = Client::new(&emu).signing(Signing::Anonymous);
    bucket(&owner, "policy-anon");
    // Private bucket, no policy: anonymous reads are refused.
    let r = anon.get("/policy-anon/public/a.txt").send();
    assert_eq!(
        (r.status, code(&r)),
        (403, "AccessDenied".into()),
        "{}",
        r.text()
    );
    let policy = serde_json::json!({
        "Version": "1",
        "Statement": [
            {"Effect": "Allow", "Action": ["oss:GetObject", "oss:ListObjects"], "Principal": ["*"],
             "Resource": ["acs:oss:*:*:policy-anon", "acs:oss:*:*:policy-anon/*"]},
            {"Effect": "Deny", "Action": ["oss:Get*"], "Principal": ["*"],
             "Resource": ["acs:oss:*:*:policy-anon/secret/*"]}
        ]
    });
    let r = put_policy(&owner, "policy-anon", &policy);
    assert_eq!(r.status, 200, "{}", r.text());
    // Allowed by the policy though the ACL is private.
    let r = anon.get("/policy-anon/public/a.txt").send();
    assert_eq!((r.status, r.text()), (200, "public/a.txt".into()));
    assert_eq!(anon.head("/policy-anon/public/a.txt").send().status, 200);
    assert_eq!(
        anon.get("/policy-anon").send().status,
        200,
        "ListObjects allowed"
    );
    // The explicit Deny wins over the Allow.
    let r = anon.get("/policy-anon/secret/b.txt").send();
    assert_eq!(
        (r.status, code(&r)),
        (403, "AccessDenied".into()),
        "{}",
        r.text()
    );
    // Actions the policy does not grant stay refused.
    let r = anon.put("/policy-anon/public/new.txt").body("x").send();
    assert_eq!(r.status, 403, "{}", r.text());
    // The owner is not bound by statements for everyone.
    assert_eq!(owner.get("/policy-anon/secret/b.txt").send().status, 200);
    // Deleting the policy restores the ACL's answer.
    assert_eq!(
        owner
            .delete("/policy-anon")
            .subresource("policy")
            .send()
            .status,
        204
    );
    assert_eq!(anon.get("/policy-anon/public/a.txt").send().status, 403);
}

#[test]
fn a_deny_statement_beats_a_public_acl_and_conditions_are_checked() {
    let emu = start_emulator();
    let owner = Client::new(&emu);
    let anon = Client::new(&emu).signing(Signing::Anonymous);
    bucket(&owner, "policy-cond");
    let r = owner
        .put("/policy-cond")
        .subresource("acl")
        .header("x-oss-acl", "public-read")
        .send();
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(anon.get("/policy-cond/public/a.txt").send().status, 200);
    let policy = serde_json::json!({
        "Version": "1",
        "Statement": [{
            "Effect": "Deny", "Action": ["oss:GetObject"], "Principal": ["*"],
            "Resource": ["acs:oss:*:*:policy-cond/*"],
            "Condition": {"StringNotLike": {"acs:Referer": ["https://www.example.com/*"]}}
        }, {
            "Effect": "Deny", "Action": ["oss:GetObject"], "Principal": ["*"],
            "Resource": ["acs:oss:*:*:policy-cond/secret/*"],
            "Condition": {"IpAddress": {"acs:SourceIp": ["127.0.0.0/8"]}}
        }]
    });
    assert_eq!(put_policy(&owner, "policy-cond", &policy).status, 200);
    let r = anon.get("/policy-cond/public/a.txt").send();
    assert_eq!(
        r.status,
        403,
        "no referer: denied by the condition: {}",
        r.text()
    );
    let r = anon
        .get("/policy-cond/public/a.txt")
        .header("referer", "https://www.example.com/page.html")
        .send();
    assert_eq!(
        r.status,
        200,
        "the referer the condition names: {}",
        r.text()
    );
    let r = anon
        .get("/policy-cond/secret/b.txt")
        .header("referer", "https://www.example.com/page.html")
        .send();
    assert_eq!(
        r.status,
        403,
        "from a loopback source address: {}",
        r.text()
    );
}

#[test]
fn block_public_access_ignores_public_grants_and_refuses_new_ones() {
    let emu = start_emulator();
    let owner = Client::new(&emu);
    let anon = Client::new(&emu).signing(Signing::Anonymous);
    bucket(&owner, "pab");
    let r = owner
        .put("/pab")
        .subresource("acl")
        .header("x-oss-acl", "public-read")
        .send();
    assert_eq!(r.status, 200);
    assert_eq!(anon.get("/pab/public/a.txt").send().status, 200);
    let block = "<PublicAccessBlockConfiguration><BlockPublicAccess>true</BlockPublicAccess></PublicAccessBlockConfiguration>";
    let r = owner
        .put("/pab")
        .subresource("publicAccessBlock")
        .body_with_md5(block)
        .send();
    assert_eq!(r.status, 200, "{}", r.text());
    // The public ACL no longer opens the bucket.
    let r = anon.get("/pab/public/a.txt").send();
    assert_eq!(
        (r.status, code(&r)),
        (403, "AccessDenied".into()),
        "{}",
        r.text()
    );
    // New public grants are refused: ACLs and policies for everyone.
    let r = owner
        .put("/pab")
        .subresource("acl")
        .header("x-oss-acl", "public-read-write")
        .send();
    assert_eq!(
        (r.status, code(&r)),
        (403, "AccessDenied".into()),
        "{}",
        r.text()
    );
    let policy = serde_json::json!({"Version": "1", "Statement": [{"Effect": "Allow",
        "Action": ["oss:GetObject"], "Principal": ["*"], "Resource": ["acs:oss:*:*:pab/*"]}]});
    let r = put_policy(&owner, "pab", &policy);
    assert_eq!(
        (r.status, code(&r)),
        (403, "AccessDenied".into()),
        "{}",
        r.text()
    );
    let r = owner
        .put("/pab/public/a.txt")
        .subresource("acl")
        .header("x-oss-object-acl", "public-read")
        .send();
    assert_eq!(
        (r.status, code(&r)),
        (403, "AccessDenied".into()),
        "{}",
        r.text()
    );
    // Private settings and signed requests still work.
    assert_eq!(
        owner
            .put("/pab")
            .subresource("acl")
            .header("x-oss-acl", "private")
            .send()
            .status,
        200
    );
    assert_eq!(owner.get("/pab/public/a.txt").send().status, 200);
    // Removing the block makes public grants possible again; the account-level block does the same.
    assert_eq!(
        owner
            .delete("/pab")
            .subresource("publicAccessBlock")
            .send()
            .status,
        204
    );
    assert_eq!(put_policy(&owner, "pab", &policy).status, 200);
    assert_eq!(anon.get("/pab/public/a.txt").send().status, 200);
    let r = owner
        .put("/")
        .subresource("publicAccessBlock")
        .body_with_md5(block)
        .send();
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        anon.get("/pab/public/a.txt").send().status,
        403,
        "account-level block"
    );
    assert_eq!(
        owner
            .delete("/")
            .subresource("publicAccessBlock")
            .send()
            .status,
        204
    );
    assert_eq!(anon.get("/pab/public/a.txt").send().status, 200);
}

#[test]
fn referer_lists_apply_to_anonymous_and_presigned_requests() {
    let emu = start_emulator();
    let owner = Client::new(&emu);
    let anon = Client::new(&emu).signing(Signing::Anonymous);
    bucket(&owner, "referer");
    assert_eq!(
        owner
            .put("/referer")
            .subresource("acl")
            .header("x-oss-acl", "public-read")
            .send()
            .status,
        200
    );
    let conf = "<RefererConfiguration><AllowEmptyReferer>false</AllowEmptyReferer>\
        <AllowTruncateQueryString>true</AllowTruncateQueryString>\
        <RefererList><Referer>https://*.example.com</Referer><Referer>https://www.example.org/pages/*</Referer></RefererList>\
        <RefererBlacklist><Referer>https://bad.example.com</Referer></RefererBlacklist></RefererConfiguration>";
    let r = owner
        .put("/referer")
        .subresource("referer")
        .body_with_md5(conf)
        .send();
    assert_eq!(r.status, 200, "{}", r.text());
    let get = |referer: Option<&str>| {
        let mut b = anon.get("/referer/public/a.txt");
        if let Some(v) = referer {
            b = b.header("referer", v);
        }
        b.send()
    };
    // Empty referer, not allowed.
    let r = get(None);
    assert_eq!(
        (r.status, code(&r), ec(&r)),
        (403, "AccessDenied".into(), "0003-00000501".into()),
        "{}",
        r.text()
    );
    // Black-listed (even though the whitelist's wildcard matches it).
    let r = get(Some("https://bad.example.com"));
    assert_eq!(
        (r.status, ec(&r)),
        (403, "0003-00000502".into()),
        "{}",
        r.text()
    );
    // Not on the whitelist.
    let r = get(Some("https://www.other.com/"));
    assert_eq!(
        (r.status, ec(&r)),
        (403, "0003-00000503".into()),
        "{}",
        r.text()
    );
    // On the whitelist: a wildcard host, and a path prefix with its query string truncated.
    assert_eq!(get(Some("https://cdn.example.com")).status, 200);
    assert_eq!(
        get(Some("https://www.example.org/pages/a.html?utm=1")).status,
        200
    );
    // Presigned URLs are checked too; requests signed in the header are not.
    let url = owner
        .get("/referer/public/a.txt")
        .presign(Duration::from_secs(600));
    let host = emu.addr().to_string();
    let presigned = send_raw(emu.addr(), "GET", &url, &host, &HeaderMap::new(), b"").unwrap();
    assert_eq!(
        presigned.status,
        403,
        "presigned without referer: {}",
        presigned.text()
    );
    let mut with_referer = HeaderMap::new();
    with_referer.insert("referer", "https://cdn.example.com".parse().unwrap());
    let presigned = send_raw(emu.addr(), "GET", &url, &host, &with_referer, b"").unwrap();
    assert_eq!(
        presigned.status,
        200,
        "presigned with referer: {}",
        presigned.text()
    );
    assert_eq!(owner.get("/referer/public/a.txt").send().status, 200);
    // Allowing empty referers opens requests without one.
    let conf = "<RefererConfiguration><AllowEmptyReferer>true</AllowEmptyReferer><RefererList><Referer>https://*.example.com</Referer></RefererList></RefererConfiguration>";
    assert_eq!(
        owner
            .put("/referer")
            .subresource("referer")
            .body_with_md5(conf)
            .send()
            .status,
        200
    );
    assert_eq!(get(None).status, 200);
}

#[test]
fn error_documents_carry_recommend_doc() {
    let emu = start_emulator();
    let owner = Client::new(&emu);
    let r = owner.get("/no-such-bucket-here/key").send();
    assert_eq!(r.status, 404);
    let ec = ec(&r);
    assert!(!ec.is_empty(), "{}", r.text());
    assert_eq!(
        r.xml_all("RecommendDoc"),
        vec![format!("https://api.aliyun.com/troubleshoot?q={ec}")],
        "{}",
        r.text()
    );
}

#[test]
fn default_encryption_is_applied_to_writes_and_reported_on_reads() {
    let emu = start_emulator();
    let owner = Client::new(&emu);
    assert_eq!(owner.put("/sse").send().status, 200);
    // No rule: nothing reported.
    let r = owner.put("/sse/plain").body("x").send();
    assert_eq!(r.header("x-oss-server-side-encryption"), None);
    let rule = "<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>KMS</SSEAlgorithm><KMSMasterKeyID>key-1</KMSMasterKeyID></ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>";
    assert_eq!(
        owner
            .put("/sse")
            .subresource("encryption")
            .body_with_md5(rule)
            .send()
            .status,
        200
    );
    let r = owner.put("/sse/by-default").body("secret").send();
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-oss-server-side-encryption"), Some("KMS"));
    assert_eq!(
        r.header("x-oss-server-side-encryption-key-id"),
        Some("key-1")
    );
    let r = owner.get("/sse/by-default").send();
    assert_eq!((r.status, r.text()), (200, "secret".into()));
    assert_eq!(r.header("x-oss-server-side-encryption"), Some("KMS"));
    assert_eq!(
        owner
            .head("/sse/by-default")
            .send()
            .header("x-oss-server-side-encryption-key-id"),
        Some("key-1")
    );
    // The request's own header wins over the default; a bad one is refused.
    let r = owner
        .put("/sse/own")
        .header("x-oss-server-side-encryption", "AES256")
        .body("x")
        .send();
    assert_eq!(r.header("x-oss-server-side-encryption"), Some("AES256"));
    assert_eq!(r.header("x-oss-server-side-encryption-key-id"), None);
    let r = owner
        .put("/sse/bad")
        .header("x-oss-server-side-encryption", "DES")
        .body("x")
        .send();
    assert_eq!(
        (r.status, code(&r)),
        (400, "InvalidArgument".into()),
        "{}",
        r.text()
    );
    // Multipart uploads and copies get the default too; objects written before the rule keep none.
    let r = owner.post("/sse/multi").subresource("uploads").send();
    assert_eq!(
        r.header("x-oss-server-side-encryption"),
        Some("KMS"),
        "{}",
        r.text()
    );
    let r = owner
        .put("/sse/copy")
        .header("x-oss-copy-source", "/sse/plain")
        .send();
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        owner
            .head("/sse/copy")
            .send()
            .header("x-oss-server-side-encryption"),
        Some("KMS")
    );
    assert_eq!(
        owner
            .head("/sse/plain")
            .send()
            .header("x-oss-server-side-encryption"),
        None
    );
    // Deleting the rule stops it.
    assert_eq!(
        owner.delete("/sse").subresource("encryption").send().status,
        204
    );
    let r = owner.put("/sse/after").body("x").send();
    assert_eq!(r.header("x-oss-server-side-encryption"), None);
}

#[test]
fn overwrite_configuration_refuses_overwrites_of_matching_objects() {
    let emu = start_emulator();
    let owner = Client::new(&emu);
    assert_eq!(owner.put("/owc").send().status, 200);
    for key in ["reports/q1.csv", "reports/q1.txt", "other/q1.csv"] {
        assert_eq!(
            owner.put(&format!("/owc/{key}")).body("v1").send().status,
            200
        );
    }
    let conf = "<OverwriteConfiguration><Rule><ID>keep</ID><Action>forbid</Action><Prefix>reports/</Prefix><Suffix>.csv</Suffix></Rule></OverwriteConfiguration>";
    let r = owner
        .put("/owc")
        .subresource("overwriteConfig")
        .body_with_md5(conf)
        .send();
    assert_eq!(r.status, 200, "{}", r.text());
    // Matching prefix and suffix: refused, whatever x-oss-forbid-overwrite says.
    let r = owner.put("/owc/reports/q1.csv").body("v2").send();
    assert_eq!(
        (r.status, code(&r)),
        (409, "FileAlreadyExists".into()),
        "{}",
        r.text()
    );
    let r = owner
        .put("/owc/reports/q1.csv")
        .header("x-oss-forbid-overwrite", "false")
        .body("v2")
        .send();
    assert_eq!(r.status, 409, "{}", r.text());
    let r = owner
        .put("/owc/reports/q1.csv")
        .header("x-oss-copy-source", "/owc/other/q1.csv")
        .send();
    assert_eq!(r.status, 409, "copy onto a protected object: {}", r.text());
    assert_eq!(owner.get("/owc/reports/q1.csv").send().text(), "v1");
    // New objects under the rule, and objects the rule does not match, are written.
    assert_eq!(
        owner.put("/owc/reports/q2.csv").body("new").send().status,
        200
    );
    assert_eq!(
        owner.put("/owc/reports/q1.txt").body("v2").send().status,
        200
    );
    assert_eq!(owner.put("/owc/other/q1.csv").body("v2").send().status, 200);
    // Rules for other principals do not bind the account.
    let conf = "<OverwriteConfiguration><Rule><Action>forbid</Action><Prefix>reports/</Prefix><Principals><Principal>27737962156157xxxx</Principal></Principals></Rule></OverwriteConfiguration>";
    assert_eq!(
        owner
            .put("/owc")
            .subresource("overwriteConfig")
            .body_with_md5(conf)
            .send()
            .status,
        200
    );
    assert_eq!(
        owner.put("/owc/reports/q1.csv").body("v3").send().status,
        200
    );
    // Deleting the configuration lifts it.
    let conf =
        "<OverwriteConfiguration><Rule><Action>forbid</Action></Rule></OverwriteConfiguration>";
    assert_eq!(
        owner
            .put("/owc")
            .subresource("overwriteConfig")
            .body_with_md5(conf)
            .send()
            .status,
        200
    );
    assert_eq!(owner.put("/owc/other/q1.csv").body("v3").send().status, 409);
    assert_eq!(
        owner
            .delete("/owc")
            .subresource("overwriteConfig")
            .send()
            .status,
        204
    );
    assert_eq!(owner.put("/owc/other/q1.csv").body("v3").send().status, 200);
}

#[test]
fn policy_status_reports_public_policies() {
    let emu = start_emulator();
    let owner = Client::new(&emu);
    assert_eq!(owner.put("/psb").send().status, 200);
    let status = || {
        owner
            .get("/psb")
            .subresource("policyStatus")
            .send()
            .xml_all("IsPublic")
    };
    assert_eq!(status(), vec!["false".to_owned()]);
    let private = serde_json::json!({"Version": "1", "Statement": [{"Effect": "Allow",
        "Action": ["oss:GetObject"], "Principal": ["1234567890"], "Resource": ["acs:oss:*:*:psb/*"]}]});
    assert_eq!(put_policy(&owner, "psb", &private).status, 200);
    assert_eq!(status(), vec!["false".to_owned()]);
    let public = serde_json::json!({"Version": "1", "Statement": [{"Effect": "Allow",
        "Action": ["oss:GetObject"], "Principal": ["*"], "Resource": ["acs:oss:*:*:psb/*"]}]});
    assert_eq!(put_policy(&owner, "psb", &public).status, 200);
    assert_eq!(status(), vec!["true".to_owned()]);
}

/// Another account's key pair and UID, configured as an extra user.
const OTHER_KEY_ID: &str = "LTAIotherAccountKeyId";
const OTHER_KEY_SECRET: &str = "otherAccountKeySecret0123456789";
const OTHER_UID: &str = "2000000000000001";

fn with_other_account() -> (oss_tests::Emulator, Client, Client) {
    let emu = start_emulator_with(
        EmulatorConfig::new(ACCESS_KEY_ID, ACCESS_KEY_SECRET).extra_user(
            OTHER_KEY_ID,
            OTHER_KEY_SECRET,
            OTHER_UID,
        ),
    );
    let owner = Client::new(&emu);
    let other = Client::new(&emu).credentials(Credentials::new(OTHER_KEY_ID, OTHER_KEY_SECRET));
    (emu, owner, other)
}

#[test]
fn another_account_needs_a_grant_by_policy_or_acl() {
    let (_emu, owner, other) = with_other_account();
    bucket(&owner, "xacct");
    // Authenticated, but the bucket is private and no policy names the account.
    let r = other.get("/xacct/public/a.txt").send();
    assert_eq!(
        (r.status, code(&r)),
        (403, "AccessDenied".into()),
        "{}",
        r.text()
    );
    let policy = serde_json::json!({"Version": "1", "Statement": [{"Effect": "Allow",
        "Action": ["oss:GetObject"], "Principal": [OTHER_UID], "Resource": ["acs:oss:*:*:xacct/public/*"]}]});
    assert_eq!(put_policy(&owner, "xacct", &policy).status, 200);
    let r = other.get("/xacct/public/a.txt").send();
    assert_eq!((r.status, r.text()), (200, "public/a.txt".into()));
    // The grant covers that action and prefix only.
    assert_eq!(other.get("/xacct/secret/b.txt").send().status, 403);
    assert_eq!(
        other.put("/xacct/public/n.txt").body("n").send().status,
        403
    );
    // The statement is for that account, not for everyone.
    let anon = owner.clone().signing(Signing::Anonymous);
    assert_eq!(anon.get("/xacct/public/a.txt").send().status, 403);
    // A public-read ACL grants reads to every account.
    assert_eq!(
        owner
            .put("/xacct")
            .subresource("acl")
            .header("x-oss-acl", "public-read")
            .send()
            .status,
        200
    );
    assert_eq!(other.get("/xacct/secret/b.txt").send().status, 200);
}

#[test]
fn requester_pays_buckets_need_the_request_payer_from_everyone_but_the_owner() {
    let (emu, owner, other) = with_other_account();
    bucket(&owner, "rpay");
    let policy = serde_json::json!({"Version": "1", "Statement": [{"Effect": "Allow",
        "Action": ["oss:GetObject"], "Principal": [OTHER_UID], "Resource": ["acs:oss:*:*:rpay/*"]}]});
    assert_eq!(put_policy(&owner, "rpay", &policy).status, 200);
    assert_eq!(
        owner
            .put("/rpay")
            .subresource("acl")
            .header("x-oss-acl", "public-read")
            .send()
            .status,
        200
    );
    // The owner pays: anyone granted gets in without the header.
    assert_eq!(other.get("/rpay/public/a.txt").send().status, 200);
    let payment = |payer: &str| {
        let doc = format!(
            "<RequestPaymentConfiguration><Payer>{payer}</Payer></RequestPaymentConfiguration>"
        );
        let r = owner
            .put("/rpay")
            .subresource("requestPayment")
            .body_with_md5(doc)
            .send();
        assert_eq!(r.status, 200, "{}", r.text());
    };
    payment("Requester");
    // Another account without the header: refused though the policy grants it.
    let r = other.get("/rpay/public/a.txt").send();
    assert_eq!(
        (r.status, code(&r), ec(&r)),
        (403, "AccessDenied".into(), "0003-00000703".into()),
        "{}",
        r.text()
    );
    let r = other
        .get("/rpay/public/a.txt")
        .header("x-oss-request-payer", "requester")
        .send();
    assert_eq!((r.status, r.text()), (200, "public/a.txt".into()));
    // Paying does not grant what the policy does not.
    let r = other
        .put("/rpay/public/n.txt")
        .header("x-oss-request-payer", "requester")
        .body("n")
        .send();
    assert_eq!(r.status, 403, "{}", r.text());
    // Presigned URLs carry it as a query parameter.
    let host = emu.addr().to_string();
    let url = other
        .get("/rpay/public/a.txt")
        .presign(Duration::from_secs(600));
    let r = send_raw(emu.addr(), "GET", &url, &host, &HeaderMap::new(), b"").unwrap();
    assert_eq!(
        (r.status, ec(&r)),
        (403, "0003-00000702".into()),
        "{}",
        r.text()
    );
    let url = other
        .get("/rpay/public/a.txt")
        .query("x-oss-request-payer", Some("requester"))
        .presign(Duration::from_secs(600));
    let r = send_raw(emu.addr(), "GET", &url, &host, &HeaderMap::new(), b"").unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    // Anonymous requests are refused even with a public ACL.
    let anon = owner.clone().signing(Signing::Anonymous);
    let r = anon.get("/rpay/public/a.txt").send();
    assert_eq!(
        (r.status, ec(&r)),
        (403, "0003-00000701".into()),
        "{}",
        r.text()
    );
    // The owner never needs the header.
    assert_eq!(owner.get("/rpay/secret/b.txt").send().status, 200);
    // Back to the owner paying: the header is not needed any more.
    payment("BucketOwner");
    assert_eq!(other.get("/rpay/public/a.txt").send().status, 200);
    assert_eq!(anon.get("/rpay/public/a.txt").send().status, 200);
}

#[test]
fn the_extra_user_flag_reads_id_secret_and_uid() {
    let args = |v: &str| {
        EmulatorConfig::from_args(
            [
                "--access-key-id",
                "ak",
                "--access-key-secret",
                "sk",
                "--extra-user",
                v,
            ]
            .map(str::to_owned),
        )
    };
    let config = args("id2:se:cret:2000000000000001").unwrap();
    assert!(format!("{config:?}").contains("\"id2\""), "{config:?}");
    assert!(!format!("{config:?}").contains("se:cret"), "{config:?}");
    assert!(args("id2:secret").is_err());
    assert!(args("id2:secret:not-a-uid").is_err());
}

/// A public-read bucket holding a small website.
fn website_bucket(owner: &Client, name: &str) {
    assert_eq!(owner.put(&format!("/{name}")).send().status, 200);
    for (key, body) in [
        ("index.html", "root index"),
        ("docs/index.html", "docs index"),
        ("error.html", "not here"),
        ("page.html", "a page"),
    ] {
        let r = owner.put(&format!("/{name}/{key}")).body(body).send();
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let r = owner
        .put(&format!("/{name}"))
        .subresource("acl")
        .header("x-oss-acl", "public-read")
        .send();
    assert_eq!(r.status, 200, "{}", r.text());
}

fn put_website(owner: &Client, bucket: &str, index: &str, error: &str) {
    let doc = format!("<WebsiteConfiguration>{index}{error}</WebsiteConfiguration>");
    let r = owner
        .put(&format!("/{bucket}"))
        .subresource("website")
        .body_with_md5(doc)
        .send();
    assert_eq!(r.status, 200, "{}", r.text());
}

#[test]
fn website_buckets_serve_index_and_error_documents_to_anonymous_gets() {
    let emu = start_emulator();
    let owner = Client::new(&emu);
    let anon = Client::new(&emu).signing(Signing::Anonymous);
    website_bucket(&owner, "site");
    // No website yet: the root is a listing, a missing key NoSuchKey.
    let r = anon.get("/site/").send();
    assert_eq!(r.status, 200);
    assert!(r.text().contains("<ListBucketResult"), "{}", r.text());
    assert_eq!(
        anon.get("/site/nope").send().code(),
        Some("NoSuchKey".into())
    );

    put_website(
        &owner,
        "site",
        "<IndexDocument><Suffix>index.html</Suffix><SupportSubDir>true</SupportSubDir><Type>0</Type></IndexDocument>",
        "<ErrorDocument><Key>error.html</Key><HttpStatus>404</HttpStatus></ErrorDocument>",
    );
    let r = anon.get("/site/").send();
    assert_eq!((r.status, r.text()), (200, "root index".into()));
    let r = anon.get("/site").virtual_hosted("localhost").send();
    assert_eq!(
        (r.status, r.text()),
        (200, "root index".into()),
        "virtual-hosted root"
    );
    let r = anon.get("/site/docs/").send();
    assert_eq!(
        (r.status, r.text()),
        (200, "docs index".into()),
        "sub-directory"
    );
    let r = anon.get("/site/page.html").send();
    assert_eq!((r.status, r.text()), (200, "a page".into()));
    // Type 0: a directory named without its slash is redirected to it.
    let r = anon.get("/site/docs").send();
    assert_eq!(r.status, 302, "{}", r.text());
    assert_eq!(r.header("location"), Some("/site/docs/"));
    // A missing key: the error document, with 404.
    let r = anon.get("/site/nope.html").send();
    assert_eq!((r.status, r.text()), (404, "not here".into()));
    let r = anon.head("/site/nope.html").send();
    assert_eq!(r.status, 404);

    // Signed requests are the API as before.
    let r = owner.get("/site/").send();
    assert!(r.text().contains("<ListBucketResult"), "{}", r.text());
    let r = owner.get("/site/nope.html").send();
    assert_eq!(
        (r.status, r.code()),
        (404, Some("NoSuchKey".into())),
        "{}",
        r.text()
    );
    // So are anonymous requests naming a sub-resource.
    let r = anon.get("/site/").query("prefix", Some("docs/")).send();
    assert!(r.text().contains("<ListBucketResult"), "{}", r.text());
}

#[test]
fn website_options_change_subdirectories_and_the_error_status() {
    let emu = start_emulator();
    let owner = Client::new(&emu);
    let anon = Client::new(&emu).signing(Signing::Anonymous);
    website_bucket(&owner, "site2");
    // Without SupportSubDir, a directory gets the root's index document.
    put_website(
        &owner,
        "site2",
        "<IndexDocument><Suffix>index.html</Suffix></IndexDocument>",
        "<ErrorDocument><Key>error.html</Key><HttpStatus>200</HttpStatus></ErrorDocument>",
    );
    let r = anon.get("/site2/docs/").send();
    assert_eq!((r.status, r.text()), (200, "root index".into()));
    // The configured HttpStatus for the error document.
    let r = anon.get("/site2/nope.html").send();
    assert_eq!((r.status, r.text()), (200, "not here".into()));
    // Type 2 serves the directory's index document in place; Type 1 does not look for it.
    put_website(
        &owner,
        "site2",
        "<IndexDocument><Suffix>index.html</Suffix><SupportSubDir>true</SupportSubDir><Type>2</Type></IndexDocument>",
        "<ErrorDocument><Key>error.html</Key></ErrorDocument>",
    );
    let r = anon.get("/site2/docs").send();
    assert_eq!((r.status, r.text()), (200, "docs index".into()));
    put_website(
        &owner,
        "site2",
        "<IndexDocument><Suffix>index.html</Suffix><SupportSubDir>true</SupportSubDir><Type>1</Type></IndexDocument>",
        "<ErrorDocument><Key>error.html</Key></ErrorDocument>",
    );
    let r = anon.get("/site2/docs").send();
    assert_eq!((r.status, r.text()), (404, "not here".into()));
    // Documents anonymous requests may not read are not served: a private bucket answers
    // AccessDenied as before.
    let r = owner
        .put("/site2")
        .subresource("acl")
        .header("x-oss-acl", "private")
        .send();
    assert_eq!(r.status, 200);
    let r = anon.get("/site2/").send();
    assert_eq!(
        (r.status, code(&r)),
        (403, "AccessDenied".into()),
        "{}",
        r.text()
    );
}

/// Creates access point `name` on `bucket` and returns its alias.
fn access_point(owner: &Client, bucket: &str, name: &str) -> String {
    let doc = format!(
        "<CreateAccessPointConfiguration><AccessPointName>{name}</AccessPointName>\
         <NetworkOrigin>internet</NetworkOrigin></CreateAccessPointConfiguration>"
    );
    let r = owner
        .put(&format!("/{bucket}"))
        .subresource("accessPoint")
        .body(doc)
        .send();
    assert_eq!(r.status, 200, "{}", r.text());
    r.xml("Alias").unwrap()
}

#[test]
fn requests_through_an_access_point_alias_follow_its_policy() {
    let emu = start_emulator();
    let owner = Client::new(&emu);
    bucket(&owner, "apb");
    let alias = access_point(&owner, "apb", "ap-1");
    // Through the alias: the bucket's objects, both ways.
    let r = owner.get(&format!("/{alias}/secret/b.txt")).send();
    assert_eq!((r.status, r.text()), (200, "secret/b.txt".into()));
    let r = owner
        .put(&format!("/{alias}/public/new.txt"))
        .body("new")
        .send();
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(owner.get("/apb/public/new.txt").send().text(), "new");
    // The access point's policy denies reads under secret/ through it.
    let policy = serde_json::json!({"Version": "1", "Statement": [{"Effect": "Deny",
        "Action": ["oss:GetObject"], "Principal": ["*"],
        "Resource": ["acs:oss:*:*:accesspoint/ap-1/object/secret/*"]}]});
    let r = owner
        .put("/apb")
        .subresource("accessPointPolicy")
        .header("x-oss-access-point-name", "ap-1")
        .body(policy.to_string())
        .send();
    assert_eq!(r.status, 200, "{}", r.text());
    let r = owner.get(&format!("/{alias}/secret/b.txt")).send();
    assert_eq!(
        (r.status, code(&r)),
        (403, "AccessDenied".into()),
        "{}",
        r.text()
    );
    let r = owner.get(&format!("/{alias}/public/a.txt")).send();
    assert_eq!((r.status, r.text()), (200, "public/a.txt".into()));
    // The bucket's own name is not under the access point's policy.
    assert_eq!(owner.get("/apb/secret/b.txt").send().status, 200);
    // Bucket configuration does not go through an access point.
    let r = owner.get(&format!("/{alias}")).subresource("acl").send();
    assert_eq!(r.status, 403, "{}", r.text());
}

#[test]
fn a_bucket_with_access_points_cannot_be_deleted() {
    let emu = start_emulator();
    let owner = Client::new(&emu);
    assert_eq!(owner.put("/apdel").send().status, 200);
    access_point(&owner, "apdel", "ap-del");
    let r = owner.delete("/apdel").send();
    assert_eq!(
        (r.status, code(&r)),
        (409, "BucketNotEmpty".into()),
        "{}",
        r.text()
    );
    assert_eq!(owner.get("/apdel").send().status, 200, "still there");
    let r = owner
        .delete("/apdel")
        .subresource("accessPoint")
        .header("x-oss-access-point-name", "ap-del")
        .send();
    assert!(r.status < 300, "{}", r.text());
    assert_eq!(owner.delete("/apdel").send().status, 204);
    assert_eq!(owner.get("/apdel").send().status, 404);
}
