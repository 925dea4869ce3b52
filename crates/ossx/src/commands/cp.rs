//! `cp`: local → OSS, OSS → local, OSS → OSS, standard input and output; one object or a tree
//! (`-r`), with skip rules, files and parts in parallel, resumable checkpoints, progress bars.
//! A failing object does not stop the others: the failures are listed and the exit code is 4.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use futures_util::StreamExt as _;
use oss_client::Client;
use oss_model::{
    CopyObjectInput, CopySource, GetObjectInput, MetadataDirective, ObjectAcl, PutObjectInput,
    StorageClass, TaggingDirective,
};
use oss_transfer::{Copier, Downloader, Uploader};
use serde_json::json;
use tokio::io::AsyncWriteExt as _;

use super::bucket::known_value;
use crate::cli::{CpArgs, TransferArgs};
use crate::context::Context;
use crate::error::{CliError, CliResult, ExitCode};
use crate::listing::{list_objects, local_path_for, walk_local};
use crate::progress::{Bars, FileProgress};
use crate::units::{human_size, parse_size};
use crate::url::{Location, OssUrl};

/// Files from this size are transferred in parts (ossutil's default).
const DEFAULT_BIGFILE_THRESHOLD: u64 = 100 * 1024 * 1024;
/// Where checkpoints go without --checkpoint-dir.
const DEFAULT_CHECKPOINT_DIR: &str = ".ossx_checkpoint";
/// Files transferred at once without `-j`.
const DEFAULT_JOBS: usize = 3;
/// CopyObject copies at most this much in one request.
const MAX_SINGLE_COPY: u64 = 5 * 1024 * 1024 * 1024;

/// One file or object to transfer.
#[derive(Debug, Clone)]
pub(crate) enum Item {
    /// A local file to an object.
    Upload {
        src: PathBuf,
        size: u64,
        modified: Option<SystemTime>,
        dest: OssUrl,
    },
    /// An object to a local file.
    Download {
        src: OssUrl,
        size: u64,
        modified: Option<SystemTime>,
        dest: PathBuf,
    },
    /// An object to another object.
    Copy {
        src: OssUrl,
        size: u64,
        modified: Option<SystemTime>,
        dest: OssUrl,
    },
}

impl Item {
    pub(crate) fn size(&self) -> u64 {
        match self {
            Item::Upload { size, .. } | Item::Download { size, .. } | Item::Copy { size, .. } => {
                *size
            }
        }
    }

    fn modified(&self) -> Option<SystemTime> {
        match self {
            Item::Upload { modified, .. }
            | Item::Download { modified, .. }
            | Item::Copy { modified, .. } => *modified,
        }
    }

    /// `source → destination`.
    pub(crate) fn describe(&self) -> String {
        match self {
            Item::Upload { src, dest, .. } => format!("{} → {dest}", src.display()),
            Item::Download { src, dest, .. } => format!("{src} → {}", dest.display()),
            Item::Copy { src, dest, .. } => format!("{src} → {dest}"),
        }
    }

    /// The name shown on the file's progress bar.
    fn name(&self) -> String {
        match self {
            Item::Upload { src, .. } => src.display().to_string(),
            Item::Download { src, .. } | Item::Copy { src, .. } => src.key.clone(),
        }
    }

    /// The destination's key in a listing of the destination (OSS destinations), or its path.
    pub(crate) fn dest_key(&self) -> String {
        match self {
            Item::Upload { dest, .. } | Item::Copy { dest, .. } => dest.key.clone(),
            Item::Download { dest, .. } => dest.display().to_string(),
        }
    }
}

/// What is known about a destination that exists.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DestInfo {
    pub(crate) size: u64,
    pub(crate) modified: Option<SystemTime>,
}

/// When an item is not copied.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SkipRules {
    pub(crate) update: bool,
    pub(crate) size_only: bool,
    pub(crate) checksum: bool,
    pub(crate) ignore_existing: bool,
    /// `sync` without a rule: skip when the sizes match and the source is not newer.
    pub(crate) sync_default: bool,
}

/// The decision before any checksum.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Copy,
    Skip,
    CompareCrc,
}

