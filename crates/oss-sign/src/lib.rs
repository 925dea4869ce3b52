//! Pure request signing (V4 and V1) for Alibaba Cloud OSS: no I/O, no clock of its own.
#![forbid(unsafe_code)]
