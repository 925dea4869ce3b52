//! Transport-agnostic protocol layer for Alibaba Cloud OSS: operations to HTTP requests and back.
//!
//! Cargo feature `server` (off by default) adds the server side of every operation,
//! `generated::ServerOperation` (requests read into inputs, outputs written as responses), which
//! only an emulator needs.
#![forbid(unsafe_code)]

pub mod clock_skew;
pub mod crc;
pub mod endpoint;
pub mod error;
pub mod generated;
pub mod md5;
pub mod operation;
pub mod paginate;
pub mod response;
pub mod retry;
pub mod route;
pub mod select_frame;
mod support;
pub mod validate;

pub use error::{Error, ServiceError};
