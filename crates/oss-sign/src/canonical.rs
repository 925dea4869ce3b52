//! The V4 canonical request and string to sign, written into one reused buffer.

use std::cmp::Ordering;

use ring::digest;

use crate::datetime::IsoStamp;
use crate::encoding::{encoded_bytes, hex32, push_encoded};
use crate::request::{Headers, Query, Resource};
use crate::signing_key::SCOPE_TERMINATOR;

/// The algorithm name of V4 signatures.
pub(crate) const ALGORITHM: &str = "OSS4-HMAC-SHA256";

/// Whether V4 signs this header whatever the caller asks: `x-oss-*`, `content-type`,
/// `content-md5` (any case).
#[inline]
pub(crate) fn is_default_signed(name: &str) -> bool {
    let b = name.as_bytes();
    (b.len() >= 6 && b[..6].eq_ignore_ascii_case(b"x-oss-"))
        || name.eq_ignore_ascii_case("content-type")
        || name.eq_ignore_ascii_case("content-md5")
}

pub(crate) fn cmp_ignore_case(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    for (x, y) in a.iter().zip(b) {
        match x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase()) {
            Ordering::Equal => {}
            other => return other,
        }
    }
    a.len().cmp(&b.len())
}

thread_local! {
    static BUFFER: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(Vec::with_capacity(1024));
}

/// Runs `f` with a cleared, reused per-thread buffer (a fresh one if it is already in use).
/// Only a signer running inside a thread-local destructor could hit `with`'s panic.
pub(crate) fn with_buffer<R>(f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
    BUFFER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => {
            buf.clear();
            let out = f(&mut buf);
            if buf.capacity() > 64 * 1024 {
                *buf = Vec::with_capacity(1024);
            }
            out
        }
        Err(_) => f(&mut Vec::with_capacity(1024)),
    })
}

/// Everything the canonical request is made of.
pub(crate) struct CanonicalInput<'r> {
    pub(crate) method: &'r str,
    pub(crate) resource: Resource<'r>,
    /// The signing region (used in vector-bucket URIs).
    pub(crate) region: &'r str,
    pub(crate) query: Query<'r>,
    /// Decoded parameters added by presigning.
    pub(crate) extra_query: &'r [(&'r str, &'r str)],
    /// A query parameter left out (the signature itself, when verifying a presigned URL).
    pub(crate) skip_query: Option<&'r str>,
    pub(crate) headers: Headers<'r>,
    /// Headers the signer sets (lower-case names); they replace caller headers of the same name.
    pub(crate) override_headers: &'r [(&'r str, &'r [u8])],
    /// Additional signed header names, in the order written to the canonical request.
    pub(crate) additional: &'r [&'r str],
    pub(crate) payload: &'r [u8],
}

/// Writes the canonical request into `buf` (cleared first). When `signed_headers` is given it
/// receives the signed headers (lower-case name, canonical value) in canonical order.
pub(crate) fn write_canonical_request(
    buf: &mut Vec<u8>,
    input: &CanonicalInput<'_>,
    signed_headers: Option<&mut Vec<(String, String)>>,
) {
    buf.clear();
    buf.extend_from_slice(input.method.as_bytes());
    buf.push(b'\n');
    input.resource.write_canonical_uri(buf, input.region);
    buf.push(b'\n');
    write_query(buf, input);
    buf.push(b'\n');
    write_headers(buf, input, signed_headers);
    buf.push(b'\n');
    for (i, name) in input.additional.iter().enumerate() {
        if i > 0 {
            buf.push(b';');
        }
        buf.extend_from_slice(name.as_bytes());
    }
    buf.push(b'\n');
    buf.extend_from_slice(input.payload);
}

fn write_query(buf: &mut Vec<u8>, input: &CanonicalInput<'_>) {
    if input.query.is_empty() && input.extra_query.is_empty() {
        return;
    }
    let mut params: Vec<(&[u8], &[u8])> =
        Vec::with_capacity(input.query.len() + input.extra_query.len());
    params.extend(
        input
            .query
            .iter()
            .filter(|(k, _)| Some(*k) != input.skip_query)
            .map(|(k, v)| (k.as_bytes(), v.unwrap_or("").as_bytes())),
    );
    params.extend(
        input
            .extra_query
            .iter()
            .map(|(k, v)| (k.as_bytes(), v.as_bytes())),
    );
    params.sort_by(|a, b| {
        encoded_bytes(a.0)
            .cmp(encoded_bytes(b.0))
            .then_with(|| encoded_bytes(a.1).cmp(encoded_bytes(b.1)))
    });
    for (i, (k, v)) in params.iter().enumerate() {
        if i > 0 {
            buf.push(b'&');
        }
        push_encoded(buf, k, false);
        if !v.is_empty() {
            buf.push(b'=');
            push_encoded(buf, v, false);
        }
    }
}

/// Fills `slots` with the headers to sign (caller headers not overridden, then the overrides);
/// returns how many.
fn collect_signed<'h>(
    headers: impl Iterator<Item = (&'h str, &'h [u8])>,
    names_lower: bool,
    input: &CanonicalInput<'h>,
    slots: &mut [(&'h str, &'h [u8])],
) -> usize {
    let mut n = 0;
    for (name, value) in headers {
        let (overridden, signed) = if names_lower {
            (
                input.override_headers.iter().any(|(o, _)| *o == name),
                name.starts_with("x-oss-")
                    || name == "content-type"
                    || name == "content-md5"
                    || input
                        .additional
                        .iter()
                        .any(|a| a.eq_ignore_ascii_case(name)),
            )
        } else {
            (
                input
                    .override_headers
                    .iter()
                    .any(|(o, _)| o.eq_ignore_ascii_case(name)),
                is_default_signed(name)
                    || input
                        .additional
                        .iter()
                        .any(|a| a.eq_ignore_ascii_case(name)),
            )
        };
        if let (false, true, Some(slot)) = (overridden, signed, slots.get_mut(n)) {
            *slot = (name, value);
            n += 1;
        }
    }
    for &entry in input.override_headers {
        if let Some(slot) = slots.get_mut(n) {
            *slot = entry;
            n += 1;
        }
    }
    n
}

