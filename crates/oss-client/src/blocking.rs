//! A synchronous client for programs without an async runtime (cargo feature `blocking`).
//!
//! [`blocking::Client`](Client) wraps the async [`Client`](crate::Client) and an internal
//! multi-threaded tokio runtime it starts itself (two worker threads by default, see
//! [`ClientBuilder`]). Every operation has the same fluent builder as the async client, with the
//! same setters; `send()` blocks until the response arrives. Clones share the runtime and the
//! connection pool; the runtime stops when the last clone, reader and paginator is dropped.
//!
//! - Object data (GetObject and the other streaming outputs) comes back as a [`BodyReader`],
//!   an [`std::io::Read`] + [`std::io::BufRead`] that pulls the response body as it is read
//!   ([`BodyReader::collect`] reads it all).
//! - Request bodies take everything the async builders take, plus a `std::fs::File` or any
//!   reader through [`Body::from_read`](crate::Body::from_read).
//! - Listings (`into_paginator()`) are an [`Iterator`] of pages: [`Paginator`].
//! - `presigned(expiry)` and `presigned_with(options)` presign any request without sending it.
//!
//! # Inside an async runtime
//!
//! A blocking call on a thread that is inside a tokio runtime (an async task, a `block_on`, or a
//! `spawn_blocking` closure) would block that runtime's thread, and tokio refuses to start a
//! runtime there. The facade checks first ([`tokio::runtime::Handle::try_current`]) and returns
//! [`Error::BlockingInAsyncContext`](crate::Error::BlockingInAsyncContext) without sending
//! anything. There, use the async client ([`Client::as_async`]) with `.await`, or run the
//! synchronous code on a thread of its own (`std::thread::spawn`).
//!
//! ```
//! use std::io::Read as _;
//! use oss_client::{Config, blocking, credentials::StaticProvider};
//! // A local emulator stands in for OSS here; drop `.endpoint(...)` to use the regional one.
//! let emulator = oss_emulator::Emulator::start(oss_emulator::EmulatorConfig::new("ak", "sk")).unwrap();
//! let client = blocking::Client::new(
//!     Config::builder()
//!         .region("cn-hangzhou")
//!         .endpoint(emulator.endpoint())
//!         .credentials(StaticProvider::from_keys("ak", "sk"))
//!         .build()?,
//! );
//! client.put_bucket().bucket("examplebucket").send()?;
//! client.put_object().bucket("examplebucket").key("hello.txt").body("hello").send()?;
//! let (meta, mut body) = client.get_object().bucket("examplebucket").key("hello.txt").send()?;
//! assert_eq!(meta.content_length, Some(5));
//! let mut text = String::new();
//! body.read_to_string(&mut text)?;
//! assert_eq!(text, "hello");
//! for page in client.list_objects_v2().bucket("examplebucket").into_paginator() {
//!     for object in page?.contents {
//!         println!("{:?}", object.key);
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::future::Future;
use std::io;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Buf as _, Bytes, BytesMut};
use futures_util::StreamExt as _;
use oss_proto::paginate::Paginated;

use crate::{ByteStream, Config, Error, PageStream};

pub use crate::generated::blocking::*;

/// How long dropping the last handle on the runtime waits for its threads to finish.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(5);

/// The internal runtime, shared by a client, its clones, and the readers and paginators it
/// returned.
#[derive(Clone)]
pub(crate) struct Runtime {
    inner: Arc<RuntimeInner>,
}

struct RuntimeInner {
    runtime: Option<tokio::runtime::Runtime>,
    worker_threads: usize,
}

impl Drop for RuntimeInner {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            if tokio::runtime::Handle::try_current().is_ok() {
                // Waiting would block (and tokio panics on) a thread of the caller's runtime.
                runtime.shutdown_background();
            } else {
                runtime.shutdown_timeout(SHUTDOWN_WAIT);
            }
        }
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("worker_threads", &self.inner.worker_threads)
            .finish()
    }
}

impl Runtime {
    fn start(worker_threads: usize, thread_name: &str) -> Result<Self, Error> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(worker_threads)
            .thread_name(thread_name)
            .enable_all()
            .build()
            .map_err(|e| Error::io(None, e))?;
        Ok(Runtime {
            inner: Arc::new(RuntimeInner {
                runtime: Some(runtime),
                worker_threads,
            }),
        })
    }

    /// Runs `future` to completion on this thread, with the runtime's timers and I/O; refuses
    /// (without polling it) on a thread inside an async runtime.
    pub(crate) fn run<T>(
        &self,
        operation: &'static str,
        future: impl Future<Output = Result<T, Error>>,
    ) -> Result<T, Error> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::BlockingInAsyncContext { operation });
        }
        match &self.inner.runtime {
            Some(runtime) => runtime.block_on(future),
            None => Err(Error::InvalidConfig {
                reason: "the blocking client's runtime has stopped".into(),
            }),
        }
    }
}

