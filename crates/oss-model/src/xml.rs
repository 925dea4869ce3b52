//! The small XML runtime the generated readers and writers call.
//!
//! Reading is a pull loop over quick-xml events: a generated `read_xml` asks
//! [`XmlReader::next_child`] for each child element, matches its name, and reads the value with
//! [`XmlReader::read`] (or skips unknown elements with [`XmlReader::skip`]). Writing appends to a
//! `String` through [`XmlWriter`], escaping text.
//!
//! ```
//! use oss_model::xml::XmlDocument;
//! use oss_model::Owner;
//!
//! let owner = Owner::from_xml(b"<Owner><ID>1234</ID><DisplayName>a &amp; b</DisplayName></Owner>")?;
//! assert_eq!(owner.id, "1234");
//! assert_eq!(owner.display_name.as_deref(), Some("a & b"));
//! assert_eq!(
//!     owner.to_xml(),
//!     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Owner><ID>1234</ID><DisplayName>a &amp; b</DisplayName></Owner>"
//! );
//! # Ok::<(), oss_model::XmlError>(())
//! ```

use std::borrow::Cow;
use std::fmt::Write as _;

use time::OffsetDateTime;

use crate::error::XmlError;
use crate::value;

/// A value read from the element the reader is positioned on.
pub trait FromXml: Sized {
    /// Reads the value of the element whose start tag [`XmlReader::next_child`] just returned
    /// (or the root), consuming it up to and including its end tag. `element` names it in errors.
    fn read_xml(r: &mut XmlReader<'_>, element: &'static str) -> Result<Self, XmlError>;
}

/// A value written as one element.
pub trait ToXml {
    /// Writes `<name>...</name>`.
    fn write_xml(&self, w: &mut XmlWriter, name: &str);
}

/// A shape that can be a whole XML document.
pub trait XmlDocument: FromXml + ToXml {
    /// The root element name.
    const ROOT: &'static str;

    /// Reads a document whose root element is [`Self::ROOT`].
    fn from_xml(input: &[u8]) -> Result<Self, XmlError> {
        let mut r = XmlReader::new(input);
        r.open_root(Self::ROOT)?;
        Self::read_xml(&mut r, Self::ROOT)
    }

    /// Writes the document, with an XML declaration.
    fn to_xml(&self) -> String {
        let mut w = XmlWriter::document();
        self.write_xml(&mut w, Self::ROOT);
        w.finish()
    }
}

/// A value with members that OSS URL-encodes under `encoding-type=url`.
pub trait UrlCoded {
    /// Decodes the URL-encoded members in place.
    fn url_decode(&mut self, element: &'static str) -> Result<(), XmlError>;
    /// Encodes the URL-encoded members in place (what a server does before writing).
    fn url_encode(&mut self);
}

impl UrlCoded for String {
    fn url_decode(&mut self, element: &'static str) -> Result<(), XmlError> {
        value::url_decode_in_place(self)
            .map_err(|source| XmlError::InvalidValue { element, source })
    }

    fn url_encode(&mut self) {
        *self = value::url_encode(self);
    }
}

impl<T: UrlCoded> UrlCoded for Option<T> {
    fn url_decode(&mut self, element: &'static str) -> Result<(), XmlError> {
        match self {
            Some(v) => v.url_decode(element),
            None => Ok(()),
        }
    }

    fn url_encode(&mut self) {
        if let Some(v) = self {
            v.url_encode();
        }
    }
}

impl<T: UrlCoded> UrlCoded for Vec<T> {
    fn url_decode(&mut self, element: &'static str) -> Result<(), XmlError> {
        self.iter_mut().try_for_each(|v| v.url_decode(element))
    }

    fn url_encode(&mut self) {
        self.iter_mut().for_each(UrlCoded::url_encode);
    }
}

/// The start tag of an element, as [`XmlReader::next_child`] returns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tag<'a> {
    name: &'a [u8],
}