/// Seconds since the epoch: OSS keeps times to the second, so finer local times compare by it.
fn whole_seconds(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl SkipRules {
    pub(crate) fn from_args(t: &TransferArgs, sync: bool) -> Self {
        SkipRules {
            update: t.update,
            size_only: t.size_only,
            checksum: t.checksum,
            ignore_existing: t.ignore_existing,
            sync_default: sync && !(t.update || t.size_only || t.checksum || t.ignore_existing),
        }
    }

    /// Whether any rule looks at the destination.
    pub(crate) fn needs_dest(&self) -> bool {
        self.update || self.size_only || self.checksum || self.ignore_existing || self.sync_default
    }

    fn verdict(&self, size: u64, modified: Option<SystemTime>, dest: Option<DestInfo>) -> Verdict {
        let Some(dest) = dest else {
            return Verdict::Copy;
        };
        if self.ignore_existing {
            return Verdict::Skip;
        }
        let newer = match (modified, dest.modified) {
            (Some(s), Some(d)) => whole_seconds(s) > whole_seconds(d),
            _ => true,
        };
        if self.update && !newer {
            return Verdict::Skip;
        }
        if self.checksum {
            return if size == dest.size {
                Verdict::CompareCrc
            } else {
                Verdict::Copy
            };
        }
        if self.size_only {
            return if size == dest.size {
                Verdict::Skip
            } else {
                Verdict::Copy
            };
        }
        if self.sync_default && size == dest.size && !newer {
            return Verdict::Skip;
        }
        Verdict::Copy
    }
}

/// The object settings of uploads and copies.
#[derive(Debug, Clone, Default)]
pub(crate) struct ObjectSettings {
    metadata: BTreeMap<String, String>,
    content_type: Option<String>,
    acl: Option<ObjectAcl>,
    storage_class: Option<StorageClass>,
    tagging: Option<String>,
}

impl ObjectSettings {
    fn from_args(t: &TransferArgs) -> CliResult<Self> {
        let tagging = t
            .tagging
            .as_deref()
            .map(|s| super::object::parse_tagging(s).map(|_| s.to_string()))
            .transpose()?;
        Ok(ObjectSettings {
            metadata: super::key_values(&t.metadata, "--metadata")?
                .into_iter()
                .collect(),
            content_type: t.content_type.clone(),
            acl: t
                .acl
                .as_deref()
                .map(|s| known_value(s, ObjectAcl::VALUES, "--acl").map(ObjectAcl::from))
                .transpose()?,
            storage_class: t
                .storage_class
                .as_deref()
                .map(|s| {
                    known_value(s, StorageClass::VALUES, "--storage-class").map(StorageClass::from)
                })
                .transpose()?,
            tagging,
        })
    }

    /// The PutObject input of an upload to `dest`; the Content-Type is guessed from
    /// `name_for_type` unless `--content-type` was given.
    fn put_input(&self, dest: &OssUrl, name_for_type: &str) -> CliResult<PutObjectInput> {
        let mut b = PutObjectInput::builder()
            .bucket(&dest.bucket)
            .key(&dest.key)
            .content_type(
                self.content_type
                    .clone()
                    .unwrap_or_else(|| crate::mime::guess(name_for_type).to_string()),
            )
            .metadata(self.metadata.clone());
        if let Some(acl) = &self.acl {
            b = b.object_acl(acl.clone());
        }
        if let Some(sc) = &self.storage_class {
            b = b.storage_class(sc.clone());
        }
        if let Some(t) = &self.tagging {
            b = b.tagging(t);
        }
        b.build().map_err(|e| CliError::usage(e.to_string()))
    }

    fn changes_metadata(&self) -> bool {
        !self.metadata.is_empty() || self.content_type.is_some()
    }
}

/// What a batch is to do: the items, what the destination already holds (when listed), and the
/// objects that cannot be transferred at all (counted as failures).
#[derive(Debug, Default)]
pub(crate) struct Plan {
    pub(crate) items: Vec<Item>,
    pub(crate) dests: HashMap<String, DestInfo>,
    pub(crate) refused: Vec<(String, CliError)>,
}

/// Everything the per-item tasks share.
#[derive(Clone)]
pub(crate) struct Engine {
    client: Client,
    rules: SkipRules,
    settings: ObjectSettings,
    jobs: usize,
    parallel: usize,
    part_size: Option<u64>,
    threshold: u64,
    checkpoint_dir: PathBuf,
    /// Local files a download would overwrite are moved here first (`sync --backup-dir`):
    /// (the destination root, the backup root).
    backup: Option<(PathBuf, PathBuf)>,
}

/// The counts of a batch.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    pub(crate) copied: u64,
    pub(crate) skipped: u64,
    pub(crate) bytes: u64,
    pub(crate) resumed_parts: u64,
    /// What `sync --delete` deleted (`None`: not asked to).
    pub(crate) deleted: Option<u64>,
    /// (`source → destination`, the error) of every item that failed.
    pub(crate) failures: Vec<(String, String)>,
    /// The exit code of the first failure (the batch's when nothing succeeded).
    pub(crate) first_failure: Option<ExitCode>,
}

