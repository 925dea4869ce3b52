//! Clock skew: OSS rejects requests signed more than 15 minutes away from its own clock
//! (`RequestTimeTooSkewed`). The client measures the offset between the server's clock and its
//! own from a response, stores it, and signs later attempts at `now + offset`.
//!
//! Sources, best first: the `ServerTime` element of a `RequestTimeTooSkewed` error, then the
//! response's `Date` header.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::ServiceError;

/// The skew OSS tolerates between the request time and its own clock.
pub const MAX_ALLOWED_SKEW: Duration = Duration::from_secs(15 * 60);

/// Offsets smaller than this are measurement noise (the `Date` header has one-second
/// resolution and the response took time to arrive) and are not reported by [`detect`] unless
/// the service rejected the request for skew.
pub const NOISE: Duration = Duration::from_secs(60);

/// How far the server's clock is ahead of the local clock (negative: behind), in milliseconds.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use oss_proto::clock_skew::ClockOffset;
/// let local = UNIX_EPOCH + Duration::from_secs(1_000);
/// let server = UNIX_EPOCH + Duration::from_secs(1_300);
/// let offset = ClockOffset::between(server, local);
/// assert_eq!(offset.as_millis(), 300_000);
/// assert_eq!(offset.apply(local), server);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ClockOffset {
    millis: i64,
}

impl ClockOffset {
    /// No offset.
    pub const ZERO: ClockOffset = ClockOffset { millis: 0 };

    /// An offset in milliseconds (server minus local).
    pub fn from_millis(millis: i64) -> Self {
        ClockOffset { millis }
    }

    /// The offset of `server` relative to `local`.
    pub fn between(server: SystemTime, local: SystemTime) -> Self {
        let millis = match server.duration_since(local) {
            Ok(ahead) => i64::try_from(ahead.as_millis()).unwrap_or(i64::MAX),
            Err(behind) => -i64::try_from(behind.duration().as_millis()).unwrap_or(i64::MAX),
        };
        ClockOffset { millis }
    }

    /// The offset in milliseconds.
    pub fn as_millis(self) -> i64 {
        self.millis
    }

    /// The size of the offset, whatever its sign.
    pub fn magnitude(self) -> Duration {
        Duration::from_millis(self.millis.unsigned_abs())
    }

    /// `local` moved by the offset: the time to sign with.
    pub fn apply(self, local: SystemTime) -> SystemTime {
        let delta = self.magnitude();
        let moved = if self.millis >= 0 {
            local.checked_add(delta)
        } else {
            local.checked_sub(delta)
        };
        moved.unwrap_or(local)
    }
}

/// Measures the offset from a response received for a request signed at `signed_at` (local
/// clock). Returns `Some` when the service rejected the request as `RequestTimeTooSkewed` (with
/// whatever offset can be measured, from `ServerTime` or `Date`) or when the `Date` header is
/// more than [`NOISE`] away; `None` when nothing usable was found.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// let (head, ()) = http::Response::builder()
///     .header("date", "Thu, 17 Apr 2025 03:15:40 GMT")
///     .body(())
///     .unwrap()
///     .into_parts();
/// // 1744859740 is 2025-04-17T03:15:40Z; our clock says 20 minutes earlier.
/// let local = UNIX_EPOCH + Duration::from_secs(1_744_859_740 - 1_200);
/// let offset = oss_proto::clock_skew::detect(&head, None, local).unwrap();
/// assert_eq!(offset.as_millis(), 1_200_000);
/// ```
pub fn detect(
    head: &http::response::Parts,
    error: Option<&ServiceError>,
    signed_at: SystemTime,
) -> Option<ClockOffset> {
    let skew_error = error.filter(|e| e.code == "RequestTimeTooSkewed");
    let from_error = skew_error
        .and_then(|e| e.extra.get("ServerTime"))
        .and_then(|t| parse_time(t));
    let from_date = head
        .headers
        .get(http::header::DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_http_date);
    let server = from_error.or(from_date)?;
    let offset = ClockOffset::between(server, signed_at);
    if skew_error.is_some() || offset.magnitude() > NOISE {
        Some(offset)
    } else {
        None
    }
}