/// A synchronous OSS client: the async [`Client`](crate::Client) run on an internal runtime.
///
/// Cheap to clone (clones share the runtime and connection pool) and usable from many threads
/// at once. See the [module documentation](self) for an example.
///
/// ```
/// use oss_client::{Config, blocking, credentials::StaticProvider};
/// let config = Config::builder()
///     .region("cn-hangzhou")
///     .credentials(StaticProvider::from_keys("ak", "sk"))
///     .build()
///     .unwrap();
/// let client = blocking::Client::new(config);
/// let url = client
///     .get_object()
///     .bucket("examplebucket")
///     .key("hello.txt")
///     .presigned(std::time::Duration::from_secs(600))
///     .unwrap();
/// assert!(url.url.starts_with("https://examplebucket.oss-cn-hangzhou.aliyuncs.com/hello.txt?"));
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) inner: crate::Client,
    pub(crate) runtime: Runtime,
}

impl Client {
    /// A client for `config`, with a runtime of [`ClientBuilder`]'s defaults.
    ///
    /// # Panics
    ///
    /// When the runtime's threads cannot be started (the operating system refuses new
    /// threads); [`ClientBuilder::build`] returns that as an error instead.
    ///
    /// ```
    /// use oss_client::{Config, blocking, credentials::StaticProvider};
    /// let config = Config::builder()
    ///     .region("cn-hangzhou")
    ///     .credentials(StaticProvider::from_keys("ak", "sk"))
    ///     .build()
    ///     .unwrap();
    /// let client = blocking::Client::new(config);
    /// assert_eq!(client.config().region(), "cn-hangzhou");
    /// ```
    pub fn new(config: Config) -> Self {
        match Client::builder().build(config) {
            Ok(client) => client,
            Err(e) => panic!("cannot start the blocking client's runtime: {e}"),
        }
    }

    /// A client configured from the environment, as [`Config::from_env`] reads it.
    ///
    /// ```no_run
    /// // OSS_REGION=cn-hangzhou OSS_ACCESS_KEY_ID=... OSS_ACCESS_KEY_SECRET=... ./program
    /// let client = oss_client::blocking::Client::from_env()?;
    /// client.list_buckets().send()?;
    /// # Ok::<(), oss_client::Error>(())
    /// ```
    pub fn from_env() -> Result<Self, Error> {
        Client::builder().build(Config::from_env()?)
    }

    /// Options for the internal runtime (its number of threads and their name).
    ///
    /// ```
    /// use oss_client::{Config, blocking, credentials::StaticProvider};
    /// let config = Config::builder()
    ///     .region("cn-hangzhou")
    ///     .credentials(StaticProvider::from_keys("ak", "sk"))
    ///     .build()
    ///     .unwrap();
    /// let client = blocking::Client::builder().worker_threads(1).build(config).unwrap();
    /// # drop(client);
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The async client underneath: for async code, it shares the configuration, the
    /// credentials cache and the connection pool (whose connections live on this client's
    /// runtime, which stays up while this client does).
    ///
    /// ```
    /// use oss_client::{Config, blocking, credentials::StaticProvider};
    /// let config = Config::builder()
    ///     .region("cn-hangzhou")
    ///     .credentials(StaticProvider::from_keys("ak", "sk"))
    ///     .build()
    ///     .unwrap();
    /// let client = blocking::Client::new(config);
    /// let async_client: &oss_client::Client = client.as_async();
    /// # let _ = async_client;
    /// ```
    pub fn as_async(&self) -> &crate::Client {
        &self.inner
    }

    /// The configuration.
    ///
    /// ```
    /// use oss_client::{Config, blocking, credentials::StaticProvider};
    /// let config = Config::builder()
    ///     .region("cn-beijing")
    ///     .credentials(StaticProvider::from_keys("ak", "sk"))
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(blocking::Client::new(config).config().region(), "cn-beijing");
    /// ```
    pub fn config(&self) -> &Config {
        self.inner.config()
    }

    /// Every page of a listing, starting from `first`, as an [`Iterator`] (see
    /// [`Client::paginate`](crate::Client::paginate)); the generated `into_paginator()` of a
    /// listing request builder is usually handier.
    ///
    /// ```no_run
    /// # fn run(client: oss_client::blocking::Client) -> Result<(), oss_client::Error> {
    /// let input = oss_model::ListObjectsV2Input::builder().bucket("examplebucket").build().unwrap();
    /// for page in client.paginate::<oss_proto::generated::ListObjectsV2>(input) {
    ///     println!("{} objects", page?.contents.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn paginate<O>(&self, first: O::Input) -> Paginator<O::Output>
    where
        O: Paginated + 'static,
        O::Input: Clone + PartialEq + Send + Sync + 'static,
        O::Output: Send + 'static,
    {
        Paginator::new(
            O::METADATA.name,
            self.inner.paginate::<O>(first),
            self.runtime.clone(),
        )
    }
}

