//! Single-object commands: `stat`, `append`, `mkdir`, `restore`, `set-props`.

use std::collections::BTreeMap;

use oss_model::{
    MetadataDirective, ObjectAcl, RestoreJobParameters, RestoreRequest, RestoreTier, StorageClass,
    Tag, TagSet, Tagging,
};
use serde_json::{Map, Value, json};

use super::bucket::known_value;
use crate::cli::{AppendArgs, MkdirArgs, RestoreArgs, SetPropsArgs, StatArgs};
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::listing::list_objects;
use crate::output::{stdout_line, time_text};
use crate::url::OssUrl;

fn print_props(
    ctx: &Context,
    props: Vec<(&str, Option<String>)>,
    metadata: &BTreeMap<String, String>,
) {
    if ctx.out.is_json() {
        let mut map = Map::new();
        for (k, v) in props {
            if let Some(v) = v {
                map.insert(k.to_string(), Value::String(v));
            }
        }
        if !metadata.is_empty() {
            map.insert("metadata".into(), json!(metadata));
        }
        crate::output::print_json(&Value::Object(map));
        return;
    }
    for (k, v) in props {
        if let Some(v) = v {
            stdout_line(&format!("{k:<28}: {v}"));
        }
    }
    for (k, v) in metadata {
        stdout_line(&format!("{:<28}: {v}", format!("x-oss-meta-{k}")));
    }
}

pub(crate) async fn stat(ctx: &Context, args: StatArgs) -> CliResult {
    let url = OssUrl::parse(&args.url)?;
    let client = ctx.client()?;
    if url.key.is_empty() {
        let info = client
            .get_bucket_info()
            .bucket(&url.bucket)
            .send()
            .await
            .map_err(|e| CliError::oss(format!("stat {url}"), e))?;
        let b = info.bucket;
        print_props(
            ctx,
            vec![
                ("Name", Some(b.name)),
                ("Location", b.location),
                ("CreationDate", Some(time_text(b.creation_date))),
                ("ExtranetEndpoint", b.extranet_endpoint),
                ("IntranetEndpoint", b.intranet_endpoint),
                (
                    "ACL",
                    b.access_control_list.map(|a| a.grant.as_str().to_string()),
                ),
                (
                    "DataRedundancyType",
                    b.data_redundancy_type.map(|v| v.as_str().to_string()),
                ),
                (
                    "StorageClass",
                    b.storage_class.map(|v| v.as_str().to_string()),
                ),
                ("Versioning", b.versioning.map(|v| v.as_str().to_string())),
                ("ResourceGroupId", b.resource_group_id),
                ("Comment", b.comment),
            ],
            &BTreeMap::new(),
        );
        return Ok(());
    }
    let mut req = client.head_object().bucket(&url.bucket).key(&url.key);
    if let Some(v) = &args.version_id {
        req = req.version_id(v);
    }
    let h = req
        .send()
        .await
        .map_err(|e| CliError::oss(format!("stat {url}"), e))?;
    print_props(
        ctx,
        vec![
            ("Content-Length", h.content_length.map(|n| n.to_string())),
            ("Content-Type", h.content_type),
            ("Content-Encoding", h.content_encoding),
            ("Content-Disposition", h.content_disposition),
            ("Cache-Control", h.cache_control),
            ("Expires", h.expires),
            ("ETag", h.etag),
            ("Last-Modified", h.last_modified.map(|t| time_text(Some(t)))),
            ("Content-MD5", h.content_md5),
            (
                "X-Oss-Storage-Class",
                h.storage_class.map(|v| v.as_str().to_string()),
            ),
            (
                "X-Oss-Object-Type",
                h.object_type.map(|v| v.as_str().to_string()),
            ),
            (
                "X-Oss-Next-Append-Position",
                h.next_append_position.map(|n| n.to_string()),
            ),
            ("X-Oss-Hash-Crc64ecma", h.hash_crc64ecma),
            (
                "X-Oss-Server-Side-Encryption",
                h.server_side_encryption.map(|v| v.as_str().to_string()),
            ),
            ("X-Oss-Restore", h.restore),
            (
                "X-Oss-Tagging-Count",
                h.tagging_count.map(|n| n.to_string()),
            ),
            ("X-Oss-Version-Id", h.version_id),
            ("X-Oss-Expiration", h.expiration),
        ],
        &h.metadata,
    );
    Ok(())
}

