//! serde adapters for `timestamp` members of JSON shapes: ISO 8601 strings
//! (`"2013-07-31T10:56:21.000Z"`), written with milliseconds in UTC, read with any offset.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serializer};
use time::OffsetDateTime;

use crate::value::{format_iso8601, parse_iso8601};

/// A required timestamp member.
#[allow(
    dead_code,
    reason = "the generator emits it for required JSON timestamps; no spec shape has one yet"
)]
pub(crate) mod required {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(
        value: &OffsetDateTime,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_iso8601(*value))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
        parse_iso8601(&text).map_err(D::Error::custom)
    }
}

/// An optional timestamp member (`null` or absent is `None`).
pub(crate) mod optional {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(
        value: &Option<OffsetDateTime>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(t) => s.serialize_str(&format_iso8601(*t)),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<OffsetDateTime>, D::Error> {
        let text = Option::<std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.map(|t| parse_iso8601(&t).map_err(D::Error::custom))
            .transpose()
    }
}
