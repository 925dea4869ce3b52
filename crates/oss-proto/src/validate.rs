//! Input checks run before a request is built: bucket names, object keys, part numbers, presign
//! lifetimes. Each returns a typed [`Error`] and never panics.

use crate::Error;

/// The longest lifetime of a V4 presigned URL: 7 days, in seconds.
pub const MAX_PRESIGN_EXPIRY_SECS: u64 = 7 * 24 * 3600;

/// The highest part number of a multipart upload.
pub const MAX_PART_NUMBER: i64 = 10_000;

/// The longest object key, in bytes of UTF-8.
pub const MAX_KEY_BYTES: usize = 1023;

/// Checks a bucket name: 3 to 63 characters of `[a-z0-9-]`, not starting or ending with `-`.
///
/// ```
/// use oss_proto::validate;
/// assert!(validate::bucket("examplebucket").is_ok());
/// assert!(validate::bucket("Example").is_err());
/// ```
pub fn bucket(name: &str) -> Result<(), Error> {
    let reason = if name.len() < 3 || name.len() > 63 {
        Some("must be 3 to 63 characters long")
    } else if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        Some("may contain only lowercase letters, digits and hyphens")
    } else if name.starts_with('-') || name.ends_with('-') {
        Some("must start and end with a lowercase letter or a digit")
    } else {
        None
    };
    match reason {
        None => Ok(()),
        Some(reason) => Err(Error::InvalidBucketName {
            name: shorten(name),
            reason,
        }),
    }
}

/// Checks an object key: 1 to 1023 bytes of UTF-8, not starting with `/` or `\`.
///
/// ```
/// use oss_proto::validate;
/// assert!(validate::key("exampledir/exampleobject.txt").is_ok());
/// assert!(validate::key("/leading-slash").is_err());
/// assert!(validate::key("").is_err());
/// ```
pub fn key(key: &str) -> Result<(), Error> {
    let reason = if key.is_empty() {
        Some("must not be empty")
    } else if key.len() > MAX_KEY_BYTES {
        Some("must be at most 1023 bytes of UTF-8")
    } else if key.starts_with('/') || key.starts_with('\\') {
        Some("must not start with `/` or `\\`")
    } else {
        None
    };
    match reason {
        None => Ok(()),
        Some(reason) => Err(Error::InvalidObjectKey {
            key: shorten(key),
            reason,
        }),
    }
}

/// Checks a multipart part number: 1 to 10000.
///
/// ```
/// use oss_proto::validate;
/// assert!(validate::part_number(1).is_ok());
/// assert!(validate::part_number(10_001).is_err());
/// ```
pub fn part_number(part_number: i64) -> Result<(), Error> {
    if (1..=MAX_PART_NUMBER).contains(&part_number) {
        Ok(())
    } else {
        Err(Error::invalid_argument(
            "part_number",
            format!("must be between 1 and {MAX_PART_NUMBER}, got {part_number}"),
        ))
    }
}

/// Checks the lifetime of a V4 presigned URL: at least 1 second, at most 7 days.
///
/// ```
/// use oss_proto::validate;
/// assert!(validate::presign_expiry(3600).is_ok());
/// assert!(validate::presign_expiry(8 * 24 * 3600).is_err());
/// ```
pub fn presign_expiry(secs: u64) -> Result<(), Error> {
    if secs == 0 {
        Err(Error::invalid_argument(
            "expires",
            "a presigned URL must live at least 1 second",
        ))
    } else if secs > MAX_PRESIGN_EXPIRY_SECS {
        Err(Error::PresignExpiryTooLong {
            requested_secs: secs,
            max_secs: MAX_PRESIGN_EXPIRY_SECS,
        })
    } else {
        Ok(())
    }
}

/// Keeps error values readable: at most 128 characters, cut on a character boundary.
fn shorten(s: &str) -> String {
    const MAX: usize = 128;
    match s.char_indices().nth(MAX) {
        None => s.to_owned(),
        Some((cut, _)) => format!("{}…", &s[..cut]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn bucket_names_from_the_naming_rules() {
        for ok in [
            "abc",
            "examplebucket",
            "my-bucket-01",
            "0ab",
            &"a".repeat(63),
        ] {
            assert!(bucket(ok).is_ok(), "{ok}");
        }
        for bad in [
            "ab",
            &"a".repeat(64),
            "-abc",
            "abc-",
            "Abc",
            "a_bc",
            "a.bc",
            "ab c",
            "bücket",
            "",
        ] {
            assert!(
                matches!(bucket(bad), Err(Error::InvalidBucketName { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn keys_from_the_naming_rules() {
        assert!(key("a").is_ok());
        assert!(key("dir/sub dir/文件.txt").is_ok());
        assert!(key(&"k".repeat(1023)).is_ok());
        // 341 three-byte characters = 1023 bytes; one more breaks the limit.
        assert!(key(&"文".repeat(341)).is_ok());
        assert!(key(&"文".repeat(342)).is_err());
        assert!(key(&"k".repeat(1024)).is_err());
        assert!(key("/a").is_err());
        assert!(key("\\a").is_err());
        assert!(key("").is_err());
    }

    #[test]
    fn part_numbers() {
        assert!(part_number(0).is_err());
        assert!(part_number(-1).is_err());
        assert!(part_number(1).is_ok());
        assert!(part_number(10_000).is_ok());
        assert!(part_number(10_001).is_err());
    }

    #[test]
    fn presign_expiry_limits() {
        assert!(presign_expiry(0).is_err());
        assert!(presign_expiry(604_800).is_ok());
        assert_eq!(
            presign_expiry(604_801),
            Err(Error::PresignExpiryTooLong {
                requested_secs: 604_801,
                max_secs: 604_800
            })
        );
    }

    #[test]
    fn long_names_are_shortened_in_errors() {
        let Err(Error::InvalidObjectKey { key: shown, .. }) = key(&"é".repeat(2000)) else {
            panic!("expected InvalidObjectKey");
        };
        assert_eq!(shown.chars().count(), 129);
    }

    proptest! {
        #[test]
        fn bucket_never_panics_and_agrees_with_rules(name in "\\PC{0,80}") {
            let ok = (3..=63).contains(&name.len())
                && name.bytes().all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-'))
                && !name.starts_with('-') && !name.ends_with('-');
            prop_assert_eq!(bucket(&name).is_ok(), ok);
        }

        #[test]
        fn bucket_shaped_names(name in "[a-z0-9-]{0,70}") {
            let _ = bucket(&name);
        }

        #[test]
        fn key_never_panics(k in "\\PC{0,1100}") {
            match key(&k) {
                Ok(()) => prop_assert!(!k.is_empty() && k.len() <= 1023 && !k.starts_with(['/', '\\'])),
                Err(Error::InvalidObjectKey { .. }) => {}
                Err(other) => prop_assert!(false, "unexpected {other:?}"),
            }
        }
    }
}
