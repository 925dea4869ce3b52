//! Typed models of the Alibaba Cloud OSS API and their XML/JSON forms, generated from the spec.
#![forbid(unsafe_code)]
