//! A local Alibaba Cloud OSS-compatible server for tests and development.
//!
//! Requests go router (method + sub-resource → operation) → auth (oss-sign verification, ACL)
//! → handler → storage (in memory, or on disk with write-temp/fsync/rename) → response. Fault
//! injection ([`Faults`]) wraps the router.
//!
//! Request documents are read, and most response documents written, by the generated server
//! side of the operations (`oss_proto::generated::ServerOperation`) over the same oss-model
//! shapes the client uses. ListObjectVersions, GetBucketInfo, GetBucketLocation and error
//! documents are still written by the emulator's own small XML writer (ListObjectVersions keeps
//! versions and delete markers interleaved in key order, as OSS does, which the generated
//! output's two lists cannot express).
//!
//! # In process
//! [`Emulator::start`] runs a server on its own thread (its own tokio runtime), so it works from
//! synchronous tests and from any async runtime alike; it stops when the handle is dropped.
//!
//! ```
//! use oss_emulator::{Emulator, EmulatorConfig, Faults};
//! let emu = Emulator::start(EmulatorConfig::new("ak", "sk")).unwrap();
//! assert!(emu.endpoint().starts_with("http://127.0.0.1:"));
//! assert_eq!(emu.access_key_id(), "ak");
//! emu.set_faults(Faults::none().with_latency_ms(1));
//! assert_eq!(emu.faults().latency_ms, 1);
//! emu.stop();
//! ```
//!
//! # As a program
//! `oss-emulator --addr 127.0.0.1:PORT --access-key-id ID --access-key-secret SECRET
//! [--data-dir DIR] [--fault-latency-ms N] [--fault-5xx-rate F] [--fault-reset-after-bytes N]
//! [--fault-wrong-crc] [--fault-seed N] [--region R] [--security-token T]
//! [--vector-addr HOST:PORT] [--account-id ID] [--lifecycle-interval SECS]
//! [--extra-user ID:SECRET:UID]` prints `listening on http://ADDR` (the bound
//! address) once ready, then `vectors on http://ADDR` (the vector service's address). See
//! [`EmulatorConfig::from_args`].
//!
//! # Vector buckets
//! A second listener ([`Emulator::vector_endpoint`]) serves the vector operations (buckets,
//! indexes, vectors, exact similarity search with metadata filters) with JSON bodies and JSON
//! errors, addressed path style or `{bucket}-{account}.{host}`.
//!
//! # Addressing
//! Path style (`http://ADDR/bucket/key`) and virtual-hosted style: a `Host` whose first label is
//! an existing bucket and whose rest is not an IP address (`bucket.localhost:PORT`,
//! `bucket.oss-cn-hangzhou.aliyuncs.com`) addresses that bucket; `PUT /` to such a Host whose
//! first label is a valid bucket name creates it.
//!
//! # Storage
//! In memory, or with a data directory on disk: each write goes to a temporary file that is
//! fsynced and renamed into place, data before the record naming it, so an object is visible
//! only once complete and a restart serves everything acknowledged (leftovers of a crash are
//! removed on start). On disk, object data (PutObject, UploadPart, AppendObject) is streamed
//! into the temporary file while its MD5, CRC-64 and SHA-256 are computed, so a large upload
//! is never held in memory; a body that ends before its `Content-Length` stores nothing and is
//! answered `IncompleteBody` (400). Writers of one object (put, copy, append, delete, complete,
//! symlink, ACL, tagging) are serialised per (bucket, key) across check-and-commit, so of two
//! appends racing at one position exactly one succeeds.
//!
//! # Authentication
//! V4 and V1 signatures in the `Authorization` header (`,` or `, ` separators) or a presigned
//! URL, made with the configured key pair. A request carrying a security token must carry one of
//! the configured tokens ([`EmulatorConfig::security_token`]); when none is configured, any token
//! is accepted. A V4 request whose `x-oss-content-sha256` is a hex SHA-256 (not
//! `UNSIGNED-PAYLOAD`) must match its body, else `InvalidArgument` (400, EC `0002-00000214`;
//! OSS documents the EC but not the code). Anonymous requests are served only where the bucket or object ACL allows
//! (`public-read`: reads and listings; `public-read-write`: writes too).
//!
//! [`EmulatorConfig::extra_user`] (`--extra-user ID:SECRET:UID`) adds other accounts' key
//! pairs: their requests are authenticated but own nothing, so they need a bucket policy
//! statement naming their UID (or everyone) or a public ACL, and on a pay-by-requester bucket
//! `x-oss-request-payer: requester` (anonymous requests are refused there).
//!
//! # Lifecycle
//! Lifecycle rules are applied by [`Emulator::run_lifecycle`] at a time the caller hands in,
//! or every `--lifecycle-interval` seconds ([`EmulatorConfig::lifecycle_interval`]).
//!
//! # Static websites
//! An anonymous `GET`/`HEAD` without a query to a bucket with a website configuration is
//! served as OSS serves its website: the index document for `/` and `dir/`, the error
//! document (with its `HttpStatus`, default 404) for a missing key.
#![forbid(unsafe_code)]

