//! Image processing (`x-oss-process=image/...`): resize, crop, rotate, format, quality and
//! info, decoded and encoded with the `image` crate (PNG, JPEG, GIF, BMP and WebP only).
//!
//! Actions are separated by `/` and applied in order; each is `name,param,...` with `k_v`
//! parameters (`rotate,<degrees>` and `format,<format>` take one bare value). An unknown
//! action is `InvalidArgument` (EC `0040-00000213`), a missing one EC `0040-00000212`, a
//! bad format EC `0040-00000206`/`0040-00000207`, a resize to 0×0 EC `0040-00000321`;
//! other bad parameters are `InvalidArgument` naming the parameter.
//!
//! Decoding is capped at [`MAX_SIDE`] pixels a side and [`MAX_PIXELS`] pixels in all (a
//! larger image, or a result larger than that, is refused), so a small compressed file
//! cannot make the emulator allocate without bound.

use std::io::Cursor;

use http::StatusCode;
use image::{DynamicImage, ImageFormat, ImageReader, Rgba, RgbaImage};

use crate::error::OssError;

/// The longest side OSS accepts for a processed image.
pub(crate) const MAX_SIDE: u32 = 16_384;
/// The most pixels the emulator decodes or produces.
pub(crate) const MAX_PIXELS: u64 = 40_000_000;

/// A processed image (or the JSON of `info`) and its content type.
#[derive(Debug)]
pub(crate) struct Processed {
    pub(crate) bytes: Vec<u8>,
    pub(crate) content_type: &'static str,
}

fn invalid(message: impl Into<String>) -> OssError {
    OssError::new(StatusCode::BAD_REQUEST, "InvalidArgument", message.into())
}

/// The output formats served, by their OSS names.
fn format_named(name: &str) -> Option<ImageFormat> {
    match name {
        "jpg" | "jpeg" => Some(ImageFormat::Jpeg),
        "png" => Some(ImageFormat::Png),
        "webp" => Some(ImageFormat::WebP),
        "bmp" => Some(ImageFormat::Bmp),
        "gif" => Some(ImageFormat::Gif),
        _ => None,
    }
}

fn format_name(f: ImageFormat) -> &'static str {
    match f {
        ImageFormat::Jpeg => "jpg",
        ImageFormat::Png => "png",
        ImageFormat::WebP => "webp",
        ImageFormat::Bmp => "bmp",
        ImageFormat::Gif => "gif",
        _ => "unknown",
    }
}

fn content_type(f: ImageFormat) -> &'static str {
    match f {
        ImageFormat::Jpeg => "image/jpeg",
        ImageFormat::Png => "image/png",
        ImageFormat::WebP => "image/webp",
        ImageFormat::Bmp => "image/bmp",
        _ => "image/gif",
    }
}

/// `k_v` parameters of an action.
fn params<'a>(action: &str, items: &[&'a str]) -> Result<Vec<(&'a str, &'a str)>, OssError> {
    items
        .iter()
        .map(|p| {
            p.split_once('_')
                .ok_or_else(|| invalid(format!("invalid parameter '{p}' of {action}")))
        })
        .collect()
}

fn number(
    action: &str,
    key: &str,
    value: &str,
    range: std::ops::RangeInclusive<u32>,
) -> Result<u32, OssError> {
    value
        .parse::<u32>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| {
            invalid(format!(
                "{action} parameter {key} must be an integer in [{}, {}], not '{value}'",
                range.start(),
                range.end()
            ))
        })
}

fn check_size(w: u32, h: u32) -> Result<(), OssError> {
    if w == 0 || h == 0 || w > MAX_SIDE || h > MAX_SIDE || u64::from(w) * u64::from(h) > MAX_PIXELS
    {
        return Err(invalid(format!(
            "the resulting image ({w}x{h}) is empty or larger than the emulator allows"
        )));
    }
    Ok(())
}

