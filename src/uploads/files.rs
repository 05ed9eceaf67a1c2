//! Uploaded files on disk: their type read from the bytes, images bounded and decoded on a
//! pool of their own with their variants, everything written atomically under its hash.

use std::io::Cursor;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::core::error::ApiError;

/// The URL path under which stored files are served.
pub const PUBLIC_PREFIX: &str = "/uploads";
/// The box a thumbnail fits in, in pixels.
pub const THUMBNAIL: u32 = 320;
/// The box a medium variant fits in, in pixels.
pub const MEDIUM: u32 = 1024;
/// The largest image side accepted, in pixels.
pub const MAX_IMAGE_SIDE: u32 = 20_000;
/// The most pixels an image may have: a 50-megapixel photo (8660×5773, say). Decoded, that is
/// 150-200 MB; a PNG of 12000×12000 fits in 420 KB of file and would take 600 MB.
pub const MAX_PIXELS: u64 = 50_000_000;
/// The most memory one decoder may ask for.
pub(super) const MAX_DECODE_BYTES: u64 = 400 * 1024 * 1024;

/// Where images are decoded: a few threads of their own, one job each at a time, apart from
/// the blocking pool the database work runs on, so that uploads cannot make reads wait, and a
/// bound on how many images are in memory at once.
pub struct ImagePool {
    permits: std::sync::Arc<tokio::sync::Semaphore>,
    /// Images decoded since start (for tests and `/metrics`).
    pub decoded: std::sync::atomic::AtomicU64,
}

impl ImagePool {
    /// A pool decoding `threads` images at once.
    pub fn new(threads: usize) -> Self {
        ImagePool {
            permits: std::sync::Arc::new(tokio::sync::Semaphore::new(threads.max(1))),
            decoded: Default::default(),
        }
    }

    /// Runs `f` on a thread of the pool once one is free.
    pub(super) async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let permit = self.permits.clone().acquire_owned().await.map_err(|_| ApiError::internal("image pool closed"))?;
        let (tx, rx) = tokio::sync::oneshot::channel();
        std::thread::Builder::new()
            .name("image-decode".into())
            .spawn(move || {
                let _permit = permit;
                let _ = tx.send(std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)));
            })
            .map_err(|e| ApiError::internal(format!("starting an image decoder: {e}")))?;
        self.decoded.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        match rx.await {
            Ok(Ok(result)) => result,
            _ => Err(ApiError::internal("an image decoder failed")),
        }
    }
}

/// A type of file accepted, recognised from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    pub content_type: &'static str,
    pub ext: &'static str,
    /// Set for the images we decode (to check them and read their size) and resize (but
    /// GIFs, whose animation a still would lose).
    pub image: Option<image::ImageFormat>,
}

pub(super) const JPEG: Kind = Kind { content_type: "image/jpeg", ext: "jpg", image: Some(image::ImageFormat::Jpeg) };
pub(super) const PNG: Kind = Kind { content_type: "image/png", ext: "png", image: Some(image::ImageFormat::Png) };
pub(super) const WEBP: Kind = Kind { content_type: "image/webp", ext: "webp", image: Some(image::ImageFormat::WebP) };
pub(super) const GIF: Kind = Kind { content_type: "image/gif", ext: "gif", image: Some(image::ImageFormat::Gif) };
pub(super) const PDF: Kind = Kind { content_type: "application/pdf", ext: "pdf", image: None };
pub(super) const DOCX: Kind = Kind {
    content_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ext: "docx",
    image: None,
};
pub(super) const XLSX: Kind = Kind {
    content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ext: "xlsx",
    image: None,
};
pub(super) const PPTX: Kind = Kind {
    content_type: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ext: "pptx",
    image: None,
};
pub(super) const DOC: Kind = Kind { content_type: "application/msword", ext: "doc", image: None };
pub(super) const XLS: Kind = Kind { content_type: "application/vnd.ms-excel", ext: "xls", image: None };
pub(super) const MP4: Kind = Kind { content_type: "video/mp4", ext: "mp4", image: None };
pub(super) const M4A: Kind = Kind { content_type: "audio/mp4", ext: "m4a", image: None };
pub(super) const MP3: Kind = Kind { content_type: "audio/mpeg", ext: "mp3", image: None };
pub(super) const WEBM: Kind = Kind { content_type: "video/webm", ext: "webm", image: None };
pub(super) const OGG: Kind = Kind { content_type: "audio/ogg", ext: "ogg", image: None };

