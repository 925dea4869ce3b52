//! JSON documents (vector-bucket bodies): the generated JSON shapes implement [`JsonDocument`]
//! through serde.

use std::fmt;

/// A JSON document that cannot be read as the expected shape.
///
/// ```
/// let err = oss_model::json::JsonError::new("expected value at line 1 column 1");
/// assert_eq!(err.to_string(), "invalid JSON document: expected value at line 1 column 1");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    message: String,
}

impl JsonError {
    /// An error with serde_json's message.
    pub fn new(message: impl Into<String>) -> Self {
        JsonError {
            message: message.into(),
        }
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid JSON document: {}", self.message)
    }
}

impl std::error::Error for JsonError {}

/// A shape that travels as a JSON document.
pub trait JsonDocument: serde::Serialize + serde::de::DeserializeOwned {
    /// Reads the document.
    fn from_json(input: &[u8]) -> Result<Self, JsonError> {
        serde_json::from_slice(input).map_err(|e| JsonError::new(e.to_string()))
    }

    /// Writes the document.
    fn to_json(&self) -> Vec<u8> {
        // Serializing plain data structs with string keys cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }
}
