//! SelectObject's engine: CSV and JSON records read from an object, an SQL query
//! ([`sql`]) run over them, and the result written as CSV or JSON records.
//!
//! The engine works on the whole object in memory and hands the handler its result in
//! batches (see [`Outcome::batches`]), which become data or continuous frames.
//!
//! Choices the API reference leaves open, made here: a CSV field that is empty or missing
//! is `null`; a string compared with a number is read as a number (a comparison with a
//! string that is not one is false); splits are runs of records of at least
//! [`SPLIT_BYTES`] bytes; `select *` over JSON writes each record's members in sorted key
//! order (the order serde_json's map keeps); GZIP objects are refused (no decoder here).

pub(crate) mod sql;

use std::cmp::Ordering;

use sql::{Agg, CastType, Cmp, Column, Expr, PathStep, Query, Value};

/// Records are handed back in batches of this many scanned records: a batch with no
/// output becomes a continuous (keep-alive) frame.
pub(crate) const BATCH_RECORDS: usize = 256;

/// The size a split reaches before the next record starts a new one.
pub(crate) const SPLIT_BYTES: usize = 64 * 1024;

/// An error in the request (400 before any frame) or in the data (the end frame's status).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SelectError {
    /// The statement does not parse, or names what the input does not have.
    Sql(String),
    /// The input settings are unusable (delimiters, header mode, range).
    Input(String),
    /// A record could not be read or a value not converted, after `done` batches were output.
    Data(String),
}

/// How a CSV object is read.
#[derive(Debug, Clone)]
pub(crate) struct CsvInput {
    pub(crate) header: HeaderInfo,
    pub(crate) record_delimiter: String,
    pub(crate) field_delimiter: char,
    pub(crate) quote: char,
    pub(crate) comment: Option<char>,
}

impl Default for CsvInput {
    fn default() -> Self {
        CsvInput {
            header: HeaderInfo::None,
            record_delimiter: "\n".into(),
            field_delimiter: ',',
            quote: '"',
            comment: None,
        }
    }
}

/// `FileHeaderInfo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeaderInfo {
    None,
    Ignore,
    Use,
}

/// How the object is read.
#[derive(Debug, Clone)]
pub(crate) enum Input {
    Csv(CsvInput),
    Json {
        lines: bool,
        numbers_as_strings: bool,
    },
}

/// How the result is written.
#[derive(Debug, Clone)]
pub(crate) enum Output {
    Csv {
        record_delimiter: String,
        field_delimiter: String,
        header: bool,
        keep_all_columns: bool,
    },
    Json {
        record_delimiter: String,
    },
}

/// A part of the object's records: `line-range` or `split-range`, both inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Range {
    Lines(u64, u64),
    Splits(u64, u64),
}

impl Range {
    /// Reads `line-range=a-b` or `split-range=a-b` (either end may be left out).
    pub(crate) fn parse(s: &str) -> Result<Range, SelectError> {
        let bad = || SelectError::Input(format!("invalid Range '{s}'"));
        let (kind, span) = s.split_once('=').ok_or_else(bad)?;
        let (a, b) = span.split_once('-').ok_or_else(bad)?;
        let a = if a.trim().is_empty() {
            0
        } else {
            a.trim().parse().map_err(|_| bad())?
        };
        let b = if b.trim().is_empty() {
            u64::MAX
        } else {
            b.trim().parse().map_err(|_| bad())?
        };
        if a > b {
            return Err(bad());
        }
        match kind.trim() {
            "line-range" => Ok(Range::Lines(a, b)),
            "split-range" => Ok(Range::Splits(a, b)),
            _ => Err(bad()),
        }
    }
}

/// A record as read from the object.
#[derive(Debug, Clone)]
enum Record {
    Csv(Vec<String>),
    Json(serde_json::Value),
}

/// A record and the object offset just past it.
#[derive(Debug)]
struct Scanned {
    record: Record,
    end: usize,
}

/// The records of an object, the CSV header names, and the columns of the widest record.
#[derive(Debug)]
struct Records {
    header: Option<Vec<String>>,
    records: Vec<Scanned>,
}

/// What a scan produced: output batches, each with the object offset reached.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// `(offset, output bytes)` per batch of [`BATCH_RECORDS`] scanned records.
    pub(crate) batches: Vec<(u64, Vec<u8>)>,
    /// The data error that ended the scan early, if any.
    pub(crate) error: Option<String>,
}

/// The summary CreateSelectObjectMeta reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Meta {
    pub(crate) rows: u64,
    pub(crate) splits: u32,
    pub(crate) columns: u32,
}

