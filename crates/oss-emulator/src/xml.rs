//! A small XML writer for response documents and a minimal element tree for request documents.
//!
//! Response bodies follow the element names of the OSS API reference; request bodies (Tagging,
//! CompleteMultipartUpload, Delete, CORSConfiguration, ...) are read into an [`Element`] tree and
//! picked apart by the handlers.

use quick_xml::Reader;
use quick_xml::events::Event;

/// Builds an XML document with an `<?xml ...?>` declaration.
pub(crate) struct XmlWriter {
    out: String,
    stack: Vec<&'static str>,
}

impl XmlWriter {
    /// Starts a document whose root element is `root`.
    pub(crate) fn new(root: &'static str) -> Self {
        let mut w = XmlWriter {
            out: String::with_capacity(512),
            stack: Vec::new(),
        };
        w.out
            .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        w.open(root);
        w
    }

    /// Opens a child element.
    pub(crate) fn open(&mut self, name: &'static str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        self.stack.push(name);
        self
    }

    /// Closes the innermost open element.
    pub(crate) fn close(&mut self) -> &mut Self {
        if let Some(name) = self.stack.pop() {
            self.out.push_str("</");
            self.out.push_str(name);
            self.out.push('>');
        }
        self
    }

    /// Writes `<name>text</name>` with the text escaped.
    pub(crate) fn elem(&mut self, name: &str, text: &str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        escape_into(&mut self.out, text);
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    /// Closes every open element and returns the document.
    pub(crate) fn finish(mut self) -> String {
        while !self.stack.is_empty() {
            self.close();
        }
        self.out
    }
}

/// A document whose root element holds only text, e.g. `<LocationConstraint>`.
pub(crate) fn text_document(root: &str, text: &str) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<");
    out.push_str(root);
    out.push('>');
    escape_into(&mut out, text);
    out.push_str("</");
    out.push_str(root);
    out.push('>');
    out
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' && c != '\r' => {
                out.push_str(&format!("&#{};", c as u32));
            }
            c => out.push(c),
        }
    }
}

/// One element of a parsed request document: its local name, its text, its children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Element {
    pub(crate) name: String,
    pub(crate) text: String,
    pub(crate) children: Vec<Element>,
}

impl Element {
    /// The first child named `name`.
    pub(crate) fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The text of the first child named `name`.
    pub(crate) fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }
}

/// Parses a document into its root element; `None` when it is not well-formed XML.
pub(crate) fn parse(body: &[u8]) -> Option<Element> {
    let text = std::str::from_utf8(body).ok()?;
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    loop {
        match reader.read_event().ok()? {
            Event::Start(start) => {
                let name = String::from_utf8(start.local_name().as_ref().to_vec()).ok()?;
                stack.push(Element {
                    name,
                    ..Element::default()
                });
            }
            Event::Empty(start) => {
                let name = String::from_utf8(start.local_name().as_ref().to_vec()).ok()?;
                let el = Element {
                    name,
                    ..Element::default()
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => return Some(el),
                }
            }
            Event::Text(t) => {
                let decoded = t.decode().ok()?;
                let unescaped = quick_xml::escape::unescape(&decoded).ok()?;
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&unescaped);
                }
            }
            Event::GeneralRef(r) => {
                let name = r.decode().ok()?;
                let resolved = match name.as_ref() {
                    "lt" => "<".to_owned(),
                    "gt" => ">".to_owned(),
                    "amp" => "&".to_owned(),
                    "quot" => "\"".to_owned(),
                    "apos" => "'".to_owned(),
                    other => {
                        let ch = r.resolve_char_ref().ok().flatten().or_else(|| {
                            other
                                .strip_prefix('#')
                                .and_then(|n| n.parse::<u32>().ok())
                                .and_then(char::from_u32)
                        })?;
                        ch.to_string()
                    }
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&resolved);
                }
            }
            Event::CData(c) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(std::str::from_utf8(&c).ok()?);
                }
            }
            Event::End(_) => {
                let done = stack.pop()?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => return Some(done),
                }
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writer_escapes_text() {
        let mut w = XmlWriter::new("R");
        w.elem("Key", "a<b&c");
        assert_eq!(
            w.finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<R><Key>a&lt;b&amp;c</Key></R>"
        );
    }

    #[test]
    fn parses_nested_documents_with_entities() {
        let doc = br#"<?xml version="1.0"?><Tagging><TagSet><Tag><Key>a&amp;b</Key><Value/></Tag></TagSet></Tagging>"#;
        let root = parse(doc).expect("well-formed");
        assert_eq!(root.name, "Tagging");
        let tag = root
            .child("TagSet")
            .and_then(|s| s.child("Tag"))
            .expect("tag");
        assert_eq!(tag.child_text("Key"), Some("a&b"));
        assert_eq!(tag.child_text("Value"), Some(""));
    }

    #[test]
    fn rejects_malformed_documents() {
        assert!(parse(b"<a><b></a>").is_none());
        assert!(parse(b"not xml").is_none());
    }
}