/// Parses either form OSS uses for times: an HTTP date or ISO 8601.
fn parse_time(s: &str) -> Option<SystemTime> {
    parse_http_date(s).or_else(|| parse_iso8601(s))
}

/// Parses an IMF-fixdate (`Thu, 17 Apr 2025 03:15:40 GMT`), the `Date` header's format.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// assert_eq!(
///     oss_proto::clock_skew::parse_http_date("Thu, 17 Apr 2025 03:15:40 GMT"),
///     Some(UNIX_EPOCH + Duration::from_secs(1_744_859_740))
/// );
/// assert_eq!(oss_proto::clock_skew::parse_http_date("yesterday"), None);
/// ```
pub fn parse_http_date(s: &str) -> Option<SystemTime> {
    let s = s.trim();
    let (_, rest) = s.split_once(", ")?;
    let mut fields = rest.split(' ');
    let day: u32 = parse_digits(fields.next()?, 1, 2)?;
    let month = match fields.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i64 = parse_digits(fields.next()?, 4, 4)?;
    let (h, m, sec) = parse_hms(fields.next()?)?;
    if !matches!(fields.next()?, "GMT" | "UTC") || fields.next().is_some() {
        return None;
    }
    to_system_time(year, month, day, h, m, sec, 0)
}

/// Parses `2025-04-17T03:15:40Z` or `2025-04-17T03:15:40.123Z`.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// assert_eq!(
///     oss_proto::clock_skew::parse_iso8601("2025-04-17T03:15:40.250Z"),
///     Some(UNIX_EPOCH + Duration::from_millis(1_744_859_740_250))
/// );
/// ```
pub fn parse_iso8601(s: &str) -> Option<SystemTime> {
    let s = s.trim().strip_suffix('Z')?;
    let (date, time) = s.split_once('T')?;
    let mut d = date.split('-');
    let year: i64 = parse_digits(d.next()?, 4, 4)?;
    let month: u32 = parse_digits(d.next()?, 2, 2)?;
    let day: u32 = parse_digits(d.next()?, 2, 2)?;
    if d.next().is_some() {
        return None;
    }
    let (hms, frac) = match time.split_once('.') {
        Some((hms, frac)) => (hms, Some(frac)),
        None => (time, None),
    };
    let (h, m, sec) = parse_hms(hms)?;
    let millis = match frac {
        None => 0,
        Some(f) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => {
            let first3: String = f.chars().chain("00".chars()).take(3).collect();
            first3.parse().ok()?
        }
        Some(_) => return None,
    };
    to_system_time(year, month, day, h, m, sec, millis)
}

