//! The rest of the reference page: website links, the photo library, media items and the
//! home bundle that gathers them.

use serde_json::{Value, json};

use crate::both;

const SITE: &str = "/api/v1/sites/phuong-chi-minh";

/// (group, [titles]) of a link listing.
fn link_shape(groups: &Value) -> Vec<(String, Vec<String>)> {
    groups
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let titles = g["links"].as_array().unwrap().iter().map(|l| l["title"].as_str().unwrap().to_owned());
            (g["name"].as_str().unwrap().to_owned(), titles.collect())
        })
        .collect()
}

fn owned(groups: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
    groups.iter().map(|(g, t)| (g.to_string(), t.iter().map(|t| t.to_string()).collect())).collect()
}

/// A PNG of `w`×`h` pixels.
fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 64]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

both!(links_come_in_their_groups, |app| {
    let body = app.get_json(&format!("{SITE}/links")).await;
    assert_eq!(
        link_shape(&body["data"]),
        owned(&[
            ("Cơ quan Trung ương", &["Cổng thông tin điện tử Chính phủ", "Cổng Dịch vụ công quốc gia"]),
            ("Tỉnh Hải Dương", &["Cổng thông tin điện tử tỉnh Hải Dương", "Báo Hải Dương"]),
            ("Thành phố Chí Linh", &["Cổng thông tin điện tử thành phố Chí Linh"]),
        ])
    );
    assert_eq!(
        body["data"][0]["links"][1],
        json!({"id": 2, "group": "Cơ quan Trung ương", "title": "Cổng Dịch vụ công quốc gia",
               "url": "https://dichvucong.gov.vn", "position": 2})
    );
    let one = app.get_json(&format!("{SITE}/links/2")).await;
    assert_eq!(one["data"], body["data"][0]["links"][1]);
    assert_eq!(app.get(&format!("{SITE}/links/999")).await.status, 404);
    assert_eq!(app.get(&format!("{SITE}/links/hai")).await.status, 404);
    // Another site's link is not this site's.
    assert_eq!(app.get("/api/v1/sites/xa-le-loi/links/1").await.status, 404);
    assert_eq!(app.get_json("/api/v1/sites/xa-le-loi/links").await["data"], json!([]));
});

