//! Alibaba Cloud RPC-style request signatures (HMAC-SHA1, `SignatureVersion=1.0`), used for STS.

use base64::Engine as _;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but RFC 3986 unreserved characters is percent-encoded (upper-case hex).
const RPC_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes a parameter name or value the RPC way.
pub(super) fn encode(s: &str) -> String {
    utf8_percent_encode(s, RPC_ENCODE).to_string()
}

/// `param=value&...` with names sorted, both encoded.
pub(super) fn canonical_query(params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    sorted
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The signature over every parameter (query and form) of a request.
pub(super) fn signature(method: &str, params: &[(String, String)], secret: &str) -> String {
    let string_to_sign = format!(
        "{method}&{}&{}",
        encode("/"),
        encode(&canonical_query(params))
    );
    let key = ring::hmac::Key::new(
        ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        format!("{secret}&").as_bytes(),
    );
    let tag = ring::hmac::sign(&key, string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(tag.as_ref())
}

/// A random `SignatureNonce`.
pub(super) fn nonce() -> String {
    use ring::rand::SecureRandom as _;
    let mut bytes = [0u8; 16];
    // SystemRandom only fails when the OS has no randomness source; fall back to the clock.
    if ring::rand::SystemRandom::new().fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        bytes = nanos.to_le_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `Timestamp` in the form RPC APIs expect: `2016-02-23T12:46:24Z`.
pub(super) fn timestamp(now: time::OffsetDateTime) -> String {
    let t = now.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn documented_example_signature() {
        // The worked example of Alibaba Cloud's RPC signature documentation (ECS DescribeRegions,
        // AccessKeySecret "testsecret").
        let params = pairs(&[
            ("Timestamp", "2016-02-23T12:46:24Z"),
            ("Format", "XML"),
            ("AccessKeyId", "testid"),
            ("Action", "DescribeRegions"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("Version", "2014-05-26"),
            ("SignatureVersion", "1.0"),
        ]);
        assert_eq!(
            signature("GET", &params, "testsecret"),
            "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
        );
    }

    #[test]
    fn encoding_follows_rfc3986() {
        // Values from credentials-go's URL-encoding test.
        assert_eq!(
            canonical_query(&pairs(&[
                ("key2", "http://domain/?key=value&key2=value2"),
                ("key", "value")
            ])),
            "key=value&key2=http%3A%2F%2Fdomain%2F%3Fkey%3Dvalue%26key2%3Dvalue2"
        );
        assert_eq!(encode("a b*c~"), "a%20b%2Ac~");
    }

    #[test]
    fn timestamp_format() {
        let t = time::macros::datetime!(2016-02-23 12:46:24.123 UTC);
        assert_eq!(timestamp(t), "2016-02-23T12:46:24Z");
    }

    #[test]
    fn nonces_differ() {
        assert_ne!(nonce(), nonce());
        assert_eq!(nonce().len(), 32);
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn encoding_round_trips_and_leaves_only_unreserved(s in ".*") {
            let encoded = encode(&s);
            prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b)));
            let decoded = percent_encoding::percent_decode_str(&encoded).decode_utf8().unwrap();
            prop_assert_eq!(decoded, s);
        }
    }
}
