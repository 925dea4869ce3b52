//! `cat`: an object, or a byte range of it, to standard output.

use futures_util::StreamExt as _;
use tokio::io::AsyncWriteExt as _;

use crate::cli::CatArgs;
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::url::OssUrl;

/// The `Range` header for `--range` or `--offset`/`--count`.
fn range_header(args: &CatArgs) -> CliResult<Option<String>> {
    if let Some(r) = &args.range {
        let r = r.trim().trim_start_matches("bytes=");
        let (a, b) = r.split_once('-').ok_or_else(|| {
            CliError::usage(format!("--range {r:?}: expected START-END, START- or -N"))
        })?;
        let ok = |s: &str| s.is_empty() || s.parse::<u64>().is_ok();
        if !ok(a) || !ok(b) || (a.is_empty() && b.is_empty()) {
            return Err(CliError::usage(format!(
                "--range {r:?}: expected START-END, START- or -N"
            )));
        }
        if let (Ok(x), Ok(y)) = (a.parse::<u64>(), b.parse::<u64>())
            && y < x
        {
            return Err(CliError::usage(format!("--range {r:?}: END before START")));
        }
        return Ok(Some(format!("bytes={a}-{b}")));
    }
    match (args.offset, args.count) {
        (None, None) => Ok(None),
        (_, Some(0)) => Err(CliError::usage("--count 0 prints nothing")),
        (offset, Some(count)) => {
            let start = offset.unwrap_or(0);
            Ok(Some(format!("bytes={start}-{}", start + count - 1)))
        }
        (Some(start), None) => Ok(Some(format!("bytes={start}-"))),
    }
}

pub(crate) async fn run(ctx: &Context, args: CatArgs) -> CliResult {
    let url = OssUrl::parse_object(&args.url)?;
    let range = range_header(&args)?;
    let client = ctx.client()?;
    let mut req = client.get_object().bucket(&url.bucket).key(&url.key);
    if let Some(r) = &range {
        // Standard behaviour: a range past the end is an error (416), not the whole object.
        req = req.range(r).range_behavior("standard");
    }
    if let Some(v) = &args.version_id {
        req = req.version_id(v);
    }
    let (_, body) = req
        .send()
        .await
        .map_err(|e| CliError::oss(format!("reading {url}"), e))?;
    let mut stdout = tokio::io::stdout();
    let mut body = std::pin::pin!(body);
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| CliError::oss(format!("reading {url}"), e))?;
        match stdout.write_all(&chunk).await {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
            Err(e) => return Err(CliError::io("writing standard output", e)),
        }
    }
    stdout
        .flush()
        .await
        .map_err(|e| CliError::io("writing standard output", e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(range: Option<&str>, offset: Option<u64>, count: Option<u64>) -> CatArgs {
        CatArgs {
            url: "oss://b/k".into(),
            range: range.map(Into::into),
            offset,
            count,
            version_id: None,
        }
    }

    #[test]
    fn ranges() {
        assert_eq!(
            range_header(&args(Some("0-9"), None, None))
                .unwrap()
                .unwrap(),
            "bytes=0-9"
        );
        assert_eq!(
            range_header(&args(Some("-5"), None, None))
                .unwrap()
                .unwrap(),
            "bytes=-5"
        );
        assert_eq!(
            range_header(&args(None, Some(10), Some(5)))
                .unwrap()
                .unwrap(),
            "bytes=10-14"
        );
        assert_eq!(
            range_header(&args(None, Some(10), None)).unwrap().unwrap(),
            "bytes=10-"
        );
        assert!(range_header(&args(Some("9-1"), None, None)).is_err());
        assert!(range_header(&args(Some("x"), None, None)).is_err());
        assert!(range_header(&args(Some("-"), None, None)).is_err());
        assert!(range_header(&args(None, None, None)).unwrap().is_none());
    }
}