pub(crate) async fn append(ctx: &Context, args: AppendArgs) -> CliResult {
    let url = OssUrl::parse_object(&args.url)?;
    let client = ctx.client()?;
    let data = if args.source == "-" {
        use tokio::io::AsyncReadExt as _;
        let mut buf = Vec::new();
        tokio::io::stdin()
            .read_to_end(&mut buf)
            .await
            .map_err(|e| CliError::io("reading standard input", e))?;
        buf
    } else {
        tokio::fs::read(&args.source)
            .await
            .map_err(|e| CliError::io(format!("reading {}", args.source), e))?
    };
    // Where to append: the object's length, when it exists (it must be appendable).
    let position = match client
        .head_object()
        .bucket(&url.bucket)
        .key(&url.key)
        .send()
        .await
    {
        Ok(h) => h.next_append_position.or(h.content_length).unwrap_or(0),
        Err(e) if e.is_not_found() && e.code() != Some("NoSuchBucket") => 0,
        Err(e) => return Err(CliError::oss(format!("stat {url}"), e)),
    };
    let mut req = client
        .append_object()
        .bucket(&url.bucket)
        .key(&url.key)
        .position(position)
        .body(data);
    if position == 0 {
        if let Some(ct) = &args.content_type {
            req = req.content_type(ct);
        }
        let meta: BTreeMap<_, _> = super::key_values(&args.metadata, "--metadata")?
            .into_iter()
            .collect();
        if !meta.is_empty() {
            req = req.metadata(meta);
        }
    }
    let out = req
        .send()
        .await
        .map_err(|e| CliError::oss(format!("appending to {url}"), e))?;
    let next = out.next_append_position.unwrap_or_default();
    ctx.out.record(
        || format!("appended to {url} at {position}; next position {next}"),
        || json!({"key": url.key, "position": position, "next_append_position": next}),
    );
    ctx.out.finish_json(None);
    Ok(())
}

pub(crate) async fn mkdir(ctx: &Context, args: MkdirArgs) -> CliResult {
    let url = OssUrl::parse_object(&args.url)?;
    let key = url.dir_prefix();
    ctx.client()?
        .put_object()
        .bucket(&url.bucket)
        .key(&key)
        .body(bytes::Bytes::new())
        .send()
        .await
        .map_err(|e| CliError::oss(format!("making oss://{}/{key}", url.bucket), e))?;
    ctx.out.summary(&format!("made oss://{}/{key}", url.bucket));
    Ok(())
}

async fn targets(
    ctx: &Context,
    url: &OssUrl,
    recursive: bool,
    filters: &crate::cli::FilterArgs,
) -> CliResult<Vec<String>> {
    if recursive {
        let filter = ctx.filter(filters)?;
        Ok(list_objects(&ctx.client()?, url, &filter, false)
            .await?
            .into_iter()
            .map(|e| e.key)
            .collect())
    } else if url.key.is_empty() {
        Err(CliError::usage(format!(
            "{url}: name an object, or pass -r for a prefix"
        )))
    } else {
        Ok(vec![url.key.clone()])
    }
}

pub(crate) async fn restore(ctx: &Context, args: RestoreArgs) -> CliResult {
    let url = OssUrl::parse(&args.url)?;
    let client = ctx.client()?;
    let tier = args
        .tier
        .as_deref()
        .map(|t| known_value(t, RestoreTier::VALUES, "--tier").map(RestoreTier::from))
        .transpose()?;
    let keys = targets(ctx, &url, args.recursive, &args.filters).await?;
    let tally = super::for_each_concurrent(
        ctx,
        keys,
        8,
        |k| format!("oss://{}/{k}", url.bucket),
        |key| {
            let client = client.clone();
            let tier = tier.clone();
            let bucket = url.bucket.clone();
            async move {
                let request = RestoreRequest {
                    days: args.days,
                    job_parameters: tier.map(|tier| RestoreJobParameters { tier }),
                };
                match client
                    .restore_object()
                    .bucket(&bucket)
                    .key(&key)
                    .restore_request(request)
                    .send()
                    .await
                {
                    Ok(_) => {}
                    // Already being restored: nothing to do.
                    Err(e) if e.code() == Some("RestoreAlreadyInProgress") => {}
                    Err(e) => return Err(CliError::oss("restore", e)),
                }
                ctx.out.record(
                    || format!("restoring oss://{bucket}/{key}"),
                    || json!({"key": key}),
                );
                Ok(())
            }
        },
    )
    .await;
    ctx.out
        .summary(&format!("{} restore(s) started", tally.done));
    ctx.out.finish_json(Some(
        json!({"restored": tally.done, "failed": tally.failed}),
    ));
    tally.result()
}

