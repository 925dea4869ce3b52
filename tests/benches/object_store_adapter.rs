//! The adapter's cost over the client: the same get, ranged get and multipart put through
//! `OssObjectStore` and through `oss_client::Client` directly, against the in-process emulator
//! (in memory), alternating the two so both see the same machine load. Prints medians.
//!
//! `cargo bench -p oss-tests --bench object_store_adapter` (`-- --iterations N`, default 15).
//! It lives in `oss-tests` rather than beside the adapter so that its release build does not
//! compile the adapter's test-only dependencies (parquet).

use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::{StreamExt as _, TryStreamExt as _};
use object_store::path::Path;
use object_store::{ObjectStoreExt, WriteMultipart};
use oss_client::credentials::StaticProvider;
use oss_client::{Client, Config};
use oss_emulator::{Emulator, EmulatorConfig};
use oss_object_store::OssObjectStore;

const OBJECT: usize = 32 << 20;
const RANGE: u64 = 1 << 20;
const PART: usize = 8 << 20;
const PUT: usize = 64 << 20;
const CONCURRENCY: usize = 4;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

struct Case {
    name: &'static str,
    bytes: usize,
    client: Vec<Duration>,
    adapter: Vec<Duration>,
}

async fn timed<F: std::future::Future<Output = Result<(), BoxError>>>(
    f: F,
) -> Result<Duration, BoxError> {
    let start = Instant::now();
    f.await?;
    Ok(start.elapsed())
}

async fn client_get(client: &Client, key: &str, range: Option<String>) -> Result<(), BoxError> {
    let request = client.get_object().bucket("bench").key(key);
    let n = match range {
        // Like the adapter's `get_range`, a ranged read ends as one contiguous `Bytes`.
        Some(r) => {
            let (_, body) = request.range(r).range_behavior("standard").send().await?;
            body.collect().await?.len()
        }
        None => {
            let (_, body) = request.send().await?;
            let mut body = std::pin::pin!(body);
            let mut n = 0;
            while let Some(chunk) = body.next().await {
                n += chunk?.len();
            }
            n
        }
    };
    std::hint::black_box(n);
    Ok(())
}

async fn adapter_get(
    store: &OssObjectStore,
    path: &Path,
    range: Option<u64>,
) -> Result<(), BoxError> {
    let n = match range {
        Some(start) => store.get_range(path, start..start + RANGE).await?.len(),
        None => {
            let mut n = 0;
            let mut stream = store.get(path).await?.into_stream();
            while let Some(chunk) = stream.try_next().await? {
                n += chunk.len();
            }
            n
        }
    };
    std::hint::black_box(n);
    Ok(())
}

async fn client_multipart(client: &Client, data: &Bytes) -> Result<(), BoxError> {
    let id = client
        .initiate_multipart_upload()
        .bucket("bench")
        .key("put-client")
        .send()
        .await?
        .upload_id;
    let parts: Vec<oss_model::CompletedPart> = futures_util::stream::iter(0..data.len() / PART)
        .map(|i| {
            let id = id.clone();
            async move {
                let out = client
                    .upload_part()
                    .bucket("bench")
                    .key("put-client")
                    .upload_id(id)
                    .part_number(i as i64 + 1)
                    .body(data.slice(i * PART..(i + 1) * PART))
                    .send()
                    .await?;
                Ok::<_, BoxError>(oss_model::CompletedPart {
                    part_number: i as i64 + 1,
                    etag: out.etag.unwrap_or_default(),
                })
            }
        })
        .buffered(CONCURRENCY)
        .try_collect()
        .await?;
    client
        .complete_multipart_upload()
        .bucket("bench")
        .key("put-client")
        .upload_id(id)
        .parts(oss_model::CompleteMultipartUpload { parts })
        .send()
        .await?;
    Ok(())
}

