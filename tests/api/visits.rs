//! Visitor statistics: exact counts, Vietnam days and weeks, addresses behind proxies,
//! several nodes on one database, robots, unflushed visits.

use std::io::{Read, Write};

use actix_web::test::TestRequest;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::json;

use crate::both;
use crate::helpers::{Backend, TestDb, spawn, spawn_with};
use portal::visits::counter::SiteClock;

const BEACON: &str = "/api/v1/sites/phuong-chi-minh/visits";
const SUMMARY: &str = "/api/v1/sites/phuong-chi-minh/visits/summary";
const BROWSER: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36";

fn beacon(peer: &str, body: serde_json::Value) -> TestRequest {
    TestRequest::post()
        .uri(BEACON)
        .peer_addr(format!("{peer}:40000").parse().unwrap())
        .insert_header(("user-agent", BROWSER))
        .insert_header(("content-type", "text/plain;charset=UTF-8"))
        .set_payload(body.to_string())
}

fn summary(peer: &str) -> TestRequest {
    TestRequest::get().uri(SUMMARY).peer_addr(format!("{peer}:40000").parse().unwrap())
}

both!(a_visitor_sees_their_own_visit_at_once, |app| {
    for _ in 0..3 {
        let res = app.send(beacon("18.207.102.38", json!({"path": "/tin-tuc/1", "article_id": 1}))).await;
        assert_eq!(res.status, 204);
        assert!(res.body.is_empty());
    }
    let before = app.send(summary("18.207.102.38")).await;
    assert_eq!(before.header("cache-control"), Some("private, no-store"));
    let s = before.json()["data"].clone();
    assert_eq!((s["today"].clone(), s["this_week"].clone(), s["total"].clone()), (json!(3), json!(3), json!(169_489)));
    assert_eq!(s["client_ip"], "18.207.102.38");
    assert_eq!(s["time_zone"], "Asia/Ho_Chi_Minh");
    // The written part is now kept for a moment; a new visit still shows at once.
    app.send(beacon("18.207.102.38", json!({"path": "/"}))).await;
    let again = app.send(summary("18.207.102.38")).await.json()["data"].clone();
    assert_eq!((again["today"].clone(), again["total"].clone()), (json!(4), json!(169_490)));
    assert_eq!(portal::visits::flush(&app.state).await.unwrap(), 4);
    let after = app.send(summary("18.207.102.38")).await.json()["data"].clone();
    assert_eq!((after["today"].clone(), after["total"].clone()), (json!(4), json!(169_490)));
    assert_eq!((after["visitors_today"].clone(), after["online"].clone()), (json!(1), json!(1)));
    // Nothing pending any more: a second flush writes nothing.
    assert_eq!(portal::visits::flush(&app.state).await.unwrap(), 0);
    // Views per article, most viewed, history.
    let views = app.get_json("/api/v1/sites/phuong-chi-minh/articles/1/views").await;
    assert_eq!(views["data"], json!({"article_id": 1, "today": 3, "this_week": 3, "total": 3}));
    let top = app.get_json("/api/v1/sites/phuong-chi-minh/visits/most-viewed?period=today").await;
    assert_eq!((top["data"][0]["id"].clone(), top["data"][0]["views"].clone()), (json!(1), json!(3)));
    let today = after["date"].as_str().unwrap().to_owned();
    let history = app.get_json(&format!("/api/v1/sites/phuong-chi-minh/visits/history?from={today}&to={today}")).await;
    assert_eq!(history["data"], json!([{"date": today, "page_views": 4, "visitors": 1}]));
});

both!(robots_are_counted_apart, |app| {
    for agent in ["Googlebot/2.1 (+http://www.google.com/bot.html)", "curl/8.1.0", ""] {
        let req = TestRequest::post()
            .uri(BEACON)
            .peer_addr("1.2.3.4:5".parse().unwrap())
            .insert_header(("user-agent", agent))
            .set_payload(json!({"path": "/"}).to_string());
        assert_eq!(app.send(req).await.status, 204);
    }
    app.send(beacon("1.2.3.4", json!({"path": "/"}))).await;
    portal::visits::flush(&app.state).await.unwrap();
    let s = app.send(summary("1.2.3.4")).await.json()["data"].clone();
    assert_eq!((s["today"].clone(), s["visitors_today"].clone()), (json!(1), json!(1)));
    use portal::db::schema::visit_days;
    let (views, bots): (i64, i64) =
        visit_days::table.select((visit_days::page_views, visit_days::bot_views)).first(&mut *app.conn()).unwrap();
    assert_eq!((views, bots), (1, 3));
});

