//! Every signing vector from the official Go SDK v2 tests (`v4.json`, `v1.json`,
//! `vectors-arn.json`) and from the official Python SDK v2 / oss2 (`python-sdk/`): our signers
//! must reproduce them, and our verifier must accept the requests they signed.
#![allow(missing_docs, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::time::Duration;

use oss_sign::encoding::decode_query;
use oss_sign::request::{Resource, SignableRequest};
use oss_sign::v1::{self, V1Params};
use oss_sign::v4::{self, SigningParams};
use oss_sign::verify::{VerifyOptions, verify};
use oss_sign::{Credentials, SignatureVersion, SigningKeyCache, VerifyError};
use serde_json::Value;
use time::OffsetDateTime;

fn load(name: &str) -> Value {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn load_jsonl(name: &str) -> Vec<Value> {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap()
}

fn unix(v: &Value) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(v.as_i64().unwrap()).unwrap()
}

fn creds_of(case: &Value) -> Credentials {
    let c = Credentials::new(s(&case["access_key_id"]), s(&case["access_key_secret"]));
    match case.get("security_token").and_then(Value::as_str) {
        Some(t) => c.with_security_token(t),
        None => c,
    }
}

fn header_pairs(v: &Value) -> Vec<(String, String)> {
    v.as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), s(v).to_string()))
                .collect()
        })
        .unwrap_or_default()
}

fn header_map(pairs: &[(String, String)]) -> http::HeaderMap {
    let mut map = http::HeaderMap::new();
    for (k, v) in pairs {
        map.append(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    map
}

/// `[[k, v], ...]` or `{k: v}` with null for valueless.
fn query_pairs(v: &Value) -> Vec<(String, Option<String>)> {
    match v {
        Value::Array(items) => items
            .iter()
            .map(|p| (s(&p[0]).to_string(), p[1].as_str().map(str::to_string)))
            .collect(),
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().map(str::to_string)))
            .collect(),
        _ => Vec::new(),
    }
}

/// Replaces (case-insensitively) or adds headers.
fn with_headers<K: AsRef<str>, V: AsRef<str>>(
    base: &[(String, String)],
    added: impl IntoIterator<Item = (K, V)>,
) -> Vec<(String, String)> {
    let mut out = base.to_vec();
    for (k, v) in added {
        let (k, v) = (k.as_ref(), v.as_ref());
        out.retain(|(n, _)| !n.eq_ignore_ascii_case(k));
        out.push((k.to_string(), v.to_string()));
    }
    out
}

/// A multiset of query pairs with valueless and empty values treated alike.
fn query_set(pairs: &[(String, Option<String>)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.clone(), v.clone().unwrap_or_default()))
        .collect();
    v.sort();
    v
}

fn sha256_hex(data: &str) -> String {
    ring::digest::digest(&ring::digest::SHA256, data.as_bytes())
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn lookup_for(creds: &Credentials) -> impl FnOnce(&str) -> Option<Credentials> + '_ {
    move |ak| (ak == creds.access_key_id()).then(|| creds.clone())
}

// ---------------------------------------------------------------- Go SDK v2: v4.json

