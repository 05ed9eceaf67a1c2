//! Writing through the API: who may do what (one table for every write route), the workflow,
//! If-Match, revisions and sanitising.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::both;

const ARTICLES: &str = "/api/v1/sites/phuong-chi-minh/articles";
const CATEGORIES: &str = "/api/v1/sites/phuong-chi-minh/categories";

/// What a route needs to exist before it is called.
#[derive(Clone, Copy)]
enum Setup {
    Nothing,
    /// A draft written by the site's author.
    Draft,
    Published,
    Trashed,
    Category,
    Link,
    Official,
    Document,
    Entry,
    Disclosure,
    Page,
    /// An image uploaded by the site's admin.
    Upload,
    Album,
    /// A photo in a new album.
    Photo,
    Media,
    Procedure,
    /// A dossier just received.
    Dossier,
    Holiday,
}

/// The callers of the matrix, in the order of each row's expected statuses.
const CALLERS: [&str; 6] =
    ["anonymous", "author of another site", "author", "editor of another site", "editor", "admin"];

/// Every write route (and every staff-only read) with the status each caller gets.
/// (method, path as documented, setup, body, status for each of [`CALLERS`])
type Case = (&'static str, &'static str, Setup, Option<Value>, [u16; 6]);

fn matrix() -> Vec<Case> {
    let body = json!({"title": "Bài mới của phường", "category": "tin-trong-phuong"});
    vec![
        (
            "PATCH",
            "/api/v1/sites/{site}",
            Setup::Nothing,
            Some(json!({"phone": "0220 3882 000"})),
            [401, 403, 403, 403, 200, 200],
        ),
        ("POST", "/api/v1/sites/{site}/articles", Setup::Nothing, Some(body), [401, 403, 201, 403, 201, 201]),
        (
            "PATCH",
            "/api/v1/sites/{site}/articles/{article}",
            Setup::Draft,
            Some(json!({"summary": "Tóm tắt"})),
            [401, 403, 200, 403, 200, 200],
        ),
        ("POST", "/api/v1/sites/{site}/articles/{article}/submit", Setup::Draft, None, [401, 403, 200, 403, 200, 200]),
        ("POST", "/api/v1/sites/{site}/articles/{article}/publish", Setup::Draft, None, [401, 403, 403, 403, 200, 200]),
        (
            "POST",
            "/api/v1/sites/{site}/articles/{article}/unpublish",
            Setup::Published,
            None,
            [401, 403, 403, 403, 200, 200],
        ),
        ("POST", "/api/v1/sites/{site}/articles/{article}/trash", Setup::Draft, None, [401, 403, 200, 403, 200, 200]),
        (
            "POST",
            "/api/v1/sites/{site}/articles/{article}/restore",
            Setup::Trashed,
            None,
            [401, 403, 403, 403, 200, 200],
        ),
        (
            "PUT",
            "/api/v1/sites/{site}/articles/{article}/related",
            Setup::Draft,
            Some(json!({"article_ids": [2, 3]})),
            [401, 403, 403, 403, 200, 200],
        ),
        (
            "GET",
            "/api/v1/sites/{site}/articles/{article}/revisions",
            Setup::Draft,
            None,
            [401, 403, 200, 403, 200, 200],
        ),
        (
            "POST",
            "/api/v1/sites/{site}/articles/{article}/revisions/{revision}/restore",
            Setup::Draft,
            None,
            [401, 403, 200, 403, 200, 200],
        ),
        (
            "POST",
            "/api/v1/sites/{site}/categories",
            Setup::Nothing,
            Some(json!({"name": "Chuyên mục mới"})),
            [401, 403, 403, 403, 201, 201],
        ),
        (
            "PATCH",
            "/api/v1/sites/{site}/categories/{slug}",
            Setup::Category,
            Some(json!({"description": "Mô tả"})),
            [401, 403, 403, 403, 200, 200],
        ),
        ("DELETE", "/api/v1/sites/{site}/categories/{slug}", Setup::Category, None, [401, 403, 403, 403, 204, 204]),
        ("GET", "/api/v1/audit", Setup::Nothing, None, [401, 403, 403, 403, 403, 200]),
        (
            "PUT",
            "/api/v1/sites/{site}/visits/imported-total",
            Setup::Nothing,
            Some(json!({"imported_total": 169486})),
            [401, 403, 403, 403, 403, 200],
        ),
        ("POST", "/api/v1/sites/{site}/uploads", Setup::Nothing, None, [401, 403, 201, 403, 201, 201]),
        ("GET", "/api/v1/sites/{site}/uploads", Setup::Nothing, None, [401, 403, 200, 403, 200, 200]),
        (
            "PATCH",
            "/api/v1/sites/{site}/uploads/{upload}",
            Setup::Upload,
            Some(json!({"alt": "Ảnh trụ sở UBND phường"})),
            [401, 403, 200, 403, 200, 200],
        ),
        (
            "POST",
            "/api/v1/sites/{site}/links",
            Setup::Nothing,
            Some(json!({"title": "Báo Hải Dương", "url": "https://baohaiduong.vn"})),
            [401, 403, 403, 403, 201, 201],
        ),
        (
            "PATCH",
            "/api/v1/sites/{site}/links/{link}",
            Setup::Link,
            Some(json!({"group": "Báo chí"})),
            [401, 403, 403, 403, 200, 200],
        ),
        ("DELETE", "/api/v1/sites/{site}/links/{link}", Setup::Link, None, [401, 403, 403, 403, 204, 204]),
        (
            "POST",
            "/api/v1/sites/{site}/officials",
            Setup::Nothing,
            Some(json!({"name": "Nguyễn Thị Mai", "title": "Phó Chủ tịch UBND phường"})),
            [401, 403, 403, 403, 201, 201],
        ),
        (
            "PATCH",
            "/api/v1/sites/{site}/officials/{official}",
            Setup::Official,
            Some(json!({"leader": true})),
            [401, 403, 403, 403, 200, 200],
        ),
        ("DELETE", "/api/v1/sites/{site}/officials/{official}", Setup::Official, None, [401, 403, 403, 403, 204, 204]),
        (
            "POST",
            "/api/v1/sites/{site}/documents",
            Setup::Nothing,
            Some(
                json!({"kind": "thong_bao", "number": "1/TB-UBND", "issuer": "UBND phường", "issued_on": "2026-12-01",
                        "summary": "Thông báo lịch tiếp công dân"}),
            ),
            [401, 403, 403, 403, 201, 201],
        ),
        (
            "PATCH",
            "/api/v1/sites/{site}/documents/{document}",
            Setup::Document,
            Some(json!({"signer": "Phạm Quang Minh"})),
            [401, 403, 403, 403, 200, 200],
        ),
        ("DELETE", "/api/v1/sites/{site}/documents/{document}", Setup::Document, None, [401, 403, 403, 403, 204, 204]),
        (
            "POST",
            "/api/v1/sites/{site}/calendar",
            Setup::Nothing,
            Some(json!({"starts_at": "2026-12-07T08:00:00+07:00", "content": "Giao ban công tác tuần"})),
            [401, 403, 403, 403, 201, 201],
        ),
        (
            "PATCH",
            "/api/v1/sites/{site}/calendar/{entry}",
            Setup::Entry,
            Some(json!({"place": "Phòng họp UBND phường"})),
            [401, 403, 403, 403, 200, 200],
        ),
        ("DELETE", "/api/v1/sites/{site}/calendar/{entry}", Setup::Entry, None, [401, 403, 403, 403, 204, 204]),
        (
            "POST",
            "/api/v1/sites/{site}/disclosures",
            Setup::Nothing,
            Some(json!({"kind": "fees", "title": "Công khai mức thu phí", "period_start": "2026-01-01",
                        "period_end": "2026-12-31", "posted_on": "2026-12-01"})),
            [401, 403, 403, 403, 201, 201],
        ),
        (
            "PATCH",
            "/api/v1/sites/{site}/disclosures/{disclosure}",
            Setup::Disclosure,
            Some(json!({"form": "Niêm yết tại trụ sở"})),
            [401, 403, 403, 403, 200, 200],
        ),
        (
            "DELETE",
            "/api/v1/sites/{site}/disclosures/{disclosure}",
            Setup::Disclosure,
            None,
            [401, 403, 403, 403, 204, 204],
        ),
        (
            "POST",
            "/api/v1/sites/{site}/pages",
            Setup::Nothing,
            Some(json!({"title": "Trang mới", "parent_id": 1})),
            [401, 403, 403, 403, 201, 201],
        ),
        (
            "PATCH",
            "/api/v1/sites/{site}/pages/{page}",
            Setup::Page,
            Some(json!({"status": "published"})),
            [401, 403, 403, 403, 200, 200],
        ),
        ("DELETE", "/api/v1/sites/{site}/pages/{page}", Setup::Page, None, [401, 403, 403, 403, 204, 204]),
        ("GET", "/api/v1/sites/{site}/pages/{page}/revisions", Setup::Page, None, [401, 403, 403, 403, 200, 200]),
        (
            "POST",
            "/api/v1/sites/{site}/pages/{page}/revisions/{revision}/restore",
            Setup::Page,
            None,
            [401, 403, 403, 403, 200, 200],
        ),
        (
            "PUT",
            "/api/v1/sites/{site}/menus/{location}",
            Setup::Nothing,
            Some(json!({"items": [{"label": "Trang chủ", "kind": "url", "target": "/"}]})),
            [401, 403, 403, 403, 200, 200],
        ),
        (
            "POST",
            "/api/v1/sites/{site}/albums",
            Setup::Nothing,
            Some(json!({"title": "Album mới"})),
            [401, 403, 403, 403, 201, 201],
        ),
        (
            "PATCH",
            "/api/v1/sites/{site}/albums/{album}",
            Setup::Album,
            Some(json!({"description": "Mô tả"})),
            [401, 403, 403, 403, 200, 200],
        ),
        ("DELETE", "/api/v1/sites/{site}/albums/{album}", Setup::Album, None, [401, 403, 403, 403, 204, 204]),
        (
            "POST",
            "/api/v1/sites/{site}/albums/{album}/photos",
            Setup::Album,
            Some(json!({"image_url": "https://baohaiduong.vn/anh.jpg", "caption": "Ảnh"})),
            [401, 403, 403, 403, 201, 201],
        ),
        (
            "PATCH",
            "/api/v1/sites/{site}/albums/{album}/photos/{photo}",
            Setup::Photo,
            Some(json!({"caption": "Chú thích mới"})),
            [401, 403, 403, 403, 200, 200],
        ),
        (
            "DELETE",
            "/api/v1/sites/{site}/albums/{album}/photos/{photo}",
            Setup::Photo,
            None,
            [401, 403, 403, 403, 204, 204],
        ),
        (
            "POST",
            "/api/v1/sites/{site}/media",
            Setup::Nothing,
            Some(json!({"title": "Video mới", "kind": "video", "embed_url": "https://www.youtube.com/embed/abc"})),
            [401, 403, 403, 403, 201, 201],
        ),
        (
            "PATCH",
            "/api/v1/sites/{site}/media/{media}",
            Setup::Media,
            Some(json!({"duration_seconds": 60})),
            [401, 403, 403, 403, 200, 200],
        ),
        ("DELETE", "/api/v1/sites/{site}/media/{media}", Setup::Media, None, [401, 403, 403, 403, 204, 204]),
        (
            "PUT",
            "/api/v1/sites/{site}/desk",
            Setup::Nothing,
            Some(json!({"name": "Bộ phận một cửa", "unit_code": "000.00.14.H23",
                        "hours": [{"weekdays": [1, 2, 3, 4, 5], "opens": "07:30", "closes": "11:30"}]})),
            [401, 403, 403, 403, 200, 200],
        ),
        (
            "POST",
            "/api/v1/sites/{site}/procedures",
            Setup::Nothing,
            Some(
                json!({"code": "9.000001", "name": "Thủ tục mới", "field": "Hộ tịch", "processing_days": 1, "online_level": "truc_tiep"}),
            ),
            [401, 403, 403, 403, 201, 201],
        ),
        (
            "PATCH",
            "/api/v1/sites/{site}/procedures/{code}",
            Setup::Procedure,
            Some(json!({"fee_vnd": null})),
            [401, 403, 403, 403, 200, 200],
        ),
        ("DELETE", "/api/v1/sites/{site}/procedures/{code}", Setup::Procedure, None, [401, 403, 403, 403, 204, 204]),
        ("GET", "/api/v1/sites/{site}/dossiers", Setup::Nothing, None, [401, 403, 200, 403, 200, 200]),
        (
            "POST",
            "/api/v1/sites/{site}/dossiers",
            Setup::Nothing,
            Some(json!({"procedure": "1.004194", "applicant_name": "Nguyễn Văn An"})),
            [401, 403, 201, 403, 201, 201],
        ),
        (
            "POST",
            "/api/v1/sites/{site}/dossiers/{code}/status",
            Setup::Dossier,
            Some(json!({"status": "processing"})),
            [401, 403, 200, 403, 200, 200],
        ),
        (
            "PUT",
            "/api/v1/holidays/{day}",
            Setup::Nothing,
            Some(json!({"name": "Ngày nghỉ"})),
            [401, 403, 403, 403, 403, 200],
        ),
        ("DELETE", "/api/v1/holidays/{day}", Setup::Holiday, None, [401, 403, 403, 403, 403, 204]),
    ]
}

