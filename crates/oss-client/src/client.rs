//! The client and its attempt loop.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use oss_proto::operation::{
    Operation, OperationMetadata, RequestBody, RequestParts, ResponseBodyKind,
};
use oss_proto::response::{may_be_error, read_response};
use oss_sign::SigningKeyCache;
use tracing::Instrument as _;

use crate::config::Config;
use crate::crc_ledger::{CrcLedger, Exchange, Pending};
use crate::error::{Error, TimeoutKind};
use crate::presign::PresignOptions;
use crate::redirect::{self, NotFollowed, Redirect};
use crate::retry::{request_replayable, retry_reason};
use crate::signing::{self, PresignedRequest, SigningContext};
use crate::transport::{
    Body, ByteStream, CrcTracker, HttpClient, HttpRequestBody, HttpResponse, OperationName,
    Transport,
};
use oss_proto::clock_skew::ClockOffset;
use oss_proto::retry::RetryBudget;

/// An OSS client: cheap to clone (an `Arc` inside), `Send + Sync`, one connection pool.
///
/// The generated per-operation builders (`client.put_object()...send()`) call the three generic
/// entry points: [`call`](Client::call), [`call_with_body`](Client::call_with_body) and
/// [`call_streaming`](Client::call_streaming).
///
/// ```
/// use oss_client::{Client, Config, credentials::StaticProvider};
/// let config = Config::builder()
///     .region("cn-hangzhou")
///     .credentials(StaticProvider::from_keys("ak", "sk"))
///     .build()
///     .unwrap();
/// let client = Client::new(config);
/// let clone = client.clone();
/// # let _ = clone;
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: Config,
    http: Arc<dyn HttpClient>,
    key_cache: SigningKeyCache,
    /// Server time minus local time, in milliseconds, learnt from `RequestTimeTooSkewed`.
    clock_skew_ms: AtomicI64,
    budget: RetryBudget,
    /// CRCs of appendable objects and uploaded parts, for the checks needing earlier responses.
    crc_ledger: CrcLedger,
}

/// The success response of one operation, before the operation reads its typed output: the
/// head, and the body either buffered or, for streaming operations, still on the wire.
pub(crate) struct RawResponse {
    pub(crate) head: http::response::Parts,
    pub(crate) body: RawBody,
    /// CRC-64 and length of the request body sent by the successful attempt.
    sent: (u64, u64),
    /// For a GetObject body: where it lies in the object and the CRC-64 to check it against.
    /// The resuming wrapper made from it checks the CRC; the body stream then does not.
    pub(crate) plan: Option<crate::resume::Plan>,
}

pub(crate) enum RawBody {
    Buffered(Bytes),
    Streaming(ByteStream),
}

impl RawResponse {
    /// `O`'s output, and the body stream for a streaming success. A parse failure is returned
    /// as is: it is not retried (the exchange itself succeeded).
    fn parse<O: Operation>(self) -> Result<(O::Output, Option<ByteStream>), Error> {
        let (body, stream) = match self.body {
            RawBody::Buffered(bytes) => (bytes, None),
            RawBody::Streaming(stream) => (Bytes::new(), Some(stream)),
        };
        let output = O::parse_output(&self.head, body).map_err(|e| {
            match self
                .head
                .headers
                .get(oss_proto::response::REQUEST_ID_HEADER)
                .and_then(|v| v.to_str().ok())
            {
                Some(id) => e.with_request_id(id),
                None => e,
            }
        })?;
        Ok((output, stream))
    }
}

/// An operation whose success output is nothing, so that the (non-generic) attempt loop reads
/// error responses with oss-proto's [`read_response`] rules (including a 203 with or without a
/// `CallbackFailed` document) without knowing the caller's typed output.
struct Unparsed;

impl Operation for Unparsed {
    type Input = ();
    type Output = ();
    const METADATA: OperationMetadata = OperationMetadata {
        name: "Unparsed",
        method: http::Method::GET,
        scope: oss_proto::operation::Scope::Service,
        response_body: ResponseBodyKind::Buffered,
        requires_content_md5: false,
    };
    fn build_request(_: &()) -> Result<RequestParts, oss_proto::Error> {
        Err(oss_proto::Error::invalid_argument(
            "operation",
            "Unparsed only reads responses",
        ))
    }
    fn parse_output(_: &http::response::Parts, _: Bytes) -> Result<(), oss_proto::Error> {
        Ok(())
    }
}

