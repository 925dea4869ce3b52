//! Fuzz target: [`oss_fuzz::requests`] never panics.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| oss_fuzz::requests(data));