impl<'a> Tag<'a> {
    /// The qualified name (`ns:Name` or `Name`).
    pub fn name(&self) -> &'a [u8] {
        self.name
    }

    /// The name without a namespace prefix.
    #[inline]
    pub fn local_name(&self) -> &'a [u8] {
        match self.name.iter().position(|&b| b == b':') {
            Some(i) => &self.name[i + 1..],
            None => self.name,
        }
    }
}

/// One lexical item of the document.
enum Token<'a> {
    /// `<name ...>`; `empty` for `<name .../>`.
    Start { name: &'a [u8], empty: bool },
    /// `</name>`.
    End,
    /// Character data, entities not yet resolved.
    Text(&'a [u8]),
    /// The content of `<![CDATA[...]]>`.
    CData(&'a [u8]),
    /// The end of the input.
    Eof,
}

/// A pull reader over one XML document held in memory.
///
/// ```
/// use oss_model::xml::XmlReader;
///
/// let mut r = XmlReader::new(b"<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>");
/// r.open_root("Tagging")?;
/// let set = r.next_child()?.expect("TagSet");
/// assert_eq!(set.local_name(), b"TagSet");
/// let mut keys = Vec::new();
/// while let Some(tag) = r.next_child()? {
///     while let Some(child) = r.next_child()? {
///         match child.local_name() {
///             b"Key" => keys.push(r.read::<String>("Key")?),
///             _ => r.skip()?,
///         }
///     }
///     let _ = tag;
/// }
/// assert_eq!(keys, ["a"]);
/// # Ok::<(), oss_model::XmlError>(())
/// ```
///
/// A small scanner specialised for the documents OSS exchanges: elements, attributes (skipped),
/// character data with the five predefined entities and character references, CDATA, comments
/// and processing instructions. Document type declarations are rejected (no entity expansion).
/// End tags must match their start tags. quick-xml serves as the reference in the tests; this
/// scanner exists because quick-xml's event loop alone costs most of the parse budget of a
/// 1000-entry listing.
pub struct XmlReader<'a> {
    input: &'a [u8],
    /// `input` as text when it is valid UTF-8 (checked once, so pieces need no re-check).
    text: Option<&'a str>,
    pos: usize,
    /// The element last returned was `<x/>`: it has no content and no end tag.
    empty: bool,
    /// The names of the open elements.
    open: Vec<&'a [u8]>,
}

impl std::fmt::Debug for XmlReader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XmlReader")
            .field("position", &self.pos)
            .field("depth", &self.open.len())
            .finish()
    }
}

