//! Fuzz target: [`oss_fuzz::responses`] never panics.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| oss_fuzz::responses(data));
