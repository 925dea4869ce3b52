//! The command line: global options, filters and the commands, with ossutil 2.0's names.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// ossx: a fast, open command-line tool for Alibaba Cloud OSS (ossutil 2.0's commands and flags).
#[derive(Debug, Parser)]
#[command(name = "ossx", version, about, propagate_version = true)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub(crate) enum OutputFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON document on standard output.
    Json,
}

/// Options every command takes.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct GlobalArgs {
    /// The configuration file (default: $OSSUTIL_CONFIG_FILE or ~/.ossutilconfig).
    #[arg(short = 'c', long, global = true, value_name = "FILE")]
    pub(crate) config_file: Option<PathBuf>,
    /// The profile of the configuration file to use (default: $OSSUTIL_PROFILE or `default`).
    #[arg(long, global = true)]
    pub(crate) profile: Option<String>,
    /// The AccessKey ID (prefer OSS_ACCESS_KEY_ID: command lines are visible to other users).
    #[arg(short = 'i', long, global = true)]
    pub(crate) access_key_id: Option<String>,
    /// The AccessKey secret (prefer OSS_ACCESS_KEY_SECRET).
    #[arg(short = 'k', long, global = true, hide_env_values = true)]
    pub(crate) access_key_secret: Option<String>,
    /// An STS security token (prefer OSS_SESSION_TOKEN).
    #[arg(short = 't', long, global = true)]
    pub(crate) sts_token: Option<String>,
    /// The region (`cn-hangzhou`); also $OSS_REGION.
    #[arg(long, global = true)]
    pub(crate) region: Option<String>,
    /// The endpoint (`oss-cn-hangzhou.aliyuncs.com`, `http://127.0.0.1:9000`); also $OSS_ENDPOINT.
    #[arg(short = 'e', long, global = true)]
    pub(crate) endpoint: Option<String>,
    /// How buckets are addressed: virtual (default), path or cname.
    #[arg(long, global = true, value_name = "STYLE")]
    pub(crate) addressing_style: Option<String>,
    /// The signature version: v4 (default) or v1.
    #[arg(long, global = true, value_name = "VERSION")]
    pub(crate) sign_version: Option<String>,
    /// Seconds a connection may take to establish (default 10).
    #[arg(long, global = true, value_name = "SECONDS")]
    pub(crate) connect_timeout: Option<u64>,
    /// Seconds to wait for a response or for more of it (default 20).
    #[arg(long, global = true, value_name = "SECONDS")]
    pub(crate) read_timeout: Option<u64>,
    /// How many times a failed request is retried (default 2, i.e. 3 attempts).
    #[arg(long, global = true, value_name = "N")]
    pub(crate) retry_times: Option<u32>,
    /// Send requests through this proxy: HTTP(S) (`http://[user:password@]host:port`), SOCKS5
    /// (`socks5://[user:password@]host[:port]`, names resolved here; `socks5h://`, names resolved
    /// by the proxy; port 1080 by default), or `env` for the environment's HTTPS_PROXY /
    /// HTTP_PROXY / ALL_PROXY (NO_PROXY is honoured).
    #[arg(long, global = true, value_name = "URL")]
    pub(crate) proxy: Option<String>,
    /// text (default) or json.
    #[arg(long, global = true, value_enum)]
    pub(crate) output_format: Option<OutputFormat>,
    /// No progress bars and no summary lines.
    #[arg(short = 'q', long, global = true)]
    pub(crate) quiet: bool,
}

/// `--include` / `--exclude` and the size and age filters of batch commands.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct FilterArgs {
    /// Only paths matching this glob (`*` stays within a folder, `**` crosses folders); with
    /// --exclude, the first pattern that matches decides.
    #[arg(long, value_name = "GLOB")]
    pub(crate) include: Vec<String>,
    /// Skip paths matching this glob (see --include).
    #[arg(long, value_name = "GLOB")]
    pub(crate) exclude: Vec<String>,
    /// Only files or objects at least this large (`10K`, `5MiB`, `1G`).
    #[arg(long, value_name = "SIZE")]
    pub(crate) min_size: Option<String>,
    /// Only files or objects at most this large.
    #[arg(long, value_name = "SIZE")]
    pub(crate) max_size: Option<String>,
    /// Only files or objects modified at least this long ago (`30s`, `15m`, `2h`, `7d`).
    #[arg(long, value_name = "DURATION")]
    pub(crate) min_age: Option<String>,
    /// Only files or objects modified at most this long ago.
    #[arg(long, value_name = "DURATION")]
    pub(crate) max_age: Option<String>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// List buckets, objects (`oss://bucket[/prefix]`) or multipart uploads (`-m`).
    Ls(LsArgs),
    /// Show a bucket's or an object's properties.
    Stat(StatArgs),
    /// Make a bucket.
    Mb(MbArgs),
    /// Remove a bucket.
    Rb(RbArgs),
    /// Remove objects, versions or multipart uploads.
    Rm(RmArgs),
    /// Storage used under a bucket or prefix, by storage class.
    Du(DuArgs),
    /// Print an object (or a byte range of it) to standard output.
    Cat(CatArgs),
    /// Append a local file (or standard input) to an appendable object.
    Append(AppendArgs),
    /// Make a directory object (`oss://bucket/dir/`).
    Mkdir(MkdirArgs),
    /// Print a presigned URL for an object.
    Presign(PresignArgs),
    /// Restore archived objects.
    Restore(RestoreArgs),
    /// Set objects' metadata, tags, ACL or storage class.
    SetProps(SetPropsArgs),
    /// CRC-64 or MD5 of a local file or an object.
    Hash(HashArgs),
    /// Call any OSS operation with its input as JSON; print its output as JSON.
    Api(ApiArgs),
    /// Copy files and objects: local → OSS, OSS → local, OSS → OSS, `-` for standard input/output.
    Cp(CpArgs),
    /// Make a destination like a source: copy what is missing or differs (`--delete` what the
    /// source does not have).
    Sync(SyncArgs),
    /// Compare a local folder with a prefix by size and CRC-64; list what differs (exit 4).
    Check(CheckArgs),
}

