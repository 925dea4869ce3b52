//! The verifier's rejections: each yields the typed error a server maps to an OSS error code.
//! Requests are signed with the V4 vector `put-bucket-acl-header` of the official Python SDK.
#![allow(missing_docs, clippy::unwrap_used)]

use std::time::Duration;

use oss_sign::request::{Resource, SignableRequest};
use oss_sign::v1::{self, V1Params};
use oss_sign::v4::{self, SigningParams};
use oss_sign::verify::{VerifyOptions, verify};
use oss_sign::{Credentials, SignatureVersion, SigningKeyCache, VerifyError};
use time::OffsetDateTime;

const AK: &str = "LTAI5tExampleAccessKeyId";
const SK: &str = "ExampleAccessKeySecret0123456789";
/// From python-sdk/signed.jsonl, `put-bucket-acl-header` (alibabacloud-oss-v2).
const AUTH: &str = "OSS4-HMAC-SHA256 Credential=LTAI5tExampleAccessKeyId/20250417/cn-hangzhou/oss/aliyun_v4_request,Signature=b6305e929b97fce4ed869d6cfdd45c7f34a4546ad978c61fd21cd0945273f334";

fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_744_859_740).unwrap()
}

fn sent(auth: &str) -> Vec<(String, String)> {
    [
        ("x-oss-acl", "private"),
        ("Content-Type", "application/xml"),
        ("x-oss-date", "20250417T031540Z"),
        ("Date", "Thu, 17 Apr 2025 03:15:40 GMT"),
        ("x-oss-content-sha256", "UNSIGNED-PAYLOAD"),
        ("Authorization", auth),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn check(
    headers: &[(String, String)],
    opts: &VerifyOptions<'_>,
) -> Result<oss_sign::verify::Verified, VerifyError> {
    let req = SignableRequest::new("PUT", Resource::Bucket("oss-example")).with_headers(headers);
    verify(
        &req,
        |ak| (ak == AK).then(|| Credentials::new(AK, SK)),
        opts,
    )
}

#[test]
fn accepts_both_separators_and_field_orders() {
    let opts = VerifyOptions::new(now());
    assert!(check(&sent(AUTH), &opts).is_ok());
    let spaced = AUTH.replace(",Signature=", ", Signature=");
    assert!(check(&sent(&spaced), &opts).is_ok());
    let (cred, sig) = AUTH.split_once(',').unwrap();
    let swapped = format!(
        "OSS4-HMAC-SHA256 {}, {}",
        sig,
        cred.trim_start_matches("OSS4-HMAC-SHA256 ")
    );
    assert!(check(&sent(&swapped), &opts).is_ok());
    // A shared key cache gives the same answer.
    let cache = SigningKeyCache::new();
    let cached = VerifyOptions::new(now()).with_key_cache(&cache);
    assert!(check(&sent(AUTH), &cached).is_ok());
    assert!(check(&sent(AUTH), &cached).is_ok());
    assert_eq!(cache.len(), 1);
}

#[test]
fn mismatch_carries_the_servers_canonical_request() {
    let mut headers = sent(AUTH);
    headers[0].1 = "public-read".into();
    match check(&headers, &VerifyOptions::new(now())) {
        Err(VerifyError::SignatureDoesNotMatch {
            version,
            canonical_request,
            string_to_sign,
        }) => {
            assert_eq!(version, SignatureVersion::V4);
            assert_eq!(
                canonical_request.unwrap(),
                "PUT\n/oss-example/\n\ncontent-type:application/xml\nx-oss-acl:public-read\nx-oss-content-sha256:UNSIGNED-PAYLOAD\nx-oss-date:20250417T031540Z\n\n\nUNSIGNED-PAYLOAD"
            );
            assert!(string_to_sign.starts_with("OSS4-HMAC-SHA256\n20250417T031540Z\n"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn clock_skew_is_checked_for_header_signatures() {
    let late = now() + time::Duration::minutes(16);
    let err = check(&sent(AUTH), &VerifyOptions::new(late)).unwrap_err();
    assert!(matches!(err, VerifyError::RequestTimeTooSkewed { .. }));
    assert_eq!(err.oss_error_code(), "RequestTimeTooSkewed");
    let lenient = VerifyOptions::new(late).with_max_clock_skew(None);
    assert!(check(&sent(AUTH), &lenient).is_ok());
    let within = now() + time::Duration::minutes(14);
    assert!(check(&sent(AUTH), &VerifyOptions::new(within)).is_ok());
}

#[test]
fn malformed_and_missing_parts_are_typed() {
    let opts = VerifyOptions::new(now());
    let cases = [
        AUTH.replace("Credential=", "Cred="),
        AUTH.replace(",Signature=", ",Signature=zz"),
        AUTH.replace("aliyun_v4_request", "aws4_request"),
        AUTH.replace("/20250417/", "/20250418/"),
        AUTH.replace(
            ",Signature=b6305e929b97fce4ed869d6cfdd45c7f34a4546ad978c61fd21cd0945273f334",
            "",
        ),
        "OSS4-HMAC-SHA256".to_string(),
        "Bearer abc".to_string(),
    ];
    for auth in cases {
        let err = check(&sent(&auth), &opts).unwrap_err();
        assert!(
            matches!(err, VerifyError::Malformed { .. }),
            "{auth}: {err:?}"
        );
        assert_eq!(err.oss_error_code(), "InvalidArgument");
    }
    let unknown = AUTH.replace(AK, "SomeoneElse");
    let err = check(&sent(&unknown), &opts).unwrap_err();
    assert_eq!(
        err,
        VerifyError::UnknownAccessKeyId {
            access_key_id: "SomeoneElse".into()
        }
    );
    for missing in ["x-oss-date", "x-oss-content-sha256"] {
        let mut headers = sent(AUTH);
        headers.retain(|(k, _)| k != missing);
        let err = check(&headers, &opts).unwrap_err();
        assert!(
            matches!(err, VerifyError::MissingHeader { name } if name == missing),
            "{err:?}"
        );
    }
}

#[test]
fn presigned_urls_expire() {
    let creds = Credentials::new(AK, SK);
    let req = SignableRequest::new(
        "GET",
        Resource::Object {
            bucket: "b",
            key: "k",
        },
    );
    let p = v4::presign(
        &req,
        &SigningParams::new(&creds, "cn-hangzhou", now()),
        Duration::from_secs(60),
    )
    .unwrap();
    let q: Vec<(&str, Option<&str>)> = p
        .query_params()
        .iter()
        .map(|(k, v)| (*k, Some(v.as_str())))
        .collect();
    let received = req.with_query(&q);
    let lookup = |_: &str| Some(creds.clone());
    let at_expiry = now() + time::Duration::seconds(60);
    assert!(verify(&received, lookup, &VerifyOptions::new(at_expiry)).is_ok());
    let err = verify(
        &received,
        lookup,
        &VerifyOptions::new(at_expiry + time::Duration::seconds(1)),
    )
    .unwrap_err();
    assert_eq!(
        err,
        VerifyError::Expired {
            expires_at: at_expiry,
            now: at_expiry + time::Duration::seconds(1)
        }
    );
    assert_eq!(err.oss_error_code(), "AccessDenied");

    // A presign lifetime beyond 7 days is refused even if correctly signed elsewhere.
    let mut long = q.clone();
    for (k, v) in &mut long {
        if *k == "x-oss-expires" {
            *v = Some("604801");
        }
    }
    assert!(matches!(
        verify(&req.with_query(&long), lookup, &VerifyOptions::new(now())),
        Err(VerifyError::Malformed { .. })
    ));

    // V1 presigned URLs too.
    let p1 = v1::presign(&req, &V1Params::new(&creds, now()), Duration::from_secs(60)).unwrap();
    let q1: Vec<(&str, Option<&str>)> = p1
        .query_params()
        .iter()
        .map(|(k, v)| (*k, Some(v.as_str())))
        .collect();
    let received = req.with_query(&q1);
    assert!(verify(&received, lookup, &VerifyOptions::new(at_expiry)).is_ok());
    assert!(matches!(
        verify(
            &received,
            lookup,
            &VerifyOptions::new(at_expiry + time::Duration::seconds(1))
        ),
        Err(VerifyError::Expired { .. })
    ));
}

#[test]
fn v1_header_mismatch_and_missing_date() {
    let creds = Credentials::new(AK, SK);
    let headers = [("Content-Type", "text/plain")];
    let req = SignableRequest::new("PUT", Resource::Bucket("b")).with_headers(&headers);
    let sig = v1::sign_headers(&req, &V1Params::new(&creds, now())).unwrap();
    let mut sent: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    sent.extend(sig.headers().map(|(k, v)| (k.to_string(), v.to_string())));
    let lookup = |_: &str| Some(creds.clone());
    let opts = VerifyOptions::new(now());
    assert!(verify(&req.with_headers(&sent), lookup, &opts).is_ok());

    let mut changed = sent.clone();
    changed[0].1 = "text/html".into();
    match verify(&req.with_headers(&changed), lookup, &opts) {
        Err(VerifyError::SignatureDoesNotMatch {
            version: SignatureVersion::V1,
            canonical_request: None,
            string_to_sign,
        }) => assert_eq!(
            string_to_sign,
            "PUT\n\ntext/html\nThu, 17 Apr 2025 03:15:40 GMT\n/b/"
        ),
        other => panic!("{other:?}"),
    }
    let mut dateless = sent;
    dateless.retain(|(k, _)| k != "date");
    assert_eq!(
        verify(&req.with_headers(&dateless), lookup, &opts).unwrap_err(),
        VerifyError::MissingHeader { name: "date" }
    );
}