/// A different day for each call `n`.
fn holiday(n: usize) -> String {
    (chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap() + chrono::Duration::days(n as i64)).to_string()
}

both!(authorisation_matrix, |app| {
    let staff = app.staff().await;
    let tokens = [
        None,
        Some(&staff.author_other),
        Some(&staff.author),
        Some(&staff.editor_other),
        Some(&staff.editor),
        Some(&staff.admin),
    ];
    // The table covers every operation that needs a token: a new route cannot be left out.
    let doc: Value = serde_json::to_value(portal::openapi::document()).unwrap();
    let mut guarded = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let only_bearer =
                op["security"].as_array().is_some_and(|s| !s.is_empty() && s.iter().all(|r| r.get("bearer").is_some()));
            if only_bearer && path != "/api/v1/me" {
                guarded.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    let covered: BTreeSet<(String, String)> =
        matrix().iter().map(|(m, p, ..)| (m.to_string(), p.to_string())).collect();
    assert_eq!(covered, guarded);

    let mut n = 0;
    for (method, pattern, setup, body, expected) in matrix() {
        for (i, token) in tokens.iter().enumerate() {
            n += 1;
            let mut uri = pattern.replace("{site}", "phuong-chi-minh").replace("{location}", "header");
            match setup {
                Setup::Nothing => {}
                Setup::Draft | Setup::Published | Setup::Trashed => {
                    let draft = app
                        .call(
                            "POST",
                            ARTICLES,
                            Some(&staff.author),
                            Some(json!({"title": format!("Bản nháp số {n}"), "category": "tin-trong-phuong"})),
                        )
                        .await;
                    assert_eq!(draft.status, 201);
                    let id = draft.json()["data"]["id"].as_i64().unwrap();
                    let step = match setup {
                        Setup::Published => Some("publish"),
                        Setup::Trashed => Some("trash"),
                        _ => None,
                    };
                    if let Some(step) = step {
                        assert_eq!(
                            app.call("POST", &format!("{ARTICLES}/{id}/{step}"), Some(&staff.editor), None)
                                .await
                                .status,
                            200
                        );
                    }
                    uri = uri.replace("{article}", &id.to_string());
                    if uri.contains("{revision}") {
                        let revisions = app
                            .call("GET", &format!("{ARTICLES}/{id}/revisions"), Some(&staff.admin), None)
                            .await
                            .json();
                        uri = uri.replace("{revision}", &revisions["data"][0]["id"].to_string());
                    }
                }
                Setup::Upload => {
                    let pdf = format!("%PDF-1.4\n% Tệp số {n}\n");
                    let res = app.upload(Some(&staff.admin), "phuong-chi-minh", "tep.pdf", pdf.as_bytes()).await;
                    assert_eq!(res.status, 201);
                    uri = uri.replace("{upload}", &res.json()["data"]["id"].to_string());
                }
                Setup::Category => {
                    let slug = format!("chuyen-muc-{n}");
                    let res = app
                        .call(
                            "POST",
                            CATEGORIES,
                            Some(&staff.admin),
                            Some(json!({"name": format!("Chuyên mục {n}"), "slug": slug})),
                        )
                        .await;
                    assert_eq!(res.status, 201);
                    uri = uri.replace("{slug}", &slug);
                }
                Setup::Procedure | Setup::Dossier | Setup::Holiday => {
                    let (uri_part, path, body) = match setup {
                        Setup::Procedure => (
                            format!("9.1{n:05}"),
                            "/api/v1/sites/phuong-chi-minh/procedures".to_owned(),
                            json!({"code": format!("9.1{n:05}"), "name": "Thủ tục thử", "field": "Hộ tịch",
                                   "processing_days": 1, "online_level": "truc_tiep"}),
                        ),
                        Setup::Dossier => (
                            String::new(),
                            "/api/v1/sites/phuong-chi-minh/dossiers".to_owned(),
                            json!({"procedure": "1.004194", "applicant_name": format!("Người nộp {n}")}),
                        ),
                        _ => (holiday(n), format!("/api/v1/holidays/{}", holiday(n)), json!({"name": "Ngày nghỉ"})),
                    };
                    let method = if let Setup::Holiday = setup { "PUT" } else { "POST" };
                    let res = app.call(method, &path, Some(&staff.admin), Some(body)).await;
                    assert!(res.status == 200 || res.status == 201, "{}", String::from_utf8_lossy(&res.body));
                    let key = if let Setup::Dossier = setup {
                        res.json()["data"]["code"].as_str().unwrap().to_owned()
                    } else {
                        uri_part
                    };
                    uri = uri.replace("{code}", &key).replace("{day}", &key);
                }
                Setup::Link
                | Setup::Official
                | Setup::Document
                | Setup::Entry
                | Setup::Disclosure
                | Setup::Page
                | Setup::Album
                | Setup::Photo
                | Setup::Media => {
                    let site = "/api/v1/sites/phuong-chi-minh";
                    let (collection, body) = match setup {
                        Setup::Link => {
                            ("links", json!({"title": format!("Liên kết {n}"), "url": "https://chinhphu.vn"}))
                        }
                        Setup::Official => ("officials", json!({"name": format!("Cán bộ {n}")})),
                        Setup::Entry => (
                            "calendar",
                            json!({"starts_at": "2026-12-08T08:00:00+07:00", "content": format!("Lịch {n}")}),
                        ),
                        Setup::Page => ("pages", json!({"title": format!("Trang {n}")})),
                        Setup::Disclosure => (
                            "disclosures",
                            json!({"kind": "fees", "title": format!("Công khai {n}"), "period_start": "2026-01-01",
                                   "period_end": "2026-12-31", "posted_on": "2026-12-01"}),
                        ),
                        Setup::Document => (
                            "documents",
                            json!({"kind": "thong_bao", "number": format!("{n}/TB-UBND"), "issuer": "UBND phường",
                                   "issued_on": "2026-12-01", "summary": "Thông báo"}),
                        ),
                        Setup::Media => (
                            "media",
                            json!({"title": format!("Video {n}"), "kind": "video", "embed_url": "https://www.youtube.com/embed/x"}),
                        ),
                        _ => ("albums", json!({"title": format!("Album {n}")})),
                    };
                    let res = app.call("POST", format!("{site}/{collection}"), Some(&staff.admin), Some(body)).await;
                    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
                    let made = res.json()["data"].clone();
                    let key = if ["links", "officials", "documents", "calendar", "disclosures", "pages"]
                        .contains(&collection)
                    {
                        made["id"].to_string()
                    } else {
                        made["slug"].as_str().unwrap().to_owned()
                    };
                    uri = uri
                        .replace("{link}", &key)
                        .replace("{official}", &key)
                        .replace("{document}", &key)
                        .replace("{entry}", &key)
                        .replace("{disclosure}", &key)
                        .replace("{page}", &key)
                        .replace("{media}", &key)
                        .replace("{album}", &key);
                    if uri.contains("{revision}") {
                        let revisions = app
                            .call("GET", format!("{site}/pages/{key}/revisions"), Some(&staff.admin), None)
                            .await
                            .json();
                        uri = uri.replace("{revision}", &revisions["data"][0]["id"].to_string());
                    }
                    if let Setup::Photo = setup {
                        let photo = app
                            .call(
                                "POST",
                                format!("{site}/albums/{key}/photos"),
                                Some(&staff.admin),
                                Some(json!({"image_url": "https://chinhphu.vn/anh.jpg"})),
                            )
                            .await;
                        assert_eq!(photo.status, 201);
                        uri = uri.replace("{photo}", &photo.json()["data"]["id"].to_string());
                    }
                }
            }
            if method == "POST" && uri.ends_with("/uploads") {
                // A different file each time, so each success is a new upload.
                let pdf = format!("%PDF-1.4\n% Văn bản số {n}\n");
                let res = app.upload(token.map(|t| t.as_str()), "phuong-chi-minh", "van-ban.pdf", pdf.as_bytes()).await;
                assert_eq!(
                    res.status,
                    expected[i],
                    "{method} {pattern} as {}: {}",
                    CALLERS[i],
                    String::from_utf8_lossy(&res.body)
                );
                continue;
            }
            let uri = uri.replace("{day}", &holiday(n));
            if uri.ends_with("/procedures") || uri.ends_with("/documents") {
                // A fresh code or number each time, so a success is not a clash with the last one.
                let body = if uri.ends_with("/procedures") {
                    json!({"code": format!("9.2{n:05}"), "name": "Thủ tục mới", "field": "Hộ tịch",
                           "processing_days": 1, "online_level": "truc_tiep"})
                } else {
                    json!({"kind": "thong_bao", "number": format!("{n}/TB-UBND"), "issuer": "UBND phường",
                           "issued_on": "2026-12-01", "summary": "Thông báo lịch tiếp công dân"})
                };
                let res = app.call(method, &uri, token.map(|t| t.as_str()), Some(body)).await;
                assert_eq!(
                    res.status,
                    expected[i],
                    "{method} {pattern} as {}: {}",
                    CALLERS[i],
                    String::from_utf8_lossy(&res.body)
                );
                continue;
            }
            if body.as_ref().and_then(|b| b.get("name")).is_some()
                && !uri.contains("/holidays/")
                && !uri.ends_with("/desk")
            {
                // A fresh name each time, so a success is not a clash with the last one.
                let body = json!({"name": format!("Chuyên mục mới {n}")});
                let res = app.call(method, &uri, token.map(|t| t.as_str()), Some(body)).await;
                assert_eq!(
                    res.status,
                    expected[i],
                    "{method} {pattern} as {}: {}",
                    CALLERS[i],
                    String::from_utf8_lossy(&res.body)
                );
                continue;
            }
            let res = app.call_with(method, &uri, token.map(|t| t.as_str()), body.clone(), &[("if-match", "*")]).await;
            assert_eq!(
                res.status,
                expected[i],
                "{method} {pattern} as {}: {}",
                CALLERS[i],
                String::from_utf8_lossy(&res.body)
            );
            if res.status >= 400 {
                assert_eq!(res.header("content-type"), Some("application/problem+json"));
            }
        }
    }
});

both!(write_a_draft_publish_it_and_find_it, |app| {
    let staff = app.staff().await;
    let created = app
        .call(
            "POST",
            ARTICLES,
            Some(&staff.author),
            Some(json!({
                "title": "Phường Chí Minh tổ chức Ngày hội Đại đoàn kết toàn dân tộc",
                "category": "tin-trong-phuong",
                "summary": "Ngày hội diễn ra tại khu dân cư Cộng Hòa.",
                "body_html": "<p>Sáng 15/11, khu dân cư Cộng Hòa tổ chức ngày hội.</p>",
                "author_name": "Phóng viên"
            })),
        )
        .await;
    assert_eq!(created.status, 201);
    let id = created.json()["data"]["id"].as_i64().unwrap();
    assert_eq!(created.header("location"), Some(format!("{ARTICLES}/{id}").as_str()));
    assert_eq!(created.header("etag"), Some(format!("\"a{id}v1\"").as_str()));
    let a = &created.json()["data"];
    assert_eq!((a["status"].as_str(), a["version"].as_i64()), (Some("draft"), Some(1)));
    assert_eq!(a["slug"], "phuong-chi-minh-to-chuc-ngay-hoi-dai-doan-ket-toan-dan-toc");
    assert_eq!(a["published_at"], Value::Null);
    // Readers do not see a draft; staff do, privately.
    assert_eq!(app.get(&format!("{ARTICLES}/{id}")).await.status, 404);
    let staff_view = app.call("GET", &format!("{ARTICLES}/{id}"), Some(&staff.author), None).await;
    assert_eq!(staff_view.status, 200);
    assert_eq!(staff_view.header("cache-control"), Some("private, no-store"));
    let drafts = app.call("GET", &format!("{ARTICLES}?status=draft"), Some(&staff.editor), None).await;
    assert_eq!(drafts.json()["data"].as_array().unwrap().iter().filter(|a| a["id"] == id).count(), 1);
    assert_eq!(app.get(&format!("{ARTICLES}?status=draft")).await.status, 401);
    assert_eq!(app.call("GET", &format!("{ARTICLES}?status=draft"), Some(&staff.editor_other), None).await.status, 403);
    // Submitted, then published by an editor.
    assert_eq!(app.call("POST", &format!("{ARTICLES}/{id}/submit"), Some(&staff.author), None).await.status, 200);
    let published = app.call("POST", &format!("{ARTICLES}/{id}/publish"), Some(&staff.editor), None).await;
    assert_eq!(published.status, 200);
    assert_eq!(published.json()["data"]["status"], "published");
    let public = app.get_json(&format!("{ARTICLES}/{id}")).await;
    assert_eq!(public["data"]["title"], "Phường Chí Minh tổ chức Ngày hội Đại đoàn kết toàn dân tộc");
    let list = app.get_json(ARTICLES).await;
    assert_eq!(list["data"][0]["id"], id);
    let found = app.get_json(&format!("{ARTICLES}?q=dai+doan+ket")).await;
    assert_eq!(found["data"][0]["id"], id);
    // Authors cannot change it any more.
    let edit = app
        .call_with(
            "PATCH",
            &format!("{ARTICLES}/{id}"),
            Some(&staff.author),
            Some(json!({"title": "Khác"})),
            &[("if-match", "*")],
        )
        .await;
    assert_eq!(edit.status, 403);
    // The audit log has every step, newest first.
    let audit = app.call("GET", "/api/v1/audit?per_page=4", Some(&staff.admin), None).await.json();
    let actions: Vec<&str> = audit["data"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["article.publish", "article.submit", "article.create", "auth.login"]);
    assert_eq!(audit["data"][0]["user_email"], "bientap@chiminh.gov.vn");
    assert_eq!(audit["data"][0]["target"], format!("article:{id}"));
});

both!(stale_if_match_is_412_and_missing_is_428, |app| {
    let staff = app.staff().await;
    let created = app
        .call("POST", ARTICLES, Some(&staff.editor), Some(json!({"title": "Bài cần sửa", "category": "thong-bao"})))
        .await;
    let id = created.json()["data"]["id"].as_i64().unwrap();
    let v1 = created.header("etag").unwrap().to_owned();
    let uri = format!("{ARTICLES}/{id}");
    let patch = |etag: Option<String>, title: &'static str| {
        let (app, staff, uri) = (&app, &staff, uri.clone());
        async move {
            let headers: Vec<(&str, &str)> = etag.as_deref().map(|e| ("if-match", e)).into_iter().collect();
            app.call_with("PATCH", uri, Some(&staff.editor), Some(json!({"title": title})), &headers).await
        }
    };
    let first = patch(Some(v1.clone()), "Bản sửa thứ nhất").await;
    assert_eq!(first.status, 200);
    assert_eq!(first.header("etag"), Some(format!("\"a{id}v2\"").as_str()));
    let second = patch(Some(v1), "Bản sửa dựa trên bản cũ").await;
    assert_eq!(second.status, 412);
    assert_eq!(second.json()["type"], "/problems/precondition-failed");
    let none = patch(None, "Không có If-Match").await;
    assert_eq!(none.status, 428);
    let current = app.call("GET", &format!("{ARTICLES}/{id}"), Some(&staff.editor), None).await;
    assert_eq!(current.json()["data"]["title"], "Bản sửa thứ nhất");
    assert_eq!(current.header("etag"), Some(format!("\"a{id}v2\"").as_str()));
});

