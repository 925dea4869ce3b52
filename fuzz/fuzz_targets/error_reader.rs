//! Fuzz target: [`oss_fuzz::error_reader`] never panics.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| oss_fuzz::error_reader(data));
