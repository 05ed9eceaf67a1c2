//! The response cache: kept answers are served from memory, and every write makes the reads
//! it can change fresh, on this node at once and on another within a sync.

use serde_json::{Value, json};

use crate::both;

const LIST: &str = "/api/v1/sites/phuong-chi-minh/articles";
const TREE: &str = "/api/v1/sites/phuong-chi-minh/categories";
const SITE: &str = "/api/v1/sites/phuong-chi-minh";

both!(public_reads_are_kept_and_served_from_memory, |app| {
    let first = app.get(LIST).await;
    assert_eq!(first.header("x-cache"), Some("miss"));
    let second = app.get(LIST).await;
    assert_eq!(second.header("x-cache"), Some("hit"));
    assert_eq!(second.body, first.body);
    assert_eq!(second.header("etag"), first.header("etag"));
    assert_eq!(second.header("link"), first.header("link"));
    let etag = first.header("etag").unwrap().to_owned();
    let not_modified = app.call_with("GET", LIST, None, None, &[("if-none-match", &etag)]).await;
    assert_eq!((not_modified.status, not_modified.body.len()), (304, 0));
    // Each encoding is its own representation with its own tag; any of them revalidates.
    let gz = app.call_with("GET", LIST, None, None, &[("accept-encoding", "gzip")]).await;
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    let gz_tag = gz.header("etag").unwrap().to_owned();
    assert_eq!(gz_tag, format!("{}-gz\"", etag.trim_end_matches('"')));
    let br = app.call_with("GET", LIST, None, None, &[("accept-encoding", "br, gzip")]).await;
    assert_eq!(br.header("content-encoding"), Some("br"));
    let revalidated =
        app.call_with("GET", LIST, None, None, &[("if-none-match", &gz_tag), ("accept-encoding", "gzip")]).await;
    assert_eq!(revalidated.status, 304);
    // Different queries are different entries; signed-in reads and visit figures are never kept.
    assert_eq!(app.get(&format!("{LIST}?page=2&per_page=5")).await.header("x-cache"), Some("miss"));
    assert_eq!(app.get("/api/v1/sites/phuong-chi-minh/visits/history").await.header("x-cache"), None);
    let staff = app.staff().await;
    assert_eq!(app.call("GET", LIST, Some(&staff.editor), None).await.header("x-cache"), None);
    let (hits, misses) = (
        app.state.responses.hits.load(std::sync::atomic::Ordering::Relaxed),
        app.state.responses.misses.load(std::sync::atomic::Ordering::Relaxed),
    );
    assert_eq!((hits, misses), (5, 2));
});

/// Every write route, as an editor, with a body that succeeds.
fn writes(draft: i64, published: i64, revision: i64) -> Vec<(&'static str, String, Option<Value>)> {
    vec![
        ("POST", LIST.to_owned(), Some(json!({"title": "Bài mới", "category": "thong-bao"}))),
        ("PATCH", format!("{LIST}/{published}"), Some(json!({"title": "Tiêu đề đã sửa"}))),
        ("POST", format!("{LIST}/{draft}/submit"), None),
        ("POST", format!("{LIST}/{draft}/publish"), None),
        ("POST", format!("{LIST}/{draft}/unpublish"), None),
        ("POST", format!("{LIST}/{draft}/trash"), None),
        ("POST", format!("{LIST}/{draft}/restore"), None),
        ("PUT", format!("{LIST}/{published}/related"), Some(json!({"article_ids": [2]}))),
        ("POST", format!("{LIST}/{draft}/revisions/{revision}/restore"), None),
        ("POST", TREE.to_owned(), Some(json!({"name": "Chuyên mục mới"}))),
        ("PATCH", format!("{TREE}/chuyen-muc-moi"), Some(json!({"description": "Mô tả"}))),
        ("DELETE", format!("{TREE}/chuyen-muc-moi"), None),
        ("POST", format!("{SITE}/links"), Some(json!({"title": "Báo Nhân Dân", "url": "https://nhandan.vn"}))),
        ("PATCH", format!("{SITE}/links/6"), Some(json!({"group": "Báo chí"}))),
        ("DELETE", format!("{SITE}/links/6"), None),
        ("POST", format!("{SITE}/albums"), Some(json!({"title": "Album mới"}))),
        ("PATCH", format!("{SITE}/albums/album-moi"), Some(json!({"description": "Mô tả"}))),
        ("POST", format!("{SITE}/albums/album-moi/photos"), Some(json!({"image_url": "https://a.vn/anh.jpg"}))),
        ("PATCH", format!("{SITE}/albums/album-moi/photos/4"), Some(json!({"caption": "Chú thích"}))),
        ("DELETE", format!("{SITE}/albums/album-moi/photos/4"), None),
        ("DELETE", format!("{SITE}/albums/album-moi"), None),
        (
            "POST",
            format!("{SITE}/media"),
            Some(json!({"title": "Video mới", "kind": "video", "embed_url": "https://www.youtube.com/embed/x"})),
        ),
        ("PATCH", format!("{SITE}/media/video-moi"), Some(json!({"duration_seconds": 60}))),
        ("DELETE", format!("{SITE}/media/video-moi"), None),
        (
            "PUT",
            format!("{SITE}/desk"),
            Some(json!({"name": "Bộ phận một cửa", "unit_code": "000.00.14.H23", "hours": []})),
        ),
        (
            "POST",
            format!("{SITE}/procedures"),
            Some(
                json!({"code": "9.1", "name": "Thủ tục mới", "field": "Hộ tịch", "processing_days": 1, "online_level": "truc_tiep"}),
            ),
        ),
        ("PATCH", format!("{SITE}/procedures/9.1"), Some(json!({"fee_vnd": 5000}))),
        ("DELETE", format!("{SITE}/procedures/9.1"), None),
    ]
}

