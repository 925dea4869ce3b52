//! `hash`: CRC-64 (as OSS computes it) or MD5 of a local file or an object.

use base64::Engine as _;
use futures_util::StreamExt as _;
use serde_json::json;
use tokio::io::AsyncReadExt as _;

use crate::cli::HashArgs;
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::url::OssUrl;

/// Both digests of some bytes, fed in pieces.
#[derive(Default)]
pub(crate) struct Hasher {
    crc: oss_proto::crc::Crc64,
    md5: Option<oss_proto::md5::Md5>,
}

impl Hasher {
    pub(crate) fn new(md5: bool) -> Self {
        Hasher {
            crc: oss_proto::crc::Crc64::new(),
            md5: md5.then(oss_proto::md5::Md5::new),
        }
    }
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.crc.update(data);
        if let Some(m) = &mut self.md5 {
            m.update(data);
        }
    }
    /// (CRC-64, MD5 base64 and hex, length).
    pub(crate) fn finish(self) -> (u64, Option<(String, String)>, u64) {
        let md5 = self.md5.map(|m| {
            let d = m.finalize();
            (
                base64::engine::general_purpose::STANDARD.encode(d),
                oss_proto::md5::hex(&d),
            )
        });
        (self.crc.finish(), md5, self.crc.len())
    }
}

/// The CRC-64 and length of a local file, read in 1 MiB pieces.
pub(crate) async fn file_crc64(path: &std::path::Path) -> CliResult<(u64, u64)> {
    let (crc, _, len) = hash_file(path, false).await?;
    Ok((crc, len))
}

async fn hash_file(
    path: &std::path::Path,
    md5: bool,
) -> CliResult<(u64, Option<(String, String)>, u64)> {
    let mut f = tokio::fs::File::open(path)
        .await
        .map_err(|e| CliError::io(format!("opening {}", path.display()), e))?;
    let mut h = Hasher::new(md5);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f
            .read(&mut buf)
            .await
            .map_err(|e| CliError::io(format!("reading {}", path.display()), e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finish())
}

pub(crate) async fn run(ctx: &Context, args: HashArgs) -> CliResult {
    let md5 = match args.hash_type.to_ascii_lowercase().as_str() {
        "crc64" => false,
        "md5" => true,
        other => {
            return Err(CliError::usage(format!(
                "--type {other:?}: expected crc64 or md5"
            )));
        }
    };
    let (crc, md5_value, len) = if args.target.starts_with("oss://") {
        let url = OssUrl::parse_object(&args.target)?;
        let client = ctx.client()?;
        let (_, body) = client
            .get_object()
            .bucket(&url.bucket)
            .key(&url.key)
            .send()
            .await
            .map_err(|e| CliError::oss(format!("reading {url}"), e))?;
        let mut h = Hasher::new(md5);
        let mut body = std::pin::pin!(body);
        while let Some(chunk) = body.next().await {
            h.update(&chunk.map_err(|e| CliError::oss(format!("reading {url}"), e))?);
        }
        h.finish()
    } else {
        hash_file(std::path::Path::new(&args.target), md5).await?
    };
    match md5_value {
        Some((b64, hex)) => ctx.out.record(
            || format!("Content-MD5    : {b64}\nMD5 (hex)      : {hex}\nSize           : {len}"),
            || json!({"target": args.target, "content_md5": b64, "md5_hex": hex, "size": len}),
        ),
        None => ctx.out.record(
            || format!("CRC64-ECMA     : {crc}\nSize           : {len}"),
            || json!({"target": args.target, "crc64ecma": crc.to_string(), "size": len}),
        ),
    }
    ctx.out.finish_json(None);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        // CRC-64/XZ of "123456789" is the catalogued check value 0x995DC9BBDF1939FA.
        let mut h = Hasher::new(true);
        h.update(b"1234");
        h.update(b"56789");
        let (crc, md5, len) = h.finish();
        assert_eq!(crc, 0x995D_C9BB_DF19_39FA);
        assert_eq!(len, 9);
        assert_eq!(md5.unwrap().1, "25f9e794323b453885f5181f1b624d0b");
    }
}
