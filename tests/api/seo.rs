//! SEO fields on articles, pages and categories (defaults, overrides, noindex in the
//! sitemap), cover alt text, and the old slugs of renamed articles and categories (301).

use serde_json::json;

use crate::both;

const SITE: &str = "/api/v1/sites/phuong-chi-minh";
const BASE: &str = "https://chiminh.chilinh.haiduong.gov.vn";
const SEED: &str = "dang-bo-phuong-chi-minh-chuan-bi-dai-hoi-dang-bo-lan-thu-xxiv-nhiem-ky-2020-2025";

both!(the_demo_article_has_seo_fields_and_its_old_address, |app| {
    let article = app.get_json(&format!("{SITE}/articles/{SEED}")).await["data"].clone();
    assert_eq!(
        article["seo"],
        json!({
            "title": "Đảng bộ phường Chí Minh chuẩn bị Đại hội lần thứ XXIV",
            "description": "Đảng bộ phường Chí Minh triển khai Chỉ thị 35-CT/TW, Kế hoạch 162-KH/TU và 09-KH/ĐU \
                            chuẩn bị Đại hội Đảng bộ lần thứ XXIV, nhiệm kỳ 2020-2025.",
            "image_url": null,
            "canonical_url": format!("{BASE}/dang-uy-xa/{SEED}"),
            "noindex": false
        })
    );
    assert_eq!(article["cover_image_alt"], "");
    // The old portal's slug leads to the article's address now, publicly cacheable.
    let old = app.get(&format!("{SITE}/articles/chuan-bi-dai-hoi-dang-bo-lan-thu-xxiv")).await;
    assert_eq!(old.status, 301);
    assert_eq!(old.header("location"), Some(format!("{SITE}/articles/{SEED}").as_str()));
    assert_eq!(old.header("cache-control"), Some("public, max-age=60"));
    assert_eq!(app.get(&format!("{SITE}/articles/chuan-bi-dai-hoi")).await.status, 404);
    // Another site's slugs are its own.
    assert_eq!(app.get("/api/v1/sites/xa-le-loi/articles/chuan-bi-dai-hoi-dang-bo-lan-thu-xxiv").await.status, 404);
    // Without overrides: the title, the summary cut after a word to 160 characters.
    let other = app.get_json(&format!("{SITE}/articles?per_page=1&category=tin-hai-duong")).await["data"][0].clone();
    let detail = app.get_json(&format!("{SITE}/articles/{}", other["id"])).await["data"].clone();
    assert_eq!(detail["seo"]["title"], detail["title"]);
    let description = detail["seo"]["description"].as_str().unwrap();
    let summary = detail["summary"].as_str().unwrap();
    assert!(description.chars().count() <= 160, "{description}");
    assert!(summary.starts_with(description.trim_end_matches('…')), "{description} / {summary}");
});

