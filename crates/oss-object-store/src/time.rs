//! Between the client's `time::OffsetDateTime` and object_store's `chrono::DateTime<Utc>`.

use chrono::{DateTime, Utc};
use object_store::Result;

use crate::error::AdapterError;

/// A response's `Last-Modified` as object_store wants it.
pub(crate) fn to_chrono(
    t: Option<time::OffsetDateTime>,
    operation: &'static str,
) -> Result<DateTime<Utc>> {
    let t = t.ok_or(AdapterError::MissingResponseValue {
        operation,
        what: "Last-Modified",
    })?;
    DateTime::from_timestamp(t.unix_timestamp(), t.nanosecond()).ok_or_else(|| {
        AdapterError::InvalidResponseValue {
            operation,
            message: format!("Last-Modified {t} is out of range"),
        }
        .into()
    })
}

/// A condition's time as the client takes it.
pub(crate) fn to_time(t: DateTime<Utc>) -> Result<time::OffsetDateTime> {
    let nanos = i128::from(t.timestamp()) * 1_000_000_000 + i128::from(t.timestamp_subsec_nanos());
    time::OffsetDateTime::from_unix_timestamp_nanos(nanos).map_err(|e| {
        object_store::Error::Generic {
            store: crate::error::STORE,
            source: Box::new(e),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_keeps_nanoseconds() {
        let t = time::macros::datetime!(2026-12-01 22:11:53.123456789 UTC);
        let c = to_chrono(Some(t), "GetObject").unwrap();
        assert_eq!(c.to_rfc3339(), "2026-12-01T22:11:53.123456789+00:00");
        assert_eq!(to_time(c).unwrap(), t);
    }

    #[test]
    fn missing_last_modified_is_an_error() {
        let err = to_chrono(None, "HeadObject").unwrap_err();
        assert!(err.to_string().contains("Last-Modified"), "{err}");
    }
}
