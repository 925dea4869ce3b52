//! LiveChannel through the client: all 9 operations against the emulator, the URLs OSS forms,
//! enable/disable, listing pages, and vod playlists built from `.ts` objects put under the
//! channel's prefix (no RTMP server), with OSS's errors.
#![allow(clippy::unwrap_used)]

use oss_emulator::{Emulator, EmulatorConfig};
use oss_model::{
    LiveChannelConfiguration, LiveChannelStatus, LiveChannelStreamStatus, LiveChannelTarget,
    LiveChannelTargetType,
};
use oss_tests::{sdk_client, service_code};

const AK: &str = "live-test-ak";
const SK: &str = "live-test-sk";

fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::new(AK, SK).region("cn-hangzhou")).unwrap()
}

fn config(
    description: Option<&str>,
    frag_duration: Option<i64>,
    playlist: Option<&str>,
) -> LiveChannelConfiguration {
    LiveChannelConfiguration {
        description: description.map(str::to_owned),
        status: None,
        target: LiveChannelTarget {
            target_type: LiveChannelTargetType::Hls,
            frag_duration,
            frag_count: None,
            playlist_name: playlist.map(str::to_owned),
        },
        snapshot: None,
    }
}

fn now_s() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn channels_are_created_configured_disabled_and_deleted() {
    let emu = emulator();
    let c = sdk_client(&emu);
    c.put_bucket().bucket("media").send().await.unwrap();
    let created = c
        .put_live_channel()
        .bucket("media")
        .key("show")
        .body(config(Some("the show"), Some(4), Some("live.m3u8")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        created.publish_urls,
        ["rtmp://media.oss-cn-hangzhou.aliyuncs.com/live/show"]
    );
    assert_eq!(
        created.play_urls,
        ["http://media.oss-cn-hangzhou.aliyuncs.com/show/live.m3u8"]
    );

    let info = c
        .get_live_channel_info()
        .bucket("media")
        .key("show")
        .send()
        .await
        .unwrap();
    assert_eq!(info.description.as_deref(), Some("the show"));
    assert_eq!(info.status, Some(LiveChannelStatus::Enabled));
    assert_eq!(info.target.target_type, LiveChannelTargetType::Hls);
    assert_eq!(info.target.frag_duration, Some(4));
    // OSS's defaults for what was not given.
    assert_eq!(info.target.frag_count, Some(3));
    assert_eq!(info.target.playlist_name.as_deref(), Some("live.m3u8"));

    let stat = c
        .get_live_channel_stat()
        .bucket("media")
        .key("show")
        .send()
        .await
        .unwrap();
    assert_eq!(stat.status, Some(LiveChannelStreamStatus::Idle));
    let history = c
        .get_live_channel_history()
        .bucket("media")
        .key("show")
        .send()
        .await
        .unwrap();
    assert!(history.live_records.is_empty());

    c.put_live_channel_status()
        .bucket("media")
        .key("show")
        .status(LiveChannelStatus::Disabled)
        .send()
        .await
        .unwrap();
    let info = c
        .get_live_channel_info()
        .bucket("media")
        .key("show")
        .send()
        .await
        .unwrap();
    assert_eq!(info.status, Some(LiveChannelStatus::Disabled));
    let stat = c
        .get_live_channel_stat()
        .bucket("media")
        .key("show")
        .send()
        .await
        .unwrap();
    assert_eq!(stat.status, Some(LiveChannelStreamStatus::Disabled));
    c.put_live_channel_status()
        .bucket("media")
        .key("show")
        .status(LiveChannelStatus::Enabled)
        .send()
        .await
        .unwrap();

    let stat = c.get_bucket_stat().bucket("media").send().await.unwrap();
    assert_eq!(stat.live_channel_count, Some(1));

    // A recorded segment stays when the channel goes.
    c.put_object()
        .bucket("media")
        .key("show/0001.ts")
        .body("segment")
        .send()
        .await
        .unwrap();
    c.delete_live_channel()
        .bucket("media")
        .key("show")
        .send()
        .await
        .unwrap();
    for err in [
        c.get_live_channel_info()
            .bucket("media")
            .key("show")
            .send()
            .await
            .unwrap_err(),
        c.delete_live_channel()
            .bucket("media")
            .key("show")
            .send()
            .await
            .unwrap_err(),
        c.put_live_channel_status()
            .bucket("media")
            .key("show")
            .status(LiveChannelStatus::Enabled)
            .send()
            .await
            .unwrap_err(),
    ] {
        assert_eq!(service_code(&err), (404, "NoSuchLiveChannel".to_owned()));
    }
    assert!(c.is_object_exist("media", "show/0001.ts").await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_configurations_are_refused() {
    let emu = emulator();
    let c = sdk_client(&emu);
    c.put_bucket().bucket("media").send().await.unwrap();
    let long = "d".repeat(129);
    for (key, cfg) in [
        ("a", config(Some(&long), None, None)),
        ("b", config(None, Some(0), None)),
        ("c", config(None, Some(101), None)),
        ("d", config(None, None, Some("list.txt"))),
        ("e", config(None, None, Some(".m3u8"))),
        ("with/slash", config(None, None, None)),
    ] {
        let err = c
            .put_live_channel()
            .bucket("media")
            .key(key)
            .body(cfg)
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            service_code(&err),
            (400, "InvalidArgument".to_owned()),
            "{key}"
        );
    }
    let list = c.list_live_channel().bucket("media").send().await.unwrap();
    assert!(list.live_channels.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listing_pages_by_prefix_marker_and_max_keys() {
    let emu = emulator();
    let c = sdk_client(&emu);
    c.put_bucket().bucket("media").send().await.unwrap();
    for name in ["cam-1", "cam-2", "cam-3", "other"] {
        c.put_live_channel()
            .bucket("media")
            .key(name)
            .body(config(Some(name), None, None))
            .send()
            .await
            .unwrap();
    }
    let first = c
        .list_live_channel()
        .bucket("media")
        .prefix("cam-")
        .max_keys(2)
        .send()
        .await
        .unwrap();
    let names: Vec<_> = first
        .live_channels
        .iter()
        .map(|ch| ch.name.clone().unwrap())
        .collect();
    assert_eq!(names, ["cam-1", "cam-2"]);
    assert_eq!(first.is_truncated, Some(true));
    assert_eq!(first.next_marker.as_deref(), Some("cam-2"));
    assert_eq!(first.max_keys, Some(2));
    assert_eq!(first.prefix.as_deref(), Some("cam-"));
    let ch = &first.live_channels[0];
    assert_eq!(ch.description.as_deref(), Some("cam-1"));
    assert_eq!(ch.status, Some(LiveChannelStatus::Enabled));
    assert_eq!(
        ch.play_urls,
        ["http://media.oss-cn-hangzhou.aliyuncs.com/cam-1/playlist.m3u8"]
    );
    assert_eq!(
        ch.publish_urls,
        ["rtmp://media.oss-cn-hangzhou.aliyuncs.com/live/cam-1"]
    );
    assert!(ch.last_modified.is_some());

    let second = c
        .list_live_channel()
        .bucket("media")
        .prefix("cam-")
        .marker("cam-2")
        .max_keys(2)
        .send()
        .await
        .unwrap();
    let names: Vec<_> = second
        .live_channels
        .iter()
        .map(|ch| ch.name.clone().unwrap())
        .collect();
    assert_eq!(names, ["cam-3"]);
    assert_eq!(second.is_truncated, Some(false));
    assert_eq!(second.next_marker, None);

    let all = c.list_live_channel().bucket("media").send().await.unwrap();
    assert_eq!(all.live_channels.len(), 4);
    let err = c
        .list_live_channel()
        .bucket("media")
        .max_keys(1001)
        .send()
        .await
        .unwrap_err();
    assert_eq!(service_code(&err), (400, "InvalidArgument".to_owned()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vod_playlists_list_the_recorded_segments_in_the_range() {
    let emu = emulator();
    let c = sdk_client(&emu);
    c.put_bucket().bucket("media").send().await.unwrap();
    c.put_live_channel()
        .bucket("media")
        .key("show")
        .body(config(None, Some(2), None))
        .send()
        .await
        .unwrap();
    // Segments as the channel records them, plus things that are not its segments.
    for key in ["show/100.ts", "show/101.ts", "show/102.ts"] {
        c.put_object()
            .bucket("media")
            .key(key)
            .body("ts data")
            .send()
            .await
            .unwrap();
    }
    c.put_object()
        .bucket("media")
        .key("show/notes.txt")
        .body("not a segment")
        .send()
        .await
        .unwrap();
    c.put_object()
        .bucket("media")
        .key("showcase/9.ts")
        .body("another channel's prefix")
        .send()
        .await
        .unwrap();
    let now = now_s();
    let expected = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-TARGETDURATION:2\n\
                    #EXTINF:2.000,\n100.ts\n#EXTINF:2.000,\n101.ts\n#EXTINF:2.000,\n102.ts\n\
                    #EXT-X-ENDLIST\n";
    let got = c
        .get_vod_playlist()
        .bucket("media")
        .key("show")
        .start_time(now - 60)
        .end_time(now + 60)
        .send()
        .await
        .unwrap();
    assert_eq!(got.body, expected);

    c.post_vod_playlist()
        .bucket("media")
        .key("show/vod.m3u8")
        .start_time(now - 60)
        .end_time(now + 60)
        .send()
        .await
        .unwrap();
    let (head, body) = c
        .get_object()
        .bucket("media")
        .key("show/vod.m3u8")
        .send()
        .await
        .unwrap();
    assert_eq!(head.content_type.as_deref(), Some("application/x-mpegURL"));
    assert_eq!(
        String::from_utf8(body.collect().await.unwrap().to_vec()).unwrap(),
        expected
    );

    // A range with no segment; a bad range; a playlist name without .m3u8; no channel.
    let invalid = (400, "InvalidArgument".to_owned());
    let err = c
        .get_vod_playlist()
        .bucket("media")
        .key("show")
        .start_time(now - 7200)
        .end_time(now - 3600)
        .send()
        .await
        .unwrap_err();
    assert_eq!(service_code(&err), invalid);
    assert_eq!(
        err.service_error().unwrap().ec.as_deref(),
        Some("0044-00000308")
    );
    for (start, end, ec) in [
        (now + 10, now - 10, "0044-00000306"),
        (now - 2 * 86_400, now, "0044-00000307"),
    ] {
        let err = c
            .get_vod_playlist()
            .bucket("media")
            .key("show")
            .start_time(start)
            .end_time(end)
            .send()
            .await
            .unwrap_err();
        assert_eq!(service_code(&err), invalid);
        assert_eq!(err.service_error().unwrap().ec.as_deref(), Some(ec));
    }
    let err = c
        .post_vod_playlist()
        .bucket("media")
        .key("show/vod.txt")
        .start_time(now - 60)
        .end_time(now + 60)
        .send()
        .await
        .unwrap_err();
    assert_eq!(service_code(&err), invalid);
    assert_eq!(
        err.service_error().unwrap().ec.as_deref(),
        Some("0044-00000403")
    );
    let err = c
        .get_vod_playlist()
        .bucket("media")
        .key("nochannel")
        .start_time(now - 60)
        .end_time(now + 60)
        .send()
        .await
        .unwrap_err();
    assert_eq!(service_code(&err), (404, "NoSuchLiveChannel".to_owned()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn channels_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config_for = || {
        EmulatorConfig::new(AK, SK)
            .region("cn-hangzhou")
            .data_dir(dir.path())
    };
    {
        let emu = Emulator::start(config_for()).unwrap();
        let c = sdk_client(&emu);
        c.put_bucket().bucket("media").send().await.unwrap();
        c.put_live_channel()
            .bucket("media")
            .key("kept")
            .body(config(Some("persisted"), Some(7), None))
            .send()
            .await
            .unwrap();
    }
    let emu = Emulator::start(config_for()).unwrap();
    let c = sdk_client(&emu);
    let info = c
        .get_live_channel_info()
        .bucket("media")
        .key("kept")
        .send()
        .await
        .unwrap();
    assert_eq!(info.description.as_deref(), Some("persisted"));
    assert_eq!(info.target.frag_duration, Some(7));
}
