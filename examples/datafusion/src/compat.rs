//! object_store 0.13's `ObjectStore` (DataFusion 55's) over the adapter's 0.14 one. The two
//! traits have the same methods; only the types are distinct, so each call converts its
//! arguments, forwards, and converts the result (0.14's `extensions` have no 0.13 place).

use std::fmt;
use std::ops::Range;

use async_trait::async_trait;
use bytes::Bytes;
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use object_store as new;
use object_store::ObjectStore as _;
use object_store_013 as old;
use oss_object_store::OssObjectStore;

/// The adapter as an object_store 0.13 store.
#[derive(Debug)]
pub struct Compat(pub OssObjectStore);

impl fmt::Display for Compat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

fn path(p: &old::path::Path) -> old::Result<new::path::Path> {
    new::path::Path::parse(p.as_ref()).map_err(|e| old::Error::Generic {
        store: "OSS",
        source: Box::new(e),
    })
}

fn back_path(p: &new::path::Path) -> old::Result<old::path::Path> {
    Ok(old::path::Path::parse(p.as_ref())?)
}

fn error(e: new::Error) -> old::Error {
    match e {
        new::Error::NotFound { path, source } => old::Error::NotFound { path, source },
        new::Error::AlreadyExists { path, source } => old::Error::AlreadyExists { path, source },
        new::Error::Precondition { path, source } => old::Error::Precondition { path, source },
        new::Error::NotModified { path, source } => old::Error::NotModified { path, source },
        new::Error::PermissionDenied { path, source } => {
            old::Error::PermissionDenied { path, source }
        }
        new::Error::Unauthenticated { path, source } => {
            old::Error::Unauthenticated { path, source }
        }
        new::Error::NotSupported { source } => old::Error::NotSupported { source },
        new::Error::NotImplemented {
            operation,
            implementer,
        } => old::Error::NotImplemented {
            operation,
            implementer,
        },
        new::Error::Generic { store, source } => old::Error::Generic { store, source },
        other => old::Error::Generic {
            store: "OSS",
            source: Box::new(other),
        },
    }
}

fn meta(m: new::ObjectMeta) -> old::Result<old::ObjectMeta> {
    Ok(old::ObjectMeta {
        location: back_path(&m.location)?,
        last_modified: m.last_modified,
        size: m.size,
        e_tag: m.e_tag,
        version: m.version,
    })
}

fn attribute(a: &old::Attribute) -> old::Result<new::Attribute> {
    Ok(match a {
        old::Attribute::ContentDisposition => new::Attribute::ContentDisposition,
        old::Attribute::ContentEncoding => new::Attribute::ContentEncoding,
        old::Attribute::ContentLanguage => new::Attribute::ContentLanguage,
        old::Attribute::ContentType => new::Attribute::ContentType,
        old::Attribute::CacheControl => new::Attribute::CacheControl,
        old::Attribute::StorageClass => new::Attribute::StorageClass,
        old::Attribute::Metadata(k) => new::Attribute::Metadata(k.clone()),
        other => {
            return Err(old::Error::NotImplemented {
                operation: format!("attribute {other:?}"),
                implementer: "Compat".into(),
            });
        }
    })
}

fn attributes(a: &old::Attributes) -> old::Result<new::Attributes> {
    let mut out = new::Attributes::new();
    for (k, v) in a {
        out.insert(attribute(k)?, v.as_ref().to_owned().into());
    }
    Ok(out)
}

fn back_attributes(a: &new::Attributes) -> old::Attributes {
    let mut out = old::Attributes::new();
    for (k, v) in a {
        let k = match k {
            new::Attribute::ContentDisposition => old::Attribute::ContentDisposition,
            new::Attribute::ContentEncoding => old::Attribute::ContentEncoding,
            new::Attribute::ContentLanguage => old::Attribute::ContentLanguage,
            new::Attribute::ContentType => old::Attribute::ContentType,
            new::Attribute::CacheControl => old::Attribute::CacheControl,
            new::Attribute::StorageClass => old::Attribute::StorageClass,
            new::Attribute::Metadata(k) => old::Attribute::Metadata(k.clone()),
            _ => continue,
        };
        out.insert(k, v.as_ref().to_owned().into());
    }
    out
}

fn tags(t: &old::TagSet) -> new::TagSet {
    let mut out = new::TagSet::default();
    for (k, v) in url::form_urlencoded::parse(t.encoded().as_bytes()) {
        out.push(&k, &v);
    }
    out
}

fn payload(p: old::PutPayload) -> new::PutPayload {
    p.into_iter().collect::<Vec<Bytes>>().into_iter().collect()
}

fn put_result(r: new::PutResult) -> old::PutResult {
    old::PutResult {
        e_tag: r.e_tag,
        version: r.version,
    }
}

fn list_result(r: new::ListResult) -> old::Result<old::ListResult> {
    Ok(old::ListResult {
        common_prefixes: r
            .common_prefixes
            .iter()
            .map(back_path)
            .collect::<old::Result<_>>()?,
        objects: r.objects.into_iter().map(meta).collect::<old::Result<_>>()?,
    })
}

#[derive(Debug)]
struct Upload(Box<dyn new::MultipartUpload>);

#[async_trait]
impl old::MultipartUpload for Upload {
    fn put_part(&mut self, data: old::PutPayload) -> old::UploadPart {
        let part = self.0.put_part(payload(data));
        Box::pin(async move { part.await.map_err(error) })
    }

