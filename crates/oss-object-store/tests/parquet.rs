//! The parquet crate's async reader (`ParquetObjectReader`) over the adapter: a file written
//! through the adapter (object_store's `BufWriter` under `AsyncArrowWriter`: a multipart
//! upload past its buffer) is read back with a column projection, which reads byte ranges only.
#![allow(clippy::unwrap_used)] // helpers outside #[test] functions
#![allow(
    deprecated,
    reason = "ParquetObjectReader, the object_store reader parquet ships (deprecated since 59.2 \
              in favour of each caller's own AsyncFileReader), is the consumer under test"
)]

mod common;

use std::sync::Arc;

use arrow_array::{Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use futures_util::TryStreamExt as _;
use object_store::buffered::BufWriter;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};
use oss_emulator::{Emulator, EmulatorConfig};
use oss_object_store::OssObjectStore;
use parquet::arrow::ProjectionMask;
use parquet::arrow::async_reader::{ParquetObjectReader, ParquetRecordBatchStreamBuilder};
use parquet::arrow::async_writer::AsyncArrowWriter;
use parquet::file::properties::WriterProperties;

const ROWS: i64 = 500_000;

fn batch() -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("name", DataType::Utf8, false),
    ]));
    let ids = Int64Array::from_iter_values(0..ROWS);
    let names = StringArray::from_iter_values((0..ROWS).map(|i| format!("customer-{i:08}")));
    RecordBatch::try_new(schema, vec![Arc::new(ids), Arc::new(names)]).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parquet_object_reader_reads_a_file_written_through_the_adapter() {
    let emulator = Emulator::start(EmulatorConfig::new("ak", "sk")).unwrap();
    let client = common::client_for(&emulator);
    client.put_bucket().bucket("lake").send().await.unwrap();
    let store: Arc<dyn ObjectStore> =
        Arc::new(OssObjectStore::new(client.clone(), "lake", "tables"));
    let path = Path::from("customers/part-0.parquet");

    let batch = batch();
    let props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(125_000))
        .build();
    let writer = BufWriter::new(Arc::clone(&store), path.clone());
    let mut writer = AsyncArrowWriter::try_new(writer, batch.schema(), Some(props)).unwrap();
    writer.write(&batch).await.unwrap();
    writer.close().await.unwrap();

    // Over object_store's BufWriter threshold (10 MiB), so written as a multipart upload.
    let size = store.head(&path).await.unwrap().size;
    assert!(size > 10 << 20, "{size} bytes");
    let object = client
        .head_object()
        .bucket("lake")
        .key("tables/customers/part-0.parquet")
        .send()
        .await
        .unwrap();
    assert_eq!(object.object_type, Some(oss_model::ObjectType::Multipart));

    // Read only the `id` column: the reader fetches the footer and that column's chunks.
    let before = emulator.body_bytes_sent();
    let reader = ParquetObjectReader::new(Arc::clone(&store), path.clone()).with_file_size(size);
    let builder = ParquetRecordBatchStreamBuilder::new(reader).await.unwrap();
    assert_eq!(builder.metadata().num_row_groups(), 4);
    let mask = ProjectionMask::roots(builder.parquet_schema(), [0]);
    let batches: Vec<RecordBatch> = builder
        .with_projection(mask)
        .build()
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let sent = emulator.body_bytes_sent() - before;
    let mut next = 0i64;
    for b in &batches {
        assert_eq!(b.num_columns(), 1);
        let ids = b.column(0).as_any().downcast_ref::<Int64Array>().unwrap();
        for id in ids.values() {
            assert_eq!(*id, next);
            next += 1;
        }
    }
    assert_eq!(next, ROWS);
    // The ids are 8 bytes a row (4 MB); the names, more than twice that, were not fetched.
    assert!(sent < size / 2, "read {sent} of {size} bytes");
    assert!(sent >= ROWS as u64 * 8, "read {sent} bytes");

    // And the whole file, both columns, equals what was written.
    let reader = ParquetObjectReader::new(Arc::clone(&store), path);
    let batches: Vec<RecordBatch> = ParquetRecordBatchStreamBuilder::new(reader)
        .await
        .unwrap()
        .build()
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let names: Vec<String> = batches
        .iter()
        .flat_map(|b| {
            let col = b.column(1).as_any().downcast_ref::<StringArray>().unwrap();
            (0..col.len())
                .map(|i| col.value(i).to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(names.len() as i64, ROWS);
    assert_eq!(names[123_456], "customer-00123456");
}
