//! QueryVectors latency against the emulator, end to end through oss-client (request JSON, V4
//! signing, loopback HTTP, the exact search, response JSON): top-10 on dimension-128 indexes of
//! 10,000 and 100,000 random vectors, both metrics, without and with a metadata filter.
//!
//! `cargo bench -p oss-tests --bench query_vectors` prints one line per case: the median, p95 and
//! mean of `QUERIES` sequential queries.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::time::{Duration, Instant};

use oss_client::credentials::StaticProvider;
use oss_client::{Client, Config};
use oss_emulator::{Emulator, EmulatorConfig};
use oss_model::{
    Vector, VectorData, VectorIndexConfiguration, VectorsPutRequest, VectorsQueryRequest,
};
use serde_json::json;

const DIM: usize = 128;
const QUERIES: usize = 100;

struct Rng(u64);

impl Rng {
    fn unit(&mut self) -> f32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }
}

fn stats(mut samples: Vec<Duration>) -> (Duration, Duration, Duration) {
    samples.sort();
    let mean = samples.iter().sum::<Duration>() / samples.len() as u32;
    (
        samples[samples.len() / 2],
        samples[samples.len() * 95 / 100],
        mean,
    )
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let emu = Emulator::start(EmulatorConfig::new("bench-ak", "bench-sk")).unwrap();
    let client = Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .endpoint(emu.endpoint())
            .vector_endpoint(emu.vector_endpoint())
            .account_id(emu.account_id())
            .credentials(StaticProvider::from_keys("bench-ak", "bench-sk"))
            .build()
            .unwrap(),
    );
    client
        .put_vector_bucket()
        .bucket("bench")
        .send()
        .await
        .unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    println!(
        "QueryVectors, top-10, dimension {DIM}, {QUERIES} sequential queries each (end to end over loopback)"
    );
    println!(
        "{:<10} {:>9} {:<9} {:>10} {:>10} {:>10}",
        "metric", "vectors", "filter", "median", "p95", "mean"
    );
    for metric in ["euclidean", "cosine"] {
        let index = format!("{metric}idx");
        client
            .put_vector_index()
            .bucket("bench")
            .body(VectorIndexConfiguration {
                index_name: index.clone(),
                data_type: "float32".into(),
                dimension: DIM as i64,
                distance_metric: metric.into(),
                metadata: None,
            })
            .send()
            .await
            .unwrap();
        let mut loaded = 0;
        for target in [10_000usize, 100_000] {
            while loaded < target {
                let vectors = (loaded..loaded + 500)
                    .map(|n| Vector {
                        key: format!("v{n:06}"),
                        data: Some(VectorData {
                            float32: (0..DIM).map(|_| rng.unit()).collect(),
                        }),
                        metadata: Some(json!({"shard": format!("s{}", n % 10)})),
                    })
                    .collect();
                client
                    .put_vectors()
                    .bucket("bench")
                    .body(VectorsPutRequest {
                        index_name: index.clone(),
                        vectors,
                    })
                    .send()
                    .await
                    .unwrap();
                loaded += 500;
            }
            for filter in [None, Some(json!({"shard": {"$in": ["s1", "s2"]}}))] {
                let mut samples = Vec::with_capacity(QUERIES);
                for _ in 0..QUERIES {
                    let query: Vec<f32> = (0..DIM).map(|_| rng.unit()).collect();
                    let started = Instant::now();
                    let r = client
                        .query_vectors()
                        .bucket("bench")
                        .body(VectorsQueryRequest {
                            index_name: index.clone(),
                            query_vector: VectorData { float32: query },
                            top_k: 10,
                            filter: filter.clone(),
                            return_distance: Some(true),
                            return_metadata: None,
                        })
                        .send()
                        .await
                        .unwrap();
                    samples.push(started.elapsed());
                    assert_eq!(r.vectors.len(), 10);
                }
                let (median, p95, mean) = stats(samples);
                println!(
                    "{:<10} {:>9} {:<9} {:>8.2}ms {:>8.2}ms {:>8.2}ms",
                    metric,
                    target,
                    if filter.is_some() { "$in 20%" } else { "none" },
                    median.as_secs_f64() * 1e3,
                    p95.as_secs_f64() * 1e3,
                    mean.as_secs_f64() * 1e3
                );
            }
        }
    }
}
