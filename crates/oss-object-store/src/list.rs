//! Listings over ListObjectsV2: recursive (`list`, `list_with_offset` through `start-after`),
//! one level (`list_with_delimiter`), and page by page (`PaginatedListStore`).

use std::borrow::Cow;
use std::sync::Arc;

use async_trait::async_trait;
use futures_util::stream::BoxStream;
use futures_util::{StreamExt as _, TryStreamExt as _, stream};
use object_store::list::{PaginatedListOptions, PaginatedListResult, PaginatedListStore};
use object_store::path::{DELIMITER, Path};
use object_store::{ListResult, ObjectMeta, Result};
use oss_model::{ListObjectsV2Input, ListObjectsV2Output, ObjectSummary};
use oss_proto::generated::ListObjectsV2;

use crate::error::{AdapterError, map_error};
use crate::store::{Inner, OssObjectStore};
use crate::time::to_chrono;

const OP: &str = "ListObjectsV2";

fn input(
    inner: &Inner,
    prefix: String,
    delimiter: Option<&str>,
    start_after: Option<String>,
) -> Result<ListObjectsV2Input> {
    let mut b = ListObjectsV2Input::builder()
        .bucket(&inner.bucket)
        .max_keys(1000);
    if !prefix.is_empty() {
        b = b.prefix(prefix);
    }
    if let Some(d) = delimiter {
        b = b.delimiter(d);
    }
    if let Some(s) = start_after.filter(|s| !s.is_empty()) {
        b = b.start_after(s);
    }
    b.build().map_err(|e| object_store::Error::Generic {
        store: crate::error::STORE,
        source: Box::new(e),
    })
}

fn object_meta(inner: &Inner, summary: ObjectSummary) -> Result<ObjectMeta> {
    let size = summary.size.and_then(|s| u64::try_from(s).ok()).ok_or(
        AdapterError::MissingResponseValue {
            operation: OP,
            what: "Size",
        },
    )?;
    Ok(ObjectMeta {
        location: inner.path(&summary.key)?,
        last_modified: to_chrono(summary.last_modified, OP)?,
        size,
        e_tag: summary.etag,
        version: None,
    })
}

/// Everything below `prefix` (recursively), after `offset` when given (exclusive).
pub(crate) fn list(
    inner: Arc<Inner>,
    prefix: Option<&Path>,
    offset: Option<&Path>,
) -> BoxStream<'static, Result<ObjectMeta>> {
    let start_after = offset.map(|o| inner.key(o));
    let first = match input(&inner, inner.list_prefix(prefix), None, start_after) {
        Ok(i) => i,
        Err(e) => return stream::once(async move { Err(e) }).boxed(),
    };
    let prefix_for_errors = prefix.map(ToString::to_string).unwrap_or_default();
    inner
        .client
        .paginate::<ListObjectsV2>(first)
        .map_err(move |e| map_error(&prefix_for_errors, e))
        .map_ok(move |page| {
            let inner = Arc::clone(&inner);
            stream::iter(
                page.contents
                    .into_iter()
                    .map(move |s| object_meta(&inner, s)),
            )
        })
        .try_flatten()
        .boxed()
}

fn list_result(inner: &Inner, page: ListObjectsV2Output, into: &mut ListResult) -> Result<()> {
    for p in page.common_prefixes {
        let trimmed = p.prefix.strip_suffix(DELIMITER).unwrap_or(&p.prefix);
        into.common_prefixes.push(inner.path(trimmed)?);
    }
    for s in page.contents {
        into.objects.push(object_meta(inner, s)?);
    }
    Ok(())
}

/// One level below `prefix`: objects and common prefixes, every page.
pub(crate) async fn list_with_delimiter(
    inner: &Inner,
    prefix: Option<&Path>,
) -> Result<ListResult> {
    let first = input(inner, inner.list_prefix(prefix), Some(DELIMITER), None)?;
    let prefix_for_errors = prefix.map(ToString::to_string).unwrap_or_default();
    let mut pages = inner.client.paginate::<ListObjectsV2>(first);
    let mut result = ListResult {
        common_prefixes: Vec::new(),
        objects: Vec::new(),
        extensions: Default::default(),
    };
    while let Some(page) = pages
        .try_next()
        .await
        .map_err(|e| map_error(&prefix_for_errors, e))?
    {
        list_result(inner, page, &mut result)?;
    }
    Ok(result)
}

#[async_trait]
impl PaginatedListStore for OssObjectStore {
    /// One ListObjectsV2 page. `prefix` is taken as is (no `/` added); `offset` is
    /// `start-after`; the page token is OSS's continuation token.
    async fn list_paginated(
        &self,
        prefix: Option<&str>,
        opts: PaginatedListOptions,
    ) -> Result<PaginatedListResult> {
        let inner = &self.inner;
        let prefix = format!("{}{}", inner.prefix, prefix.unwrap_or(""));
        let delimiter: Option<Cow<'static, str>> = opts.delimiter;
        let start_after = opts.offset.map(|o| format!("{}{o}", inner.prefix));
        let mut input = input(inner, prefix.clone(), delimiter.as_deref(), start_after)?;
        if let Some(max) = opts.max_keys {
            input.max_keys = Some(max.clamp(1, 1000) as i64);
        }
        input.continuation_token = opts.page_token;
        let page = inner
            .client
            .call::<ListObjectsV2>(input)
            .await
            .map_err(|e| map_error(&prefix, e))?;
        let page_token = match page.is_truncated {
            Some(true) => Some(page.next_continuation_token.clone().ok_or(
                AdapterError::MissingResponseValue {
                    operation: OP,
                    what: "NextContinuationToken on a truncated page",
                },
            )?),
            _ => None,
        };
        let mut result = ListResult {
            common_prefixes: Vec::new(),
            objects: Vec::new(),
            extensions: Default::default(),
        };
        list_result(inner, page, &mut result)?;
        Ok(PaginatedListResult { result, page_token })
    }
}
