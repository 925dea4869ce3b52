//! What the tool prints: records on standard output (text or JSON), warnings and errors on
//! standard error, progress bars only on a terminal.

use std::io::{IsTerminal as _, Write as _};
use std::sync::Mutex;

use crate::cli::OutputFormat;

/// The printer of one run.
#[derive(Debug)]
pub(crate) struct Output {
    format: OutputFormat,
    quiet: bool,
    progress: bool,
    /// JSON records collected for the single document printed at the end.
    records: Mutex<Vec<serde_json::Value>>,
}

impl Output {
    /// A printer; progress bars are shown only when standard error is a terminal, the format is
    /// text, and `-q` was not given.
    pub(crate) fn new(format: OutputFormat, quiet: bool) -> Self {
        Output {
            format,
            quiet,
            progress: !quiet && format == OutputFormat::Text && std::io::stderr().is_terminal(),
            records: Mutex::new(Vec::new()),
        }
    }

    /// Whether output is JSON.
    pub(crate) fn is_json(&self) -> bool {
        self.format == OutputFormat::Json
    }

    /// Whether progress bars are drawn.
    pub(crate) fn shows_progress(&self) -> bool {
        self.progress
    }

    /// A record: a text line, or (JSON) an element of the document's list.
    pub(crate) fn record(
        &self,
        text: impl FnOnce() -> String,
        json: impl FnOnce() -> serde_json::Value,
    ) {
        if self.is_json() {
            if let Ok(mut r) = self.records.lock() {
                r.push(json());
            }
        } else {
            stdout_line(&text());
        }
    }

    /// A record only JSON output carries (text output has the summary line instead).
    pub(crate) fn json_record(&self, json: impl FnOnce() -> serde_json::Value) {
        if self.is_json()
            && let Ok(mut r) = self.records.lock()
        {
            r.push(json());
        }
    }

    /// A summary line (text only, not with `-q`); JSON carries it in the final document.
    pub(crate) fn summary(&self, text: &str) {
        if !self.quiet && !self.is_json() {
            stdout_line(text);
        }
    }

    /// A warning or a per-object failure: always on standard error.
    pub(crate) fn warn(&self, text: &str) {
        let mut e = std::io::stderr().lock();
        let _ = writeln!(e, "ossx: {text}");
    }

    /// Prints the JSON document: `extra`'s members plus `items` (the records), or the records'
    /// single value when `extra` is `None` and there is exactly one.
    pub(crate) fn finish_json(&self, extra: Option<serde_json::Value>) {
        if !self.is_json() {
            return;
        }
        let records = self
            .records
            .lock()
            .map(|mut r| std::mem::take(&mut *r))
            .unwrap_or_default();
        let doc = match extra {
            Some(serde_json::Value::Object(mut map)) => {
                map.insert("items".into(), serde_json::Value::Array(records));
                serde_json::Value::Object(map)
            }
            Some(other) => other,
            None if records.len() == 1 => records.into_iter().next().unwrap_or_default(),
            None => serde_json::Value::Array(records),
        };
        print_json(&doc);
    }
}

/// Prints one JSON value, pretty, on standard output.
pub(crate) fn print_json(value: &serde_json::Value) {
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into());
    stdout_line(&text);
}

/// One line on standard output; a closed pipe (`ossx ls | head`) is not an error.
pub(crate) fn stdout_line(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
}

/// An RFC 3339 timestamp, or `-`.
pub(crate) fn time_text(t: Option<time::OffsetDateTime>) -> String {
    t.and_then(|t| {
        t.format(&time::format_description::well_known::Rfc3339)
            .ok()
    })
    .unwrap_or_else(|| "-".into())
}
