//! The hyper server: accept loop, one task per connection, fault injection around the router.

use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::Arc;

use base64::Engine;
use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinSet;

use crate::context::Context;
use crate::error::OssError;
use crate::fault::Decision;
use crate::request::{Request, address, parse_query};
use crate::response::{EmuBody, Reply};
use crate::router::{self, Op};
use crate::storage::{BodyDigest, Digests, Hashes, StagedBody, Writeback};
use crate::timefmt::http_date;

/// Which service a listener serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    /// OSS buckets and objects (XML).
    Oss,
    /// Vector buckets, indexes and vectors (JSON, `crate::vectors`).
    Vectors,
}

/// Serves connections until `shutdown` fires.
pub(crate) async fn serve(
    listener: TcpListener,
    ctx: Arc<Context>,
    mut shutdown: oneshot::Receiver<()>,
    service: Service,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else { continue };
                let peer = peer.ip();
                let _ = stream.set_nodelay(true);
                let ctx = ctx.clone();
                connections.spawn(async move {
                    let service = service_fn(move |req| {
                        let ctx = ctx.clone();
                        async move {
                            let sent = Arc::clone(&ctx.body_bytes_sent);
                            let resp = match service {
                                Service::Oss => handle(ctx, req, peer).await?,
                                Service::Vectors => handle_vectors(ctx, req).await?,
                            };
                            Ok::<_, Infallible>(resp.map(|body| body.counted(sent)))
                        }
                    });
                    let _ = http1::Builder::new().keep_alive(true).serve_connection(TokioIo::new(stream), service).await;
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.abort_all();
}

async fn handle(
    ctx: Arc<Context>,
    req: hyper::Request<Incoming>,
    peer: std::net::IpAddr,
) -> Result<Response<EmuBody>, Infallible> {
    let decision = ctx.faults.decide();
    let request_id = ctx.next_request_id();
    ctx.log_request(req.method(), req.uri());
    if !decision.latency.is_zero() {
        tokio::time::sleep(decision.latency).await;
    }
    let head = req.method() == Method::HEAD;
    // The public key of upload callbacks, for application servers (no authentication).
    if req.method() == Method::GET && req.uri().path() == crate::handlers::callback::PUB_KEY_PATH {
        let reply = crate::handlers::callback::public_key_reply();
        return Ok(finish(&request_id, Ok(reply), false, decision));
    }
    if let Some(status) = decision.fail_status {
        let err = if status == 503 {
            OssError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                "Please reduce your request rate. (fault injection)",
            )
        } else {
            OssError::internal(
                "We encountered an internal error. Please try again. (fault injection)",
            )
        };
        return Ok(finish(&request_id, Err(err), head, decision));
    }
    let (parts, body) = req.into_parts();
    let host = parts
        .headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned);
    let host = host.or_else(|| parts.uri.authority().map(|a| a.to_string()));
    // A Host naming an existing bucket is virtual-hosted; so is `PUT /` to a Host whose first
    // label is a valid bucket name (PutBucket: a service-level PUT does not exist).
    let creates_bucket = parts.method == Method::PUT && parts.uri.path() == "/";
    let (bucket, key, _style) = address(host.as_deref(), parts.uri.path(), |b| {
        ctx.store.has_bucket(b)
            || (creates_bucket && crate::handlers::bucket::valid_bucket_name(b))
            || crate::handlers::access_point::is_alias(&ctx, b)
    });
    let mut request = Request {
        method: parts.method,
        query: parts.uri.query().map(parse_query).unwrap_or_default(),
        bucket,
        key,
        headers: parts.headers,
        body: Bytes::new(),
        staged: None,
        digests: None,
        peer: Some(peer),
    };
    // An anonymous GET of a website bucket is served as a website (index and error documents).
    if let Some(conf) = crate::handlers::website::website_of(&ctx, &request) {
        let path = parts.uri.path().to_owned();
        let worker_ctx = ctx.clone();
        let result = tokio::task::spawn_blocking(move || {
            crate::handlers::website::serve(&worker_ctx, &request, &conf, &path)
        })
        .await
        .unwrap_or_else(|e| Err(OssError::internal(format!("handler failed: {e}"))));
        return Ok(finish(&request_id, result, head, decision));
    }
    // The signature and the ACL are checked from the head: a request that will be refused is
    // answered without reading (or staging) its body.
    let authorized = match router::authorize(&ctx, &request) {
        Ok(authorized) => authorized,
        Err(err) => return Ok(finish(&request_id, Err(err), head, decision)),
    };
    // Signed with the alias as the bucket; served by the access point's bucket.
    if let Err(err) =
        crate::handlers::access_point::resolve_alias(&ctx, &mut request, authorized.op)
    {
        return Ok(finish(&request_id, Err(err), head, decision));
    }
    let object_data = matches!(
        authorized.op,
        Op::PutObject | Op::UploadPart | Op::AppendObject
    );
    let staging = if object_data {
        ctx.store.staging_path(request.bucket())
    } else {
        None
    };
    let received = match staging {
        Some(path) => stage_body(body, path, signs_payload(&request))
            .await
            .map(|staged| request.staged = Some(Arc::new(staged))),
        None if object_data => {
            let capacity = request
                .header("content-length")
                .and_then(|v| v.parse::<u64>().ok());
            receive_digested(body, capacity, signs_payload(&request))
                .await
                .map(|(data, digests)| {
                    request.body = data;
                    request.digests = Some(digests);
                })
        }
        None => body
            .collect()
            .await
            .map(|collected| request.body = collected.to_bytes())
            .map_err(|e| e.to_string()),
    };
    if let Err(e) = received {
        let err = OssError::new(
            StatusCode::BAD_REQUEST,
            "IncompleteBody",
            format!("The request body was not received completely: {e}"),
        );
        return Ok(finish(&request_id, Err(err), head, decision));
    }
    let worker_ctx = ctx.clone();
    let result = match tokio::task::spawn_blocking(move || {
        router::dispatch(&worker_ctx, &request, authorized)
    })
    .await
    {
        Ok(r) => r,
        Err(e) => Err(OssError::internal(format!("handler failed: {e}"))),
    };
    if decision.lose_response {
        // Served (its effects are committed), but the client is told it failed.
        let err = OssError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "Please reduce your request rate. (fault injection: response lost)",
        );
        return Ok(finish(&request_id, Err(err), head, decision));
    }
    Ok(finish(&request_id, result, head, decision))
}

