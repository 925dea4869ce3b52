//! Walking a prefix (objects, versions, uploads) and a local folder, with the filters applied.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use futures_util::TryStreamExt as _;
use oss_client::Client;

use crate::error::{CliError, CliResult};
use crate::filter::Filter;
use crate::url::OssUrl;

/// An object found under a prefix.
#[derive(Debug, Clone)]
pub(crate) struct RemoteEntry {
    /// The full key.
    pub(crate) key: String,
    /// The key relative to the listed prefix.
    pub(crate) rel: String,
    pub(crate) size: u64,
    pub(crate) last_modified: Option<time::OffsetDateTime>,
    pub(crate) storage_class: Option<String>,
}

impl RemoteEntry {
    pub(crate) fn modified(&self) -> Option<SystemTime> {
        self.last_modified.map(SystemTime::from)
    }
}

/// The relative path of `key` under `prefix`: the part after the prefix's last `/` folder.
pub(crate) fn relative_key(prefix: &str, key: &str) -> String {
    let base = match prefix.rfind('/') {
        Some(i) => &prefix[..=i],
        None => "",
    };
    key.strip_prefix(base).unwrap_or(key).to_string()
}

/// Every object under `url`'s key (as a prefix) passing `filter`, in key order. With
/// `folder_only`, the key is taken as a folder (`dir` → `dir/`).
pub(crate) async fn list_objects(
    client: &Client,
    url: &OssUrl,
    filter: &Filter,
    folder_only: bool,
) -> CliResult<Vec<RemoteEntry>> {
    let prefix = if folder_only {
        url.dir_prefix()
    } else {
        url.key.clone()
    };
    let mut req = client.list_objects_v2().bucket(&url.bucket).max_keys(1000);
    if !prefix.is_empty() {
        req = req.prefix(&prefix);
    }
    let mut pages = req.into_paginator();
    let mut out = Vec::new();
    while let Some(page) = pages
        .try_next()
        .await
        .map_err(|e| CliError::oss(format!("listing {url}"), e))?
    {
        for o in page.contents {
            let rel = relative_key(&prefix, &o.key);
            let size = u64::try_from(o.size.unwrap_or(0)).unwrap_or(0);
            let entry = RemoteEntry {
                rel,
                size,
                last_modified: o.last_modified,
                storage_class: o.storage_class.map(|s| s.as_str().to_string()),
                key: o.key,
            };
            if filter.matches(&entry.rel, entry.size, entry.modified()) {
                out.push(entry);
            }
        }
    }
    Ok(out)
}

/// A local file found under a folder.
#[derive(Debug, Clone)]
pub(crate) struct LocalEntry {
    pub(crate) path: PathBuf,
    /// The path relative to the walked folder, `/`-separated.
    pub(crate) rel: String,
    pub(crate) size: u64,
    pub(crate) modified: Option<SystemTime>,
}

/// Every file under `root` (following no symlinked folders) passing `filter`, sorted by path.
pub(crate) fn walk_local(root: &Path, filter: &Filter) -> CliResult<Vec<LocalEntry>> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let rd = std::fs::read_dir(&dir)
            .map_err(|e| CliError::io(format!("reading {}", dir.display()), e))?;
        for item in rd {
            let item = item.map_err(|e| CliError::io(format!("reading {}", dir.display()), e))?;
            let path = item.path();
            let ft = item
                .file_type()
                .map_err(|e| CliError::io(format!("reading {}", path.display()), e))?;
            if ft.is_dir() {
                stack.push(path);
                continue;
            }
            let meta = match std::fs::metadata(&path) {
                Ok(m) if m.is_file() => m,
                Ok(_) => continue,
                Err(e) => return Err(CliError::io(format!("reading {}", path.display()), e)),
            };
            let rel = rel_path(root, &path)?;
            if filter.matches(&rel, meta.len(), meta.modified().ok()) {
                out.push(LocalEntry {
                    path,
                    rel,
                    size: meta.len(),
                    modified: meta.modified().ok(),
                });
            }
        }
    }
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(out)
}

fn rel_path(root: &Path, path: &Path) -> CliResult<String> {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut parts = Vec::new();
    for c in rel.components() {
        match c.as_os_str().to_str() {
            Some(s) => parts.push(s.to_string()),
            None => {
                return Err(CliError::usage(format!(
                    "{}: the file name is not UTF-8 and cannot be an object key",
                    path.display()
                )));
            }
        }
    }
    Ok(parts.join("/"))
}

/// A local path for a relative key under `root`, refusing keys that would leave it
/// (`..`, absolute parts) or cannot name a file (empty segments).
pub(crate) fn local_path_for(root: &Path, rel: &str) -> CliResult<PathBuf> {
    let mut path = root.to_path_buf();
    for seg in rel.split('/') {
        if seg.is_empty() || seg == "." || seg == ".." || seg.contains('\\') && cfg!(windows) {
            return Err(CliError::usage(format!(
                "the key part {rel:?} cannot be a local path safely"
            )));
        }
        path.push(seg);
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_keys() {
        assert_eq!(relative_key("dir/", "dir/a/b"), "a/b");
        assert_eq!(relative_key("dir/pre", "dir/prefix.txt"), "prefix.txt");
        assert_eq!(relative_key("", "a/b"), "a/b");
    }

    #[test]
    fn local_paths_stay_inside() {
        let root = Path::new("/tmp/x");
        assert_eq!(
            local_path_for(root, "a/b c/ü").unwrap(),
            root.join("a").join("b c").join("ü")
        );
        assert!(local_path_for(root, "../etc/passwd").is_err());
        assert!(local_path_for(root, "a//b").is_err());
        assert!(local_path_for(root, "a/").is_err());
    }
}