/// The index of the first `needle` in `hay`: a plain loop over the first bytes (the usual
/// distances in a document are short), memchr beyond.
#[inline]
fn find_byte(needle: u8, hay: &[u8]) -> Option<usize> {
    const SHORT: usize = 24;
    let head = &hay[..hay.len().min(SHORT)];
    if let Some(i) = head.iter().position(|&b| b == needle) {
        return Some(i);
    }
    if hay.len() <= SHORT {
        return None;
    }
    memchr::memchr(needle, &hay[SHORT..]).map(|i| i + SHORT)
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

impl<'a> XmlReader<'a> {
    /// A reader over `input`.
    pub fn new(input: &'a [u8]) -> Self {
        let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
        XmlReader {
            input,
            text: std::str::from_utf8(input).ok(),
            pos: 0,
            empty: false,
            open: Vec::with_capacity(8),
        }
    }

    fn syntax(&self, message: &str) -> XmlError {
        XmlError::Syntax {
            position: self.pos as u64,
            message: message.to_string(),
        }
    }

    /// Moves past `needle` starting at `from`; returns the index where `needle` starts.
    fn find(&self, from: usize, needle: &[u8], what: &str) -> Result<usize, XmlError> {
        memchr::memmem::find(&self.input[from..], needle)
            .map(|i| from + i)
            .ok_or_else(|| self.syntax(what))
    }

    #[inline]
    fn token(&mut self) -> Result<Token<'a>, XmlError> {
        let input = self.input;
        let pos = self.pos;
        if pos >= input.len() {
            return Ok(Token::Eof);
        }
        if input[pos] != b'<' {
            let end = find_byte(b'<', &input[pos..]).map_or(input.len(), |i| pos + i);
            self.pos = end;
            return Ok(Token::Text(&input[pos..end]));
        }
        match input.get(pos + 1) {
            Some(b'/') => {
                let end = find_byte(b'>', &input[pos..])
                    .map(|i| pos + i)
                    .ok_or_else(|| self.syntax("unterminated end tag"))?;
                let name = trim_end(&input[pos + 2..end]);
                match self.open.pop() {
                    Some(open) if same_name(open, name) => {}
                    Some(_) => return Err(self.syntax("end tag does not match its start tag")),
                    None => return Err(self.syntax("end tag without a start tag")),
                }
                self.pos = end + 1;
                Ok(Token::End)
            }
            Some(b'?') => {
                let end = self.find(pos + 2, b"?>", "unterminated processing instruction")?;
                self.pos = end + 2;
                self.token()
            }
            Some(b'!') => {
                let rest = &input[pos..];
                if rest.starts_with(b"<!--") {
                    let end = self.find(pos + 4, b"-->", "unterminated comment")?;
                    self.pos = end + 3;
                    self.token()
                } else if rest.starts_with(b"<![CDATA[") {
                    let start = pos + 9;
                    let end = self.find(start, b"]]>", "unterminated CDATA section")?;
                    self.pos = end + 3;
                    Ok(Token::CData(&input[start..end]))
                } else {
                    Err(self.syntax("document type declarations are not accepted"))
                }
            }
            Some(_) => {
                let start = pos + 1;
                let mut i = start;
                while i < input.len() && !is_space(input[i]) && input[i] != b'>' && input[i] != b'/'
                {
                    i += 1;
                }
                let name = &input[start..i];
                if name.is_empty() {
                    return Err(self.syntax("empty element name"));
                }
                // Skip attributes: find the closing `>` outside quoted values.
                loop {
                    match input.get(i) {
                        Some(b'>') => break,
                        Some(&quote @ (b'"' | b'\'')) => {
                            let close = find_byte(quote, &input[i + 1..])
                                .ok_or_else(|| self.syntax("unterminated attribute value"))?;
                            i += close + 2;
                        }
                        Some(_) => i += 1,
                        None => return Err(self.syntax("unterminated start tag")),
                    }
                }
                let empty = input[i - 1] == b'/' && i > start + name.len();
                self.pos = i + 1;
                if !empty {
                    self.open.push(name);
                }
                Ok(Token::Start { name, empty })
            }
            None => Err(self.syntax("document ends after `<`")),
        }
    }

    /// Moves past the prolog to the root element, which must be `root`.
    pub fn open_root(&mut self, root: &'static str) -> Result<(), XmlError> {
        loop {
            match self.token()? {
                Token::Start { name, empty } => {
                    self.empty = empty;
                    let tag = Tag { name };
                    if tag.local_name() == root.as_bytes() {
                        return Ok(());
                    }
                    return Err(XmlError::UnexpectedRoot {
                        expected: root,
                        found: String::from_utf8_lossy(name).into_owned(),
                    });
                }
                Token::Text(t) if t.iter().all(|b| is_space(*b)) => {}
                Token::Text(_) | Token::CData(_) => {
                    return Err(self.syntax("text before the root element"));
                }
                Token::End => return Err(self.syntax("end tag before the root element")),
                Token::Eof => return Err(XmlError::EmptyDocument),
            }
        }
    }

    /// The next child element of the current element, or `None` once its end tag is consumed.
    /// Text between child elements is ignored.
    #[inline]
    pub fn next_child(&mut self) -> Result<Option<Tag<'a>>, XmlError> {
        if std::mem::take(&mut self.empty) {
            return Ok(None);
        }
        loop {
            // Indentation between elements: skip it without making a text token.
            while self.input.get(self.pos).is_some_and(|b| is_space(*b)) {
                self.pos += 1;
            }
            match self.token()? {
                Token::Start { name, empty } => {
                    self.empty = empty;
                    return Ok(Some(Tag { name }));
                }
                Token::End => return Ok(None),
                Token::Text(_) | Token::CData(_) => {}
                Token::Eof => return Err(XmlError::UnexpectedEof),
            }
        }
    }

    /// Skips the current element and everything inside it.
    pub fn skip(&mut self) -> Result<(), XmlError> {
        if std::mem::take(&mut self.empty) {
            return Ok(());
        }
        let depth = self.open.len();
        loop {
            match self.token()? {
                Token::End if self.open.len() < depth => return Ok(()),
                Token::Eof => return Err(XmlError::UnexpectedEof),
                _ => {}
            }
        }
    }

    /// The text of the current element (entities resolved), consuming its end tag.
    pub fn text(&mut self, element: &'static str) -> Result<Cow<'a, str>, XmlError> {
        if std::mem::take(&mut self.empty) {
            return Ok(Cow::Borrowed(""));
        }
        // The usual case: one run of text (or none), then the end tag.
        let first = match self.token()? {
            Token::Text(raw) => unescape(self.piece(raw), element, self.pos)?,
            Token::CData(raw) => self.piece(raw).as_str(element)?,
            Token::End => return Ok(Cow::Borrowed("")),
            Token::Start { name, .. } => {
                return Err(XmlError::UnexpectedChild {
                    element,
                    found: String::from_utf8_lossy(name).into_owned(),
                });
            }
            Token::Eof => return Err(XmlError::UnexpectedEof),
        };
        if self.input.get(self.pos..self.pos + 2) == Some(b"</")
            && let Token::End = self.token()?
        {
            return Ok(first);
        }
        let mut text = TextBuf::default();
        text.push(first);
        loop {
            match self.token()? {
                Token::Text(raw) => text.push(unescape(self.piece(raw), element, self.pos)?),
                Token::CData(raw) => text.push(self.piece(raw).as_str(element)?),
                Token::End => return Ok(text.finish()),
                Token::Start { name, .. } => {
                    return Err(XmlError::UnexpectedChild {
                        element,
                        found: String::from_utf8_lossy(name).into_owned(),
                    });
                }
                Token::Eof => return Err(XmlError::UnexpectedEof),
            }
        }
    }

    /// A slice of the input as text: borrowed from the validated document when possible.
    #[inline]
    fn piece(&self, raw: &'a [u8]) -> Piece<'a> {
        if let Some(text) = self.text {
            let start = raw.as_ptr() as usize - self.input.as_ptr() as usize;
            if let Some(s) = text.get(start..start + raw.len()) {
                return Piece::Text(s);
            }
        }
        Piece::Bytes(raw)
    }

    /// Reads the current element as a `T`.
    #[inline]
    pub fn read<T: FromXml>(&mut self, element: &'static str) -> Result<T, XmlError> {
        T::read_xml(self, element)
    }

    /// Reads a wrapped list (`<Wrapper><Item>..</Item><Item>..</Item></Wrapper>`), the reader being
    /// on the wrapper; appends the items to `out` and skips other children.
    pub fn read_wrapped<T: FromXml>(
        &mut self,
        item: &'static str,
        out: &mut Vec<T>,
    ) -> Result<(), XmlError> {
        while let Some(child) = self.next_child()? {
            if child.local_name() == item.as_bytes() {
                out.push(T::read_xml(self, item)?);
            } else {
                self.skip()?;
            }
        }
        Ok(())
    }
}

/// Byte equality without a library call: names are short.
#[inline]
fn same_name(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

fn trim_end(mut b: &[u8]) -> &[u8] {
    while let [rest @ .., last] = b {
        if is_space(*last) {
            b = rest;
        } else {
            break;
        }
    }
    b
}

fn utf8<'a>(bytes: &'a [u8], element: &'static str) -> Result<Cow<'a, str>, XmlError> {
    std::str::from_utf8(bytes)
        .map(Cow::Borrowed)
        .map_err(|_| XmlError::InvalidUtf8 { element })
}

/// A run of the input, as text when the document was valid UTF-8.
#[derive(Clone, Copy)]
enum Piece<'a> {
    Text(&'a str),
    Bytes(&'a [u8]),
}

impl<'a> Piece<'a> {
    fn bytes(&self) -> &'a [u8] {
        match self {
            Piece::Text(s) => s.as_bytes(),
            Piece::Bytes(b) => b,
        }
    }

    fn as_str(&self, element: &'static str) -> Result<Cow<'a, str>, XmlError> {
        match self {
            Piece::Text(s) => Ok(Cow::Borrowed(s)),
            Piece::Bytes(b) => utf8(b, element),
        }
    }
}

/// Resolves the predefined entities and character references of a text run.
fn unescape<'a>(
    piece: Piece<'a>,
    element: &'static str,
    pos: usize,
) -> Result<Cow<'a, str>, XmlError> {
    let raw = piece.bytes();
    let Some(first) = find_byte(b'&', raw) else {
        return piece.as_str(element);
    };
    let mut out = String::with_capacity(raw.len());
    out.push_str(&utf8(&raw[..first], element)?);
    let mut i = first;
    while i < raw.len() {
        // raw[i] == b'&'
        let semi = memchr::memchr(b';', &raw[i..]).ok_or(XmlError::Syntax {
            position: pos as u64,
            message: "`&` without a closing `;`".to_string(),
        })?;
        let entity = &raw[i + 1..i + semi];
        match entity {
            b"lt" => out.push('<'),
            b"gt" => out.push('>'),
            b"amp" => out.push('&'),
            b"quot" => out.push('"'),
            b"apos" => out.push('\''),
            [b'#', b'x', hex @ ..] => out.push(char_ref(hex, 16, element, entity)?),
            [b'#', dec @ ..] => out.push(char_ref(dec, 10, element, entity)?),
            _ => {
                return Err(XmlError::UnknownEntity {
                    element,
                    entity: String::from_utf8_lossy(entity).into_owned(),
                });
            }
        }
        i += semi + 1;
        let next = memchr::memchr(b'&', &raw[i..]).map_or(raw.len(), |n| i + n);
        out.push_str(&utf8(&raw[i..next], element)?);
        i = next;
    }
    Ok(Cow::Owned(out))
}

fn char_ref(
    digits: &[u8],
    radix: u32,
    element: &'static str,
    entity: &[u8],
) -> Result<char, XmlError> {
    let bad = || XmlError::UnknownEntity {
        element,
        entity: String::from_utf8_lossy(entity).into_owned(),
    };
    let text = std::str::from_utf8(digits).map_err(|_| bad())?;
    if text.is_empty() || text.starts_with('+') {
        return Err(bad());
    }
    u32::from_str_radix(text, radix)
        .ok()
        .filter(|c| *c != 0)
        .and_then(char::from_u32)
        .ok_or_else(bad)
}

/// Accumulates text pieces, borrowing when there is only one.
#[derive(Default)]
struct TextBuf<'a> {
    first: Option<Cow<'a, str>>,
    joined: Option<String>,
}

