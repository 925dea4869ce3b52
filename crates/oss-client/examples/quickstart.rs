//! A tour of the client: create a bucket, upload, list, download and verify, presign a URL and
//! fetch it with a plain HTTP client, copy, tag, and clean up.
//!
//! Without `OSS_ACCESS_KEY_ID` it starts the embedded emulator and runs against it. With
//! `OSS_ACCESS_KEY_ID`, `OSS_ACCESS_KEY_SECRET`, `OSS_REGION` (and optionally `OSS_ENDPOINT`,
//! `OSS_BUCKET`) it uses real OSS.
//!
//! ```sh
//! cargo run -p oss-client --example quickstart
//! ```

use std::error::Error;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt as _;
use oss_client::credentials::StaticProvider;
use oss_client::{Client, Config};
use oss_model::{CopySource, Tag, TagSet, Tagging};

type BoxResult<T> = Result<T, Box<dyn Error + Send + Sync>>;

/// Where the tour runs.
struct Target {
    client: Client,
    bucket: String,
    create_bucket: bool,
    _emulator: Option<oss_emulator::Emulator>,
}

fn target() -> BoxResult<Target> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    if env("OSS_ACCESS_KEY_ID").is_none() {
        let emulator = oss_emulator::Emulator::start(
            oss_emulator::EmulatorConfig::new("quickstart-ak", "quickstart-sk")
                .region("cn-hangzhou"),
        )?;
        println!(
            "OSS_ACCESS_KEY_ID is not set: using the embedded emulator at {}",
            emulator.endpoint()
        );
        let config = Config::builder()
            .region("cn-hangzhou")
            .endpoint(emulator.endpoint())
            .credentials(StaticProvider::from_keys("quickstart-ak", "quickstart-sk"))
            .build()?;
        return Ok(Target {
            client: Client::new(config),
            bucket: "quickstart-bucket".into(),
            create_bucket: true,
            _emulator: Some(emulator),
        });
    }
    // One line: region, endpoint and credentials from the environment (see `Config::from_env`).
    let client = Client::new(Config::from_env()?);
    let (bucket, create_bucket) = match env("OSS_BUCKET") {
        Some(bucket) => (bucket, false),
        None => {
            let secs = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)?
                .as_secs();
            (format!("oss-rs-quickstart-{secs}"), true)
        }
    };
    println!(
        "using real OSS at {}, bucket {bucket}",
        client.config().endpoint().authority()
    );
    Ok(Target {
        client,
        bucket,
        create_bucket,
        _emulator: None,
    })
}

/// GETs a URL with a plain HTTP client (no signing, no SDK).
async fn fetch(url: &str) -> BoxResult<(http::StatusCode, Bytes)> {
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_webpki_roots()
        .https_or_http()
        .enable_http1()
        .build();
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build::<_, http_body_util::Empty<Bytes>>(https);
    let response = client.get(url.parse()?).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, body))
}

#[tokio::main]
async fn main() -> BoxResult<()> {
    let Target {
        client,
        bucket,
        create_bucket,
        _emulator,
    } = target()?;
    let b = bucket.as_str();

    if create_bucket {
        client.put_bucket().bucket(b).send().await?;
        println!("created bucket {b}");
    }

    let key = "quickstart/hello.txt";
    let data = Bytes::from_static(b"Hello, OSS! Uploaded by the oss-rs quickstart.\n");
    let put = client
        .put_object()
        .bucket(b)
        .key(key)
        .content_type("text/plain")
        .body(data.clone())
        .send()
        .await?;
    println!(
        "uploaded {key} ({} bytes, ETag {}, CRC-64 checked)",
        data.len(),
        put.etag.unwrap_or_default()
    );

    let listed = client
        .list_objects_v2()
        .bucket(b)
        .prefix("quickstart/")
        .send()
        .await?;
    println!("listed quickstart/:");
    for object in &listed.contents {
        println!(
            "  {} ({} bytes)",
            object.key,
            object.size.unwrap_or_default()
        );
    }

    let (_, body) = client.get_object().bucket(b).key(key).send().await?;
    let downloaded = body.collect().await?;
    if downloaded != data {
        return Err("downloaded data differs from what was uploaded".into());
    }
    println!(
        "downloaded {key}: {} bytes, identical to the upload",
        downloaded.len()
    );

    let presigned = client
        .get_object()
        .bucket(b)
        .key(key)
        .presigned(Duration::from_secs(300))
        .await?;
    let (status, fetched) = fetch(&presigned.url).await?;
    if status != http::StatusCode::OK || fetched != data {
        return Err(format!("presigned GET answered {status}").into());
    }
    println!("presigned a GET valid for 5 minutes and fetched it over plain HTTP: {status}");

    let copy = "quickstart/hello-copy.txt";
    client
        .copy_object()
        .bucket(b)
        .key(copy)
        .copy_source(CopySource::new(b, key))
        .send()
        .await?;
    println!("copied {key} to {copy}");

    client
        .put_object_tagging()
        .bucket(b)
        .key(copy)
        .tagging(Tagging {
            tag_set: TagSet {
                tags: vec![Tag {
                    key: "origin".into(),
                    value: Some("quickstart".into()),
                }],
            },
        })
        .send()
        .await?;
    let tags = client
        .get_object_tagging()
        .bucket(b)
        .key(copy)
        .send()
        .await?;
    for tag in &tags.tag_set.tags {
        println!(
            "tagged {copy}: {}={}",
            tag.key,
            tag.value.as_deref().unwrap_or_default()
        );
    }

    for k in [key, copy] {
        client.delete_object().bucket(b).key(k).send().await?;
        println!("deleted {k}");
    }
    if create_bucket {
        client.delete_bucket().bucket(b).send().await?;
        println!("deleted bucket {b}");
    }
    println!("quickstart finished");
    Ok(())
}
