//! Uploads: typed by bytes, stored by hash, served with cache headers and ranges.

use serde_json::json;

use crate::both;
use crate::helpers::{Backend, spawn_with};

/// A PNG of `w`×`h` pixels.
fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

both!(an_image_is_measured_resized_and_served, |app| {
    let staff = app.staff().await;
    let bytes = png(1600, 900);
    let res = app.upload(Some(&staff.author), "phuong-chi-minh", "ngày hội.png", &bytes).await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    let up = res.json()["data"].clone();
    assert_eq!(res.header("location"), up["url"].as_str());
    assert_eq!((up["width"].clone(), up["height"].clone()), (json!(1600), json!(900)));
    assert_eq!(up["content_type"], "image/png");
    assert_eq!(up["size_bytes"], bytes.len());
    assert_eq!(up["original_name"], "ngày hội.png");
    let url = up["url"].as_str().unwrap();
    assert!(url.starts_with("/uploads/") && url.ends_with(".png"), "{url}");
    // The file as uploaded, with its type and cache headers.
    let file = app.get(url).await;
    assert_eq!(file.status, 200);
    assert_eq!(file.header("content-type"), Some("image/png"));
    assert_eq!(file.header("cache-control"), Some("public, max-age=31536000, immutable"));
    assert_eq!(file.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(&file.body[..], &bytes[..]);
    // Range support.
    let part = app.call_with("GET", url, None, None, &[("range", "bytes=0-7")]).await;
    assert_eq!(part.status, 206);
    assert_eq!(part.header("content-range"), Some(format!("bytes 0-7/{}", bytes.len()).as_str()));
    assert_eq!(&part.body[..], b"\x89PNG\r\n\x1a\n");
    let outside = app.call_with("GET", url, None, None, &[("range", "bytes=99999999-")]).await;
    assert_eq!(outside.status, 416);
    assert_eq!(outside.json()["type"], "/problems/range-not-satisfiable");
    // The variants fit their boxes and keep the proportions.
    for (key, w, h) in [("thumbnail", 320, 180), ("medium", 1024, 576)] {
        let variant = app.get(up["variants"][key].as_str().unwrap()).await;
        assert_eq!(variant.status, 200, "{key}");
        let img = image::load_from_memory(&variant.body).unwrap();
        assert_eq!((img.width(), img.height()), (w, h), "{key}");
    }
    // The same file again is the same upload.
    let again = app.upload(Some(&staff.editor), "phuong-chi-minh", "khac.png", &bytes).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.json()["data"]["id"], up["id"]);
    let list = app.call("GET", "/api/v1/sites/phuong-chi-minh/uploads", Some(&staff.author), None).await.json();
    assert_eq!(list["meta"]["total"], 5, "the demo album's three photos, the file of plan 09-KH/ĐU and this one");
});

both!(types_come_from_the_bytes_not_the_name, |app| {
    let staff = app.staff().await;
    let disguised = app.upload(Some(&staff.author), "phuong-chi-minh", "bao-cao.pdf", &png(10, 10)).await;
    assert_eq!(disguised.status, 201);
    assert_eq!(disguised.json()["data"]["content_type"], "image/png");
    assert_eq!(
        disguised.json()["data"]["variants"]["thumbnail"],
        disguised.json()["data"]["url"],
        "small images are their own variants"
    );
    let html =
        app.upload(Some(&staff.author), "phuong-chi-minh", "anh.jpg", b"<html><script>alert(1)</script></html>").await;
    assert_eq!(html.status, 415);
    assert_eq!(html.json()["type"], "/problems/unsupported-media-type");
    let broken = app.upload(Some(&staff.author), "phuong-chi-minh", "anh.png", b"\x89PNG\r\n\x1a\nnot really").await;
    assert_eq!(broken.status, 422);
    let doc = app
        .upload(Some(&staff.author), "phuong-chi-minh", "to-trinh.docx", b"PK\x03\x04\x14\x00word/document.xml")
        .await;
    assert_eq!(doc.status, 201);
    let url = doc.json()["data"]["url"].as_str().unwrap().to_owned();
    let served = app.get(&url).await;
    assert_eq!(
        served.header("content-type"),
        Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    );
    assert!(served.header("content-disposition").unwrap().starts_with("attachment"));
});

