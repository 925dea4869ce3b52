//! Single values as text: header and query values ([`TextValue`]), the two timestamp forms OSS
//! uses, and URL encoding of names (`encoding-type=url`).

use std::borrow::Cow;
use std::fmt::Write as _;

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::error::ValueError;

/// A value that travels as the text of a header or query parameter.
///
/// Timestamps use the HTTP date form (`Fri, 24 Feb 2012 08:42:32 GMT`); enums their wire value.
///
/// ```
/// use oss_model::value::TextValue;
/// assert_eq!(42i64.to_text(), "42");
/// assert_eq!(bool::from_text("true"), Ok(true));
/// let t = time::OffsetDateTime::from_text("Fri, 24 Feb 2012 08:42:32 GMT").unwrap();
/// assert_eq!(t.to_text(), "Fri, 24 Feb 2012 08:42:32 GMT");
/// ```
pub trait TextValue: Sized {
    /// The value as header or query text.
    fn to_text(&self) -> Cow<'_, str>;
    /// Reads the value from header or query text.
    fn from_text(text: &str) -> Result<Self, ValueError>;
}

impl TextValue for String {
    fn to_text(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }

    fn from_text(text: &str) -> Result<Self, ValueError> {
        Ok(text.to_string())
    }
}

impl TextValue for i64 {
    fn to_text(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_string())
    }

    fn from_text(text: &str) -> Result<Self, ValueError> {
        parse_integer(text)
    }
}

impl TextValue for bool {
    fn to_text(&self) -> Cow<'_, str> {
        Cow::Borrowed(if *self { "true" } else { "false" })
    }

    fn from_text(text: &str) -> Result<Self, ValueError> {
        parse_boolean(text)
    }
}

impl TextValue for OffsetDateTime {
    fn to_text(&self) -> Cow<'_, str> {
        Cow::Owned(format_http_date(*self))
    }

    fn from_text(text: &str) -> Result<Self, ValueError> {
        parse_http_date(text)
    }
}

impl TextValue for f32 {
    fn to_text(&self) -> Cow<'_, str> {
        // `Display` writes the shortest text that reads back as the same `f32`.
        Cow::Owned(self.to_string())
    }

    fn from_text(text: &str) -> Result<Self, ValueError> {
        parse_float(text)
    }
}

/// Parses a decimal floating-point number as `f32` (surrounding whitespace ignored); NaN and
/// the infinities are refused (no OSS document carries them).
///
/// ```
/// assert_eq!(oss_model::value::parse_float(" 0.25 "), Ok(0.25));
/// assert!(oss_model::value::parse_float("NaN").is_err());
/// assert!(oss_model::value::parse_float("1e99").is_err());
/// ```
pub fn parse_float(text: &str) -> Result<f32, ValueError> {
    match text.trim().parse::<f32>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(ValueError::new("float", text)),
    }
}

/// Parses a decimal integer (optional sign, surrounding whitespace ignored).
///
/// ```
/// assert_eq!(oss_model::value::parse_integer(" -12 "), Ok(-12));
/// assert!(oss_model::value::parse_integer("1.5").is_err());
/// ```
pub fn parse_integer(text: &str) -> Result<i64, ValueError> {
    text.trim()
        .parse()
        .map_err(|_| ValueError::new("integer", text))
}