/// Parses `k1=v1&k2=v2` into tags.
pub(crate) fn parse_tagging(text: &str) -> CliResult<Tagging> {
    let mut tags = Vec::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if k.is_empty() {
            return Err(CliError::usage(format!(
                "--tagging {text:?}: a tag has no key"
            )));
        }
        tags.push(Tag {
            key: k.to_string(),
            value: Some(v.to_string()),
        });
    }
    Ok(Tagging {
        tag_set: TagSet { tags },
    })
}

pub(crate) async fn set_props(ctx: &Context, args: SetPropsArgs) -> CliResult {
    let url = OssUrl::parse(&args.url)?;
    let client = ctx.client()?;
    let metadata: Option<BTreeMap<String, String>> = if args.metadata.is_empty() {
        None
    } else {
        Some(
            super::key_values(&args.metadata, "--metadata")?
                .into_iter()
                .collect(),
        )
    };
    let storage_class = args
        .storage_class
        .as_deref()
        .map(|s| known_value(s, StorageClass::VALUES, "--storage-class").map(StorageClass::from))
        .transpose()?;
    let acl = args
        .acl
        .as_deref()
        .map(|s| known_value(s, ObjectAcl::VALUES, "--acl").map(ObjectAcl::from))
        .transpose()?;
    let tagging = args.tagging.as_deref().map(parse_tagging).transpose()?;
    if metadata.is_none()
        && args.content_type.is_none()
        && storage_class.is_none()
        && acl.is_none()
        && tagging.is_none()
    {
        return Err(CliError::usage(
            "nothing to set: pass --metadata, --content-type, --storage-class, --acl or --tagging",
        ));
    }
    let keys = targets(ctx, &url, args.recursive, &args.filters).await?;
    let tally = super::for_each_concurrent(
        ctx,
        keys,
        8,
        |k| format!("oss://{}/{k}", url.bucket),
        |key| {
            let client = client.clone();
            let bucket = url.bucket.clone();
            let (metadata, storage_class, acl, tagging) = (
                metadata.clone(),
                storage_class.clone(),
                acl.clone(),
                tagging.clone(),
            );
            let content_type = args.content_type.clone();
            async move {
                if metadata.is_some() || content_type.is_some() || storage_class.is_some() {
                    // A copy onto itself replaces the metadata; what is not given is kept.
                    let head = client
                        .head_object()
                        .bucket(&bucket)
                        .key(&key)
                        .send()
                        .await
                        .map_err(|e| CliError::oss("stat", e))?;
                    let mut req = client
                        .copy_object()
                        .bucket(&bucket)
                        .key(&key)
                        .copy_source(oss_model::CopySource::new(&bucket, &key))
                        .metadata_directive(MetadataDirective::Replace)
                        .metadata(metadata.unwrap_or(head.metadata));
                    if let Some(ct) = content_type.or(head.content_type) {
                        req = req.content_type(ct);
                    }
                    for (set, value) in [
                        (0, head.cache_control),
                        (1, head.content_disposition),
                        (2, head.content_encoding),
                        (3, head.expires),
                    ] {
                        if let Some(v) = value {
                            req = match set {
                                0 => req.cache_control(v),
                                1 => req.content_disposition(v),
                                2 => req.content_encoding(v),
                                _ => req.expires(v),
                            };
                        }
                    }
                    if let Some(sc) = storage_class.or(head.storage_class) {
                        req = req.storage_class(sc);
                    }
                    req.send()
                        .await
                        .map_err(|e| CliError::oss("copying onto itself", e))?;
                }
                if let Some(acl) = acl {
                    client
                        .put_object_acl()
                        .bucket(&bucket)
                        .key(&key)
                        .acl(acl)
                        .send()
                        .await
                        .map_err(|e| CliError::oss("setting the ACL", e))?;
                }
                if let Some(tagging) = tagging {
                    client
                        .put_object_tagging()
                        .bucket(&bucket)
                        .key(&key)
                        .tagging(tagging)
                        .send()
                        .await
                        .map_err(|e| CliError::oss("setting tags", e))?;
                }
                ctx.out.record(
                    || format!("set oss://{bucket}/{key}"),
                    || json!({"key": key}),
                );
                Ok(())
            }
        },
    )
    .await;
    ctx.out
        .summary(&format!("{} object(s) updated", tally.done));
    ctx.out
        .finish_json(Some(json!({"updated": tally.done, "failed": tally.failed})));
    tally.result()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tagging() {
        let t = parse_tagging("a=1&b=&c").unwrap();
        assert_eq!(t.tag_set.tags.len(), 3);
        assert_eq!(t.tag_set.tags[1].value.as_deref(), Some(""));
        assert!(parse_tagging("=x").is_err());
    }
}