/// `ls`.
#[derive(Debug, Args)]
pub(crate) struct LsArgs {
    /// `oss://bucket[/prefix]`; none lists the buckets.
    pub(crate) url: Option<String>,
    /// List every object under the prefix (the default; kept for ossutil 1.x users).
    #[arg(short = 'r', long)]
    pub(crate) recursive: bool,
    /// Only the current folder level: objects and sub-folders (`dir/`) (ossutil 2.0's
    /// `-d, --dirs`).
    #[arg(short = 'd', long = "dirs")]
    pub(crate) directories: bool,
    /// List incomplete multipart uploads (with `-r`... any prefix) instead of objects.
    #[arg(short = 'm', long)]
    pub(crate) multipart: bool,
    /// List every version of every object.
    #[arg(long)]
    pub(crate) all_versions: bool,
    /// Names only.
    #[arg(short = 's', long)]
    pub(crate) short_format: bool,
    /// At most this many entries.
    #[arg(long, value_name = "N")]
    pub(crate) limited_num: Option<u64>,
    /// Sizes as 1.5 MiB instead of bytes.
    #[arg(long)]
    pub(crate) human_readable: bool,
    #[command(flatten)]
    pub(crate) filters: FilterArgs,
}

/// `stat`.
#[derive(Debug, Args)]
pub(crate) struct StatArgs {
    /// `oss://bucket` or `oss://bucket/key`.
    pub(crate) url: String,
    /// A version of the object.
    #[arg(long)]
    pub(crate) version_id: Option<String>,
}

/// `mb`.
#[derive(Debug, Args)]
pub(crate) struct MbArgs {
    /// `oss://bucket`.
    pub(crate) url: String,
    /// private, public-read or public-read-write.
    #[arg(long)]
    pub(crate) acl: Option<String>,
    /// Standard, IA, Archive, ColdArchive, DeepColdArchive.
    #[arg(long)]
    pub(crate) storage_class: Option<String>,
    /// LRS or ZRS.
    #[arg(long)]
    pub(crate) redundancy_type: Option<String>,
}

/// `rb`.
#[derive(Debug, Args)]
pub(crate) struct RbArgs {
    /// `oss://bucket`.
    pub(crate) url: String,
    /// Remove every object, version and multipart upload first.
    #[arg(short = 'a', long)]
    pub(crate) all: bool,
    /// Do not ask (ossx never asks; kept for ossutil users).
    #[arg(short = 'f', long)]
    pub(crate) force: bool,
}

/// `rm`.
#[derive(Debug, Args)]
pub(crate) struct RmArgs {
    /// `oss://bucket/key` or, with `-r`, `oss://bucket[/prefix]`.
    pub(crate) url: String,
    /// Every object under the prefix.
    #[arg(short = 'r', long)]
    pub(crate) recursive: bool,
    /// Do not ask (ossx never asks; kept for ossutil users).
    #[arg(short = 'f', long)]
    pub(crate) force: bool,
    /// Remove every version (and delete marker), not just the current one.
    #[arg(long)]
    pub(crate) all_versions: bool,
    /// Remove this version of the object.
    #[arg(long)]
    pub(crate) version_id: Option<String>,
    /// Abort incomplete multipart uploads instead of removing objects.
    #[arg(short = 'm', long)]
    pub(crate) multipart: bool,
    /// Print what would be removed, remove nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    #[command(flatten)]
    pub(crate) filters: FilterArgs,
}

