//! Fuzz target: [`oss_fuzz::xml_scanner`] never panics.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| oss_fuzz::xml_scanner(data));
