//! Parses a 1000-entry ListObjectsV2 response (~340 KB, one element per line, with
//! URL-encoded keys, quoted ETags and owners) into the typed result. Target: median ≤ 1.0 ms.
#![allow(missing_docs)] // criterion's macros define undocumented items

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use oss_model::ListBucketResultV2;
use oss_model::xml::XmlDocument;

const CLASSES: [&str; 4] = ["Standard", "IA", "Archive", "Standard"];
const TYPES: [&str; 3] = ["Normal", "Multipart", "Appendable"];

/// A response document the way OSS lays it out (one element per line, `&quot;` around ETags).
fn document(entries: usize) -> String {
    let mut doc = String::with_capacity(entries * 340 + 512);
    doc.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult>\n  <Name>examplebucket</Name>\n  \
         <Prefix>photos%2F</Prefix>\n  <MaxKeys>1000</MaxKeys>\n  <EncodingType>url</EncodingType>\n  \
         <IsTruncated>true</IsTruncated>\n  <KeyCount>1000</KeyCount>\n  \
         <NextContinuationToken>CgJiYw--</NextContinuationToken>\n",
    );
    for i in 0..entries {
        let (month, day) = (i % 12 + 1, i % 28 + 1);
        let _ = write!(
            doc,
            "<Contents>\n<Key>photos%2F2023%2F{month:02}%2F{day:02}%2FIMG_{i:06}-{:08x}.jpg</Key>\n\
             <LastModified>2023-{month:02}-{day:02}T{:02}:{:02}:{:02}.000Z</LastModified>\n\
             <ETag>&quot;{:016X}{:016X}&quot;</ETag>\n<Type>{}</Type>\n<Size>{}</Size>\n\
             <StorageClass>{}</StorageClass>\n<Owner>\n<ID>{:010}</ID>\n\
             <DisplayName>{:010}</DisplayName>\n</Owner>\n</Contents>\n",
            (i as u64).wrapping_mul(0x9E37_79B9) as u32,
            i % 24,
            i % 60,
            (i * 7) % 60,
            (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            (i as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9),
            TYPES[i % TYPES.len()],
            (i as u64 * 7919) % 10_000_000,
            CLASSES[i % CLASSES.len()],
            1_305_433_000 + i % 7,
            1_305_433_000 + i % 7,
        );
    }
    doc.push_str("</ListBucketResult>\n");
    doc
}

/// The CPU time this thread has run, from Linux's `/proc/thread-self/schedstat` (nanoseconds).
fn thread_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// Prints the CPU time per parse: on a shared machine criterion's wall-clock figures include time
/// spent waiting for a core.
fn report_cpu_time(doc: &[u8]) {
    const RUNS: u32 = 500;
    let Some(start) = thread_cpu_ns() else {
        return;
    };
    for _ in 0..RUNS {
        let _ = black_box(ListBucketResultV2::from_xml(black_box(doc)));
    }
    if let Some(end) = thread_cpu_ns() {
        let per = (end - start) / u64::from(RUNS);
        println!(
            "parse_1000_entries: {}.{:03} ms of CPU time per parse (mean of {RUNS})",
            per / 1_000_000,
            per / 1_000 % 1_000
        );
    }
}

fn bench(c: &mut Criterion) {
    let doc = document(1000);
    let parsed =
        ListBucketResultV2::from_xml(doc.as_bytes()).expect("the benchmark document parses");
    assert_eq!(parsed.contents.len(), 1000);
    assert!(
        parsed.contents[7]
            .key
            .starts_with("photos/2023/08/08/IMG_000007-")
    );
    println!("ListObjectsV2 document: {} bytes, 1000 entries", doc.len());

    report_cpu_time(doc.as_bytes());

    let mut group = c.benchmark_group("list_objects_v2");
    group.throughput(Throughput::Bytes(doc.len() as u64));
    group.bench_function("parse_1000_entries", |b| {
        b.iter(|| ListBucketResultV2::from_xml(black_box(doc.as_bytes())));
    });
    group.bench_function("quick_xml_events_only_reference", |b| {
        b.iter(|| {
            let mut r = quick_xml::Reader::from_reader(black_box(doc.as_bytes()));
            let mut n = 0usize;
            loop {
                match r.read_event() {
                    Ok(quick_xml::events::Event::Eof) | Err(_) => break,
                    Ok(_) => n += 1,
                }
            }
            n
        });
    });
    group.bench_function("write_1000_entries", |b| {
        b.iter(|| black_box(&parsed).to_xml());
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