/// Parses `true` or `false` (any case, surrounding whitespace ignored).
///
/// ```
/// assert_eq!(oss_model::value::parse_boolean("True"), Ok(true));
/// assert!(oss_model::value::parse_boolean("yes").is_err());
/// ```
pub fn parse_boolean(text: &str) -> Result<bool, ValueError> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if t.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(ValueError::new("boolean", text))
    }
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Formats a timestamp as an HTTP date in GMT: `Fri, 24 Feb 2012 08:42:32 GMT`.
///
/// ```
/// use time::macros::datetime;
/// let t = datetime!(2012-02-24 08:42:32 UTC);
/// assert_eq!(oss_model::value::format_http_date(t), "Fri, 24 Feb 2012 08:42:32 GMT");
/// ```
pub fn format_http_date(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[t.weekday().number_days_from_monday() as usize],
        t.day(),
        MONTHS[t.month() as usize - 1],
        t.year(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Parses an HTTP date (`Fri, 24 Feb 2012 08:42:32 GMT`; the weekday is not checked).
///
/// ```
/// let t = oss_model::value::parse_http_date("Fri, 24 Feb 2012 08:42:32 GMT").unwrap();
/// assert_eq!(t.unix_timestamp(), 1330072952);
/// assert!(oss_model::value::parse_http_date("yesterday").is_err());
/// ```
pub fn parse_http_date(text: &str) -> Result<OffsetDateTime, ValueError> {
    let err = || ValueError::new("HTTP date", text);
    let t = text.trim();
    let rest = t.split_once(", ").map(|(_, r)| r).ok_or_else(err)?;
    let mut parts = rest.split(' ');
    let (Some(day), Some(month), Some(year), Some(clock), Some("GMT"), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(err());
    };
    let day: u8 = day.parse().map_err(|_| err())?;
    let month = MONTHS
        .iter()
        .position(|m| *m == month)
        .and_then(|i| Month::try_from(i as u8 + 1).ok())
        .ok_or_else(err)?;
    let year: i32 = year.parse().map_err(|_| err())?;
    let b = clock.as_bytes();
    if b.len() != 8 || b[2] != b':' || b[5] != b':' {
        return Err(err());
    }
    let (h, m, s) = (
        two_digits(&b[0..2]).ok_or_else(err)?,
        two_digits(&b[3..5]).ok_or_else(err)?,
        two_digits(&b[6..8]).ok_or_else(err)?,
    );
    let date = Date::from_calendar_date(year, month, day).map_err(|_| err())?;
    let time = Time::from_hms(h, m, s).map_err(|_| err())?;
    Ok(PrimitiveDateTime::new(date, time).assume_utc())
}

fn two_digits(b: &[u8]) -> Option<u8> {
    match b {
        [a @ b'0'..=b'9', c @ b'0'..=b'9'] => Some((a - b'0') * 10 + (c - b'0')),
        _ => None,
    }
}

/// Formats a timestamp as OSS writes it in XML: `2012-02-24T08:42:32.000Z` (UTC, milliseconds).
///
/// ```
/// use time::macros::datetime;
/// let t = datetime!(2012-02-24 08:42:32.5 UTC);
/// assert_eq!(oss_model::value::format_iso8601(t), "2012-02-24T08:42:32.500Z");
/// ```
pub fn format_iso8601(t: OffsetDateTime) -> String {
    let mut out = String::with_capacity(24);
    write_iso8601(&mut out, t);
    out
}

/// Appends [`format_iso8601`]'s form to `out`.
pub(crate) fn write_iso8601(out: &mut String, t: OffsetDateTime) {
    let t = t.to_offset(UtcOffset::UTC);
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    );
}

/// Parses an ISO 8601 / RFC 3339 timestamp: `2012-02-24T08:42:32.000Z`, any number of fraction
/// digits, `Z` or a `±hh:mm` offset.
///
/// ```
/// let t = oss_model::value::parse_iso8601("2012-02-24T08:42:32.000Z").unwrap();
/// assert_eq!(t.unix_timestamp(), 1330072952);
/// let t = oss_model::value::parse_iso8601("2012-02-24T16:42:32+08:00").unwrap();
/// assert_eq!(t.unix_timestamp(), 1330072952);
/// assert!(oss_model::value::parse_iso8601("2012-02-30T00:00:00Z").is_err());
/// ```
pub fn parse_iso8601(text: &str) -> Result<OffsetDateTime, ValueError> {
    parse_iso8601_bytes(text.trim().as_bytes())
        .ok_or_else(|| ValueError::new("ISO 8601 timestamp", text))
}

fn parse_iso8601_bytes(b: &[u8]) -> Option<OffsetDateTime> {
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let year = i32::from(two_digits(&b[0..2])?) * 100 + i32::from(two_digits(&b[2..4])?);
    let month = Month::try_from(two_digits(&b[5..7])?).ok()?;
    let day = two_digits(&b[8..10])?;
    let (h, m, s) = (
        two_digits(&b[11..13])?,
        two_digits(&b[14..16])?,
        two_digits(&b[17..19])?,
    );
    let mut i = 19;
    let mut nanos: u32 = 0;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            if i - start < 9 {
                nanos = nanos * 10 + u32::from(b[i] - b'0');
            }
            i += 1;
        }
        let digits = i - start;
        if digits == 0 {
            return None;
        }
        for _ in digits..9 {
            nanos *= 10;
        }
    }
    let offset = match &b[i..] {
        [b'Z' | b'z'] => UtcOffset::UTC,
        [sign @ (b'+' | b'-'), oh @ .., b':', om1, om2] if oh.len() == 2 => {
            let hours = two_digits(oh)? as i8;
            let minutes = two_digits(&[*om1, *om2])? as i8;
            let (hours, minutes) = if *sign == b'-' {
                (-hours, -minutes)
            } else {
                (hours, minutes)
            };
            UtcOffset::from_hms(hours, minutes, 0).ok()?
        }
        _ => return None,
    };
    let date = Date::from_calendar_date(year, month, day).ok()?;
    let time = Time::from_hms_nano(h, m, s, nanos).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_offset(offset))
}

