//! What an attacker tried and must not manage: abort a node, exhaust it, lock others out,
//! spoof an address, or get around the rules. Each test names the item of the hardening
//! issue it covers.

use actix_web::test::TestRequest;
use diesel::prelude::*;
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Backend, PASSWORD, spawn, spawn_with};

const SITE: &str = "/api/v1/sites/phuong-chi-minh";

fn fields(res: &crate::helpers::Res) -> Vec<String> {
    res.json()["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect()
}

// 1. Category trees: no recursion to overflow, no depth without bound, no loop by two moves.

both!(a_deep_or_looping_category_tree_cannot_abort_a_read, |app| {
    use portal::db::schema::sites;
    let mut conn = app.conn();
    let site: i64 = sites::table.filter(sites::slug.eq("phuong-chi-minh")).select(sites::id).first(&mut *conn).unwrap();
    // A chain 20,000 deep, written before the API limited the depth, and a loop of two.
    const DEEP: i64 = 20_000;
    let first = 1_000_000;
    let row = |id: i64, parent: Option<i64>, slug: String| {
        let parent = parent.map_or("NULL".to_owned(), |p| p.to_string());
        format!("({id}, {site}, {parent}, '{slug}', '{slug}', '', 100)")
    };
    let mut rows: Vec<String> =
        (0..DEEP).map(|i| row(first + i, (i > 0).then(|| first + i - 1), format!("sau-{i}"))).collect();
    rows.push(row(first + DEEP, Some(first + DEEP + 1), format!("vong-{}", first + DEEP)));
    rows.push(row(first + DEEP + 1, Some(first + DEEP), format!("vong-{}", first + DEEP + 1)));
    for chunk in rows.chunks(2000) {
        let sql = format!(
            "INSERT INTO categories (id, site_id, parent_id, slug, name, description, position) VALUES {}",
            chunk.join(", ")
        );
        diesel::connection::SimpleConnection::batch_execute(&mut *conn, &sql).unwrap();
    }
    drop(conn);

    let tree = app.get_json(&format!("{SITE}/categories")).await;
    let deep = tree["data"].as_array().unwrap().iter().find(|c| c["slug"] == "sau-0").expect("the chain's top").clone();
    // Shown eight levels deep, no further; the loop hangs under no top-level category.
    let mut levels = 1;
    let mut node = &deep;
    while let Some(child) = node["children"].as_array().and_then(|c| c.first()) {
        levels += 1;
        node = child;
    }
    assert_eq!(levels, portal::categories::MAX_DEPTH);
    assert!(!tree.to_string().contains("vong-"));
    assert_eq!(app.get(&format!("{SITE}/home")).await.status, 200);
    let looped = app.get_json(&format!("{SITE}/categories/vong-{}", first + DEEP)).await;
    assert_eq!(looped["data"]["ancestors"].as_array().unwrap().len(), 1);
    let bottom = app.get_json(&format!("{SITE}/categories/sau-{}", DEEP - 1)).await;
    assert_eq!(bottom["data"]["ancestors"].as_array().unwrap().len(), DEEP as usize - 1);
    let articles = app.get(&format!("{SITE}/articles?category=sau-0")).await;
    assert_eq!(articles.status, 200);
});

both!(categories_go_at_most_eight_levels_deep, |app| {
    let staff = app.staff().await;
    let url = format!("{SITE}/categories");
    let create = |slug: String, parent: Option<String>| {
        let (app, token, url) = (&app, staff.editor.clone(), url.clone());
        async move { app.call("POST", url, Some(&token), Some(json!({"name": slug, "slug": slug, "parent": parent}))).await }
    };
    assert_eq!(create("muc-1".into(), None).await.status, 201);
    for level in 2..=8 {
        let res = create(format!("muc-{level}"), Some(format!("muc-{}", level - 1))).await;
        assert_eq!(res.status, 201, "level {level}: {}", String::from_utf8_lossy(&res.body));
    }
    let ninth = create("muc-9".into(), Some("muc-8".into())).await;
    assert_eq!(ninth.status, 422);
    assert_eq!(fields(&ninth), ["parent"]);
    assert_eq!(
        ninth.json()["errors"][0]["message"],
        "would make the tree 9 levels deep; categories go at most 8 levels deep"
    );
    // A category with a child moved under the seventh level would reach the ninth.
    assert_eq!(create("cha".into(), None).await.status, 201);
    assert_eq!(create("con".into(), Some("cha".into())).await.status, 201);
    let moved = app.call("PATCH", format!("{url}/cha"), Some(&staff.editor), Some(json!({"parent": "muc-7"}))).await;
    assert_eq!(moved.status, 422);
    assert_eq!(fields(&moved), ["parent"]);
    let moved = app.call("PATCH", format!("{url}/cha"), Some(&staff.editor), Some(json!({"parent": "muc-6"}))).await;
    assert_eq!(moved.status, 200);
});

both!(two_moves_at_once_cannot_make_a_loop, |app| {
    let staff = app.staff().await;
    let url = format!("{SITE}/categories");
    for slug in ["vong-a", "vong-b"] {
        let res = app.call("POST", &url, Some(&staff.editor), Some(json!({"name": slug, "slug": slug}))).await;
        assert_eq!(res.status, 201);
    }
    for round in 0..8 {
        let a_under_b =
            app.call("PATCH", format!("{url}/vong-a"), Some(&staff.editor), Some(json!({"parent": "vong-b"})));
        let b_under_a =
            app.call("PATCH", format!("{url}/vong-b"), Some(&staff.editor), Some(json!({"parent": "vong-a"})));
        let (a, b) = futures_util::future::join(a_under_b, b_under_a).await;
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, [200, 422], "round {round}");
        let refused = if a.status == 422 { &a } else { &b };
        assert_eq!(fields(refused), ["parent"]);
        for slug in ["vong-a", "vong-b"] {
            let res =
                app.call("PATCH", format!("{url}/{slug}"), Some(&staff.editor), Some(json!({"parent": null}))).await;
            assert_eq!(res.status, 200);
        }
    }
});