/// A request on the vector listener: faults, addressing, V4 over the vector resource, the
/// handler, JSON errors.
async fn handle_vectors(
    ctx: Arc<Context>,
    req: hyper::Request<Incoming>,
) -> Result<Response<EmuBody>, Infallible> {
    let decision = ctx.faults.decide();
    let request_id = ctx.next_request_id();
    if !decision.latency.is_zero() {
        tokio::time::sleep(decision.latency).await;
    }
    if decision.fail_status.is_some() {
        let err = OssError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "Please reduce your request rate. (fault injection)",
        );
        return Ok(finish_json(&request_id, Err(err), decision));
    }
    let (parts, body) = req.into_parts();
    let host = parts
        .headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| parts.uri.authority().map(|a| a.to_string()));
    let (bucket, key) = crate::vectors::address(host.as_deref(), parts.uri.path(), &ctx.account_id);
    let mut request = Request {
        method: parts.method,
        query: parts.uri.query().map(parse_query).unwrap_or_default(),
        bucket,
        key,
        headers: parts.headers,
        body: Bytes::new(),
        staged: None,
        digests: None,
        peer: None,
    };
    let op = match crate::vectors::route(&request)
        .and_then(|op| crate::vectors::authenticate(&ctx, &request).map(|()| op))
    {
        Ok(op) => op,
        Err(err) => return Ok(finish_json(&request_id, Err(err), decision)),
    };
    match body.collect().await {
        Ok(collected) => request.body = collected.to_bytes(),
        Err(e) => {
            let err = OssError::new(
                StatusCode::BAD_REQUEST,
                "IncompleteBody",
                format!("The request body was not received completely: {e}"),
            );
            return Ok(finish_json(&request_id, Err(err), decision));
        }
    }
    let worker_ctx = ctx.clone();
    let result =
        tokio::task::spawn_blocking(move || crate::vectors::dispatch(&worker_ctx, &request, op))
            .await
            .unwrap_or_else(|e| Err(OssError::internal(format!("handler failed: {e}"))));
    Ok(finish_json(&request_id, result, decision))
}

/// [`finish`] with the vector endpoint's JSON error documents.
fn finish_json(
    request_id: &str,
    result: Result<Reply, OssError>,
    decision: Decision,
) -> Response<EmuBody> {
    let result = result.or_else(|err| {
        let doc = err.json_document(request_id, "localhost");
        let mut reply = Reply::ok()
            .status(err.status)
            .header("x-oss-ec", err.ec)
            .header("Content-Type", "application/json")
            .body(Bytes::from(doc));
        for (k, v) in &err.headers {
            reply = reply.header(*k, v.clone());
        }
        Ok::<_, OssError>(reply)
    });
    finish(request_id, result, false, decision)
}