both!(a_restored_revision_equals_the_old_content, |app| {
    let staff = app.staff().await;
    let original = json!({"title": "Tiêu đề gốc", "category": "thong-bao", "summary": "Tóm tắt gốc", "body_html": "<p>Nội dung gốc</p>"});
    let created = app.call("POST", ARTICLES, Some(&staff.editor), Some(original)).await;
    let id = created.json()["data"]["id"].as_i64().unwrap();
    let changed = app
        .call_with(
            "PATCH",
            &format!("{ARTICLES}/{id}"),
            Some(&staff.editor),
            Some(json!({"title": "Tiêu đề mới", "summary": "Tóm tắt mới", "body_html": "<p>Nội dung mới</p>", "category": "tin-trong-phuong"})),
            &[("if-match", "*")],
        )
        .await;
    assert_eq!(changed.json()["data"]["title"], "Tiêu đề mới");
    let revisions = app.call("GET", &format!("{ARTICLES}/{id}/revisions"), Some(&staff.editor), None).await.json();
    let actions: Vec<&str> =
        revisions["data"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["update", "create"]);
    assert_eq!(revisions["meta"]["total"], 2);
    let first = revisions["data"][1]["id"].as_i64().unwrap();
    let restored =
        app.call("POST", &format!("{ARTICLES}/{id}/revisions/{first}/restore"), Some(&staff.editor), None).await;
    assert_eq!(restored.status, 200);
    let a = &restored.json()["data"];
    assert_eq!(
        (
            a["title"].as_str(),
            a["summary"].as_str(),
            a["body_html"].as_str(),
            a["category"]["slug"].as_str(),
            a["version"].as_i64()
        ),
        (Some("Tiêu đề gốc"), Some("Tóm tắt gốc"), Some("<p>Nội dung gốc</p>"), Some("thong-bao"), Some(3))
    );
    let missing =
        app.call("POST", &format!("{ARTICLES}/{id}/revisions/999999/restore"), Some(&staff.editor), None).await;
    assert_eq!(missing.status, 404);
});

