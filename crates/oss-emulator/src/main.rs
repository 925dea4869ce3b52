//! `oss-emulator`: runs the emulator until killed. See the library docs for the arguments.
#![forbid(unsafe_code)]

use std::io::Write;

use oss_emulator::{Emulator, EmulatorConfig};

const USAGE: &str = "\
usage: oss-emulator --addr HOST:PORT --access-key-id ID --access-key-secret SECRET [--data-dir DIR]
                    [--region R] [--security-token T] [--vector-addr HOST:PORT] [--account-id ID]
                    [--fault-latency-ms N] [--fault-5xx-rate F] [--fault-reset-after-bytes N]
                    [--fault-wrong-crc] [--fault-seed N] [--restore-delay-ms N]
                    [--lifecycle-interval SECS] [--extra-user ID:SECRET:UID]
       oss-emulator --help | --version | --served-operations

A local OSS-compatible server. Prints `listening on http://ADDR` once it accepts connections, then
`vectors on http://ADDR` (the vector service's listener).

options:
  --addr HOST:PORT              where to listen (port 0: any free port)
  --access-key-id ID            the access key id requests must be signed with
  --access-key-secret SECRET    its secret
  --data-dir DIR                keep data on disk in DIR (default: in memory)
  --region R                    the region reported as bucket location (default cn-hangzhou)
  --security-token T            accept this STS security token (repeatable; none: any)
  --vector-addr HOST:PORT       where the vector service listens (default: any free port)
  --account-id ID               the account id (decimal) vector bucket hosts carry
  --fault-latency-ms N          delay every response by N ms
  --fault-5xx-rate F            answer this fraction (0..1) of requests with 500/503
  --fault-reset-after-bytes N   cut response bodies after N bytes and reset
  --fault-wrong-crc             send wrong x-oss-hash-crc64ecma headers
  --fault-seed N                seed deciding which requests fail
  --restore-delay-ms N          how long RestoreObject takes to complete (default 0)
  --lifecycle-interval SECS     apply the buckets' lifecycle rules (expiration, transition,
                                previous versions, unfinished uploads) every SECS seconds
                                (default: never)
  --extra-user ID:SECRET:UID    also accept this key pair, as account UID (repeatable): another
                                account, which needs a bucket policy or public ACL to get in
  -h, --help                    print this help
  -V, --version                 print the version
  --served-operations           print the operations the emulator serves, one per line";

#[allow(clippy::print_stderr)]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        let _ = writeln!(std::io::stdout().lock(), "{USAGE}");
        return;
    }
    if args.iter().any(|a| a == "--version" || a == "-V") {
        let _ = writeln!(
            std::io::stdout().lock(),
            "oss-emulator {}",
            env!("CARGO_PKG_VERSION")
        );
        return;
    }
    if args.iter().any(|a| a == "--served-operations") {
        let mut out = std::io::stdout().lock();
        for name in oss_emulator::served_operations() {
            let _ = writeln!(out, "{name}");
        }
        return;
    }
    let config = match EmulatorConfig::from_args(args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("oss-emulator: {e}");
            eprintln!("{USAGE}");
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
