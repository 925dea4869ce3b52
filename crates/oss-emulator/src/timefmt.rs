//! Time formats on the wire: HTTP dates in headers, ISO 8601 in XML documents.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc2822;
use time::macros::format_description;

/// `Fri, 24 Feb 2012 08:42:32 GMT`.
pub(crate) fn http_date(t: OffsetDateTime) -> String {
    let f = format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    t.to_offset(time::UtcOffset::UTC)
        .format(f)
        .unwrap_or_default()
}

/// `2012-02-24T08:42:32.000Z`.
pub(crate) fn iso8601(t: OffsetDateTime) -> String {
    let f =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    t.to_offset(time::UtcOffset::UTC)
        .format(f)
        .unwrap_or_default()
}

/// Parses an HTTP date (`If-Modified-Since` and friends).
pub(crate) fn parse_http_date(s: &str) -> Option<OffsetDateTime> {
    let f = format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    time::PrimitiveDateTime::parse(s.trim(), f)
        .map(|p| p.assume_utc())
        .ok()
        .or_else(|| OffsetDateTime::parse(s.trim(), &Rfc2822).ok())
}

/// Whole seconds since the epoch, the resolution of HTTP dates.
pub(crate) fn seconds(t: OffsetDateTime) -> i64 {
    t.unix_timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_match_the_oss_documentation_examples() {
        let t = time::macros::datetime!(2012-02-24 08:42:32 UTC);
        assert_eq!(http_date(t), "Fri, 24 Feb 2012 08:42:32 GMT");
        assert_eq!(iso8601(t), "2012-02-24T08:42:32.000Z");
        assert_eq!(parse_http_date("Fri, 24 Feb 2012 08:42:32 GMT"), Some(t));
        assert_eq!(parse_http_date("garbage"), None);
    }
}