both!(stored_xss_comes_back_sanitised, |app| {
    let staff = app.staff().await;
    let body = r#"<p onmouseover="alert(1)">Tin<script>document.location='https://evil'</script></p><a href="javascript:alert(1)">bấm</a><img src=x onerror=alert(1)><svg onload=alert(1)></svg><a href="https://chiminh.gov.vn">ok</a>"#;
    let created = app
        .call(
            "POST",
            ARTICLES,
            Some(&staff.editor),
            Some(json!({"title": "XSS", "category": "thong-bao", "body_html": body})),
        )
        .await;
    let id = created.json()["data"]["id"].as_i64().unwrap();
    app.call("POST", &format!("{ARTICLES}/{id}/publish"), Some(&staff.editor), None).await;
    let public = app.get_json(&format!("{ARTICLES}/{id}")).await;
    assert_eq!(
        public["data"]["body_html"],
        r#"<p>Tin</p><a rel="noopener noreferrer">bấm</a><img src="x"><a href="https://chiminh.gov.vn" rel="noopener noreferrer">ok</a>"#
    );
});

both!(a_scheduled_article_appears_by_itself, |app| {
    let staff = app.staff().await;
    let created = app
        .call(
            "POST",
            ARTICLES,
            Some(&staff.editor),
            Some(json!({"title": "Thông báo hẹn giờ", "category": "thong-bao"})),
        )
        .await;
    let id = created.json()["data"]["id"].as_i64().unwrap();
    let at = chrono::Utc::now() + chrono::Duration::milliseconds(1500);
    let published = app
        .call(
            "POST",
            &format!("{ARTICLES}/{id}/publish"),
            Some(&staff.editor),
            Some(json!({"published_at": at.to_rfc3339()})),
        )
        .await;
    assert_eq!(published.status, 200);
    assert_eq!(app.get(&format!("{ARTICLES}/{id}")).await.status, 404, "not before its time");
    let scheduled = app.call("GET", &format!("{ARTICLES}?status=scheduled"), Some(&staff.editor), None).await.json();
    let ids: Vec<i64> = scheduled["data"].as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect();
    assert!(ids.contains(&id), "{ids:?}");
    // Nothing runs at that time: the clock passing is enough.
    let wait = (at - chrono::Utc::now()).to_std().unwrap_or_default() + std::time::Duration::from_millis(50);
    std::thread::sleep(wait);
    assert_eq!(app.get(&format!("{ARTICLES}/{id}")).await.status, 200, "visible after its time");
    assert_eq!(app.get_json(ARTICLES).await["data"][0]["id"], id);
});

