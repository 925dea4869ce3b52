//! Part arithmetic and the multipart calls shared by the uploader and the copier.

use oss_client::Client;
use oss_model::{CompleteMultipartUpload, CompletedPart};

use crate::error::Error;

/// OSS's smallest part (all but the last): 100 KiB.
pub const MIN_PART_SIZE: u64 = 100 * 1024;
/// OSS's largest part: 5 GiB.
pub const MAX_PART_SIZE: u64 = 5 * 1024 * 1024 * 1024;
/// OSS's most parts in one upload.
pub const MAX_PARTS: u64 = 10_000;

/// The part size for `total` bytes: `requested`, grown so that no more than [`MAX_PARTS`]
/// parts are needed.
pub(crate) fn part_size_for(total: u64, requested: u64) -> Result<u64, Error> {
    let needed = total.div_ceil(MAX_PARTS);
    let size = requested.max(needed).max(1);
    if size > MAX_PART_SIZE {
        return Err(Error::invalid(format!(
            "{total} bytes need parts of {size} bytes, above OSS's {MAX_PART_SIZE}"
        )));
    }
    Ok(size)
}

/// The number of parts of `part_size` bytes covering `total` bytes (at least 1).
pub(crate) fn count(total: u64, part_size: u64) -> u64 {
    total.div_ceil(part_size).max(1)
}

/// The byte range `[start, end)` of part `index` (0-based).
pub(crate) fn range(index: u64, total: u64, part_size: u64) -> (u64, u64) {
    let start = index * part_size;
    (start, (start + part_size).min(total))
}

/// The CRC-64 of a whole made of `(crc, len)` pieces, in order.
pub(crate) fn combine(pieces: impl IntoIterator<Item = (u64, u64)>) -> u64 {
    pieces
        .into_iter()
        .fold(0, |acc, (crc, len)| oss_proto::crc::combine(acc, crc, len))
}

/// Parses a decimal `x-oss-hash-crc64ecma`.
pub(crate) fn parse_crc(value: Option<&String>) -> Option<u64> {
    value.and_then(|v| v.trim().parse().ok())
}

/// The completion document for `(part number, etag)` pairs, sorted by part number.
pub(crate) fn completion(mut parts: Vec<(u32, String)>) -> CompleteMultipartUpload {
    parts.sort_by_key(|(n, _)| *n);
    CompleteMultipartUpload {
        parts: parts
            .into_iter()
            .map(|(n, etag)| CompletedPart {
                part_number: i64::from(n),
                etag,
            })
            .collect(),
    }
}

/// A part ListParts shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListedPart {
    pub(crate) number: u32,
    pub(crate) etag: String,
    pub(crate) size: u64,
    pub(crate) crc64: Option<u64>,
}

/// Every part of `upload_id` that ListParts shows (page by page), or `None` when the upload no
/// longer exists. Parts listed without a number, an ETag or a size are left out.
pub(crate) async fn list_all(
    client: &Client,
    bucket: &str,
    key: &str,
    upload_id: &str,
) -> Result<Option<Vec<ListedPart>>, Error> {
    let mut listed = Vec::new();
    let mut marker: Option<i64> = None;
    loop {
        let mut req = client
            .list_parts()
            .bucket(bucket)
            .key(key)
            .upload_id(upload_id)
            .max_parts(1000);
        if let Some(m) = marker {
            req = req.part_number_marker(m);
        }
        let page = match req.send().await {
            Ok(page) => page,
            Err(e) if e.code() == Some("NoSuchUpload") => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        for part in page.parts {
            let (Ok(number), Some(etag), Some(size)) = (
                u32::try_from(part.part_number),
                part.etag,
                part.size.and_then(|s| u64::try_from(s).ok()),
            ) else {
                continue;
            };
            if number == 0 {
                continue;
            }
            listed.push(ListedPart {
                number,
                etag,
                size,
                crc64: parse_crc(part.hash_crc64ecma.as_ref()),
            });
        }
        match (page.is_truncated, page.next_part_number_marker) {
            (Some(true), Some(next)) => marker = Some(next),
            _ => break,
        }
    }
    Ok(Some(listed))
}

/// Aborts `upload_id`, logging (not returning) a failure: called on a path that already has
/// an error to report.
pub(crate) async fn abort(client: &Client, bucket: &str, key: &str, upload_id: &str) {
    if let Err(e) = client
        .abort_multipart_upload()
        .bucket(bucket)
        .key(key)
        .upload_id(upload_id)
        .send()
        .await
    {
        tracing::warn!(bucket, key, upload_id, error = %e, "could not abort the multipart upload");
    }
}

/// Aborts a multipart upload when dropped while armed: a transfer future dropped midway does
/// not leave its parts behind (unless the caller keeps them for a resume).
pub(crate) struct AbortOnDrop {
    pub(crate) target: Option<(Client, String, String, String)>,
}

impl AbortOnDrop {
    pub(crate) fn disarm(&mut self) {
        self.target = None;
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some((client, bucket, key, upload_id)) = self.target.take()
            && let Ok(handle) = tokio::runtime::Handle::try_current()
        {
            handle.spawn(async move { abort(&client, &bucket, &key, &upload_id).await });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_size_grows_to_fit_ten_thousand_parts() {
        assert_eq!(part_size_for(10, 6 << 20).unwrap(), 6 << 20);
        let huge = 100 * (1u64 << 30);
        let size = part_size_for(huge, 6 << 20).unwrap();
        assert!(count(huge, size) <= MAX_PARTS);
        assert!(part_size_for(u64::MAX / 2, 6 << 20).is_err());
        assert_eq!(count(0, 10), 1);
        assert_eq!(count(25, 10), 3);
        assert_eq!(range(2, 25, 10), (20, 25));
    }

    #[test]
    fn combined_crc_equals_whole_crc() {
        let data = b"123456789This is a test of the emergency broadcast system.";
        let (a, b) = data.split_at(9);
        let whole = combine([
            (oss_proto::crc::checksum(a), a.len() as u64),
            (oss_proto::crc::checksum(b), b.len() as u64),
        ]);
        // CRC-64/XZ of the concatenation, from the shared vectors (official SDKs).
        assert_eq!(whole, 7_672_622_622_872_733_320);
    }
}
