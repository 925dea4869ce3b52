//! Async client for Alibaba Cloud Object Storage Service (OSS) on hyper and tokio.
#![forbid(unsafe_code)]

pub mod credentials;
mod error;
#[allow(dead_code)] // crate-internal parts are used by the client (next commit)
pub mod transport;

pub use error::{BoxError, Error, TimeoutKind};
pub use transport::{Body, ByteStream};
