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
    assert_eq!(levels, portal::categories::tree::MAX_DEPTH);
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
    assert_eq!(ninth.status, 409);
    assert_eq!(fields(&ninth), ["parent"]);
    assert_eq!(
        ninth.json()["errors"][0]["message"],
        "would make the tree 9 levels deep; categories go at most 8 levels deep"
    );
    // A category with a child moved under the seventh level would reach the ninth.
    assert_eq!(create("cha".into(), None).await.status, 201);
    assert_eq!(create("con".into(), Some("cha".into())).await.status, 201);
    let moved = app.call("PATCH", format!("{url}/cha"), Some(&staff.editor), Some(json!({"parent": "muc-7"}))).await;
    assert_eq!(moved.status, 409);
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
        assert_eq!(statuses, [200, 409], "round {round}");
        let refused = if a.status == 409 { &a } else { &b };
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
        let token = token.map(|t| portal::core::config::Secret(t.into()));
        move |s: &mut portal::core::config::Settings| {
            s.production = true;
            s.jwt_secret = Some(portal::core::config::Secret(key.into()));
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
    let proxies = |header: portal::core::config::ProxyHeader| {
        move |s: &mut portal::core::config::Settings| {
            s.trusted_proxies = vec![portal::core::config::IpNet::parse("10.0.0.0/8").unwrap()];
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
    let app = spawn_with(Backend::Sqlite, proxies(portal::core::config::ProxyHeader::XForwardedFor)).await.unwrap();
    let res = app.send(ask(TestRequest::get())).await;
    assert_eq!(res.json()["data"]["client_ip"], "18.207.102.38");
    let app = spawn_with(Backend::Sqlite, proxies(portal::core::config::ProxyHeader::Forwarded)).await.unwrap();
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

// 9. A database that goes away: 503 at once (never 500), `/readyz` says so, and the node
// heals by itself when the database is back. A proxy between the app and PostgreSQL cuts
// every connection and refuses new ones, then lets them through again.

struct FaultProxy {
    addr: std::net::SocketAddr,
    up: std::sync::Arc<std::sync::atomic::AtomicBool>,
    open: std::sync::Arc<std::sync::Mutex<Vec<std::net::TcpStream>>>,
}

impl FaultProxy {
    fn to(upstream: std::net::SocketAddr) -> FaultProxy {
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let up = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let open = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (up2, open2) = (up.clone(), open.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().map_while(Result::ok) {
                if !up2.load(Ordering::SeqCst) {
                    drop(client); // accepted, then closed at once: the server "went away"
                    continue;
                }
                let Ok(server) = std::net::TcpStream::connect(upstream) else { continue };
                let mut conns = open2.lock().unwrap();
                conns.push(client.try_clone().unwrap());
                conns.push(server.try_clone().unwrap());
                for (mut from, mut to) in [(client.try_clone().unwrap(), server.try_clone().unwrap()), (server, client)]
                {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(std::net::Shutdown::Both);
                    });
                }
            }
        });
        FaultProxy { addr, up, open }
    }

    /// Cuts every connection and refuses new ones.
    fn cut(&self) {
        self.up.store(false, std::sync::atomic::Ordering::SeqCst);
        for conn in self.open.lock().unwrap().drain(..) {
            let _ = conn.shutdown(std::net::Shutdown::Both);
        }
    }

    fn restore(&self) {
        self.up.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

#[actix_web::test]
async fn a_database_outage_is_503_at_once_and_heals_by_itself() {
    let Some(base) = std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) else {
        eprintln!("TEST_DATABASE_URL is not set: PostgreSQL not tested");
        return;
    };
    let upstream = url::Url::parse(&base).unwrap();
    let upstream = std::net::ToSocketAddrs::to_socket_addrs(&(
        upstream.host_str().unwrap().to_owned(),
        upstream.port().unwrap_or(5432),
    ))
    .unwrap()
    .next()
    .unwrap();
    let proxy = FaultProxy::to(upstream);
    let proxied = proxy.addr;
    let app = spawn_with(Backend::Postgres, move |s| {
        let portal::core::config::DatabaseUrl::Postgres(url) = &s.database_url else { unreachable!() };
        let mut url = url::Url::parse(url).unwrap();
        url.set_host(Some("127.0.0.1")).unwrap();
        url.set_port(Some(proxied.port())).unwrap();
        s.database_url = portal::core::config::DatabaseUrl::Postgres(url.to_string());
        s.pool_size = 4;
        s.pool_timeout = std::time::Duration::from_secs(2);
        s.cache_bytes = 0;
    })
    .await
    .unwrap();
    let history = format!("{SITE}/visits/history");
    let many = |n: usize| futures_util::future::join_all((0..n).map(|_| app.get(&history)));
    assert!(many(8).await.iter().all(|r| r.status == 200));

    proxy.cut();
    let started = std::time::Instant::now();
    let answers = many(40).await;
    let took = started.elapsed();
    let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![503; 40], "lost connections are 503, never 500");
    assert!(answers.iter().all(|r| r.header("retry-after") == Some("1")));
    assert_eq!(answers[0].json()["type"], "/problems/service-unavailable");
    // The first connect that fails opens the circuit: nobody waits the pool's 2 s timeout.
    assert!(took < std::time::Duration::from_millis(1500), "40 requests took {took:?}");
    let started = std::time::Instant::now();
    let later = many(40).await;
    assert!(later.iter().all(|r| r.status == 503));
    assert!(started.elapsed() < std::time::Duration::from_millis(500), "{:?}", started.elapsed());
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, 503);

    proxy.restore();
    let mut healed = false;
    for _ in 0..100 {
        if app.get("/readyz").await.status == 200 {
            healed = true;
            break;
        }
        actix_web::rt::time::sleep(portal::db::Circuit::RETRY / 5).await;
    }
    assert!(healed, "the node did not reconnect by itself");
    assert!(many(8).await.iter().all(|r| r.status == 200));
}

