//! The SQL subset of SelectObject: a tokenizer and a recursive-descent parser.
//!
//! ```text
//! query      := SELECT projection FROM source [WHERE expr] [LIMIT integer] [;]
//! projection := '*' | item (',' item)*
//! item       := expr [[AS] identifier]
//! source     := OSSOBJECT path [[AS] identifier]      path := ('.' name | '[*]')*
//! expr       := and (OR and)*
//! and        := not (AND not)*
//! not        := NOT not | predicate
//! predicate  := operand [cmp operand | [NOT] LIKE string | IS [NOT] NULL]
//! cmp        := '=' | '!=' | '<>' | '<' | '<=' | '>' | '>='
//! operand    := ['-'] primary
//! primary    := literal | column | aggregate | CAST '(' expr AS type ')' | '(' expr ')'
//! aggregate  := COUNT '(' '*' ')' | (COUNT|SUM|AVG|MIN|MAX) '(' expr ')'
//! column     := name ('.' name)*                      (`_N` is the N-th CSV column)
//! ```
//!
//! Keywords are case-insensitive; strings are single-quoted (`''` is a quote); a
//! double-quoted name is an identifier.

use std::fmt;

/// A value of a record or a literal.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// An aggregate function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Agg {
    Count,
    Sum,
    Avg,
    Min,
    Max,
}

/// The target type of a `CAST`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CastType {
    Int,
    Double,
    String,
    Bool,
}

/// Where a column reference points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Column {
    /// `_N`: the N-th field (1-based) of a CSV record.
    Index(usize),
    /// A name (a CSV header name, or a path into a JSON record).
    Path(Vec<String>),
}

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    Literal(Value),
    Column(Column),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Compare(Cmp, Box<Expr>, Box<Expr>),
    Like {
        expr: Box<Expr>,
        pattern: String,
        negated: bool,
    },
    IsNull {
        expr: Box<Expr>,
        negated: bool,
    },
    Cast(Box<Expr>, CastType),
    /// An aggregate; `None` is `count(*)`.
    Aggregate(Agg, Option<Box<Expr>>),
}

impl Expr {
    /// True when the expression holds an aggregate anywhere.
    pub(crate) fn has_aggregate(&self) -> bool {
        match self {
            Expr::Aggregate(..) => true,
            Expr::Literal(_) | Expr::Column(_) => false,
            Expr::Neg(e) | Expr::Not(e) | Expr::Cast(e, _) => e.has_aggregate(),
            Expr::Like { expr, .. } | Expr::IsNull { expr, .. } => expr.has_aggregate(),
            Expr::And(a, b) | Expr::Or(a, b) | Expr::Compare(_, a, b) => {
                a.has_aggregate() || b.has_aggregate()
            }
        }
    }
}

/// One item of the select list.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SelectItem {
    pub(crate) expr: Expr,
    pub(crate) alias: Option<String>,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Query {
    /// `None` for `select *`.
    pub(crate) items: Option<Vec<SelectItem>>,
    /// The path after `ossobject` (`.a.b`, `[*]`), for JSON documents.
    pub(crate) source_path: Vec<PathStep>,
    /// The alias of `ossobject`, stripped from column paths.
    pub(crate) source_alias: Option<String>,
    pub(crate) filter: Option<Expr>,
    pub(crate) limit: Option<u64>,
}

impl Query {
    /// True when the select list is made of aggregates (one result row).
    pub(crate) fn is_aggregate(&self) -> bool {
        self.items
            .as_ref()
            .is_some_and(|items| items.iter().any(|i| i.expr.has_aggregate()))
    }
}

/// A step of the `from ossobject...` path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PathStep {
    Key(String),
    /// `[*]`: every element of an array.
    Each,
}

/// Why a statement was refused, with the position (in characters) where it went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SqlError {
    pub(crate) message: String,
    pub(crate) position: usize,
}

