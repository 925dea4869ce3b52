//! Client overhead per request on loopback: build, sign (V4 and V1), send over a pooled
//! connection, read the response, against a minimal local HTTP/1.1 server that answers 200 at
//! once. Prints criterion's estimates (median included).
#![allow(missing_docs)]

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use oss_client::credentials::StaticProvider;
use oss_client::{Client, Config, SignatureVersion};

/// Serves `200 OK` with a request id to every request, reading (and dropping) the body.
fn start_server(rt: &tokio::runtime::Runtime) -> u16 {
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    rt.spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let service = hyper::service::service_fn(
                    |req: http::Request<hyper::body::Incoming>| async move {
                        use http_body_util::BodyExt as _;
                        let _ = req.into_body().collect().await;
                        let mut response =
                            http::Response::new(http_body_util::Empty::<Bytes>::new());
                        response
                            .headers_mut()
                            .insert("x-oss-request-id", http::HeaderValue::from_static("bench"));
                        Ok::<_, Infallible>(response)
                    },
                );
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    port
}

fn client(port: u16, version: SignatureVersion) -> Client {
    Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .endpoint(format!("http://127.0.0.1:{port}"))
            .credentials(StaticProvider::from_keys("bench-ak", "bench-sk"))
            .signature_version(version)
            .build()
            .expect("config"),
    )
}

fn roundtrip(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let port = start_server(&rt);
    let mut group = c.benchmark_group("client_roundtrip");
    group.measurement_time(Duration::from_secs(5));
    for version in [SignatureVersion::V4, SignatureVersion::V1] {
        let client = client(port, version);
        group.bench_function(format!("delete_object_{version}"), |b| {
            b.iter(|| {
                rt.block_on(client.delete_object().bucket("bench").key("k").send())
                    .expect("delete")
            });
        });
    }
    let client = Arc::new(client(port, SignatureVersion::V4));
    let payload = Bytes::from(vec![7u8; 1 << 20]);
    group.throughput(Throughput::Bytes(payload.len() as u64));
    group.bench_function("put_object_1MiB_V4", |b| {
        b.iter(|| {
            rt.block_on(
                client
                    .put_object()
                    .bucket("bench")
                    .key("k")
                    .body(payload.clone())
                    .send(),
            )
            .expect("put")
        });
    });
    group.finish();
}

criterion_group!(benches, roundtrip);
criterion_main!(benches);
