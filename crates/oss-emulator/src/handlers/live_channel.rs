//! LiveChannel: RTMP ingest channels recording HLS segments into the bucket, all 9 operations.
//!
//! The emulator runs no RTMP server, so a channel is never live: GetLiveChannelStat answers
//! `Idle` (or `Disabled`), GetLiveChannelHistory has no sessions. The `.ts` segments a channel
//! would record are objects under `{channel}/`; GetVodPlaylist and PostVodPlaylist build an m3u8
//! from those whose time (their last-modified second) falls in `[startTime, endTime]`, each
//! segment lasting the channel's `FragDuration`.
//!
//! Channels are kept in the bucket record (`livechannel/{name}`), so they survive a restart
//! with `--data-dir`. Publish and play URLs are formed as OSS forms them:
//! `rtmp://{bucket}.{location}.aliyuncs.com/live/{channel}` and
//! `http://{bucket}.{location}.aliyuncs.com/{channel}/{playlist}`.

use bytes::Bytes;
use http::StatusCode;
use oss_model::{
    LiveChannelSnapshot, LiveChannelStatus, LiveChannelStreamStatus, LiveChannelSummary,
    LiveChannelTarget, LiveChannelTargetType,
};
use serde::{Deserialize, Serialize};

use super::max_param;
use crate::context::Context;
use crate::error::OssError;
use crate::request::Request;
use crate::response::Reply;
use crate::storage::{ObjectMeta, from_ms, now_ms};

const PREFIX: &str = "livechannel/";
const DAY_SECONDS: i64 = 24 * 60 * 60;
const M3U8_TYPE: &str = "application/x-mpegURL";

/// A channel as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Channel {
    description: Option<String>,
    enabled: bool,
    frag_duration: i64,
    frag_count: i64,
    playlist_name: String,
    snapshot: Option<Snapshot>,
    modified_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Snapshot {
    role_name: Option<String>,
    dest_bucket: Option<String>,
    notify_topic: Option<String>,
    interval: Option<i64>,
}

fn no_such_channel(name: &str) -> OssError {
    OssError::new(
        StatusCode::NOT_FOUND,
        "NoSuchLiveChannel",
        "The specified live channel does not exist.",
    )
    .ec("0026-00000021")
    .with("LiveChannel", name)
}

fn invalid(message: impl Into<String>, name: &'static str, value: impl Into<String>) -> OssError {
    OssError::invalid_argument(message)
        .with("ArgumentName", name)
        .with("ArgumentValue", value)
}

/// The number of channels of a bucket (GetBucketStat's `LiveChannelCount`).
pub(crate) fn count(record: &crate::storage::BucketRecord) -> usize {
    record
        .configs
        .keys()
        .filter(|k| k.starts_with(PREFIX))
        .count()
}

fn load(ctx: &Context, bucket: &str, name: &str) -> Result<Channel, OssError> {
    let record = ctx.store.bucket(bucket)?;
    let text = record
        .configs
        .get(&format!("{PREFIX}{name}"))
        .ok_or_else(|| no_such_channel(name))?;
    serde_json::from_str(text)
        .map_err(|e| OssError::internal(format!("stored live channel is unreadable: {e}")))
}

fn save(ctx: &Context, bucket: &str, name: &str, channel: &Channel) -> Result<(), OssError> {
    let text = serde_json::to_string(channel)
        .map_err(|e| OssError::internal(format!("cannot store the live channel: {e}")))?;
    ctx.store.update_bucket(bucket, |r| {
        r.configs.insert(format!("{PREFIX}{name}"), text);
    })?;
    Ok(())
}

fn channel_name(req: &Request) -> Result<&str, OssError> {
    let name = req.key();
    if name.is_empty() || name.contains('/') || name.len() > 1023 {
        return Err(invalid(
            "The live channel name must be a valid object name without '/'.",
            "ChannelName",
            name,
        ));
    }
    Ok(name)
}

fn host(ctx: &Context, bucket: &str) -> String {
    format!("{bucket}.{}.aliyuncs.com", ctx.location())
}

fn publish_url(ctx: &Context, bucket: &str, name: &str) -> String {
    format!("rtmp://{}/live/{name}", host(ctx, bucket))
}

fn play_url(ctx: &Context, bucket: &str, name: &str, channel: &Channel) -> String {
    format!(
        "http://{}/{name}/{}",
        host(ctx, bucket),
        channel.playlist_name
    )
}