fn parse_digits<T: std::str::FromStr>(s: &str, min: usize, max: usize) -> Option<T> {
    if (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

fn parse_hms(s: &str) -> Option<(u32, u32, u32)> {
    let mut t = s.split(':');
    let h = parse_digits(t.next()?, 2, 2)?;
    let m = parse_digits(t.next()?, 2, 2)?;
    let sec = parse_digits(t.next()?, 2, 2)?;
    if t.next().is_some() || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    Some((h, m, sec))
}

fn to_system_time(
    year: i64,
    month: u32,
    day: u32,
    h: u32,
    m: u32,
    sec: u32,
    millis: u64,
) -> Option<SystemTime> {
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + i64::from(h) * 3600 + i64::from(m) * 60 + i64::from(sec);
    let secs = u64::try_from(secs).ok()?;
    UNIX_EPOCH.checked_add(Duration::from_secs(secs) + Duration::from_millis(millis))
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn head_with_date(date: &str) -> http::response::Parts {
        http::Response::builder()
            .header("date", date)
            .body(())
            .expect("response")
            .into_parts()
            .0
    }

    #[test]
    fn http_dates() {
        // Dates from OSS documentation examples, epoch seconds computed independently.
        assert_eq!(
            parse_http_date("Wed, 09 Nov 2022 08:45:46 GMT"),
            Some(at(1_667_983_546))
        );
        assert_eq!(
            parse_http_date("Fri, 24 Feb 2012 08:42:32 GMT"),
            Some(at(1_330_072_952))
        );
        assert_eq!(
            parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"),
            Some(at(0))
        );
        assert_eq!(
            parse_http_date("Tue, 29 Feb 2000 12:00:00 GMT"),
            Some(at(951_825_600))
        );
        for bad in [
            "",
            "Thu, 17 Apr 2025 03:15:40",
            "Thu, 17 Foo 2025 03:15:40 GMT",
            "Thu, 31 Apr 2025 03:15:40 GMT",
            "Thu, 29 Feb 2023 03:15:40 GMT",
            "Thu, 17 Apr 2025 24:15:40 GMT",
            "Thu, 17 Apr 25 03:15:40 GMT",
            "Thu, 17 Apr 2025 03:15:40 GMT extra",
            "Thu 17 Apr 2025 03:15:40 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn iso_dates() {
        assert_eq!(
            parse_iso8601("2012-02-24T08:42:32.000Z"),
            Some(at(1_330_072_952))
        );
        assert_eq!(
            parse_iso8601("2012-02-24T08:42:32Z"),
            Some(at(1_330_072_952))
        );
        assert_eq!(
            parse_iso8601("2012-02-24T08:42:32.5Z"),
            Some(at(1_330_072_952) + Duration::from_millis(500))
        );
        assert_eq!(parse_iso8601("2012-02-24T08:42:32"), None);
        assert_eq!(parse_iso8601("2012-02-24T08:42:32.Z"), None);
        assert_eq!(parse_iso8601("2012-13-24T08:42:32Z"), None);
    }

    #[test]
    fn offset_from_date_header() {
        let head = head_with_date("Thu, 17 Apr 2025 03:15:40 GMT");
        let server = at(1_744_859_740);
        // Local clock 20 minutes fast: negative offset.
        let offset = detect(&head, None, server + Duration::from_secs(1200)).expect("skew");
        assert_eq!(offset.as_millis(), -1_200_000);
        assert_eq!(
            offset.apply(server + Duration::from_secs(1200)),
            server,
            "corrected time is the server's"
        );
        // Within noise: nothing to correct.
        assert_eq!(detect(&head, None, server + Duration::from_secs(5)), None);
        // No Date header: nothing measurable.
        let bare = http::Response::builder()
            .body(())
            .expect("response")
            .into_parts()
            .0;
        assert_eq!(detect(&bare, None, server), None);
    }

    #[test]
    fn offset_from_request_time_too_skewed() {
        let mut e = ServiceError::new(403);
        e.code = "RequestTimeTooSkewed".into();
        e.extra
            .insert("ServerTime".into(), "2025-04-17T03:15:40.000Z".into());
        e.extra
            .insert("RequestTime".into(), "2025-04-17T02:55:40.000Z".into());
        // The error's ServerTime wins over a Date header.
        let head = head_with_date("Thu, 17 Apr 2025 03:15:41 GMT");
        let local = at(1_744_859_740 - 1200);
        let offset = detect(&head, Some(&e), local).expect("skew");
        assert_eq!(offset.as_millis(), 1_200_000);

        // Without ServerTime the Date header is used, and even a small offset is reported.
        e.extra.clear();
        let offset = detect(&head, Some(&e), at(1_744_859_740)).expect("skew");
        assert_eq!(offset.as_millis(), 1000);

        // Another error code does not force a report.
        e.code = "AccessDenied".into();
        assert_eq!(detect(&head, Some(&e), at(1_744_859_740)), None);
    }

    #[test]
    fn offsets_saturate() {
        let o = ClockOffset::from_millis(i64::MIN);
        let _ = o.magnitude();
        let _ = o.apply(UNIX_EPOCH);
        assert_eq!(ClockOffset::ZERO.apply(at(5)), at(5));
    }

    proptest! {
        #[test]
        fn parsers_never_panic(s in "\\PC{0,40}") {
            let _ = parse_http_date(&s);
            let _ = parse_iso8601(&s);
        }

        #[test]
        fn offsets_round_trip(server in 0u64..4_000_000_000, local in 0u64..4_000_000_000) {
            let offset = ClockOffset::between(at(server), at(local));
            prop_assert_eq!(offset.apply(at(local)), at(server));
        }
    }
}
