//! A small INI reader for `~/.ossutilconfig`: `[section]` headers, `key = value` lines, `#` and
//! `;` comments.

use std::collections::BTreeMap;

/// The sections of an INI file: section name → (normalized key → value).
pub(crate) type Sections = BTreeMap<String, BTreeMap<String, String>>;

/// Normalizes a key so `accessKeyId`, `access-key-id` and `access_key_id` are the same.
pub(crate) fn normalize_key(key: &str) -> String {
    key.chars()
        .filter(|c| *c != '-' && *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Parses INI text. Lines outside any section and lines without `=` are errors.
pub(crate) fn parse(text: &str) -> Result<Sections, String> {
    let mut sections = Sections::new();
    let mut current: Option<String> = None;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[') {
            let name = name
                .strip_suffix(']')
                .ok_or_else(|| format!("line {}: unclosed section header", n + 1))?;
            let name = name.trim().to_string();
            sections.entry(name.clone()).or_default();
            current = Some(name);
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| format!("line {}: expected key = value", n + 1))?;
        let section = current
            .as_ref()
            .ok_or_else(|| format!("line {}: key outside any [section]", n + 1))?;
        sections
            .entry(section.clone())
            .or_default()
            .insert(normalize_key(key.trim()), value.trim().to_string());
    }
    Ok(sections)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sections_and_normalizes_keys() {
        let s = parse("# c\n[default]\naccessKeyId = ak\naccess-key-secret=sk\n\n[profile dev]\n; x\nregion = cn-beijing\n").unwrap();
        assert_eq!(s["default"]["accesskeyid"], "ak");
        assert_eq!(s["default"]["accesskeysecret"], "sk");
        assert_eq!(s["profile dev"]["region"], "cn-beijing");
        assert!(parse("k = v").is_err());
        assert!(parse("[x\n").is_err());
        assert!(parse("[x]\njunk").is_err());
    }
}
