//! Alibaba Cloud OSS for the Rust data ecosystem: the [`object_store`] crate's
//! [`ObjectStore`](object_store::ObjectStore), [`MultipartStore`](object_store::multipart::MultipartStore),
//! [`PaginatedListStore`](object_store::list::PaginatedListStore) and
//! [`Signer`](object_store::signer::Signer) over [`oss_client`], so DataFusion, Polars,
//! delta-rs, iceberg-rust, the `parquet` crate's async reader and the rest speak OSS natively.
//!
//! Every method maps onto OSS directly:
//!
//! | object_store | OSS |
//! |---|---|
//! | `get_opts` (range, if-match / if-none-match / if-(un)modified-since, version) | GetObject with `Range` (RFC 7233 behaviour) and conditions; `head` → HeadObject |
//! | `get_ranges` | ranges within 1 MiB coalesced into one GetObject each, 10 in flight |
//! | `put_opts` | PutObject; `PutMode::Create` → `x-oss-forbid-overwrite`; attributes and tags → headers; `PutMode::Update` → `NotImplemented` |
//! | `put_multipart_opts`, `MultipartStore` | InitiateMultipartUpload / UploadPart (concurrent) / CompleteMultipartUpload / AbortMultipartUpload |
//! | `delete_stream` | DeleteMultipleObjects, 1,000 keys per request (one key: DeleteObject) |
//! | `list`, `list_with_offset`, `list_with_delimiter`, `PaginatedListStore` | ListObjectsV2 (`start-after` for the offset) |
//! | `copy_opts` (`CopyMode::Create` → `x-oss-forbid-overwrite`), `rename_opts` | CopyObject (+ DeleteObject) |
//! | `Signer` | presigned URLs (V4) |
//!
//! Errors map to `NotFound`, `AlreadyExists`, `Precondition`, `NotModified`,
//! `PermissionDenied`, `Unauthenticated`, or `Generic { store: "OSS" }` carrying the client's
//! error (with the OSS code and request id).
//!
//! ```
//! use object_store::{ObjectStore, ObjectStoreExt, path::Path};
//! use oss_object_store::OssObjectStoreBuilder;
//! # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
//! # let emulator = oss_emulator::Emulator::start(oss_emulator::EmulatorConfig::new("ak", "sk")).unwrap();
//! # let client = oss_client::Client::new(oss_client::Config::builder().region("cn-hangzhou")
//! #     .endpoint(emulator.endpoint())
//! #     .credentials(oss_client::credentials::StaticProvider::from_keys("ak", "sk")).build().unwrap());
//! # client.put_bucket().bucket("examplebucket").send().await.unwrap();
//! // Against real OSS: `.with_region("cn-hangzhou")`, credentials from the environment.
//! let store = OssObjectStoreBuilder::new()
//!     .with_url("oss://examplebucket/warehouse")?
//! #   .with_client(client)
//!     .build()?;
//! store.put(&Path::from("t/a.txt"), "hello".into()).await?;
//! let listed = store.list_with_delimiter(Some(&Path::from("t"))).await?;
//! assert_eq!(listed.objects[0].location, Path::from("t/a.txt"));
//! # Ok::<(), object_store::Error>(())
//! # }).unwrap();
//! ```
#![forbid(unsafe_code)]

mod builder;
mod copy;
mod delete;
mod error;
mod get;
mod list;
mod multipart;
mod put;
mod signer;
mod store;
mod time;

pub use builder::OssObjectStoreBuilder;
pub use error::AdapterError;
pub use multipart::Upload;
pub use store::OssObjectStore;
