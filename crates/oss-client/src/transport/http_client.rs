//! The seam between the client and an HTTP stack: [`HttpClient`]. The client signs, retries,
//! times out and reads responses; an `HttpClient` only carries one request to the service and
//! hands back the response head with its body still streaming. hyper's pooled client
//! ([`Transport`](super::Transport)) is the default; another stack, a recording wrapper or a
//! mock can stand in through [`ConfigBuilder::http_client`](crate::ConfigBuilder::http_client).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use http_body_util::BodyExt as _;
use http_body_util::combinators::UnsyncBoxBody;

use super::HttpRequestBody;
use crate::error::BoxError;

/// A request as the client sends it: absolute URI, signed headers, the attempt's body. The
/// operation it belongs to is in its extensions as an [`OperationName`].
pub type HttpRequest = http::Request<HttpRequestBody>;

/// A response head with its body still to be read.
pub type HttpResponse = http::Response<HttpResponseBody>;

/// What [`HttpClient::send`] returns.
pub type HttpFuture<'a> =
    Pin<Box<dyn Future<Output = Result<HttpResponse, HttpError>> + Send + 'a>>;

/// Carries requests to the service: the one thing the client needs from an HTTP stack.
///
/// An implementation sends the request as given (the URI is absolute, every header is
/// already set and signed, `Host` included only when the stack needs it set) and resolves once
/// the response head has arrived. It does not follow redirects, retry, or read the body: the
/// client does all of that, so every implementation behaves the same. Failures are
/// [`HttpError`]s, which the client retries as transport failures.
///
/// A mock answering every request with a canned document:
///
/// ```
/// use oss_client::transport::{HttpClient, HttpFuture, HttpRequest, HttpResponse, HttpResponseBody};
/// use oss_client::{Client, Config, credentials::StaticProvider};
///
/// #[derive(Debug)]
/// struct Canned;
///
/// impl HttpClient for Canned {
///     fn send(&self, request: HttpRequest) -> HttpFuture<'_> {
///         assert_eq!(request.uri(), "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/?acl");
///         Box::pin(async {
///             let doc = "<AccessControlPolicy><Owner><ID>1</ID><DisplayName>1</DisplayName></Owner>\
///                 <AccessControlList><Grant>private</Grant></AccessControlList></AccessControlPolicy>";
///             Ok(http::Response::builder()
///                 .status(200)
///                 .header("x-oss-request-id", "5C1B138A109F4E405B2D****")
///                 .body(HttpResponseBody::from(doc))
///                 .unwrap())
///         })
///     }
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let client = Client::new(
///     Config::builder()
///         .region("cn-hangzhou")
///         .credentials(StaticProvider::from_keys("ak", "sk"))
///         .http_client(Canned)
///         .build()?,
/// );
/// let acl = client.get_bucket_acl().bucket("examplebucket").send().await?;
/// assert_eq!(acl.access_control_list.grant, oss_model::BucketAcl::Private);
/// # Ok::<(), oss_client::Error>(())
/// # }).unwrap();
/// ```
pub trait HttpClient: fmt::Debug + Send + Sync + 'static {
    /// Sends `request` and resolves with the response head (body still streaming).
    fn send(&self, request: HttpRequest) -> HttpFuture<'_>;
}

/// The name of the operation a request belongs to (`"PutObject"`), in the request's extensions.
///
/// ```
/// use oss_client::transport::OperationName;
/// let mut request = http::Request::new(());
/// request.extensions_mut().insert(OperationName("PutObject"));
/// assert_eq!(request.extensions().get::<OperationName>(), Some(&OperationName("PutObject")));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationName(pub &'static str);

/// What kind of failure an [`HttpError`] is.
///
/// ```
/// use oss_client::transport::HttpErrorKind;
/// assert_ne!(HttpErrorKind::Connect, HttpErrorKind::Request);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpErrorKind {
    /// No connection could be made (DNS, TCP, TLS, proxy).
    Connect,
    /// Connecting took longer than this (the client reports a connect timeout).
    ConnectTimeout(Duration),
    /// The connection failed while the request was sent or the response head read.
    Request,
}

/// A failure of an [`HttpClient`] to exchange a request.
///
/// ```
/// use oss_client::transport::{HttpError, HttpErrorKind};
/// let err = HttpError::new(HttpErrorKind::Connect, "connection refused");
/// assert_eq!(err.kind(), HttpErrorKind::Connect);
/// assert_eq!(err.to_string(), "connect error");
/// assert_eq!(std::error::Error::source(&err).unwrap().to_string(), "connection refused");
/// ```
#[derive(Debug)]
pub struct HttpError {
    kind: HttpErrorKind,
    source: BoxError,
}

impl HttpError {
    /// An error of `kind` caused by `source`.
    pub fn new(kind: HttpErrorKind, source: impl Into<BoxError>) -> Self {
        HttpError {
            kind,
            source: source.into(),
        }
    }

    /// The kind of failure.
    pub fn kind(&self) -> HttpErrorKind {
        self.kind
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            HttpErrorKind::Connect => f.write_str("connect error"),
            HttpErrorKind::ConnectTimeout(after) => write!(f, "connect timeout after {after:?}"),
            HttpErrorKind::Request => f.write_str("request error"),
        }
    }
}

impl std::error::Error for HttpError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.source.as_ref())
    }
}

/// A response body as an [`HttpClient`] hands it back: any `http_body::Body` of `Bytes`, boxed.
///
/// ```
/// use http_body_util::BodyExt as _;
/// use oss_client::transport::HttpResponseBody;
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let body = HttpResponseBody::from("<Error/>");
/// assert_eq!(&body.collect().await.unwrap().to_bytes()[..], b"<Error/>");
/// assert!(http_body::Body::is_end_stream(&HttpResponseBody::empty()));
/// # });
/// ```
pub struct HttpResponseBody(UnsyncBoxBody<Bytes, BoxError>);

impl HttpResponseBody {
    /// Boxes `body` (hyper's `Incoming`, a `Full`, a stream body, ...).
    pub fn new<B>(body: B) -> Self
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        HttpResponseBody(body.map_err(Into::into).boxed_unsync())
    }

    /// No body.
    pub fn empty() -> Self {
        HttpResponseBody::new(http_body_util::Empty::new())
    }
}

impl From<Bytes> for HttpResponseBody {
    fn from(bytes: Bytes) -> Self {
        HttpResponseBody::new(http_body_util::Full::new(bytes))
    }
}

impl From<&'static str> for HttpResponseBody {
    fn from(s: &'static str) -> Self {
        HttpResponseBody::from(Bytes::from_static(s.as_bytes()))
    }
}

impl From<Vec<u8>> for HttpResponseBody {
    fn from(v: Vec<u8>) -> Self {
        HttpResponseBody::from(Bytes::from(v))
    }
}

impl From<String> for HttpResponseBody {
    fn from(s: String) -> Self {
        HttpResponseBody::from(Bytes::from(s))
    }
}

impl fmt::Debug for HttpResponseBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HttpResponseBody")
    }
}

impl http_body::Body for HttpResponseBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        Pin::new(&mut self.0).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.0.size_hint()
    }
}
