//! Test-only support for the generated property tests: a seeded generator of sample values
//! ([`Sample`]) and the generic round-trip / fuzz checks the generated tables point at.

use std::fmt::Debug;

use time::OffsetDateTime;

use crate::xml::XmlDocument;

/// SplitMix64: small, seedable, good enough to spread samples.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    pub(crate) fn enum_value<E: From<String>>(&mut self, values: &[&str]) -> E {
        let i = self.below(values.len() as u64 + 1) as usize;
        match values.get(i) {
            Some(v) => E::from((*v).to_string()),
            None => E::from(format!("zz-unknown-{}", self.below(1000))),
        }
    }
}

/// Characters chosen to stress escaping: markup, entities' ampersand, quotes, whitespace, CR,
/// control characters, multi-byte UTF-8.
const TRICKY: &[char] = &[
    'a', 'Z', '0', ' ', '/', '%', '+', '&', '<', '>', '"', '\'', '\r', '\n', '\t', '\u{1}', 'é',
    '中', '🦀', ';', '#', ']',
];

/// A value the generated tests can make up from a seed.
pub(crate) trait Sample: Sized {
    fn sample(rng: &mut Rng) -> Self;
}

impl Sample for String {
    fn sample(rng: &mut Rng) -> Self {
        let len = rng.below(12) as usize;
        (0..len)
            .map(|_| TRICKY[rng.below(TRICKY.len() as u64) as usize])
            .collect()
    }
}

impl Sample for i64 {
    fn sample(rng: &mut Rng) -> Self {
        match rng.below(4) {
            0 => 0,
            1 => i64::MAX,
            2 => -(rng.below(1000) as i64),
            _ => rng.next() as i64,
        }
    }
}

impl Sample for bool {
    fn sample(rng: &mut Rng) -> Self {
        rng.below(2) == 1
    }
}

impl Sample for f32 {
    fn sample(rng: &mut Rng) -> Self {
        match rng.below(4) {
            0 => 0.0,
            1 => f32::MAX,
            2 => -f32::MIN_POSITIVE,
            // Finite by construction: a 24-bit integer scaled down.
            _ => (rng.below(1 << 24) as f32 - 8_388_608.0) / 1024.0,
        }
    }
}

impl Sample for serde_json::Value {
    fn sample(rng: &mut Rng) -> Self {
        use serde_json::Value;
        // No `null`: an optional member holding `null` reads back as absent.
        let leaf = |rng: &mut Rng| match rng.below(3) {
            0 => Value::from(String::sample(rng)),
            1 => Value::from(i64::sample(rng)),
            _ => Value::from(bool::sample(rng)),
        };
        match rng.below(3) {
            0 => leaf(rng),
            1 => Value::Array((0..rng.below(3)).map(|_| leaf(rng)).collect()),
            _ => Value::Object(
                (0..rng.below(3))
                    .map(|_| (String::sample(rng), leaf(rng)))
                    .collect(),
            ),
        }
    }
}

impl Sample for OffsetDateTime {
    fn sample(rng: &mut Rng) -> Self {
        // 1970..2100, millisecond precision (what the XML form keeps).
        let millis = rng.below(4_102_444_800_000) as i128;
        OffsetDateTime::from_unix_timestamp_nanos(millis * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

impl<T: Sample> Sample for Option<T> {
    fn sample(rng: &mut Rng) -> Self {
        if rng.below(3) == 0 {
            None
        } else {
            Some(T::sample(rng))
        }
    }
}

impl<T: Sample> Sample for Vec<T> {
    fn sample(rng: &mut Rng) -> Self {
        let len = rng.below(4) as usize;
        (0..len).map(|_| T::sample(rng)).collect()
    }
}

/// shape → XML → shape is the identity.
pub(crate) fn xml_round_trip<T: Sample + XmlDocument + PartialEq + Debug>(
    seed: u64,
) -> Result<(), String> {
    let value = T::sample(&mut Rng::new(seed));
    let doc = value.to_xml();
    match T::from_xml(doc.as_bytes()) {
        Ok(back) if back == value => Ok(()),
        Ok(back) => Err(format!("{value:?}\n  wrote {doc}\n  read back {back:?}")),
        Err(e) => Err(format!("{value:?}\n  wrote {doc}\n  failed to read: {e}")),
    }
}

/// shape → JSON → shape is the identity.
#[allow(dead_code)] // until the spec has JSON documents
pub(crate) fn json_round_trip<T: Sample + crate::json::JsonDocument + PartialEq + Debug>(
    seed: u64,
) -> Result<(), String> {
    let value = T::sample(&mut Rng::new(seed));
    let doc = value.to_json();
    match T::from_json(&doc) {
        Ok(back) if back == value => Ok(()),
        Ok(back) => Err(format!("{value:?} read back as {back:?}")),
        Err(e) => Err(format!("{value:?} failed to read: {e}")),
    }
}

/// Parses arbitrary bytes (the result does not matter: only that it returns).
pub(crate) fn parse_any<T: XmlDocument>(bytes: &[u8]) {
    let _ = T::from_xml(bytes);
}

/// Parses arbitrary bytes as a JSON document (the result does not matter: only that it returns).
#[allow(dead_code)] // until the spec has JSON documents
pub(crate) fn parse_any_json<T: crate::json::JsonDocument>(bytes: &[u8]) {
    let _ = T::from_json(bytes);
}

/// A sample document of `T`, for mutation.
pub(crate) fn sample_document<T: Sample + XmlDocument>(seed: u64) -> String {
    T::sample(&mut Rng::new(seed)).to_xml()
}
