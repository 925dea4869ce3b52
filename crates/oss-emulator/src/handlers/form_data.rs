//! A `multipart/form-data` body (RFC 7578) split into its fields, as PostObject receives it.

/// One field of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FormField<'a> {
    /// The `name` of its `Content-Disposition`.
    pub(crate) name: String,
    /// The `filename`, for a file field.
    pub(crate) filename: Option<String>,
    /// The field's own `Content-Type`, if any.
    pub(crate) content_type: Option<String>,
    /// The value (the file's data for a file field).
    pub(crate) value: &'a [u8],
}

/// The boundary of a `multipart/form-data; boundary=...` content type.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    let kind = params.next()?.trim();
    if !kind.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_owned())
            .filter(|b| !b.is_empty() && b.len() <= 200)
    })
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    memchr::memmem::find(hay.get(from..)?, needle).map(|i| i + from)
}

/// A quoted or bare parameter of a `Content-Disposition` header.
fn disposition_param(header: &str, param: &str) -> Option<String> {
    let mut rest = header;
    while let Some(i) = rest.find(';') {
        rest = rest[i + 1..].trim_start();
        let Some((k, v)) = rest.split_once('=') else {
            break;
        };
        if k.trim().eq_ignore_ascii_case(param) {
            let v = v.trim_start();
            return Some(if let Some(q) = v.strip_prefix('"') {
                let mut out = String::new();
                let mut chars = q.chars();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => out.extend(chars.next()),
                        '"' => break,
                        c => out.push(c),
                    }
                }
                out
            } else {
                v.split(';').next().unwrap_or("").trim().to_owned()
            });
        }
    }
    None
}

/// Splits `body` into fields; `None` when it is not well-formed multipart data.
pub(crate) fn parse<'a>(body: &'a [u8], boundary: &str) -> Option<Vec<FormField<'a>>> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut pos = find(body, delimiter, 0)?;
    let mut fields = Vec::new();
    loop {
        pos += delimiter.len();
        let after = body.get(pos..pos + 2)?;
        if after == b"--" {
            return Some(fields);
        }
        if after != b"\r\n" {
            return None;
        }
        pos += 2;
        let head_end = find(body, b"\r\n\r\n", pos)?;
        let head = std::str::from_utf8(&body[pos..head_end]).ok()?;
        let (mut name, mut filename, mut content_type) = (None, None, None);
        for line in head.split("\r\n") {
            let (k, v) = line.split_once(':')?;
            if k.trim().eq_ignore_ascii_case("content-disposition") {
                name = disposition_param(v, "name");
                filename = disposition_param(v, "filename");
            } else if k.trim().eq_ignore_ascii_case("content-type") {
                content_type = Some(v.trim().to_owned());
            }
        }
        let value_start = head_end + 4;
        let mut closing = Vec::with_capacity(delimiter.len() + 2);
        closing.extend_from_slice(b"\r\n");
        closing.extend_from_slice(delimiter);
        let value_end = find(body, &closing, value_start)?;
        fields.push(FormField {
            name: name?,
            filename,
            content_type,
            value: &body[value_start..value_end],
        });
        pos = value_end + 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundary_is_read_from_the_content_type() {
        assert_eq!(
            boundary("multipart/form-data; boundary=----abc").as_deref(),
            Some("----abc")
        );
        assert_eq!(
            boundary("Multipart/Form-Data;boundary=\"q r\"").as_deref(),
            Some("q r")
        );
        assert_eq!(boundary("application/xml; boundary=x"), None);
        assert_eq!(boundary("multipart/form-data"), None);
    }

    #[test]
    fn fields_and_a_file_are_split() {
        let body = b"--XY\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\na/b.txt\r\n\
--XY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x \\\"1\\\".txt\"\r\nContent-Type: text/plain\r\n\r\nline1\r\nline2\r\n--XY--\r\n";
        let fields = parse(body, "XY").unwrap();
        assert_eq!(fields.len(), 2);
        assert_eq!(fields[0].name, "key");
        assert_eq!(fields[0].value, b"a/b.txt");
        assert_eq!(fields[1].filename.as_deref(), Some("x \"1\".txt"));
        assert_eq!(fields[1].content_type.as_deref(), Some("text/plain"));
        assert_eq!(fields[1].value, b"line1\r\nline2");
    }

    #[test]
    fn malformed_bodies_are_refused() {
        assert!(parse(b"no delimiter here", "XY").is_none());
        assert!(
            parse(
                b"--XY\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated",
                "XY"
            )
            .is_none()
        );
        assert!(
            parse(
                b"--XY\r\nContent-Disposition: form-data\r\n\r\nv\r\n--XY--",
                "XY"
            )
            .is_none()
        );
    }
}
