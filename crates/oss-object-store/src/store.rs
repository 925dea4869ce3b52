//! The store: one bucket (and optional key prefix) behind an [`oss_client::Client`], and the
//! `ObjectStore` implementation that dispatches to the modules doing each job.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::stream::BoxStream;
use object_store::path::Path;
use object_store::{
    CopyMode, CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta,
    ObjectStore, PutMultipartOptions, PutOptions, PutPayload, PutResult, Result,
};
use oss_client::Client;

use crate::error::map_error;

/// An `object_store::ObjectStore` over one OSS bucket, optionally below a key prefix.
///
/// Cheap to clone (an `Arc` inside). Build it with
/// [`OssObjectStoreBuilder`](crate::OssObjectStoreBuilder) or [`OssObjectStore::new`].
///
/// ```
/// use object_store::{ObjectStore, ObjectStoreExt, path::Path};
/// use oss_client::{Client, Config, credentials::StaticProvider};
/// use oss_object_store::OssObjectStore;
/// # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
/// let emulator = oss_emulator::Emulator::start(oss_emulator::EmulatorConfig::new("ak", "sk")).unwrap();
/// let client = Client::new(Config::builder().region("cn-hangzhou").endpoint(emulator.endpoint())
///     .credentials(StaticProvider::from_keys("ak", "sk")).build().unwrap());
/// client.put_bucket().bucket("examplebucket").send().await.unwrap();
///
/// let store = OssObjectStore::new(client, "examplebucket", "data/");
/// let path = Path::from("year=2026/part-0.csv");
/// store.put(&path, "a,b\n1,2\n".into()).await?;
/// assert_eq!(store.get_range(&path, 4..7).await?, "1,2");
/// assert_eq!(store.head(&path).await?.size, 8);
/// # Ok::<(), object_store::Error>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct OssObjectStore {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) client: Client,
    pub(crate) bucket: String,
    /// Empty, or ending with `/`.
    pub(crate) prefix: String,
}

impl OssObjectStore {
    /// A store over `bucket` (below `prefix`: empty for the whole bucket; a trailing `/` is
    /// added when missing) using `client`.
    pub fn new(client: Client, bucket: impl Into<String>, prefix: impl Into<String>) -> Self {
        let mut prefix = prefix.into();
        if !prefix.is_empty() && !prefix.ends_with('/') {
            prefix.push('/');
        }
        OssObjectStore {
            inner: Arc::new(Inner {
                client,
                bucket: bucket.into(),
                prefix,
            }),
        }
    }

    /// The bucket.
    pub fn bucket(&self) -> &str {
        &self.inner.bucket
    }

    /// The key prefix paths are relative to (empty, or ending with `/`).
    pub fn prefix(&self) -> &str {
        &self.inner.prefix
    }

    /// The client requests go through.
    pub fn client(&self) -> &Client {
        &self.inner.client
    }
}

impl Inner {
    /// The object key of `path`.
    pub(crate) fn key(&self, path: &Path) -> String {
        format!("{}{}", self.prefix, path.as_ref())
    }

    /// The path of an object key listed below the prefix.
    pub(crate) fn path(&self, key: &str) -> Result<Path> {
        let relative = key.strip_prefix(self.prefix.as_str()).unwrap_or(key);
        Ok(Path::parse(relative)?)
    }

    /// The listing prefix for the objects below `path` (`path/`, or the store's prefix).
    pub(crate) fn list_prefix(&self, path: Option<&Path>) -> String {
        match path {
            Some(p) if !p.as_ref().is_empty() => format!("{}{}/", self.prefix, p.as_ref()),
            _ => self.prefix.clone(),
        }
    }

    pub(crate) fn err(&self, path: &Path) -> impl Fn(oss_client::Error) -> object_store::Error {
        let path = path.to_string();
        move |e| map_error(&path, e)
    }
}

impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.bucket, self.prefix)
    }
}

impl fmt::Debug for OssObjectStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OssObjectStore")
            .field("bucket", &self.inner.bucket)
            .field("prefix", &self.inner.prefix)
            .field(
                "endpoint",
                &self.inner.client.config().endpoint().authority(),
            )
            .finish_non_exhaustive()
    }
}

impl fmt::Display for OssObjectStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "OssObjectStore({}/{})",
            self.inner.bucket, self.inner.prefix
        )
    }
}

#[async_trait]
impl ObjectStore for OssObjectStore {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> Result<PutResult> {
        crate::put::put_opts(&self.inner, location, payload, opts).await
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> Result<Box<dyn MultipartUpload>> {
        let upload = crate::multipart::Upload::start(&self.inner, location, opts).await?;
        Ok(Box::new(upload))
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult> {
        crate::get::get_opts(&self.inner, location, options).await
    }

    async fn get_ranges(&self, location: &Path, ranges: &[Range<u64>]) -> Result<Vec<Bytes>> {
        crate::get::get_ranges(&self.inner, location, ranges).await
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, Result<Path>>,
    ) -> BoxStream<'static, Result<Path>> {
        crate::delete::delete_stream(Arc::clone(&self.inner), locations)
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
        crate::list::list(Arc::clone(&self.inner), prefix, None)
    }

    fn list_with_offset(
        &self,
        prefix: Option<&Path>,
        offset: &Path,
    ) -> BoxStream<'static, Result<ObjectMeta>> {
        crate::list::list(Arc::clone(&self.inner), prefix, Some(offset))
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
        crate::list::list_with_delimiter(&self.inner, prefix).await
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> Result<()> {
        // Over 1 GB, OSS's CopyObject refuses the source: the copy is then multipart.
        crate::copy::copy(&self.inner, from, to, options.mode == CopyMode::Create).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oss_client::credentials::StaticProvider;

    fn store(prefix: &str) -> OssObjectStore {
        let client = Client::new(
            oss_client::Config::builder()
                .region("cn-hangzhou")
                .credentials(StaticProvider::from_keys("ak", "SECRET-KEY-42"))
                .build()
                .unwrap(),
        );
        OssObjectStore::new(client, "b", prefix)
    }

    #[test]
    fn keys_and_paths_round_trip_below_the_prefix() {
        let s = store("tables");
        let path = Path::parse("a/b%2Fc/😀 x.parquet").unwrap();
        let key = s.inner.key(&path);
        assert_eq!(key, "tables/a/b%2Fc/😀 x.parquet");
        assert_eq!(s.inner.path(&key).unwrap(), path);
        assert_eq!(s.inner.list_prefix(None), "tables/");
        assert_eq!(s.inner.list_prefix(Some(&Path::from("a"))), "tables/a/");
        assert_eq!(store("").inner.list_prefix(Some(&Path::from(""))), "");
    }

    #[test]
    fn debug_shows_no_secrets() {
        let shown = format!("{:?}", store(""));
        assert!(!shown.contains("SECRET-KEY-42"), "{shown}");
    }
}