/// Splits CSV text into records of fields.
fn parse_csv(data: &str, opts: &CsvInput) -> Result<Vec<(Vec<String>, usize)>, SelectError> {
    let delim = opts.record_delimiter.as_str();
    if delim.is_empty() {
        return Err(SelectError::Input("RecordDelimiter is empty".into()));
    }
    let mut out = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut at_field_start = true;
    let mut i = 0;
    let bytes = data.as_bytes();
    let mut line_start = true;
    while i < data.len() {
        if line_start && !quoted && opts.comment.is_some_and(|c| data[i..].starts_with(c)) {
            // A comment line: skip to past the next record delimiter.
            match data[i..].find(delim) {
                Some(p) => i += p + delim.len(),
                None => i = data.len(),
            }
            continue;
        }
        line_start = false;
        let Some(c) = data[i..].chars().next() else {
            break;
        };
        if quoted {
            if c == opts.quote {
                if data[i + c.len_utf8()..].starts_with(opts.quote) {
                    field.push(c);
                    i += 2 * c.len_utf8();
                } else {
                    quoted = false;
                    i += c.len_utf8();
                }
            } else {
                field.push(c);
                i += c.len_utf8();
            }
            continue;
        }
        if data[i..].starts_with(delim) {
            i += delim.len();
            if delim == "\n" && field.ends_with('\r') {
                field.pop();
            }
            fields.push(std::mem::take(&mut field));
            out.push((std::mem::take(&mut fields), i));
            at_field_start = true;
            line_start = true;
            continue;
        }
        if c == opts.field_delimiter {
            fields.push(std::mem::take(&mut field));
            at_field_start = true;
        } else if c == opts.quote && at_field_start {
            quoted = true;
            at_field_start = false;
        } else {
            field.push(c);
            at_field_start = false;
        }
        i += c.len_utf8();
    }
    if quoted {
        return Err(SelectError::Data(
            "a quoted field is not closed at the end of the object".into(),
        ));
    }
    if !field.is_empty() || !fields.is_empty() {
        if delim == "\n" && field.ends_with('\r') {
            field.pop();
        }
        fields.push(field);
        out.push((fields, bytes.len()));
    }
    Ok(out)
}

fn json_numbers_as_strings(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        J::Number(n) => J::String(n.to_string()),
        J::Array(a) => J::Array(a.into_iter().map(json_numbers_as_strings).collect()),
        J::Object(o) => J::Object(
            o.into_iter()
                .map(|(k, v)| (k, json_numbers_as_strings(v)))
                .collect(),
        ),
        other => other,
    }
}

/// Follows the `from ossobject...` path from `root`, pushing each record it reaches.
fn walk(root: &serde_json::Value, path: &[PathStep], out: &mut Vec<serde_json::Value>) {
    match path.split_first() {
        None => out.push(root.clone()),
        Some((PathStep::Key(k), rest)) => {
            if let Some(v) = root.get(k) {
                walk(v, rest, out);
            }
        }
        Some((PathStep::Each, rest)) => {
            if let Some(items) = root.as_array() {
                for item in items {
                    walk(item, rest, out);
                }
            }
        }
    }
}

fn read_records(data: &[u8], input: &Input, path: &[PathStep]) -> Result<Records, SelectError> {
    let text = std::str::from_utf8(data)
        .map_err(|_| SelectError::Data("the object is not UTF-8 text".into()))?;
    match input {
        Input::Csv(opts) => {
            let mut rows = parse_csv(text, opts)?;
            let header = match opts.header {
                HeaderInfo::None => None,
                HeaderInfo::Ignore | HeaderInfo::Use if rows.is_empty() => None,
                HeaderInfo::Ignore => {
                    rows.remove(0);
                    None
                }
                HeaderInfo::Use => Some(rows.remove(0).0),
            };
            Ok(Records {
                header,
                records: rows
                    .into_iter()
                    .map(|(f, end)| Scanned {
                        record: Record::Csv(f),
                        end,
                    })
                    .collect(),
            })
        }
        Input::Json {
            lines,
            numbers_as_strings,
        } => {
            let fix = |v: serde_json::Value| {
                if *numbers_as_strings {
                    json_numbers_as_strings(v)
                } else {
                    v
                }
            };
            let mut records = Vec::new();
            if *lines {
                let mut offset = 0;
                for line in text.split_inclusive('\n') {
                    offset += line.len();
                    if line.trim().is_empty() {
                        continue;
                    }
                    let v: serde_json::Value = serde_json::from_str(line).map_err(|e| {
                        SelectError::Data(format!("invalid JSON line ending at byte {offset}: {e}"))
                    })?;
                    let mut found = Vec::new();
                    walk(&fix(v), path, &mut found);
                    records.extend(found.into_iter().map(|record| Scanned {
                        record: Record::Json(record),
                        end: offset,
                    }));
                }
            } else {
                let v: serde_json::Value = serde_json::from_str(text)
                    .map_err(|e| SelectError::Data(format!("invalid JSON document: {e}")))?;
                let mut found = Vec::new();
                walk(&fix(v), path, &mut found);
                records.extend(found.into_iter().map(|record| Scanned {
                    record: Record::Json(record),
                    end: text.len(),
                }));
            }
            Ok(Records {
                header: None,
                records,
            })
        }
    }
}