/// Every extension a stored file can have.
pub(super) const EXTENSIONS: &[&str] =
    &["jpg", "png", "webp", "gif", "pdf", "docx", "xlsx", "pptx", "doc", "xls", "mp4", "m4a", "mp3", "webm", "ogg"];
/// The extensions a browser shows or plays itself; the others are served as attachments.
pub(super) const INLINE: &[&str] = &["jpg", "png", "webp", "gif", "pdf", "mp4", "m4a", "mp3", "webm", "ogg"];

/// What the bytes are, or `None` for a type not accepted. The name only tells apart the old
/// Office formats, which share one container.
pub fn sniff(bytes: &[u8], name: &str) -> Option<Kind> {
    let contains = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(JPEG)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(PNG)
    } else if bytes.len() > 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some(WEBP)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(GIF)
    } else if bytes.starts_with(b"%PDF-") {
        Some(PDF)
    } else if bytes.starts_with(b"PK\x03\x04") {
        if contains(b"word/") {
            Some(DOCX)
        } else if contains(b"xl/") {
            Some(XLSX)
        } else if contains(b"ppt/") {
            Some(PPTX)
        } else {
            None
        }
    } else if bytes.len() > 12 && &bytes[4..8] == b"ftyp" {
        // ISO media: the brand tells audio from video, and MP4 from the other formats of the
        // family (HEIC, AVIF, QuickTime...), which are not accepted.
        match &bytes[8..12] {
            b"M4A " | b"M4B " => Some(M4A),
            b"isom" | b"iso2" | b"iso4" | b"iso5" | b"iso6" | b"mp41" | b"mp42" | b"avc1" | b"dash" | b"M4V " => {
                Some(MP4)
            }
            _ => None,
        }
    } else if bytes.starts_with(b"ID3") || (bytes.len() > 2 && bytes[0] == 0xFF && bytes[1] & 0xE6 == 0xE2) {
        Some(MP3)
    } else if bytes.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        Some(WEBM)
    } else if bytes.starts_with(b"OggS") {
        Some(OGG)
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        if name.to_lowercase().ends_with(".xls") { Some(XLS) } else { Some(DOC) }
    } else {
        None
    }
}

/// A file checked and stored on disk, before its row is written.
pub(super) struct Stored {
    pub(super) sha256: String,
    pub(super) file_name: String,
    pub(super) kind: Kind,
    pub(super) size: usize,
    pub(super) width: Option<u32>,
    pub(super) height: Option<u32>,
    pub(super) thumbnail: Option<String>,
    pub(super) medium: Option<String>,
}

/// Writes `bytes` under `dir` atomically (a temporary file renamed into place).
pub(super) fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let target = dir.join(&name[..2]);
    std::fs::create_dir_all(&target)?;
    let final_path = target.join(name);
    if final_path.exists() {
        return Ok(());
    }
    let tmp = target.join(format!(".{name}.{:x}.tmp", rand::random::<u64>()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, &final_path)
}

/// The SHA-256 of `bytes`, in hex: the name a file is stored under.
pub(super) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// 422 naming `file`.
pub(super) fn bad_file(message: impl Into<String>) -> ApiError {
    ApiError::Validation(vec![crate::http::field_error("file", message)])
}

