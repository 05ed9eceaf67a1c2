//! Feeds and sitemaps, each read back by a real parser: RSS, Atom and JSON Feed by `feed-rs`,
//! sitemaps by `roxmltree`.

use serde_json::json;

use crate::both;

const SITE: &str = "/api/v1/sites/phuong-chi-minh";
const BASE: &str = "https://chiminh.chilinh.haiduong.gov.vn";

/// The frontend URLs of the newest public articles, as the article list gives them.
async fn newest<S, B>(app: &crate::helpers::TestApp<S>, query: &str) -> Vec<String>
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let list = app.get_json(&format!("{SITE}/articles?per_page=20{query}")).await;
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| format!("{BASE}/{}/{}", a["category"]["slug"].as_str().unwrap(), a["slug"].as_str().unwrap()))
        .collect()
}

both!(the_three_feeds_carry_the_newest_articles, |app| {
    let expected = newest(&app, "").await;
    assert!(!expected.is_empty());
    for (name, content_type) in [
        ("rss.xml", "application/rss+xml; charset=utf-8"),
        ("atom.xml", "application/atom+xml; charset=utf-8"),
        ("feed.json", "application/feed+json; charset=utf-8"),
    ] {
        let uri = format!("{SITE}/feeds/{name}");
        let res = app.get(&uri).await;
        assert_eq!(res.status, 200, "{name}");
        assert_eq!(res.header("content-type"), Some(content_type));
        let feed = feed_rs::parser::parse(&res.body[..]).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(feed.title.map(|t| t.content).as_deref(), Some("Phường Chí Minh"), "{name}");
        let links: Vec<String> = feed.entries.iter().map(|e| e.links[0].href.clone()).collect();
        assert_eq!(links, expected, "{name}");
        let first = &feed.entries[0];
        assert!(first.published.is_some() && first.summary.is_some(), "{name}");
        // ETag and 304, as every public read.
        let etag = res.header("etag").unwrap().to_owned();
        assert_eq!(app.call_with("GET", &uri, None, None, &[("if-none-match", &etag)]).await.status, 304);
        // A reader that asks for the feed's own type gets it.
        let asked =
            app.call_with("GET", &uri, None, None, &[("accept", content_type.split(';').next().unwrap())]).await;
        assert_eq!(asked.status, 200, "{name} with its own Accept");
    }
    // One category's feed holds that category's articles only.
    let category = newest(&app, "&category=dang-uy-xa").await;
    let feed =
        feed_rs::parser::parse(&app.get(&format!("{SITE}/feeds/atom.xml?category=dang-uy-xa")).await.body[..]).unwrap();
    assert_eq!(feed.entries.iter().map(|e| e.links[0].href.clone()).collect::<Vec<_>>(), category);
    assert!(feed.title.unwrap().content.starts_with("Đảng ủy xã"));
    assert_eq!(app.get(&format!("{SITE}/feeds/rss.xml?category=khong-co")).await.status, 404);
    assert_eq!(app.get(&format!("{SITE}/feeds/rss.xml?category=Kh%C3%B4ng")).await.status, 400);
    // A site without a public base URL has no feed, and says why.
    let none = app.get("/api/v1/sites/xa-le-loi/feeds/rss.xml").await;
    assert_eq!(none.status, 404);
    assert!(none.json()["detail"].as_str().unwrap().contains("base_url"));
});

both!(a_published_article_reaches_the_feeds_at_once, |app| {
    let staff = app.staff().await;
    let rss = format!("{SITE}/feeds/rss.xml");
    let before = app.get(&rss).await.header("etag").unwrap().to_owned();
    let made = app
        .call(
            "POST",
            format!("{SITE}/articles"),
            Some(&staff.editor),
            Some(
                json!({"title": "Phường Chí Minh ra quân <vệ sinh> môi trường & đô thị", "category": "tin-trong-phuong",
                          "summary": "Sáng 6/12, \"ngày chủ nhật xanh\"."}),
            ),
        )
        .await;
    assert_eq!(made.status, 201);
    let id = made.json()["data"]["id"].as_i64().unwrap();
    assert_eq!(app.call("POST", format!("{SITE}/articles/{id}/publish"), Some(&staff.editor), None).await.status, 200);
    let after = app.get(&rss).await;
    assert_ne!(after.header("etag"), Some(before.as_str()));
    let feed = feed_rs::parser::parse(&after.body[..]).unwrap();
    let first = &feed.entries[0];
    assert_eq!(first.title.as_ref().unwrap().content, "Phường Chí Minh ra quân <vệ sinh> môi trường & đô thị");
    // The news sitemap has it, answered anew each time.
    let news = app.get(&format!("{SITE}/sitemap-news.xml")).await;
    assert_eq!(news.status, 200);
    assert_eq!(news.header("cache-control"), Some("no-cache"));
    let text = String::from_utf8(news.body.to_vec()).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let titles: Vec<&str> = doc.descendants().filter(|n| n.has_tag_name("title")).filter_map(|n| n.text()).collect();
    assert_eq!(titles, ["Phường Chí Minh ra quân <vệ sinh> môi trường & đô thị"], "only the last 48 hours");
});

both!(the_sitemap_lists_every_public_page, |app| {
    let res = app.get(&format!("{SITE}/sitemap.xml")).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-type"), Some("application/xml; charset=utf-8"));
    let text = String::from_utf8(res.body.to_vec()).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    assert_eq!(doc.root_element().tag_name().namespace(), Some("http://www.sitemaps.org/schemas/sitemap/0.9"));
    let urls: Vec<(String, Option<String>)> = doc
        .root_element()
        .children()
        .filter(|n| n.has_tag_name("url"))
        .map(|u| {
            let text = |tag: &str| u.children().find(|c| c.has_tag_name(tag)).and_then(|c| c.text()).map(str::to_owned);
            (text("loc").unwrap(), text("lastmod"))
        })
        .collect();
    let articles = app.get_json(&format!("{SITE}/articles?per_page=1")).await["meta"]["total"].as_u64().unwrap();
    let categories = app.get_json(&format!("{SITE}/categories")).await;
    fn count(tree: &serde_json::Value) -> usize {
        tree.as_array().unwrap().iter().map(|c| 1 + count(&c["children"])).sum()
    }
    let documents = app.get_json(&format!("{SITE}/documents")).await["meta"]["total"].as_u64().unwrap();
    let pages = count(&app.get_json(&format!("{SITE}/pages")).await["data"]) as u64;
    assert_eq!(urls.len() as u64, 1 + count(&categories["data"]) as u64 + pages + articles + documents);
    assert!(urls.iter().any(|(loc, _)| loc == &format!("{BASE}/trang/gioi-thieu/lich-su")));
    assert_eq!(urls[0].0, format!("{BASE}/"));
    assert!(urls.iter().all(|(loc, _)| loc.starts_with(BASE)));
    let newest = &newest(&app, "").await[0];
    let article = urls.iter().find(|(loc, _)| loc == newest).expect("the newest article is listed");
    assert!(chrono::DateTime::parse_from_rfc3339(article.1.as_deref().unwrap()).is_ok());
    assert!(urls.iter().any(|(loc, _)| loc.starts_with(&format!("{BASE}/van-ban/"))));
    let etag = res.header("etag").unwrap().to_owned();
    assert_eq!(
        app.call_with("GET", format!("{SITE}/sitemap.xml"), None, None, &[("if-none-match", &etag)]).await.status,
        304
    );
    assert_eq!(app.get("/api/v1/sites/xa-le-loi/sitemap.xml").await.status, 404);
});