/// The site's public reads a write to it can change.
fn site_reads() -> Vec<String> {
    vec![
        LIST.to_owned(),
        format!("{LIST}/8"),
        TREE.to_owned(),
        format!("{TREE}/thong-bao"),
        format!("{SITE}/home"),
        format!("{SITE}/links"),
        format!("{SITE}/albums"),
        format!("{SITE}/media"),
        format!("{SITE}/desk"),
        format!("{SITE}/procedures"),
    ]
}

both!(every_write_makes_the_reads_of_its_site_fresh, |app| {
    let staff = app.staff().await;
    let created =
        app.call("POST", LIST, Some(&staff.editor), Some(json!({"title": "Bản nháp", "category": "thong-bao"}))).await;
    let draft = created.json()["data"]["id"].as_i64().unwrap();
    let revisions = app.call("GET", format!("{LIST}/{draft}/revisions"), Some(&staff.editor), None).await.json();
    let revision = revisions["data"][0]["id"].as_i64().unwrap();
    let reads = site_reads();
    let other_site = "/api/v1/sites/xa-le-loi/articles";
    for (method, uri, body) in writes(draft, 8, revision) {
        for read in &reads {
            app.get(read).await;
            assert_eq!(app.get(read).await.header("x-cache"), Some("hit"), "{read} is kept");
        }
        app.get(other_site).await;
        let res = app.call_with(method, &uri, Some(&staff.editor), body, &[("if-match", "*")]).await;
        assert!(res.status < 300, "{method} {uri}: {} {}", res.status, String::from_utf8_lossy(&res.body));

        for read in &reads {
            assert_eq!(app.get(read).await.header("x-cache"), Some("miss"), "{read} after {method} {uri}");
        }
        assert_eq!(
            app.get(other_site).await.header("x-cache"),
            Some("hit"),
            "another site's reads stay after {method} {uri}"
        );
    }
    // And the content is the new one.
    let a = app.get_json(&format!("{LIST}/8")).await;
    assert_eq!(a["data"]["related"][0]["id"], 2);
    assert_eq!(app.get_json(&format!("{SITE}/desk")).await["data"]["hours"], json!([]));
});