fn push_header(resp: &mut Response<EmuBody>, name: &str, value: &str) {
    let (Ok(name), Ok(value)) = (
        HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes()),
        HeaderValue::from_bytes(value.as_bytes()),
    ) else {
        return;
    };
    resp.headers_mut().append(name, value);
}

/// Streams object data into a temporary file at `path`, digesting it on the way, and makes it
/// durable. Nothing is kept when the body ends early or a write fails (the file is removed).
///
/// The connection task receives and computes the CRC-64; the chunks go through bounded
/// channels to two blocking workers, one hashing ([`Hashes`]: MD5, the serial computation
/// that bounds a PUT) and one writing with plain `std::fs` writes and starting the file's
/// writeback as it goes, so receiving, hashing, writing and syncing overlap and no chunk is
/// copied on its way to the file.
async fn stage_body(
    mut body: Incoming,
    path: PathBuf,
    with_sha256: bool,
) -> Result<StagedBody, String> {
    let (to_hasher, hasher_inbox) = tokio::sync::mpsc::channel::<Chunk>(STAGING_QUEUE);
    let (to_writer, writer_inbox) = tokio::sync::mpsc::channel::<Chunk>(STAGING_QUEUE);
    let hasher = tokio::task::spawn_blocking(move || hash_chunks(with_sha256, hasher_inbox));
    let worker_path = path.clone();
    let writer = tokio::task::spawn_blocking(move || write_staged(&worker_path, writer_inbox));
    // Until the body is complete, dropping `guard` (an error, or the connection task being
    // cancelled) removes the file; the writer removes it too when the body does not end.
    let mut guard = RemoveOnDrop(Some(path.clone()));
    let mut crc = BodyDigest::new(false);
    let received = feed_workers(&mut body, &[to_hasher, to_writer], |chunk| {
        crc.update_crc(chunk);
    })
    .await;
    let written = writer
        .await
        .map_err(|e| format!("staging failed: {e}"))?
        .map_err(|e| format!("staging failed: {e}"));
    let hashes = hasher.await.map_err(|e| format!("staging failed: {e}"))?;
    received?;
    written?;
    let hashes = hashes.ok_or_else(|| "the request body ended early".to_owned())?;
    // The staged body owns the file from here on.
    guard.0 = None;
    Ok(crc.with_hashes(hashes).finish(path))
}

/// The most [`receive_digested`] reserves up front from a Content-Length (OSS's PutObject
/// limit is 5 GiB; a larger body grows its buffer as it arrives).
const MAX_BODY_RESERVE: u64 = 1 << 30;

/// Receives an object body into memory (the memory store) with its digests computed as the
/// chunks arrive: the connection task copies each chunk once into a buffer reserved from the
/// Content-Length and computes the CRC-64, while a worker thread computes the [`Hashes`], so
/// hashing overlaps the transfer instead of following it.
async fn receive_digested(
    mut body: Incoming,
    content_length: Option<u64>,
    with_sha256: bool,
) -> Result<(Bytes, Digests), String> {
    let (chunks, inbox) = tokio::sync::mpsc::channel::<Chunk>(STAGING_QUEUE);
    let hasher = tokio::task::spawn_blocking(move || hash_chunks(with_sha256, inbox));
    let reserve = content_length.unwrap_or(0).min(MAX_BODY_RESERVE) as usize;
    let mut data = bytes::BytesMut::with_capacity(reserve);
    let mut crc = BodyDigest::new(false);
    let received = feed_workers(&mut body, &[chunks], |chunk| {
        crc.update_crc(chunk);
        data.extend_from_slice(chunk);
    })
    .await;
    let hashes = hasher.await.map_err(|e| format!("receiving failed: {e}"))?;
    received?;
    let hashes = hashes.ok_or_else(|| "the request body ended early".to_owned())?;
    Ok((data.freeze(), crc.with_hashes(hashes).digests()))
}

/// Sends `body`'s chunks to every worker (after `each` has seen them), then [`Chunk::End`]
/// when the body ended whole; the channels close on return. `Err` when receiving failed. A
/// worker that stopped early ends the feeding quietly: its own result says why.
async fn feed_workers(
    body: &mut Incoming,
    workers: &[tokio::sync::mpsc::Sender<Chunk>],
    mut each: impl FnMut(&Bytes),
) -> Result<(), String> {
    while let Some(frame) = body.frame().await {
        match frame {
            Ok(frame) => {
                if let Ok(data) = frame.into_data() {
                    each(&data);
                    for worker in workers {
                        if worker.send(Chunk::Data(data.clone())).await.is_err() {
                            return Ok(());
                        }
                    }
                }
            }
            Err(e) => return Err(e.to_string()),
        }
    }
    for worker in workers {
        let _ = worker.send(Chunk::End).await;
    }
    Ok(())
}

