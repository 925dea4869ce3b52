//! Async client for Alibaba Cloud Object Storage Service (OSS) on hyper and tokio.
//!
//! A [`Client`] holds a [`Config`] (region or endpoint, addressing style, credentials provider,
//! signature version, retries, timeouts) and one connection pool. Every operation has a fluent
//! builder (`client.put_object()...send()`); each attempt is signed afresh (V4 by default),
//! retried per oss-proto's rules, and checked with CRC-64 where OSS returns one.
//!
//! ```
//! use oss_client::{Client, Config, credentials::StaticProvider};
//! # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
//! // A local emulator stands in for OSS here; drop `.endpoint(...)` to use the regional one.
//! let emulator = oss_emulator::Emulator::start(oss_emulator::EmulatorConfig::new("ak", "sk")).unwrap();
//! let client = Client::new(
//!     Config::builder()
//!         .region("cn-hangzhou")
//!         .endpoint(emulator.endpoint())
//!         .credentials(StaticProvider::from_keys("ak", "sk"))
//!         .build()?,
//! );
//! client.put_bucket().bucket("examplebucket").send().await?;
//! client.put_object().bucket("examplebucket").key("hello.txt").body("hello").send().await?;
//! let (meta, body) = client.get_object().bucket("examplebucket").key("hello.txt").send().await?;
//! assert_eq!(meta.content_length, Some(5));
//! assert_eq!(&body.collect().await?[..], b"hello");
//! # Ok::<(), oss_client::Error>(())
//! # }).unwrap();
//! ```
#![forbid(unsafe_code)]

#[cfg(feature = "blocking")]
pub mod blocking;
pub mod callback;
mod client;
mod config;
mod crc_ledger;
pub mod credentials;
mod error;
pub mod generated;
mod helpers;
mod lru;
mod paginate;
pub mod post_policy;
mod presign;
mod redirect;
mod resume;
mod retry;
pub mod select;
mod signing;
pub mod transport;

pub use client::Client;
pub use config::{Config, ConfigBuilder, SignatureVersion, account_id_from};
pub use error::{BoxError, Error, TimeoutKind};
pub use oss_proto::endpoint::{AddressingStyle, EndpointKind};
pub use paginate::PageStream;
pub use presign::PresignOptions;
pub use redirect::{NotFollowed, Redirect};
pub use retry::RetryPolicy;
pub use signing::PresignedRequest;
pub use transport::{Body, ByteStream, SendProgress};

#[cfg(test)]
mod client_tests;
#[cfg(test)]
mod crc_ledger_tests;
#[cfg(test)]
mod proxy_tests;
#[cfg(test)]
mod test_server;
