//! `oss-emulator`: runs the emulator until killed. See the library docs for the arguments.
#![forbid(unsafe_code)]

use std::io::Write;

use oss_emulator::{Emulator, EmulatorConfig};

#[allow(clippy::print_stderr)]
fn main() {
    let config = match EmulatorConfig::from_args(std::env::args().skip(1)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("oss-emulator: {e}");
            eprintln!(
                "usage: oss-emulator --addr HOST:PORT --access-key-id ID --access-key-secret SECRET [--data-dir DIR] \
                 [--region R] [--security-token T] [--vector-addr HOST:PORT] [--account-id ID] [--fault-latency-ms N] [--fault-5xx-rate F] \
                 [--fault-reset-after-bytes N] [--fault-wrong-crc] [--fault-seed N]"
            );
            std::process::exit(2);
        }
    };
    let emulator = match Emulator::start(config) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("oss-emulator: {e}");
            std::process::exit(1);
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "listening on {}", emulator.endpoint());
    let _ = writeln!(out, "vectors on {}", emulator.vector_endpoint());
    let _ = out.flush();
    drop(out);
    loop {
        std::thread::park();
    }
}