impl Stats {
    /// Records a failed item.
    pub(crate) fn fail(&mut self, what: String, error: &CliError) {
        self.failures.push((what, error.to_string()));
        self.first_failure.get_or_insert(error.exit_code());
    }
}

enum Outcome {
    Copied { resumed_parts: u64 },
    Skipped,
}

impl Engine {
    pub(crate) fn new(ctx: &Context, t: &TransferArgs, rules: SkipRules) -> CliResult<Self> {
        let part_size = t.part_size.as_deref().map(parse_size).transpose()?;
        if let Some(p) = part_size
            && !(oss_transfer::MIN_PART_SIZE..=oss_transfer::MAX_PART_SIZE).contains(&p)
        {
            return Err(CliError::usage(format!(
                "--part-size {p}: must be between {} and {}",
                human_size(oss_transfer::MIN_PART_SIZE),
                human_size(oss_transfer::MAX_PART_SIZE)
            )));
        }
        let threshold = t
            .bigfile_threshold
            .as_deref()
            .map(parse_size)
            .transpose()?
            .unwrap_or(DEFAULT_BIGFILE_THRESHOLD);
        let jobs = t.job.unwrap_or(DEFAULT_JOBS);
        let parallel = t.parallel.unwrap_or(oss_transfer::DEFAULT_PARALLELISM);
        if jobs == 0 || parallel == 0 {
            return Err(CliError::usage("--job and --parallel must be at least 1"));
        }
        Ok(Engine {
            client: ctx.client()?,
            rules,
            settings: ObjectSettings::from_args(t)?,
            jobs,
            parallel,
            part_size,
            threshold,
            checkpoint_dir: t
                .checkpoint_dir
                .clone()
                .unwrap_or_else(|| PathBuf::from(DEFAULT_CHECKPOINT_DIR)),
            backup: None,
        })
    }

    /// Moves local files about to be overwritten from under `root` to the same place under
    /// `backup`.
    pub(crate) fn with_backup(mut self, root: PathBuf, backup: PathBuf) -> Self {
        self.backup = Some((root, backup));
        self
    }

    /// The checkpoint folder.
    pub(crate) fn checkpoint_dir(&self) -> &Path {
        &self.checkpoint_dir
    }

    /// The skip rules.
    pub(crate) fn rules(&self) -> SkipRules {
        self.rules
    }

    /// The part (or range) size for a file of `size` bytes: one request below the threshold.
    fn part_size_for(&self, size: u64) -> u64 {
        if size < self.threshold {
            size.saturating_add(1)
                .clamp(oss_transfer::MIN_PART_SIZE, oss_transfer::MAX_PART_SIZE)
        } else {
            self.part_size.unwrap_or(oss_transfer::DEFAULT_PART_SIZE)
        }
    }

    /// Runs every item, `jobs` at a time. A failing item is reported (above the bars) and
    /// counted; the others go on.
    pub(crate) async fn run_batch(&self, ctx: &Context, plan: Plan) -> Stats {
        let Plan {
            items,
            dests,
            refused,
        } = plan;
        let total_bytes: u64 = items.iter().map(Item::size).sum();
        let bars = Bars::new(ctx.out.shows_progress(), items.len() as u64, total_bytes);
        let mut stats = Stats::default();
        for (what, e) in refused {
            bars.warn(&ctx.out, &format!("{what}: {e}"));
            stats.fail(what, &e);
        }
        let dests = &dests;
        let bars_ref = &bars;
        let results = futures_util::stream::iter(items.into_iter().map(|item| async move {
            let progress = bars_ref.file(&item.name(), item.size());
            let listed = dests.get(&item.dest_key()).copied();
            let result = self.run_item(&item, listed, &progress).await;
            match &result {
                Ok(Outcome::Copied { .. }) => progress.done(),
                Ok(Outcome::Skipped) | Err(_) => progress.dropped(),
            }
            (item, result)
        }))
        .buffer_unordered(self.jobs);
        futures_util::pin_mut!(results);
        while let Some((item, result)) = results.next().await {
            match result {
                Ok(Outcome::Copied { resumed_parts }) => {
                    stats.copied += 1;
                    stats.bytes += item.size();
                    stats.resumed_parts += resumed_parts;
                    ctx.out.json_record(|| {
                        json!({"copied": item.describe(), "size": item.size(), "resumed_parts": resumed_parts})
                    });
                }
                Ok(Outcome::Skipped) => {
                    stats.skipped += 1;
                    ctx.out.json_record(|| json!({"skipped": item.describe()}));
                }
                Err(e) => {
                    bars.warn(&ctx.out, &format!("{}: {e}", item.describe()));
                    stats.fail(item.describe(), &e);
                }
            }
        }
        bars.finish();
        stats
    }