/// Checks, measures and stores a file (hashed `sha256`) and its variants. An image's size is
/// read from its header first: one of more than [`MAX_PIXELS`] is refused before it is
/// decoded, and decoding is bounded by [`MAX_DECODE_BYTES`].
pub(super) fn store(dir: &Path, bytes: &[u8], kind: Kind, sha256: String) -> Result<Stored, ApiError> {
    let file_name = format!("{sha256}.{}", kind.ext);
    let io = |e: std::io::Error| ApiError::internal(format!("storing an upload: {e}"));
    let mut stored =
        Stored { sha256, file_name, kind, size: bytes.len(), width: None, height: None, thumbnail: None, medium: None };
    if let Some(format) = kind.image {
        let unreadable = |e: image::ImageError| bad_file(format!("not a readable image: {e}"));
        let reader = || {
            let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
            let mut limits = image::Limits::default();
            limits.max_image_width = Some(MAX_IMAGE_SIDE);
            limits.max_image_height = Some(MAX_IMAGE_SIDE);
            limits.max_alloc = Some(MAX_DECODE_BYTES);
            reader.limits(limits);
            reader
        };
        let (width, height) = reader().into_dimensions().map_err(unreadable)?;
        if u64::from(width) * u64::from(height) > MAX_PIXELS {
            return Err(bad_file(format!(
                "is {width}×{height} pixels; images may have at most {MAX_PIXELS} pixels (8660×5773, say)"
            )));
        }
        let img = reader().decode().map_err(unreadable)?;
        stored.width = Some(img.width());
        stored.height = Some(img.height());
        let variants: &[(u32, &str)] =
            if format == image::ImageFormat::Gif { &[] } else { &[(THUMBNAIL, "thumb"), (MEDIUM, "medium")] };
        for &(bound, suffix) in variants {
            if img.width() <= bound && img.height() <= bound {
                continue;
            }
            let small = img.resize(bound, bound, image::imageops::FilterType::Triangle);
            let mut out = Cursor::new(Vec::new());
            // JPEG has no alpha channel.
            let small = if format == image::ImageFormat::Jpeg {
                image::DynamicImage::ImageRgb8(small.to_rgb8())
            } else {
                small
            };
            small.write_to(&mut out, format).map_err(|e| ApiError::internal(format!("resizing an upload: {e}")))?;
            let name = format!("{}-{suffix}.{}", stored.sha256, kind.ext);
            write_atomically(dir, &name, out.get_ref()).map_err(io)?;
            if suffix == "thumb" {
                stored.thumbnail = Some(name);
            } else {
                stored.medium = Some(name);
            }
        }
    }
    write_atomically(dir, &stored.file_name, bytes).map_err(io)?;
    Ok(stored)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest", "a.pdf"), Some(JPEG));
        assert_eq!(sniff(b"%PDF-1.7 ...", "photo.jpg"), Some(PDF));
        assert_eq!(sniff(b"<script>alert(1)</script>", "photo.jpg"), None);
        assert_eq!(sniff(b"PK\x03\x04....word/document.xml", "x.zip"), Some(DOCX));
        assert_eq!(sniff(b"PK\x03\x04....evil.exe", "x.docx"), None);
        assert_eq!(sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ", "a"), Some(WEBP));
        assert_eq!(sniff(b"\x00\x00\x00\x20ftypisom\x00\x00", "a.mp3"), Some(MP4));
        assert_eq!(sniff(b"\x00\x00\x00\x20ftypM4A \x00\x00", "a"), Some(M4A));
        assert_eq!(sniff(b"\x00\x00\x00\x20ftypheic\x00\x00", "a.mp4"), None);
        assert_eq!(sniff(b"\x00\x00\x00\x20ftypqt  \x00\x00", "a.mp4"), None);
        assert_eq!(sniff(b"ID3\x04\x00\x00", "a"), Some(MP3));
        assert_eq!(sniff(b"\xFF\xFB\x90\x64", "a"), Some(MP3));
        assert_eq!(sniff(b"\x1A\x45\xDF\xA3\x9F", "a"), Some(WEBM));
        assert_eq!(sniff(b"OggS\x00\x02", "a"), Some(OGG));
    }
}
