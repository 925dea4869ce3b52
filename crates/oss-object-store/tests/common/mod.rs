//! What the adapter's emulator tests share: a client for an emulator, and sparse objects (zeros
//! except for patterned extents) put straight onto the emulator's disk.
#![allow(dead_code, reason = "each test file uses some of these")]
#![allow(clippy::unwrap_used)] // test helpers

use oss_client::credentials::StaticProvider;
use oss_client::{Client, Config};
use oss_emulator::Emulator;

/// A client for `emulator` (access key `ak` / `sk`, the emulator's region and endpoint).
pub(crate) fn client_for(emulator: &Emulator) -> Client {
    Client::new(
        Config::builder()
            .region(emulator.region())
            .endpoint(emulator.endpoint())
            .credentials(StaticProvider::from_keys("ak", "sk"))
            .build()
            .unwrap(),
    )
}

/// The byte at `offset` of an object that is zero outside `extents` (start, length) and a
/// pattern inside them: never zero, and no two nearby offsets alike.
pub(crate) fn patterned_byte(extents: &[(u64, u64)], offset: u64) -> u8 {
    if extents
        .iter()
        .any(|&(start, len)| (start..start + len).contains(&offset))
    {
        (offset.wrapping_mul(2_654_435_761) >> 13) as u8 | 1
    } else {
        0
    }
}

/// Puts `bucket/key`, `size` bytes of zeros but for the patterned `extents`, as a sparse file
/// on the emulator's disk store.
pub(crate) fn put_sparse(
    emulator: &Emulator,
    bucket: &str,
    key: &str,
    size: u64,
    extents: &[(u64, u64)],
) {
    let data: Vec<(u64, Vec<u8>)> = extents
        .iter()
        .map(|&(start, len)| {
            let bytes = (start..start + len)
                .map(|o| patterned_byte(extents, o))
                .collect();
            (start, bytes)
        })
        .collect();
    let refs: Vec<(u64, &[u8])> = data.iter().map(|(o, d)| (*o, &d[..])).collect();
    emulator
        .put_sparse_object(bucket, key, size, &refs)
        .unwrap();
}