/// Picks the records of `range` (split numbers counted as [`meta`] counts them).
fn apply_range(records: Vec<Scanned>, range: Range) -> Vec<Scanned> {
    match range {
        Range::Lines(a, b) => records
            .into_iter()
            .enumerate()
            .filter(|(i, _)| (a..=b).contains(&(*i as u64)))
            .map(|(_, r)| r)
            .collect(),
        Range::Splits(a, b) => {
            let mut split = 0u64;
            let mut split_start = 0usize;
            let mut out = Vec::new();
            for r in records {
                if (a..=b).contains(&split) {
                    out.push(Scanned {
                        record: r.record,
                        end: r.end,
                    });
                }
                if r.end - split_start >= SPLIT_BYTES {
                    split += 1;
                    split_start = r.end;
                }
            }
            out
        }
    }
}

/// A column resolved against the input: a CSV field position or a JSON path.
#[derive(Debug, Clone)]
enum Resolved {
    Field(usize),
    Json(Vec<String>),
}

/// The query with its columns resolved.
struct Plan<'a> {
    query: &'a Query,
    header: Option<&'a [String]>,
    json: bool,
}

impl Plan<'_> {
    fn resolve(&self, col: &Column) -> Result<Resolved, SelectError> {
        match col {
            Column::Index(i) => Ok(Resolved::Field(i - 1)),
            Column::Path(path) => {
                let mut path: &[String] = path;
                if path.len() > 1 {
                    let first = path[0].as_str();
                    if self.query.source_alias.as_deref() == Some(first)
                        || first.eq_ignore_ascii_case("ossobject")
                    {
                        path = &path[1..];
                    }
                }
                if self.json {
                    return Ok(Resolved::Json(path.to_vec()));
                }
                let [name] = path else {
                    return Err(SelectError::Sql(format!(
                        "a CSV column has no members: {}",
                        path.join(".")
                    )));
                };
                let Some(header) = self.header else {
                    return Err(SelectError::Sql(format!(
                        "column '{name}' needs FileHeaderInfo Use; name columns _1, _2, ... otherwise"
                    )));
                };
                header
                    .iter()
                    .position(|h| h == name)
                    .or_else(|| header.iter().position(|h| h.eq_ignore_ascii_case(name)))
                    .map(Resolved::Field)
                    .ok_or_else(|| SelectError::Sql(format!("no column named '{name}'")))
            }
        }
    }

    /// Checks every column of `e` resolves.
    fn check(&self, e: &Expr) -> Result<(), SelectError> {
        match e {
            Expr::Column(c) => self.resolve(c).map(|_| ()),
            Expr::Literal(_) | Expr::Aggregate(_, None) => Ok(()),
            Expr::Aggregate(_, Some(e))
            | Expr::Neg(e)
            | Expr::Not(e)
            | Expr::Cast(e, _)
            | Expr::Like { expr: e, .. }
            | Expr::IsNull { expr: e, .. } => self.check(e),
            Expr::And(a, b) | Expr::Or(a, b) | Expr::Compare(_, a, b) => {
                self.check(a)?;
                self.check(b)
            }
        }
    }

    fn raw_json<'r>(&self, record: &'r Record, col: &Column) -> Option<&'r serde_json::Value> {
        let Record::Json(v) = record else {
            return None;
        };
        let Ok(Resolved::Json(path)) = self.resolve(col) else {
            return None;
        };
        path.iter().try_fold(v, |v, k| v.get(k))
    }

    fn column(&self, record: &Record, col: &Column) -> Value {
        match (record, self.resolve(col)) {
            (Record::Csv(fields), Ok(Resolved::Field(i))) => match fields.get(i) {
                Some(f) if !f.is_empty() => Value::Str(f.clone()),
                _ => Value::Null,
            },
            (Record::Json(_), Ok(Resolved::Json(_))) => match self.raw_json(record, col) {
                None | Some(serde_json::Value::Null) => Value::Null,
                Some(v) => from_json(v),
            },
            _ => Value::Null,
        }
    }

    fn eval(&self, record: &Record, e: &Expr) -> Result<Value, SelectError> {
        Ok(match e {
            Expr::Literal(v) => v.clone(),
            Expr::Column(c) => self.column(record, c),
            Expr::Neg(e) => match self.eval(record, e)? {
                Value::Int(n) => Value::Int(n.checked_neg().ok_or_else(overflow)?),
                Value::Float(f) => Value::Float(-f),
                Value::Null => Value::Null,
                other => match number(&other) {
                    Some(Value::Int(n)) => Value::Int(-n),
                    Some(Value::Float(f)) => Value::Float(-f),
                    _ => {
                        return Err(SelectError::Data(format!("cannot negate {}", text(&other))));
                    }
                },
            },
            Expr::Not(e) => truth(self.eval(record, e)?).map_or(Value::Null, |b| Value::Bool(!b)),
            Expr::And(a, b) => {
                let a = truth(self.eval(record, a)?);
                if a == Some(false) {
                    return Ok(Value::Bool(false));
                }
                match (a, truth(self.eval(record, b)?)) {
                    (_, Some(false)) => Value::Bool(false),
                    (Some(true), Some(true)) => Value::Bool(true),
                    _ => Value::Null,
                }
            }
            Expr::Or(a, b) => {
                let a = truth(self.eval(record, a)?);
                if a == Some(true) {
                    return Ok(Value::Bool(true));
                }
                match (a, truth(self.eval(record, b)?)) {
                    (_, Some(true)) => Value::Bool(true),
                    (Some(false), Some(false)) => Value::Bool(false),
                    _ => Value::Null,
                }
            }
            Expr::Compare(op, a, b) => {
                let (a, b) = (self.eval(record, a)?, self.eval(record, b)?);
                match compare(&a, &b) {
                    None => Value::Null,
                    Some(ord) => Value::Bool(match op {
                        Cmp::Eq => ord == Ordering::Equal,
                        Cmp::Ne => ord != Ordering::Equal,
                        Cmp::Lt => ord == Ordering::Less,
                        Cmp::Le => ord != Ordering::Greater,
                        Cmp::Gt => ord == Ordering::Greater,
                        Cmp::Ge => ord != Ordering::Less,
                    }),
                }
            }
            Expr::Like {
                expr,
                pattern,
                negated,
            } => match self.eval(record, expr)? {
                Value::Null => Value::Null,
                v => {
                    let chars: Vec<char> = text(&v).chars().collect();
                    let pat: Vec<char> = pattern.chars().collect();
                    Value::Bool(like(&chars, &pat) != *negated)
                }
            },
            Expr::IsNull { expr, negated } => {
                Value::Bool((self.eval(record, expr)? == Value::Null) != *negated)
            }
            Expr::Cast(e, ty) => cast(&self.eval(record, e)?, *ty)?,
            Expr::Aggregate(..) => {
                return Err(SelectError::Sql(
                    "an aggregate is evaluated over all records".into(),
                ));
            }
        })
    }
}

