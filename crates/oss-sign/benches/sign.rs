//! Signing speed: V4 header signing of a typical PutObject (cold and cached key), V4 presign,
//! V1 header signing. Run with `cargo bench -p oss-sign`.
#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use http::HeaderMap;
use oss_sign::request::{Resource, SignableRequest};
use oss_sign::v1::{self, V1Params};
use oss_sign::v4::{self, SigningParams};
use oss_sign::{Credentials, SigningKeyCache};
use time::OffsetDateTime;

fn put_object_headers() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(
        "host",
        "examplebucket.oss-cn-hangzhou.aliyuncs.com"
            .parse()
            .unwrap(),
    );
    h.insert("content-type", "image/jpeg".parse().unwrap());
    h.insert("content-length", "1048576".parse().unwrap());
    h.insert("content-md5", "eB5eJF1ptWaXm4bijSPyxw==".parse().unwrap());
    h.insert("x-oss-meta-author", "alice".parse().unwrap());
    h.insert("x-oss-storage-class", "Standard".parse().unwrap());
    h.insert("user-agent", "oss-rs/0.1.0".parse().unwrap());
    h
}

fn bench(c: &mut Criterion) {
    let creds = Credentials::new(
        "LTAI5tExampleAccessKeyId",
        "ExampleAccessKeySecret0123456789",
    );
    let now = OffsetDateTime::from_unix_timestamp(1_744_859_740).unwrap();
    let headers = put_object_headers();
    let resource = Resource::Object {
        bucket: "examplebucket",
        key: "photos/2025/04/17/IMG_0001.jpg",
    };
    let req = SignableRequest::new("PUT", resource).with_headers(&headers);
    let cache = SigningKeyCache::new();
    let cold = SigningParams::new(&creds, "cn-hangzhou", now);
    let cached = cold.with_key_cache(&cache);

    // The floor: one SHA-256 of a canonical-request-sized input and one HMAC-SHA256 of a
    // string-to-sign-sized input with a ready key.
    let canonical = v4::sign_headers_traced(&req, &cached).unwrap().1;
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &[7u8; 32]);
    c.bench_function("floor_sha256_plus_hmac", |b| {
        b.iter(|| {
            let d = ring::digest::digest(
                &ring::digest::SHA256,
                black_box(canonical.canonical_request.as_bytes()),
            );
            let t = ring::hmac::sign(&key, black_box(canonical.string_to_sign.as_bytes()));
            (d, t)
        });
    });
    c.bench_function("v4_put_object_cold_key", |b| {
        b.iter(|| v4::sign_headers(black_box(&req), black_box(&cold)).unwrap());
    });
    c.bench_function("v4_put_object_cached_key", |b| {
        b.iter(|| v4::sign_headers(black_box(&req), black_box(&cached)).unwrap());
    });
    let get = SignableRequest::new("GET", resource);
    c.bench_function("v4_presign_get_object_cached_key", |b| {
        b.iter(|| {
            v4::presign(
                black_box(&get),
                black_box(&cached),
                Duration::from_secs(900),
            )
            .unwrap()
        });
    });
    let v1_params = V1Params::new(&creds, now);
    c.bench_function("v1_put_object", |b| {
        b.iter(|| v1::sign_headers(black_box(&req), black_box(&v1_params)).unwrap());
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