fn status_of(channel: &Channel) -> LiveChannelStatus {
    if channel.enabled {
        LiveChannelStatus::Enabled
    } else {
        LiveChannelStatus::Disabled
    }
}

fn valid_playlist_name(name: &str) -> bool {
    (6..=128).contains(&name.len()) && name.ends_with(".m3u8") && !name.contains('/')
}

/// PUT /bucket/channel?live — PutLiveChannel: creates the channel, or replaces an existing
/// one's configuration.
pub(crate) fn put(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let name = channel_name(req)?.to_owned();
    let input = crate::typed::input::<oss_proto::generated::PutLiveChannel>(req)?;
    let config = input.body;
    if let Some(d) = &config.description
        && d.len() > 128
    {
        return Err(invalid(
            "Description is longer than 128 bytes.",
            "Description",
            d.clone(),
        ));
    }
    let enabled = match &config.status {
        None | Some(LiveChannelStatus::Enabled) => true,
        Some(LiveChannelStatus::Disabled) => false,
        Some(other) => {
            return Err(invalid(
                "Status must be enabled or disabled.",
                "Status",
                other.as_str(),
            ));
        }
    };
    let target = config.target;
    if let LiveChannelTargetType::Unknown(t) = &target.target_type {
        return Err(invalid("Target Type must be HLS.", "Type", t.clone()));
    }
    let frag_duration = target.frag_duration.unwrap_or(5);
    let frag_count = target.frag_count.unwrap_or(3);
    for (value, arg) in [(frag_duration, "FragDuration"), (frag_count, "FragCount")] {
        if !(1..=100).contains(&value) {
            return Err(invalid(
                format!("{arg} must be between 1 and 100."),
                arg,
                value.to_string(),
            ));
        }
    }
    let playlist_name = target
        .playlist_name
        .unwrap_or_else(|| "playlist.m3u8".to_owned());
    if !valid_playlist_name(&playlist_name) {
        return Err(invalid(
            "PlaylistName must end with .m3u8 and be 6 to 128 bytes long.",
            "PlaylistName",
            playlist_name,
        )
        .ec("0044-00000403"));
    }
    let snapshot = config.snapshot.map(|s| Snapshot {
        role_name: s.role_name,
        dest_bucket: s.dest_bucket,
        notify_topic: s.notify_topic,
        interval: s.interval,
    });
    if let Some(Some(i)) = snapshot.as_ref().map(|s| s.interval)
        && !(1..=100).contains(&i)
    {
        return Err(invalid(
            "Snapshot Interval must be between 1 and 100.",
            "Interval",
            i.to_string(),
        ));
    }
    let channel = Channel {
        description: config.description,
        enabled,
        frag_duration,
        frag_count,
        playlist_name,
        snapshot,
        modified_ms: now_ms(),
    };
    save(ctx, req.bucket(), &name, &channel)?;
    let output = oss_model::PutLiveChannelOutput {
        publish_urls: vec![publish_url(ctx, req.bucket(), &name)],
        play_urls: vec![play_url(ctx, req.bucket(), &name, &channel)],
        ..Default::default()
    };
    crate::typed::reply::<oss_proto::generated::PutLiveChannel>(&output)
}

/// PUT /bucket/channel?live&status=enabled|disabled — PutLiveChannelStatus.
pub(crate) fn put_status(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let name = channel_name(req)?.to_owned();
    let raw = req.q("status").unwrap_or_default();
    let enabled = match raw {
        "enabled" => true,
        "disabled" => false,
        other => {
            return Err(invalid(
                "status must be enabled or disabled.",
                "status",
                other,
            ));
        }
    };
    let mut channel = load(ctx, req.bucket(), &name)?;
    if channel.enabled != enabled {
        channel.enabled = enabled;
        channel.modified_ms = now_ms();
        save(ctx, req.bucket(), &name, &channel)?;
    }
    Ok(Reply::ok())
}

