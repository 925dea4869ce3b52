//! `api <Operation> [INPUT]`: any of the operations, input and output as JSON.

use futures_util::StreamExt as _;
use tokio::io::AsyncWriteExt as _;

use crate::cli::ApiArgs;
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::generated::{ApiCall, ApiError, OPERATIONS, call};
use crate::output::{print_json, stdout_line};

/// The OSS name of `name`, given as OSS spells it or in kebab/snake case (`put-bucket-cors`).
fn resolve(name: &str) -> Option<&'static str> {
    let flat = |s: &str| {
        s.chars()
            .filter(|c| *c != '-' && *c != '_')
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    let wanted = flat(name);
    OPERATIONS
        .iter()
        .map(|(n, _, _)| *n)
        .find(|n| flat(n) == wanted)
}

/// Reads the input argument: inline JSON, `file://PATH`, or `-` (standard input).
async fn read_input(arg: Option<&str>) -> CliResult<serde_json::Value> {
    let text = match arg {
        None => return Ok(serde_json::Value::Object(Default::default())),
        Some("-") => {
            use tokio::io::AsyncReadExt as _;
            let mut s = String::new();
            tokio::io::stdin()
                .read_to_string(&mut s)
                .await
                .map_err(|e| CliError::io("reading standard input", e))?;
            s
        }
        Some(a) => match a.strip_prefix("file://") {
            Some(path) => tokio::fs::read_to_string(path)
                .await
                .map_err(|e| CliError::io(format!("reading {path}"), e))?,
            None => a.to_string(),
        },
    };
    serde_json::from_str(&text).map_err(|e| CliError::usage(format!("the input is not JSON: {e}")))
}

pub(crate) async fn run(ctx: &Context, args: ApiArgs) -> CliResult {
    if args.operation == "list" {
        for (name, up, down) in OPERATIONS {
            let note = match (up, down) {
                (true, _) => "  (uploads: --body FILE)",
                (_, true) => "  (downloads: --output-file FILE)",
                _ => "",
            };
            stdout_line(&format!("{name}{note}"));
        }
        return Ok(());
    }
    let name = resolve(&args.operation).ok_or_else(|| {
        CliError::usage(format!(
            "no operation {:?}: `ossx api list` prints them all",
            args.operation
        ))
    })?;
    let input = read_input(args.input.as_deref()).await?;
    let body = match args.body.as_deref() {
        None => None,
        Some("-") => Some(oss_client::Body::from_async_read(tokio::io::stdin(), None)),
        Some(path) => Some(
            oss_client::Body::from_path(path)
                .await
                .map_err(|e| CliError::io(format!("opening {path}"), e))?,
        ),
    };
    let client = ctx.client()?;
    let (output, data) =
        call(&client, name, input, ApiCall { body })
            .await
            .map_err(|e| match e {
                ApiError::Input(e) => {
                    CliError::usage(format!("the input does not fit {name}Input: {e}"))
                }
                ApiError::Output(e) => CliError::Integrity(format!(
                    "{name}: the output cannot be written as JSON: {e}"
                )),
                ApiError::Call(e) => CliError::oss(name, e),
                ApiError::UnknownOperation => CliError::usage(format!("no operation {name:?}")),
            })?;
    let mut output = output;
    if let Some(data) = data {
        let mut data = std::pin::pin!(data);
        let mut written = 0u64;
        match args.output_file.as_deref() {
            Some("-") => {
                let mut out = tokio::io::stdout();
                while let Some(chunk) = data.next().await {
                    let chunk = chunk.map_err(|e| CliError::oss(name, e))?;
                    out.write_all(&chunk)
                        .await
                        .map_err(|e| CliError::io("writing standard output", e))?;
                }
                out.flush()
                    .await
                    .map_err(|e| CliError::io("writing standard output", e))?;
                // The data went to standard output: the output document goes to standard error.
                ctx.out
                    .warn(&serde_json::to_string(&output).unwrap_or_default());
                return Ok(());
            }
            Some(path) => {
                let mut f = tokio::fs::File::create(path)
                    .await
                    .map_err(|e| CliError::io(format!("creating {path}"), e))?;
                while let Some(chunk) = data.next().await {
                    let chunk = chunk.map_err(|e| CliError::oss(name, e))?;
                    written += chunk.len() as u64;
                    f.write_all(&chunk)
                        .await
                        .map_err(|e| CliError::io(format!("writing {path}"), e))?;
                }
                f.flush()
                    .await
                    .map_err(|e| CliError::io(format!("writing {path}"), e))?;
            }
            None => {
                while let Some(chunk) = data.next().await {
                    written += chunk.map_err(|e| CliError::oss(name, e))?.len() as u64;
                }
            }
        }
        if let serde_json::Value::Object(map) = &mut output {
            map.insert("body_bytes".into(), written.into());
        }
    }
    print_json(&output);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_in_any_case() {
        assert_eq!(resolve("PutBucketCors"), Some("PutBucketCors"));
        assert_eq!(resolve("put-bucket-cors"), Some("PutBucketCors"));
        assert_eq!(resolve("get_object"), Some("GetObject"));
        assert_eq!(resolve("NoSuchThing"), None);
        assert!(OPERATIONS.len() >= 226, "{}", OPERATIONS.len());
    }
}
