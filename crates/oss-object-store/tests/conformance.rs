//! object_store's own conformance suite (`object_store::integration`) run against the adapter
//! on the emulator. Every function of the suite is listed here: each runs in its own bucket
//! (the suite deletes everything it finds), and the one that does not apply says why.
#![allow(clippy::unwrap_used)] // helpers outside #[test] functions

use object_store::integration::*;
use object_store::path::Path;
use object_store::{DynObjectStore, ObjectStoreExt};
use oss_client::credentials::StaticProvider;
use oss_client::{Client, Config};
use oss_emulator::{Emulator, EmulatorConfig};
use oss_object_store::{OssObjectStore, OssObjectStoreBuilder};

struct Fixture {
    _emulator: Emulator,
    store: OssObjectStore,
}

impl Fixture {
    fn dyn_store(&self) -> &DynObjectStore {
        &self.store
    }
}

fn client(emulator: &Emulator) -> Client {
    Client::new(
        Config::builder()
            .region(emulator.region())
            .endpoint(emulator.endpoint())
            .credentials(StaticProvider::from_keys(
                emulator.access_key_id(),
                emulator.access_key_secret(),
            ))
            .build()
            .unwrap(),
    )
}

/// An emulator with one bucket, and the adapter over it (below `prefix` when not empty).
async fn fixture_with(prefix: &str, versioned: bool) -> Fixture {
    let emulator = Emulator::start(EmulatorConfig::new("ak", "sk")).unwrap();
    let client = client(&emulator);
    client
        .put_bucket()
        .bucket("conformance")
        .send()
        .await
        .unwrap();
    if versioned {
        client
            .put_bucket_versioning()
            .bucket("conformance")
            .configuration(oss_model::VersioningConfiguration {
                status: Some(oss_model::VersioningStatus::Enabled),
            })
            .send()
            .await
            .unwrap();
    }
    let store = OssObjectStoreBuilder::new()
        .with_url(&format!("oss://conformance/{prefix}"))
        .unwrap()
        .with_client(client)
        .build()
        .unwrap();
    Fixture {
        _emulator: emulator,
        store,
    }
}

async fn fixture() -> Fixture {
    fixture_with("", false).await
}

#[tokio::test]
async fn put_get_delete_list_passes() {
    let f = fixture().await;
    put_get_delete_list(f.dyn_store()).await;
}

#[tokio::test]
async fn put_get_delete_list_passes_below_a_prefix() {
    let f = fixture_with("tenant/a", false).await;
    put_get_delete_list(f.dyn_store()).await;
    // Nothing was written outside the prefix.
    let outside = OssObjectStore::new(f.store.client().clone(), "conformance", "");
    outside
        .put(&Path::from("outside"), "x".into())
        .await
        .unwrap();
    put_get_delete_list(f.dyn_store()).await;
    outside.head(&Path::from("outside")).await.unwrap();
}

#[tokio::test]
async fn put_get_attributes_passes() {
    let f = fixture().await;
    put_get_attributes(&f.store).await;
    // The suite accepts NotImplemented; the adapter implements attributes, so check they
    // really came back.
    let got = f.store.get(&Path::from("attributes")).await.unwrap();
    assert_eq!(
        got.attributes
            .get(&object_store::Attribute::ContentLanguage)
            .map(|v| v.as_ref()),
        Some("en-US")
    );
}

#[tokio::test]
async fn get_opts_passes() {
    let f = fixture().await;
    get_opts(&f.store).await;
}

#[tokio::test]
async fn get_opts_passes_with_versions() {
    // With versioning the suite also reads an older version by id.
    let f = fixture_with("", true).await;
    get_opts(&f.store).await;
    let meta = f.store.head(&Path::from("test")).await.unwrap();
    assert!(
        meta.version.is_some(),
        "a versioned bucket reports versions"
    );
}

#[tokio::test]
async fn put_opts_passes_without_update() {
    // `supports_update = false`: OSS has no conditional overwrite (If-Match on PutObject), so
    // PutMode::Update must be NotImplemented; PutMode::Create is x-oss-forbid-overwrite.
    let f = fixture().await;
    put_opts(&f.store, false).await;
}

#[tokio::test]
async fn stream_get_passes() {
    let f = fixture().await;
    stream_get(f.dyn_store()).await;
}

#[tokio::test]
async fn list_uses_directories_correctly_passes() {
    let f = fixture().await;
    list_uses_directories_correctly(f.dyn_store()).await;
}

#[tokio::test]
async fn list_with_delimiter_passes() {
    let f = fixture().await;
    list_with_delimiter(f.dyn_store()).await;
}

#[tokio::test]
async fn list_with_offset_exclusivity_passes() {
    let f = fixture().await;
    list_with_offset_exclusivity(f.dyn_store()).await;
}

#[tokio::test]
async fn get_nonexistent_object_is_not_found() {
    let f = fixture().await;
    let err = get_nonexistent_object(f.dyn_store(), None)
        .await
        .unwrap_err();
    assert!(matches!(err, object_store::Error::NotFound { .. }), "{err}");
}

#[tokio::test]
async fn rename_and_copy_passes() {
    let f = fixture().await;
    rename_and_copy(f.dyn_store()).await;
}

#[tokio::test]
async fn copy_if_not_exists_passes() {
    let f = fixture().await;
    copy_if_not_exists(f.dyn_store()).await;
}

#[tokio::test]
async fn copy_rename_nonexistent_object_passes() {
    let f = fixture().await;
    copy_rename_nonexistent_object(f.dyn_store()).await;
}

#[tokio::test]
async fn multipart_passes() {
    let f = fixture().await;
    multipart(&f.store, &f.store).await;
}

#[tokio::test]
async fn multipart_with_opts_passes() {
    let f = fixture().await;
    multipart_with_opts(&f.store, &f.store).await;
}

#[tokio::test]
async fn multipart_put_part_out_of_order_passes() {
    let f = fixture().await;
    multipart_put_part_out_of_order(&f.store, &f.store).await;
}

#[tokio::test]
async fn multipart_race_condition_passes_last_writer_wins() {
    // OSS completes both uploads; the later CompleteMultipartUpload replaces the object.
    let f = fixture().await;
    multipart_race_condition(&f.store, true).await;
}

#[tokio::test]
async fn multipart_out_of_order_passes() {
    let f = fixture().await;
    multipart_out_of_order(&f.store).await;
}

#[tokio::test]
async fn list_paginated_passes() {
    let f = fixture().await;
    list_paginated(&f.store, &f.store).await;
}

// Not run: `response_extensions` (feature `reqwest` of object_store). It checks that
// extensions set by object_store's own HTTP connector (`MarkerHttpConnector`) reach results;
// the adapter does not send requests through object_store's HTTP client but through
// oss-client, so there is no connector to install and no such marker to propagate.