both!(bad_beacons_are_problems_and_not_counted, |app| {
    let cases: Vec<(TestRequest, u16, &str)> = vec![
        (
            TestRequest::post()
                .uri("/api/v1/sites/khong-co/visits")
                .peer_addr("1.1.1.1:1".parse().unwrap())
                .set_payload("{\"path\":\"/\"}"),
            404,
            "/problems/not-found",
        ),
        (beacon("1.1.1.1", json!({"path": "/", "article_id": 19})), 409, "/problems/conflict"),
        (beacon("1.1.1.1", json!({"path": "/", "article_id": 999})), 409, "/problems/conflict"),
        (beacon("1.1.1.1", json!({"path": "khong-gach"})), 422, "/problems/validation-failed"),
        (beacon("1.1.1.1", json!({"article_id": 1})), 422, "/problems/validation-failed"),
        (beacon("1.1.1.1", json!({})).set_payload("{\"path\": "), 400, "/problems/invalid-parameter"),
        (
            beacon("1.1.1.1", json!({})).set_payload(format!("{{\"path\": \"/{}\"}}", "a".repeat(5000))),
            413,
            "/problems/payload-too-large",
        ),
    ];
    for (req, status, kind) in cases {
        let res = app.send(req).await;
        assert_eq!(res.status, status, "{}", String::from_utf8_lossy(&res.body));
        assert_eq!(res.json()["type"], kind);
    }
    assert_eq!(portal::visits::flush(&app.state).await.unwrap(), 0);
    assert_eq!(app.send(summary("1.1.1.1")).await.json()["data"]["today"], 0);
});

async fn forwarded_for(backend: Backend) {
    let Some(app) =
        spawn_with(backend, |s| s.trusted_proxies = vec![portal::core::config::IpNet::parse("10.0.0.0/8").unwrap()])
            .await
    else {
        return;
    };
    let via = |peer: &str| summary(peer).insert_header(("x-forwarded-for", "6.6.6.6, 18.207.102.38"));
    // From the trusted proxy, the client it names; from anyone else, their own address.
    assert_eq!(app.send(via("10.0.0.5")).await.json()["data"]["client_ip"], "18.207.102.38");
    assert_eq!(app.send(via("203.0.113.9")).await.json()["data"]["client_ip"], "203.0.113.9");
}

#[actix_web::test]
async fn x_forwarded_for_only_from_trusted_proxies_sqlite() {
    forwarded_for(Backend::Sqlite).await;
}

#[actix_web::test]
async fn x_forwarded_for_only_from_trusted_proxies_postgres() {
    forwarded_for(Backend::Postgres).await;
}

async fn rate_limited(backend: Backend) {
    let Some(app) = spawn_with(backend, |s| s.visit_rate_per_minute = 3).await else { return };
    for _ in 0..5 {
        assert_eq!(app.send(beacon("9.9.9.9", json!({"path": "/"}))).await.status, 204);
    }
    app.send(beacon("8.8.4.4", json!({"path": "/"}))).await;
    assert_eq!(app.send(summary("9.9.9.9")).await.json()["data"]["today"], 4);
}

#[actix_web::test]
async fn an_address_beyond_its_rate_is_ignored_sqlite() {
    rate_limited(Backend::Sqlite).await;
}

