//! The two date formats signing uses: ISO 8601 basic (`20231216T162057Z`, V4) and the HTTP date
//! (`Wed, 28 Dec 2022 10:27:41 GMT`, V1), formatted and parsed by hand (no allocation).

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset, Weekday};

use crate::SignError;

/// A V4 timestamp: `YYYYMMDDTHHMMSSZ` (the first 8 bytes are the scope date).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IsoStamp(pub(crate) [u8; 16]);

impl IsoStamp {
    pub(crate) fn new(t: OffsetDateTime) -> Result<Self, SignError> {
        let t = t.to_offset(UtcOffset::UTC);
        let year = t.year();
        if !(0..=9999).contains(&year) {
            return Err(SignError::TimeOutOfRange);
        }
        let mut b = [0u8; 16];
        put_digits(&mut b[0..4], year.unsigned_abs());
        put_digits(&mut b[4..6], u32::from(u8::from(t.month())));
        put_digits(&mut b[6..8], u32::from(t.day()));
        b[8] = b'T';
        put_digits(&mut b[9..11], u32::from(t.hour()));
        put_digits(&mut b[11..13], u32::from(t.minute()));
        put_digits(&mut b[13..15], u32::from(t.second()));
        b[15] = b'Z';
        Ok(Self(b))
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII digits, 'T' and 'Z' are ever written.
        std::str::from_utf8(&self.0).unwrap_or("")
    }

    pub(crate) fn date(&self) -> &str {
        self.as_str().get(..8).unwrap_or("")
    }
}

fn put_digits(out: &mut [u8], mut v: u32) {
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

fn digits(s: &[u8]) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    s.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

fn u8_of(v: u32) -> Option<u8> {
    u8::try_from(v).ok()
}

/// Parses `YYYYMMDDTHHMMSSZ`.
pub(crate) fn parse_iso_stamp(s: &str) -> Option<OffsetDateTime> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let year = i32::try_from(digits(&b[0..4])?).ok()?;
    let month = Month::try_from(u8_of(digits(&b[4..6])?)?).ok()?;
    let date = Date::from_calendar_date(year, month, u8_of(digits(&b[6..8])?)?).ok()?;
    let time = Time::from_hms(
        u8_of(digits(&b[9..11])?)?,
        u8_of(digits(&b[11..13])?)?,
        u8_of(digits(&b[13..15])?)?,
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

/// Parses a scope date `YYYYMMDD`.
pub(crate) fn parse_scope_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 8 {
        return None;
    }
    let year = i32::try_from(digits(&b[0..4])?).ok()?;
    let month = Month::try_from(u8_of(digits(&b[4..6])?)?).ok()?;
    Date::from_calendar_date(year, month, u8_of(digits(&b[6..8])?)?).ok()
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn weekday_name(w: Weekday) -> &'static str {
    match w {
        Weekday::Monday => "Mon",
        Weekday::Tuesday => "Tue",
        Weekday::Wednesday => "Wed",
        Weekday::Thursday => "Thu",
        Weekday::Friday => "Fri",
        Weekday::Saturday => "Sat",
        Weekday::Sunday => "Sun",
    }
}

/// Formats an HTTP date (`Wed, 28 Dec 2022 10:27:41 GMT`, always 29 bytes).
pub(crate) fn http_date(t: OffsetDateTime) -> Result<String, SignError> {
    let t = t.to_offset(UtcOffset::UTC);
    let year = t.year();
    if !(0..=9999).contains(&year) {
        return Err(SignError::TimeOutOfRange);
    }
    let month = MONTHS
        .get(usize::from(u8::from(t.month())) - 1)
        .copied()
        .unwrap_or("Jan");
    let mut b = [0u8; 20];
    put_digits(&mut b[0..2], u32::from(t.day()));
    put_digits(&mut b[2..6], year.unsigned_abs());
    put_digits(&mut b[6..8], u32::from(t.hour()));
    put_digits(&mut b[8..10], u32::from(t.minute()));
    put_digits(&mut b[10..12], u32::from(t.second()));
    let d = std::str::from_utf8(&b[..12]).unwrap_or("000000000000");
    Ok(format!(
        "{}, {} {month} {} {}:{}:{} GMT",
        weekday_name(t.weekday()),
        &d[0..2],
        &d[2..6],
        &d[6..8],
        &d[8..10],
        &d[10..12]
    ))
}

/// Parses an HTTP date in the IMF-fixdate form (`Wed, 28 Dec 2022 10:27:41 GMT`).
pub(crate) fn parse_http_date(s: &str) -> Option<OffsetDateTime> {
    let b = s.trim().as_bytes();
    if b.len() != 29 || &b[3..5] != b", " || &b[25..] != b" GMT" {
        return None;
    }
    let day = u8_of(digits(&b[5..7])?)?;
    let month_name = std::str::from_utf8(&b[8..11]).ok()?;
    let month_index = MONTHS.iter().position(|m| *m == month_name)?;
    let month = Month::try_from(u8::try_from(month_index + 1).ok()?).ok()?;
    let year = i32::try_from(digits(&b[12..16])?).ok()?;
    if b[7] != b' ' || b[11] != b' ' || b[16] != b' ' || b[19] != b':' || b[22] != b':' {
        return None;
    }
    let time = Time::from_hms(
        u8_of(digits(&b[17..19])?)?,
        u8_of(digits(&b[20..22])?)?,
        u8_of(digits(&b[23..25])?)?,
    )
    .ok()?;
    let date = Date::from_calendar_date(year, month, day).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_the_vector_times() {
        // v4.json H1: unix 1702743657 is signed as 20231216T162057Z.
        let t = OffsetDateTime::from_unix_timestamp(1_702_743_657).unwrap();
        assert_eq!(IsoStamp::new(t).unwrap().as_str(), "20231216T162057Z");
        assert_eq!(IsoStamp::new(t).unwrap().date(), "20231216");
        // python-sdk: unix 1744859740 is "Thu, 17 Apr 2025 03:15:40 GMT".
        let t = OffsetDateTime::from_unix_timestamp(1_744_859_740).unwrap();
        assert_eq!(http_date(t).unwrap(), "Thu, 17 Apr 2025 03:15:40 GMT");
    }

    #[test]
    fn parses_what_it_formats() {
        let t = OffsetDateTime::from_unix_timestamp(1_744_859_740).unwrap();
        assert_eq!(parse_http_date("Thu, 17 Apr 2025 03:15:40 GMT"), Some(t));
        assert_eq!(parse_iso_stamp("20250417T031540Z"), Some(t));
        assert_eq!(parse_iso_stamp("20250417T031540"), None);
        assert_eq!(parse_http_date("Thu, 17 Foo 2025 03:15:40 GMT"), None);
        assert!(parse_scope_date("20250417").is_some());
        assert!(parse_scope_date("2025041x").is_none());
    }

    #[test]
    fn out_of_range_years_are_errors() {
        let t = OffsetDateTime::from_unix_timestamp(-62_200_000_000).unwrap();
        assert_eq!(IsoStamp::new(t).unwrap_err(), SignError::TimeOutOfRange);
    }
}