// 3. Sign-in limits: an address that fails is refused; an account that fails is slowed, and
// its owner still gets in.

async fn login_from<S, B>(
    app: &crate::helpers::TestApp<S>,
    ip: &str,
    email: &str,
    password: &str,
) -> crate::helpers::Res
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let req = TestRequest::post()
        .uri("/api/v1/auth/login")
        .peer_addr(format!("{ip}:40000").parse().unwrap())
        .set_json(json!({"email": email, "password": password}));
    app.send(req).await
}

#[actix_web::test]
async fn a_stranger_failing_cannot_lock_the_owner_out() {
    let app = spawn(Backend::Sqlite).await.unwrap();
    app.add_user("bientap@chiminh.gov.vn", portal::auth::Role::Editor, Some("phuong-chi-minh"));
    for i in 0..6 {
        let res = login_from(&app, "6.6.6.6", "bientap@chiminh.gov.vn", "sai mật khẩu").await;
        assert_eq!(res.status, 401, "attempt {i}");
    }
    // Past five failures each attempt waits before it is judged, but the right password,
    // from the owner's own address, still signs in.
    let owner = login_from(&app, "18.207.102.38", "bientap@chiminh.gov.vn", PASSWORD).await;
    assert_eq!(owner.status, 200, "{}", String::from_utf8_lossy(&owner.body));
    let admin = app.add_user("admin@portal.vn", portal::auth::Role::Admin, None);
    assert!(admin > 0);
    let token = app.token("admin@portal.vn").await;
    let log = app.call("GET", "/api/v1/audit?per_page=100", Some(&token), None).await.json();
    let failed: Vec<&Value> =
        log["data"].as_array().unwrap().iter().filter(|e| e["action"] == "auth.login_failed").collect();
    assert_eq!(failed.len(), 6);
    assert_eq!(
        (failed[0]["client_ip"].as_str(), failed[0]["user_email"].as_str()),
        (Some("6.6.6.6"), Some("bientap@chiminh.gov.vn"))
    );
}