impl fmt::Display for SqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at character {})", self.message, self.position)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    /// A double-quoted identifier (never a keyword).
    Quoted(String),
    Str(String),
    Int(i64),
    Float(f64),
    Sym(&'static str),
}

const SYMBOLS: [&str; 15] = [
    "<=", ">=", "!=", "<>", "=", "<", ">", "(", ")", ",", "*", ".", "[", "]", "-",
];

fn tokenize(sql: &str) -> Result<Vec<(Tok, usize)>, SqlError> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let err = |message: &str, position| SqlError {
        message: message.to_owned(),
        position,
    };
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_alphabetic() || c == '_' {
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push((Tok::Ident(chars[start..i].iter().collect()), start));
        } else if c.is_ascii_digit() {
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let mut float = false;
            if i + 1 < chars.len() && chars[i] == '.' && chars[i + 1].is_ascii_digit() {
                float = true;
                i += 1;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
            }
            let text: String = chars[start..i].iter().collect();
            let tok = if float {
                Tok::Float(text.parse().map_err(|_| err("bad number", start))?)
            } else {
                Tok::Int(
                    text.parse()
                        .map_err(|_| err("number out of range", start))?,
                )
            };
            out.push((tok, start));
        } else if c == '\'' || c == '"' {
            i += 1;
            let mut s = String::new();
            loop {
                match chars.get(i) {
                    None => return Err(err("unterminated quoted text", start)),
                    Some(&q) if q == c => {
                        if chars.get(i + 1) == Some(&c) {
                            s.push(c);
                            i += 2;
                        } else {
                            i += 1;
                            break;
                        }
                    }
                    Some(&ch) => {
                        s.push(ch);
                        i += 1;
                    }
                }
            }
            out.push((
                if c == '\'' {
                    Tok::Str(s)
                } else {
                    Tok::Quoted(s)
                },
                start,
            ));
        } else if c == ';' && chars[i + 1..].iter().all(|c| c.is_whitespace()) {
            i = chars.len();
        } else {
            let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
            let Some(sym) = SYMBOLS.iter().find(|s| rest.starts_with(**s)) else {
                return Err(err(&format!("unexpected character '{c}'"), start));
            };
            i += sym.chars().count();
            out.push((Tok::Sym(sym), start));
        }
    }
    Ok(out)
}

/// Words that cannot be column names or aliases.
const RESERVED: [&str; 20] = [
    "select", "from", "where", "limit", "and", "or", "not", "like", "is", "null", "as", "true",
    "false", "cast", "group", "order", "by", "join", "having", "union",
];

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    end: usize,
}

