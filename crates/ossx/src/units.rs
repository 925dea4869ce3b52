//! Sizes (`10K`, `5MiB`, `1.5G`) and durations (`30s`, `15m`, `1h30m`, `7d`) on the command line,
//! and sizes printed for people.

use std::time::Duration;

use crate::error::{CliError, CliResult};

/// Parses a size: a number of bytes with an optional binary suffix (`K`/`KB`/`KiB` = 1024, `M`,
/// `G`, `T`, `P`; case-insensitive; `B` alone is bytes).
///
/// ```text
/// "100" → 100 · "10K" → 10240 · "5MiB" → 5242880 · "1.5G" → 1610612736
/// ```
pub(crate) fn parse_size(text: &str) -> CliResult<u64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, suffix) = t.split_at(split);
    let bad = || {
        CliError::usage(format!(
            "bad size {text:?}: expected e.g. 100, 10K, 5MiB, 1.5G"
        ))
    };
    let value: f64 = num.parse().map_err(|_| bad())?;
    let shift = match suffix.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        "p" | "pb" | "pib" => 50,
        _ => return Err(bad()),
    };
    let bytes = value * (1u64 << shift) as f64;
    if !bytes.is_finite() || bytes < 0.0 || bytes > u64::MAX as f64 {
        return Err(bad());
    }
    Ok(bytes.round() as u64)
}

/// Parses a duration: one or more `<number><unit>` with units `ms`, `s`, `m`, `h`, `d`, `w`
/// (`90s`, `15m`, `1h30m`, `7d`); a bare number is seconds.
pub(crate) fn parse_duration(text: &str) -> CliResult<Duration> {
    let bad = || {
        CliError::usage(format!(
            "bad duration {text:?}: expected e.g. 30s, 15m, 2h, 7d"
        ))
    };
    let t = text.trim();
    if t.is_empty() {
        return Err(bad());
    }
    if let Ok(secs) = t.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    let mut total = Duration::ZERO;
    let mut rest = t;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        if digits == 0 {
            return Err(bad());
        }
        let value: f64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = match &rest[..unit_len] {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "d" => 86400.0,
            "w" => 604_800.0,
            _ => return Err(bad()),
        };
        rest = &rest[unit_len..];
        total += Duration::try_from_secs_f64(value * unit).map_err(|_| bad())?;
    }
    Ok(total)
}

/// A size for people: `512 B`, `1.50 KiB`, `3.00 GiB`.
pub(crate) fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.2} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("100").unwrap(), 100);
        assert_eq!(parse_size("10K").unwrap(), 10 * 1024);
        assert_eq!(parse_size("5MiB").unwrap(), 5 * 1024 * 1024);
        assert_eq!(parse_size("1.5g").unwrap(), 1_610_612_736);
        assert_eq!(parse_size("0").unwrap(), 0);
        assert!(parse_size("ten").is_err());
        assert!(parse_size("5X").is_err());
        assert!(parse_size("").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("7d").unwrap(), Duration::from_secs(604_800));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert!(parse_duration("m").is_err());
        assert!(parse_duration("5y").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn human() {
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(1536), "1.50 KiB");
        assert_eq!(human_size(3 << 30), "3.00 GiB");
    }
}
