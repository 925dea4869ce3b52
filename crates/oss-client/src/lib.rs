//! Async client for Alibaba Cloud Object Storage Service (OSS) on hyper and tokio.
#![forbid(unsafe_code)]

mod client;
mod config;
pub mod credentials;
mod error;
pub mod generated;
mod helpers;
mod paginate;
mod retry;
mod signing;
pub mod transport;
mod v1_query;

pub use client::Client;
pub use config::{Config, ConfigBuilder, SignatureVersion};
pub use error::{BoxError, Error, TimeoutKind};
pub use oss_proto::endpoint::{AddressingStyle, EndpointKind};
pub use paginate::PageStream;
pub use retry::RetryPolicy;
pub use signing::PresignedRequest;
pub use transport::{Body, ByteStream};

#[cfg(test)]
mod client_tests;
#[cfg(test)]
mod test_server;