async fn adapter_multipart(store: &OssObjectStore, data: &Bytes) -> Result<(), BoxError> {
    let upload = store.put_multipart(&Path::from("put-adapter")).await?;
    let mut writer = WriteMultipart::new_with_chunk_size(upload, PART);
    for i in 0..data.len() / PART {
        writer.wait_for_capacity(CONCURRENCY - 1).await?;
        writer.put(data.slice(i * PART..(i + 1) * PART));
    }
    writer.finish().await?;
    Ok(())
}

fn main() -> Result<(), BoxError> {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` (CI) runs this binary without
    // it, and then one round checks that every case works, without timing anything.
    let bench = std::env::args().any(|a| a == "--bench");
    let iterations = std::env::args()
        .skip_while(|a| a != "--iterations")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(15usize)
        .max(1);
    let iterations = if bench { iterations } else { 1 };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let emulator = Emulator::start(EmulatorConfig::new("ak", "sk"))?;
        let client = Client::new(
            Config::builder()
                .region(emulator.region())
                .endpoint(emulator.endpoint())
                .credentials(StaticProvider::from_keys("ak", "sk"))
                .build()?,
        );
        client.put_bucket().bucket("bench").send().await?;
        let data = Bytes::from((0..PUT).map(|i| (i % 251) as u8).collect::<Vec<u8>>());
        client
            .put_object()
            .bucket("bench")
            .key("object")
            .body(data.slice(..OBJECT))
            .send()
            .await?;
        let store = OssObjectStore::new(client.clone(), "bench", "");
        let path = Path::from("object");
        let range_start = OBJECT as u64 / 3;

        let mut cases = vec![
            Case { name: "get 32 MiB", bytes: OBJECT, client: vec![], adapter: vec![] },
            Case { name: "ranged get 1 MiB", bytes: RANGE as usize, client: vec![], adapter: vec![] },
            Case { name: "multipart put 64 MiB", bytes: PUT, client: vec![], adapter: vec![] },
        ];
        let range = format!("bytes={}-{}", range_start, range_start + RANGE - 1);
        // One warm-up round, then alternate client and adapter.
        for round in 0..=iterations {
            if !bench && round > 0 {
                break;
            }
            let c = timed(client_get(&client, "object", None)).await?;
            let a = timed(adapter_get(&store, &path, None)).await?;
            let rc = timed(client_get(&client, "object", Some(range.clone()))).await?;
            let ra = timed(adapter_get(&store, &path, Some(range_start))).await?;
            let mc = timed(client_multipart(&client, &data)).await?;
            let ma = timed(adapter_multipart(&store, &data)).await?;
            if round > 0 {
                for (case, (c, a)) in cases.iter_mut().zip([(c, a), (rc, ra), (mc, ma)]) {
                    case.client.push(c);
                    case.adapter.push(a);
                }
            }
        }
        if !bench {
            println!("object_store_adapter: every case ran once (run `cargo bench` for numbers)");
            emulator.stop();
            return Ok(());
        }
        println!(
            "adapter vs client, median of {iterations} (emulator in memory, {CONCURRENCY} parts in flight)"
        );
        println!(
            "{:<22} {:>12} {:>12} {:>12} {:>12} {:>9}",
            "operation", "client", "client MB/s", "adapter", "adapter MB/s", "overhead"
        );
        for case in cases {
            let c = median(case.client);
            let a = median(case.adapter);
            let mbps = |d: Duration| case.bytes as f64 / d.as_secs_f64() / 1e6;
            println!(
                "{:<22} {:>10.2}ms {:>12.0} {:>10.2}ms {:>12.0} {:>8.1}%",
                case.name,
                c.as_secs_f64() * 1e3,
                mbps(c),
                a.as_secs_f64() * 1e3,
                mbps(a),
                (a.as_secs_f64() / c.as_secs_f64() - 1.0) * 100.0
            );
        }
        drop(store);
        emulator.stop();
        Ok(())
    })
}
