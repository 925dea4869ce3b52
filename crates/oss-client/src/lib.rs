//! Async client for Alibaba Cloud Object Storage Service (OSS) on hyper and tokio.
#![forbid(unsafe_code)]