#[test]
fn go_v4_vectors() {
    let doc = load("v4.json");
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 11);
    let cache = SigningKeyCache::new();
    let mut checked = 0;
    for case in cases {
        let id = s(&case["id"]);
        let creds = creds_of(case);
        let headers = header_pairs(&case["headers"]);
        let map = header_map(&headers);
        let query = query_pairs(&case["query_decoded"]);
        let resource = Resource::Object {
            bucket: s(&case["bucket"]),
            key: s(&case["key"]),
        };
        let additional: Vec<&str> = case["additional_headers"]
            .as_array()
            .map(|a| a.iter().map(s).collect())
            .unwrap_or_default();
        let now = unix(&case["unix_time"]);
        let params = SigningParams::new(&creds, s(&case["region"]), now)
            .with_product(s(&case["product"]))
            .with_additional_headers(&additional);
        let cached = params.with_key_cache(&cache);
        let expect = &case["expect"];
        let req = SignableRequest::new(s(&case["method"]), resource)
            .with_query(&query)
            .with_headers(&headers);
        let req_map = req.with_headers(&map);
        match s(&case["mode"]) {
            "header" => {
                let (sig, trace) = v4::sign_headers_traced(&req, &params).unwrap();
                assert_eq!(sig.authorization(), s(&expect["authorization"]), "{id}");
                // Same result from a HeaderMap view and with a cached key.
                assert_eq!(v4::sign_headers(&req_map, &cached).unwrap(), sig, "{id}");
                assert_eq!(v4::sign_headers(&req_map, &cached).unwrap(), sig, "{id}");
                if let Some(cr) = expect.get("canonical_request") {
                    assert_eq!(trace.canonical_request, s(cr), "{id}");
                }
                if let Some(h) = expect.get("canonical_request_sha256") {
                    assert_eq!(sha256_hex(&trace.canonical_request), s(h), "{id}");
                }
                if let Some(sts) = expect.get("string_to_sign") {
                    assert_eq!(trace.string_to_sign, s(sts), "{id}");
                }
                if let Some(d) = expect.get("x-oss-date") {
                    assert_eq!(sig.x_oss_date(), s(d), "{id}");
                }
                // The server accepts what was signed.
                let sent = with_headers(&headers, sig.headers());
                let received = req.with_headers(&sent);
                let ok = verify(&received, lookup_for(&creds), &VerifyOptions::new(now)).unwrap();
                assert_eq!(ok.version, SignatureVersion::V4, "{id}");
                assert_eq!(ok.security_token.as_deref(), creds.security_token(), "{id}");
                // And rejects it with another secret.
                let other = Credentials::new("ak", "other");
                let err = verify(&received, |_| Some(other), &VerifyOptions::new(now));
                assert!(
                    matches!(err, Err(VerifyError::SignatureDoesNotMatch { .. })),
                    "{id}"
                );
            }
            "presign" => {
                let expires = unix(&case["expiration_unix_time"]) - now;
                let expires = Duration::from_secs(expires.whole_seconds().try_into().unwrap());
                let (signed, trace) = v4::presign_traced(&req, &params, expires).unwrap();
                assert_eq!(
                    v4::presign(&req_map, &cached, expires).unwrap(),
                    signed,
                    "{id}"
                );
                for name in [
                    "x-oss-date",
                    "x-oss-expires",
                    "x-oss-signature",
                    "x-oss-credential",
                    "x-oss-signature-version",
                    "x-oss-additional-headers",
                ] {
                    let got = signed
                        .query_params()
                        .iter()
                        .find(|(k, _)| *k == name)
                        .map(|(_, v)| v.as_str());
                    assert_eq!(got, expect.get(name).map(s), "{id} {name}");
                }
                if let Some(cr) = expect.get("canonical_request") {
                    assert_eq!(trace.canonical_request, s(cr), "{id}");
                }
                if let Some(h) = expect.get("canonical_request_sha256") {
                    assert_eq!(sha256_hex(&trace.canonical_request), s(h), "{id}");
                }
                let mut full = query.clone();
                full.extend(
                    signed
                        .query_params()
                        .iter()
                        .map(|(k, v)| (k.to_string(), Some(v.clone()))),
                );
                if let Some(fq) = expect.get("final_query") {
                    assert_eq!(query_set(&full), query_set(&decode_query(s(fq))), "{id}");
                }
                // Signed headers the caller must send: the case's default-signed ones.
                let names: Vec<&str> = signed
                    .signed_headers()
                    .iter()
                    .map(|(k, _)| k.as_str())
                    .collect();
                assert!(
                    names.contains(&"content-type") && names.contains(&"x-oss-head1"),
                    "{id}"
                );
                // The server accepts the presigned request until it expires.
                let received = req.with_query(&full);
                let ok = verify(&received, lookup_for(&creds), &VerifyOptions::new(now)).unwrap();
                assert!(ok.presigned, "{id}");
                let late = signed.expires_at() + time::Duration::seconds(1);
                let err = verify(&received, lookup_for(&creds), &VerifyOptions::new(late));
                assert!(matches!(err, Err(VerifyError::Expired { .. })), "{id}");
            }
            other => panic!("unknown mode {other}"),
        }
        checked += 1;
    }
    assert_eq!(checked, 11);
}

// ---------------------------------------------------------------- Go SDK v2: v1.json