#[actix_web::test]
async fn an_address_that_fails_twenty_times_is_refused() {
    let app = spawn(Backend::Sqlite).await.unwrap();
    app.add_user("bientap@chiminh.gov.vn", portal::auth::Role::Editor, Some("phuong-chi-minh"));
    for i in 0..portal::auth::limiter::PER_ADDRESS {
        let res = login_from(&app, "6.6.6.6", &format!("doan{i}@example.vn"), "sai").await;
        assert_eq!(res.status, 401, "attempt {i}");
    }
    let refused = login_from(&app, "6.6.6.6", "bientap@chiminh.gov.vn", PASSWORD).await;
    assert_eq!(refused.status, 429);
    assert!(refused.header("retry-after").unwrap().parse::<u64>().unwrap() > 0);
    assert_eq!(login_from(&app, "18.207.102.38", "bientap@chiminh.gov.vn", PASSWORD).await.status, 200);
}

// 7. An over-long email is refused before it is counted or looked up.

#[actix_web::test]
async fn over_long_emails_are_refused_before_anything_else() {
    let app = spawn(Backend::Sqlite).await.unwrap();
    let email = format!("{}@example.vn", "a".repeat(60_000));
    let res = login_from(&app, "6.6.6.6", &email, "sai").await;
    assert_eq!(res.status, 422);
    assert_eq!(fields(&res), ["email"]);
    assert_eq!(app.state.limiter.keys(), 0);
    let longest = format!("{}@example.vn", "a".repeat(254 - 11));
    assert_eq!(login_from(&app, "6.6.6.6", &longest, "sai").await.status, 401);
    assert_eq!(app.state.limiter.keys(), 2, "the address and the account, each by a hash");
}

// 4. Metrics: invented methods share one series; production wants the token.

#[actix_web::test]
async fn invented_methods_share_one_series_and_production_wants_the_token() {
    let app = spawn(Backend::Sqlite).await.unwrap();
    for i in 0..50 {
        let req = TestRequest::default().method(format!("ZZ{i}").parse().unwrap()).uri("/api/v1/sites");
        assert_eq!(app.send(req).await.status, 405);
    }
    let metrics = String::from_utf8(app.get("/metrics").await.body.to_vec()).unwrap();
    assert!(!metrics.contains("ZZ"), "{metrics}");
    let other: Vec<&str> =
        metrics.lines().filter(|l| l.starts_with("portal_http_requests_total{method=\"OTHER\"")).collect();
    assert_eq!(other.len(), 1, "{metrics}");
    assert!(other[0].ends_with(",status=\"400\"} 50"), "{}", other[0]);

    let key = "3f9c2a7e51b04d86c1e9a0b7f4d2c6e8a5b3f1d09e7c8a6b4d2f0e1c3a5b7d9f";
    let production = |token: Option<&str>| {
        let token = token.map(|t| portal::config::Secret(t.into()));
        move |s: &mut portal::config::Settings| {
            s.production = true;
            s.jwt_secret = Some(portal::config::Secret(key.into()));
            s.metrics_token = token;
        }
    };
    let app = spawn_with(Backend::Sqlite, production(None)).await.unwrap();
    let res = app.get("/metrics").await;
    assert_eq!(res.status, 403);
    assert_eq!(res.json()["detail"], "in production /metrics answers only with its token: set PORTAL_METRICS_TOKEN");
    let app = spawn_with(Backend::Sqlite, production(Some("do-thi-xanh"))).await.unwrap();
    assert_eq!(app.get("/metrics").await.status, 401);
    let wrong = app.call_with("GET", "/metrics", None, None, &[("authorization", "Bearer do-thi-xan")]).await;
    assert_eq!(wrong.status, 401);
    let right = app.call_with("GET", "/metrics", None, None, &[("authorization", "Bearer do-thi-xanh")]).await;
    assert_eq!(right.status, 200);
}