impl<'a> TextBuf<'a> {
    fn push(&mut self, piece: Cow<'a, str>) {
        if let Some(joined) = &mut self.joined {
            joined.push_str(&piece);
        } else if let Some(first) = self.first.take() {
            let mut joined = first.into_owned();
            joined.push_str(&piece);
            self.joined = Some(joined);
        } else {
            self.first = Some(piece);
        }
    }

    fn finish(self) -> Cow<'a, str> {
        match (self.joined, self.first) {
            (Some(j), _) => Cow::Owned(j),
            (None, Some(f)) => f,
            (None, None) => Cow::Borrowed(""),
        }
    }
}

/// Unwraps a required element. Called by generated readers.
#[inline]
pub fn required<T>(
    value: Option<T>,
    shape: &'static str,
    element: &'static str,
) -> Result<T, XmlError> {
    value.ok_or(XmlError::MissingElement { shape, element })
}

impl FromXml for String {
    #[inline]
    fn read_xml(r: &mut XmlReader<'_>, element: &'static str) -> Result<Self, XmlError> {
        Ok(r.text(element)?.into_owned())
    }
}

impl FromXml for i64 {
    fn read_xml(r: &mut XmlReader<'_>, element: &'static str) -> Result<Self, XmlError> {
        value::parse_integer(&r.text(element)?)
            .map_err(|source| XmlError::InvalidValue { element, source })
    }
}