mod access;
mod auth;
mod checksum;
mod config;
mod context;
mod error;
mod fault;
mod handlers;
mod image_process;
mod lifecycle;
mod payer;
mod request;
mod response;
mod router;
mod seed;
mod select;
mod server;
mod storage;
mod timefmt;
mod typed;
mod vectors;
mod xml;

use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;

pub use config::{DEFAULT_ACCOUNT_ID, EmulatorConfig};
pub use error::StartError;
pub use fault::Faults;
pub use lifecycle::{LifecycleError, LifecycleReport};
pub use seed::SeedError;

/// The names of the operations the emulator serves (the handler table's operations), sorted.
///
/// ```
/// let served = oss_emulator::served_operations();
/// assert!(served.contains(&"PutObject"));
/// ```
pub fn served_operations() -> Vec<&'static str> {
    handlers::served()
}

/// A response an Object FC access point's function wrote with WriteGetObjectResponse
/// ([`Emulator::written_get_object_response`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WrittenGetObjectResponse {
    /// The status to return (`x-oss-fwd-status`).
    pub status: u16,
    /// The forwarded headers (`x-oss-fwd-header-*`), by the names they carry to the caller
    /// (`Content-Type`, `ETag`, ...), in the order OSS lists them.
    pub headers: Vec<(String, String)>,
    /// The object data.
    pub body: Vec<u8>,
}