#[test]
fn go_v1_vectors() {
    let doc = load("v1.json");
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 6);
    for case in cases {
        let id = s(&case["id"]);
        let creds = creds_of(case);
        let headers = header_pairs(&case["headers"]);
        let query = query_pairs(&case["query"]);
        let resource = match case["key"].as_str() {
            Some(key) => Resource::Object {
                bucket: s(&case["bucket"]),
                key,
            },
            None => Resource::Bucket(s(&case["bucket"])),
        };
        let subs: Vec<&str> = case["operation_sub_resources"]
            .as_array()
            .map(|a| a.iter().map(s).collect())
            .unwrap_or_default();
        let expect = &case["expect"];
        let req = SignableRequest::new(s(&case["method"]), resource)
            .with_query(&query)
            .with_headers(&headers);
        match s(&case["mode"]) {
            "header" => {
                let now = time::OffsetDateTime::parse(
                    s(&case["date"]),
                    &time::format_description::well_known::Rfc2822,
                )
                .unwrap();
                let params = V1Params::new(&creds, now).with_sub_resources(&subs);
                let (sig, sts) = v1::sign_headers_traced(&req, &params).unwrap();
                assert_eq!(sts, s(&expect["string_to_sign"]), "{id}");
                assert_eq!(sig.authorization(), s(&expect["authorization"]), "{id}");
                assert_eq!(sig.date(), s(&case["date"]), "{id}");
                let sent = with_headers(&headers, sig.headers());
                let opts = VerifyOptions::new(now).with_v1_sub_resources(&subs);
                let ok = verify(&req.with_headers(&sent), lookup_for(&creds), &opts).unwrap();
                assert_eq!(ok.version, SignatureVersion::V1, "{id}");
            }
            "presign" => {
                let expires_at = unix(&case["expires_unix_time"]);
                let now = expires_at - time::Duration::seconds(900);
                let params = V1Params::new(&creds, now).with_sub_resources(&subs);
                let (signed, sts) =
                    v1::presign_traced(&req, &params, Duration::from_secs(900)).unwrap();
                assert_eq!(sts, s(&expect["string_to_sign"]), "{id}");
                assert_eq!(signed.expires_at(), expires_at, "{id}");
                let url = s(&expect["url"]);
                let expected_query = decode_query(url.split_once('?').unwrap().1);
                let mut full = query.clone();
                full.extend(
                    signed
                        .query_params()
                        .iter()
                        .map(|(k, v)| (k.to_string(), Some(v.clone()))),
                );
                assert_eq!(query_set(&full), query_set(&expected_query), "{id}");
                let opts = VerifyOptions::new(now).with_v1_sub_resources(&subs);
                let received = req.with_query(&expected_query);
                let ok = verify(&received, lookup_for(&creds), &opts).unwrap();
                assert!(ok.presigned, "{id}");
                assert_eq!(ok.security_token.as_deref(), creds.security_token(), "{id}");
            }
            other => panic!("unknown mode {other}"),
        }
    }
}

// ---------------------------------------------------------------- vectors-arn.json

#[test]
fn vector_bucket_arn_uris() {
    let doc = load("vectors-arn.json");
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 4);
    let creds = Credentials::new("ak", "sk");
    let now = OffsetDateTime::from_unix_timestamp(1_702_743_657).unwrap();
    for case in cases {
        let resource = Resource::Vector {
            account_id: "123",
            bucket: case["bucket"].as_str(),
            key: case["key"].as_str(),
        };
        let want = s(&case["canonical_uri"]);
        assert_eq!(resource.resource_path("cn-hangzhou"), want);
        // Signing uses it, percent-encoded like every canonical URI, and verification agrees.
        let req = SignableRequest::new("GET", resource);
        let params = SigningParams::new(&creds, "cn-hangzhou", now);
        let (sig, trace) = v4::sign_headers_traced(&req, &params).unwrap();
        let uri_line = trace.canonical_request.lines().nth(1).unwrap();
        assert_eq!(uri_line, oss_sign::encoding::encode_path(want));
        let sent = with_headers(&[], sig.headers());
        verify(
            &req.with_headers(&sent),
            lookup_for(&creds),
            &VerifyOptions::new(now),
        )
        .unwrap();
    }
}

// ---------------------------------------------------------------- python-sdk/

fn python_time(v: &Value) -> OffsetDateTime {
    if let Some(n) = v.as_i64() {
        return OffsetDateTime::from_unix_timestamp(n).unwrap();
    }
    let text = s(v);
    if text.ends_with("GMT") {
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc2822).unwrap()
    } else {
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).unwrap()
    }
}

