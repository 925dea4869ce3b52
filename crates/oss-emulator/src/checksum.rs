//! The checksums OSS reports: CRC-64/XZ (`x-oss-hash-crc64ecma`) and MD5 ETags.

use base64::Engine;

/// CRC-64/XZ of `data`, as OSS reports in `x-oss-hash-crc64ecma`.
pub(crate) fn crc64(data: &[u8]) -> u64 {
    crc_fast::checksum(crc_fast::CrcAlgorithm::Crc64Xz, data)
}

/// The raw MD5 digest of `data`.
pub(crate) fn md5(data: &[u8]) -> [u8; 16] {
    oss_proto::md5::digest(data)
}

/// Upper-case hex of `bytes`.
pub(crate) fn hex_upper(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[usize::from(b >> 4)] as char);
        s.push(HEX[usize::from(b & 0xf)] as char);
    }
    s
}

/// The ETag of a simple upload: the quoted upper-case MD5 hex.
pub(crate) fn simple_etag(data: &[u8]) -> String {
    etag_of_md5(&md5(data))
}

/// The ETag of a completed multipart upload: MD5 of the concatenated part digests, `-N`.
pub(crate) fn multipart_etag(part_md5s: &[[u8; 16]]) -> String {
    let mut all = Vec::with_capacity(part_md5s.len() * 16);
    for d in part_md5s {
        all.extend_from_slice(d);
    }
    format!("\"{}-{}\"", hex_upper(&md5(&all)), part_md5s.len())
}

/// Base64 of a raw MD5 digest, as sent in `Content-MD5`.
pub(crate) fn base64_md5(digest: &[u8; 16]) -> String {
    base64::engine::general_purpose::STANDARD.encode(digest)
}

/// The ETag of a simple upload from its raw MD5 digest.
pub(crate) fn etag_of_md5(digest: &[u8; 16]) -> String {
    format!("\"{}\"", hex_upper(digest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc64_matches_shared_vectors() {
        // /work/shared/vectors/crc64.json (produced by the official SDKs).
        assert_eq!(crc64(b"123456789"), 0x995d_c9bb_df19_39fa);
        assert_eq!(
            crc64(b"This is a test of the emergency broadcast system."),
            0x27db_187f_c15b_bc72
        );
        assert_eq!(
            crc64(b"123456789This is a test of the emergency broadcast system."),
            7_672_622_622_872_733_320
        );
    }

    #[test]
    fn etag_of_hello_world_is_upper_case_md5() {
        // MD5("hello world") = 5eb63bbbe01eeed093cb22bb8f5acdc3 (RFC 1321 algorithm, well-known value).
        assert_eq!(
            simple_etag(b"hello world"),
            "\"5EB63BBBE01EEED093CB22BB8F5ACDC3\""
        );
        assert_eq!(base64_md5(&md5(b"hello world")), "XrY7u+Ae7tCTyyK7j1rNww==");
    }
}