    async fn dest_info(
        &self,
        item: &Item,
        listed: Option<DestInfo>,
    ) -> CliResult<Option<DestInfo>> {
        if listed.is_some() {
            return Ok(listed);
        }
        match item {
            Item::Download { dest, .. } => match tokio::fs::metadata(dest).await {
                Ok(m) if m.is_file() => Ok(Some(DestInfo {
                    size: m.len(),
                    modified: m.modified().ok(),
                })),
                Ok(_) => Ok(None),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(CliError::io(format!("reading {}", dest.display()), e)),
            },
            Item::Upload { dest, .. } | Item::Copy { dest, .. } => {
                match self
                    .client
                    .head_object()
                    .bucket(&dest.bucket)
                    .key(&dest.key)
                    .send()
                    .await
                {
                    Ok(h) => Ok(Some(DestInfo {
                        size: u64::try_from(h.content_length.unwrap_or(0)).unwrap_or(0),
                        modified: h.last_modified.map(Into::into),
                    })),
                    Err(e) if e.is_not_found() && e.code() != Some("NoSuchBucket") => Ok(None),
                    Err(e) => Err(CliError::oss(format!("stat {dest}"), e)),
                }
            }
        }
    }

    async fn object_crc(&self, url: &OssUrl) -> CliResult<Option<u64>> {
        let h = self
            .client
            .head_object()
            .bucket(&url.bucket)
            .key(&url.key)
            .send()
            .await
            .map_err(|e| CliError::oss(format!("stat {url}"), e))?;
        Ok(h.hash_crc64ecma.and_then(|v| v.parse().ok()))
    }

    /// Whether source and destination have the same CRC-64 (objects without one never do).
    async fn same_crc(&self, item: &Item) -> CliResult<bool> {
        let (a, b) = match item {
            Item::Upload { src, dest, .. } => (
                Some(super::hash::file_crc64(src).await?.0),
                self.object_crc(dest).await?,
            ),
            Item::Download { src, dest, .. } => (
                self.object_crc(src).await?,
                Some(super::hash::file_crc64(dest).await?.0),
            ),
            Item::Copy { src, dest, .. } => {
                (self.object_crc(src).await?, self.object_crc(dest).await?)
            }
        };
        Ok(a.is_some() && a == b)
    }

    /// Whether the item is to be copied by the skip rules (the destination looked up when it
    /// was not listed).
    pub(crate) async fn would_copy(
        &self,
        item: &Item,
        listed: Option<DestInfo>,
    ) -> CliResult<bool> {
        if !self.rules.needs_dest() {
            return Ok(true);
        }
        let dest = self.dest_info(item, listed).await?;
        Ok(
            match self.rules.verdict(item.size(), item.modified(), dest) {
                Verdict::Skip => false,
                Verdict::CompareCrc => !self.same_crc(item).await?,
                Verdict::Copy => true,
            },
        )
    }

    async fn run_item(
        &self,
        item: &Item,
        listed: Option<DestInfo>,
        progress: &FileProgress,
    ) -> CliResult<Outcome> {
        if !self.would_copy(item, listed).await? {
            return Ok(Outcome::Skipped);
        }
        match item {
            Item::Upload {
                src, size, dest, ..
            } => self.upload(src, *size, dest, progress).await,
            Item::Download {
                src,
                size,
                modified,
                dest,
            } => self.download(src, *size, *modified, dest, progress).await,
            Item::Copy { src, dest, .. } => self.copy(src, dest, progress).await,
        }
    }

