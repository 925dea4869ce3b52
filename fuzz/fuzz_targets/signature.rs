//! Fuzz target: [`oss_fuzz::signature`] never panics.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| oss_fuzz::signature(data));
