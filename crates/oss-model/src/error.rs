//! The errors of the model crate: reading a document ([`XmlError`]), reading one value
//! ([`ValueError`]) and building an input ([`BuildError`]).

use std::fmt;

/// The longest value quoted in an error message; longer values are cut (with `...`).
const QUOTE_LIMIT: usize = 64;

fn quote(value: &str) -> String {
    if value.len() <= QUOTE_LIMIT {
        return value.to_string();
    }
    let mut end = QUOTE_LIMIT;
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &value[..end])
}

/// A text value (XML element text, header or query value) that does not parse as its type.
///
/// ```
/// use oss_model::value::TextValue;
/// let err = i64::from_text("12a").unwrap_err();
/// assert_eq!(err.to_string(), "`12a` is not a valid integer");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    /// What was expected (`integer`, `boolean`, `ISO 8601 timestamp`, ...).
    pub expected: &'static str,
    /// The text received (cut to 64 bytes).
    pub value: String,
}

impl ValueError {
    /// A value that is not a valid `expected`.
    pub fn new(expected: &'static str, value: &str) -> Self {
        ValueError {
            expected,
            value: quote(value),
        }
    }
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a valid {}", self.value, self.expected)
    }
}

impl std::error::Error for ValueError {}

/// An XML document that cannot be read as the expected shape.
///
/// ```
/// use oss_model::xml::XmlDocument;
/// let err = oss_model::Owner::from_xml(b"<Owner><DisplayName>x</DisplayName></Owner>").unwrap_err();
/// assert!(matches!(err, oss_model::XmlError::MissingElement { element: "ID", .. }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum XmlError {
    /// The document is not well-formed XML.
    Syntax {
        /// The byte offset where reading failed.
        position: u64,
        /// What the XML reader reported.
        message: String,
    },
    /// The document has no root element.
    EmptyDocument,
    /// The document ended inside an element.
    UnexpectedEof,
    /// The root element is not the expected one.
    UnexpectedRoot {
        /// The expected root element.
        expected: &'static str,
        /// The root element found.
        found: String,
    },
    /// A required element is absent.
    MissingElement {
        /// The shape being read.
        shape: &'static str,
        /// The absent element.
        element: &'static str,
    },
    /// An element's text does not parse as its type.
    InvalidValue {
        /// The element.
        element: &'static str,
        /// What is wrong with the text.
        source: ValueError,
    },
    /// An element that holds text contains a child element.
    UnexpectedChild {
        /// The element.
        element: &'static str,
        /// The child found.
        found: String,
    },
    /// An entity reference that XML does not define (`&foo;`).
    UnknownEntity {
        /// The element.
        element: &'static str,
        /// The reference, without `&` and `;`.
        entity: String,
    },
    /// Text that is not UTF-8.
    InvalidUtf8 {
        /// The element.
        element: &'static str,
    },
}

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            XmlError::Syntax { position, message } => {
                write!(f, "malformed XML at byte {position}: {message}")
            }
            XmlError::EmptyDocument => f.write_str("the XML document has no root element"),
            XmlError::UnexpectedEof => f.write_str("the XML document ends inside an element"),
            XmlError::UnexpectedRoot { expected, found } => {
                write!(
                    f,
                    "expected root element <{expected}>, found <{}>",
                    quote(found)
                )
            }
            XmlError::MissingElement { shape, element } => {
                write!(f, "<{shape}> lacks the required element <{element}>")
            }
            XmlError::InvalidValue { element, source } => write!(f, "<{element}>: {source}"),
            XmlError::UnexpectedChild { element, found } => {
                write!(f, "<{element}> holds text but contains <{}>", quote(found))
            }
            XmlError::UnknownEntity { element, entity } => {
                write!(f, "<{element}>: unknown entity `&{};`", quote(entity))
            }
            XmlError::InvalidUtf8 { element } => write!(f, "<{element}>: text is not UTF-8"),
        }
    }
}

impl std::error::Error for XmlError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            XmlError::InvalidValue { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// An input builder was asked to build without a required member.
///
/// ```
/// let err = oss_model::GetBucketAclInput::builder().build().unwrap_err();
/// assert_eq!(err.to_string(), "GetBucketAclInput: `bucket` is required");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildError {
    /// A required member was not set.
    MissingField {
        /// The type being built.
        type_name: &'static str,
        /// The member (snake case).
        field: &'static str,
    },
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::MissingField { type_name, field } => {
                write!(f, "{type_name}: `{field}` is required")
            }
        }
    }
}

impl std::error::Error for BuildError {}

/// Unwraps a required builder member. Called by generated `build` methods.
pub(crate) fn require_field<T>(
    value: Option<T>,
    type_name: &'static str,
    field: &'static str,
) -> Result<T, BuildError> {
    value.ok_or(BuildError::MissingField { type_name, field })
}