    async fn upload(
        &self,
        src: &Path,
        size: u64,
        dest: &OssUrl,
        progress: &FileProgress,
    ) -> CliResult<Outcome> {
        let name = src
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let input = self.settings.put_input(dest, &name)?;
        let out = Uploader::new(self.client.clone())
            .part_size(self.part_size_for(size))
            .parallelism(self.parallel)
            .checkpoint_dir(&self.checkpoint_dir)
            .progress(progress.callback())
            .upload_file(input, src)
            .await
            .map_err(|e| CliError::transfer(format!("uploading {}", src.display()), e))?;
        Ok(Outcome::Copied {
            resumed_parts: u64::from(out.resumed_parts),
        })
    }

    async fn download(
        &self,
        src: &OssUrl,
        size: u64,
        modified: Option<SystemTime>,
        dest: &Path,
        progress: &FileProgress,
    ) -> CliResult<Outcome> {
        if let Some(parent) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(|e| CliError::io(format!("creating {}", parent.display()), e))?;
        }
        if let Some((root, backup)) = &self.backup
            && dest.is_file()
        {
            backup_file(root, backup, dest)?;
        }
        let input = GetObjectInput::builder()
            .bucket(&src.bucket)
            .key(&src.key)
            .build()
            .map_err(|e| CliError::usage(e.to_string()))?;
        let out = Downloader::new(self.client.clone())
            .range_size(self.part_size_for(size))
            .parallelism(self.parallel)
            .checkpoint_dir(&self.checkpoint_dir)
            .progress(progress.callback())
            .download_file(input, dest)
            .await
            .map_err(|e| CliError::transfer(format!("downloading {src}"), e))?;
        // The object's time, so that `-u` and `sync` see the file as up to date.
        if let Some(t) = modified {
            std::fs::File::options()
                .write(true)
                .open(dest)
                .and_then(|f| f.set_modified(t))
                .map_err(|e| CliError::io(format!("setting the time of {}", dest.display()), e))?;
        }
        Ok(Outcome::Copied {
            resumed_parts: out.resumed_ranges,
        })
    }

    async fn copy(
        &self,
        src: &OssUrl,
        dest: &OssUrl,
        progress: &FileProgress,
    ) -> CliResult<Outcome> {
        let s = &self.settings;
        let mut b = CopyObjectInput::builder()
            .bucket(&dest.bucket)
            .key(&dest.key)
            .copy_source(CopySource::new(&src.bucket, &src.key));
        if s.changes_metadata() {
            b = b
                .metadata_directive(MetadataDirective::Replace)
                .metadata(s.metadata.clone());
            if let Some(ct) = &s.content_type {
                b = b.content_type(ct);
            }
        }
        if let Some(acl) = &s.acl {
            b = b.object_acl(acl.clone());
        }
        if let Some(sc) = &s.storage_class {
            b = b.storage_class(sc.clone());
        }
        if let Some(t) = &s.tagging {
            b = b.tagging(t).tagging_directive(TaggingDirective::Replace);
        }
        let input = b.build().map_err(|e| CliError::usage(e.to_string()))?;
        let mut copier = Copier::new(self.client.clone())
            .threshold(self.threshold.clamp(1, MAX_SINGLE_COPY))
            .parallelism(self.parallel)
            .checkpoint_dir(&self.checkpoint_dir)
            .progress(progress.callback());
        if let Some(p) = self.part_size {
            copier = copier.part_size(p);
        }
        let out = copier
            .copy(input)
            .await
            .map_err(|e| CliError::transfer(format!("copying {src}"), e))?;
        Ok(Outcome::Copied {
            resumed_parts: u64::from(out.resumed_parts),
        })
    }
}

/// Moves `path` (under `root`) to the same relative place under `backup`.
pub(crate) fn backup_file(root: &Path, backup: &Path, path: &Path) -> CliResult {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let target = backup.join(rel);
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| CliError::io(format!("creating {}", parent.display()), e))?;
    }
    std::fs::rename(path, &target)
        .or_else(|_| std::fs::copy(path, &target).and_then(|_| std::fs::remove_file(path)))
        .map_err(|e| {
            CliError::io(
                format!("moving {} to {}", path.display(), target.display()),
                e,
            )
        })
}

/// The last `/`-separated component of a key.
fn base_name(key: &str) -> &str {
    key.trim_end_matches('/').rsplit('/').next().unwrap_or(key)
}