/// Parses a statement.
pub(crate) fn parse(sql: &str) -> Result<Query, SqlError> {
    let toks = tokenize(sql)?;
    let mut p = Parser {
        toks,
        pos: 0,
        end: sql.chars().count(),
    };
    let q = p.query()?;
    if p.pos < p.toks.len() {
        return Err(p.error("unexpected text after the statement"));
    }
    Ok(q)
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(t, _)| t)
    }

    fn position(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |(_, p)| *p)
    }

    fn error(&self, message: &str) -> SqlError {
        let found = match self.peek() {
            None => "the end of the statement".to_owned(),
            Some(Tok::Ident(s) | Tok::Quoted(s)) => format!("'{s}'"),
            Some(Tok::Str(s)) => format!("'{s}'"),
            Some(Tok::Int(n)) => n.to_string(),
            Some(Tok::Float(n)) => n.to_string(),
            Some(Tok::Sym(s)) => format!("'{s}'"),
        };
        SqlError {
            message: format!("{message}, found {found}"),
            position: self.position(),
        }
    }

    fn is_keyword(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(s)) if s.eq_ignore_ascii_case(kw))
    }

    fn eat_keyword(&mut self, kw: &str) -> bool {
        let hit = self.is_keyword(kw);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn expect_keyword(&mut self, kw: &str) -> Result<(), SqlError> {
        if self.eat_keyword(kw) {
            Ok(())
        } else {
            Err(self.error(&format!("expected {}", kw.to_uppercase())))
        }
    }

    fn eat_sym(&mut self, sym: &str) -> bool {
        let hit = matches!(self.peek(), Some(Tok::Sym(s)) if *s == sym);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn expect_sym(&mut self, sym: &str) -> Result<(), SqlError> {
        if self.eat_sym(sym) {
            Ok(())
        } else {
            Err(self.error(&format!("expected '{sym}'")))
        }
    }

    /// A name: an unreserved identifier or a double-quoted one.
    fn name(&mut self) -> Option<String> {
        let name = match self.peek() {
            Some(Tok::Ident(s)) if !RESERVED.contains(&s.to_ascii_lowercase().as_str()) => {
                s.clone()
            }
            Some(Tok::Quoted(s)) => s.clone(),
            _ => return None,
        };
        self.pos += 1;
        Some(name)
    }

    fn query(&mut self) -> Result<Query, SqlError> {
        self.expect_keyword("select")?;
        let items = if self.eat_sym("*") {
            None
        } else {
            let mut items = vec![self.item()?];
            while self.eat_sym(",") {
                items.push(self.item()?);
            }
            Some(items)
        };
        self.expect_keyword("from")?;
        let (source_path, source_alias) = self.source()?;
        let filter = if self.eat_keyword("where") {
            let e = self.expr()?;
            if e.has_aggregate() {
                return Err(SqlError {
                    message: "aggregate functions are not allowed in WHERE".into(),
                    position: self.position(),
                });
            }
            Some(e)
        } else {
            None
        };
        let limit = if self.eat_keyword("limit") {
            match self.peek() {
                Some(Tok::Int(n)) if *n >= 0 => {
                    let n = u64::try_from(*n).unwrap_or(0);
                    self.pos += 1;
                    Some(n)
                }
                _ => return Err(self.error("expected a non-negative integer after LIMIT")),
            }
        } else {
            None
        };
        let query = Query {
            items,
            source_path,
            source_alias,
            filter,
            limit,
        };
        if let Some(items) = &query.items {
            let aggregates = items.iter().filter(|i| i.expr.has_aggregate()).count();
            if aggregates > 0 && aggregates < items.len() {
                return Err(SqlError {
                    message: "aggregates cannot be mixed with plain columns (there is no GROUP BY)"
                        .into(),
                    position: 0,
                });
            }
        }
        Ok(query)
    }

    fn item(&mut self) -> Result<SelectItem, SqlError> {
        let expr = self.expr()?;
        let alias = if self.eat_keyword("as") {
            Some(
                self.name()
                    .ok_or_else(|| self.error("expected an alias after AS"))?,
            )
        } else {
            self.name()
        };
        Ok(SelectItem { expr, alias })
    }

    fn source(&mut self) -> Result<(Vec<PathStep>, Option<String>), SqlError> {
        match self.peek() {
            Some(Tok::Ident(s)) if s.eq_ignore_ascii_case("ossobject") => self.pos += 1,
            _ => return Err(self.error("expected OSSOBJECT after FROM")),
        }
        let mut path = Vec::new();
        loop {
            if self.eat_sym(".") {
                let key = self
                    .name()
                    .ok_or_else(|| self.error("expected a name after '.'"))?;
                path.push(PathStep::Key(key));
            } else if self.eat_sym("[") {
                self.expect_sym("*")?;
                self.expect_sym("]")?;
                path.push(PathStep::Each);
            } else {
                break;
            }
        }
        let alias = if self.eat_keyword("as") {
            Some(
                self.name()
                    .ok_or_else(|| self.error("expected an alias after AS"))?,
            )
        } else {
            self.name()
        };
        Ok((path, alias))
    }

    fn expr(&mut self) -> Result<Expr, SqlError> {
        let mut left = self.and()?;
        while self.eat_keyword("or") {
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, SqlError> {
        let mut left = self.not()?;
        while self.eat_keyword("and") {
            let right = self.not()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, SqlError> {
        if self.eat_keyword("not") {
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        self.predicate()
    }

    fn predicate(&mut self) -> Result<Expr, SqlError> {
        let left = self.operand()?;
        let cmp = match self.peek() {
            Some(Tok::Sym("=")) => Some(Cmp::Eq),
            Some(Tok::Sym("!=" | "<>")) => Some(Cmp::Ne),
            Some(Tok::Sym("<")) => Some(Cmp::Lt),
            Some(Tok::Sym("<=")) => Some(Cmp::Le),
            Some(Tok::Sym(">")) => Some(Cmp::Gt),
            Some(Tok::Sym(">=")) => Some(Cmp::Ge),
            _ => None,
        };
        if let Some(cmp) = cmp {
            self.pos += 1;
            let right = self.operand()?;
            return Ok(Expr::Compare(cmp, Box::new(left), Box::new(right)));
        }
        if self.is_keyword("not")
            && matches!(self.toks.get(self.pos + 1), Some((Tok::Ident(s), _)) if s.eq_ignore_ascii_case("like"))
        {
            self.pos += 2;
            return self.like(left, true);
        }
        if self.eat_keyword("like") {
            return self.like(left, false);
        }
        if self.eat_keyword("is") {
            let negated = self.eat_keyword("not");
            self.expect_keyword("null")?;
            return Ok(Expr::IsNull {
                expr: Box::new(left),
                negated,
            });
        }
        Ok(left)
    }

    fn like(&mut self, left: Expr, negated: bool) -> Result<Expr, SqlError> {
        match self.peek() {
            Some(Tok::Str(s)) => {
                let pattern = s.clone();
                self.pos += 1;
                Ok(Expr::Like {
                    expr: Box::new(left),
                    pattern,
                    negated,
                })
            }
            _ => Err(self.error("expected a quoted pattern after LIKE")),
        }
    }

    fn operand(&mut self) -> Result<Expr, SqlError> {
        if self.eat_sym("-") {
            return Ok(Expr::Neg(Box::new(self.primary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, SqlError> {
        let Some(tok) = self.peek().cloned() else {
            return Err(self.error("expected an expression"));
        };
        match tok {
            Tok::Int(n) => {
                self.pos += 1;
                Ok(Expr::Literal(Value::Int(n)))
            }
            Tok::Float(n) => {
                self.pos += 1;
                Ok(Expr::Literal(Value::Float(n)))
            }
            Tok::Str(s) => {
                self.pos += 1;
                Ok(Expr::Literal(Value::Str(s)))
            }
            Tok::Sym("(") => {
                self.pos += 1;
                let e = self.expr()?;
                self.expect_sym(")")?;
                Ok(e)
            }
            Tok::Ident(word) => {
                let lower = word.to_ascii_lowercase();
                let next_is_paren = matches!(self.toks.get(self.pos + 1), Some((Tok::Sym("("), _)));
                match lower.as_str() {
                    "null" => {
                        self.pos += 1;
                        Ok(Expr::Literal(Value::Null))
                    }
                    "true" | "false" => {
                        self.pos += 1;
                        Ok(Expr::Literal(Value::Bool(lower == "true")))
                    }
                    "cast" if next_is_paren => {
                        self.pos += 2;
                        let e = self.expr()?;
                        self.expect_keyword("as")?;
                        let ty = match self.peek() {
                            Some(Tok::Ident(t)) => match t.to_ascii_lowercase().as_str() {
                                "int" | "integer" | "bigint" => CastType::Int,
                                "double" | "float" | "decimal" => CastType::Double,
                                "string" | "varchar" => CastType::String,
                                "bool" | "boolean" => CastType::Bool,
                                _ => return Err(self.error("expected a type name")),
                            },
                            _ => return Err(self.error("expected a type name")),
                        };
                        self.pos += 1;
                        self.expect_sym(")")?;
                        Ok(Expr::Cast(Box::new(e), ty))
                    }
                    "count" | "sum" | "avg" | "min" | "max" if next_is_paren => {
                        self.pos += 2;
                        let agg = match lower.as_str() {
                            "count" => Agg::Count,
                            "sum" => Agg::Sum,
                            "avg" => Agg::Avg,
                            "min" => Agg::Min,
                            _ => Agg::Max,
                        };
                        let arg = if agg == Agg::Count && self.eat_sym("*") {
                            None
                        } else {
                            let e = self.expr()?;
                            if e.has_aggregate() {
                                return Err(self.error("aggregates cannot be nested"));
                            }
                            Some(Box::new(e))
                        };
                        self.expect_sym(")")?;
                        Ok(Expr::Aggregate(agg, arg))
                    }
                    _ if next_is_paren => Err(self.error("unknown function")),
                    _ => self.column(),
                }
            }
            Tok::Quoted(_) => self.column(),
            Tok::Sym(_) => Err(self.error("expected an expression")),
        }
    }

    fn column(&mut self) -> Result<Expr, SqlError> {
        let first = self.name().ok_or_else(|| self.error("expected a column"))?;
        let mut path = vec![first];
        while self.eat_sym(".") {
            path.push(
                self.name()
                    .ok_or_else(|| self.error("expected a name after '.'"))?,
            );
        }
        if path.len() == 1
            && let Some(n) = path[0].strip_prefix('_')
            && !n.is_empty()
            && n.bytes().all(|b| b.is_ascii_digit())
        {
            return match n.parse::<usize>() {
                Ok(i) if i >= 1 => Ok(Expr::Column(Column::Index(i))),
                _ => Err(self.error("column numbers start at _1")),
            };
        }
        Ok(Expr::Column(Column::Path(path)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(name: &str) -> Box<Expr> {
        Box::new(Expr::Column(Column::Path(vec![name.to_owned()])))
    }

    fn int(n: i64) -> Box<Expr> {
        Box::new(Expr::Literal(Value::Int(n)))
    }

    #[test]
    fn select_star() {
        let q = parse("SELECT * FROM ossobject").unwrap();
        assert_eq!(q.items, None);
        assert_eq!(q.filter, None);
        assert_eq!(q.limit, None);
    }

    #[test]
    fn columns_where_and_limit() {
        let q =
            parse("select _1, name as n from ossobject where _3 >= 10 and name != 'x' limit 2;")
                .unwrap();
        let items = q.items.unwrap();
        assert_eq!(items[0].expr, Expr::Column(Column::Index(1)));
        assert_eq!(items[1].alias.as_deref(), Some("n"));
        assert_eq!(
            q.filter,
            Some(Expr::And(
                Box::new(Expr::Compare(
                    Cmp::Ge,
                    Box::new(Expr::Column(Column::Index(3))),
                    int(10)
                )),
                Box::new(Expr::Compare(
                    Cmp::Ne,
                    col("name"),
                    Box::new(Expr::Literal(Value::Str("x".into())))
                ))
            ))
        );
        assert_eq!(q.limit, Some(2));
    }

    #[test]
    fn precedence_not_and_or() {
        // a = 1 or not b = 2 and c = 3  ==  a = 1 or ((not b = 2) and c = 3)
        let q = parse("select * from ossobject where a = 1 or not b = 2 and c = 3").unwrap();
        let expected = Expr::Or(
            Box::new(Expr::Compare(Cmp::Eq, col("a"), int(1))),
            Box::new(Expr::And(
                Box::new(Expr::Not(Box::new(Expr::Compare(
                    Cmp::Eq,
                    col("b"),
                    int(2),
                )))),
                Box::new(Expr::Compare(Cmp::Eq, col("c"), int(3))),
            )),
        );
        assert_eq!(q.filter, Some(expected));
    }

    #[test]
    fn like_is_null_cast_and_aggregates() {
        let q = parse(
            "select count(*), sum(cast(_2 as int)), avg(_2), min(_2), max(_2) from ossobject \
             where _1 not like 'a%' and _3 is not null and _4 is null",
        )
        .unwrap();
        assert!(q.is_aggregate());
        let items = q.items.unwrap();
        assert_eq!(items[0].expr, Expr::Aggregate(Agg::Count, None));
        assert_eq!(
            items[1].expr,
            Expr::Aggregate(
                Agg::Sum,
                Some(Box::new(Expr::Cast(
                    Box::new(Expr::Column(Column::Index(2))),
                    CastType::Int
                )))
            )
        );
        let Some(Expr::And(left, right)) = q.filter else {
            panic!("not an AND");
        };
        assert_eq!(
            *right,
            Expr::IsNull {
                expr: Box::new(Expr::Column(Column::Index(4))),
                negated: false
            }
        );
        let Expr::And(like, not_null) = *left else {
            panic!("not an AND");
        };
        assert_eq!(
            *like,
            Expr::Like {
                expr: Box::new(Expr::Column(Column::Index(1))),
                pattern: "a%".into(),
                negated: true
            }
        );
        assert!(matches!(*not_null, Expr::IsNull { negated: true, .. }));
    }

    #[test]
    fn json_source_path_and_alias() {
        let q = parse("select s.name from ossobject.contacts[*] s where s.age > 30").unwrap();
        assert_eq!(
            q.source_path,
            vec![PathStep::Key("contacts".into()), PathStep::Each]
        );
        assert_eq!(q.source_alias.as_deref(), Some("s"));
        assert_eq!(
            q.items.unwrap()[0].expr,
            Expr::Column(Column::Path(vec!["s".into(), "name".into()]))
        );
    }

    #[test]
    fn quoted_strings_and_negative_numbers() {
        let q = parse("select * from ossobject where _1 = 'it''s' or _2 < -1.5").unwrap();
        let Some(Expr::Or(a, b)) = q.filter else {
            panic!("not an OR");
        };
        assert_eq!(
            *a,
            Expr::Compare(
                Cmp::Eq,
                Box::new(Expr::Column(Column::Index(1))),
                Box::new(Expr::Literal(Value::Str("it's".into())))
            )
        );
        assert_eq!(
            *b,
            Expr::Compare(
                Cmp::Lt,
                Box::new(Expr::Column(Column::Index(2))),
                Box::new(Expr::Neg(Box::new(Expr::Literal(Value::Float(1.5)))))
            )
        );
    }

    #[test]
    fn refuses_what_the_subset_lacks() {
        for bad in [
            "",
            "select",
            "select * from",
            "select * from table1",
            "selec * from ossobject",
            "select * from ossobject where",
            "select * from ossobject group by _1",
            "select * from ossobject order by _1",
            "select * from ossobject oss join s3object s3 on oss.a = s3.a",
            "select a || b from ossobject",
            "select * from ossobject where avg(_1) > 2",
            "select _1, count(*) from ossobject",
            "select count(count(*)) from ossobject",
            "select * from ossobject limit -1",
            "select * from ossobject where _1 like 5",
            "select * from ossobject where _0 = 1",
            "select * from ossobject where _1 = 'open",
            "select upper(_1) from ossobject",
            "select * from ossobject; select 1",
        ] {
            assert!(parse(bad).is_err(), "accepted: {bad}");
        }
    }

    #[test]
    fn error_names_the_position() {
        let e = parse("select * from ossobject where _1 = = 2").unwrap_err();
        assert_eq!(e.position, 35);
        assert!(e.message.contains("expected an expression"), "{e}");
    }
}