/// Chunks queued between the connection task and each staging worker.
const STAGING_QUEUE: usize = 32;

/// What the connection task sends a staging worker.
enum Chunk {
    /// The next piece of the body.
    Data(Bytes),
    /// The body is complete.
    End,
}

/// The hashing worker: the [`Hashes`] of every chunk; `None` when the body stopped without
/// [`Chunk::End`].
fn hash_chunks(with_sha256: bool, mut inbox: tokio::sync::mpsc::Receiver<Chunk>) -> Option<Hashes> {
    let mut hashes = Hashes::new(with_sha256);
    loop {
        match inbox.blocking_recv()? {
            Chunk::Data(chunk) => hashes.update(&chunk),
            Chunk::End => return Some(hashes),
        }
    }
}

/// The writing worker: writes every chunk, then syncs the file. A body that stops without
/// [`Chunk::End`] removes the file and fails. A [`Writeback`] syncs the data as it piles up,
/// so the disk works while the body is still arriving and the final sync has the tail only.
fn write_staged(
    path: &std::path::Path,
    mut inbox: tokio::sync::mpsc::Receiver<Chunk>,
) -> std::io::Result<()> {
    use std::io::Write as _;
    let result = (|| {
        let mut file = std::fs::File::create(path)?;
        let mut writeback = Writeback::default();
        loop {
            match inbox.blocking_recv() {
                Some(Chunk::Data(data)) => {
                    file.write_all(&data)?;
                    writeback.wrote(&file, data.len() as u64)?;
                }
                Some(Chunk::End) => break,
                None => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "the request body ended early",
                    ));
                }
            }
        }
        writeback.finish()?;
        file.sync_all()
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(path);
    }
    result
}

/// True when the request's `x-oss-content-sha256` is a hex digest the body must match (not
/// `UNSIGNED-PAYLOAD`): only then is the staged body's SHA-256 needed.
fn signs_payload(request: &Request) -> bool {
    request
        .header("x-oss-content-sha256")
        .is_some_and(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Removes a partly written file unless disarmed (its path taken).
struct RemoveOnDrop(Option<PathBuf>);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Turns a handler's result into the HTTP response, adding common headers and faults.
fn finish(
    request_id: &str,
    result: Result<Reply, OssError>,
    head: bool,
    decision: Decision,
) -> Response<EmuBody> {
    let mut reply = match result {
        Ok(reply) => reply,
        Err(err) => {
            let doc = err.document(request_id, "localhost");
            let mut reply = Reply::ok().status(err.status).header("x-oss-ec", err.ec);
            for (k, v) in &err.headers {
                reply = reply.header(*k, v.clone());
            }
            if err.status == StatusCode::NOT_MODIFIED {
                reply
            } else if head {
                reply.header(
                    "x-oss-err",
                    base64::engine::general_purpose::STANDARD.encode(doc.as_bytes()),
                )
            } else {
                reply
                    .header("Content-Type", "application/xml")
                    .body(Bytes::from(doc))
            }
        }
    };
    let length = reply.head_length.unwrap_or_else(|| reply.body_len());
    let no_body =
        head || reply.status == StatusCode::NOT_MODIFIED || reply.status == StatusCode::NO_CONTENT;
    let body = match reply.file.take() {
        Some(file) if !no_body => EmuBody::from_file(file, decision.reset_after_bytes),
        _ if no_body => EmuBody::new(Vec::new(), None),
        _ => EmuBody::new(reply.take_pieces(), decision.reset_after_bytes),
    };
    let mut resp = Response::new(body);
    *resp.status_mut() = reply.status;
    for (k, v) in &reply.headers {
        let value = if decision.wrong_crc && k.eq_ignore_ascii_case("x-oss-hash-crc64ecma") {
            v.parse::<u64>()
                .map(|c| (c ^ 0x5A5A).to_string())
                .unwrap_or_else(|_| v.clone())
        } else {
            v.clone()
        };
        push_header(&mut resp, k, &value);
    }
    push_header(&mut resp, "x-oss-request-id", request_id);
    push_header(&mut resp, "Server", "AliyunOSS");
    push_header(
        &mut resp,
        "Date",
        &http_date(time::OffsetDateTime::now_utc()),
    );
    if reply.status != StatusCode::NO_CONTENT && reply.status != StatusCode::NOT_MODIFIED {
        push_header(&mut resp, "Content-Length", &length.to_string());
    }
    resp
}