    async fn complete(&mut self) -> old::Result<old::PutResult> {
        self.0.complete().await.map(put_result).map_err(error)
    }

    async fn abort(&mut self) -> old::Result<()> {
        self.0.abort().await.map_err(error)
    }
}

#[async_trait]
impl old::ObjectStore for Compat {
    async fn put_opts(
        &self,
        location: &old::path::Path,
        data: old::PutPayload,
        opts: old::PutOptions,
    ) -> old::Result<old::PutResult> {
        let mode = match opts.mode {
            old::PutMode::Overwrite => new::PutMode::Overwrite,
            old::PutMode::Create => new::PutMode::Create,
            old::PutMode::Update(v) => new::PutMode::Update(new::UpdateVersion {
                e_tag: v.e_tag,
                version: v.version,
            }),
        };
        let opts = new::PutOptions {
            mode,
            tags: tags(&opts.tags),
            attributes: attributes(&opts.attributes)?,
            extensions: opts.extensions,
        };
        self.0
            .put_opts(&path(location)?, payload(data), opts)
            .await
            .map(put_result)
            .map_err(error)
    }

    async fn put_multipart_opts(
        &self,
        location: &old::path::Path,
        opts: old::PutMultipartOptions,
    ) -> old::Result<Box<dyn old::MultipartUpload>> {
        let opts = new::PutMultipartOptions {
            tags: tags(&opts.tags),
            attributes: attributes(&opts.attributes)?,
            extensions: opts.extensions,
        };
        let upload = new::ObjectStore::put_multipart_opts(&self.0, &path(location)?, opts)
            .await
            .map_err(error)?;
        Ok(Box::new(Upload(upload)))
    }

    async fn get_opts(
        &self,
        location: &old::path::Path,
        options: old::GetOptions,
    ) -> old::Result<old::GetResult> {
        let range = options.range.map(|r| match r {
            old::GetRange::Bounded(r) => new::GetRange::Bounded(r),
            old::GetRange::Offset(o) => new::GetRange::Offset(o),
            old::GetRange::Suffix(n) => new::GetRange::Suffix(n),
        });
        let options = new::GetOptions {
            if_match: options.if_match,
            if_none_match: options.if_none_match,
            if_modified_since: options.if_modified_since,
            if_unmodified_since: options.if_unmodified_since,
            range,
            version: options.version,
            head: options.head,
            extensions: options.extensions,
        };
        let r = self
            .0
            .get_opts(&path(location)?, options)
            .await
            .map_err(error)?;
        let attributes = back_attributes(&r.attributes);
        let range = r.range.clone();
        let meta = meta(r.meta.clone())?;
        let stream = r.into_stream().map_err(error).boxed();
        Ok(old::GetResult {
            payload: old::GetResultPayload::Stream(stream),
            meta,
            range,
            attributes,
        })
    }

    async fn get_ranges(
        &self,
        location: &old::path::Path,
        ranges: &[Range<u64>],
    ) -> old::Result<Vec<Bytes>> {
        self.0
            .get_ranges(&path(location)?, ranges)
            .await
            .map_err(error)
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, old::Result<old::path::Path>>,
    ) -> BoxStream<'static, old::Result<old::path::Path>> {
        let locations = locations
            .map(|r| {
                r.and_then(|p| path(&p))
                    .map_err(|e| new::Error::Generic {
                        store: "OSS",
                        source: Box::new(e),
                    })
            })
            .boxed();
        self.0
            .delete_stream(locations)
            .map(|r| r.map_err(error).and_then(|p| back_path(&p)))
            .boxed()
    }

    fn list(
        &self,
        prefix: Option<&old::path::Path>,
    ) -> BoxStream<'static, old::Result<old::ObjectMeta>> {
        match prefix.map(path).transpose() {
            Ok(prefix) => self
                .0
                .list(prefix.as_ref())
                .map(|r| r.map_err(error).and_then(meta))
                .boxed(),
            Err(e) => futures::stream::once(async move { Err(e) }).boxed(),
        }
    }

    fn list_with_offset(
        &self,
        prefix: Option<&old::path::Path>,
        offset: &old::path::Path,
    ) -> BoxStream<'static, old::Result<old::ObjectMeta>> {
        match (prefix.map(path).transpose(), path(offset)) {
            (Ok(prefix), Ok(offset)) => self
                .0
                .list_with_offset(prefix.as_ref(), &offset)
                .map(|r| r.map_err(error).and_then(meta))
                .boxed(),
            (Err(e), _) | (_, Err(e)) => futures::stream::once(async move { Err(e) }).boxed(),
        }
    }

    async fn list_with_delimiter(
        &self,
        prefix: Option<&old::path::Path>,
    ) -> old::Result<old::ListResult> {
        let prefix = prefix.map(path).transpose()?;
        list_result(
            self.0
                .list_with_delimiter(prefix.as_ref())
                .await
                .map_err(error)?,
        )
    }

    async fn copy_opts(
        &self,
        from: &old::path::Path,
        to: &old::path::Path,
        options: old::CopyOptions,
    ) -> old::Result<()> {
        let mode = match options.mode {
            old::CopyMode::Overwrite => new::CopyMode::Overwrite,
            old::CopyMode::Create => new::CopyMode::Create,
        };
        let options = new::CopyOptions {
            mode,
            extensions: options.extensions,
        };
        self.0
            .copy_opts(&path(from)?, &path(to)?, options)
            .await
            .map_err(error)
    }
}