#[actix_web::test]
async fn an_address_beyond_its_rate_is_ignored_postgres() {
    rate_limited(Backend::Postgres).await;
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

async fn vietnam_days_and_weeks(backend: Backend) {
    let Some(app) = spawn(backend).await else { return };
    let site = SiteClock { id: 1, tz: chrono_tz::Asia::Ho_Chi_Minh };
    let ip = "1.2.3.4".parse().unwrap();
    let counter = &app.state.visits;
    // 2026-11-29 is a Sunday. 16:59 UTC is Sunday 23:59 in Vietnam; 17:00 UTC is Monday 00:00.
    counter.record(site, None, ip, false, at("2026-11-28T10:00:00Z")); // Saturday
    counter.record(site, None, ip, false, at("2026-11-29T16:59:00Z")); // Sunday 23:59
    counter.record(site, None, ip, false, at("2026-11-29T17:00:00Z")); // Monday 00:00
    counter.record(site, None, ip, false, at("2026-11-30T16:30:00Z")); // Monday 23:30
    counter.record(site, None, ip, false, at("2026-11-30T23:30:00Z")); // 06:30 Tuesday in Vietnam
    let pending = counter.pending_views(1);
    let mut conn = app.conn();
    // Unwritten figures count the same as written ones.
    let monday = at("2026-11-30T10:00:00Z");
    let unwritten = portal::visits::store::figures(&mut conn, site, monday, &pending).unwrap();
    portal::visits::store::flush(&mut conn, counter).unwrap();
    let written = portal::visits::store::figures(&mut conn, site, monday, &[]).unwrap();
    let views = |f: &portal::visits::store::Figures| (f.today, f.yesterday, f.this_week, f.this_month, f.total);
    assert_eq!(views(&unwritten), views(&written));
    assert_eq!((written.today, written.yesterday, written.this_week), (2, 1, 2), "Monday: the week restarts");
    let sunday = portal::visits::store::figures(&mut conn, site, at("2026-11-29T16:59:30Z"), &[]).unwrap();
    assert_eq!((sunday.today, sunday.yesterday, sunday.this_week), (1, 1, 2), "Sunday: Saturday is in the same week");
    let tuesday = portal::visits::store::figures(&mut conn, site, at("2026-11-30T23:45:00Z"), &[]).unwrap();
    // Tuesday 1 December: a new month, the same week.
    assert_eq!((tuesday.today, tuesday.yesterday, tuesday.this_week, tuesday.this_month), (1, 2, 3, 1));
    assert_eq!(tuesday.total, 169_486 + 5);
    let days =
        portal::visits::store::history(&mut conn, 1, "2026-11-28".parse().unwrap(), "2026-12-01".parse().unwrap())
            .unwrap();
    let views: Vec<i64> = days.iter().map(|d| d.1).collect();
    assert_eq!(views, [1, 1, 2, 1]);
}

#[actix_web::test]
async fn days_and_weeks_follow_vietnam_time_sqlite() {
    vietnam_days_and_weeks(Backend::Sqlite).await;
}

#[actix_web::test]
async fn days_and_weeks_follow_vietnam_time_postgres() {
    vietnam_days_and_weeks(Backend::Postgres).await;
}

both!(two_nodes_on_one_database_add_up, |app| {
    // A second node: its own counter and pool, the same database.
    let other = app.another_node(|_| {}).await;
    for i in 0..7 {
        app.send(beacon(&format!("1.1.1.{i}"), json!({"path": "/", "article_id": 1}))).await;
    }
    for i in 0..5 {
        let res = other.send(beacon(&format!("1.1.1.{i}"), json!({"path": "/", "article_id": 1}))).await;
        assert_eq!(res.status, 204);
    }
    assert_eq!(portal::visits::flush(&app.state).await.unwrap(), 7);
    assert_eq!(portal::visits::flush(&other.state).await.unwrap(), 5);
    let s = app.send(summary("1.1.1.1")).await.json()["data"].clone();
    assert_eq!((s["today"].clone(), s["visitors_today"].clone()), (json!(12), json!(7)));
    let views = app.get_json("/api/v1/sites/phuong-chi-minh/articles/1/views").await;
    assert_eq!(views["data"]["total"], 12);
});

both!(admins_set_the_imported_total, |app| {
    let staff = app.staff().await;
    // Read first, so the node keeps the written figures: the write must make it read again.
    let before = app.send(summary("1.1.1.1")).await.json()["data"]["total"].clone();
    assert_ne!(before, json!(1000));
    let res = app
        .call(
            "PUT",
            "/api/v1/sites/phuong-chi-minh/visits/imported-total",
            Some(&staff.admin),
            Some(json!({"imported_total": 1000})),
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(app.send(summary("1.1.1.1")).await.json()["data"]["total"], 1000);
    let bad = app
        .call(
            "PUT",
            "/api/v1/sites/phuong-chi-minh/visits/imported-total",
            Some(&staff.admin),
            Some(json!({"imported_total": -1})),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.json()["errors"][0]["field"], "imported_total");
});

both!(history_and_most_viewed_check_their_parameters, |app| {
    for (uri, field) in [
        ("/api/v1/sites/phuong-chi-minh/visits/history?from=2026-13-01", "from"),
        ("/api/v1/sites/phuong-chi-minh/visits/history?from=2026-11-27&to=2026-11-26", "from"),
        ("/api/v1/sites/phuong-chi-minh/visits/history?from=2024-01-01&to=2026-11-26", "from"),
        ("/api/v1/sites/phuong-chi-minh/visits/most-viewed?period=year", "period"),
        ("/api/v1/sites/phuong-chi-minh/visits/most-viewed?limit=500", "limit"),
    ] {
        let res = app.get(uri).await;
        assert_eq!(res.status, 400, "{uri}");
        assert_eq!(res.json()["errors"][0]["field"], field, "{uri}");
    }
    let history = app.get_json("/api/v1/sites/phuong-chi-minh/visits/history").await;
    assert_eq!(history["data"].as_array().unwrap().len(), 30);
});

/// Sends one beacon over a real socket; returns the status.
fn post_beacon(addr: std::net::SocketAddr, i: usize) -> u16 {
    let body = format!("{{\"path\":\"/tin-tuc/{i}\",\"article_id\":1}}");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "POST {BEACON} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: {BROWSER}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    s.read_to_string(&mut response).unwrap();
    response[9..12].parse().unwrap()
}

/// N concurrent beacons over real sockets, then a graceful stop: every one is written.
async fn exact_after_graceful_stop(backend: Backend) {
    let Some(db) = TestDb::new(backend) else { return };
    let settings = portal::core::config::Settings {
        visit_rate_per_minute: 0,
        workers: 2,
        ..crate::helpers::settings(db.url.clone())
    };
    let pool = db.pool(4, 5000);
    portal::prepare_database(&pool, &settings).unwrap();
    let state = actix_web::web::Data::new(portal::AppState::new(&settings, pool.clone()));
    let app_state = state.clone();
    let server =
        actix_web::HttpServer::new(move || portal::app(app_state.clone())).workers(2).bind(("127.0.0.1", 0)).unwrap();
    let addr = server.addrs()[0];
    let server = server.disable_signals().run();
    let handle = server.handle();
    // A long flush interval: the writes that count are the one at the stop.
    let running = actix_web::rt::spawn(portal::run(state, server, std::time::Duration::from_secs(3600)));
    const THREADS: usize = 8;
    const EACH: usize = 50;
    let statuses = actix_web::web::block(move || {
        let threads: Vec<_> = (0..THREADS)
            .map(|t| std::thread::spawn(move || (0..EACH).map(|i| post_beacon(addr, t * EACH + i)).collect::<Vec<_>>()))
            .collect();
        threads.into_iter().flat_map(|t| t.join().unwrap()).collect::<Vec<u16>>()
    })
    .await
    .unwrap();
    assert_eq!(statuses.len(), THREADS * EACH);
    assert!(statuses.iter().all(|s| *s == 204));
    handle.stop(true).await;
    running.await.unwrap().unwrap();
    use portal::db::schema::{article_view_days, visit_days};
    let mut conn = pool.get().unwrap();
    let views: Vec<i64> = visit_days::table.select(visit_days::page_views).load(&mut *conn).unwrap();
    assert_eq!(views.iter().sum::<i64>(), (THREADS * EACH) as i64);
    let article: i64 = article_view_days::table.select(article_view_days::views).first(&mut *conn).unwrap();
    assert_eq!(article, (THREADS * EACH) as i64);
}

#[actix_web::test]
async fn exact_counts_after_concurrent_beacons_and_a_graceful_stop_sqlite() {
    exact_after_graceful_stop(Backend::Sqlite).await;
}

#[actix_web::test]
async fn exact_counts_after_concurrent_beacons_and_a_graceful_stop_postgres() {
    exact_after_graceful_stop(Backend::Postgres).await;
}