// 5. Two moves of one dossier at once: one wins, the other is told.

both!(two_moves_of_a_dossier_at_once_make_one, |app| {
    let staff = app.staff().await;
    let dossiers = format!("{SITE}/dossiers");
    for round in 0..8 {
        let res = app
            .call(
                "POST",
                &dossiers,
                Some(&staff.author),
                Some(json!({"procedure": "1.004194", "applicant_name": format!("Công dân {round}")})),
            )
            .await;
        assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
        let url = format!("{dossiers}/{}", res.json()["data"]["code"].as_str().unwrap());
        let status = |s: &'static str| {
            let (app, token, url) = (&app, staff.author.clone(), url.clone());
            async move { app.call("POST", format!("{url}/status"), Some(&token), Some(json!({"status": s}))).await }
        };
        assert_eq!(status("processing").await.status, 200);
        let (done, withdrawn) = futures_util::future::join(status("done"), status("withdrawn")).await;
        let mut statuses = [done.status, withdrawn.status];
        statuses.sort();
        assert_eq!(statuses, [200, 409], "round {round}");
        let d = app.call("GET", &url, Some(&staff.author), None).await.json()["data"].clone();
        let history: Vec<&str> =
            d["history"].as_array().unwrap().iter().map(|e| e["status"].as_str().unwrap()).collect();
        let last = if done.status == 200 { "done" } else { "withdrawn" };
        assert_eq!(history, ["received", "processing", last], "round {round}");
        assert_eq!(d["status"], last);
    }
});

// 6. Behind a trusted proxy only the header it sets is read, from the right.

#[actix_web::test]
async fn a_client_cannot_choose_its_address_behind_the_proxy() {
    let proxies = |header: portal::config::ProxyHeader| {
        move |s: &mut portal::config::Settings| {
            s.trusted_proxies = vec![portal::config::IpNet::parse("10.0.0.0/8").unwrap()];
            s.proxy_header = header;
        }
    };
    let ask = |req: TestRequest| {
        req.uri(&format!("{SITE}/visits/summary"))
            .peer_addr("10.0.0.2:40000".parse().unwrap())
            // What the client wrote itself, passed through by nginx...
            .insert_header(("forwarded", "for=6.6.6.6"))
            // ...and what nginx appended to the client's own list.
            .insert_header(("x-forwarded-for", "7.7.7.7, 18.207.102.38"))
    };
    let app = spawn_with(Backend::Sqlite, proxies(portal::config::ProxyHeader::XForwardedFor)).await.unwrap();
    let res = app.send(ask(TestRequest::get())).await;
    assert_eq!(res.json()["data"]["client_ip"], "18.207.102.38");
    let app = spawn_with(Backend::Sqlite, proxies(portal::config::ProxyHeader::Forwarded)).await.unwrap();
    let res = app.send(ask(TestRequest::get())).await;
    assert_eq!(res.json()["data"]["client_ip"], "6.6.6.6");
}

// 8. Every date parameter of the document, swept with extreme values: a 400 naming it.

