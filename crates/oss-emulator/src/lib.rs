//! A local Alibaba Cloud OSS-compatible server for tests and development.
#![forbid(unsafe_code)]
