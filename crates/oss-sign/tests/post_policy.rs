//! PostObject policy signatures against an independent implementation.
#![allow(missing_docs, clippy::unwrap_used)]

use oss_sign::post_policy::{self, PostForm};
use oss_sign::v4::SigningParams;
use oss_sign::verify::VerifyOptions;
use oss_sign::{Credentials, VerifyError};
use time::OffsetDateTime;

const POLICY: &str = r#"{"expiration":"2023-12-17T16:20:57.000Z","conditions":[{"bucket":"examplebucket"},{"x-oss-signature-version":"OSS4-HMAC-SHA256"},{"x-oss-credential":"ak/20231216/cn-hangzhou/oss/aliyun_v4_request"},{"x-oss-date":"20231216T162057Z"},["content-length-range",1,1024]]}"#;

/// Computed with CPython's `hmac`/`hashlib`/`base64` following the documented PostObject V4
/// algorithm (the same steps as the Go SDK v2 `sample/post_object.go`): signing key chain
/// `aliyun_v4`+secret → date → region → product → `aliyun_v4_request`, then
/// hex(HMAC-SHA256(key, base64(policy))).
const PYTHON_POLICY_B64: &str = "eyJleHBpcmF0aW9uIjoiMjAyMy0xMi0xN1QxNjoyMDo1Ny4wMDBaIiwiY29uZGl0aW9ucyI6W3siYnVja2V0IjoiZXhhbXBsZWJ1Y2tldCJ9LHsieC1vc3Mtc2lnbmF0dXJlLXZlcnNpb24iOiJPU1M0LUhNQUMtU0hBMjU2In0seyJ4LW9zcy1jcmVkZW50aWFsIjoiYWsvMjAyMzEyMTYvY24taGFuZ3pob3Uvb3NzL2FsaXl1bl92NF9yZXF1ZXN0In0seyJ4LW9zcy1kYXRlIjoiMjAyMzEyMTZUMTYyMDU3WiJ9LFsiY29udGVudC1sZW5ndGgtcmFuZ2UiLDEsMTAyNF1dfQ==";
const PYTHON_SIGNATURE: &str = "776b0706990a1c628f0defe52fe65c74a3176018f1f1aeb1d82ed11f0964fa40";

#[test]
fn policy_signature_matches_python_reference() {
    let creds = Credentials::new("ak", "sk");
    let now = OffsetDateTime::from_unix_timestamp(1_702_743_657).unwrap();
    let signed =
        post_policy::sign(POLICY, &SigningParams::new(&creds, "cn-hangzhou", now)).unwrap();
    assert_eq!(signed.policy(), PYTHON_POLICY_B64);
    assert_eq!(signed.signature(), PYTHON_SIGNATURE);
    assert_eq!(signed.x_oss_date(), "20231216T162057Z");
    assert_eq!(
        signed.credential(),
        "ak/20231216/cn-hangzhou/oss/aliyun_v4_request"
    );

    let form = PostForm {
        policy: PYTHON_POLICY_B64,
        signature_version: "OSS4-HMAC-SHA256",
        credential: signed.credential(),
        date: signed.x_oss_date(),
        signature: PYTHON_SIGNATURE,
        security_token: None,
    };
    let ok = post_policy::verify(&form, |_| Some(creds.clone()), &VerifyOptions::new(now)).unwrap();
    assert_eq!(ok.region.as_deref(), Some("cn-hangzhou"));

    let tampered = PostForm {
        policy: "e30=",
        ..form
    };
    let err = post_policy::verify(&tampered, |_| Some(creds.clone()), &VerifyOptions::new(now));
    assert!(matches!(
        err,
        Err(VerifyError::SignatureDoesNotMatch { .. })
    ));
    let unknown = post_policy::verify(&form, |_| None, &VerifyOptions::new(now));
    assert!(matches!(
        unknown,
        Err(VerifyError::UnknownAccessKeyId { .. })
    ));
}

#[test]
fn security_token_becomes_a_form_field() {
    let creds = Credentials::new("ak", "sk").with_security_token("tok");
    let now = OffsetDateTime::from_unix_timestamp(1_702_743_657).unwrap();
    let signed = post_policy::sign("{}", &SigningParams::new(&creds, "cn-hangzhou", now)).unwrap();
    assert!(
        signed
            .form_fields()
            .any(|(k, v)| k == "x-oss-security-token" && v == "tok")
    );
    assert!(!format!("{signed:?}").contains("tok\""));
}

/// V1 form signature, computed with CPython: base64(HMAC-SHA1(secret, base64(policy))).
#[test]
fn v1_policy_signature_matches_python_reference() {
    let creds = Credentials::new("ak", "sk");
    let policy =
        r#"{"expiration":"2023-12-17T16:20:57.000Z","conditions":[{"bucket":"examplebucket"}]}"#;
    let (b64, signature) = post_policy::sign_v1(policy, &creds).unwrap();
    assert_eq!(
        b64,
        "eyJleHBpcmF0aW9uIjoiMjAyMy0xMi0xN1QxNjoyMDo1Ny4wMDBaIiwiY29uZGl0aW9ucyI6W3siYnVja2V0IjoiZXhhbXBsZWJ1Y2tldCJ9XX0="
    );
    assert_eq!(signature, "Gk8C7AKrk5TIrHAXG52aEsOwRRs=");
    assert!(post_policy::verify_v1(&b64, "ak", &signature, |_| Some(creds.clone())).is_ok());
    assert!(matches!(
        post_policy::verify_v1("e30=", "ak", &signature, |_| Some(creds.clone())),
        Err(VerifyError::SignatureDoesNotMatch { .. })
    ));
    assert!(matches!(
        post_policy::verify_v1(&b64, "ak", "not base64!", |_| Some(creds.clone())),
        Err(VerifyError::Malformed { .. })
    ));
}