/// GET /bucket/channel?live — GetLiveChannelInfo.
pub(crate) fn get_info(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let name = channel_name(req)?;
    let channel = load(ctx, req.bucket(), name)?;
    let output = oss_model::GetLiveChannelInfoOutput {
        description: channel.description.clone(),
        status: Some(status_of(&channel)),
        target: LiveChannelTarget {
            target_type: LiveChannelTargetType::Hls,
            frag_duration: Some(channel.frag_duration),
            frag_count: Some(channel.frag_count),
            playlist_name: Some(channel.playlist_name.clone()),
        },
        snapshot: channel.snapshot.as_ref().map(|s| LiveChannelSnapshot {
            role_name: s.role_name.clone(),
            dest_bucket: s.dest_bucket.clone(),
            notify_topic: s.notify_topic.clone(),
            interval: s.interval,
        }),
        request_id: None,
    };
    crate::typed::reply::<oss_proto::generated::GetLiveChannelInfo>(&output)
}

/// GET /bucket/channel?live&comp=stat — GetLiveChannelStat: `Idle`, or `Disabled` (no stream
/// is ever ingested here).
pub(crate) fn get_stat(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let name = channel_name(req)?;
    let channel = load(ctx, req.bucket(), name)?;
    let output = oss_model::GetLiveChannelStatOutput {
        status: Some(if channel.enabled {
            LiveChannelStreamStatus::Idle
        } else {
            LiveChannelStreamStatus::Disabled
        }),
        ..Default::default()
    };
    crate::typed::reply::<oss_proto::generated::GetLiveChannelStat>(&output)
}

/// GET /bucket/channel?live&comp=history — GetLiveChannelHistory: no ingest sessions.
pub(crate) fn get_history(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let name = channel_name(req)?;
    load(ctx, req.bucket(), name)?;
    let output = oss_model::GetLiveChannelHistoryOutput::default();
    crate::typed::reply::<oss_proto::generated::GetLiveChannelHistory>(&output)
}

/// GET /bucket?live — ListLiveChannel, with prefix, marker and max-keys (default 100, at
/// most 1000).
pub(crate) fn list(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let prefix = req.q("prefix").unwrap_or_default();
    let marker = req.q("marker").unwrap_or_default();
    let max = max_param(req, "max-keys", 100, 1000)?;
    let record = ctx.store.bucket(req.bucket())?;
    let mut channels = Vec::new();
    for (key, text) in &record.configs {
        let Some(name) = key.strip_prefix(PREFIX) else {
            continue;
        };
        if !name.starts_with(prefix) || name <= marker {
            continue;
        }
        let channel: Channel = serde_json::from_str(text)
            .map_err(|e| OssError::internal(format!("stored live channel is unreadable: {e}")))?;
        channels.push((name.to_owned(), channel));
    }
    let truncated = channels.len() > max;
    channels.truncate(max);
    let output = oss_model::ListLiveChannelOutput {
        prefix: Some(prefix.to_owned()),
        marker: Some(marker.to_owned()),
        max_keys: i64::try_from(max).ok(),
        is_truncated: Some(truncated),
        next_marker: if truncated {
            channels.last().map(|(n, _)| n.clone())
        } else {
            None
        },
        live_channels: channels
            .iter()
            .map(|(name, c)| LiveChannelSummary {
                name: Some(name.clone()),
                description: c.description.clone(),
                status: Some(status_of(c)),
                last_modified: Some(from_ms(c.modified_ms)),
                publish_urls: vec![publish_url(ctx, req.bucket(), name)],
                play_urls: vec![play_url(ctx, req.bucket(), name, c)],
            })
            .collect(),
        ..Default::default()
    };
    crate::typed::reply::<oss_proto::generated::ListLiveChannel>(&output)
}

/// DELETE /bucket/channel?live — DeleteLiveChannel; the objects it recorded stay.
pub(crate) fn delete(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let name = channel_name(req)?.to_owned();
    load(ctx, req.bucket(), &name)?;
    ctx.store.update_bucket(req.bucket(), |r| {
        r.configs.remove(&format!("{PREFIX}{name}"));
    })?;
    Ok(Reply::ok().status(StatusCode::NO_CONTENT))
}

/// The `[startTime, endTime]` range of a vod request, checked as OSS checks it.
fn time_range(req: &Request) -> Result<(i64, i64), OssError> {
    let parse = |name: &'static str, ec: &'static str| -> Result<i64, OssError> {
        let raw = req.q(name).unwrap_or_default();
        raw.parse::<i64>()
            .ok()
            .filter(|v| *v >= 0)
            .ok_or_else(|| invalid(format!("{name} is not a Unix timestamp."), name, raw).ec(ec))
    };
    let start = parse("startTime", "0044-00000304")?;
    let end = parse("endTime", "0044-00000305")?;
    if end <= start {
        return Err(invalid(
            "endTime must be later than startTime.",
            "endTime",
            end.to_string(),
        )
        .ec("0044-00000306"));
    }
    if end - start > DAY_SECONDS {
        return Err(invalid(
            "The time range is longer than a day.",
            "endTime",
            end.to_string(),
        )
        .ec("0044-00000307"));
    }
    Ok((start, end))
}