both!(workflow_steps_check_the_status, |app| {
    let staff = app.staff().await;
    let created = app
        .call("POST", ARTICLES, Some(&staff.editor), Some(json!({"title": "Quy trình", "category": "thong-bao"})))
        .await;
    let id = created.json()["data"]["id"].as_i64().unwrap();
    let step = |s: &'static str| app.call("POST", format!("{ARTICLES}/{id}/{s}"), Some(&staff.editor), None);
    assert_eq!(step("unpublish").await.status, 409);
    assert_eq!(step("restore").await.status, 409);
    assert_eq!(step("trash").await.status, 200);
    assert_eq!(
        app.call("GET", &format!("{ARTICLES}?status=trashed"), Some(&staff.editor), None).await.json()["meta"]["total"],
        1
    );
    assert_eq!(step("publish").await.status, 409);
    assert_eq!(step("trash").await.status, 409);
    let restored = step("restore").await;
    assert_eq!(restored.json()["data"]["status"], "draft");
    assert_eq!(step("publish").await.status, 200);
    assert_eq!(step("submit").await.status, 409);
    let unpublished = step("unpublish").await;
    assert_eq!(
        (unpublished.json()["data"]["status"].clone(), unpublished.json()["data"]["published_at"].clone()),
        (json!("draft"), Value::Null)
    );
});