// 10. The smaller ones.

both!(lookups_are_limited_per_address_and_slowed_per_code, |app| {
    use portal::auth::limiter::{LOOKUPS_PER_ADDRESS, LOOKUPS_PER_CODE};
    let staff = app.staff().await;
    let res = app
        .call(
            "POST",
            format!("{SITE}/dossiers"),
            Some(&staff.author),
            Some(json!({"procedure": "1.004194", "applicant_name": "Lê Thị Tra"})),
        )
        .await;
    let d = res.json()["data"].clone();
    let (code, key) = (d["code"].as_str().unwrap().to_owned(), d["lookup_key"].as_str().unwrap().to_owned());
    let lookup = |ip: &str, code: &str, key: &str| {
        let req = TestRequest::get()
            .uri(&format!("{SITE}/dossiers/{code}?key={key}"))
            .peer_addr(format!("{ip}:40000").parse().unwrap());
        app.send(req)
    };
    // Wrong keys for this code from many addresses: slowed, never refused; the citizen's own
    // key still finds the dossier.
    for i in 0..LOOKUPS_PER_CODE + 1 {
        assert_eq!(lookup(&format!("5.5.5.{i}"), &code, "AAAAAAAA").await.status, 404);
    }
    assert_eq!(lookup("18.207.102.38", &code, &key).await.status, 200);
    // One address trying codes: refused past its allowance, whatever the code.
    for i in 0..LOOKUPS_PER_ADDRESS {
        assert_eq!(lookup("6.6.6.6", &format!("000.00.14.H23-261203-{i:04}"), "AAAAAAAA").await.status, 404);
    }
    let refused = lookup("6.6.6.6", &code, &key).await;
    assert_eq!(refused.status, 429);
    assert!(refused.header("retry-after").is_some());
    // Staff reads name the citizen: they are in the audit log.
    assert_eq!(app.call("GET", format!("{SITE}/dossiers/{code}"), Some(&staff.author), None).await.status, 200);
    let log = app.call("GET", "/api/v1/audit", Some(&staff.admin), None).await.json();
    let read = log["data"].as_array().unwrap().iter().find(|e| e["action"] == "dossier.read").cloned();
    assert_eq!(read.map(|e| e["target"].clone()), Some(json!(format!("dossier:{code}"))));
});