both!(editors_add_move_and_remove_links, |app| {
    let staff = app.staff().await;
    let links = format!("{SITE}/links");
    let before = app.get(&links).await;
    let etag = before.header("etag").unwrap().to_owned();
    // Left without a position, a link goes after the site's last; a new group comes last.
    let created = app
        .call(
            "POST",
            &links,
            Some(&staff.editor),
            Some(json!({"group": "Báo chí", "title": "  Báo Nhân Dân ", "url": "https://nhandan.vn"})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", String::from_utf8_lossy(&created.body));
    let link = created.json()["data"].clone();
    assert_eq!(
        link,
        json!({"id": 6, "group": "Báo chí", "title": "Báo Nhân Dân", "url": "https://nhandan.vn", "position": 6})
    );
    assert_eq!(created.header("location"), Some(format!("{links}/6").as_str()));
    // The list is fresh at once (the cached answer was dropped).
    let after = app.get(&links).await;
    assert_ne!(after.header("etag"), Some(etag.as_str()));
    assert_eq!(link_shape(&after.json()["data"]).last().unwrap().0, "Báo chí");
    // Moved to the front, its group comes first.
    let moved = app.call("PATCH", format!("{links}/6"), Some(&staff.editor), Some(json!({"position": 0}))).await;
    assert_eq!(moved.status, 200);
    assert_eq!(moved.json()["data"]["position"], 0);
    assert_eq!(
        link_shape(&app.get_json(&links).await["data"])[0],
        ("Báo chí".to_owned(), vec!["Báo Nhân Dân".to_owned()])
    );
    // Into another group.
    let regrouped =
        app.call("PATCH", format!("{links}/6"), Some(&staff.editor), Some(json!({"group": "Tỉnh Hải Dương"}))).await;
    assert_eq!(regrouped.json()["data"]["group"], "Tỉnh Hải Dương");
    assert_eq!(link_shape(&app.get_json(&links).await["data"]).len(), 3);
    // Every bad field is named.
    let bad = app
        .call("POST", &links, Some(&staff.editor), Some(json!({"title": "", "url": "ftp://a.vn", "position": -1})))
        .await;
    assert_eq!(bad.status, 422);
    let bad = bad.json();
    let fields: Vec<&str> = bad["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["title", "url", "position"]);
    // A link always keeps a title and an address.
    let emptied =
        app.call("PATCH", format!("{links}/6"), Some(&staff.editor), Some(json!({"title": "", "url": ""}))).await;
    assert_eq!(
        emptied.json()["errors"],
        json!([{"field": "title", "message": "must be 1 to 200 characters"}, {"field": "url", "message": "must be an http(s) URL"}])
    );
    let missing = app.call("POST", &links, Some(&staff.editor), Some(json!({"title": "Không có địa chỉ"}))).await;
    assert_eq!(missing.json()["errors"], json!([{"field": "url", "message": "is required"}]));
    let unknown = app
        .call("POST", &links, Some(&staff.editor), Some(json!({"title": "A", "url": "https://a.vn", "href": "x"})))
        .await;
    assert_eq!(unknown.status, 422);
    assert_eq!(unknown.json()["errors"][0]["field"], "body");
    // Removed.
    assert_eq!(app.call("DELETE", format!("{links}/6"), Some(&staff.editor), None).await.status, 204);
    assert_eq!(app.get(&format!("{links}/6")).await.status, 404);
    assert_eq!(app.call("DELETE", format!("{links}/6"), Some(&staff.editor), None).await.status, 404);
    // Another site's editor cannot touch them.
    assert_eq!(app.call("DELETE", format!("{links}/1"), Some(&staff.editor_other), None).await.status, 403);
    assert_eq!(app.get_json(&links).await["data"].as_array().unwrap().len(), 3);
});

both!(the_photo_library_has_the_demo_album, |app| {
    let list = app.get(&format!("{SITE}/albums")).await;
    assert_eq!(list.status, 200);
    assert!(list.header("link").is_some());
    let body = list.json();
    assert_eq!(body["meta"], json!({"page": 1, "per_page": 20, "total": 1, "total_pages": 1}));
    let album = &body["data"][0];
    assert_eq!(album["slug"], "le-hoi-mua-xuan-con-son-kiep-bac");
    assert_eq!(album["published_at"], "2020-02-10T09:00:00+07:00");
    assert_eq!(album["photo_count"], 3);
    assert_eq!(album["cover"]["caption"], "Lễ khai hội mùa xuân Côn Sơn - Kiếp Bạc");
    // The cover, as every photo, carries its text alternative (from the list's one statement too).
    assert_eq!(album["cover"]["alt"], "Ảnh minh họa của bản demo: Lễ khai hội mùa xuân Côn Sơn - Kiếp Bạc");
    let detail = app.get_json(&format!("{SITE}/albums/le-hoi-mua-xuan-con-son-kiep-bac")).await["data"].clone();
    let captions: Vec<&str> =
        detail["photos"].as_array().unwrap().iter().map(|p| p["caption"].as_str().unwrap()).collect();
    assert_eq!(
        captions,
        ["Lễ khai hội mùa xuân Côn Sơn - Kiếp Bạc", "Dâng hương tại đền Kiếp Bạc", "Rước kiệu trong lễ hội"]
    );
    assert_eq!(detail["photos"][0], album["cover"]);
    // The photos are real files: the image and its thumbnail.
    let photo = &detail["photos"][1];
    assert_eq!((photo["width"].clone(), photo["height"].clone()), (json!(800), json!(500)));
    let image = app.get(photo["url"].as_str().unwrap()).await;
    assert_eq!((image.status, image.header("content-type")), (200, Some("image/jpeg")));
    let thumb = app.get(photo["thumbnail_url"].as_str().unwrap()).await;
    let thumb = image::load_from_memory(&thumb.body).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (320, 200));
    assert_eq!(app.get(&format!("{SITE}/albums/khong-co")).await.status, 404);
    assert_eq!(app.get(&format!("{SITE}/albums?per_page=0")).await.status, 400);
});

both!(editors_build_an_album, |app| {
    let staff = app.staff().await;
    let albums = format!("{SITE}/albums");
    let created = app
        .call(
            "POST",
            &albums,
            Some(&staff.editor),
            Some(json!({"title": "Ngày hội Đại đoàn kết", "description": "Khu dân cư Cộng Hòa", "published_at": "2024-11-15"})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", String::from_utf8_lossy(&created.body));
    let album = created.json()["data"].clone();
    assert_eq!(album["slug"], "ngay-hoi-dai-doan-ket");
    assert_eq!(album["published_at"], "2024-11-15T00:00:00+07:00");
    assert_eq!(album["photos"], json!([]));
    let photos = format!("{albums}/ngay-hoi-dai-doan-ket/photos");
    // An uploaded image brings its variants; an image elsewhere is taken as given.
    let upload =
        app.upload(Some(&staff.author), "phuong-chi-minh", "cong-hoa.png", &png(1200, 600)).await.json()["data"]
            .clone();
    let first = app
        .call(
            "POST",
            &photos,
            Some(&staff.editor),
            Some(json!({"upload_id": upload["id"], "caption": "Khai mạc", "alt": " Đại biểu cắt băng khai mạc "})),
        )
        .await;
    assert_eq!(first.status, 201, "{}", String::from_utf8_lossy(&first.body));
    let first = first.json()["data"].clone();
    assert_eq!(first["alt"], "Đại biểu cắt băng khai mạc");
    assert_eq!(first["url"], upload["url"]);
    assert_eq!(first["thumbnail_url"], upload["variants"]["thumbnail"]);
    assert_eq!(first["medium_url"], upload["variants"]["medium"]);
    assert_eq!((first["width"].clone(), first["position"].clone()), (json!(1200), json!(1)));
    let second = app
        .call(
            "POST",
            &photos,
            Some(&staff.editor),
            Some(json!({"image_url": "https://baohaiduong.vn/anh/cong-hoa.jpg", "caption": "Văn nghệ"})),
        )
        .await;
    assert_eq!(second.status, 201);
    let second = second.json()["data"].clone();
    assert_eq!(second["thumbnail_url"], "https://baohaiduong.vn/anh/cong-hoa.jpg");
    assert_eq!((second["width"].clone(), second["position"].clone()), (Value::Null, json!(2)));
    assert_eq!(second["alt"], "");
    let described = app
        .call(
            "PATCH",
            format!("{photos}/{}", second["id"]),
            Some(&staff.editor),
            Some(json!({"alt": "Tiết mục múa quạt"})),
        )
        .await;
    assert_eq!(described.json()["data"]["alt"], "Tiết mục múa quạt");
    let long = app
        .call("PATCH", format!("{photos}/{}", second["id"]), Some(&staff.editor), Some(json!({"alt": "x".repeat(301)})))
        .await;
    assert_eq!(long.json()["errors"], json!([{"field": "alt", "message": "must be 0 to 300 characters"}]));
    // Bad photos, each named.
    let pdf =
        app.upload(Some(&staff.author), "phuong-chi-minh", "a.pdf", b"%PDF-1.4 van ban").await.json()["data"]["id"]
            .clone();
    for (body, field, message) in [
        (json!({"caption": "Không ảnh"}), "upload_id", "is required (or image_url)"),
        (json!({"upload_id": pdf}), "upload_id", "must be an image (JPEG, PNG or WebP)"),
        (
            json!({"upload_id": upload["id"], "image_url": "https://a.vn/b.jpg"}),
            "image_url",
            "give either upload_id or image_url, not both",
        ),
        (json!({"image_url": "javascript:alert(1)"}), "image_url", "must be an http(s) URL or a path starting with /"),
    ] {
        let res = app.call("POST", &photos, Some(&staff.editor), Some(body.clone())).await;
        assert_eq!(res.status, 422, "{body}");
        assert_eq!(res.json()["errors"][0], json!({"field": field, "message": message}), "{body}");
    }
    // A well-formed id of an upload the site does not have clashes with what is stored.
    let res = app.call("POST", &photos, Some(&staff.editor), Some(json!({"upload_id": 99999}))).await;
    assert_eq!(res.status, 409);
    assert_eq!(res.json()["errors"][0], json!({"field": "upload_id", "message": "no upload 99999 in this site"}));
    // Reordered: the cover follows the first photo.
    let moved = app
        .call("PATCH", format!("{photos}/{}", second["id"]), Some(&staff.editor), Some(json!({"position": 0})))
        .await;
    assert_eq!(moved.status, 200);
    let listed = app.get_json(&albums).await;
    assert_eq!(listed["data"][0]["slug"], "ngay-hoi-dai-doan-ket");
    assert_eq!(listed["data"][0]["photo_count"], 2);
    assert_eq!(listed["data"][0]["cover"]["id"], second["id"]);
    assert_eq!(listed["meta"]["total"], 2);
    // A slug is the album's own.
    let clash = app
        .call(
            "PATCH",
            format!("{albums}/ngay-hoi-dai-doan-ket"),
            Some(&staff.editor),
            Some(json!({"slug": "le-hoi-mua-xuan-con-son-kiep-bac"})),
        )
        .await;
    assert_eq!(clash.json()["errors"], json!([{"field": "slug", "message": "is taken by another album of this site"}]));
    let same = app.call("POST", &albums, Some(&staff.editor), Some(json!({"title": "Ngày hội Đại đoàn kết"}))).await;
    assert_eq!(same.json()["data"]["slug"], "ngay-hoi-dai-doan-ket-2");
    // Photos go one by one, and with their album.
    assert_eq!(app.call("DELETE", format!("{photos}/{}", first["id"]), Some(&staff.editor), None).await.status, 204);
    assert_eq!(
        app.get_json(&format!("{albums}/ngay-hoi-dai-doan-ket")).await["data"]["photos"].as_array().unwrap().len(),
        1
    );
    assert_eq!(
        app.call("DELETE", format!("{albums}/ngay-hoi-dai-doan-ket"), Some(&staff.editor), None).await.status,
        204
    );
    assert_eq!(app.get(&format!("{albums}/ngay-hoi-dai-doan-ket")).await.status, 404);
    assert_eq!(
        app.call("PATCH", format!("{photos}/{}", second["id"]), Some(&staff.editor), Some(json!({"caption": "x"})))
            .await
            .status,
        404
    );
    use diesel::prelude::*;
    let left: i64 = portal::db::schema::photos::table.count().get_result(&mut *app.conn()).unwrap();
    assert_eq!(left, 3, "only the demo album's photos are left");
});

both!(media_items_play_a_file_or_an_embed, |app| {
    let staff = app.staff().await;
    let media = format!("{SITE}/media");
    let demo = app.get_json(&format!("{media}/hat-ve-chi-linh")).await["data"].clone();
    assert_eq!(demo["title"], "Hát về Chí Linh");
    assert_eq!((demo["kind"].clone(), demo["file_url"].clone()), (json!("video"), Value::Null));
    assert_eq!(demo["published_at"], "2019-09-02T08:00:00+07:00");
    // An uploaded song: its kind and type come from the file.
    let mp3 = app
        .upload(Some(&staff.author), "phuong-chi-minh", "que-huong.mp3", b"ID3\x04\x00\x00\x00\x00\x00\x00 bai hat")
        .await;
    assert_eq!(mp3.status, 201, "{}", String::from_utf8_lossy(&mp3.body));
    let mp3 = mp3.json()["data"].clone();
    assert_eq!(mp3["content_type"], "audio/mpeg");
    let song = app
        .call("POST", &media, Some(&staff.editor), Some(json!({"title": "Quê hương Chí Linh", "upload_id": mp3["id"], "published_at": "2024-01-01T08:00:00+07:00"})))
        .await;
    assert_eq!(song.status, 201, "{}", String::from_utf8_lossy(&song.body));
    let song = song.json()["data"].clone();
    assert_eq!(
        (song["kind"].clone(), song["file_url"].clone(), song["content_type"].clone(), song["embed_url"].clone()),
        (json!("audio"), mp3["url"].clone(), json!("audio/mpeg"), Value::Null)
    );
    // Its words as text, for those who cannot hear it.
    assert_eq!(song["transcript"], "");
    let lyrics = "Quê hương tôi có con sông xanh biếc...";
    let transcribed = app
        .call("PATCH", format!("{media}/que-huong-chi-linh"), Some(&staff.editor), Some(json!({"transcript": lyrics})))
        .await;
    assert_eq!(transcribed.status, 200);
    assert_eq!(app.get_json(&format!("{media}/que-huong-chi-linh")).await["data"]["transcript"], lyrics);
    // The file plays inline (not as a download), in parts.
    let file = app.call_with("GET", mp3["url"].as_str().unwrap(), None, None, &[("range", "bytes=0-2")]).await;
    assert_eq!((file.status, &file.body[..]), (206, &b"ID3"[..]));
    assert!(file.header("content-disposition").unwrap().starts_with("inline"));
    // Newest first; one kind at a time.
    let all = app.get_json(&media).await;
    let slugs: Vec<&str> = all["data"].as_array().unwrap().iter().map(|m| m["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["que-huong-chi-linh", "hat-ve-chi-linh"]);
    assert_eq!(app.get_json(&format!("{media}?kind=video")).await["meta"]["total"], 1);
    let bad_kind = app.get(&format!("{media}?kind=photo")).await;
    assert_eq!(bad_kind.status, 400);
    assert_eq!(bad_kind.json()["errors"], json!([{"field": "kind", "message": "must be video or audio"}]));
    // Bad items, each named.
    for (body, field, message) in [
        (json!({"title": "A", "kind": "video"}), "embed_url", "one of upload_id, file_url or embed_url is required"),
        (json!({"title": "A", "kind": "video", "embed_url": "http://a.vn/x"}), "embed_url", "must be an https URL"),
        (json!({"title": "A", "embed_url": "https://a.vn/x"}), "kind", "is required (video or audio)"),
        (json!({"title": "A", "kind": "film", "embed_url": "https://a.vn/x"}), "kind", "must be video or audio"),
        (
            json!({"title": "A", "kind": "video", "embed_url": "https://a.vn/x", "file_url": "https://a.vn/x.mp4"}),
            "embed_url",
            "give only one of upload_id, file_url and embed_url",
        ),
        (
            json!({"title": "A", "upload_id": app.upload(Some(&staff.author), "phuong-chi-minh", "a.png", &png(4, 4)).await.json()["data"]["id"]}),
            "upload_id",
            "must be an audio or video file",
        ),
        (
            json!({"title": "A", "kind": "audio", "file_url": "/x.mp3", "duration_seconds": -5}),
            "duration_seconds",
            "must be from 0 to 86400",
        ),
    ] {
        let res = app.call("POST", &media, Some(&staff.editor), Some(body.clone())).await;
        assert_eq!(res.status, 422, "{body}");
        assert_eq!(res.json()["errors"][0], json!({"field": field, "message": message}), "{body}");
    }
    // A new source replaces the old one.
    let swapped = app
        .call(
            "PATCH",
            format!("{media}/que-huong-chi-linh"),
            Some(&staff.editor),
            Some(json!({"embed_url": "https://www.youtube.com/embed/que-huong"})),
        )
        .await;
    assert_eq!(swapped.status, 200);
    let swapped = swapped.json()["data"].clone();
    assert_eq!((swapped["file_url"].clone(), swapped["content_type"].clone()), (Value::Null, Value::Null));
    assert_eq!(swapped["embed_url"], "https://www.youtube.com/embed/que-huong");
    assert_eq!(app.call("DELETE", format!("{media}/que-huong-chi-linh"), Some(&staff.editor), None).await.status, 204);
    assert_eq!(app.get_json(&media).await["meta"]["total"], 1);
});

both!(the_home_bundle_gathers_the_page, |app| {
    let res = app.get(&format!("{SITE}/home")).await;
    assert_eq!(res.status, 200);
    let home = res.json()["data"].clone();
    let keys: Vec<&String> = home.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["albums", "categories", "desk", "header_menu", "latest_articles", "links", "media", "site"]);
    assert_eq!(home["site"]["slug"], "phuong-chi-minh");
    assert_eq!(home["categories"], app.get_json(&format!("{SITE}/categories")).await["data"]);
    assert_eq!(home["latest_articles"], app.get_json(&format!("{SITE}/articles?per_page=10")).await["data"]);
    assert_eq!(home["albums"], app.get_json(&format!("{SITE}/albums")).await["data"]);
    assert_eq!(home["media"], app.get_json(&format!("{SITE}/media")).await["data"]);
    assert_eq!(home["links"], app.get_json(&format!("{SITE}/links")).await["data"]);
    assert_eq!(home["desk"], app.get_json(&format!("{SITE}/desk")).await["data"]);
    // Cached and revalidated like every public read; a write under the site refreshes it.
    let etag = res.header("etag").unwrap().to_owned();
    assert_eq!(app.call_with("GET", format!("{SITE}/home"), None, None, &[("if-none-match", &etag)]).await.status, 304);
    let staff = app.staff().await;
    let link = app
        .call(
            "POST",
            format!("{SITE}/links"),
            Some(&staff.editor),
            Some(json!({"title": "Mới", "url": "https://a.vn"})),
        )
        .await;
    assert_eq!(link.status, 201);
    let fresh = app.call_with("GET", format!("{SITE}/home"), None, None, &[("if-none-match", &etag)]).await;
    assert_eq!(fresh.status, 200);
    assert_eq!(fresh.json()["data"]["links"].as_array().unwrap().last().unwrap()["links"][0]["title"], "Mới");
    // The second ward has no library yet: empty lists, not errors.
    let other = app.get_json("/api/v1/sites/xa-le-loi/home").await["data"].clone();
    assert_eq!(
        (other["albums"].clone(), other["media"].clone(), other["links"].clone()),
        (json!([]), json!([]), json!([]))
    );
    assert_eq!(app.get("/api/v1/sites/khong-co/home").await.status, 404);
});
