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

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
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
        let decoded =
            value::url_decode(self).map_err(|source| XmlError::InvalidValue { element, source })?;
        if let Cow::Owned(s) = decoded {
            *self = s;
        }
        Ok(())
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

/// A pull reader over one XML document held in memory.
pub struct XmlReader<'a> {
    reader: Reader<&'a [u8]>,
    /// The element last returned was `<x/>`: it has no content and no end event.
    empty: bool,
}

impl std::fmt::Debug for XmlReader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XmlReader")
            .field("position", &self.reader.buffer_position())
            .finish()
    }
}

impl<'a> XmlReader<'a> {
    /// A reader over `input`.
    pub fn new(input: &'a [u8]) -> Self {
        let mut reader = Reader::from_reader(input);
        let config = reader.config_mut();
        config.trim_text(false);
        config.expand_empty_elements = false;
        config.check_end_names = true;
        XmlReader {
            reader,
            empty: false,
        }
    }

    fn syntax(&self, e: impl std::fmt::Display) -> XmlError {
        XmlError::Syntax {
            position: self.reader.error_position(),
            message: e.to_string(),
        }
    }

    fn event(&mut self) -> Result<Event<'a>, XmlError> {
        self.reader.read_event().map_err(|e| self.syntax(e))
    }

    /// Moves past the prolog to the root element, which must be `root`.
    pub fn open_root(&mut self, root: &'static str) -> Result<(), XmlError> {
        loop {
            let start = match self.event()? {
                Event::Start(e) => e,
                Event::Empty(e) => {
                    self.empty = true;
                    e
                }
                Event::Eof => return Err(XmlError::EmptyDocument),
                Event::End(_) => return Err(self.syntax("end tag before the root element")),
                _ => continue,
            };
            if start.local_name().as_ref() == root.as_bytes() {
                return Ok(());
            }
            return Err(XmlError::UnexpectedRoot {
                expected: root,
                found: String::from_utf8_lossy(start.name().as_ref()).into_owned(),
            });
        }
    }

    /// The next child element of the current element, or `None` once its end tag is consumed.
    /// Text between child elements is ignored.
    pub fn next_child(&mut self) -> Result<Option<BytesStart<'a>>, XmlError> {
        if std::mem::take(&mut self.empty) {
            return Ok(None);
        }
        loop {
            match self.event()? {
                Event::Start(e) => return Ok(Some(e)),
                Event::Empty(e) => {
                    self.empty = true;
                    return Ok(Some(e));
                }
                Event::End(_) => return Ok(None),
                Event::Eof => return Err(XmlError::UnexpectedEof),
                _ => {}
            }
        }
    }

    /// Skips the current element and everything inside it.
    pub fn skip(&mut self) -> Result<(), XmlError> {
        if std::mem::take(&mut self.empty) {
            return Ok(());
        }
        let mut depth = 1usize;
        loop {
            match self.event()? {
                Event::Start(_) => depth += 1,
                Event::End(_) => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Event::Eof => return Err(XmlError::UnexpectedEof),
                _ => {}
            }
        }
    }

    /// The text of the current element (entities resolved), consuming its end tag.
    pub fn text(&mut self, element: &'static str) -> Result<Cow<'a, str>, XmlError> {
        if std::mem::take(&mut self.empty) {
            return Ok(Cow::Borrowed(""));
        }
        let mut text = TextBuf::default();
        loop {
            match self.event()? {
                Event::Text(t) => text.push(utf8(t.into_inner(), element)?),
                Event::CData(c) => text.push(utf8(c.into_inner(), element)?),
                Event::GeneralRef(r) => {
                    let name = utf8(r.clone().into_inner(), element)?;
                    if let Some(ch) = r.resolve_char_ref().map_err(|e| self.syntax(e))? {
                        let mut buf = [0u8; 4];
                        text.push(Cow::Owned(ch.encode_utf8(&mut buf).to_string()));
                    } else if let Some(resolved) =
                        quick_xml::escape::resolve_predefined_entity(&name)
                    {
                        text.push(Cow::Borrowed(resolved));
                    } else {
                        return Err(XmlError::UnknownEntity {
                            element,
                            entity: name.into_owned(),
                        });
                    }
                }
                Event::End(_) => return Ok(text.finish()),
                Event::Start(e) | Event::Empty(e) => {
                    return Err(XmlError::UnexpectedChild {
                        element,
                        found: String::from_utf8_lossy(e.name().as_ref()).into_owned(),
                    });
                }
                Event::Eof => return Err(XmlError::UnexpectedEof),
                _ => {}
            }
        }
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
            if child.local_name().as_ref() == item.as_bytes() {
                out.push(T::read_xml(self, item)?);
            } else {
                self.skip()?;
            }
        }
        Ok(())
    }
}

fn utf8<'a>(bytes: Cow<'a, [u8]>, element: &'static str) -> Result<Cow<'a, str>, XmlError> {
    match bytes {
        Cow::Borrowed(b) => std::str::from_utf8(b)
            .map(Cow::Borrowed)
            .map_err(|_| XmlError::InvalidUtf8 { element }),
        Cow::Owned(v) => String::from_utf8(v)
            .map(Cow::Owned)
            .map_err(|_| XmlError::InvalidUtf8 { element }),
    }
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

impl FromXml for OffsetDateTime {
    fn read_xml(r: &mut XmlReader<'_>, element: &'static str) -> Result<Self, XmlError> {
        value::parse_iso8601(&r.text(element)?)
            .map_err(|source| XmlError::InvalidValue { element, source })
    }
}

/// Builds an XML document in a `String`.
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
    fn truncated_document_is_an_error_not_a_panic() {
        let mut r = XmlReader::new(b"<A><B>");
        r.open_root("A").unwrap();
        let child = r.next_child().unwrap();
        assert!(child.is_some());
        assert!(r.text("B").is_err());
    }
}