impl FromXml for bool {
    fn read_xml(r: &mut XmlReader<'_>, element: &'static str) -> Result<Self, XmlError> {
        value::parse_boolean(&r.text(element)?)
            .map_err(|source| XmlError::InvalidValue { element, source })
    }
}

impl FromXml for f32 {
    fn read_xml(r: &mut XmlReader<'_>, element: &'static str) -> Result<Self, XmlError> {
        value::parse_float(&r.text(element)?)
            .map_err(|source| XmlError::InvalidValue { element, source })
    }
}

/// A free-form JSON value inside XML is its JSON text (no OSS XML document has one; this keeps
/// every shape readable and writable in both forms).
impl FromXml for serde_json::Value {
    fn read_xml(r: &mut XmlReader<'_>, element: &'static str) -> Result<Self, XmlError> {
        let text = r.text(element)?;
        serde_json::from_str(&text).map_err(|_| XmlError::InvalidValue {
            element,
            source: crate::ValueError::new("JSON value", &text),
        })
    }
}

impl FromXml for OffsetDateTime {
    fn read_xml(r: &mut XmlReader<'_>, element: &'static str) -> Result<Self, XmlError> {
        value::parse_iso8601(&r.text(element)?)
            .map_err(|source| XmlError::InvalidValue { element, source })
    }
}