both!(editors_set_seo_fields_and_cover_alt_on_articles, |app| {
    let staff = app.staff().await;
    let created = app
        .call(
            "POST",
            format!("{SITE}/articles"),
            Some(&staff.author),
            Some(json!({"title": "Ra quân làm sạch môi trường", "category": "tin-trong-phuong",
                "summary": "Toàn phường ra quân.", "cover_image_url": "/uploads/ab/anh.jpg",
                "cover_image_alt": "  Đoàn viên thu gom rác trên đường Nguyễn Trãi ",
                "seo": {"noindex": true}})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", String::from_utf8_lossy(&created.body));
    let data = created.json()["data"].clone();
    let id = data["id"].as_i64().unwrap();
    assert_eq!(data["cover_image_alt"], "Đoàn viên thu gom rác trên đường Nguyễn Trãi");
    assert_eq!(
        data["seo"],
        json!({"title": "Ra quân làm sạch môi trường", "description": "Toàn phường ra quân.",
            "image_url": "/uploads/ab/anh.jpg",
            "canonical_url": format!("{BASE}/tin-trong-phuong/ra-quan-lam-sach-moi-truong"), "noindex": true})
    );
    let etag = created.header("etag").unwrap().to_owned();
    let published = app.call("POST", format!("{SITE}/articles/{id}/publish"), Some(&staff.editor), None).await;
    assert_eq!(published.status, 200);
    // In the list with its alt text; out of the sitemap while it says noindex.
    let list = app.get_json(&format!("{SITE}/articles?per_page=1")).await["data"][0].clone();
    assert_eq!(
        (list["id"].as_i64(), list["cover_image_alt"].as_str()),
        (Some(id), Some(data["cover_image_alt"].as_str().unwrap()))
    );
    let path = format!("{BASE}/tin-trong-phuong/ra-quan-lam-sach-moi-truong");
    let sitemap = String::from_utf8(app.get(&format!("{SITE}/sitemap.xml")).await.body.to_vec()).unwrap();
    assert!(!sitemap.contains(&path));
    // Overrides one at a time; sent empty, a field goes back to its default.
    let etag = published.header("etag").unwrap_or(&etag).to_owned();
    let patched = app
        .call_with(
            "PATCH",
            format!("{SITE}/articles/{id}"),
            Some(&staff.editor),
            Some(json!({"seo": {"noindex": false, "title": "Ra quân vì môi trường xanh",
                "canonical_url": "https://haiduong.gov.vn/ra-quan", "image_url": ""}})),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(patched.status, 200, "{}", String::from_utf8_lossy(&patched.body));
    let seo = patched.json()["data"]["seo"].clone();
    assert_eq!(seo["title"], "Ra quân vì môi trường xanh");
    assert_eq!(seo["canonical_url"], "https://haiduong.gov.vn/ra-quan");
    assert_eq!(seo["image_url"], "/uploads/ab/anh.jpg", "empty: back to the cover");
    assert_eq!(seo["noindex"], false);
    let sitemap = String::from_utf8(app.get(&format!("{SITE}/sitemap.xml")).await.body.to_vec()).unwrap();
    assert!(sitemap.contains(&path));
    let etag = patched.header("etag").unwrap().to_owned();
    let cleared = app
        .call_with(
            "PATCH",
            format!("{SITE}/articles/{id}"),
            Some(&staff.editor),
            Some(json!({"seo": {"title": "", "canonical_url": ""}, "cover_image_alt": ""})),
            &[("if-match", &etag)],
        )
        .await;
    let data = cleared.json()["data"].clone();
    assert_eq!(data["seo"]["title"], "Ra quân làm sạch môi trường");
    assert_eq!(data["seo"]["canonical_url"], path.as_str());
    assert_eq!(data["cover_image_alt"], "");
    // Revisions keep the alt text.
    let revisions = app.call("GET", format!("{SITE}/articles/{id}/revisions"), Some(&staff.editor), None).await;
    let alts: Vec<String> = revisions.json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["cover_image_alt"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(alts.last().map(String::as_str), Some("Đoàn viên thu gom rác trên đường Nguyễn Trãi"));
    assert_eq!(alts.first().map(String::as_str), Some(""));
    // Bad fields are named, every one of them.
    let etag = cleared.header("etag").unwrap().to_owned();
    let bad = app
        .call_with(
            "PATCH",
            format!("{SITE}/articles/{id}"),
            Some(&staff.editor),
            Some(json!({"seo": {"title": "x".repeat(201), "canonical_url": "/tin-tuc", "image_url": "javascript:alert(1)"},
                "cover_image_alt": "y".repeat(301)})),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(bad.status, 422);
    let fields: Vec<String> =
        bad.json()["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect();
    assert_eq!(fields, ["cover_image_alt", "seo.title", "seo.image_url", "seo.canonical_url"]);
    let unknown = app
        .call_with(
            "PATCH",
            format!("{SITE}/articles/{id}"),
            Some(&staff.editor),
            Some(json!({"seo": {"keywords": "môi trường"}})),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(unknown.status, 422);
});

both!(a_renamed_articles_old_slug_answers_301, |app| {
    let staff = app.staff().await;
    let article = app.call("GET", format!("{SITE}/articles/{SEED}"), Some(&staff.editor), None).await;
    let etag = article.header("etag").unwrap().to_owned();
    let renamed = app
        .call_with(
            "PATCH",
            format!("{SITE}/articles/{SEED}"),
            Some(&staff.editor),
            Some(json!({"slug": "dai-hoi-dang-bo-lan-thu-xxiv"})),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(renamed.status, 200);
    for old in [SEED, "chuan-bi-dai-hoi-dang-bo-lan-thu-xxiv"] {
        let res = app.get(&format!("{SITE}/articles/{old}")).await;
        assert_eq!(res.status, 301, "{old}");
        assert_eq!(res.header("location"), Some(format!("{SITE}/articles/dai-hoi-dang-bo-lan-thu-xxiv").as_str()));
    }
    // The canonical URL follows the slug.
    let now = app.get_json(&format!("{SITE}/articles/dai-hoi-dang-bo-lan-thu-xxiv")).await["data"].clone();
    assert_eq!(now["seo"]["canonical_url"], format!("{BASE}/dang-uy-xa/dai-hoi-dang-bo-lan-thu-xxiv"));
    // A new article may take an old slug: the live one wins.
    let taken = app
        .call(
            "POST",
            format!("{SITE}/articles"),
            Some(&staff.editor),
            Some(json!({"title": "Bài mới", "category": "dang-uy-xa", "slug": SEED})),
        )
        .await;
    assert_eq!(taken.status, 201);
    let taken_id = taken.json()["data"]["id"].as_i64().unwrap();
    assert_eq!(
        app.call("POST", format!("{SITE}/articles/{taken_id}/publish"), Some(&staff.editor), None).await.status,
        200
    );
    assert_eq!(app.get_json(&format!("{SITE}/articles/{SEED}")).await["data"]["id"].as_i64(), Some(taken_id));
    // Staff are led to a draft's new slug, privately: no shared cache may keep that.
    let draft = app
        .call(
            "POST",
            format!("{SITE}/articles"),
            Some(&staff.author),
            Some(json!({"title": "Dự thảo", "category": "dang-uy-xa"})),
        )
        .await;
    let draft_id = draft.json()["data"]["id"].as_i64().unwrap();
    let etag = draft.header("etag").unwrap().to_owned();
    let moved = app
        .call_with(
            "PATCH",
            format!("{SITE}/articles/{draft_id}"),
            Some(&staff.author),
            Some(json!({"slug": "du-thao-moi"})),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(moved.status, 200);
    let led = app.call("GET", format!("{SITE}/articles/du-thao"), Some(&staff.author), None).await;
    assert_eq!((led.status, led.header("cache-control")), (301, Some("private, no-store")));
    assert_eq!(app.get(&format!("{SITE}/articles/du-thao")).await.status, 404);
    // A trashed article's old slug leads readers nowhere.
    let id = now["id"].as_i64().unwrap();
    assert_eq!(app.call("POST", format!("{SITE}/articles/{id}/trash"), Some(&staff.editor), None).await.status, 200);
    assert_eq!(app.get(&format!("{SITE}/articles/chuan-bi-dai-hoi-dang-bo-lan-thu-xxiv")).await.status, 404);
});

both!(categories_have_seo_fields_and_old_slugs, |app| {
    let staff = app.staff().await;
    let category = app.get_json(&format!("{SITE}/categories/dang-uy-xa")).await["data"].clone();
    assert_eq!(category["seo"]["title"], category["name"]);
    assert_eq!(category["seo"]["canonical_url"], format!("{BASE}/dang-uy-xa"));
    let renamed = app
        .call(
            "PATCH",
            format!("{SITE}/categories/dang-uy-xa"),
            Some(&staff.editor),
            Some(json!({"slug": "dang-uy-phuong", "seo": {"description": "Tin hoạt động của Đảng ủy phường Chí Minh", "noindex": true}})),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", String::from_utf8_lossy(&renamed.body));
    let seo = renamed.json()["data"]["seo"].clone();
    assert_eq!(
        seo,
        json!({"title": category["name"], "description": "Tin hoạt động của Đảng ủy phường Chí Minh", "image_url": null,
            "canonical_url": format!("{BASE}/dang-uy-phuong"), "noindex": true})
    );
    let old = app.get(&format!("{SITE}/categories/dang-uy-xa")).await;
    assert_eq!(old.status, 301);
    assert_eq!(old.header("location"), Some(format!("{SITE}/categories/dang-uy-phuong").as_str()));
    assert_eq!(app.get_json(&format!("{SITE}/categories/dang-uy-phuong")).await["data"]["seo"], seo);
    let sitemap = String::from_utf8(app.get(&format!("{SITE}/sitemap.xml")).await.body.to_vec()).unwrap();
    assert!(!sitemap.contains(&format!("<loc>{BASE}/dang-uy-phuong</loc>")));
    assert!(sitemap.contains(&format!("<loc>{BASE}/tin-tuc</loc>")));
    // A deleted category's old slugs lead nowhere, whatever takes its id next.
    let gone = app
        .call(
            "POST",
            format!("{SITE}/categories"),
            Some(&staff.editor),
            Some(json!({"name": "Tạm thời", "slug": "tam-thoi"})),
        )
        .await;
    assert_eq!(gone.status, 201);
    let renamed = app
        .call("PATCH", format!("{SITE}/categories/tam-thoi"), Some(&staff.editor), Some(json!({"slug": "tam"})))
        .await;
    assert_eq!(renamed.status, 200);
    assert_eq!(app.get(&format!("{SITE}/categories/tam-thoi")).await.status, 301);
    assert_eq!(app.call("DELETE", format!("{SITE}/categories/tam"), Some(&staff.editor), None).await.status, 204);
    assert_eq!(app.get(&format!("{SITE}/categories/tam-thoi")).await.status, 404);
    // A category made with the old slug takes it back.
    let made =
        app.call("POST", format!("{SITE}/categories"), Some(&staff.editor), Some(json!({"name": "Đảng ủy xã"}))).await;
    assert_eq!(made.status, 201);
    assert_eq!(app.get(&format!("{SITE}/categories/dang-uy-xa")).await.status, 200);
    let bad = app
        .call(
            "PATCH",
            format!("{SITE}/categories/tin-tuc"),
            Some(&staff.editor),
            Some(json!({"name": "", "seo": {"description": "x".repeat(501)}})),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(
        bad.json()["errors"],
        json!([{"field": "name", "message": "must be 1 to 200 characters"},
               {"field": "seo.description", "message": "must be 0 to 500 characters"}])
    );
});

both!(pages_have_seo_fields, |app| {
    let staff = app.staff().await;
    let page = app.get_json(&format!("{SITE}/pages/gioi-thieu/lich-su")).await["data"].clone();
    assert_eq!(page["seo"]["title"], "Lịch sử");
    assert_eq!(page["seo"]["canonical_url"], format!("{BASE}/trang/gioi-thieu/lich-su"));
    let res = app
        .call_with(
            "PATCH",
            format!("{SITE}/pages/gioi-thieu/lich-su"),
            Some(&staff.editor),
            Some(json!({"seo": {"title": "Lịch sử phường Chí Minh", "image_url": "https://chiminh.vn/anh.jpg", "noindex": true}})),
            &[("if-match", "*")],
        )
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let seo = app.get_json(&format!("{SITE}/pages/gioi-thieu/lich-su")).await["data"]["seo"].clone();
    assert_eq!(
        (seo["title"].as_str(), seo["image_url"].as_str()),
        (Some("Lịch sử phường Chí Minh"), Some("https://chiminh.vn/anh.jpg"))
    );
    let sitemap = String::from_utf8(app.get(&format!("{SITE}/sitemap.xml")).await.body.to_vec()).unwrap();
    assert!(!sitemap.contains("/trang/gioi-thieu/lich-su<"));
    assert!(sitemap.contains("/trang/gioi-thieu/co-cau-to-chuc<"));
    // Deleted with its page.
    let id = page["id"].as_i64().unwrap();
    assert_eq!(app.call("DELETE", format!("{SITE}/pages/{id}"), Some(&staff.editor), None).await.status, 204);
    let left: i64 = {
        use diesel::prelude::*;
        use portal::db::schema::seo;
        seo::table
            .filter(seo::kind.eq("page"))
            .filter(seo::target_id.eq(id))
            .count()
            .get_result(&mut *app.conn())
            .unwrap()
    };
    assert_eq!(left, 0);
});