both!(the_beacon_tells_drafts_and_missing_articles_alike, |app| {
    let staff = app.staff().await;
    let draft = app
        .call(
            "POST",
            format!("{SITE}/articles"),
            Some(&staff.author),
            Some(json!({"title": "Bản nháp bí mật", "category": "tin-tuc"})),
        )
        .await;
    assert_eq!(draft.status, 201, "{}", String::from_utf8_lossy(&draft.body));
    let id = draft.json()["data"]["id"].as_i64().unwrap();
    let beacon = |article: i64| {
        let req = TestRequest::post()
            .uri(&format!("{SITE}/visits"))
            .peer_addr("1.2.3.4:5".parse().unwrap())
            .insert_header(("content-type", "application/json"))
            .set_payload(json!({"path": "/x", "article_id": article}).to_string());
        app.send(req)
    };
    let (of_draft, of_nothing) = (beacon(id).await, beacon(987_654).await);
    assert_eq!((of_draft.status, of_nothing.status), (409, 409));
    assert_eq!(of_draft.body, of_nothing.body);
    assert_eq!(of_draft.json()["errors"][0]["field"], "article_id");
});

both!(unknown_parameters_make_no_new_cache_entries, |app| {
    use std::sync::atomic::Ordering;
    let first = app.get(&format!("{SITE}/articles?per_page=5")).await;
    let misses = app.state.responses.misses.load(Ordering::Relaxed);
    let (entries, _) = app.state.responses.size();
    for i in 0..30 {
        let res = app.get(&format!("{SITE}/articles?zz={i}&per_page=5&cache-buster={i}")).await;
        assert_eq!(res.status, 200);
        assert_eq!(res.body, first.body);
        assert_eq!(res.header("link"), first.header("link"), "the Link names documented parameters only");
    }
    assert_eq!(app.state.responses.misses.load(Ordering::Relaxed), misses);
    assert_eq!(app.state.responses.size().0, entries);
});

both!(an_article_of_half_a_megabyte_is_taken_and_far_dates_are_not, |app| {
    let staff = app.staff().await;
    let body = format!("<p>{}</p>", "Đại hội đại biểu Đảng bộ phường. ".repeat(9_000));
    assert!(body.len() > 400_000 && body.len() < 500_000, "{}", body.len());
    let res = app
        .call(
            "POST",
            format!("{SITE}/articles"),
            Some(&staff.editor),
            Some(json!({"title": "Văn kiện dài", "category": "tin-tuc", "body_html": body})),
        )
        .await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body[..res.body.len().min(300)]));
    let id = res.json()["data"]["id"].as_i64().unwrap();
    let publish = app
        .call(
            "POST",
            format!("{SITE}/articles/{id}/publish"),
            Some(&staff.editor),
            Some(json!({"published_at": "9999-12-31T23:59:59-23:59"})),
        )
        .await;
    assert_eq!(publish.status, 422);
    assert_eq!(fields(&publish), ["published_at"]);
});

both!(answers_cannot_be_sniffed_or_framed, |app| {
    for path in ["/api/v1/sites", "/api/v1/khong-co", "/docs/", "/healthz"] {
        let res = app.get(path).await;
        assert_eq!(res.header("x-content-type-options"), Some("nosniff"), "{path}");
        assert_eq!(res.header("x-frame-options"), Some("DENY"), "{path}");
        assert!(res.header("content-security-policy").unwrap().contains("frame-ancestors 'none'"), "{path}");
    }
    let docs = app.get("/docs/").await;
    assert!(docs.header("content-security-policy").unwrap().contains("script-src 'self'"));
    assert_eq!(
        app.get("/api/v1/sites").await.header("content-security-policy"),
        Some("default-src 'none'; frame-ancestors 'none'")
    );
});