/// The plan of a recursive copy of `src` to `dest`. What an OSS destination already holds is
/// listed when a skip rule needs it (`with_dests`).
pub(crate) async fn plan_tree(
    ctx: &Context,
    src: &Location,
    dest: &Location,
    filter: &crate::filter::Filter,
    with_dests: bool,
) -> CliResult<Plan> {
    let client = ctx.client()?;
    let mut plan = Plan::default();
    match (src, dest) {
        (Location::Local(dir), Location::Oss(to)) => {
            if !dir.is_dir() {
                return Err(CliError::usage(format!("{}: not a folder", dir.display())));
            }
            let prefix = to.dir_prefix();
            plan.items = walk_local(dir, filter)?
                .into_iter()
                .map(|e| Item::Upload {
                    dest: to.with_key(format!("{prefix}{}", e.rel)),
                    src: e.path,
                    size: e.size,
                    modified: e.modified,
                })
                .collect();
            if with_dests {
                plan.dests = listed_dests(&client, &to.with_key(prefix)).await?;
            }
        }
        (Location::Oss(from), Location::Local(dir)) => {
            if dir.is_file() {
                return Err(CliError::usage(format!(
                    "{}: a file, not a folder",
                    dir.display()
                )));
            }
            for e in list_objects(&client, from, filter, false).await? {
                let src = from.with_key(e.key.clone());
                if e.key.ends_with('/') {
                    // A folder marker: made as a folder (files landing in it make it anyway).
                    if !e.rel.trim_end_matches('/').is_empty()
                        && let Ok(p) = local_path_for(dir, e.rel.trim_end_matches('/'))
                    {
                        let _ = std::fs::create_dir_all(p);
                    }
                    continue;
                }
                match local_path_for(dir, &e.rel) {
                    Ok(dest) => plan.items.push(Item::Download {
                        dest,
                        size: e.size,
                        modified: e.modified(),
                        src,
                    }),
                    Err(err) => plan.refused.push((src.to_string(), err)),
                }
            }
        }
        (Location::Oss(from), Location::Oss(to)) => {
            let prefix = to.dir_prefix();
            plan.items = list_objects(&client, from, filter, false)
                .await?
                .into_iter()
                .map(|e| Item::Copy {
                    dest: to.with_key(format!("{prefix}{}", e.rel)),
                    size: e.size,
                    modified: e.modified(),
                    src: from.with_key(e.key),
                })
                .collect();
            if with_dests {
                plan.dests = listed_dests(&client, &to.with_key(prefix)).await?;
            }
        }
        (Location::Local(_), Location::Local(_)) => {
            return Err(CliError::usage(
                "one side must be oss://: use your system's copy for local files",
            ));
        }
        (Location::Stdio, _) | (_, Location::Stdio) => {
            return Err(CliError::usage(
                "-r cannot read or write standard input/output",
            ));
        }
    }
    Ok(plan)
}

/// What a destination prefix holds, by key.
async fn listed_dests(client: &Client, prefix: &OssUrl) -> CliResult<HashMap<String, DestInfo>> {
    let all = crate::filter::Filter::default();
    Ok(list_objects(client, prefix, &all, false)
        .await?
        .into_iter()
        .map(|e| {
            let info = DestInfo {
                size: e.size,
                modified: e.modified(),
            };
            (e.key, info)
        })
        .collect())
}

/// The size and time of an object.
async fn head(ctx: &Context, url: &OssUrl) -> CliResult<(u64, Option<SystemTime>)> {
    let h = ctx
        .client()?
        .head_object()
        .bucket(&url.bucket)
        .key(&url.key)
        .send()
        .await
        .map_err(|e| CliError::oss(format!("stat {url}"), e))?;
    Ok((
        u64::try_from(h.content_length.unwrap_or(0)).unwrap_or(0),
        h.last_modified.map(Into::into),
    ))
}