both!(bad_upload_requests_are_problems, |app| {
    let staff = app.staff().await;
    let json_body = app
        .call("POST", "/api/v1/sites/phuong-chi-minh/uploads", Some(&staff.author), Some(json!({"file": "x"})))
        .await;
    assert_eq!(json_body.status, 415);
    let (content_type, body) = crate::helpers::multipart("other", "a.pdf", b"%PDF-1.4");
    let req = actix_web::test::TestRequest::post()
        .uri("/api/v1/sites/phuong-chi-minh/uploads")
        .insert_header(("content-type", content_type))
        .insert_header(("authorization", format!("Bearer {}", staff.author)))
        .set_payload(body);
    let missing = app.send(req).await;
    assert_eq!(missing.status, 422);
    assert_eq!(missing.json()["errors"][0]["field"], "file");
    for path in
        ["/uploads/../Cargo.toml", "/uploads/aa/../../Cargo.toml", &format!("/uploads/ab/ab{}.jpg", "0".repeat(62))]
    {
        assert_eq!(app.get(path).await.status, 404, "{path}");
    }
});

async fn too_large(backend: Backend) {
    let Some(app) = spawn_with(backend, |s| s.upload_max_bytes = 4096).await else {
        return;
    };
    let staff = app.staff().await;
    let mut pdf = b"%PDF-1.4\n".to_vec();
    pdf.extend(std::iter::repeat_n(b'x', 5000));
    let res = app.upload(Some(&staff.author), "phuong-chi-minh", "lon.pdf", &pdf).await;
    assert_eq!(res.status, 413);
    assert_eq!(res.json()["type"], "/problems/payload-too-large");
}

#[actix_web::test]
async fn uploads_over_the_limit_are_413_sqlite() {
    too_large(Backend::Sqlite).await;
}

#[actix_web::test]
async fn uploads_over_the_limit_are_413_postgres() {
    too_large(Backend::Postgres).await;
}

both!(staff_describe_an_upload_for_screen_readers, |app| {
    let staff = app.staff().await;
    let up = app.upload(Some(&staff.author), "phuong-chi-minh", "ngay-hoi.png", &png(40, 30)).await;
    assert_eq!(up.status, 201);
    let up = up.json()["data"].clone();
    assert_eq!(up["alt"], "");
    let uri = format!("/api/v1/sites/phuong-chi-minh/uploads/{}", up["id"]);
    let alt = "Nhân dân tổ dân phố dự Ngày hội Đại đoàn kết";
    let saved = app.call("PATCH", &uri, Some(&staff.author), Some(json!({"alt": format!(" {alt} ")}))).await;
    assert_eq!(saved.status, 200, "{}", String::from_utf8_lossy(&saved.body));
    assert_eq!(saved.json()["data"]["alt"], alt);
    let list = app.call("GET", "/api/v1/sites/phuong-chi-minh/uploads", Some(&staff.author), None).await.json();
    assert_eq!(list["data"][0]["alt"], alt);
    let long = app.call("PATCH", &uri, Some(&staff.author), Some(json!({"alt": "x".repeat(301)}))).await;
    assert_eq!(long.json()["errors"], json!([{"field": "alt", "message": "must be 0 to 300 characters"}]));
    assert_eq!(app.call("PATCH", &uri, None, Some(json!({"alt": "x"}))).await.status, 401);
    assert_eq!(app.call("PATCH", &uri, Some(&staff.author_other), Some(json!({"alt": "x"}))).await.status, 403);
    let elsewhere = format!("/api/v1/sites/xa-le-loi/uploads/{}", up["id"]);
    assert_eq!(app.call("PATCH", &elsewhere, Some(&staff.admin), Some(json!({"alt": "x"}))).await.status, 404);
    // A photo made from the upload takes its alt text unless it is given its own.
    let album = app
        .call("POST", "/api/v1/sites/phuong-chi-minh/albums", Some(&staff.editor), Some(json!({"title": "Ngày hội"})))
        .await;
    let photos =
        format!("/api/v1/sites/phuong-chi-minh/albums/{}/photos", album.json()["data"]["slug"].as_str().unwrap());
    let taken = app.call("POST", &photos, Some(&staff.editor), Some(json!({"upload_id": up["id"]}))).await;
    assert_eq!((taken.status, taken.json()["data"]["alt"].as_str()), (201, Some(alt)));
    let own = app.call("POST", &photos, Some(&staff.editor), Some(json!({"upload_id": up["id"], "alt": ""}))).await;
    assert_eq!((own.status, own.json()["data"]["alt"].as_str()), (201, Some("")));
});