both!(invalid_articles_are_422_naming_fields, |app| {
    let staff = app.staff().await;
    let res = app
        .call(
            "POST",
            ARTICLES,
            Some(&staff.editor),
            Some(json!({"title": " ", "category": "khong-co", "slug": "Sai Slug", "cover_image_url": "javascript:alert(1)"})),
        )
        .await;
    assert_eq!(res.status, 422);
    let body = res.json();
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    // Malformed fields first, then the one that clashes with what is stored (no such category).
    assert_eq!(fields, ["title", "cover_image_url", "slug", "category"]);
    let unknown = app
        .call(
            "POST",
            ARTICLES,
            Some(&staff.editor),
            Some(json!({"title": "x", "category": "thong-bao", "titel": "typo"})),
        )
        .await;
    assert_eq!(unknown.status, 422);
    let taken = app
        .call(
            "POST",
            ARTICLES,
            Some(&staff.editor),
            Some(json!({"title": "Trùng", "category": "thong-bao", "slug": "tham-pho-to-lua-o-thanh-pho-hai-duong"})),
        )
        .await;
    assert_eq!(
        taken.json()["errors"],
        json!([{"field": "slug", "message": "is taken by another article of this site"}])
    );
    // The same title twice gets the next free slug.
    let a = app
        .call(
            "POST",
            ARTICLES,
            Some(&staff.editor),
            Some(json!({"title": "Thông báo lịch tiếp công dân tháng 6/2020", "category": "thong-bao"})),
        )
        .await;
    assert_eq!(a.json()["data"]["slug"], "thong-bao-lich-tiep-cong-dan-thang-6-2020-2");
});