/// A running emulator. Dropping it (or [`Emulator::stop`]) stops the server.
pub struct Emulator {
    addr: SocketAddr,
    endpoint: String,
    vector_endpoint: String,
    access_key_id: String,
    access_key_secret: String,
    region: String,
    ctx: Arc<context::Context>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("endpoint", &self.endpoint)
            .field("vector_endpoint", &self.vector_endpoint)
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"<redacted>")
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Binds the listening socket, loads the data directory if any, and starts serving.
    ///
    /// # Errors
    /// [`StartError::Bind`] when the address cannot be bound, [`StartError::DataDir`] when the
    /// data directory cannot be read or created.
    pub fn start(config: EmulatorConfig) -> Result<Emulator, StartError> {
        let store = match &config.data_dir {
            Some(dir) => storage::Store::on_disk(dir).map_err(|source| StartError::DataDir {
                path: dir.clone(),
                source,
            })?,
            None => storage::Store::in_memory(),
        };
        let listener = std::net::TcpListener::bind(config.addr)
            .and_then(|l| l.set_nonblocking(true).map(|()| l))
            .map_err(|source| StartError::Bind {
                addr: config.addr.to_string(),
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: config.addr.to_string(),
            source,
        })?;
        let vector_listener = std::net::TcpListener::bind(config.vector_addr)
            .and_then(|l| l.set_nonblocking(true).map(|()| l))
            .map_err(|source| StartError::Bind {
                addr: config.vector_addr.to_string(),
                source,
            })?;
        let vector_addr = vector_listener
            .local_addr()
            .map_err(|source| StartError::Bind {
                addr: config.vector_addr.to_string(),
                source,
            })?;
        let mut ctx = context::Context::new(
            store,
            config.access_key_id.clone(),
            config.access_key_secret.clone(),
            config.security_tokens.clone(),
            config.region.clone(),
            config.fixed_now,
            fault::FaultState::new(config.faults.clone()),
        );
        ctx.account_id.clone_from(&config.account_id);
        ctx.extra_users.clone_from(&config.extra_users);
        ctx.restore_delay = config.restore_delay;
        ctx.addr = Some(addr);
        let ctx = Arc::new(ctx);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("oss-emulator")
            .enable_all()
            .build()
            .map_err(|source| StartError::Bind {
                addr: addr.to_string(),
                source,
            })?;
        let (tx, rx) = tokio::sync::oneshot::channel();
        let serve_ctx = ctx.clone();
        let lifecycle_interval = config.lifecycle_interval;
        let thread = std::thread::Builder::new()
            .name("oss-emulator-accept".into())
            .spawn(move || {
                runtime.block_on(async move {
                    match (
                        tokio::net::TcpListener::from_std(listener),
                        tokio::net::TcpListener::from_std(vector_listener),
                    ) {
                        (Ok(listener), Ok(vector_listener)) => {
                            if let Some(every) = lifecycle_interval {
                                tokio::spawn(run_lifecycle_every(serve_ctx.clone(), every));
                            }
                            let (vector_tx, vector_rx) = tokio::sync::oneshot::channel();
                            let vector_ctx = serve_ctx.clone();
                            let vectors = tokio::spawn(server::serve(
                                vector_listener,
                                vector_ctx,
                                vector_rx,
                                server::Service::Vectors,
                            ));
                            server::serve(listener, serve_ctx, rx, server::Service::Oss).await;
                            let _ = vector_tx.send(());
                            let _ = vectors.await;
                        }
                        _ => drop(rx),
                    }
                });
                runtime.shutdown_background();
            })
            .map_err(|source| StartError::Bind {
                addr: addr.to_string(),
                source,
            })?;
        Ok(Emulator {
            addr,
            endpoint: format!("http://{addr}"),
            vector_endpoint: format!("http://{vector_addr}"),
            access_key_id: config.access_key_id,
            access_key_secret: config.access_key_secret,
            region: config.region,
            ctx,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR`, for path-style requests (`http://ADDR/bucket/key`).
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// `http://ADDR` of the vector service (vector buckets, indexes and vectors): path style
    /// (`http://ADDR/bucket?putVectors`) or `{bucket}-{account}.{host}` in the `Host` header.
    pub fn vector_endpoint(&self) -> &str {
        &self.vector_endpoint
    }

    /// The account id vector buckets belong to.
    pub fn account_id(&self) -> &str {
        &self.ctx.account_id
    }

    /// The accepted access key id.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The accepted access key secret.
    pub fn access_key_secret(&self) -> &str {
        &self.access_key_secret
    }

    /// The region (bucket location `oss-<region>`); sign V4 requests for it.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// How many response body bytes the emulator has sent so far, over all requests (error
    /// documents included), e.g. to check that a range read fetched only its range.
    ///
    /// ```
    /// let emu = oss_emulator::Emulator::start(oss_emulator::EmulatorConfig::new("ak", "sk")).unwrap();
    /// assert_eq!(emu.body_bytes_sent(), 0);
    /// ```
    pub fn body_bytes_sent(&self) -> u64 {
        self.ctx
            .body_bytes_sent
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Stores `bucket/key` (the bucket must exist) as `size` bytes that are zero except for
    /// `extents` (offset, data), kept as a sparse file: a test fixture for very large objects,
    /// written and digested in the time its extents take rather than its size. It is then the
    /// object a multipart upload of that content in 1 MiB parts would have made (more for over
    /// 10,000 MiB): type `Multipart`, that upload's ETag, the CRC-64 of the whole content. It
    /// needs a data directory.
    ///
    /// ```
    /// use oss_emulator::{Emulator, EmulatorConfig};
    /// let dir = tempfile::tempdir().unwrap();
    /// let emu = Emulator::start(EmulatorConfig::new("ak", "sk").data_dir(dir.path())).unwrap();
    /// // The bucket is created with a client first; without one, nothing is stored.
    /// let err = emu.put_sparse_object("missing", "big", 1 << 40, &[(0, b"head")]).unwrap_err();
    /// assert!(matches!(err, oss_emulator::SeedError::NoSuchBucket { .. }));
    /// ```
    ///
    /// # Errors
    /// [`SeedError::NotOnDisk`] without a data directory, [`SeedError::NoSuchBucket`],
    /// [`SeedError::ExtentOutOfRange`] for an extent past `size`, and I/O failures.
    pub fn put_sparse_object(
        &self,
        bucket: &str,
        key: &str,
        size: u64,
        extents: &[(u64, &[u8])],
    ) -> Result<(), SeedError> {
        seed::put_sparse_object(&self.ctx.store, bucket, key, size, extents)
    }

    /// Seeds resource pool `name` (replacing one of that name) holding `buckets`, with the
    /// pool's own throttling limits: OSS has no operation creating a pool, and the resource
    /// pool QoS operations answer from these. Persisted with a data directory.
    ///
    /// ```
    /// let emu = oss_emulator::Emulator::start(oss_emulator::EmulatorConfig::new("ak", "sk")).unwrap();
    /// let limits = oss_model::QoSConfiguration { total_qps: Some(1000), ..Default::default() };
    /// emu.seed_resource_pool("pool-a", &["bucket-a"], &limits).unwrap();
    /// ```
    ///
    /// # Errors
    /// [`SeedError::Store`] when a limit is below -1 or the record cannot be stored.
    pub fn seed_resource_pool(
        &self,
        name: &str,
        buckets: &[&str],
        limits: &oss_model::QoSConfiguration,
    ) -> Result<(), SeedError> {
        handlers::qos::seed_pool(&self.ctx, name, buckets, limits)
            .map_err(|e| SeedError::Store(format!("{}: {}", e.code, e.message)))
    }

    /// Applies every bucket's enabled lifecycle rules as of `now` (expirations, delete markers,
    /// previous versions, transitions, unfinished multipart uploads), so a test decides what
    /// time it is. `--lifecycle-interval SECS` runs the same pass at the clock's time.
    ///
    /// ```
    /// let emu = oss_emulator::Emulator::start(oss_emulator::EmulatorConfig::new("ak", "sk")).unwrap();
    /// let report = emu.run_lifecycle(time::OffsetDateTime::now_utc()).unwrap();
    /// assert_eq!(report, oss_emulator::LifecycleReport::default());
    /// ```
    ///
    /// # Errors
    /// [`LifecycleError::Store`] when a change cannot be stored (what was done until then
    /// stays done).
    pub fn run_lifecycle(
        &self,
        now: time::OffsetDateTime,
    ) -> Result<LifecycleReport, LifecycleError> {
        lifecycle::run(&self.ctx, now)
    }

    /// What an Object FC access point's function handed back with WriteGetObjectResponse for
    /// this `x-oss-request-route` and `x-oss-request-token`, if anything.
    pub fn written_get_object_response(
        &self,
        route: &str,
        token: &str,
    ) -> Option<WrittenGetObjectResponse> {
        handlers::object_fc::written(&self.ctx, route, token).map(|w| WrittenGetObjectResponse {
            status: w.status,
            body: w.data(),
            headers: w.headers,
        })
    }

    /// Replaces the injected faults (and reseeds their generator) for the following requests.
    pub fn set_faults(&self, faults: Faults) {
        self.ctx.faults.set(faults);
    }

    /// The requests received so far (the last 100,000), oldest first, each as
    /// `METHOD target` (`PUT /bucket/key?partNumber=1&uploadId=...`), failed ones included:
    /// for tests counting what a client sent.
    ///
    /// ```
    /// let emu = oss_emulator::Emulator::start(oss_emulator::EmulatorConfig::new("ak", "sk")).unwrap();
    /// let _ = std::net::TcpStream::connect(emu.addr()).and_then(|mut s| {
    ///     use std::io::{Read, Write};
    ///     s.write_all(b"GET /b/k?x=1 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")?;
    ///     s.read_to_end(&mut Vec::new())
    /// });
    /// assert_eq!(emu.take_requests(), vec!["GET /b/k?x=1".to_string()]);
    /// assert!(emu.requests().is_empty());
    /// ```
    pub fn requests(&self) -> Vec<String> {
        self.ctx.requests(false)
    }

    /// The requests received so far (as [`requests`](Emulator::requests)), emptying the log.
    pub fn take_requests(&self) -> Vec<String> {
        self.ctx.requests(true)
    }

    /// The faults in force.
    pub fn faults(&self) -> Faults {
        self.ctx.faults.get()
    }

    /// Stops the server and waits for it to close its socket.
    pub fn stop(mut self) {
        self.shutdown_now();
    }

    fn shutdown_now(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.shutdown_now();
    }
}

/// Runs the lifecycle pass every `every` at the clock's time, until the runtime stops.
async fn run_lifecycle_every(ctx: Arc<context::Context>, every: std::time::Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The first tick is immediate: the first pass runs one interval after the start.
    ticks.tick().await;
    loop {
        ticks.tick().await;
        let ctx = ctx.clone();
        // A failed pass is retried at the next tick.
        let _ = tokio::task::spawn_blocking(move || {
            lifecycle::run(&ctx, time::OffsetDateTime::now_utc())
        })
        .await;
    }
}