fn overflow() -> SelectError {
    SelectError::Data("integer overflow".into())
}

fn from_json(v: &serde_json::Value) -> Value {
    use serde_json::Value as J;
    match v {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => n
            .as_i64()
            .map(Value::Int)
            .unwrap_or_else(|| Value::Float(n.as_f64().unwrap_or(f64::NAN))),
        J::String(s) => Value::Str(s.clone()),
        other => Value::Str(other.to_string()),
    }
}

fn to_json(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(n) => J::from(*n),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        Value::Str(s) => J::String(s.clone()),
    }
}

/// The three-valued truth of a condition: `None` is SQL's unknown.
fn truth(v: Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(b),
        Value::Null => None,
        Value::Str(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::Str(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// A value as a number, when it is one or a string holding one.
fn number(v: &Value) -> Option<Value> {
    match v {
        Value::Int(_) | Value::Float(_) => Some(v.clone()),
        Value::Str(s) => {
            let s = s.trim();
            s.parse::<i64>()
                .map(Value::Int)
                .ok()
                .or_else(|| s.parse::<f64>().ok().map(Value::Float))
        }
        _ => None,
    }
}

fn as_f64(v: &Value) -> f64 {
    match v {
        Value::Int(n) => *n as f64,
        Value::Float(f) => *f,
        _ => f64::NAN,
    }
}

fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Null, _) | (_, Value::Null) => None,
        (Value::Str(x), Value::Str(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Bool(_), Value::Str(_)) | (Value::Str(_), Value::Bool(_)) => {
            let (x, y) = (truth(a.clone())?, truth(b.clone())?);
            Some(x.cmp(&y))
        }
        _ => {
            let (x, y) = (number(a)?, number(b)?);
            match (x, y) {
                (Value::Int(x), Value::Int(y)) => Some(x.cmp(&y)),
                (x, y) => as_f64(&x).partial_cmp(&as_f64(&y)),
            }
        }
    }
}

/// SQL `LIKE`: `%` any run of characters, `_` one character.
fn like(s: &[char], p: &[char]) -> bool {
    // Iterative matching with backtracking to the last `%`.
    let (mut si, mut pi) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() && (p[pi] == '_' || (p[pi] != '%' && p[pi] == s[si])) {
            si += 1;
            pi += 1;
        } else if pi < p.len() && p[pi] == '%' {
            star = Some((pi, si));
            pi += 1;
        } else if let Some((sp, ss)) = star {
            pi = sp + 1;
            si = ss + 1;
            star = Some((sp, ss + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '%')
}

fn cast(v: &Value, ty: CastType) -> Result<Value, SelectError> {
    if *v == Value::Null {
        return Ok(Value::Null);
    }
    let fail =
        |v: &Value, to: &str| SelectError::Data(format!("cannot cast '{}' as {to}", text(v)));
    Ok(match ty {
        CastType::String => Value::Str(text(v)),
        CastType::Int => match number(v) {
            Some(Value::Int(n)) => Value::Int(n),
            Some(Value::Float(f)) if f.is_finite() && f.abs() < 9.2e18 => {
                Value::Int(f.trunc() as i64)
            }
            _ => match v {
                Value::Bool(b) => Value::Int(i64::from(*b)),
                _ => return Err(fail(v, "int")),
            },
        },
        CastType::Double => match number(v) {
            Some(n) => Value::Float(as_f64(&n)),
            None => return Err(fail(v, "double")),
        },
        CastType::Bool => match truth(v.clone()) {
            Some(b) => Value::Bool(b),
            None => match number(v) {
                Some(n) => Value::Bool(as_f64(&n) != 0.0),
                None => return Err(fail(v, "bool")),
            },
        },
    })
}

/// A value as CSV output text.
fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Int(n) => n.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Str(s) => s.clone(),
    }
}

/// The running state of one aggregate.
#[derive(Debug, Clone, Default)]
struct Acc {
    count: u64,
    int_sum: i64,
    float_sum: f64,
    is_float: bool,
    best: Option<Value>,
}

fn accumulate(acc: &mut Acc, agg: Agg, v: Value) -> Result<(), SelectError> {
    if v == Value::Null {
        return Ok(());
    }
    match agg {
        Agg::Count => acc.count += 1,
        Agg::Sum | Agg::Avg => {
            let n = number(&v)
                .ok_or_else(|| SelectError::Data(format!("'{}' is not a number", text(&v))))?;
            acc.count += 1;
            match n {
                Value::Int(n) if !acc.is_float => match acc.int_sum.checked_add(n) {
                    Some(s) => acc.int_sum = s,
                    None => {
                        acc.is_float = true;
                        acc.float_sum = acc.int_sum as f64 + n as f64;
                    }
                },
                n => {
                    if !acc.is_float {
                        acc.is_float = true;
                        acc.float_sum = acc.int_sum as f64;
                    }
                    acc.float_sum += as_f64(&n);
                }
            }
        }
        Agg::Min | Agg::Max => {
            acc.count += 1;
            let v = number(&v).unwrap_or(v);
            let replace = match &acc.best {
                None => true,
                Some(best) => match compare(&v, best) {
                    Some(Ordering::Less) => agg == Agg::Min,
                    Some(Ordering::Greater) => agg == Agg::Max,
                    _ => false,
                },
            };
            if replace {
                acc.best = Some(v);
            }
        }
    }
    Ok(())
}

fn finish(acc: &Acc, agg: Agg) -> Value {
    match agg {
        Agg::Count => Value::Int(i64::try_from(acc.count).unwrap_or(i64::MAX)),
        _ if acc.count == 0 => Value::Null,
        Agg::Sum if acc.is_float => Value::Float(acc.float_sum),
        Agg::Sum => Value::Int(acc.int_sum),
        Agg::Avg => {
            let sum = if acc.is_float {
                acc.float_sum
            } else {
                acc.int_sum as f64
            };
            Value::Float(sum / acc.count as f64)
        }
        Agg::Min | Agg::Max => acc.best.clone().unwrap_or(Value::Null),
    }
}

/// An output cell: a value, or (JSON input) a JSON value as is.
enum Cell {
    Value(Value),
    Json(serde_json::Value),
}

/// Writes one output record.
fn write_record(out: &mut Vec<u8>, names: &[String], cells: &[Cell], output: &Output) {
    match output {
        Output::Csv {
            record_delimiter,
            field_delimiter,
            ..
        } => {
            let fields: Vec<String> = cells
                .iter()
                .map(|c| {
                    let t = match c {
                        Cell::Value(v) => text(v),
                        Cell::Json(serde_json::Value::String(s)) => s.clone(),
                        Cell::Json(serde_json::Value::Null) => String::new(),
                        Cell::Json(j) => j.to_string(),
                    };
                    csv_quote(&t, field_delimiter, record_delimiter)
                })
                .collect();
            out.extend_from_slice(fields.join(field_delimiter).as_bytes());
            out.extend_from_slice(record_delimiter.as_bytes());
        }
        Output::Json { record_delimiter } => {
            // Written by hand to keep the select list's order (serde_json's map sorts keys).
            out.push(b'{');
            for (i, (name, cell)) in names.iter().zip(cells).enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                let v = match cell {
                    Cell::Value(v) => to_json(v),
                    Cell::Json(j) => j.clone(),
                };
                out.extend_from_slice(
                    serde_json::Value::String(name.clone())
                        .to_string()
                        .as_bytes(),
                );
                out.push(b':');
                out.extend_from_slice(v.to_string().as_bytes());
            }
            out.push(b'}');
            out.extend_from_slice(record_delimiter.as_bytes());
        }
    }
}

