//! Fuzz target: [`oss_fuzz::endpoint_url`] never panics.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| oss_fuzz::endpoint_url(data));
