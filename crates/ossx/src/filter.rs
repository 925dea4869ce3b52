//! Batch filters: `--include` / `--exclude` globs (path-aware, first match wins), sizes, ages.

use std::time::{Duration, SystemTime};

use globset::{Glob, GlobBuilder, GlobMatcher};

use crate::cli::FilterArgs;
use crate::error::{CliError, CliResult};
use crate::units::{parse_duration, parse_size};

/// One `--include` or `--exclude` pattern.
#[derive(Debug, Clone)]
struct Rule {
    include: bool,
    /// Matched against the whole relative path, or (patterns without `/`) the last component.
    matcher: GlobMatcher,
    basename_only: bool,
}

/// Decides which files or objects a batch command handles.
///
/// Patterns are tried in the order given; the first that matches decides. A path matching none
/// is included unless an `--include` was given. A pattern without `/` matches the last path
/// component at any depth (`*.txt`); one with `/` matches the path relative to the source
/// (`logs/*.gz`, `*` not crossing `/`, `**` crossing it); a trailing `/` means everything under
/// that folder.
#[derive(Debug, Clone, Default)]
pub(crate) struct Filter {
    rules: Vec<Rule>,
    any_include: bool,
    min_size: Option<u64>,
    max_size: Option<u64>,
    min_age: Option<Duration>,
    max_age: Option<Duration>,
}

impl Filter {
    /// A filter from the command's options; `ordered` is the patterns in command-line order
    /// (`true` for --include). When `None`, includes are taken before excludes.
    pub(crate) fn new(args: &FilterArgs, ordered: Option<Vec<(bool, String)>>) -> CliResult<Self> {
        let ordered = ordered.unwrap_or_else(|| {
            args.include
                .iter()
                .map(|p| (true, p.clone()))
                .chain(args.exclude.iter().map(|p| (false, p.clone())))
                .collect()
        });
        let mut rules = Vec::new();
        for (include, pattern) in ordered {
            rules.push(rule(include, &pattern)?);
        }
        let opt_size = |s: &Option<String>| s.as_deref().map(parse_size).transpose();
        let opt_age = |s: &Option<String>| s.as_deref().map(parse_duration).transpose();
        Ok(Filter {
            any_include: rules.iter().any(|r| r.include),
            rules,
            min_size: opt_size(&args.min_size)?,
            max_size: opt_size(&args.max_size)?,
            min_age: opt_age(&args.min_age)?,
            max_age: opt_age(&args.max_age)?,
        })
    }

    /// Whether the path (relative, `/`-separated) passes the patterns.
    pub(crate) fn path_matches(&self, rel: &str) -> bool {
        let base = rel.rsplit('/').next().unwrap_or(rel);
        for rule in &self.rules {
            let subject = if rule.basename_only { base } else { rel };
            if rule.matcher.is_match(subject) {
                return rule.include;
            }
        }
        !self.any_include
    }

    /// Whether an entry of this relative path, size and modification time passes.
    pub(crate) fn matches(&self, rel: &str, size: u64, modified: Option<SystemTime>) -> bool {
        if self.min_size.is_some_and(|min| size < min) || self.max_size.is_some_and(|m| size > m) {
            return false;
        }
        if self.min_age.is_some() || self.max_age.is_some() {
            let Some(modified) = modified else {
                return false;
            };
            let age = SystemTime::now()
                .duration_since(modified)
                .unwrap_or(Duration::ZERO);
            if self.min_age.is_some_and(|min| age < min) || self.max_age.is_some_and(|m| age > m) {
                return false;
            }
        }
        self.path_matches(rel)
    }
}

fn rule(include: bool, pattern: &str) -> CliResult<Rule> {
    let mut p = pattern.trim_start_matches('/').to_string();
    if p.is_empty() {
        return Err(CliError::usage(format!("empty filter pattern {pattern:?}")));
    }
    if p.ends_with('/') {
        p.push_str("**");
    }
    let basename_only = !p.contains('/');
    let glob: Glob = GlobBuilder::new(&p)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map_err(|e| CliError::usage(format!("bad filter pattern {pattern:?}: {e}")))?;
    Ok(Rule {
        include,
        matcher: glob.compile_matcher(),
        basename_only,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(rules: &[(bool, &str)]) -> Filter {
        let ordered = rules.iter().map(|(i, p)| (*i, (*p).to_string())).collect();
        Filter::new(&FilterArgs::default(), Some(ordered)).unwrap()
    }

    #[test]
    fn first_match_wins() {
        let f = filter(&[(false, "secret.txt"), (true, "*.txt")]);
        assert!(f.path_matches("a/b.txt"));
        assert!(!f.path_matches("a/secret.txt"));
        assert!(
            !f.path_matches("a/b.jpg"),
            "an include was given: others are out"
        );
        let f = filter(&[(true, "*.txt"), (false, "secret.txt")]);
        assert!(f.path_matches("a/secret.txt"), "the include matched first");
    }

    #[test]
    fn path_aware() {
        let f = filter(&[(false, "logs/*.gz")]);
        assert!(!f.path_matches("logs/a.gz"));
        assert!(f.path_matches("logs/2024/a.gz"), "`*` does not cross `/`");
        assert!(f.path_matches("x/logs/a.gz"), "anchored at the source root");
        let f = filter(&[(false, "logs/**/*.gz")]);
        assert!(!f.path_matches("logs/2024/a.gz"));
        let f = filter(&[(false, "tmp/")]);
        assert!(!f.path_matches("tmp/a/b"));
        assert!(f.path_matches("tmpx/a"));
        assert!(f.path_matches("anything"), "excludes only: default in");
    }

    #[test]
    fn sizes_and_ages() {
        let args = FilterArgs {
            min_size: Some("1K".into()),
            max_size: Some("1M".into()),
            max_age: Some("1h".into()),
            ..FilterArgs::default()
        };
        let f = Filter::new(&args, None).unwrap();
        let now = SystemTime::now();
        assert!(f.matches("a", 2048, Some(now)));
        assert!(!f.matches("a", 10, Some(now)));
        assert!(!f.matches("a", 2 << 20, Some(now)));
        assert!(!f.matches("a", 2048, Some(now - Duration::from_secs(7200))));
        assert!(!f.matches("a", 2048, None));
    }

    #[test]
    fn bad_patterns_are_usage_errors() {
        let err = Filter::new(&FilterArgs::default(), Some(vec![(true, "a[".into())])).unwrap_err();
        assert_eq!(err.exit_code() as i32, 1);
    }
}
