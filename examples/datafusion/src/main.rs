//! DataFusion over OSS: registers the adapter for `oss://BUCKET`, writes a Parquet table into
//! the bucket with SQL, and queries it back. Without `OSS_ACCESS_KEY_ID` it runs against the
//! embedded emulator; with `OSS_ACCESS_KEY_ID`, `OSS_ACCESS_KEY_SECRET`, `OSS_REGION` and
//! `OSS_BUCKET` (optionally `OSS_ENDPOINT`) against real OSS.
#![forbid(unsafe_code)]

mod compat;

use std::sync::Arc;

use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use oss_object_store::{OssObjectStore, OssObjectStoreBuilder};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let (_emulator, store) = store().await?;
    let bucket = store.bucket().to_owned();
    let ctx = SessionContext::new();
    let base = url::Url::parse(&format!("oss://{bucket}"))?;
    ctx.register_object_store(&base, Arc::new(compat::Compat(store)));

    // Write a table into the bucket through the adapter (multipart uploads of Parquet files)...
    let table = format!("oss://{bucket}/datafusion-example/orders/");
    ctx.sql(
        "SELECT value AS id, value % 7 AS customer, (value * 37) % 1000 / 10.0 AS amount \
         FROM generate_series(1, 200000)",
    )
    .await?
    .write_parquet(&table, DataFrameWriteOptions::new(), None)
    .await?;

    // ...and query it: DataFusion reads the footers and the needed column chunks as ranges.
    ctx.register_parquet("orders", &table, ParquetReadOptions::default())
        .await?;
    ctx.sql(
        "SELECT customer, count(*) AS orders, sum(amount) AS total \
         FROM orders GROUP BY customer ORDER BY customer",
    )
    .await?
    .show()
    .await?;
    Ok(())
}

/// The store: real OSS from the environment, or the embedded emulator with a fresh bucket.
async fn store() -> Result<(Option<oss_emulator::Emulator>, OssObjectStore), BoxError> {
    if std::env::var_os("OSS_ACCESS_KEY_ID").is_some() {
        return Ok((None, OssObjectStoreBuilder::from_env().build()?));
    }
    let emulator = oss_emulator::Emulator::start(oss_emulator::EmulatorConfig::new("ak", "sk"))?;
    println!("OSS_ACCESS_KEY_ID is not set: using the embedded emulator at {}", emulator.endpoint());
    let client = oss_client::Client::new(
        oss_client::Config::builder()
            .region(emulator.region())
            .endpoint(emulator.endpoint())
            .credentials(oss_client::credentials::StaticProvider::from_keys("ak", "sk"))
            .build()?,
    );
    client.put_bucket().bucket("datafusion-example").send().await?;
    let store = OssObjectStoreBuilder::new()
        .with_bucket("datafusion-example")
        .with_client(client)
        .build()?;
    Ok((Some(emulator), store))
}