/// Options for a [`blocking::Client`](Client)'s internal runtime.
///
/// ```
/// use oss_client::{Config, blocking, credentials::StaticProvider};
/// let config = Config::builder()
///     .region("cn-hangzhou")
///     .credentials(StaticProvider::from_keys("ak", "sk"))
///     .build()
///     .unwrap();
/// let client = blocking::Client::builder()
///     .worker_threads(4)
///     .thread_name("my-oss")
///     .build(config)
///     .unwrap();
/// # drop(client);
/// ```
#[derive(Clone, Debug)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct ClientBuilder {
    worker_threads: usize,
    thread_name: String,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            worker_threads: 2,
            thread_name: "oss-blocking".into(),
        }
    }
}

impl ClientBuilder {
    /// The number of runtime threads driving connections and timers (default 2; at least 1).
    /// Requests are run on the calling threads, so this need not grow with them.
    ///
    /// ```
    /// let builder = oss_client::blocking::Client::builder().worker_threads(1);
    /// # drop(builder);
    /// ```
    pub fn worker_threads(mut self, n: usize) -> Self {
        self.worker_threads = n.max(1);
        self
    }

    /// The name of the runtime's threads (default `oss-blocking`).
    ///
    /// ```
    /// let builder = oss_client::blocking::Client::builder().thread_name("uploader");
    /// # drop(builder);
    /// ```
    pub fn thread_name(mut self, name: impl Into<String>) -> Self {
        self.thread_name = name.into();
        self
    }

    /// Starts the runtime and builds a client for `config`.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the runtime's threads cannot be started.
    ///
    /// ```
    /// use oss_client::{Config, blocking, credentials::StaticProvider};
    /// let config = Config::builder()
    ///     .region("cn-hangzhou")
    ///     .credentials(StaticProvider::from_keys("ak", "sk"))
    ///     .build()
    ///     .unwrap();
    /// let client = blocking::Client::builder().build(config).unwrap();
    /// # drop(client);
    /// ```
    pub fn build(self, config: Config) -> Result<Client, Error> {
        self.build_from(crate::Client::new(config))
    }

    /// Starts the runtime and wraps an existing async client (sharing its connection pool and
    /// caches).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the runtime's threads cannot be started.
    ///
    /// ```
    /// use oss_client::{Client, Config, blocking, credentials::StaticProvider};
    /// let config = Config::builder()
    ///     .region("cn-hangzhou")
    ///     .credentials(StaticProvider::from_keys("ak", "sk"))
    ///     .build()
    ///     .unwrap();
    /// let client = blocking::Client::builder().build_from(Client::new(config)).unwrap();
    /// # drop(client);
    /// ```
    pub fn build_from(self, client: crate::Client) -> Result<Client, Error> {
        Ok(Client {
            inner: client,
            runtime: Runtime::start(self.worker_threads, &self.thread_name)?,
        })
    }
}

/// The object data of a streaming response (GetObject), read synchronously: each read that
/// finds no buffered data waits for the next chunk from the connection.
///
/// Errors are those of [`ByteStream`] (read timeout, CRC-64 mismatch at the end) as
/// `io::Error`s wrapping [`Error`]; a read on a thread inside an async runtime fails with
/// [`Error::BlockingInAsyncContext`] and can be retried from another thread.
///
/// ```no_run
/// # fn run(client: oss_client::blocking::Client) -> Result<(), Box<dyn std::error::Error>> {
/// let (_, mut body) = client.get_object().bucket("examplebucket").key("big.bin").send()?;
/// let mut file = std::fs::File::create("big.bin")?;
/// let copied = std::io::copy(&mut body, &mut file)?;
/// println!("{copied} bytes");
/// # Ok(()) }
/// ```
pub struct BodyReader {
    operation: &'static str,
    stream: Option<ByteStream>,
    chunk: Bytes,
    runtime: Runtime,
}

impl fmt::Debug for BodyReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BodyReader")
            .field("operation", &self.operation)
            .field("buffered", &self.chunk.len())
            .field("ended", &self.stream.is_none())
            .finish()
    }
}

impl BodyReader {
    pub(crate) fn new(operation: &'static str, stream: ByteStream, runtime: Runtime) -> Self {
        BodyReader {
            operation,
            stream: Some(stream),
            chunk: Bytes::new(),
            runtime,
        }
    }

