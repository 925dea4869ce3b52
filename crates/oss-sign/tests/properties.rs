//! Properties of the signers and the verifier (proptest).
#![allow(missing_docs, clippy::unwrap_used)]

use std::time::Duration;

use oss_sign::encoding::{decode_component, decode_query, encode_query};
use oss_sign::request::{Resource, SignableRequest};
use oss_sign::v1::{self, V1Params};
use oss_sign::v4::{self, SigningParams};
use oss_sign::verify::{VerifyOptions, verify};
use oss_sign::{Credentials, post_policy};
use proptest::prelude::*;
use time::OffsetDateTime;

fn t0() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_744_859_740).unwrap()
}

/// Header names that V4 signs by default, or that are asked for as additional headers.
fn signed_name() -> impl Strategy<Value = String> {
    prop_oneof![
        "x-oss-meta-[a-z0-9]{1,8}".prop_map(|s| s),
        Just("content-type".to_string()),
        Just("content-md5".to_string()),
        Just("x-oss-acl".to_string()),
        Just("content-disposition".to_string()),
        Just("host".to_string()),
        Just("range".to_string()),
    ]
}

fn header_value() -> impl Strategy<Value = String> {
    "[ -~]{0,20}"
}

fn random_case(s: &str, mask: u64) -> String {
    s.chars()
        .enumerate()
        .map(|(i, c)| {
            if mask >> (i % 64) & 1 == 1 {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect()
}

fn v4_auth(
    method: &str,
    key: &str,
    query: &[(String, Option<String>)],
    headers: &[(String, String)],
    region: &str,
    time: OffsetDateTime,
) -> String {
    let creds = Credentials::new("ak", "sk");
    let req = SignableRequest::new(
        method,
        Resource::Object {
            bucket: "bucket",
            key,
        },
    )
    .with_query(query)
    .with_headers(headers);
    let additional = ["content-disposition", "host"];
    let params = SigningParams::new(&creds, region, time).with_additional_headers(&additional);
    v4::sign_headers(&req, &params)
        .unwrap()
        .signature()
        .to_string()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn header_name_case_and_order_do_not_change_the_signature(
        entries in proptest::collection::btree_map(signed_name(), header_value(), 0..8),
        masks in proptest::collection::vec(any::<u64>(), 8),
        seed in any::<u64>(),
    ) {
        let headers: Vec<(String, String)> = entries.into_iter().collect();
        let mut shuffled: Vec<(String, String)> = headers
            .iter()
            .zip(&masks)
            .map(|((k, v), m)| (random_case(k, *m), v.clone()))
            .collect();
        // A deterministic permutation from the seed.
        let n = shuffled.len();
        if n > 1 {
            for i in (1..n).rev() {
                let j = usize::try_from((seed.rotate_left(u32::try_from(i).unwrap()) ^ seed) % (i as u64 + 1)).unwrap();
                shuffled.swap(i, j);
            }
        }
        let a = v4_auth("PUT", "k", &[], &headers, "cn-hangzhou", t0());
        let b = v4_auth("PUT", "k", &[], &shuffled, "cn-hangzhou", t0());
        prop_assert_eq!(a, b);
        // Same for V1.
        let creds = Credentials::new("ak", "sk");
        let res = Resource::Object { bucket: "b", key: "k" };
        let v1a = v1::sign_headers(&SignableRequest::new("PUT", res).with_headers(&headers), &V1Params::new(&creds, t0())).unwrap();
        let v1b = v1::sign_headers(&SignableRequest::new("PUT", res).with_headers(&shuffled), &V1Params::new(&creds, t0())).unwrap();
        prop_assert_eq!(v1a.authorization(), v1b.authorization());
    }

    #[test]
    fn changing_a_signed_component_changes_the_signature(
        key in "[a-zA-Z0-9/_.-]{1,24}",
        key_pos in any::<prop::sample::Index>(),
        qval in "[a-z0-9]{0,8}",
        hval in "[a-z0-9]{1,8}",
        secs in 1i64..100_000,
        which in 0usize..6,
    ) {
        let query = vec![("versionId".to_string(), Some(qval.clone()))];
        let headers = vec![("x-oss-meta-a".to_string(), hval.clone())];
        let base = v4_auth("PUT", &key, &query, &headers, "cn-hangzhou", t0());
        let changed = match which {
            0 => v4_auth("POST", &key, &query, &headers, "cn-hangzhou", t0()),
            1 => {
                let mut bytes = key.as_bytes().to_vec();
                let i = key_pos.index(bytes.len());
                bytes[i] = if bytes[i] == b'x' { b'y' } else { b'x' };
                v4_auth("PUT", &String::from_utf8(bytes).unwrap(), &query, &headers, "cn-hangzhou", t0())
            }
            2 => {
                let q = vec![("versionId".to_string(), Some(format!("{qval}z")))];
                v4_auth("PUT", &key, &q, &headers, "cn-hangzhou", t0())
            }
            3 => {
                let h = vec![("x-oss-meta-a".to_string(), format!("{hval}z"))];
                v4_auth("PUT", &key, &query, &h, "cn-hangzhou", t0())
            }
            4 => v4_auth("PUT", &key, &query, &headers, "cn-hangzhou", t0() + time::Duration::seconds(secs)),
            _ => v4_auth("PUT", &key, &query, &headers, "cn-beijing", t0()),
        };
        prop_assert_ne!(base, changed);
    }

    #[test]
    fn query_encoding_round_trips(
        pairs in proptest::collection::vec((".{1,12}", proptest::option::of(".{0,12}")), 0..6),
    ) {
        let borrowed: Vec<(&str, Option<&str>)> =
            pairs.iter().map(|(k, v)| (k.as_str(), v.as_deref())).collect();
        let encoded = encode_query(&borrowed);
        prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%&=".contains(&b)));
        prop_assert_eq!(decode_query(&encoded), pairs.clone());
        for (k, v) in &pairs {
            prop_assert_eq!(&decode_component(&oss_sign::encoding::encode_query_component(k)), k);
            if let Some(v) = v {
                prop_assert_eq!(&decode_component(&oss_sign::encoding::encode_query_component(v)), v);
            }
        }
        // The canonical query line decodes back to the same parameters (empty = valueless).
        let creds = Credentials::new("ak", "sk");
        let req = SignableRequest::new("GET", Resource::Bucket("b")).with_query(&pairs);
        let (_, trace) = v4::sign_headers_traced(&req, &SigningParams::new(&creds, "r", t0())).unwrap();
        let line = trace.canonical_request.split('\n').nth(2).unwrap();
        let mut got: Vec<(String, String)> = decode_query(line)
            .into_iter()
            .map(|(k, v)| (k, v.unwrap_or_default()))
            .collect();
        let mut want: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.clone(), v.clone().unwrap_or_default()))
            .collect();
        got.sort();
        want.sort();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn signed_requests_verify_and_tampered_ones_do_not(
        key in ".{0,24}",
        pairs in proptest::collection::vec(("[a-zA-Z-]{1,8}", proptest::option::of(".{0,8}")), 0..4),
        meta in "[ -~]{0,16}",
    ) {
        let creds = Credentials::new("ak", "sk").with_security_token("tok");
        let headers = vec![("x-oss-meta-m".to_string(), meta)];
        let res = Resource::Object { bucket: "b", key: &key };
        let req = SignableRequest::new("GET", res).with_query(&pairs).with_headers(&headers);
        let sig = v4::sign_headers(&req, &SigningParams::new(&creds, "cn-hangzhou", t0())).unwrap();
        let mut sent = headers.clone();
        sent.extend(sig.headers().map(|(k, v)| (k.to_string(), v.to_string())));
        let lookup = |_: &str| Some(creds.clone());
        prop_assert!(verify(&req.with_headers(&sent), lookup, &VerifyOptions::new(t0())).is_ok());
        let tampered = SignableRequest::new("HEAD", res).with_query(&pairs).with_headers(&sent);
        prop_assert!(verify(&tampered, lookup, &VerifyOptions::new(t0())).is_err());

        let p = v4::presign(&req, &SigningParams::new(&creds, "cn-hangzhou", t0()), Duration::from_secs(60)).unwrap();
        let mut q = pairs.clone();
        q.extend(p.query_params().iter().map(|(k, v)| (k.to_string(), Some(v.clone()))));
        prop_assert!(verify(&req.with_query(&q), lookup, &VerifyOptions::new(t0())).is_ok());
    }

    #[test]
    fn no_input_panics(
        method in ".{0,8}",
        bucket in ".{0,12}",
        key in ".{0,24}",
        region in ".{0,12}",
        product in ".{0,12}",
        ak in ".{0,8}",
        sk in ".{0,8}",
        token in proptest::option::of(".{0,8}"),
        headers in proptest::collection::vec((".{0,12}", ".{0,12}"), 0..6),
        query in proptest::collection::vec((".{0,12}", proptest::option::of(".{0,12}")), 0..6),
        additional in proptest::collection::vec(".{0,10}", 0..3),
        unix in -100_000_000_000i64..300_000_000_000,
        expires in any::<u64>(),
        auth in ".{0,120}",
        raw_query in ".{0,120}",
        account in proptest::option::of(".{0,6}"),
    ) {
        let Ok(time) = OffsetDateTime::from_unix_timestamp(unix) else { return Ok(()); };
        let mut creds = Credentials::new(ak, sk);
        if let Some(t) = token {
            creds = creds.with_security_token(t);
        }
        let resources = [
            Resource::Service,
            Resource::Bucket(&bucket),
            Resource::Object { bucket: &bucket, key: &key },
            Resource::Vector { account_id: account.as_deref().unwrap_or(""), bucket: Some(&bucket), key: Some(&key) },
        ];
        let add: Vec<&str> = additional.iter().map(String::as_str).collect();
        for res in resources {
            let req = SignableRequest::new(&method, res).with_query(&query).with_headers(&headers);
            let params = SigningParams::new(&creds, &region, time)
                .with_product(&product)
                .with_additional_headers(&add);
            let _ = v4::sign_headers_traced(&req, &params);
            let _ = v4::presign_traced(&req, &params, Duration::from_secs(expires % 1_000_000));
            let _ = v4::presign(&req, &params, Duration::from_secs(expires));
            let _ = v1::sign_headers_traced(&req, &V1Params::new(&creds, time).with_sub_resources(&add));
            let _ = v1::presign(&req, &V1Params::new(&creds, time), Duration::from_secs(expires));
            let _ = post_policy::sign(&auth, &params);
            let _ = res.canonical_uri(&region);

            // Verification of arbitrary Authorization headers and presign queries.
            let mut with_auth = headers.clone();
            with_auth.push(("Authorization".into(), auth.clone()));
            with_auth.push(("x-oss-date".into(), raw_query.chars().take(16).collect()));
            with_auth.push(("Date".into(), raw_query.clone()));
            with_auth.push(("x-oss-content-sha256".into(), "UNSIGNED-PAYLOAD".into()));
            let lookup = |_: &str| Some(creds.clone());
            let opts = VerifyOptions::new(time);
            let _ = verify(&req.with_headers(&with_auth), lookup, &opts);
            for prefix in ["OSS4-HMAC-SHA256 ", "OSS4-HMAC-SHA256 Credential=a/20250417/r/p/aliyun_v4_request,Signature=", "OSS "] {
                let mut h = with_auth.clone();
                h.retain(|(k, _)| k != "Authorization");
                h.push(("Authorization".into(), format!("{prefix}{auth}")));
                let _ = verify(&req.with_headers(&h), lookup, &opts);
            }
            let decoded = decode_query(&raw_query);
            let _ = verify(&req.with_query(&decoded), lookup, &opts);
            let mut v4q = decoded.clone();
            v4q.push(("x-oss-signature-version".into(), Some("OSS4-HMAC-SHA256".into())));
            for (k, v) in [("x-oss-credential", "a/20250417/r/p/aliyun_v4_request"), ("x-oss-date", "20250417T031540Z"), ("x-oss-expires", &auth), ("x-oss-signature", &auth)] {
                v4q.push((k.into(), Some(v.to_string())));
            }
            let _ = verify(&req.with_query(&v4q), lookup, &opts);
            let mut v1q = decoded;
            v1q.push(("OSSAccessKeyId".into(), Some(auth.clone())));
            v1q.push(("Expires".into(), Some(raw_query.clone())));
            v1q.push(("Signature".into(), Some(auth.clone())));
            let _ = verify(&req.with_query(&v1q), lookup, &opts);
        }
        let form = post_policy::PostForm {
            policy: &raw_query,
            signature_version: "OSS4-HMAC-SHA256",
            credential: &auth,
            date: &raw_query,
            signature: &auth,
            security_token: None,
        };
        let _ = post_policy::verify(&form, |_| Some(creds.clone()), &VerifyOptions::new(time));
    }

    #[test]
    fn opaque_header_bytes_sign_and_verify(
        values in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..16), 1..4),
        auth in proptest::collection::vec(any::<u8>(), 0..40),
    ) {
        let creds = Credentials::new("ak", "sk");
        let mut map = http::HeaderMap::new();
        for (i, v) in values.iter().enumerate() {
            if let Ok(value) = http::HeaderValue::from_bytes(v) {
                map.append(
                    http::HeaderName::from_bytes(format!("x-oss-meta-{i}").as_bytes()).unwrap(),
                    value,
                );
            }
        }
        let res = Resource::Object { bucket: "b", key: "k" };
        let req = SignableRequest::new("PUT", res).with_headers(&map);
        let params = SigningParams::new(&creds, "cn-hangzhou", t0());
        let sig = v4::sign_headers(&req, &params).unwrap();
        let mut sent = map.clone();
        sig.apply_to(&mut sent).unwrap();
        let lookup = |_: &str| Some(creds.clone());
        prop_assert!(verify(&req.with_headers(&sent), lookup, &VerifyOptions::new(t0())).is_ok());
        let _ = v1::sign_headers(&req, &V1Params::new(&creds, t0())).unwrap();
        if let Ok(value) = http::HeaderValue::from_bytes(&auth) {
            sent.insert(http::header::AUTHORIZATION, value);
            let _ = verify(&req.with_headers(&sent), lookup, &VerifyOptions::new(t0()));
        }
    }
}