fn csv_quote(t: &str, field_delimiter: &str, record_delimiter: &str) -> String {
    if t.contains(field_delimiter)
        || t.contains(record_delimiter)
        || t.contains('"')
        || t.contains('\n')
        || t.contains('\r')
    {
        format!("\"{}\"", t.replace('"', "\"\""))
    } else {
        t.to_owned()
    }
}

/// The output name of select item `i`.
fn item_name(item: &sql::SelectItem, i: usize) -> String {
    if let Some(a) = &item.alias {
        return a.clone();
    }
    match &item.expr {
        Expr::Column(Column::Path(p)) => p.last().cloned().unwrap_or_default(),
        Expr::Column(Column::Index(n)) => format!("_{n}"),
        _ => format!("_{}", i + 1),
    }
}

/// Parses a statement as the request carries it (SQL text), refusing a bad one.
pub(crate) fn parse_query(sql_text: &str) -> Result<Query, SelectError> {
    sql::parse(sql_text).map_err(|e| SelectError::Sql(e.to_string()))
}

/// Runs `query` over `data`. A request error (bad column, input settings) is `Err`; a data
/// error found while scanning ends the outcome early with [`Outcome::error`].
pub(crate) fn run(
    query: &Query,
    data: &[u8],
    input: &Input,
    output: &Output,
    range: Option<Range>,
) -> Result<Outcome, SelectError> {
    let json = matches!(input, Input::Json { .. });
    let mut outcome = Outcome::default();
    let records = match read_records(data, input, &query.source_path) {
        Ok(r) => r,
        Err(SelectError::Data(e)) => {
            outcome.error = Some(e);
            return Ok(outcome);
        }
        Err(e) => return Err(e),
    };
    let plan = Plan {
        query,
        header: records.header.as_deref(),
        json,
    };
    if let Some(items) = &query.items {
        for item in items {
            plan.check(&item.expr)?;
        }
    }
    if let Some(f) = &query.filter {
        plan.check(f)?;
    }
    let rows = match range {
        Some(r) => apply_range(records.records, r),
        None => records.records,
    };
    let width = rows
        .iter()
        .map(|r| match &r.record {
            Record::Csv(f) => f.len(),
            Record::Json(_) => 0,
        })
        .max()
        .unwrap_or(0);
    // The output column names (JSON keys and the CSV header line).
    let names: Vec<String> = match &query.items {
        Some(items) => items
            .iter()
            .enumerate()
            .map(|(i, it)| item_name(it, i))
            .collect(),
        None => match &plan.header {
            Some(h) => h.to_vec(),
            None => (1..=width).map(|i| format!("_{i}")).collect(),
        },
    };
    let keep_all = matches!(
        output,
        Output::Csv {
            keep_all_columns: true,
            ..
        }
    ) && !json
        && query
            .items
            .as_ref()
            .is_some_and(|items| items.iter().all(|i| matches!(i.expr, Expr::Column(_))));
    let mut buf = Vec::new();
    if let Output::Csv { header: true, .. } = output {
        let cells: Vec<Cell> = names
            .iter()
            .map(|n| Cell::Value(Value::Str(n.clone())))
            .collect();
        write_record(&mut buf, &names, &cells, output);
    }
    let aggregate = query.is_aggregate();
    let mut accs: Vec<Acc> = query
        .items
        .as_ref()
        .map(|items| vec![Acc::default(); items.len()])
        .unwrap_or_default();
    let limit = query.limit.unwrap_or(u64::MAX);
    let mut emitted = 0u64;
    let mut offset = 0u64;
    let total = rows.len();
    for (n, scanned) in rows.into_iter().enumerate() {
        if emitted >= limit {
            break;
        }
        offset = scanned.end as u64;
        let record = &scanned.record;
        let step = (|| -> Result<(), SelectError> {
            if let Some(f) = &query.filter
                && truth(plan.eval(record, f)?) != Some(true)
            {
                return Ok(());
            }
            let Some(items) = &query.items else {
                let cells: Vec<Cell> = match record {
                    Record::Csv(fields) => fields
                        .iter()
                        .map(|f| Cell::Value(Value::Str(f.clone())))
                        .collect(),
                    Record::Json(v) => match (output, v) {
                        (Output::Json { record_delimiter }, _) => {
                            buf.extend_from_slice(v.to_string().as_bytes());
                            buf.extend_from_slice(record_delimiter.as_bytes());
                            emitted += 1;
                            return Ok(());
                        }
                        (_, serde_json::Value::Object(o)) => {
                            o.values().map(|v| Cell::Json(v.clone())).collect()
                        }
                        (_, other) => vec![Cell::Json(other.clone())],
                    },
                };
                let names: Vec<String> = if json || plan.header.is_some() {
                    names.clone()
                } else {
                    (1..=cells.len()).map(|i| format!("_{i}")).collect()
                };
                write_record(&mut buf, &names, &cells, output);
                emitted += 1;
                return Ok(());
            };
            if aggregate {
                for (acc, item) in accs.iter_mut().zip(items) {
                    if let Expr::Aggregate(agg, arg) = &item.expr {
                        let v = match arg {
                            None => Value::Bool(true),
                            Some(e) => plan.eval(record, e)?,
                        };
                        accumulate(acc, *agg, v)?;
                    }
                }
                return Ok(());
            }
            if keep_all {
                let mut cells: Vec<Cell> = (0..width).map(|_| Cell::Value(Value::Null)).collect();
                for item in items {
                    if let Expr::Column(c) = &item.expr
                        && let Ok(Resolved::Field(i)) = plan.resolve(c)
                        && i < width
                    {
                        cells[i] = Cell::Value(plan.eval(record, &item.expr)?);
                    }
                }
                write_record(&mut buf, &names, &cells, output);
                emitted += 1;
                return Ok(());
            }
            let mut cells = Vec::with_capacity(items.len());
            for item in items {
                let cell = match &item.expr {
                    Expr::Column(c) if json => match plan.raw_json(record, c) {
                        Some(v) => Cell::Json(v.clone()),
                        None => Cell::Value(Value::Null),
                    },
                    e => Cell::Value(plan.eval(record, e)?),
                };
                cells.push(cell);
            }
            write_record(&mut buf, &names, &cells, output);
            emitted += 1;
            Ok(())
        })();
        if let Err(e) = step {
            if !buf.is_empty() {
                outcome.batches.push((offset, std::mem::take(&mut buf)));
            }
            outcome.error = Some(match e {
                SelectError::Data(m) | SelectError::Sql(m) | SelectError::Input(m) => m,
            });
            return Ok(outcome);
        }
        if (n + 1) % BATCH_RECORDS == 0 && n + 1 < total {
            outcome.batches.push((offset, std::mem::take(&mut buf)));
        }
    }
    if aggregate && let Some(items) = &query.items {
        let cells: Vec<Cell> = accs
            .iter()
            .zip(items)
            .map(|(acc, item)| match &item.expr {
                Expr::Aggregate(agg, _) => Cell::Value(finish(acc, *agg)),
                _ => Cell::Value(Value::Null),
            })
            .collect();
        if limit > 0 {
            write_record(&mut buf, &names, &cells, output);
        }
    }
    outcome.batches.push((offset.max(data.len() as u64), buf));
    Ok(outcome)
}