    /// The next non-empty chunk, or `None` at the end.
    fn next_chunk(&mut self) -> Result<Option<Bytes>, Error> {
        loop {
            let Some(stream) = self.stream.as_mut() else {
                return Ok(None);
            };
            let next = self
                .runtime
                .run(self.operation, async { stream.next().await.transpose() })?;
            match next {
                None => {
                    self.stream = None;
                    return Ok(None);
                }
                Some(chunk) if chunk.is_empty() => {}
                Some(chunk) => return Ok(Some(chunk)),
            }
        }
    }

    /// Reads the rest of the data into memory.
    ///
    /// ```no_run
    /// # fn run(client: oss_client::blocking::Client) -> Result<(), oss_client::Error> {
    /// let (_, body) = client.get_object().bucket("examplebucket").key("hello.txt").send()?;
    /// assert_eq!(&body.collect()?[..], b"hello");
    /// # Ok(()) }
    /// ```
    pub fn collect(mut self) -> Result<Bytes, Error> {
        let first = std::mem::take(&mut self.chunk);
        let Some(second) = self.next_chunk()? else {
            return Ok(first);
        };
        let mut buf = BytesMut::from(&first[..]);
        buf.extend_from_slice(&second);
        while let Some(chunk) = self.next_chunk()? {
            buf.extend_from_slice(&chunk);
        }
        Ok(buf.freeze())
    }

    /// Writes the rest of the data to a new file at `path` (created or truncated), synced to
    /// disk, and returns the number of bytes written.
    ///
    /// ```no_run
    /// # fn run(client: oss_client::blocking::Client) -> Result<(), oss_client::Error> {
    /// let (_, body) = client.get_object().bucket("examplebucket").key("big.bin").send()?;
    /// let written = body.to_file("big.bin")?;
    /// # let _ = written;
    /// # Ok(()) }
    /// ```
    pub fn to_file(mut self, path: impl AsRef<Path>) -> Result<u64, Error> {
        use std::io::Write as _;
        let path = path.as_ref();
        let io_err = |e| Error::io(Some(path.to_path_buf()), e);
        let mut file = std::fs::File::create(path).map_err(io_err)?;
        let mut written = 0u64;
        let mut chunk = std::mem::take(&mut self.chunk);
        loop {
            file.write_all(&chunk).map_err(io_err)?;
            written += chunk.len() as u64;
            match self.next_chunk()? {
                Some(next) => chunk = next,
                None => break,
            }
        }
        file.sync_all().map_err(io_err)?;
        Ok(written)
    }
}

impl io::Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let available = io::BufRead::fill_buf(self)?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        io::BufRead::consume(self, n);
        Ok(n)
    }
}

impl io::BufRead for BodyReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.chunk.is_empty()
            && let Some(chunk) = self.next_chunk()?
        {
            self.chunk = chunk;
        }
        Ok(&self.chunk)
    }

    fn consume(&mut self, amount: usize) {
        self.chunk.advance(amount.min(self.chunk.len()));
    }
}

/// The pages of a listing as an [`Iterator`]: each `next()` sends one request and returns its
/// output. It ends after the last page, or after the first error (including
/// [`Error::BlockingInAsyncContext`]).
///
/// ```no_run
/// # fn run(client: oss_client::blocking::Client) -> Result<(), oss_client::Error> {
/// let keys: Vec<String> = client
///     .list_objects_v2()
///     .bucket("examplebucket")
///     .prefix("logs/")
///     .into_paginator()
///     .collect::<Result<Vec<_>, _>>()?
///     .into_iter()
///     .flat_map(|page| page.contents)
///     .map(|object| object.key)
///     .collect();
/// # let _ = keys;
/// # Ok(()) }
/// ```
pub struct Paginator<T> {
    operation: &'static str,
    pages: Option<PageStream<T>>,
    runtime: Runtime,
}

impl<T> fmt::Debug for Paginator<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Paginator")
            .field("operation", &self.operation)
            .field("ended", &self.pages.is_none())
            .finish()
    }
}

impl<T> Paginator<T> {
    pub(crate) fn new(operation: &'static str, pages: PageStream<T>, runtime: Runtime) -> Self {
        Paginator {
            operation,
            pages: Some(pages),
            runtime,
        }
    }
}

impl<T> Iterator for Paginator<T> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let pages = self.pages.as_mut()?;
        let next = self
            .runtime
            .run(self.operation, async { Ok(pages.next().await) });
        match next {
            Ok(Some(Ok(page))) => Some(Ok(page)),
            Ok(None) => {
                self.pages = None;
                None
            }
            Ok(Some(Err(e))) | Err(e) => {
                self.pages = None;
                Some(Err(e))
            }
        }
    }
}

impl<T> std::iter::FusedIterator for Paginator<T> {}