/// Builds an XML document in a `String`.
///
/// ```
/// use oss_model::xml::XmlWriter;
/// let mut w = XmlWriter::new();
/// w.start("Tag");
/// w.field("Key", &"a<b".to_string());
/// w.opt_field::<i64>("Size", &None);
/// w.end("Tag");
/// assert_eq!(w.finish(), "<Tag><Key>a&lt;b</Key></Tag>");
/// ```
#[derive(Debug, Default)]
pub struct XmlWriter {
    out: String,
}

impl XmlWriter {
    /// An empty writer (no declaration).
    pub fn new() -> Self {
        XmlWriter::default()
    }

    /// A writer that starts with `<?xml version="1.0" encoding="UTF-8"?>`.
    pub fn document() -> Self {
        let mut out = String::with_capacity(256);
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        XmlWriter { out }
    }

    /// Writes `<name>`.
    #[inline]
    pub fn start(&mut self, name: &str) {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
    }

    /// Writes `</name>`.
    #[inline]
    pub fn end(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// Writes escaped text.
    pub fn text(&mut self, text: &str) {
        escape_into(&mut self.out, text);
    }

    /// Writes `<name>text</name>`, escaping the text.
    pub fn text_element(&mut self, name: &str, text: &str) {
        self.start(name);
        self.text(text);
        self.end(name);
    }

    /// Writes a required member.
    #[inline]
    pub fn field<T: ToXml>(&mut self, name: &str, value: &T) {
        value.write_xml(self, name);
    }

    /// Writes an optional member when present.
    #[inline]
    pub fn opt_field<T: ToXml>(&mut self, name: &str, value: &Option<T>) {
        if let Some(v) = value {
            v.write_xml(self, name);
        }
    }

    /// Writes a list member as repeated elements.
    pub fn list_field<T: ToXml>(&mut self, name: &str, values: &[T]) {
        for v in values {
            v.write_xml(self, name);
        }
    }

    /// Writes a wrapped list member (`<name><item>..</item></name>`); an empty list writes the
    /// wrapper only when `always`.
    pub fn wrapped_list_field<T: ToXml>(
        &mut self,
        name: &str,
        item: &str,
        values: &[T],
        always: bool,
    ) {
        if values.is_empty() && !always {
            return;
        }
        self.start(name);
        for v in values {
            v.write_xml(self, item);
        }
        self.end(name);
    }

    /// The document written so far.
    pub fn finish(self) -> String {
        self.out
    }
}

/// Appends `text` escaped for XML character data: `&`, `<`, `>` and carriage returns / other
/// control characters become references so they survive a round trip.
fn escape_into(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    let mut last = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let rep: Option<&str> = match b {
            b'&' => Some("&amp;"),
            b'<' => Some("&lt;"),
            b'>' => Some("&gt;"),
            b'\t' | b'\n' => None,
            0..=0x1f => {
                out.push_str(&text[last..i]);
                let _ = write!(out, "&#{b};");
                last = i + 1;
                continue;
            }
            _ => None,
        };
        if let Some(rep) = rep {
            out.push_str(&text[last..i]);
            out.push_str(rep);
            last = i + 1;
        }
    }
    out.push_str(&text[last..]);
}