/// `du`.
#[derive(Debug, Args)]
pub(crate) struct DuArgs {
    /// `oss://bucket[/prefix]`.
    pub(crate) url: String,
    /// Count every version.
    #[arg(long)]
    pub(crate) all_versions: bool,
    /// Sizes as 1.5 MiB instead of bytes.
    #[arg(long)]
    pub(crate) human_readable: bool,
    #[command(flatten)]
    pub(crate) filters: FilterArgs,
}

/// `cat`.
#[derive(Debug, Args)]
pub(crate) struct CatArgs {
    /// `oss://bucket/key`.
    pub(crate) url: String,
    /// A byte range, `START-END` (inclusive), `START-` or `-LAST_N`.
    #[arg(long, allow_hyphen_values = true)]
    pub(crate) range: Option<String>,
    /// Start at this byte.
    #[arg(long, conflicts_with = "range")]
    pub(crate) offset: Option<u64>,
    /// Print this many bytes (from --offset, default 0).
    #[arg(long, conflicts_with = "range")]
    pub(crate) count: Option<u64>,
    /// A version of the object.
    #[arg(long)]
    pub(crate) version_id: Option<String>,
}

/// `append`.
#[derive(Debug, Args)]
pub(crate) struct AppendArgs {
    /// A local file, or `-` for standard input.
    pub(crate) source: String,
    /// `oss://bucket/key` (an appendable object, created when missing).
    pub(crate) url: String,
    /// The object's Content-Type (on the first append).
    #[arg(long)]
    pub(crate) content_type: Option<String>,
    /// User metadata on the first append, `key=value` (repeatable).
    #[arg(long, value_name = "KEY=VALUE")]
    pub(crate) metadata: Vec<String>,
}

/// `mkdir`.
#[derive(Debug, Args)]
pub(crate) struct MkdirArgs {
    /// `oss://bucket/dir` (a `/` is added).
    pub(crate) url: String,
}

/// `presign`.
#[derive(Debug, Args)]
pub(crate) struct PresignArgs {
    /// `oss://bucket/key`.
    pub(crate) url: String,
    /// How long the URL is valid (`900s`, `15m`, `1h`, `7d`; default 15m; at most 7d with V4).
    #[arg(long, default_value = "15m")]
    pub(crate) expires_duration: String,
    /// When the URL expires instead, a UTC time (`2006-01-02T15:04:05`, or RFC 3339 with an
    /// offset); at most 7 days ahead with V4.
    #[arg(long, value_name = "TIME", conflicts_with = "expires_duration")]
    pub(crate) expires_date: Option<String>,
    /// GET (default), PUT or HEAD.
    #[arg(long, default_value = "GET")]
    pub(crate) method: String,
    /// The Content-Type the request will send (signed; PUT).
    #[arg(long)]
    pub(crate) content_type: Option<String>,
    /// User metadata the request will send, signed (`key=value`, PUT; repeatable).
    #[arg(long, value_name = "KEY=VALUE")]
    pub(crate) metadata: Vec<String>,
    /// A version of the object (GET, HEAD).
    #[arg(long)]
    pub(crate) version_id: Option<String>,
}

/// `restore`.
#[derive(Debug, Args)]
pub(crate) struct RestoreArgs {
    /// `oss://bucket/key` or, with `-r`, `oss://bucket[/prefix]`.
    pub(crate) url: String,
    /// Every archived object under the prefix.
    #[arg(short = 'r', long)]
    pub(crate) recursive: bool,
    /// Days the restored copy stays (default 1).
    #[arg(long, default_value_t = 1)]
    pub(crate) days: i64,
    /// Expedited, Standard or Bulk (cold archive only).
    #[arg(long)]
    pub(crate) tier: Option<String>,
    #[command(flatten)]
    pub(crate) filters: FilterArgs,
}

/// `set-props`.
#[derive(Debug, Args)]
pub(crate) struct SetPropsArgs {
    /// `oss://bucket/key` or, with `-r`, `oss://bucket[/prefix]`.
    pub(crate) url: String,
    /// Every object under the prefix.
    #[arg(short = 'r', long)]
    pub(crate) recursive: bool,
    /// Replace the user metadata with these `key=value` pairs (repeatable).
    #[arg(long, value_name = "KEY=VALUE")]
    pub(crate) metadata: Vec<String>,
    /// Replace the Content-Type.
    #[arg(long)]
    pub(crate) content_type: Option<String>,
    /// Change the storage class.
    #[arg(long)]
    pub(crate) storage_class: Option<String>,
    /// Set the object ACL: private, public-read, public-read-write, default.
    #[arg(long)]
    pub(crate) acl: Option<String>,
    /// Replace the tags: `k1=v1&k2=v2`.
    #[arg(long)]
    pub(crate) tagging: Option<String>,
    #[command(flatten)]
    pub(crate) filters: FilterArgs,
}