fn scaled(v: u32, scale: f64) -> u32 {
    // At least one pixel; the caps are checked by the caller.
    ((f64::from(v) * scale).round() as u32).max(1)
}

fn resize(img: DynamicImage, items: &[&str]) -> Result<DynamicImage, OssError> {
    let (ow, oh) = (img.width(), img.height());
    let mut mode = "lfit";
    let (mut w, mut h, mut l, mut s, mut p) = (None, None, None, None, None);
    let mut limit = true;
    let mut color = Rgba([255, 255, 255, 255]);
    for (k, v) in params("resize", items)? {
        match k {
            "m" => match v {
                "lfit" | "mfit" | "fill" | "pad" | "fixed" => mode = v,
                _ => {
                    return Err(invalid(format!(
                        "resize mode m_{v} is not one of lfit, mfit, fill, pad, fixed"
                    )));
                }
            },
            "w" => w = Some(number("resize", k, v, 0..=MAX_SIDE)?),
            "h" => h = Some(number("resize", k, v, 0..=MAX_SIDE)?),
            "l" => l = Some(number("resize", k, v, 1..=MAX_SIDE)?),
            "s" => s = Some(number("resize", k, v, 1..=MAX_SIDE)?),
            "p" => p = Some(number("resize", k, v, 1..=1000)?),
            "limit" => limit = number("resize", k, v, 0..=1)? == 1,
            "color" => {
                let rgb = u32::from_str_radix(v, 16)
                    .ok()
                    .filter(|_| v.len() == 6)
                    .ok_or_else(|| invalid(format!("resize color '{v}' is not RRGGBB")))?;
                let [_, r, g, b] = rgb.to_be_bytes();
                color = Rgba([r, g, b, 255]);
            }
            _ => return Err(invalid(format!("unknown resize parameter '{k}'"))),
        }
    }
    if w == Some(0) && h == Some(0) {
        return Err(invalid("resize width and height are both 0").ec("0040-00000321"));
    }
    let (w, h) = (w.filter(|v| *v > 0), h.filter(|v| *v > 0));
    if let Some(p) = p
        && w.is_none()
        && h.is_none()
        && l.is_none()
        && s.is_none()
    {
        let scale = f64::from(p) / 100.0;
        let (nw, nh) = (scaled(ow, scale), scaled(oh, scale));
        check_size(nw, nh)?;
        return Ok(img.resize_exact(nw, nh, image::imageops::FilterType::Triangle));
    }
    // `l` and `s` name the longer and the shorter side.
    let landscape = ow >= oh;
    let (mut w, mut h) = (w, h);
    if let Some(l) = l {
        if landscape { w = Some(l) } else { h = Some(l) }
    }
    if let Some(s) = s {
        if landscape { h = Some(s) } else { w = Some(s) }
    }
    let (sw, sh) = (
        w.map(|w| f64::from(w) / f64::from(ow)),
        h.map(|h| f64::from(h) / f64::from(oh)),
    );
    let scale = match (mode, sw, sh) {
        (_, None, None) => return Err(invalid("resize needs w, h, l, s or p")),
        ("lfit" | "pad", Some(a), Some(b)) => a.min(b),
        ("mfit" | "fill", Some(a), Some(b)) => a.max(b),
        (_, Some(a), None) | (_, None, Some(a)) => a,
        (_, Some(a), Some(_)) => a, // fixed: both sides are set below
    };
    let target = (
        w.unwrap_or_else(|| scaled(ow, scale)),
        h.unwrap_or_else(|| scaled(oh, scale)),
    );
    let enlarges = match mode {
        "fixed" | "fill" | "pad" => target.0 > ow || target.1 > oh,
        _ => scale > 1.0,
    };
    if limit && enlarges {
        return Ok(img);
    }
    let filter = image::imageops::FilterType::Triangle;
    Ok(match mode {
        "fixed" => {
            check_size(target.0, target.1)?;
            img.resize_exact(target.0, target.1, filter)
        }
        "fill" | "pad" if w.is_some() && h.is_some() => {
            let (nw, nh) = (scaled(ow, scale), scaled(oh, scale));
            check_size(nw, nh)?;
            check_size(target.0, target.1)?;
            let r = img.resize_exact(nw, nh, filter);
            if mode == "fill" {
                let (x, y) = (
                    (nw.saturating_sub(target.0)) / 2,
                    (nh.saturating_sub(target.1)) / 2,
                );
                r.crop_imm(x, y, target.0.min(nw), target.1.min(nh))
            } else {
                let mut canvas = RgbaImage::from_pixel(target.0, target.1, color);
                let (x, y) = (
                    (target.0 - nw.min(target.0)) / 2,
                    (target.1 - nh.min(target.1)) / 2,
                );
                image::imageops::overlay(&mut canvas, &r.to_rgba8(), i64::from(x), i64::from(y));
                DynamicImage::ImageRgba8(canvas)
            }
        }
        _ => {
            let (nw, nh) = (scaled(ow, scale), scaled(oh, scale));
            check_size(nw, nh)?;
            img.resize_exact(nw, nh, filter)
        }
    })
}

