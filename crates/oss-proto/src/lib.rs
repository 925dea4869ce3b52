//! Transport-agnostic protocol layer for Alibaba Cloud OSS: operations to HTTP requests and back.
#![forbid(unsafe_code)]

pub mod clock_skew;
pub mod crc;
pub mod endpoint;
pub mod error;
pub mod generated;
pub mod operation;
pub mod paginate;
pub mod response;
pub mod retry;
pub mod route;
mod support;
pub mod validate;

pub use error::{Error, ServiceError};