fn write_headers(
    buf: &mut Vec<u8>,
    input: &CanonicalInput<'_>,
    mut signed_headers: Option<&mut Vec<(String, String)>>,
) {
    // Typical requests have a handful of headers: keep the list on the stack.
    const INLINE: usize = 24;
    let capacity = input.headers.len() + input.override_headers.len();
    let mut inline: [(&str, &[u8]); INLINE] = [("", b""); INLINE];
    let mut heap: Vec<(&str, &[u8])> = Vec::new();
    let slots: &mut [(&str, &[u8])] = if capacity <= INLINE {
        &mut inline[..capacity]
    } else {
        heap.resize(capacity, ("", b""));
        &mut heap
    };
    // A HeaderMap's names are lower case already: compare them exactly. The override
    // names are the signer's own lower-case constants.
    let (n, all_lower) = match input.headers {
        Headers::Map(map) => (
            collect_signed(
                map.iter().map(|(k, v)| (k.as_str(), v.as_bytes())),
                true,
                input,
                slots,
            ),
            true,
        ),
        other => {
            let n = collect_signed(other.iter(), false, input, slots);
            let lower = slots[..n]
                .iter()
                .all(|(name, _)| !name.bytes().any(|b| b.is_ascii_uppercase()));
            (n, lower)
        }
    };
    let list = &mut slots[..n];
    // Stable: the values of a repeated header keep their order.
    if all_lower {
        list.sort_by(|a, b| a.0.cmp(b.0));
    } else {
        list.sort_by(|a, b| cmp_ignore_case(a.0, b.0));
    }

    let mut i = 0;
    while i < list.len() {
        let name = list[i].0;
        let start = buf.len();
        if all_lower {
            buf.extend_from_slice(name.as_bytes());
        } else {
            buf.extend(name.bytes().map(|c| c.to_ascii_lowercase()));
        }
        buf.push(b':');
        let value_start = buf.len();
        let mut first = true;
        while i < list.len()
            && (list[i].0.len() == name.len() && list[i].0.eq_ignore_ascii_case(name))
        {
            if !first {
                buf.push(b',');
            }
            first = false;
            buf.extend_from_slice(list[i].1.trim_ascii());
            i += 1;
        }
        if let Some(out) = signed_headers.as_deref_mut() {
            out.push((
                String::from_utf8_lossy(&buf[start..value_start - 1]).into_owned(),
                String::from_utf8_lossy(&buf[value_start..]).into_owned(),
            ));
        }
        buf.push(b'\n');
    }
}

/// `text` with the value after every `security-token:` / `security-token=` (header line,
/// query parameter, V1 sub-resource) replaced by `<redacted>`, for `Debug` output.
pub(crate) fn redact_security_token(text: &str) -> String {
    const NEEDLE: &str = "security-token";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find(NEEDLE) {
        let after = pos + NEEDLE.len();
        out.push_str(&rest[..after]);
        rest = &rest[after..];
        if let Some(sep @ (':' | '=')) = rest.chars().next() {
            out.push(sep);
            let end = rest[1..].find(['\n', '&']).map_or(rest.len(), |e| e + 1);
            out.push_str("<redacted>");
            rest = &rest[end..];
        }
    }
    out.push_str(rest);
    out
}

/// Replaces the canonical request in `buf` by the string to sign:
/// `OSS4-HMAC-SHA256\n{stamp}\n{date}/{region}/{product}/aliyun_v4_request\n{hex sha256}`.
pub(crate) fn canonical_to_string_to_sign(
    buf: &mut Vec<u8>,
    stamp: &IsoStamp,
    region: &str,
    product: &str,
) {
    let hash = digest::digest(&digest::SHA256, buf);
    let hex = hex32(hash.as_ref());
    buf.clear();
    buf.extend_from_slice(ALGORITHM.as_bytes());
    buf.push(b'\n');
    buf.extend_from_slice(&stamp.0);
    buf.push(b'\n');
    write_scope(buf, stamp.date(), region, product);
    buf.push(b'\n');
    buf.extend_from_slice(&hex);
}

/// `{date}/{region}/{product}/aliyun_v4_request`.
pub(crate) fn write_scope(buf: &mut Vec<u8>, date: &str, region: &str, product: &str) {
    buf.extend_from_slice(date.as_bytes());
    buf.push(b'/');
    buf.extend_from_slice(region.as_bytes());
    buf.push(b'/');
    buf.extend_from_slice(product.as_bytes());
    buf.push(b'/');
    buf.extend_from_slice(SCOPE_TERMINATOR.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_tokens_are_redacted() {
        let text = "GET\n/b/\nacl&x-oss-security-token=SECRET&z=1\nx-oss-security-token:SECRET\n/b/?security-token=SECRET";
        let red = redact_security_token(text);
        assert!(!red.contains("SECRET"), "{red}");
        assert!(red.contains("&z=1\n"), "{red}");
        assert_eq!(redact_security_token("no token here"), "no token here");
    }

    #[test]
    fn default_signed_headers() {
        for h in ["x-oss-meta-a", "X-OSS-DATE", "Content-Type", "content-md5"] {
            assert!(is_default_signed(h), "{h}");
        }
        for h in ["host", "x-os", "content-length", "date"] {
            assert!(!is_default_signed(h), "{h}");
        }
    }
}