/// The item of a single-object copy.
async fn plan_single(ctx: &Context, src: &Location, dest: &Location) -> CliResult<Item> {
    match (src, dest) {
        (Location::Local(path), Location::Oss(to)) => {
            let meta = std::fs::metadata(path)
                .map_err(|e| CliError::io(format!("reading {}", path.display()), e))?;
            if meta.is_dir() {
                return Err(CliError::usage(format!(
                    "{} is a folder: pass -r",
                    path.display()
                )));
            }
            let key = if to.key.is_empty() || to.key.ends_with('/') {
                let name = path.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
                    CliError::usage(format!("{}: the file name is not UTF-8", path.display()))
                })?;
                format!("{}{name}", to.key)
            } else {
                to.key.clone()
            };
            Ok(Item::Upload {
                src: path.clone(),
                size: meta.len(),
                modified: meta.modified().ok(),
                dest: to.with_key(key),
            })
        }
        (Location::Oss(from), Location::Local(path)) => {
            if from.key.is_empty() || from.key.ends_with('/') {
                return Err(CliError::usage(format!(
                    "{from} names no object: pass -r for a prefix"
                )));
            }
            let (size, modified) = head(ctx, from).await?;
            let dest = if path.is_dir() || path.to_string_lossy().ends_with('/') {
                path.join(base_name(&from.key))
            } else {
                path.clone()
            };
            Ok(Item::Download {
                src: from.clone(),
                size,
                modified,
                dest,
            })
        }
        (Location::Oss(from), Location::Oss(to)) => {
            if from.key.is_empty() || from.key.ends_with('/') {
                return Err(CliError::usage(format!(
                    "{from} names no object: pass -r for a prefix"
                )));
            }
            let (size, modified) = head(ctx, from).await?;
            let key = if to.key.is_empty() || to.key.ends_with('/') {
                format!("{}{}", to.key, base_name(&from.key))
            } else {
                to.key.clone()
            };
            Ok(Item::Copy {
                src: from.clone(),
                size,
                modified,
                dest: to.with_key(key),
            })
        }
        (Location::Local(_), Location::Local(_)) => Err(CliError::usage(
            "one side must be oss://: use your system's copy for local files",
        )),
        _ => Err(CliError::usage(
            "standard input/output goes with an oss:// object",
        )),
    }
}

/// Prints the summary line (or JSON document) of a batch; failures make exit code 4.
pub(crate) fn finish_batch(
    ctx: &Context,
    verb: &str,
    stats: &Stats,
    started: Instant,
    extra: serde_json::Value,
) -> CliResult {
    let secs = started.elapsed().as_secs_f64().max(1e-6);
    let mbps = stats.bytes as f64 / secs / 1e6;
    let files_per_sec = stats.copied as f64 / secs;
    let failed = stats.failures.len();
    let mut line = format!(
        "{verb} {} file(s) ({}), skipped {}, {}failed {failed} in {secs:.2}s: {mbps:.1} MB/s, {files_per_sec:.1} files/s",
        stats.copied,
        human_size(stats.bytes),
        stats.skipped,
        stats
            .deleted
            .map(|n| format!("deleted {n}, "))
            .unwrap_or_default(),
    );
    if stats.resumed_parts > 0 {
        line.push_str(&format!(
            "; resumed {} part(s) from checkpoints",
            stats.resumed_parts
        ));
    }
    ctx.out.summary(&line);
    if failed > 0 && !ctx.out.is_json() {
        ctx.out.warn(&format!("{failed} failed:"));
        for (what, error) in &stats.failures {
            ctx.out.warn(&format!("  {what}: {error}"));
        }
    }
    let mut doc = json!({
        "copied": stats.copied, "skipped": stats.skipped, "failed": failed,
        "bytes": stats.bytes, "seconds": secs, "resumed_parts": stats.resumed_parts,
        "deleted": stats.deleted,
        "failures": stats.failures.iter().map(|(w, e)| json!({"item": w, "error": e})).collect::<Vec<_>>(),
    });
    if let (Some(map), serde_json::Value::Object(more)) = (doc.as_object_mut(), extra) {
        map.extend(more);
    }
    ctx.out.finish_json(Some(doc));
    super::BatchTally {
        done: (stats.copied + stats.skipped + stats.deleted.unwrap_or(0)) as usize,
        failed,
        first_failure: stats.first_failure,
    }
    .result()
}

pub(crate) async fn run(ctx: &Context, args: CpArgs) -> CliResult {
    let src = Location::parse(&args.source)?;
    let dest = Location::parse(&args.dest)?;
    let started = Instant::now();
    match (&src, &dest) {
        (Location::Stdio, Location::Oss(to)) => {
            return from_stdin(ctx, &args.transfer, to).await;
        }
        (Location::Oss(from), Location::Stdio) => return to_stdout(ctx, from).await,
        (Location::Stdio, _) | (_, Location::Stdio) => {
            return Err(CliError::usage(
                "standard input/output goes with an oss:// object",
            ));
        }
        _ => {}
    }
    let engine = Engine::new(
        ctx,
        &args.transfer,
        SkipRules::from_args(&args.transfer, false),
    )?;
    let plan = if args.recursive {
        let filter = ctx.filter(&args.transfer.filters)?;
        plan_tree(ctx, &src, &dest, &filter, engine.rules().needs_dest()).await?
    } else {
        Plan {
            items: vec![plan_single(ctx, &src, &dest).await?],
            ..Plan::default()
        }
    };
    let stats = engine.run_batch(ctx, plan).await;
    cleanup_checkpoint_dir(engine.checkpoint_dir());
    finish_batch(ctx, "copied", &stats, started, json!({}))
}