/// Decodes a name OSS sent URL-encoded (`%XX` escapes; `+` is a space, as in the official SDKs'
/// query unescaping).
///
/// ```
/// assert_eq!(oss_model::value::url_decode("a%2Fb+c%E4%B8%AD").unwrap(), "a/b c中");
/// assert!(oss_model::value::url_decode("%zz").is_err());
/// ```
pub fn url_decode(text: &str) -> Result<Cow<'_, str>, ValueError> {
    if !text.bytes().any(|b| b == b'%' || b == b'+') {
        return Ok(Cow::Borrowed(text));
    }
    let err = || ValueError::new("URL-encoded string", text);
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hi = b
                    .get(i + 1)
                    .and_then(|c| (*c as char).to_digit(16))
                    .ok_or_else(err)?;
                let lo = b
                    .get(i + 2)
                    .and_then(|c| (*c as char).to_digit(16))
                    .ok_or_else(err)?;
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map(Cow::Owned).map_err(|_| err())
}

/// Decodes a URL-encoded `String` in place, reusing its buffer (see [`url_decode`]). A malformed
/// `%` escape leaves the string unchanged; an escape sequence that decodes to invalid UTF-8 is
/// an error too.
///
/// ```
/// let mut s = String::from("a%2Fb+c");
/// oss_model::value::url_decode_in_place(&mut s).unwrap();
/// assert_eq!(s, "a/b c");
/// ```
pub fn url_decode_in_place(text: &mut String) -> Result<(), ValueError> {
    let b = text.as_bytes();
    let mut i = 0;
    let mut any = false;
    while i < b.len() {
        match b[i] {
            b'%' => {
                if !(b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                    && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
                {
                    return Err(ValueError::new("URL-encoded string", text));
                }
                any = true;
                i += 3;
            }
            b'+' => {
                any = true;
                i += 1;
            }
            _ => i += 1,
        }
    }
    if !any {
        return Ok(());
    }
    let mut bytes = std::mem::take(text).into_bytes();
    let hex = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
    let (mut read, mut write) = (0, 0);
    while read < bytes.len() {
        let decoded = match bytes[read] {
            b'%' => {
                let v = hex(bytes[read + 1]) * 16 + hex(bytes[read + 2]);
                read += 3;
                v
            }
            b'+' => {
                read += 1;
                b' '
            }
            other => {
                read += 1;
                other
            }
        };
        bytes[write] = decoded;
        write += 1;
    }
    bytes.truncate(write);
    match String::from_utf8(bytes) {
        Ok(s) => {
            *text = s;
            Ok(())
        }
        Err(e) => {
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let err = ValueError::new("URL-encoded string (decodes to invalid UTF-8)", &lossy);
            *text = url_encode(&lossy);
            Err(err)
        }
    }
}

/// Encodes a name as OSS does for `encoding-type=url`: every byte except `A-Z a-z 0-9 - _ . ~`
/// becomes `%XX`.
///
/// ```
/// assert_eq!(oss_model::value::url_encode("a/b c中"), "a%2Fb%20c%E4%B8%AD");
/// ```
pub fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Implements `FromStr`, `Display`, [`TextValue`] and the XML traits for a generated enum that has
/// `as_str` and `From<&str>`.
macro_rules! wire_enum {
    ($name:ident) => {
        impl ::core::str::FromStr for $name {
            type Err = ::core::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(s))
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl $crate::value::TextValue for $name {
            fn to_text(&self) -> ::std::borrow::Cow<'_, str> {
                ::std::borrow::Cow::Borrowed(self.as_str())
            }
            fn from_text(text: &str) -> Result<Self, $crate::error::ValueError> {
                Ok(Self::from(text))
            }
        }

        impl $crate::xml::FromXml for $name {
            fn read_xml(
                r: &mut $crate::xml::XmlReader<'_>,
                element: &'static str,
            ) -> Result<Self, $crate::error::XmlError> {
                Ok(Self::from(r.text(element)?.as_ref()))
            }
        }

        impl $crate::xml::ToXml for $name {
            fn write_xml(&self, w: &mut $crate::xml::XmlWriter, name: &str) {
                w.text_element(name, self.as_str());
            }
        }
    };
}
pub(crate) use wire_enum;

