//! Transfer managers for Alibaba Cloud OSS on top of [`oss_client`]: an [`Uploader`] (file,
//! `AsyncRead` or stream; one PutObject or a concurrent multipart upload), a [`Downloader`]
//! (concurrent ranged GETs into a temporary file renamed only once verified), a [`Copier`]
//! (CopyObject or UploadPartCopy), resumable checkpoints, and progress reporting; and two
//! file-like objects: a [`ReadOnlyFile`] (`AsyncRead + AsyncSeek` by ranged GETs pinned to one
//! ETag, prefetching ahead of a sequential reader) and an [`AppendOnlyFile`] (`AsyncWrite` over
//! AppendObject, safe under retried appends).
//!
//! Every manager checks the whole object's CRC-64 (combined from its parts or ranges) against
//! the one OSS reports, reports progress monotonically (never above the total, never counting
//! a retried byte twice), and stops every request in flight when its future is dropped.
//!
//! ```
//! use std::sync::Arc;
//! use oss_client::{Client, Config, credentials::StaticProvider};
//! use oss_transfer::{Downloader, Uploader};
//! # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
//! let emulator = oss_emulator::Emulator::start(oss_emulator::EmulatorConfig::new("ak", "sk")).unwrap();
//! let client = Client::new(Config::builder().region("cn-hangzhou").endpoint(emulator.endpoint())
//!     .credentials(StaticProvider::from_keys("ak", "sk")).build().unwrap());
//! client.put_bucket().bucket("examplebucket").send().await.unwrap();
//!
//! let dir = tempfile::tempdir().unwrap();
//! let src = dir.path().join("src.bin");
//! std::fs::write(&src, vec![9u8; 1 << 20]).unwrap();
//! let uploader = Uploader::new(client.clone())
//!     .part_size(256 * 1024)
//!     .progress(Arc::new(|p| assert!(p.transferred <= p.total.unwrap_or(u64::MAX))));
//! let put = oss_model::PutObjectInput::builder().bucket("examplebucket").key("big").build().unwrap();
//! uploader.upload_file(put, &src).await?;
//!
//! let get = oss_model::GetObjectInput::builder().bucket("examplebucket").key("big").build().unwrap();
//! let dest = dir.path().join("dest.bin");
//! Downloader::new(client).range_size(256 * 1024).download_file(get, &dest).await?;
//! assert_eq!(std::fs::read(&dest).unwrap(), std::fs::read(&src).unwrap());
//! # Ok::<(), oss_transfer::Error>(())
//! # }).unwrap();
//! ```
#![forbid(unsafe_code)]

mod append_file;
mod checkpoint;
mod copy;
mod download;
mod error;
mod object;
mod parts;
mod progress;
mod read_file;
mod upload;

pub use append_file::{AppendOnlyFile, AppendOnlyFileOptions, DEFAULT_APPEND_BUFFER};
pub use copy::{
    Copier, CopyOutput, DEFAULT_COPY_PART_SIZE, DEFAULT_COPY_THRESHOLD,
    DEFAULT_SHALLOW_COPY_TIMEOUT,
};
pub use download::{DEFAULT_RANGE_SIZE, DownloadOutput, Downloader};
pub use error::Error;
pub use parts::{MAX_PART_SIZE, MAX_PARTS, MIN_PART_SIZE};
pub use progress::{Progress, ProgressFn};
pub use read_file::{
    DEFAULT_CHUNK_SIZE, DEFAULT_PREFETCH_CHUNKS, ReadOnlyFile, ReadOnlyFileOptions,
};
pub use upload::{DEFAULT_PARALLELISM, DEFAULT_PART_SIZE, UploadOutput, Uploader};