both!(categories_are_written_by_editors, |app| {
    let staff = app.staff().await;
    let created = app
        .call("POST", CATEGORIES, Some(&staff.editor), Some(json!({"name": "Tin Chí Linh", "parent": "tin-tuc"})))
        .await;
    assert_eq!(created.status, 201);
    assert_eq!(created.header("location"), Some("/api/v1/sites/phuong-chi-minh/categories/tin-chi-linh"));
    assert_eq!(created.json()["data"]["parent"]["slug"], "tin-tuc");
    assert_eq!(created.json()["data"]["position"], 3);
    let moved = app
        .call("PATCH", &format!("{CATEGORIES}/tin-chi-linh"), Some(&staff.editor), Some(json!({"parent": null})))
        .await;
    assert_eq!(moved.json()["data"]["parent"], Value::Null);
    let cycle = app
        .call("PATCH", &format!("{CATEGORIES}/tin-tuc"), Some(&staff.editor), Some(json!({"parent": "tin-hai-duong"})))
        .await;
    assert_eq!(cycle.status, 409);
    assert_eq!(cycle.json()["errors"][0]["field"], "parent");
    let clash = app.call("POST", CATEGORIES, Some(&staff.editor), Some(json!({"name": "Tin tức"}))).await;
    assert_eq!(clash.status, 409);
    assert_eq!(clash.json()["errors"][0]["field"], "slug");
    let busy = app.call("DELETE", &format!("{CATEGORIES}/dang-uy-xa"), Some(&staff.editor), None).await;
    assert_eq!(busy.status, 409);
    let parent = app.call("DELETE", &format!("{CATEGORIES}/tin-tuc"), Some(&staff.editor), None).await;
    assert_eq!(parent.status, 409);
    assert_eq!(app.call("DELETE", &format!("{CATEGORIES}/tin-chi-linh"), Some(&staff.editor), None).await.status, 204);
    assert_eq!(app.get(&format!("{CATEGORIES}/tin-chi-linh")).await.status, 404);
});