both!(one_address_is_one_visitor_whatever_its_agents, |app| {
    let beacon = |peer: &str, agent: String| {
        let req = TestRequest::post()
            .uri(&format!("{SITE}/visits"))
            .peer_addr(peer.parse().unwrap())
            .insert_header(("user-agent", agent))
            .set_payload(json!({"path": "/"}).to_string());
        app.send(req)
    };
    for i in 0..40 {
        assert_eq!(beacon("1.2.3.4:5", format!("Mozilla/5.0 (Windows NT 10.0) Chrome/{i}.0")).await.status, 204);
    }
    // Addresses of one IPv6 /64 are one visitor; another /64 is another.
    for i in 1..=5 {
        assert_eq!(beacon(&format!("[2001:db8:1:2::{i}]:5"), "Mozilla/5.0".into()).await.status, 204);
    }
    assert_eq!(beacon("[2001:db8:1:3::1]:5", "Mozilla/5.0".into()).await.status, 204);
    portal::visits::flush(&app.state).await.unwrap();
    let s = app.get_json(&format!("{SITE}/visits/summary")).await["data"].clone();
    assert_eq!((s["today"].clone(), s["visitors_today"].clone()), (json!(46), json!(3)));
});

#[actix_web::test]
async fn an_ipv6_network_shares_one_visit_rate() {
    let app = spawn_with(Backend::Sqlite, |s| s.visit_rate_per_minute = 3).await.unwrap();
    for i in 1..=6 {
        let req = TestRequest::post()
            .uri(&format!("{SITE}/visits"))
            .peer_addr(format!("[2001:db8:1:2::{i}]:5").parse().unwrap())
            .insert_header(("user-agent", "Mozilla/5.0"))
            .set_payload(json!({"path": "/"}).to_string());
        assert_eq!(app.send(req).await.status, 204);
    }
    portal::visits::flush(&app.state).await.unwrap();
    assert_eq!(app.get_json(&format!("{SITE}/visits/summary")).await["data"]["today"], 3);
}

both!(nul_characters_never_reach_the_database, |app| {
    // PostgreSQL's text cannot hold NUL: a body's NULs are dropped (both backends then store
    // the same text), and a parameter's never make a statement fail.
    let staff = app.staff().await;
    let res = app
        .call("PUT", "/api/v1/holidays/2030-05-01", Some(&staff.admin), Some(json!({"name": "Quốc\u{0}tế lao động"})))
        .await;
    assert_eq!(res.status, 200, "{}", res.json());
    assert_eq!(res.json()["data"]["name"], "Quốctế lao động");
    for uri in [
        "/api/v1/sites/phuong-chi-minh/articles?q=%00",
        "/api/v1/sites/phuong-chi-minh/articles?q=%2500", // the text "%00": a search like any other
        "/api/v1/sites/phuong-chi-minh/articles?q=a%00b",
        "/api/v1/sites/phuong-chi-minh/procedures?q=%00",
        "/api/v1/sites/phuong-chi-minh/procedures?field=a%00",
        "/api/v1/sites/phuong-chi-minh/articles?category=a%00",
        "/api/v1/sites/phuong-chi-minh/dossiers/a%00?key=b%00",
        "/api/v1/sites/phuong-chi-minh/articles/a%00",
        "/api/v1/sites/a%00/links",
    ] {
        let res = app.get(uri).await;
        let in_path = uri.split('?').next().unwrap().contains("%00");
        let want = if uri.contains("%2500") {
            200
        } else if in_path {
            404
        } else {
            400
        };
        assert_eq!(res.status, want, "{uri}");
        if want == 400 {
            assert_eq!(res.json()["errors"][0], json!({"field": "query", "message": "must not contain NUL (%00)"}));
        }
    }
});