both!(extreme_dates_get_a_400_naming_the_parameter, |app| {
    let doc = app.get_json("/api/openapi.json").await;
    let mut swept = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(get) = item.get("get") else { continue };
        let params = get["parameters"].as_array().cloned().unwrap_or_default();
        if params.iter().any(|p| p["in"] == "path" && p["name"] != "site") {
            continue;
        }
        for p in params.iter().filter(|p| p["in"] == "query") {
            let name = p["name"].as_str().unwrap();
            let format = p["schema"]["format"].as_str().unwrap_or("");
            let dated = matches!(format, "date" | "date-time") || matches!(name, "from" | "to" | "year" | "week");
            if !dated {
                continue;
            }
            for value in [
                "-262143-01-01",
                "+262143-12-31",
                "262143-01-01",
                "0000-01-01",
                "1899-12-31",
                "2101-01-01",
                "9999-12-31T23:59:59-23:59",
                "-262143",
                "99999999999999999999",
            ] {
                let uri = format!("{}?{name}={}", path.replace("{site}", "phuong-chi-minh"), urlencode(value));
                let res = app.get(&uri).await;
                assert_eq!(res.status, 400, "{uri}: {}", String::from_utf8_lossy(&res.body));
                assert!(fields(&res).iter().any(|f| f == name), "{uri}: {:?}", fields(&res));
                swept += 1;
            }
        }
    }
    assert!(swept >= 7 * 9, "{swept} requests swept");
});

fn urlencode(v: &str) -> String {
    url::form_urlencoded::byte_serialize(v.as_bytes()).collect()
}

// 2. Images: measured before they are decoded, refused past the pixel bound, never decoded
// twice, GIFs checked too.

/// A PNG whose header says `w`×`h` (RGB, 8 bits), with one empty data chunk: what a
/// decompression bomb looks like before its data.
fn png_header(w: u32, h: u32) -> Vec<u8> {
    let chunk = |kind: &[u8], data: &[u8]| {
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&crc.sum().to_be_bytes());
        out
    };
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &ihdr));
    png.extend(chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]));
    png.extend(chunk(b"IEND", &[]));
    png
}

both!(images_are_bounded_before_they_are_decoded, |app| {
    use std::sync::atomic::Ordering;
    let staff = app.staff().await;
    let bomb = app.upload(Some(&staff.author), "phuong-chi-minh", "bom.png", &png_header(12_000, 12_000)).await;
    assert_eq!(bomb.status, 422, "{}", String::from_utf8_lossy(&bomb.body));
    assert_eq!(fields(&bomb), ["file"]);
    assert_eq!(
        bomb.json()["errors"][0]["message"],
        "is 12000×12000 pixels; images may have at most 50000000 pixels (8660×5773, say)"
    );
    // A GIF is decoded too: its first bytes alone are not enough.
    let fake = app.upload(Some(&staff.author), "phuong-chi-minh", "dong.gif", b"GIF89a\x10\x00\x10\x00garbage").await;
    assert_eq!(fake.status, 422);
    assert_eq!(fields(&fake), ["file"]);
    let gif_bomb = {
        let mut g = b"GIF89a".to_vec();
        g.extend_from_slice(&[0x20, 0x4e, 0x20, 0x4e, 0, 0, 0]); // 20000×20000, no colour table
        g.extend_from_slice(&[0x2c, 0, 0, 0, 0, 0x20, 0x4e, 0x20, 0x4e, 0, 2, 0, 0x3b]);
        g
    };
    let refused = app.upload(Some(&staff.author), "phuong-chi-minh", "bom.gif", &gif_bomb).await;
    assert_eq!(refused.status, 422);
    assert_eq!(fields(&refused), ["file"]);
    let mut gif = Vec::new();
    {
        let mut encoder = image::codecs::gif::GifEncoder::new(&mut gif);
        let frame = image::RgbaImage::from_pixel(40, 30, image::Rgba([200, 30, 30, 255]));
        encoder.encode_frame(image::Frame::new(frame)).unwrap();
    }
    let res = app.upload(Some(&staff.author), "phuong-chi-minh", "co.gif", &gif).await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!((res.json()["data"]["width"].clone(), res.json()["data"]["height"].clone()), (json!(40), json!(30)));
    // The same file again is found by its hash, not decoded again.
    let decoded = app.state.images.decoded.load(Ordering::Relaxed);
    let again = app.upload(Some(&staff.editor), "phuong-chi-minh", "co-lai.gif", &gif).await;
    assert_eq!(again.status, 200);
    assert_eq!(app.state.images.decoded.load(Ordering::Relaxed), decoded);
});
