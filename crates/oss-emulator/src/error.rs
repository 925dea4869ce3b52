//! OSS error responses: code, HTTP status, message and the extra elements OSS puts in the
//! `<Error>` document; plus the library's own [`StartError`].

use http::StatusCode;

use crate::xml::XmlWriter;

/// Why the emulator could not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum StartError {
    /// The listening socket could not be bound.
    Bind {
        /// The address asked for.
        addr: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The data directory could not be read or created.
    DataDir {
        /// The directory.
        path: std::path::PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A command-line argument was missing or malformed.
    Args(String),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Bind { addr, source } => write!(f, "cannot listen on {addr}: {source}"),
            StartError::DataDir { path, source } => {
                write!(f, "cannot use data directory {}: {source}", path.display())
            }
            StartError::Args(msg) => write!(f, "bad arguments: {msg}"),
        }
    }
}

impl std::error::Error for StartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StartError::Bind { source, .. } | StartError::DataDir { source, .. } => Some(source),
            StartError::Args(_) => None,
        }
    }
}

/// An error answered to a client as an OSS `<Error>` document.
#[derive(Debug, Clone)]
pub(crate) struct OssError {
    pub(crate) status: StatusCode,
    pub(crate) code: &'static str,
    pub(crate) message: String,
    pub(crate) ec: &'static str,
    /// Extra elements after `<HostId>`, e.g. `Key`, `StringToSign`.
    pub(crate) extra: Vec<(&'static str, String)>,
    /// Extra response headers, e.g. `x-oss-next-append-position`.
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl OssError {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        OssError {
            status,
            code,
            message: message.into(),
            ec: "0000-00000000",
            extra: Vec::new(),
            headers: Vec::new(),
        }
    }

    pub(crate) fn ec(mut self, ec: &'static str) -> Self {
        self.ec = ec;
        self
    }

    pub(crate) fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.extra.push((name, value.into()));
        self
    }

    pub(crate) fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// The `<Error>` document for this error.
    pub(crate) fn document(&self, request_id: &str, host_id: &str) -> String {
        let mut w = XmlWriter::new("Error");
        w.elem("Code", self.code)
            .elem("Message", &self.message)
            .elem("RequestId", request_id)
            .elem("HostId", host_id);
        for (name, value) in &self.extra {
            w.elem(name, value);
        }
        w.elem("EC", self.ec);
        w.elem(
            "RecommendDoc",
            &format!("https://api.aliyun.com/troubleshoot?q={}", self.ec),
        );
        w.finish()
    }

    pub(crate) fn no_such_bucket(bucket: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NoSuchBucket",
            "The specified bucket does not exist.",
        )
        .ec("0015-00000101")
        .with("BucketName", bucket)
    }

    pub(crate) fn no_such_key(key: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NoSuchKey",
            "The specified key does not exist.",
        )
        .ec("0026-00000001")
        .with("Key", key)
    }

    pub(crate) fn no_such_version(key: &str, version: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NoSuchVersion",
            "The specified version does not exist.",
        )
        .ec("0026-00000003")
        .with("Key", key)
        .with("VersionId", version)
    }

    pub(crate) fn no_such_upload(upload_id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NoSuchUpload",
            "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
        )
        .ec("0042-00000002")
        .with("UploadId", upload_id)
    }

    pub(crate) fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "InvalidArgument", message).ec("0017-00000101")
    }

    pub(crate) fn malformed_xml() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "MalformedXML",
            "The XML you provided was not well-formed or did not validate against our published schema.",
        )
        .ec("0016-00000001")
    }

    pub(crate) fn access_denied(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "AccessDenied", message).ec("0003-00000001")
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "InternalError", message).ec("0000-00000002")
    }

    pub(crate) fn precondition_failed(condition: &str) -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            "PreconditionFailed",
            "At least one of the pre-conditions you specified did not hold.",
        )
        .ec("0026-00000004")
        .with("Condition", condition)
    }

    pub(crate) fn not_modified() -> Self {
        Self::new(
            StatusCode::NOT_MODIFIED,
            "NotModified",
            "The object has not been modified.",
        )
    }
}

impl From<std::io::Error> for OssError {
    fn from(e: std::io::Error) -> Self {
        OssError::internal(format!("storage failure: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_has_code_message_request_id_and_extras() {
        let doc = OssError::no_such_key("a&b").document("RID", "host");
        assert!(doc.contains("<Code>NoSuchKey</Code>"));
        assert!(doc.contains("<RequestId>RID</RequestId>"));
        assert!(doc.contains("<Key>a&amp;b</Key>"));
        assert!(doc.contains("<EC>0026-00000001</EC>"));
        assert!(doc.contains(
            "<EC>0026-00000001</EC><RecommendDoc>https://api.aliyun.com/troubleshoot?q=0026-00000001</RecommendDoc>"
        ));
    }
}