/// Removes the checkpoint folder when nothing is left in it.
pub(crate) fn cleanup_checkpoint_dir(dir: &Path) {
    let _ = std::fs::remove_dir(dir);
}

async fn from_stdin(ctx: &Context, t: &TransferArgs, to: &OssUrl) -> CliResult {
    if to.key.is_empty() || to.key.ends_with('/') {
        return Err(CliError::usage(format!(
            "{to}: name the object to write standard input to"
        )));
    }
    let engine = Engine::new(ctx, t, SkipRules::default())?;
    let started = Instant::now();
    let input = engine.settings.put_input(to, &to.key)?;
    let out = Uploader::new(engine.client.clone())
        .part_size(engine.part_size.unwrap_or(oss_transfer::DEFAULT_PART_SIZE))
        .parallelism(engine.parallel)
        .upload_reader(input, tokio::io::stdin(), None)
        .await
        .map_err(|e| CliError::transfer(format!("uploading standard input to {to}"), e))?;
    let stats = Stats {
        copied: 1,
        bytes: out.size,
        ..Stats::default()
    };
    finish_batch(ctx, "copied", &stats, started, json!({}))
}

async fn to_stdout(ctx: &Context, from: &OssUrl) -> CliResult {
    if from.key.is_empty() || from.key.ends_with('/') {
        return Err(CliError::usage(format!("{from} names no object")));
    }
    let (_, body) = ctx
        .client()?
        .get_object()
        .bucket(&from.bucket)
        .key(&from.key)
        .send()
        .await
        .map_err(|e| CliError::oss(format!("reading {from}"), e))?;
    let mut out = tokio::io::stdout();
    let mut body = std::pin::pin!(body);
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| CliError::oss(format!("reading {from}"), e))?;
        match out.write_all(&chunk).await {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
            Err(e) => return Err(CliError::io("writing standard output", e)),
        }
    }
    out.flush()
        .await
        .map_err(|e| CliError::io("writing standard output", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn info(size: u64, modified: SystemTime) -> Option<DestInfo> {
        Some(DestInfo {
            size,
            modified: Some(modified),
        })
    }

    #[test]
    fn skip_rules() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let old = now - Duration::from_secs(60);
        let v = |r: SkipRules, size, m, d| r.verdict(size, Some(m), d) == Verdict::Skip;
        let none = SkipRules::default();
        assert!(!v(none, 1, now, info(1, now)), "cp overwrites by default");
        let ie = SkipRules {
            ignore_existing: true,
            ..none
        };
        assert!(v(ie, 1, now, info(2, old)));
        assert!(!v(ie, 1, now, None));
        let u = SkipRules {
            update: true,
            ..none
        };
        assert!(v(u, 1, old, info(1, now)), "destination newer");
        assert!(!v(u, 1, now, info(1, old)));
        assert!(
            v(u, 1, now + Duration::from_millis(700), info(1, now)),
            "OSS keeps whole seconds: the same second is not newer"
        );
        let so = SkipRules {
            size_only: true,
            ..none
        };
        assert!(v(so, 5, now, info(5, old)));
        assert!(!v(so, 5, now, info(6, old)));
        let ck = SkipRules {
            checksum: true,
            ..none
        };
        assert_eq!(ck.verdict(5, Some(now), info(5, old)), Verdict::CompareCrc);
        assert_eq!(ck.verdict(5, Some(now), info(4, old)), Verdict::Copy);
        let sync = SkipRules {
            sync_default: true,
            ..none
        };
        assert!(v(sync, 5, old, info(5, now)));
        assert!(!v(sync, 5, now, info(5, old)), "source changed since");
        assert!(!v(sync, 5, old, info(6, now)));
    }

    #[test]
    fn names() {
        assert_eq!(base_name("a/b/c.txt"), "c.txt");
        assert_eq!(base_name("a/b/"), "b");
        assert_eq!(base_name("c"), "c");
    }
}