#[test]
fn python_sdk_vectors() {
    let requests = load_jsonl("python-sdk/requests.jsonl");
    let signed: BTreeMap<String, Value> = load_jsonl("python-sdk/signed.jsonl")
        .into_iter()
        .map(|v| (s(&v["id"]).to_string(), v))
        .collect();
    assert_eq!(requests.len(), 6);
    let (mut v4_header, mut v4_oss2, mut v4_presign, mut v1_header, mut v1_presign) =
        (0, 0, 0, 0, 0);
    for rq in &requests {
        let id = s(&rq["id"]);
        let out = &signed[id];
        let creds = creds_of(rq);
        let headers = header_pairs(&rq["headers"]);
        let query = query_pairs(&rq["query"]);
        let resource = match rq.get("key").and_then(Value::as_str) {
            Some(key) => Resource::Object {
                bucket: s(&rq["bucket"]),
                key,
            },
            None => Resource::Bucket(s(&rq["bucket"])),
        };
        let additional: Vec<&str> = rq["additional_headers"]
            .as_array()
            .map(|a| a.iter().map(s).collect())
            .unwrap_or_default();
        let now = python_time(&rq["time"]);
        let req = SignableRequest::new(s(&rq["method"]), resource)
            .with_query(&query)
            .with_headers(&headers);
        let params =
            SigningParams::new(&creds, s(&rq["region"]), now).with_additional_headers(&additional);
        let opts = VerifyOptions::new(now);

        // V4 header signing (alibabacloud-oss-v2).
        let v4e = &out["v4"];
        let (sig, trace) = v4::sign_headers_traced(&req, &params).unwrap();
        assert_eq!(
            trace.canonical_request,
            s(&v4e["canonical_request"]),
            "{id}"
        );
        assert_eq!(trace.string_to_sign, s(&v4e["string_to_sign"]), "{id}");
        assert_eq!(sig.authorization(), s(&v4e["authorization"]), "{id}");
        assert_eq!(sig.x_oss_date(), s(&v4e["x-oss-date"]), "{id}");
        let sent = header_pairs(&v4e["headers"]);
        let received = req.with_headers(&sent);
        let ok = verify(&received, lookup_for(&creds), &opts).unwrap();
        assert_eq!(ok.access_key_id, creds.access_key_id(), "{id}");
        v4_header += 1;

        // oss2 signs the same canonical request but writes `, ` separators (and may put
        // AdditionalHeaders last): the verifier must accept it.
        let o2 = &out["v4_oss2"];
        assert_eq!(trace.canonical_request, s(&o2["canonical_request"]), "{id}");
        let oss2_sent = with_headers(&sent, [("Authorization", s(&o2["authorization"]))]);
        verify(&req.with_headers(&oss2_sent), lookup_for(&creds), &opts).unwrap();
        v4_oss2 += 1;

        // V4 presign.
        if let Some(pe) = out.get("v4_presign") {
            let expires = Duration::from_secs(rq["presign_expires"].as_u64().unwrap());
            let (p, ptrace) = v4::presign_traced(&req, &params, expires).unwrap();
            assert_eq!(
                ptrace.canonical_request,
                s(&pe["canonical_request"]),
                "{id}"
            );
            assert_eq!(ptrace.string_to_sign, s(&pe["string_to_sign"]), "{id}");
            let expected = query_pairs(&pe["query_params"]);
            let mut full = query.clone();
            full.extend(
                p.query_params()
                    .iter()
                    .map(|(k, v)| (k.to_string(), Some(v.clone()))),
            );
            assert_eq!(query_set(&full), query_set(&expected), "{id}");
            // The wire query of the Python SDK decodes to the same parameters.
            assert_eq!(
                query_set(&decode_query(s(&pe["query_raw"]))),
                query_set(&expected),
                "{id}"
            );
            let ok = verify(&req.with_query(&expected), lookup_for(&creds), &opts).unwrap();
            assert!(ok.presigned, "{id}");
            v4_presign += 1;
        }

        // V1 header signing: oss2 signs the security token header.
        let v1e = &out["v1"];
        let v1_params = V1Params::new(&creds, now);
        let (v1sig, sts) = v1::sign_headers_traced(&req, &v1_params).unwrap();
        assert_eq!(sts, s(&v1e["string_to_sign"]), "{id}");
        assert_eq!(v1sig.authorization(), s(&v1e["authorization"]), "{id}");
        assert_eq!(v1sig.date(), s(&v1e["date"]), "{id}");
        let v1_sent = header_pairs(&v1e["signed_headers"]);
        verify(&req.with_headers(&v1_sent), lookup_for(&creds), &opts).unwrap();
        // alibabacloud-oss-v2 1.4.1 leaves the token header out of its V1 string to sign.
        let sdk2 = &out["v1_sdk_v2"];
        let tokenless = Credentials::new(creds.access_key_id(), creds.access_key_secret());
        let (sig2, sts2) = v1::sign_headers_traced(&req, &V1Params::new(&tokenless, now)).unwrap();
        assert_eq!(sts2, s(&sdk2["string_to_sign"]), "{id}");
        assert_eq!(sig2.authorization(), s(&sdk2["authorization"]), "{id}");
        v1_header += 1;

        // V1 presign.
        if let Some(pe) = out.get("v1_presign") {
            let expires = Duration::from_secs(rq["presign_expires"].as_u64().unwrap());
            let p = v1::presign(&req, &v1_params, expires).unwrap();
            let expected = query_pairs(&pe["query_params"]);
            let mut full = query.clone();
            full.extend(
                p.query_params()
                    .iter()
                    .map(|(k, v)| (k.to_string(), Some(v.clone()))),
            );
            assert_eq!(query_set(&full), query_set(&expected), "{id}");
            let ok = verify(&req.with_query(&expected), lookup_for(&creds), &opts).unwrap();
            assert_eq!(ok.version, SignatureVersion::V1, "{id}");
            v1_presign += 1;
        }
    }
    assert_eq!(
        (v4_header, v4_oss2, v4_presign, v1_header, v1_presign),
        (6, 6, 3, 6, 3)
    );
}