/// `hash`.
#[derive(Debug, Args)]
pub(crate) struct HashArgs {
    /// A local file or `oss://bucket/key`.
    pub(crate) target: String,
    /// crc64 (default) or md5.
    #[arg(long = "type", default_value = "crc64")]
    pub(crate) hash_type: String,
}

/// Options `cp` and `sync` share.
#[derive(Debug, Args, Clone)]
pub(crate) struct TransferArgs {
    /// Overwrite without asking (ossx never asks; kept for ossutil users).
    #[arg(short = 'f', long)]
    pub(crate) force: bool,
    /// Copy only when the source is newer than the destination (or the destination is missing).
    #[arg(short = 'u', long)]
    pub(crate) update: bool,
    /// Skip files whose size equals the destination's.
    #[arg(long)]
    pub(crate) size_only: bool,
    /// Skip files whose size and CRC-64 equal the destination's.
    #[arg(long)]
    pub(crate) checksum: bool,
    /// Skip files that exist at the destination.
    #[arg(long)]
    pub(crate) ignore_existing: bool,
    /// Files transferred at once (default 3).
    #[arg(short = 'j', long, value_name = "N")]
    pub(crate) job: Option<usize>,
    /// Parts of one file transferred at once (default 3).
    #[arg(long, value_name = "N")]
    pub(crate) parallel: Option<usize>,
    /// The part size of multipart transfers (`8MiB`; default chosen from the size).
    #[arg(long, value_name = "SIZE")]
    pub(crate) part_size: Option<String>,
    /// Files at least this large are transferred in parts (default 100MiB).
    #[arg(long, value_name = "SIZE")]
    pub(crate) bigfile_threshold: Option<String>,
    /// Where resumable transfers keep their checkpoints (default .ossx_checkpoint).
    #[arg(long, value_name = "DIR")]
    pub(crate) checkpoint_dir: Option<PathBuf>,
    /// User metadata, `key=value` (repeatable).
    #[arg(long, value_name = "KEY=VALUE")]
    pub(crate) metadata: Vec<String>,
    /// The Content-Type (default: guessed from the file name).
    #[arg(long)]
    pub(crate) content_type: Option<String>,
    /// The object ACL.
    #[arg(long)]
    pub(crate) acl: Option<String>,
    /// The storage class.
    #[arg(long)]
    pub(crate) storage_class: Option<String>,
    /// Tags, `k1=v1&k2=v2`.
    #[arg(long)]
    pub(crate) tagging: Option<String>,
    #[command(flatten)]
    pub(crate) filters: FilterArgs,
}

/// `cp`.
#[derive(Debug, Args)]
pub(crate) struct CpArgs {
    /// A local path, `oss://bucket/key`, or `-` (standard input).
    pub(crate) source: String,
    /// A local path, `oss://bucket/key`, or `-` (standard output).
    pub(crate) dest: String,
    /// Copy a folder or prefix and everything below it.
    #[arg(short = 'r', long)]
    pub(crate) recursive: bool,
    #[command(flatten)]
    pub(crate) transfer: TransferArgs,
}

/// `sync`.
#[derive(Debug, Args)]
pub(crate) struct SyncArgs {
    /// A local folder or `oss://bucket[/prefix]`.
    pub(crate) source: String,
    /// A local folder or `oss://bucket[/prefix]`.
    pub(crate) dest: String,
    /// Delete what the destination has and the source does not.
    #[arg(long)]
    pub(crate) delete: bool,
    /// Move deleted or overwritten local files here instead (local destinations).
    #[arg(long, value_name = "DIR")]
    pub(crate) backup_dir: Option<PathBuf>,
    /// Print what would be copied and deleted, change nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    #[command(flatten)]
    pub(crate) transfer: TransferArgs,
}

/// `check`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// A local folder.
    pub(crate) local: String,
    /// `oss://bucket[/prefix]`.
    pub(crate) url: String,
    /// Compare sizes only (no CRC-64).
    #[arg(long)]
    pub(crate) size_only: bool,
    #[command(flatten)]
    pub(crate) filters: FilterArgs,
}

/// `api`.
#[derive(Debug, Args)]
pub(crate) struct ApiArgs {
    /// The operation, as OSS names it (`PutBucketCors`) or in kebab case (`put-bucket-cors`);
    /// `list` prints every operation.
    pub(crate) operation: String,
    /// The input as JSON: inline, `file://PATH`, or `-` for standard input (default `{}`).
    pub(crate) input: Option<String>,
    /// The request body of operations that upload data (a file, or `-`).
    #[arg(long, value_name = "FILE")]
    pub(crate) body: Option<String>,
    /// Where to write the response body of operations that download data (default: discarded
    /// after counting; `-` for standard output).
    #[arg(long, value_name = "FILE")]
    pub(crate) output_file: Option<String>,
}