/// The error a response stands for, or `None` for a success.
fn error_response(head: &http::response::Parts, body: &Bytes) -> Option<oss_proto::Error> {
    read_response::<Unparsed>(head, body.clone()).err()
}

impl Client {
    /// A client for `config`.
    pub fn new(config: Config) -> Self {
        let http = match &config.http_client {
            Some(http) => Arc::clone(http),
            None => Arc::new(Transport::new(&config.transport)),
        };
        Client {
            inner: Arc::new(Inner {
                config,
                http,
                key_cache: SigningKeyCache::new(),
                clock_skew_ms: AtomicI64::new(0),
                budget: RetryBudget::new(RetryBudget::DEFAULT_CAPACITY),
                crc_ledger: CrcLedger::default(),
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Runs an operation whose request and response bodies (if any) are documents held in
    /// memory.
    pub async fn call<O: Operation>(&self, input: O::Input) -> Result<O::Output, Error> {
        let parts = O::build_request(&input)?;
        let raw = self
            .execute(&O::METADATA, O::V1_SIGNED_QUERY, parts, None)
            .await?;
        Ok(raw.parse::<O>()?.0)
    }

    /// Runs an operation whose request body is object data (PutObject, UploadPart,
    /// AppendObject). Bytes and files are resent on retries; readers and streams are sent once.
    pub async fn call_with_body<O: Operation>(
        &self,
        input: O::Input,
        body: Body,
    ) -> Result<O::Output, Error> {
        let parts = O::build_request(&input)?;
        let raw = self
            .execute(&O::METADATA, O::V1_SIGNED_QUERY, parts, Some(&body))
            .await?;
        Ok(raw.parse::<O>()?.0)
    }

    /// Runs an operation whose response body is object data (GetObject): the output and the
    /// body as a stream. A full (non-range) download is checked against its CRC-64 when the
    /// stream ends.
    ///
    /// A GetObject body that breaks off midway (a reset connection, an idle timeout) is
    /// resumed from the next byte with a ranged request conditional on the first response's
    /// ETag, so the caller sees one unbroken body of one version of the object; an object
    /// replaced meanwhile ends the stream with `412 PreconditionFailed`.
    pub async fn call_streaming<O: Operation>(
        &self,
        input: O::Input,
    ) -> Result<(O::Output, ByteStream), Error> {
        let parts = O::build_request(&input)?;
        let mut raw = self
            .execute(&O::METADATA, O::V1_SIGNED_QUERY, parts.clone(), None)
            .await?;
        // Made by the attempt, which left the CRC-64 check of the body to it.
        let plan = raw.plan.take();
        let (output, stream) = raw.parse::<O>()?;
        let stream = stream.unwrap_or_else(ByteStream::empty);
        let stream = match plan {
            Some(plan) => crate::resume::resuming(
                self.clone(),
                O::METADATA,
                O::V1_SIGNED_QUERY,
                parts,
                plan,
                stream,
            ),
            None => stream,
        };
        Ok((output, stream))
    }

    /// The most attempts the retry policy allows one request.
    pub(crate) fn retry_attempts(&self) -> u32 {
        self.inner.config.retry.max_attempts_value()
    }

    /// Declares the CRC-64 of the first `position` bytes of the appendable object `bucket/key`,
    /// so that the next [`append_object`](Client::append_object) at `position` is checked: OSS
    /// returns the CRC of the whole object after an append, and the client compares it with
    /// this CRC combined with the appended data's. Without it, an append at a position other
    /// than 0 is checked only when this client made the previous append (the client remembers
    /// the CRC each append returns, for a few thousand objects).
    ///
    /// ```
    /// use oss_client::{Client, Config, credentials::StaticProvider};
    /// # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
    /// let emulator = oss_emulator::Emulator::start(oss_emulator::EmulatorConfig::new("ak", "sk")).unwrap();
    /// let client = || Client::new(Config::builder().region("cn-hangzhou").endpoint(emulator.endpoint())
    ///     .credentials(StaticProvider::from_keys("ak", "sk")).build().unwrap());
    /// let first = client();
    /// first.put_bucket().bucket("examplebucket").send().await?;
    /// first.append_object().bucket("examplebucket").key("log").position(0).body("hello ").send().await?;
    ///
    /// // Another client (another process) continues the object, knowing its CRC so far.
    /// let second = client();
    /// second.expect_append_crc("examplebucket", "log", 6, oss_proto::crc::checksum(b"hello "));
    /// second.append_object().bucket("examplebucket").key("log").position(6).body("world").send().await?;
    ///
    /// // A wrong start CRC is reported as an integrity error.
    /// let third = client();
    /// third.expect_append_crc("examplebucket", "log", 11, oss_proto::crc::checksum(b"hello there"));
    /// let err = third.append_object().bucket("examplebucket").key("log").position(11).body("!")
    ///     .send().await.unwrap_err();
    /// assert!(err.is_checksum_mismatch());
    /// # Ok::<(), oss_client::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn expect_append_crc(&self, bucket: &str, key: &str, position: u64, crc64: u64) {
        self.inner
            .crc_ledger
            .expect_append(bucket, key, position, crc64);
    }

    /// A presigned request for `input`, valid for `expires` (V4: at most 7 days).
    ///
    /// ```
    /// # use oss_client::{Client, Config, credentials::StaticProvider};
    /// # use oss_proto::operation::*;
    /// # struct GetThing;
    /// # impl Operation for GetThing {
    /// #     type Input = ();
    /// #     type Output = ();
    /// #     const METADATA: OperationMetadata = OperationMetadata { name: "GetObject", method: http::Method::GET,
    /// #         scope: Scope::Object, response_body: ResponseBodyKind::Streaming, requires_content_md5: false };
    /// #     fn build_request(_: &()) -> Result<RequestParts, oss_proto::Error> {
    /// #         Ok(RequestParts { method: http::Method::GET, bucket: Some("examplebucket".into()),
    /// #             key: Some("a.txt".into()), query: vec![], headers: Default::default(), body: RequestBody::Empty })
    /// #     }
    /// #     fn parse_output(_: &http::response::Parts, _: bytes::Bytes) -> Result<(), oss_proto::Error> { Ok(()) }
    /// # }
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let client = Client::new(Config::builder().region("cn-hangzhou")
    ///     .credentials(StaticProvider::from_keys("ak", "sk")).build().unwrap());
    /// let presigned = client.presign::<GetThing>(&(), std::time::Duration::from_secs(600)).await.unwrap();
    /// assert!(presigned.url.starts_with("https://examplebucket.oss-cn-hangzhou.aliyuncs.com/a.txt?"));
    /// assert!(presigned.url.contains("x-oss-signature="));
    /// # });
    /// ```
    pub async fn presign<O: Operation>(
        &self,
        input: &O::Input,
        expires: Duration,
    ) -> Result<PresignedRequest, Error> {
        self.presign_with::<O>(input, &PresignOptions::new(expires))
            .await
    }

    /// A presigned request for `input` with `options` (endpoint, signed headers, signature
    /// version). The generated builders' `.presigned_with(options)` call this.
    pub async fn presign_with<O: Operation>(
        &self,
        input: &O::Input,
        options: &PresignOptions,
    ) -> Result<PresignedRequest, Error> {
        let mut parts = O::build_request(input)?;
        options.apply_headers(&mut parts.headers)?;
        let config = &self.inner.config;
        let endpoint = options.resolve_endpoint(&config.endpoint, &config.region)?;
        let additional: Vec<&str> = options
            .additional_headers
            .iter()
            .map(String::as_str)
            .collect();
        let ctx = SigningContext {
            version: options
                .signature_version
                .unwrap_or(config.signature_version),
            region: &config.region,
            endpoint: &endpoint,
            key_cache: &self.inner.key_cache,
            v1_sub_resources: O::V1_SIGNED_QUERY,
        };
        let creds = config.credentials.provide_credentials().await?;
        signing::presign(
            &ctx,
            &creds,
            O::METADATA.scope,
            &parts,
            self.now(),
            options.expires,
            &additional,
        )
    }

    fn signing_context(&self, v1_signed_query: &'static [&'static str]) -> SigningContext<'_> {
        SigningContext {
            version: self.inner.config.signature_version,
            region: &self.inner.config.region,
            endpoint: &self.inner.config.endpoint,
            key_cache: &self.inner.key_cache,
            v1_sub_resources: v1_signed_query,
        }
    }

    /// The signing clock: local time corrected by the learnt offset.
    fn now(&self) -> time::OffsetDateTime {
        let offset = ClockOffset::from_millis(self.inner.clock_skew_ms.load(Ordering::Relaxed));
        time::OffsetDateTime::from(offset.apply(std::time::SystemTime::now()))
    }

    /// Runs one operation, written once for all operations (not generic, so it is compiled
    /// once): the operation timeout around the attempt loop. Returns the raw success response;
    /// every failure that does not need the typed output (transport errors, error statuses,
    /// CRC mismatches, clock skew) is decided and retried here.
    pub(crate) async fn execute(
        &self,
        meta: &OperationMetadata,
        v1_signed_query: &'static [&'static str],
        mut parts: RequestParts,
        body: Option<&Body>,
    ) -> Result<RawResponse, Error> {
        oss_proto::crc::ensure_content_md5(meta, &mut parts)?;
        if matches!(parts.body, RequestBody::Streaming)
            && let Some(len) = body.and_then(Body::content_length)
            && !parts.headers.contains_key(http::header::CONTENT_LENGTH)
        {
            parts
                .headers
                .insert(http::header::CONTENT_LENGTH, http::HeaderValue::from(len));
        }
        let span = tracing::info_span!(
            "oss.operation",
            operation = meta.name,
            bucket = parts.bucket.as_deref().unwrap_or(""),
            key = parts.key.as_deref().unwrap_or(""),
        );
        let pending = if self.inner.config.verify_crc {
            self.inner.crc_ledger.begin(meta.name, &parts)
        } else {
            Pending::None
        };
        let run = self
            .attempt_loop(meta, v1_signed_query, &parts, body)
            .instrument(span);
        let result = match self.inner.config.operation_timeout {
            Some(after) => tokio::time::timeout(after, run)
                .await
                .unwrap_or(Err(Error::Timeout {
                    kind: TimeoutKind::Operation,
                    after,
                })),
            None => run.await,
        };
        // Checked after the attempt loop: the request succeeded, so a mismatch here (an append
        // at P > 0, a completed upload) is reported, never retried.
        match result {
            Ok(raw) => {
                let empty = Bytes::new();
                let exchange = Exchange {
                    head: &raw.head,
                    body: match &raw.body {
                        RawBody::Buffered(bytes) => bytes,
                        RawBody::Streaming(_) => &empty,
                    },
                    sent: raw.sent,
                };
                self.inner.crc_ledger.settle(pending, Some(&exchange))?;
                Ok(raw)
            }
            Err(err) => {
                self.inner.crc_ledger.settle(pending, None)?;
                Err(err)
            }
        }
    }

    async fn attempt_loop(
        &self,
        meta: &OperationMetadata,
        v1_signed_query: &'static [&'static str],
        parts: &RequestParts,
        body: Option<&Body>,
    ) -> Result<RawResponse, Error> {
        let policy = &self.inner.config.retry;
        let max_redirects = self.inner.config.max_redirects;
        let mut attempt = 1;
        let mut token = None;
        let replayable = request_replayable(parts, body);
        let mut redirected: Option<RequestParts> = None;
        let mut redirects = 0;
        loop {
            let parts = redirected.as_ref().unwrap_or(parts);
            let span = tracing::debug_span!(
                "oss.attempt",
                attempt,
                status = tracing::field::Empty,
                request_id = tracing::field::Empty
            );
            let result = self
                .attempt(meta, v1_signed_query, parts, body, attempt, &span)
                .instrument(span.clone())
                .await;
            let err = match result {
                Ok(received) => {
                    self.inner.budget.on_success(token);
                    return Ok(received);
                }
                Err(Error::Redirect(mut r)) => {
                    match r.next.take() {
                        Some(next) if redirects < max_redirects => {
                            redirects += 1;
                            tracing::debug!(
                                status = r.status().as_u16(),
                                location = r.location().unwrap_or(""),
                                redirects,
                                "following a same-origin redirect"
                            );
                            redirected = Some(next);
                            continue;
                        }
                        Some(_) => r.reason = NotFollowed::TooMany(redirects),
                        None => {}
                    }
                    return Err(Error::Redirect(r));
                }
                Err(err) => err,
            };
            let reason = retry_reason(&err);
            if !policy.should_retry(reason, attempt, replayable) {
                return Err(err);
            }
            let Some(acquired) = reason.and_then(|r| self.inner.budget.try_acquire(r)) else {
                tracing::debug!("retry budget exhausted");
                return Err(err);
            };
            // The token of an earlier retry is spent; only the last one is returned on success.
            token = Some(acquired);
            let delay = policy.backoff(attempt);
            tracing::debug!(error = %err, attempt, ?delay, "retrying");
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    async fn attempt(
        &self,
        meta: &OperationMetadata,
        v1_signed_query: &'static [&'static str],
        parts: &RequestParts,
        body: Option<&Body>,
        attempt: u32,
        span: &tracing::Span,
    ) -> Result<RawResponse, Error> {
        let config = &self.inner.config;
        let creds = config.credentials.provide_credentials().await?;
        let crc = CrcTracker::default();
        let send_body = match &parts.body {
            RequestBody::Bytes(b) => HttpRequestBody::from_bytes(b.clone(), crc.clone()),
            RequestBody::Streaming => match body {
                Some(body) => body
                    .for_attempt(crc.clone())
                    .await
                    .map_err(|e| Error::io(None, e))?
                    .ok_or_else(|| Error::InvalidConfig {
                        reason: format!(
                            "{}: the request body was already consumed by attempt {}",
                            meta.name,
                            attempt - 1
                        ),
                    })?,
                None => HttpRequestBody::from_bytes(Bytes::new(), crc.clone()),
            },
            _ => HttpRequestBody::from_bytes(Bytes::new(), crc.clone()),
        };
        let mut request = config
            .endpoint
            .build_request(meta.scope, parts, send_body)?;
        if let Ok(ua) = http::HeaderValue::try_from(config.user_agent.as_str()) {
            request.headers_mut().insert(http::header::USER_AGENT, ua);
        }
        // A PostObject form carries its own signature (`post_policy`): the request is sent as
        // a browser sends it, without an `Authorization` header.
        if meta.name != "PostObject" {
            signing::sign(
                &self.signing_context(v1_signed_query),
                &creds,
                meta.scope,
                parts,
                &mut request,
                self.now(),
            )?;
        }
        let ranged = request.headers().contains_key(http::header::RANGE);
        let request_uri = request.uri().clone();
        let signed_at = std::time::SystemTime::now();
        let response = self
            .send_idle_timed(meta.name, request, &crc, config.read_timeout)
            .await?;
        let (head, incoming) = response.into_parts();
        span.record("status", head.status.as_u16());
        if let Some(id) = head
            .headers
            .get(oss_proto::response::REQUEST_ID_HEADER)
            .and_then(|v| v.to_str().ok())
        {
            span.record("request_id", id);
        }
        let streaming =
            meta.response_body == ResponseBodyKind::Streaming && !may_be_error(head.status);
        if streaming {
            let expected_crc =
                if config.verify_crc && !ranged && head.status == http::StatusCode::OK {
                    oss_proto::crc::header_value(&head.headers)?
                } else {
                    None
                };
            // A GetObject body is checked once, by the wrapper that resumes it after a break
            // (`call_streaming`), over all its pieces; the stream checks only a body the
            // wrapper cannot place (no length), which is never resumed.
            let plan = (meta.name == "GetObject")
                .then(|| crate::resume::Plan::for_response(&head, parts, expected_crc))
                .flatten();
            let stream_crc = if plan.is_some() { None } else { expected_crc };
            let stream =
                ByteStream::from_incoming(incoming, config.read_timeout, stream_crc, meta.name);
            return Ok(RawResponse {
                head,
                body: RawBody::Streaming(stream),
                sent: crc.finish(),
                plan,
            });
        }
        let bytes = ByteStream::from_incoming(incoming, config.read_timeout, None, meta.name)
            .collect()
            .await?;
        if redirect::is_redirect(head.status) {
            return Err(self.redirect(meta, parts, body, &request_uri, &head, &bytes));
        }
        if let Some(err) = error_response(&head, &bytes) {
            self.learn_clock_offset(&head, err.service_error(), signed_at);
            return Err(err.into());
        }
        let sent = crc.finish();
        if config.verify_crc && uploads_checked_data(meta.name, parts) {
            oss_proto::crc::verify(&head.headers, sent.0)?;
        }
        Ok(RawResponse {
            head,
            body: RawBody::Buffered(bytes),
            sent,
            plan: None,
        })
    }

    /// Sends a request and waits for the response head. The read timeout is an idle limit:
    /// it restarts whenever the request body makes progress, so a long upload is not cut off
    /// while it is still sending.
    async fn send_idle_timed(
        &self,
        operation: &'static str,
        mut request: http::Request<HttpRequestBody>,
        progress: &CrcTracker,
        read_timeout: Option<Duration>,
    ) -> Result<HttpResponse, Error> {
        request.extensions_mut().insert(OperationName(operation));
        let http = &self.inner.http;
        let sending = async move {
            http.send(request)
                .await
                .map_err(|e| Error::from_http(operation, e))
        };
        let Some(after) = read_timeout else {
            return sending.await;
        };
        let mut sending = std::pin::pin!(sending);
        let mut sent = progress.finish().1;
        loop {
            match tokio::time::timeout(after, &mut sending).await {
                Ok(result) => return result,
                Err(_) => {
                    let now = progress.finish().1;
                    if now == sent {
                        return Err(Error::Timeout {
                            kind: TimeoutKind::Read,
                            after,
                        });
                    }
                    sent = now;
                }
            }
        }
    }

    /// The redirect a 3xx response stands for, with the parts to follow it with when it may be
    /// followed (same origin, same bucket, method and body kept).
    fn redirect(
        &self,
        meta: &OperationMetadata,
        parts: &RequestParts,
        body: Option<&Body>,
        request_uri: &http::Uri,
        head: &http::response::Parts,
        bytes: &Bytes,
    ) -> Error {
        let service = match error_response(head, bytes) {
            Some(oss_proto::Error::Service(e)) => *e,
            _ => oss_proto::ServiceError::new(head.status.as_u16()),
        };
        let location = head
            .headers
            .get(http::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(|l| (l, redirect::resolve(request_uri, l)));
        let keeps_method = matches!(head.status.as_u16(), 307 | 308)
            || matches!(parts.method, http::Method::GET | http::Method::HEAD);
        let (next, reason) = match &location {
            None | Some((_, None)) => (None, NotFollowed::NoLocation),
            Some((_, Some(target))) if !redirect::same_origin(request_uri, target) => {
                (None, NotFollowed::CrossOrigin)
            }
            Some(_) if !keeps_method => (None, NotFollowed::MethodChange),
            Some(_) if !request_replayable(parts, body) => (None, NotFollowed::BodyNotReplayable),
            Some((_, Some(target))) => {
                match redirect::retarget(&self.inner.config.endpoint, meta.scope, parts, target) {
                    Some(next) => (Some(next), NotFollowed::TooMany(0)),
                    None => (None, NotFollowed::OtherResource),
                }
            }
        };
        let location = location.map(|(raw, resolved)| match resolved {
            Some(uri) => uri.to_string(),
            None => raw.to_owned(),
        });
        let mut redirect = Redirect::new(meta.name, location, service, reason);
        redirect.next = next;
        Error::Redirect(Box::new(redirect))
    }

    /// After `RequestTimeTooSkewed`, remembers how far the server's clock is from ours.
    fn learn_clock_offset(
        &self,
        head: &http::response::Parts,
        error: Option<&oss_proto::ServiceError>,
        signed_at: std::time::SystemTime,
    ) {
        if !self.inner.config.correct_clock_skew || error.is_none() {
            return;
        }
        if let Some(offset) = oss_proto::clock_skew::detect(head, error, signed_at) {
            tracing::warn!(
                offset_ms = offset.as_millis(),
                "correcting the signing clock"
            );
            self.inner
                .clock_skew_ms
                .store(offset.as_millis(), Ordering::Relaxed);
        }
    }
}

/// True for uploads whose response CRC-64 covers exactly the bytes this request sent, checked
/// in the attempt loop (a mismatch is retried). AppendObject is checked by the CRC ledger after
/// the loop instead: its CRC covers the whole object, and an append that reached OSS cannot be
/// sent again at the same position. PostObject's CRC covers the form's file, not the encoded
/// form this request sent.
fn uploads_checked_data(operation: &str, parts: &RequestParts) -> bool {
    matches!(parts.body, RequestBody::Streaming)
        && operation != "AppendObject"
        && operation != "PostObject"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_are_left_to_the_ledger() {
        let mut parts = RequestParts {
            method: http::Method::POST,
            bucket: Some("b".into()),
            key: Some("k".into()),
            query: vec![
                ("append".into(), None),
                ("position".into(), Some("0".into())),
            ],
            headers: http::HeaderMap::new(),
            body: RequestBody::Streaming,
        };
        assert!(!uploads_checked_data("AppendObject", &parts));
        assert!(uploads_checked_data("PutObject", &parts));
        assert!(uploads_checked_data("UploadPart", &parts));
        assert!(!uploads_checked_data("PostObject", &parts));
        parts.body = RequestBody::Empty;
        assert!(!uploads_checked_data("PutObject", &parts));
    }
}
