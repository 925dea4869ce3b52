//! Percent-encoding as OSS signs it (RFC 3986 unreserved set), query decoding, and hex.
//!
//! The client should build request URLs with the same encoding ([`encode_query_component`],
//! [`encode_path`]) so that what is sent is exactly what was signed.

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

/// Whether a byte passes unencoded: `A-Z a-z 0-9 - . _ ~`.
#[inline]
const fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Appends `input` percent-encoded (everything but unreserved bytes; `/` kept when
/// `keep_slash`) to `out`.
#[inline]
pub(crate) fn push_encoded(out: &mut Vec<u8>, input: &[u8], keep_slash: bool) {
    let passes = |b: u8| is_unreserved(b) || (keep_slash && b == b'/');
    let mut rest = input;
    while !rest.is_empty() {
        // Copy the longest run that needs no encoding in one go.
        let run = rest.iter().position(|&b| !passes(b)).unwrap_or(rest.len());
        out.extend_from_slice(&rest[..run]);
        if let Some((&b, tail)) = rest[run..].split_first() {
            out.extend_from_slice(&[
                b'%',
                HEX_UPPER[usize::from(b >> 4)],
                HEX_UPPER[usize::from(b & 15)],
            ]);
            rest = tail;
        } else {
            rest = &[];
        }
    }
}

/// The bytes of `input` percent-encoded, produced lazily (used to sort by encoded form
/// without allocating).
pub(crate) fn encoded_bytes(input: &[u8]) -> impl Iterator<Item = u8> + '_ {
    input.iter().flat_map(|&b| {
        let (arr, n) = if is_unreserved(b) {
            ([b, 0, 0], 1)
        } else {
            (
                [
                    b'%',
                    HEX_UPPER[usize::from(b >> 4)],
                    HEX_UPPER[usize::from(b & 15)],
                ],
                3,
            )
        };
        arr.into_iter().take(n)
    })
}

/// Percent-encodes a query parameter name or value the way OSS canonicalizes it: every byte
/// except `A-Z a-z 0-9 - . _ ~` becomes `%XX` (a space is `%20`, never `+`).
///
/// ```
/// assert_eq!(oss_sign::encoding::encode_query_component("a b/ü+"), "a%20b%2F%C3%BC%2B");
/// ```
pub fn encode_query_component(input: &str) -> String {
    let mut out = Vec::with_capacity(input.len());
    push_encoded(&mut out, input.as_bytes(), false);
    bytes_to_string(out)
}

/// Percent-encodes an object key (or any path) for a URL or canonical URI: like
/// [`encode_query_component`] but `/` is kept.
///
/// ```
/// assert_eq!(oss_sign::encoding::encode_path("dir one/1+1.txt"), "dir%20one/1%2B1.txt");
/// ```
pub fn encode_path(input: &str) -> String {
    let mut out = Vec::with_capacity(input.len());
    push_encoded(&mut out, input.as_bytes(), true);
    bytes_to_string(out)
}

/// Renders query pairs as an encoded query string (`k=v&flag`), in the given order; a `None`
/// value is written bare.
///
/// ```
/// let q = oss_sign::encoding::encode_query(&[("uploads", None), ("prefix", Some("a b"))]);
/// assert_eq!(q, "uploads&prefix=a%20b");
/// ```
pub fn encode_query(pairs: &[(&str, Option<&str>)]) -> String {
    let mut out = Vec::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(b'&');
        }
        push_encoded(&mut out, k.as_bytes(), false);
        if let Some(v) = v {
            out.push(b'=');
            push_encoded(&mut out, v.as_bytes(), false);
        }
    }
    bytes_to_string(out)
}

/// Decodes a raw query string (as received, without `?`) into pairs: split on `&`, then on the
/// first `=`; `+` means space; `%XX` is decoded (malformed escapes are kept literally, invalid
/// UTF-8 is replaced by U+FFFD). `k` gives `(k, None)`, `k=` gives `(k, Some(""))`.
///
/// ```
/// let q = oss_sign::encoding::decode_query("acl&prefix=a%20b+c&x=");
/// assert_eq!(q, vec![
///     ("acl".to_string(), None),
///     ("prefix".to_string(), Some("a b c".to_string())),
///     ("x".to_string(), Some(String::new())),
/// ]);
/// ```
pub fn decode_query(raw: &str) -> Vec<(String, Option<String>)> {
    raw.split('&')
        .filter(|part| !part.is_empty())
        .map(|part| match part.split_once('=') {
            Some((k, v)) => (decode_component(k), Some(decode_component(v))),
            None => (decode_component(part), None),
        })
        .collect()
}

/// Percent-decodes one query component (`+` means space).
///
/// ```
/// assert_eq!(oss_sign::encoding::decode_component("a%2Bb+c%ZZ"), "a+b c%ZZ");
/// ```
pub fn decode_component(input: &str) -> String {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => match (
                bytes.get(i + 1).copied().and_then(hex_value),
                bytes.get(i + 2).copied().and_then(hex_value),
            ) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 3;
                }
                _ => {
                    out.push(b'%');
                    i += 1;
                }
            },
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Every byte's two lower-case hex digits.
const HEX_PAIRS: [[u8; 2]; 256] = {
    let mut table = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = [HEX_LOWER[i >> 4], HEX_LOWER[i & 15]];
        i += 1;
    }
    table
};

/// Lower-case hex of a 32-byte digest, by table.
#[inline]
pub(crate) fn hex32(bytes: &[u8]) -> [u8; 64] {
    let mut out = [0u8; 64];
    for (pair, &b) in out.chunks_exact_mut(2).zip(bytes) {
        pair.copy_from_slice(&HEX_PAIRS[usize::from(b)]);
    }
    out
}

/// Decodes exactly 64 hex digits (either case) into 32 bytes.
pub(crate) fn unhex32(s: &str) -> Option<[u8; 32]> {
    let b = s.as_bytes();
    if b.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = hex_value(b[2 * i])? << 4 | hex_value(b[2 * i + 1])?;
    }
    Some(out)
}

/// Converts bytes that are known to be UTF-8 (ASCII output of the encoders, or UTF-8 input
/// copied through) into a `String` without panicking.
pub(crate) fn bytes_to_string(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_the_go_sdk_vector() {
        // From v4.json H1: the key `1234+-/123/1.txt` is signed as `1234%2B-/123/1.txt`.
        assert_eq!(encode_path("1234+-/123/1.txt"), "1234%2B-/123/1.txt");
        assert_eq!(encode_query_component("|param1"), "%7Cparam1");
    }

    #[test]
    fn lazy_encoding_equals_eager() {
        let s = "a b/ü+~*";
        let lazy: Vec<u8> = encoded_bytes(s.as_bytes()).collect();
        assert_eq!(lazy, encode_query_component(s).into_bytes());
    }

    #[test]
    fn hex_round_trip() {
        let d: Vec<u8> = (0u8..32).map(|i| i.wrapping_mul(37)).collect();
        let h = hex32(&d);
        let s = std::str::from_utf8(&h).unwrap();
        assert_eq!(unhex32(s).unwrap().to_vec(), d);
        assert!(unhex32("zz").is_none());
    }
}
