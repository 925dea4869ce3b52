//! The Rust side of `cargo xtask bench`: times one transfer operation against an OSS endpoint
//! (the release emulator) and prints `RESULT <op> <size> <median MB/s> <peak RSS KiB>`.
//!
//! ```text
//! transfer_bench --endpoint http://127.0.0.1:9000 --bucket bench --op upload --size 67108864 \
//!     --rounds 3 --dir /tmp/bench [--access-key-id ak --access-key-secret sk]
//! ```
//! Operations: `put` (one PutObject from a file), `get` (one GetObject, data discarded),
//! `upload` (Uploader from a file), `download` (Downloader to a file), `copy` (Copier).
#![allow(clippy::print_stderr, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use futures_util::StreamExt as _;
use oss_client::{Body, Client, Config, credentials::StaticProvider};
use oss_transfer::{Copier, Downloader, Uploader};

struct Args {
    endpoint: String,
    ak: String,
    sk: String,
    bucket: String,
    op: String,
    size: u64,
    rounds: usize,
    dir: PathBuf,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        endpoint: String::new(),
        ak: "ak".into(),
        sk: "sk".into(),
        bucket: "bench".into(),
        op: String::new(),
        size: 1 << 20,
        rounds: 3,
        dir: std::env::temp_dir(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--endpoint" => a.endpoint = value()?,
            "--access-key-id" => a.ak = value()?,
            "--access-key-secret" => a.sk = value()?,
            "--bucket" => a.bucket = value()?,
            "--op" => a.op = value()?,
            "--size" => a.size = value()?.parse().map_err(|e| format!("--size: {e}"))?,
            "--rounds" => a.rounds = value()?.parse().map_err(|e| format!("--rounds: {e}"))?,
            "--dir" => a.dir = value()?.into(),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    if a.endpoint.is_empty() || a.op.is_empty() {
        return Err("--endpoint and --op are required".into());
    }
    Ok(a)
}

/// A file of `size` bytes (a 1 MiB pseudo-random block repeated), made once per size.
fn source_file(dir: &Path, size: u64) -> PathBuf {
    let path = dir.join(format!("src-{size}"));
    if std::fs::metadata(&path).ok().map(|m| m.len()) == Some(size) {
        return path;
    }
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let block: Vec<u8> = (0..1 << 20)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let mut left = size;
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        std::io::Write::write_all(&mut f, &block[..n]).unwrap();
        left -= n as u64;
    }
    std::io::Write::flush(&mut f).unwrap();
    path
}

/// Peak resident set size of this process, KiB (Linux `VmHWM`; 0 elsewhere).
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_owned))
        })
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn put_input(bucket: &str, key: &str) -> oss_model::PutObjectInput {
    oss_model::PutObjectInput::builder()
        .bucket(bucket)
        .key(key)
        .build()
        .unwrap()
}

fn get_input(bucket: &str, key: &str) -> oss_model::GetObjectInput {
    oss_model::GetObjectInput::builder()
        .bucket(bucket)
        .key(key)
        .build()
        .unwrap()
}

async fn run(a: &Args, client: &Client, src: &Path, round: usize) -> Result<(), String> {
    let b = &a.bucket;
    let key = format!("rs-{}-{}", a.op, a.size);
    let source_key = format!("rs-source-{}", a.size);
    let e = |e: &dyn std::fmt::Display| e.to_string();
    match a.op.as_str() {
        "put" => {
            let body = Body::from_path(src).await.map_err(|x| e(&x))?;
            client
                .put_object()
                .bucket(b)
                .key(&key)
                .body(body)
                .send()
                .await
                .map_err(|x| e(&x))?;
        }
        "get" => {
            let (_, mut body) = client
                .get_object()
                .bucket(b)
                .key(&source_key)
                .send()
                .await
                .map_err(|x| e(&x))?;
            let mut n = 0u64;
            while let Some(chunk) = body.next().await {
                n += chunk.map_err(|x| e(&x))?.len() as u64;
            }
            if n != a.size {
                return Err(format!("got {n} bytes"));
            }
        }
        "upload" => {
            Uploader::new(client.clone())
                .upload_file(put_input(b, &key), src)
                .await
                .map_err(|x| e(&x))?;
        }
        "download" => {
            let dest = a.dir.join(format!("rs-dest-{}-{round}", a.size));
            Downloader::new(client.clone())
                .download_file(get_input(b, &source_key), &dest)
                .await
                .map_err(|x| e(&x))?;
            let _ = std::fs::remove_file(dest);
        }
        "copy" => {
            let input = oss_model::CopyObjectInput::builder()
                .bucket(b)
                .key(&key)
                .copy_source(oss_model::CopySource::new(b.as_str(), source_key.as_str()))
                .build()
                .unwrap();
            Copier::new(client.clone())
                .copy(input)
                .await
                .map_err(|x| e(&x))?;
        }
        other => return Err(format!("unknown op {other}")),
    }
    Ok(())
}

fn main() {
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("transfer_bench: {e}");
            std::process::exit(2);
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .endpoint(&a.endpoint)
            .credentials(StaticProvider::from_keys(&a.ak, &a.sk))
            .build()
            .unwrap(),
    );
    let src = source_file(&a.dir, a.size);
    let mut mbps = Vec::new();
    rt.block_on(async {
        let _ = client.put_bucket().bucket(&a.bucket).send().await;
        if matches!(a.op.as_str(), "get" | "download" | "copy") {
            let key = format!("rs-source-{}", a.size);
            Uploader::new(client.clone())
                .upload_file(put_input(&a.bucket, &key), &src)
                .await
                .unwrap();
        }
        for round in 0..a.rounds {
            let start = Instant::now();
            if let Err(e) = run(&a, &client, &src, round).await {
                eprintln!("transfer_bench: {} {}: {e}", a.op, a.size);
                std::process::exit(1);
            }
            let secs = start.elapsed().as_secs_f64().max(1e-9);
            mbps.push(a.size as f64 / secs / 1e6);
        }
    });
    mbps.sort_by(f64::total_cmp);
    let median = mbps.get(mbps.len() / 2).copied().unwrap_or(0.0);
    println!("RESULT {} {} {median:.1} {}", a.op, a.size, peak_rss_kib());
}
