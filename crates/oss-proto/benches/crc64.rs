//! CRC-64/XZ throughput on a 64 MiB buffer (target: at least 5 GB/s).
//!
//! Run with `cargo bench -p oss-proto --bench crc64`; criterion prints the median time and the
//! throughput, and the kernel chosen at run time is printed first.

use criterion::{Criterion, Throughput, criterion_main};
use std::hint::black_box;

const LEN: usize = 64 * 1024 * 1024;

fn crc64(c: &mut Criterion) {
    println!("crc64 kernel: {}", oss_proto::crc::simd_target());
    let data: Vec<u8> = (0..LEN).map(|i| (i.wrapping_mul(31) >> 3) as u8).collect();
    let mut group = c.benchmark_group("crc64");
    group.throughput(Throughput::Bytes(LEN as u64));
    group.sample_size(20);
    group.bench_function("checksum_64MiB", |b| {
        b.iter(|| oss_proto::crc::checksum(black_box(&data)));
    });
    group.bench_function("streaming_64KiB_chunks_64MiB", |b| {
        b.iter(|| {
            let mut crc = oss_proto::crc::Crc64::new();
            for chunk in black_box(&data).chunks(64 * 1024) {
                crc.update(chunk);
            }
            crc.finish()
        });
    });
    group.finish();
}

// `criterion_group!` defines an undocumented public function.
#[allow(missing_docs)]
mod group {
    criterion::criterion_group!(benches, super::crc64);
}
use group::benches;
criterion_main!(benches);