/// Implements serde `Serialize`/`Deserialize` (as the wire string) for a generated enum.
#[allow(unused_macros)]
macro_rules! json_enum {
    ($name:ident) => {
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s =
                    <::std::borrow::Cow<'de, str> as ::serde::Deserialize<'de>>::deserialize(d)?;
                Ok(Self::from(s.as_ref()))
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use json_enum;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_round_trip_keeps_milliseconds() {
        let t = parse_iso8601("2023-11-05T23:59:59.123Z").unwrap();
        assert_eq!(format_iso8601(t), "2023-11-05T23:59:59.123Z");
    }

    #[test]
    fn iso8601_rejects_garbage() {
        for bad in [
            "",
            "2023-11-05",
            "2023-11-05T23:59:59",
            "2023-13-05T00:00:00Z",
            "2023-11-05T23:59:59.Z",
            "x023-11-05T23:59:59Z",
        ] {
            assert!(parse_iso8601(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn http_date_known_value() {
        // RFC 7231's example date.
        let t = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(t.unix_timestamp(), 784111777);
        assert_eq!(format_http_date(t), "Sun, 06 Nov 1994 08:49:37 GMT");
    }

    #[test]
    fn url_decode_in_place_matches_url_decode() {
        for text in ["", "plain", "a%2Fb+c", "%E4%B8%AD%20x", "100%25"] {
            let mut s = text.to_string();
            url_decode_in_place(&mut s).unwrap();
            assert_eq!(s, url_decode(text).unwrap(), "{text}");
        }
        let mut bad = "ab%2".to_string();
        assert!(url_decode_in_place(&mut bad).is_err());
        assert_eq!(bad, "ab%2");
        let mut not_utf8 = "%FF".to_string();
        assert!(url_decode_in_place(&mut not_utf8).is_err());
    }

    #[test]
    fn url_decode_rejects_truncated_escape() {
        assert!(url_decode("abc%2").is_err());
        assert!(url_decode("%FF").is_err());
    }
}