both!(a_write_whose_client_went_away_still_makes_the_reads_fresh, |app| {
    let staff = app.staff().await;
    let total = |res: &crate::helpers::Res| res.json()["meta"]["total"].as_i64().unwrap();
    let before = total(&app.get(LIST).await);
    assert_eq!(app.get(LIST).await.header("x-cache"), Some("hit"));
    // Article 8 taken back, and the request dropped at once: its write commits regardless.
    app.abandon(
        actix_web::test::TestRequest::post()
            .uri(&format!("{LIST}/8/unpublish"))
            .insert_header(("authorization", format!("Bearer {}", staff.editor)))
            .insert_header(("if-match", "*")),
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let list = app.get(LIST).await;
        if total(&list) == before - 1 {
            assert_eq!(list.header("x-cache"), Some("miss"));
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the kept list outlived the write");
        actix_web::rt::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let mut conn = app.conn();
    let versions: i64 = diesel::RunQueryDsl::get_result(
        diesel::sql_query(
            "SELECT COUNT(*) AS n FROM cache_versions v JOIN sites s ON s.id = v.site_id \
             WHERE s.slug = 'phuong-chi-minh'",
        ),
        &mut *conn,
    )
    .map(|r: Count| r.n)
    .unwrap();
    assert_eq!(versions, 1, "the other nodes were told");
});

both!(a_site_write_tells_the_other_nodes_in_its_own_transaction, |app| {
    use diesel::Connection;
    let user_id = app.add_user("bientap@chiminh.gov.vn", portal::auth::Role::Editor, Some("phuong-chi-minh"));
    let origin =
        portal::audit::Origin { user_id, email: "bientap@chiminh.gov.vn".into(), client_ip: "192.0.2.1".into() };
    let mut conn = app.conn();
    let version = |conn: &mut portal::db::AnyConnection| -> i64 {
        diesel::RunQueryDsl::get_result::<Count>(
            diesel::sql_query(
                "SELECT COALESCE(MAX(v.version), 0) AS n FROM cache_versions v JOIN sites s ON s.id = v.site_id \
                 WHERE s.slug = 'phuong-chi-minh'",
            ),
            conn,
        )
        .unwrap()
        .n
    };
    let site = app.get_json(SITE).await["data"]["id"].as_i64().unwrap();
    let before = version(&mut conn);
    let record = |conn: &mut portal::db::AnyConnection, action: &str| {
        portal::audit::record(conn, &origin, action, "category:1", Some(site))
    };
    // Rolled back with the write it belongs to...
    let undone = conn.transaction::<(), _, _>(|conn| {
        record(conn, "category.update")?;
        Err(diesel::result::Error::RollbackTransaction)
    });
    assert!(undone.is_err());
    assert_eq!(version(&mut conn), before);
    // ...committed with it; a write no public read shows (a dossier's) leaves the kept pages alone.
    conn.transaction(|conn| record(conn, "category.update")).unwrap();
    assert_eq!(version(&mut conn), before + 1);
    conn.transaction(|conn| portal::audit::record_private(conn, &origin, "dossier.receive", "dossier:1", Some(site)))
        .unwrap();
    assert_eq!(version(&mut conn), before + 1);
});

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

both!(dossiers_leave_the_kept_pages_alone, |app| {
    // No kept answer shows a dossier: a desk receiving them all day keeps its ward's pages.
    let staff = app.staff().await;
    let reads = [format!("{SITE}/home"), LIST.to_owned(), format!("{SITE}/desk"), format!("{SITE}/procedures")];
    for read in &reads {
        app.get(read).await;
    }
    let in_period = |stats: serde_json::Value| stats["data"]["received"]["in_period"].as_i64().unwrap();
    let before = in_period(app.get_json(&format!("{SITE}/desk/statistics")).await);
    let received = app
        .call(
            "POST",
            format!("{SITE}/dossiers"),
            Some(&staff.author),
            Some(json!({"procedure": "1.004194", "applicant_name": "Nguyễn Văn An"})),
        )
        .await;
    assert_eq!(received.status, 201);
    let code = received.json()["data"]["code"].as_str().unwrap().to_owned();
    let moved = app
        .call(
            "POST",
            format!("{SITE}/dossiers/{code}/status"),
            Some(&staff.author),
            Some(json!({"status": "processing"})),
        )
        .await;
    assert_eq!(moved.status, 200);
    for read in &reads {
        assert_eq!(app.get(read).await.header("x-cache"), Some("hit"), "{read} after dossier writes");
    }
    // What does show them is answered fresh.
    let key = received.json()["data"]["lookup_key"].as_str().unwrap().to_owned();
    let lookup = app.get_json(&format!("{SITE}/dossiers/{code}?key={key}")).await;
    assert_eq!(lookup["data"]["status"], "processing");
    assert_eq!(in_period(app.get_json(&format!("{SITE}/desk/statistics")).await), before + 1);
});

both!(writes_are_judged_by_their_route_and_decoded_site, |app| {
    let staff = app.staff().await;
    // A procedure whose code reads like the dossiers' route is still a procedure.
    let created = app
        .call(
            "POST",
            format!("{SITE}/procedures"),
            Some(&staff.editor),
            Some(json!({"code": "dossiers-1", "name": "Thủ tục", "field": "Hộ tịch", "processing_days": 1, "online_level": "truc_tiep"})),
        )
        .await;
    assert_eq!(created.status, 201);
    let url = format!("{SITE}/procedures/dossiers-1");
    app.get(&url).await;
    assert_eq!(app.get(&url).await.header("x-cache"), Some("hit"));
    let renamed = app.call("PATCH", &url, Some(&staff.editor), Some(json!({"name": "Thủ tục đã đổi tên"}))).await;
    assert_eq!(renamed.status, 200);
    let fresh = app.get(&url).await;
    assert_eq!(
        (fresh.header("x-cache"), fresh.json()["data"]["name"].clone()),
        (Some("miss"), json!("Thủ tục đã đổi tên"))
    );
    // A write to a percent-encoded site name is a write to that site, read fresh either way.
    app.get(TREE).await;
    app.get("/api/v1/sites/phuong%2Dchi-minh/categories").await;
    let added = app
        .call(
            "POST",
            "/api/v1/sites/phuong%2Dchi-minh/categories",
            Some(&staff.editor),
            Some(json!({"name": "Chuyên mục mã hóa"})),
        )
        .await;
    assert_eq!(added.status, 201);
    for read in [TREE, "/api/v1/sites/phuong%2Dchi-minh/categories"] {
        let res = app.get(read).await;
        assert_eq!(res.header("x-cache"), Some("miss"), "{read}");
        assert!(String::from_utf8_lossy(&res.body).contains("Chuyên mục mã hóa"), "{read}");
    }
});

both!(a_holiday_makes_every_site_fresh, |app| {
    let staff = app.staff().await;
    let reads = ["/api/v1/holidays?year=2026", "/api/v1/sites/phuong-chi-minh/home", "/api/v1/sites/xa-le-loi/desk"];
    for read in reads {
        app.get(read).await;
        assert_eq!(app.get(read).await.header("x-cache"), Some("hit"), "{read} is kept");
    }
    let set = app
        .call("PUT", "/api/v1/holidays/2026-11-24", Some(&staff.admin), Some(json!({"name": "Ngày Văn hóa Việt Nam"})))
        .await;
    assert_eq!(set.status, 200);
    for read in reads {
        assert_eq!(app.get(read).await.header("x-cache"), Some("miss"), "{read} after a holiday");
    }
    let year = app.get_json("/api/v1/holidays?year=2026").await;
    assert_eq!(year["data"].as_array().unwrap().len(), 12);
    for read in reads {
        assert_eq!(app.get(read).await.header("x-cache"), Some("hit"), "{read} is kept");
    }
    let gone = app.call("DELETE", "/api/v1/holidays/2026-11-24", Some(&staff.admin), None).await;
    assert_eq!(gone.status, 204);
    for read in reads {
        assert_eq!(app.get(read).await.header("x-cache"), Some("miss"), "{read} after a holiday is taken back");
    }
    let year = app.get_json("/api/v1/holidays?year=2026").await;
    assert_eq!(year["data"].as_array().unwrap().len(), 11);
});

const SECRET: &str = "a-signing-key-shared-by-both-nodes-32b";

async fn two_nodes(backend: crate::helpers::Backend) {
    let secret = || Some(portal::core::config::Secret(SECRET.into()));
    let Some(app) = crate::helpers::spawn_with(backend, |s| s.jwt_secret = secret()).await else { return };
    let staff = app.staff().await;
    // A second node on the same database, with its own cache.
    let other = app.another_node(|s| s.jwt_secret = secret()).await;
    let created =
        app.call("POST", LIST, Some(&staff.editor), Some(json!({"title": "Bản nháp", "category": "thong-bao"}))).await;
    let draft = created.json()["data"]["id"].as_i64().unwrap();
    let revisions = app.call("GET", format!("{LIST}/{draft}/revisions"), Some(&staff.editor), None).await.json();
    let revision = revisions["data"][0]["id"].as_i64().unwrap();
    let sync = || app.state.sync_cache(&mut app.conn()).unwrap();
    // Both nodes know the current versions.
    sync();
    let holiday = ("PUT", "/api/v1/holidays/2026-11-24".to_owned(), Some(json!({"name": "Ngày Văn hóa Việt Nam"})));
    let holiday_gone = ("DELETE", "/api/v1/holidays/2026-11-24".to_owned(), None);
    for (method, uri, body) in writes(draft, 8, revision).into_iter().chain([holiday, holiday_gone]) {
        for read in site_reads() {
            app.get(&read).await;
            assert_eq!(app.get(&read).await.header("x-cache"), Some("hit"), "{read} is kept");
        }
        let token = if uri.starts_with("/api/v1/holidays") { &staff.admin } else { &staff.editor };
        let res = other.call_with(method, &uri, Some(token), body, &[("if-match", "*")]).await;
        assert!(res.status < 300, "{method} {uri}: {} {}", res.status, String::from_utf8_lossy(&res.body));
        // Until this node syncs it may answer from memory; after, never.
        sync();
        for read in site_reads() {
            assert_eq!(app.get(&read).await.header("x-cache"), Some("miss"), "{read} after {method} {uri} elsewhere");
        }
    }
    let fresh = app.get_json(&format!("{LIST}/8")).await;
    assert_eq!(
        (fresh["data"]["title"].clone(), fresh["data"]["related"][0]["id"].clone()),
        (json!("Tiêu đề đã sửa"), json!(2))
    );
}

#[actix_web::test]
async fn a_write_through_another_node_is_seen_after_a_sync_sqlite() {
    two_nodes(crate::helpers::Backend::Sqlite).await;
}

#[actix_web::test]
async fn a_write_through_another_node_is_seen_after_a_sync_postgres() {
    two_nodes(crate::helpers::Backend::Postgres).await;
}

both!(a_scheduled_article_freshens_the_kept_lists_when_its_time_comes, |app| {
    let staff = app.staff().await;
    let created =
        app.call("POST", LIST, Some(&staff.editor), Some(json!({"title": "Hẹn giờ", "category": "thong-bao"}))).await;
    let id = created.json()["data"]["id"].as_i64().unwrap();
    let at = chrono::Utc::now() + chrono::Duration::milliseconds(1200);
    let res = app
        .call(
            "POST",
            format!("{LIST}/{id}/publish"),
            Some(&staff.editor),
            Some(json!({"published_at": at.to_rfc3339()})),
        )
        .await;
    assert_eq!(res.status, 200);
    app.state.sync_cache(&mut app.conn()).unwrap();
    assert_ne!(app.get_json(LIST).await["data"][0]["id"], id);
    assert_eq!(app.get(LIST).await.header("x-cache"), Some("hit"));
    let wait = (at - chrono::Utc::now()).to_std().unwrap_or_default() + std::time::Duration::from_millis(50);
    std::thread::sleep(wait);
    app.state.sync_cache(&mut app.conn()).unwrap();
    let list = app.get(LIST).await;
    assert_eq!(list.header("x-cache"), Some("miss"));
    assert_eq!(list.json()["data"][0]["id"], id);
});

both!(a_reindex_beside_the_nodes_makes_their_searches_fresh, |app| {
    let search = format!("{LIST}?q=hai+duong");
    // The node knows the current versions first (the demo's seed told them).
    app.state.sync_cache(&mut app.conn()).unwrap();
    app.get(&search).await;
    assert_eq!(app.get(&search).await.header("x-cache"), Some("hit"));
    app.state.sync_cache(&mut app.conn()).unwrap();
    assert_eq!(app.get(&search).await.header("x-cache"), Some("hit"), "a sync alone keeps it");
    // `portal reindex` (a command, not a node) on the same database.
    portal::reindex(&mut app.conn()).unwrap();
    app.state.sync_cache(&mut app.conn()).unwrap();
    assert_eq!(app.get(&search).await.header("x-cache"), Some("miss"));
});

#[actix_web::test]
async fn the_cache_can_be_turned_off() {
    let app = crate::helpers::spawn_with(crate::helpers::Backend::Sqlite, |s| s.cache_bytes = 0).await.unwrap();
    app.get(LIST).await;
    let res = app.get(LIST).await;
    assert_eq!((res.status, res.header("x-cache")), (200, None));
    assert!(res.header("etag").is_some());
}

/// Sites, categories and public totals are kept per node too (the response cache off or on):
/// a category renamed through one node shows in its articles at once there, and on a second
/// node after its sync; so does a new article in the lists' totals.
async fn renamed_category(backend: crate::helpers::Backend) {
    let secret = || Some(portal::core::config::Secret(SECRET.into()));
    let Some(app) = crate::helpers::spawn_with(backend, |s| {
        s.jwt_secret = secret();
        s.cache_bytes = 0;
    })
    .await
    else {
        return;
    };
    let staff = app.staff().await;
    // The demo's scheduled article taken back: with none to come, public totals are added up
    // from the counts kept with the site.
    let scheduled = app.call("GET", format!("{LIST}?status=scheduled"), Some(&staff.editor), None).await.json();
    for a in scheduled["data"].as_array().unwrap() {
        let back = app.call("POST", format!("{LIST}/{}/unpublish", a["id"]), Some(&staff.editor), None).await;
        assert_eq!(back.status, 200);
    }
    let node = app
        .another_node(|s| {
            s.jwt_secret = secret();
            s.cache_bytes = 0;
        })
        .await;
    let other = node.state.clone();
    let names = |body: &Value| -> Vec<String> {
        let list = body["data"].as_array().unwrap();
        list.iter().map(|a| a["category"]["name"].as_str().unwrap().to_owned()).collect()
    };
    let in_category = format!("{LIST}?category=thong-bao");
    app.state.sync_cache(&mut app.conn()).unwrap();
    other.sync_cache(&mut app.conn()).unwrap();
    let before = app.get_json(&in_category).await;
    assert!(!names(&before).is_empty());
    let first = before["data"][0]["id"].as_i64().unwrap();
    assert!(names(&node.get_json(&in_category).await).iter().all(|n| n == "Thông báo"));
    let renamed = app
        .call("PATCH", format!("{TREE}/thong-bao"), Some(&staff.editor), Some(json!({"name": "Thông báo mới"})))
        .await;
    assert_eq!(renamed.status, 200);
    assert!(names(&app.get_json(&in_category).await).iter().all(|n| n == "Thông báo mới"));
    let detail = app.get_json(&format!("{LIST}/{first}")).await;
    assert_eq!(detail["data"]["category"]["name"], "Thông báo mới");
    other.sync_cache(&mut app.conn()).unwrap();
    assert!(names(&node.get_json(&in_category).await).iter().all(|n| n == "Thông báo mới"));
    let detail = node.get_json(&format!("{LIST}/{first}")).await;
    assert_eq!(detail["data"]["category"]["name"], "Thông báo mới");
    // The public totals kept with the site follow a new article the same way, in its category
    // and in the parent's list (its subtree).
    let total = |body: &Value| body["meta"]["total"].as_i64().unwrap();
    let listed = |body: &Value| body["data"].as_array().unwrap().len() as i64;
    let parent = format!("{LIST}?category=chinh-quyen&per_page=100");
    let before = total(&app.get_json(&in_category).await);
    let parent_before = app.get_json(&parent).await;
    assert_eq!(total(&parent_before), listed(&parent_before));
    assert!(total(&parent_before) >= before && before > 0);
    assert_eq!(total(&node.get_json(&in_category).await), before);
    assert!(kept_totals(&app.state) && kept_totals(&other), "no scheduled article: totals from the memo");
    let new = json!({"title": "Lịch tiếp công dân", "category": "thong-bao"});
    let id = app.call("POST", LIST, Some(&staff.editor), Some(new)).await.json()["data"]["id"].as_i64().unwrap();
    assert_eq!(app.call("POST", format!("{LIST}/{id}/publish"), Some(&staff.editor), None).await.status, 200);
    assert_eq!(total(&app.get_json(&in_category).await), before + 1);
    let parent_after = app.get_json(&parent).await;
    assert_eq!((total(&parent_after), listed(&parent_after)), (total(&parent_before) + 1, listed(&parent_before) + 1));
    assert!(kept_totals(&app.state));
    other.sync_cache(&mut app.conn()).unwrap();
    assert_eq!(total(&node.get_json(&in_category).await), before + 1);
    assert_eq!(total(&node.get_json(&parent).await), total(&parent_before) + 1);
    assert!(kept_totals(&other));
}

/// Whether the node keeps public totals for the demo site (read since its last write, with no
/// scheduled article).
fn kept_totals(state: &portal::AppState) -> bool {
    state.sites.cached(&state.responses, "phuong-chi-minh").is_some_and(|c| c.public_counts().is_some())
}

#[actix_web::test]
async fn a_renamed_category_shows_at_once_and_on_another_node_after_a_sync_sqlite() {
    renamed_category(crate::helpers::Backend::Sqlite).await;
}

#[actix_web::test]
async fn a_renamed_category_shows_at_once_and_on_another_node_after_a_sync_postgres() {
    renamed_category(crate::helpers::Backend::Postgres).await;
}

both!(concurrent_misses_of_one_answer_read_the_database_once, |app| {
    use std::sync::atomic::Ordering::Relaxed;
    let uri = format!("{LIST}?q=hai+duong");
    let answers = futures_util::future::join_all((0..8).map(|_| app.get(&uri))).await;
    let first = &answers[0];
    assert_eq!(first.status, 200);
    assert!(answers.iter().all(|a| a.status == 200 && a.body == first.body));
    let misses: Vec<_> = answers.iter().filter(|a| a.header("x-cache") == Some("miss")).collect();
    assert_eq!(misses.len(), 1, "one request worked the answer out");
    assert_eq!((app.state.responses.misses.load(Relaxed), app.state.responses.hits.load(Relaxed)), (1, 7));
    // An answer that is not kept (a 404) lets each waiting request ask for itself.
    let missing = futures_util::future::join_all((0..3).map(|_| app.get("/api/v1/sites/khong-co/articles"))).await;
    assert!(missing.iter().all(|a| a.status == 404));
    assert_eq!(app.state.responses.misses.load(Relaxed), 4);
});

both!(when_the_leading_reader_goes_away_a_waiting_one_leads, |app| {
    use std::sync::atomic::Ordering::Relaxed;
    let uri = format!("{LIST}?q=hai+duong");
    // Every search turn taken, so the first reader of an uncached search waits for one: three
    // more wait for its answer, and its client goes away.
    let turns = app.state.searches.available_permits() as u32;
    let held = app.state.searches.clone().acquire_many_owned(turns).await.unwrap();
    let mut leader = Box::pin(app.get(&uri));
    assert!(crate::helpers::started(leader.as_mut()));
    let mut waiting: Vec<_> = (0..3).map(|_| Box::pin(app.get(&uri))).collect();
    for w in &mut waiting {
        assert!(crate::helpers::started(w.as_mut()));
    }
    drop(leader);
    drop(held);
    let answers = futures_util::future::join_all(waiting).await;
    assert!(answers.iter().all(|a| a.status == 200 && a.body == answers[0].body));
    let misses = answers.iter().filter(|a| a.header("x-cache") == Some("miss")).count();
    assert_eq!(misses, 1, "one of the waiting readers led");
    assert_eq!((app.state.responses.misses.load(Relaxed), app.state.responses.hits.load(Relaxed)), (2, 2));
});

both!(a_revalidating_miss_is_kept_for_the_next_reader, |app| {
    let etag = app.get(LIST).await.header("etag").unwrap().to_owned();
    // Something was written: kept answers are stale, though this one did not change.
    app.state.responses.bump(Some("phuong-chi-minh"));
    let revalidated = app.call_with("GET", LIST, None, None, &[("if-none-match", &etag)]).await;
    assert_eq!((revalidated.status, revalidated.header("x-cache")), (304, Some("miss")));
    assert_eq!(revalidated.header("etag"), Some(etag.as_str()));
    let next = app.get(LIST).await;
    assert_eq!((next.status, next.header("x-cache")), (200, Some("hit")), "kept by the 304's request");
    assert_eq!(next.header("etag"), Some(etag.as_str()));
});