both!(related_articles_are_chosen_by_editors, |app| {
    let staff = app.staff().await;
    let set = |ids: Value| {
        app.call("PUT", format!("{ARTICLES}/8/related"), Some(&staff.editor), Some(json!({"article_ids": ids})))
    };
    let res = set(json!([6, 2])).await;
    assert_eq!(res.status, 200);
    let related: Vec<i64> =
        res.json()["data"]["related"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect();
    assert_eq!(related, [6, 2, 1, 7]);
    // Malformed lists are 422; ids the site does not have (19 is another site's) clash, 409.
    for (bad, status) in [(json!([8]), 422), (json!([2, 2]), 422), (json!([19]), 409), (json!([999]), 409)] {
        let res = set(bad.clone()).await;
        assert_eq!(res.status, status, "{bad}");
        assert_eq!(res.json()["errors"][0]["field"], "article_ids");
    }
});

both!(list_totals_follow_every_status_and_category_change, |app| {
    let staff = app.staff().await;
    let editor = Some(staff.editor.as_str());
    // Each view's total, checked against the articles the view really lists (all fit a page).
    let totals = || async {
        let mut out = Vec::new();
        for query in ["", "category=thong-bao", "status=draft", "status=scheduled", "status=trashed", "status=all"] {
            let token = if query.starts_with("status") { editor } else { None };
            let body = app.call("GET", format!("{ARTICLES}?per_page=100&{query}"), token, None).await.json();
            let listed = body["data"].as_array().unwrap().len() as i64;
            assert_eq!(body["meta"]["total"].as_i64(), Some(listed), "{query}");
            out.push(listed);
        }
        out
    };
    let before = totals().await;
    let plus = |d: [i64; 6]| before.iter().zip(d).map(|(b, d)| b + d).collect::<Vec<i64>>();
    let new = json!({"title": "Thông báo lịch tiếp công dân", "category": "thong-bao"});
    let id = app.call("POST", ARTICLES, editor, Some(new.clone())).await.json()["data"]["id"].as_i64().unwrap();
    assert_eq!(totals().await, plus([0, 0, 1, 0, 0, 1]));
    app.call("POST", &format!("{ARTICLES}/{id}/publish"), editor, None).await;
    assert_eq!(totals().await, plus([1, 1, 0, 0, 0, 1]));
    let moved = app
        .call_with(
            "PATCH",
            &format!("{ARTICLES}/{id}"),
            editor,
            Some(json!({"category": "tin-trong-phuong"})),
            &[("if-match", "*")],
        )
        .await;
    assert_eq!(moved.status, 200);
    assert_eq!(totals().await, plus([1, 0, 0, 0, 0, 1]));
    let later = app.call("POST", ARTICLES, editor, Some(new)).await.json()["data"]["id"].as_i64().unwrap();
    let at = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
    app.call("POST", &format!("{ARTICLES}/{later}/publish"), editor, Some(json!({"published_at": at}))).await;
    assert_eq!(totals().await, plus([1, 0, 0, 1, 0, 2]));
    app.call("POST", &format!("{ARTICLES}/{id}/unpublish"), editor, None).await;
    app.call("POST", &format!("{ARTICLES}/{id}/trash"), editor, None).await;
    assert_eq!(totals().await, plus([0, 0, 0, 1, 1, 2]));
    app.call("POST", &format!("{ARTICLES}/{id}/restore"), editor, None).await;
    assert_eq!(totals().await, plus([0, 0, 1, 1, 0, 2]));
});

both!(neighbours_and_related_walk_articles_published_at_the_same_time, |app| {
    let staff = app.staff().await;
    let editor = Some(staff.editor.as_str());
    // Eight notices published at one instant: previous/next go by id among them, and related
    // articles (five by default) are the nearest others, never the article itself.
    let at = "2021-03-08T08:00:00+07:00";
    let mut ids = Vec::new();
    for n in 1..=8 {
        let body = json!({"title": format!("Thông báo số {n}"), "category": "thong-bao"});
        let id = app.call("POST", ARTICLES, editor, Some(body)).await.json()["data"]["id"].as_i64().unwrap();
        let published =
            app.call("POST", &format!("{ARTICLES}/{id}/publish"), editor, Some(json!({"published_at": at}))).await;
        assert_eq!(published.status, 200);
        ids.push(id);
    }
    for (i, id) in ids.iter().enumerate() {
        let a = app.get_json(&format!("{ARTICLES}/{id}")).await;
        let d = &a["data"];
        if i > 0 {
            assert_eq!(d["previous"]["id"], ids[i - 1], "previous of {id}");
        } else {
            assert_ne!(d["previous"]["id"], ids[0]);
        }
        if i + 1 < ids.len() {
            assert_eq!(d["next"]["id"], ids[i + 1], "next of {id}");
        } else {
            assert!(!ids.contains(&d["next"]["id"].as_i64().unwrap_or(0)), "next of the last of them");
        }
        let related: Vec<i64> = d["related"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect();
        assert_eq!(related.len(), 5, "{related:?}");
        assert!(!related.contains(id));
        // All at the same time, so the nearest five are others of the eight.
        assert!(related.iter().all(|r| ids.contains(r)), "{related:?}");
        let unique: BTreeSet<i64> = related.iter().copied().collect();
        assert_eq!(unique.len(), 5);
    }
});

both!(who_may_write_is_checked_before_the_body, |app| {
    // A body that is not JSON at all, and one of the wrong shape: neither is looked at until
    // the caller is signed in and has a role that allows the write, so an anonymous caller
    // always learns 401 and a caller without the role 403, never 400 or 422.
    let staff = app.staff().await;
    let mut n = 0;
    for (method, pattern, _, body, expected) in matrix() {
        if body.is_none() || pattern.contains("/uploads") {
            continue;
        }
        // Whatever the other path parameters name, 1 parses as each of them.
        let mut uri = pattern.replace("{site}", "phuong-chi-minh").replace("{day}", "2030-01-01");
        while let (Some(open), Some(close)) = (uri.find('{'), uri.find('}')) {
            uri.replace_range(open..=close, "1");
        }
        for (token, status) in [(None, 401), (Some(staff.author_other.as_str()), expected[1])] {
            for bad in ["{\"title\": ", "[1, 2, 3]"] {
                let mut req = actix_web::test::TestRequest::default()
                    .method(method.parse().unwrap())
                    .uri(&uri)
                    .insert_header(("content-type", "application/json"))
                    .set_payload(bad);
                if let Some(token) = token {
                    req = req.insert_header(("authorization", format!("Bearer {token}")));
                }
                let res = app.send(req).await;
                assert_eq!(res.status, status, "{method} {uri} {bad:?} as {token:?}: {}", res.json());
                n += 1;
            }
        }
    }
    assert_eq!(n, 4 * matrix().iter().filter(|(_, p, _, b, _)| b.is_some() && !p.contains("/uploads")).count());
    assert!(n >= 60, "{n}");
});
