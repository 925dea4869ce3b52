//! Image processing through the real client against the emulator: GetObject with
//! `x-oss-process=image/...`, ProcessObject and AsyncProcessObject with `sys/saveas`. The
//! results are decoded with the `image` crate and their sizes compared with sizes worked out
//! by hand for a 200×100 source.
#![allow(clippy::unwrap_used)]

use oss_tests::sdk_client;
use std::io::Cursor;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use image::{DynamicImage, ImageFormat, Rgba, RgbaImage};
use oss_client::Client;
use oss_emulator::{Emulator, EmulatorConfig};

const AK: &str = "image-test-ak";
const SK: &str = "image-test-sk";
const BUCKET: &str = "pics";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

/// A 200×100 PNG, a colour gradient so that a JPEG of it is not trivially small.
fn source_png() -> Vec<u8> {
    let img = RgbaImage::from_fn(200, 100, |x, y| {
        Rgba([
            (x % 256) as u8,
            (y * 2 % 256) as u8,
            ((x * y) % 256) as u8,
            255,
        ])
    });
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgba8(img)
        .write_to(&mut out, ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

async fn setup(c: &Client) {
    c.put_bucket().bucket(BUCKET).send().await.unwrap();
    c.put_object()
        .bucket(BUCKET)
        .key("photo.png")
        .body(source_png())
        .send()
        .await
        .unwrap();
}

async fn get(c: &Client, process: &str) -> (Option<String>, Vec<u8>) {
    let (out, body) = c
        .get_object()
        .bucket(BUCKET)
        .key("photo.png")
        .process(process)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{process}: {e}"));
    (out.content_type, body.collect().await.unwrap().to_vec())
}

async fn size_and_format(c: &Client, process: &str) -> ((u32, u32), ImageFormat) {
    let (_, bytes) = get(c, process).await;
    let format = image::guess_format(&bytes).unwrap();
    let img = image::load_from_memory(&bytes).unwrap();
    ((img.width(), img.height()), format)
}

#[test]
fn get_object_processes_images() {
    let emu = Emulator::start(EmulatorConfig::new(AK, SK)).unwrap();
    runtime().block_on(async {
        let c = sdk_client(&emu);
        setup(&c).await;
        let png = ImageFormat::Png;
        // Resize: 200×100 scaled to width 100 keeps 2:1; fill crops to the box; fixed ignores
        // the ratio; p_ is a percentage; l_ is the longer side, s_ the shorter one.
        for (process, size) in [
            ("image/resize,w_100", (100, 50)),
            ("image/resize,m_lfit,w_100,h_100", (100, 50)),
            ("image/resize,m_fill,w_50,h_50", (50, 50)),
            ("image/resize,m_fixed,w_30,h_70", (30, 70)),
            ("image/resize,p_25", (50, 25)),
            ("image/resize,l_80", (80, 40)),
            ("image/resize,s_10", (20, 10)),
            // Larger than the original: returned as it is unless limit_0.
            ("image/resize,w_400", (200, 100)),
            ("image/resize,w_400,limit_0", (400, 200)),
            // Crop: from (10, 20), 50×30; clipped at the edge; from the bottom-right corner.
            ("image/crop,x_10,y_20,w_50,h_30", (50, 30)),
            ("image/crop,x_180,w_50,h_30", (20, 30)),
            ("image/crop,w_60,h_40,g_se", (60, 40)),
            // Rotate: a quarter turn swaps the sides; 45° needs a canvas of
            // (200 + 100)·cos 45° ≈ 212.13 on both sides.
            ("image/rotate,90", (100, 200)),
            ("image/rotate,45", (212, 212)),
            // Chained, in order: 100×50, then a quarter turn.
            ("image/resize,w_100/rotate,270", (50, 100)),
        ] {
            assert_eq!(size_and_format(&c, process).await, (size, png), "{process}");
        }
        // Format conversion.
        for (process, format, mime) in [
            ("image/format,jpg", ImageFormat::Jpeg, "image/jpeg"),
            ("image/format,webp", ImageFormat::WebP, "image/webp"),
            ("image/format,bmp", ImageFormat::Bmp, "image/bmp"),
            ("image/format,gif", ImageFormat::Gif, "image/gif"),
            (
                "image/resize,w_50/format,png",
                ImageFormat::Png,
                "image/png",
            ),
        ] {
            let (content_type, bytes) = get(&c, process).await;
            assert_eq!(content_type.as_deref(), Some(mime), "{process}");
            assert_eq!(image::guess_format(&bytes).unwrap(), format, "{process}");
        }
        // Quality: a JPEG at q 5 is smaller than one at q 95.
        let (_, low) = get(&c, "image/format,jpg/quality,q_5").await;
        let (_, high) = get(&c, "image/format,jpg/quality,Q_95").await;
        assert!(low.len() < high.len(), "{} vs {}", low.len(), high.len());
        // Info describes the original.
        let (content_type, bytes) = get(&c, "image/info").await;
        assert_eq!(content_type.as_deref(), Some("application/json"));
        let info: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(info["ImageWidth"]["value"], "200");
        assert_eq!(info["ImageHeight"]["value"], "100");
        assert_eq!(info["Format"]["value"], "png");
        assert_eq!(
            info["FileSize"]["value"],
            source_png().len().to_string().as_str()
        );
    });
}

#[test]
fn unsupported_actions_and_bad_parameters_are_refused() {
    let emu = Emulator::start(EmulatorConfig::new(AK, SK)).unwrap();
    runtime().block_on(async {
        let c = sdk_client(&emu);
        setup(&c).await;
        for (process, ec) in [
            ("image/slim,1", Some("0040-00000213")),
            ("image/", Some("0040-00000212")),
            ("image/format,dng", Some("0040-00000206")),
            ("image/format", Some("0040-00000207")),
            ("image/resize,w_0,h_0", Some("0040-00000321")),
            ("image/rotate,90,200,300", Some("0040-00000203")),
            ("image/rotate,400", None),
            ("image/resize,w_abc", None),
            ("image/crop,x_500", None),
        ] {
            let err = c
                .get_object()
                .bucket(BUCKET)
                .key("photo.png")
                .process(process)
                .send()
                .await
                .unwrap_err();
            let e = err
                .service_error()
                .unwrap_or_else(|| panic!("{process}: {err}"));
            assert_eq!(
                (e.status.as_u16(), e.code.as_str()),
                (400, "InvalidArgument"),
                "{process}"
            );
            if let Some(ec) = ec {
                assert_eq!(e.ec.as_deref(), Some(ec), "{process}");
            }
        }
        // Not an image.
        c.put_object()
            .bucket(BUCKET)
            .key("notes.txt")
            .body("plain text")
            .send()
            .await
            .unwrap();
        let err = c
            .get_object()
            .bucket(BUCKET)
            .key("notes.txt")
            .process("image/resize,w_10")
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some("InvalidArgument"));
    });
}

#[test]
fn process_object_and_async_process_object_save_the_result() {
    let emu = Emulator::start(EmulatorConfig::new(AK, SK)).unwrap();
    runtime().block_on(async {
        let c = sdk_client(&emu);
        setup(&c).await;
        c.put_bucket().bucket("thumbs").send().await.unwrap();
        let key = URL_SAFE_NO_PAD.encode("small/photo.jpg");
        let bucket = URL_SAFE_NO_PAD.encode("thumbs");
        let out = c
            .process_object()
            .bucket(BUCKET)
            .key("photo.png")
            .body(format!(
                "x-oss-process=image/resize,w_50/format,jpg|sys/saveas,o_{key},b_{bucket}"
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(out.bucket.as_deref(), Some("thumbs"));
        assert_eq!(out.object.as_deref(), Some("small/photo.jpg"));
        assert_eq!(out.status.as_deref(), Some("OK"));
        let (meta, body) = c
            .get_object()
            .bucket("thumbs")
            .key("small/photo.jpg")
            .send()
            .await
            .unwrap();
        let bytes = body.collect().await.unwrap();
        assert_eq!(out.file_size, Some(bytes.len() as i64));
        assert_eq!(meta.content_type.as_deref(), Some("image/jpeg"));
        let img = image::load_from_memory(&bytes).unwrap();
        assert_eq!((img.width(), img.height()), (50, 25));

        // Without b_ the result goes to the source bucket.
        let key = URL_SAFE_NO_PAD.encode("rotated.png");
        let out = c
            .async_process_object()
            .bucket(BUCKET)
            .key("photo.png")
            .body(format!(
                "x-oss-async-process=image/rotate,90|sys/saveas,o_{key}"
            ))
            .send()
            .await
            .unwrap();
        assert!(out.task_id.is_some());
        let (_, body) = c
            .get_object()
            .bucket(BUCKET)
            .key("rotated.png")
            .send()
            .await
            .unwrap();
        let img = image::load_from_memory(&body.collect().await.unwrap()).unwrap();
        assert_eq!((img.width(), img.height()), (100, 200));

        // No saveas, or an unsupported action: refused, nothing saved.
        let err = c
            .process_object()
            .bucket(BUCKET)
            .key("photo.png")
            .body("x-oss-process=image/resize,w_50")
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some("InvalidArgument"));
        let key = URL_SAFE_NO_PAD.encode("never.png");
        let err = c
            .process_object()
            .bucket(BUCKET)
            .key("photo.png")
            .body(format!("x-oss-process=image/slim,1|sys/saveas,o_{key}"))
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some("InvalidArgument"));
        assert!(!c.is_object_exist(BUCKET, "never.png").await.unwrap());
    });
}