impl ToXml for String {
    #[inline]
    fn write_xml(&self, w: &mut XmlWriter, name: &str) {
        w.text_element(name, self);
    }
}

impl ToXml for i64 {
    fn write_xml(&self, w: &mut XmlWriter, name: &str) {
        w.start(name);
        let _ = write!(w.out, "{self}");
        w.end(name);
    }
}

impl ToXml for bool {
    fn write_xml(&self, w: &mut XmlWriter, name: &str) {
        w.text_element(name, if *self { "true" } else { "false" });
    }
}

impl ToXml for f32 {
    fn write_xml(&self, w: &mut XmlWriter, name: &str) {
        w.start(name);
        let _ = write!(w.out, "{self}");
        w.end(name);
    }
}

impl ToXml for serde_json::Value {
    fn write_xml(&self, w: &mut XmlWriter, name: &str) {
        w.text_element(name, &self.to_string());
    }
}

impl ToXml for OffsetDateTime {
    fn write_xml(&self, w: &mut XmlWriter, name: &str) {
        w.start(name);
        value::write_iso8601(&mut w.out, *self);
        w.end(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(doc: &[u8]) -> Result<String, XmlError> {
        let mut r = XmlReader::new(doc);
        r.open_root("A")?;
        Ok(r.text("A")?.into_owned())
    }

    #[test]
    fn text_resolves_entities_and_char_refs() {
        assert_eq!(
            read_text(b"<A>&quot;x&quot; &amp; &#60;&#x3E;</A>").unwrap(),
            "\"x\" & <>"
        );
        assert_eq!(read_text(b"<A/>").unwrap(), "");
        assert_eq!(read_text(b"<A><![CDATA[<b>]]></A>").unwrap(), "<b>");
    }

    #[test]
    fn unknown_entity_is_an_error() {
        assert!(matches!(
            read_text(b"<A>&nope;</A>"),
            Err(XmlError::UnknownEntity { .. })
        ));
    }

    #[test]
    fn child_inside_text_is_an_error() {
        assert!(matches!(
            read_text(b"<A><B/></A>"),
            Err(XmlError::UnexpectedChild { .. })
        ));
    }

    #[test]
    fn escaping_round_trips_control_characters() {
        let mut w = XmlWriter::new();
        w.text_element("A", "a\r\u{1}<&>\"b");
        let doc = w.finish();
        assert_eq!(doc, "<A>a&#13;&#1;&lt;&amp;&gt;\"b</A>");
        assert_eq!(read_text(doc.as_bytes()).unwrap(), "a\r\u{1}<&>\"b");
    }

    #[test]
    fn wrong_root_is_reported() {
        let mut r = XmlReader::new(b"<?xml version=\"1.0\"?><B></B>");
        assert_eq!(
            r.open_root("A"),
            Err(XmlError::UnexpectedRoot {
                expected: "A",
                found: "B".into()
            })
        );
    }

    #[test]
    fn end_tags_must_match() {
        let mut r = XmlReader::new(b"<A><B>x</C></A>");
        r.open_root("A").unwrap();
        assert!(r.next_child().unwrap().is_some());
        assert!(matches!(r.text("B"), Err(XmlError::Syntax { .. })));
    }

    #[test]
    fn doctype_is_rejected() {
        let mut r = XmlReader::new(b"<!DOCTYPE A [<!ENTITY x \"y\">]><A>&x;</A>");
        assert!(matches!(r.open_root("A"), Err(XmlError::Syntax { .. })));
    }

    #[test]
    fn attributes_comments_and_namespaces_are_skipped() {
        let doc = b"\xEF\xBB\xBF<?xml version=\"1.0\"?><!-- c --><ns:A xmlns:ns=\"u\" x='a>b'><ns:B k=\"/\">t</ns:B><C/></ns:A>";
        let mut r = XmlReader::new(doc);
        r.open_root("A").unwrap();
        let b = r.next_child().unwrap().unwrap();
        assert_eq!(b.local_name(), b"B");
        assert_eq!(b.name(), b"ns:B");
        assert_eq!(r.text("B").unwrap(), "t");
        let c = r.next_child().unwrap().unwrap();
        assert_eq!(c.local_name(), b"C");
        assert_eq!(r.text("C").unwrap(), "");
        assert!(r.next_child().unwrap().is_none());
    }

    proptest::proptest! {
        /// quick-xml is the reference: text it escapes reads back unchanged.
        #[test]
        fn text_escaped_by_quick_xml_reads_back(text in "[^\u{0}-\u{8}\u{b}\u{c}\u{e}-\u{1f}\r]{0,40}") {
            let doc = format!("<A>{}</A>", quick_xml::escape::escape(text.as_str()));
            proptest::prop_assert_eq!(read_text(doc.as_bytes()).unwrap(), text);
        }

        /// Entity and character references resolve as quick-xml resolves them.
        #[test]
        fn references_resolve_like_quick_xml(raw in "([a-z ]|&(amp|lt|gt|quot|apos|#[0-9]{1,6}|#x[0-9a-fA-F]{1,5}|zz);){0,12}") {
            let doc = format!("<A>{raw}</A>");
            let ours = read_text(doc.as_bytes()).ok();
            let reference = quick_xml::escape::unescape(&raw).ok().map(|c| c.into_owned());
            proptest::prop_assert_eq!(ours, reference);
        }

        /// Arbitrary bytes never panic the reader.
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256)) {
            let mut r = XmlReader::new(&bytes);
            if r.open_root("A").is_ok() {
                while let Ok(Some(_)) = r.next_child() {
                    if r.text("x").is_err() {
                        let _ = r.skip();
                        break;
                    }
                }
            }
        }
    }

    #[test]
    fn truncated_document_is_an_error_not_a_panic() {
        let mut r = XmlReader::new(b"<A><B>");
        r.open_root("A").unwrap();
        let child = r.next_child().unwrap();
        assert!(child.is_some());
        assert!(r.text("B").is_err());
    }
}