fn crop(img: &DynamicImage, items: &[&str]) -> Result<DynamicImage, OssError> {
    let (ow, oh) = (img.width(), img.height());
    let (mut x, mut y, mut w, mut h, mut g) = (0, 0, None, None, "nw");
    for (k, v) in params("crop", items)? {
        match k {
            "x" => x = number("crop", k, v, 0..=MAX_SIDE)?,
            "y" => y = number("crop", k, v, 0..=MAX_SIDE)?,
            "w" => w = Some(number("crop", k, v, 1..=MAX_SIDE)?),
            "h" => h = Some(number("crop", k, v, 1..=MAX_SIDE)?),
            "g" => match v {
                "nw" | "north" | "ne" | "west" | "center" | "east" | "sw" | "south" | "se" => g = v,
                _ => return Err(invalid(format!("crop gravity g_{v} is not valid"))),
            },
            _ => return Err(invalid(format!("unknown crop parameter '{k}'"))),
        }
    }
    let cw = w.unwrap_or(ow).min(ow);
    let ch = h.unwrap_or(oh).min(oh);
    let base_x = match g {
        "north" | "center" | "south" => (ow - cw) / 2,
        "ne" | "east" | "se" => ow - cw,
        _ => 0,
    };
    let base_y = match g {
        "west" | "center" | "east" => (oh - ch) / 2,
        "sw" | "south" | "se" => oh - ch,
        _ => 0,
    };
    let (sx, sy) = (base_x + x, base_y + y);
    if sx >= ow || sy >= oh {
        return Err(invalid(format!(
            "the crop origin ({sx}, {sy}) is outside the {ow}x{oh} image"
        )));
    }
    Ok(img.crop_imm(sx, sy, cw.min(ow - sx), ch.min(oh - sy)))
}