/// Counts an object's records, splits and (CSV) columns for CreateSelectObjectMeta.
pub(crate) fn meta(data: &[u8], input: &Input) -> Result<Meta, SelectError> {
    let records = read_records(data, input, &[])?;
    let columns = records
        .records
        .iter()
        .map(|r| match &r.record {
            Record::Csv(f) => f.len(),
            Record::Json(_) => 0,
        })
        .chain(records.header.as_ref().map(Vec::len))
        .max()
        .unwrap_or(0);
    let mut splits = 0u32;
    let mut split_start = 0usize;
    let mut open = false;
    for r in &records.records {
        open = true;
        if r.end - split_start >= SPLIT_BYTES {
            splits += 1;
            split_start = r.end;
            open = false;
        }
    }
    if open {
        splits += 1;
    }
    Ok(Meta {
        rows: records.records.len() as u64,
        splits,
        columns: u32::try_from(columns).unwrap_or(u32::MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "name,age,city\nann,31,Paris\nbob,25,\"Rome, IT\"\ncy,,Oslo\ndee,40,Paris\n";

    fn csv_use() -> Input {
        Input::Csv(CsvInput {
            header: HeaderInfo::Use,
            ..CsvInput::default()
        })
    }

    fn csv_out() -> Output {
        Output::Csv {
            record_delimiter: "\n".into(),
            field_delimiter: ",".into(),
            header: false,
            keep_all_columns: false,
        }
    }

    fn run_csv(sql: &str) -> String {
        let q = parse_query(sql).unwrap();
        let o = run(&q, CSV.as_bytes(), &csv_use(), &csv_out(), None).unwrap();
        assert_eq!(o.error, None);
        let bytes: Vec<u8> = o.batches.into_iter().flat_map(|(_, b)| b).collect();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn csv_queries() {
        assert_eq!(
            run_csv("select name from ossobject where age > 30"),
            "ann\ndee\n"
        );
        assert_eq!(
            run_csv("select _1, city from ossobject where city like 'R%'"),
            "bob,\"Rome, IT\"\n"
        );
        assert_eq!(
            run_csv("select name from ossobject where age is null"),
            "cy\n"
        );
        assert_eq!(
            run_csv("select count(*), sum(age), avg(age), min(age), max(name) from ossobject"),
            "4,96,32,25,dee\n"
        );
        assert_eq!(run_csv("select * from ossobject limit 1"), "ann,31,Paris\n");
        assert_eq!(
            run_csv("select name from ossobject where not (city = 'Paris' or name = 'bob')"),
            "cy\n"
        );
        // Unknown (null age) under NOT stays unknown: the row is not selected.
        assert_eq!(
            run_csv("select name from ossobject where not (city = 'Paris' or age < 30)"),
            ""
        );
    }

    #[test]
    fn unknown_column_is_a_request_error() {
        let q = parse_query("select nope from ossobject").unwrap();
        assert!(matches!(
            run(&q, CSV.as_bytes(), &csv_use(), &csv_out(), None),
            Err(SelectError::Sql(_))
        ));
    }

    #[test]
    fn bad_cast_ends_the_scan_with_a_data_error() {
        let q = parse_query("select cast(city as int) from ossobject").unwrap();
        let o = run(&q, CSV.as_bytes(), &csv_use(), &csv_out(), None).unwrap();
        assert!(o.error.unwrap().contains("Paris"));
    }

    #[test]
    fn json_lines_and_document() {
        let lines = "{\"a\":1,\"b\":{\"c\":\"x\"}}\n{\"a\":2,\"b\":{\"c\":\"y\"}}\n";
        let q = parse_query("select s.b.c from ossobject s where s.a = 2").unwrap();
        let input = Input::Json {
            lines: true,
            numbers_as_strings: false,
        };
        let out = Output::Json {
            record_delimiter: "\n".into(),
        };
        let o = run(&q, lines.as_bytes(), &input, &out, None).unwrap();
        let text: Vec<u8> = o.batches.into_iter().flat_map(|(_, b)| b).collect();
        assert_eq!(String::from_utf8(text).unwrap(), "{\"c\":\"y\"}\n");

        let doc = "{\"people\":[{\"n\":\"p\",\"k\":3},{\"n\":\"q\",\"k\":5}]}";
        let q = parse_query("select sum(k) as total from ossobject.people[*]").unwrap();
        let input = Input::Json {
            lines: false,
            numbers_as_strings: false,
        };
        let o = run(&q, doc.as_bytes(), &input, &out, None).unwrap();
        let text: Vec<u8> = o.batches.into_iter().flat_map(|(_, b)| b).collect();
        assert_eq!(String::from_utf8(text).unwrap(), "{\"total\":8}\n");
    }

    #[test]
    fn like_patterns() {
        let m = |s: &str, p: &str| {
            like(
                &s.chars().collect::<Vec<_>>(),
                &p.chars().collect::<Vec<_>>(),
            )
        };
        assert!(m("Paris", "P%"));
        assert!(m("Paris", "%ri%"));
        assert!(m("Paris", "P_r_s"));
        assert!(!m("Paris", "p%"));
        assert!(!m("Paris", "P_s"));
        assert!(m("", "%"));
        assert!(m("abcabc", "%abc"));
    }

    #[test]
    fn meta_counts_rows_columns_and_splits() {
        let m = meta(CSV.as_bytes(), &csv_use()).unwrap();
        assert_eq!(
            m,
            Meta {
                rows: 4,
                splits: 1,
                columns: 3
            }
        );
    }

    #[test]
    fn ranges() {
        assert_eq!(Range::parse("line-range=1-2"), Ok(Range::Lines(1, 2)));
        assert_eq!(
            Range::parse("split-range=0-"),
            Ok(Range::Splits(0, u64::MAX))
        );
        assert!(Range::parse("bytes=1-2").is_err());
        let q = parse_query("select name from ossobject").unwrap();
        let o = run(
            &q,
            CSV.as_bytes(),
            &csv_use(),
            &csv_out(),
            Some(Range::Lines(1, 2)),
        )
        .unwrap();
        let text: Vec<u8> = o.batches.into_iter().flat_map(|(_, b)| b).collect();
        assert_eq!(String::from_utf8(text).unwrap(), "bob\ncy\n");
    }
}