/// The m3u8 of the `.ts` segments under `{name}/` whose time is in `[start, end]`.
fn playlist(
    ctx: &Context,
    bucket: &str,
    name: &str,
    channel: &Channel,
    (start, end): (i64, i64),
) -> Result<String, OssError> {
    let dir = format!("{name}/");
    let mut segments: Vec<ObjectMeta> = ctx.store.with_bucket(bucket, |b| {
        b.objects
            .range(dir.clone()..)
            .take_while(|(k, _)| k.starts_with(&dir))
            .filter_map(|(_, v)| v.first().filter(|m| !m.delete_marker).cloned())
            .filter(|m| {
                let at = m.modified_ms.div_euclid(1000);
                m.key.ends_with(".ts")
                    && !m.key[dir.len()..].contains('/')
                    && (start..=end).contains(&at)
            })
            .collect()
    })?;
    if segments.is_empty() {
        return Err(OssError::invalid_argument(
            "No ts file was recorded by the live channel in the time range.",
        )
        .ec("0044-00000308")
        .with("LiveChannel", name));
    }
    segments.sort_by(|a, b| (a.modified_ms, &a.key).cmp(&(b.modified_ms, &b.key)));
    let mut m3u8 = format!(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-TARGETDURATION:{}\n",
        channel.frag_duration
    );
    for s in &segments {
        m3u8.push_str(&format!(
            "#EXTINF:{}.000,\n{}\n",
            channel.frag_duration,
            &s.key[dir.len()..]
        ));
    }
    m3u8.push_str("#EXT-X-ENDLIST\n");
    Ok(m3u8)
}

/// GET /bucket/channel?vod&startTime&endTime — GetVodPlaylist: the playlist, not stored.
pub(crate) fn get_vod_playlist(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let name = channel_name(req)?;
    let range = time_range(req)?;
    let channel = load(ctx, req.bucket(), name)?;
    let text = playlist(ctx, req.bucket(), name, &channel, range)?;
    Ok(Reply::ok()
        .header("Content-Type", M3U8_TYPE)
        .body(Bytes::from(text)))
}

/// POST /bucket/channel/playlist.m3u8?vod&startTime&endTime — PostVodPlaylist: the playlist
/// stored as the object `{channel}/{playlist}`.
pub(crate) fn post_vod_playlist(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let Some((name, playlist_name)) = req.key().split_once('/') else {
        return Err(invalid(
            "The key must be {channel}/{playlist}.m3u8.",
            "PlaylistName",
            req.key(),
        )
        .ec("0044-00000403"));
    };
    if !valid_playlist_name(playlist_name) {
        return Err(invalid(
            "PlaylistName must end with .m3u8.",
            "PlaylistName",
            playlist_name,
        )
        .ec("0044-00000403"));
    }
    let range = time_range(req)?;
    let channel = load(ctx, req.bucket(), name)?;
    let text = Bytes::from(playlist(ctx, req.bucket(), name, &channel, range)?);
    let meta = ObjectMeta {
        key: req.key().to_owned(),
        version_id: String::new(),
        seq: 0,
        blob: String::new(),
        delete_marker: false,
        etag: crate::checksum::simple_etag(&text),
        size: text.len() as u64,
        modified_ms: now_ms(),
        crc64: crate::checksum::crc64(&text),
        object_type: "Normal".to_owned(),
        content_type: M3U8_TYPE.to_owned(),
        headers: std::collections::BTreeMap::new(),
        user_meta: std::collections::BTreeMap::new(),
        acl: "default".to_owned(),
        tags: Vec::new(),
        storage_class: "Standard".to_owned(),
        symlink_target: None,
        restore: None,
        segments: Vec::new(),
    };
    let _lock = ctx.store.lock_key(req.bucket(), req.key());
    let stored = ctx.store.put_object(req.bucket(), meta, &text)?;
    Ok(Reply::ok().header("ETag", stored.etag))
}