fn rotate(img: DynamicImage, items: &[&str]) -> Result<DynamicImage, OssError> {
    let [deg] = items else {
        return Err(invalid("rotate takes one value, the angle").ec("0040-00000203"));
    };
    let deg = number("rotate", "angle", deg, 0..=360)?;
    Ok(match deg % 360 {
        0 => img,
        90 => img.rotate90(),
        180 => img.rotate180(),
        270 => img.rotate270(),
        d => {
            // Any other angle: the rotated image on a white canvas that holds it (nearest
            // neighbour sampling), clockwise as OSS turns it.
            let src = img.to_rgba8();
            let (w, h) = (f64::from(src.width()), f64::from(src.height()));
            let a = f64::from(d).to_radians();
            let (sin, cos) = (a.sin(), a.cos());
            let nw = (w * cos.abs() + h * sin.abs()).round() as u32;
            let nh = (w * sin.abs() + h * cos.abs()).round() as u32;
            check_size(nw, nh)?;
            let mut out = RgbaImage::from_pixel(nw, nh, Rgba([255, 255, 255, 255]));
            let (cx, cy) = (w / 2.0, h / 2.0);
            let (ncx, ncy) = (f64::from(nw) / 2.0, f64::from(nh) / 2.0);
            for (px, py, pixel) in out.enumerate_pixels_mut() {
                let (dx, dy) = (f64::from(px) + 0.5 - ncx, f64::from(py) + 0.5 - ncy);
                // Inverse of a clockwise turn (y grows downwards).
                let sx = dx * cos + dy * sin + cx;
                let sy = -dx * sin + dy * cos + cy;
                if sx >= 0.0 && sy >= 0.0 && sx < w && sy < h {
                    *pixel = *src.get_pixel(sx as u32, sy as u32);
                }
            }
            DynamicImage::ImageRgba8(out)
        }
    })
}

/// Decodes `data`, refusing what is not a served format or exceeds the caps.
fn decode(data: &[u8]) -> Result<(DynamicImage, ImageFormat), OssError> {
    let not_image = || {
        invalid("the object is not an image the emulator can decode (PNG, JPEG, GIF, BMP, WebP)")
    };
    let reader = ImageReader::new(Cursor::new(data))
        .with_guessed_format()
        .map_err(|_| not_image())?;
    let format = reader.format().ok_or_else(not_image)?;
    if format_named(format_name(format)).is_none() {
        return Err(not_image());
    }
    let mut reader = reader;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_PIXELS * 4);
    reader.limits(limits);
    let img = reader
        .decode()
        .map_err(|e| invalid(format!("the image cannot be decoded: {e}")))?;
    check_size(img.width(), img.height())?;
    Ok((img, format))
}

fn encode(
    img: &DynamicImage,
    format: ImageFormat,
    quality: Option<u8>,
) -> Result<Vec<u8>, OssError> {
    let mut out = Cursor::new(Vec::new());
    let failed = |e: image::ImageError| OssError::internal(format!("cannot encode the image: {e}"));
    match format {
        ImageFormat::Jpeg => {
            let rgb = img.to_rgb8();
            let enc =
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality.unwrap_or(90));
            rgb.write_with_encoder(enc).map_err(failed)?;
        }
        ImageFormat::Gif | ImageFormat::WebP | ImageFormat::Png => {
            DynamicImage::ImageRgba8(img.to_rgba8())
                .write_to(&mut out, format)
                .map_err(failed)?;
        }
        _ => {
            DynamicImage::ImageRgb8(img.to_rgb8())
                .write_to(&mut out, format)
                .map_err(failed)?;
        }
    }
    Ok(out.into_inner())
}

