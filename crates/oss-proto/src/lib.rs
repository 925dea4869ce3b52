//! Transport-agnostic protocol layer for Alibaba Cloud OSS: operations to HTTP requests and back.
#![forbid(unsafe_code)]

pub mod operation;

/// Placeholder until `error.rs` lands; replaced by the protocol's error enum.
pub type Error = Box<dyn std::error::Error + Send + Sync>;
