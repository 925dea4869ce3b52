//! Each fault-injection knob takes effect, from the library and from the command line.

use std::time::{Duration, Instant};

use oss_tests::{
    ACCESS_KEY_ID, ACCESS_KEY_SECRET, Client, EmulatorConfig, Faults, Spawned, start_emulator,
    start_emulator_with,
};

/// CRC-64/XZ of "123456789" (`shared/vectors/crc64.json`), decimal.
const CRC_123456789: &str = "11051210869376104954";

#[test]
fn latency_delays_every_response() {
    let emu = start_emulator();
    let c = Client::new(&emu);
    emu.set_faults(Faults::none().with_latency_ms(150));
    let start = Instant::now();
    assert_eq!(c.get("/").send().status, 200);
    assert!(
        start.elapsed() >= Duration::from_millis(150),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(emu.faults().latency_ms, 150);
}

fn statuses(emu: &oss_tests::Emulator, n: usize) -> Vec<u16> {
    let c = Client::new(emu);
    (0..n).map(|_| c.get("/").send().status).collect()
}

#[test]
fn error_rate_fails_a_seeded_repeatable_fraction_without_effect() {
    let emu = start_emulator();
    let c = Client::new(&emu);
    assert_eq!(c.put("/fault-bucket").send().status, 200);

    emu.set_faults(Faults::none().with_5xx_rate(1.0));
    let r = c.put("/fault-bucket/k").body("data").send();
    assert_eq!(
        (r.status, r.code().as_deref()),
        (500, Some("InternalError"))
    );
    let r = c.get("/").send();
    assert_eq!(
        (r.status, r.code().as_deref()),
        (503, Some("ServiceUnavailable"))
    );
    emu.set_faults(Faults::none());
    assert_eq!(
        c.get("/fault-bucket/k").send().code().as_deref(),
        Some("NoSuchKey"),
        "a failed request has no effect"
    );

    let faults = Faults::none().with_5xx_rate(0.3).with_seed(1234);
    emu.set_faults(faults.clone());
    let first = statuses(&emu, 60);
    let other = start_emulator_with(EmulatorConfig::new("a", "b").faults(faults.clone()));
    let c2 = Client::new(&other);
    let second: Vec<u16> = (0..60).map(|_| c2.get("/").send().status).collect();
    assert_eq!(first, second, "the same seed fails the same requests");
    emu.set_faults(faults);
    assert_eq!(
        statuses(&emu, 60),
        first,
        "setting the faults again restarts the sequence"
    );
    let failed = first.iter().filter(|s| **s >= 500).count();
    assert!(
        (6..=30).contains(&failed),
        "about 30% of 60 fail, got {failed}"
    );
    assert!(first.iter().all(|s| matches!(s, 200 | 500 | 503)));
}

/// On the memory and the disk store (whose object data is streamed from the file).
#[test]
fn reset_after_bytes_cuts_bodies_short() {
    let dir = tempfile::tempdir().expect("tempdir");
    for config in [
        EmulatorConfig::new(ACCESS_KEY_ID, ACCESS_KEY_SECRET),
        EmulatorConfig::new(ACCESS_KEY_ID, ACCESS_KEY_SECRET).data_dir(dir.path()),
    ] {
        reset_after_bytes_cuts_bodies_short_on(&start_emulator_with(config));
    }
}

fn reset_after_bytes_cuts_bodies_short_on(emu: &oss_tests::Emulator) {
    let c = Client::new(emu);
    assert_eq!(c.put("/reset-bucket").send().status, 200);
    let data = vec![7u8; 1000];
    assert_eq!(c.put("/reset-bucket/k").body(&data).send().status, 200);
    emu.set_faults(Faults::none().with_reset_after_bytes(100));
    let err = c
        .get("/reset-bucket/k")
        .try_send()
        .expect_err("the body is cut");
    assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof, "{err}");
    // Bodies not longer than the limit are whole.
    assert_eq!(c.put("/reset-bucket/small").body("tiny").send().status, 200);
    assert_eq!(c.get("/reset-bucket/small").send().text(), "tiny");
    emu.set_faults(Faults::none());
    assert_eq!(c.get("/reset-bucket/k").send().body, data);
}

#[test]
fn wrong_crc_corrupts_the_checksum_header_only() {
    let emu = start_emulator();
    let c = Client::new(&emu);
    assert_eq!(c.put("/crc-bucket").send().status, 200);
    emu.set_faults(Faults::none().with_wrong_crc());
    let put = c.put("/crc-bucket/d").body("123456789").send();
    assert_eq!(put.status, 200);
    let wrong = put.header("x-oss-hash-crc64ecma").expect("crc header");
    assert_ne!(wrong, CRC_123456789);
    let get = c.get("/crc-bucket/d").send();
    assert_eq!(get.text(), "123456789", "the data itself is intact");
    assert_ne!(get.header("x-oss-hash-crc64ecma"), Some(CRC_123456789));
    emu.set_faults(Faults::none());
    assert_eq!(
        c.get("/crc-bucket/d").send().header("x-oss-hash-crc64ecma"),
        Some(CRC_123456789)
    );
}

fn cli_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "--addr",
        "127.0.0.1:0",
        "--access-key-id",
        oss_tests::ACCESS_KEY_ID,
        "--access-key-secret",
        oss_tests::ACCESS_KEY_SECRET,
    ];
    args.extend_from_slice(extra);
    args
}

#[test]
fn command_line_fault_flags_take_effect() {
    let failing = Spawned::start(&cli_args(&["--fault-5xx-rate", "1"]));
    let r = failing.client().get("/").send();
    assert_eq!(r.status, 500);
    failing.kill();

    let faulty = Spawned::start(&cli_args(&[
        "--fault-latency-ms",
        "100",
        "--fault-wrong-crc",
        "--fault-reset-after-bytes",
        "4",
        "--fault-seed",
        "9",
    ]));
    let c = faulty.client();
    let start = Instant::now();
    assert_eq!(c.put("/cli-bucket").send().status, 200);
    assert!(start.elapsed() >= Duration::from_millis(100));
    let put = c.put("/cli-bucket/d").body("123456789").send();
    assert_eq!(put.status, 200);
    assert_ne!(put.header("x-oss-hash-crc64ecma"), Some(CRC_123456789));
    let err = c
        .get("/cli-bucket/d")
        .try_send()
        .expect_err("cut after 4 bytes");
    assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
}