/// Runs the image instructions `spec` (what follows `image/`) over `data`.
pub(crate) fn process(data: &[u8], spec: &str) -> Result<Processed, OssError> {
    let actions: Vec<&str> = spec.split('/').filter(|a| !a.is_empty()).collect();
    if actions.is_empty() {
        return Err(invalid("no image action is given").ec("0040-00000212"));
    }
    let (mut img, source_format) = decode(data)?;
    let mut format = source_format;
    let mut quality = None;
    for (i, action) in actions.iter().enumerate() {
        let mut parts = action.split(',');
        let name = parts.next().unwrap_or_default();
        let items: Vec<&str> = parts.collect();
        match name {
            "resize" => img = resize(img, &items)?,
            "crop" => img = crop(&img, &items)?,
            "rotate" => img = rotate(img, &items)?,
            "format" => {
                let [f] = items.as_slice() else {
                    return Err(invalid("format needs a value").ec("0040-00000207"));
                };
                format = format_named(&f.to_ascii_lowercase()).ok_or_else(|| {
                    invalid(format!(
                        "format '{f}' is not one of jpg, png, webp, bmp, gif"
                    ))
                    .ec("0040-00000206")
                })?;
            }
            "quality" => {
                for (k, v) in params("quality", &items)? {
                    match k {
                        "q" | "Q" => quality = Some(number("quality", k, v, 1..=100)? as u8),
                        _ => return Err(invalid(format!("unknown quality parameter '{k}'"))),
                    }
                }
            }
            "info" => {
                if i + 1 != actions.len() || !items.is_empty() {
                    return Err(invalid("info takes no parameters and comes last"));
                }
                let field = |v: String| serde_json::json!({ "value": v });
                let doc = serde_json::json!({
                    "FileSize": field(data.len().to_string()),
                    "Format": field(format_name(source_format).to_owned()),
                    "ImageHeight": field(img.height().to_string()),
                    "ImageWidth": field(img.width().to_string()),
                });
                return Ok(Processed {
                    bytes: doc.to_string().into_bytes(),
                    content_type: "application/json",
                });
            }
            other => {
                return Err(
                    invalid(format!("the image action '{other}' is not supported"))
                        .ec("0040-00000213"),
                );
            }
        }
    }
    Ok(Processed {
        bytes: encode(&img, format, quality)?,
        content_type: content_type(format),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = RgbaImage::from_fn(w, h, |x, y| {
            Rgba([(x % 256) as u8, (y % 256) as u8, 0, 255])
        });
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgba8(img)
            .write_to(&mut out, ImageFormat::Png)
            .unwrap();
        out.into_inner()
    }

    fn dims(spec: &str) -> (u32, u32) {
        let p = process(&png(200, 100), spec).unwrap();
        let img = image::load_from_memory(&p.bytes).unwrap();
        (img.width(), img.height())
    }

    #[test]
    fn resize_modes() {
        assert_eq!(dims("resize,w_100"), (100, 50));
        assert_eq!(dims("resize,h_20"), (40, 20));
        assert_eq!(dims("resize,m_lfit,w_100,h_100"), (100, 50));
        assert_eq!(dims("resize,m_fill,w_50,h_50"), (50, 50));
        assert_eq!(dims("resize,m_pad,w_50,h_50"), (50, 50));
        assert_eq!(dims("resize,m_fixed,w_30,h_70"), (30, 70));
        assert_eq!(dims("resize,p_50"), (100, 50));
        assert_eq!(dims("resize,l_50"), (50, 25));
        assert_eq!(dims("resize,s_20"), (40, 20));
        // Enlarging is refused by default (limit_1): the original comes back.
        assert_eq!(dims("resize,w_400"), (200, 100));
        assert_eq!(dims("resize,w_400,limit_0"), (400, 200));
    }

    #[test]
    fn crop_rotate_chain() {
        assert_eq!(dims("crop,x_10,y_20,w_50,h_30"), (50, 30));
        assert_eq!(dims("crop,w_300,h_30"), (200, 30));
        assert_eq!(dims("crop,w_50,h_50,g_se"), (50, 50));
        assert_eq!(dims("rotate,90"), (100, 200));
        assert_eq!(dims("rotate,180"), (200, 100));
        assert_eq!(dims("resize,w_100/rotate,270"), (50, 100));
        assert!(process(&png(200, 100), "crop,x_250").is_err());
    }

    #[test]
    fn errors_carry_the_ec() {
        let e = process(&png(4, 4), "slim,1").unwrap_err();
        assert_eq!(Some(e.ec), Some("0040-00000213"));
        let e = process(&png(4, 4), "format,dng").unwrap_err();
        assert_eq!(Some(e.ec), Some("0040-00000206"));
        let e = process(&png(4, 4), "resize,w_0,h_0").unwrap_err();
        assert_eq!(Some(e.ec), Some("0040-00000321"));
        assert!(process(b"not an image", "resize,w_1").is_err());
    }
}
