//! What every endpoint shares: caching, errors, CORS, compression, request ids, probes.

use actix_web::http::header;
use actix_web::test::TestRequest;
use diesel::connection::SimpleConnection;
use serde_json::json;

use crate::both;
use crate::helpers::{Backend, spawn_with};

both!(etag_and_if_none_match, |app| {
    for uri in [
        "/api/v1/sites",
        "/api/v1/sites/phuong-chi-minh",
        "/api/v1/sites/phuong-chi-minh/categories",
        "/api/v1/sites/phuong-chi-minh/categories/tin-tuc",
        "/api/v1/sites/phuong-chi-minh/articles?q=hai+duong",
        "/api/v1/sites/phuong-chi-minh/articles/1",
    ] {
        let first = app.get(uri).await;
        assert_eq!(first.status, 200, "{uri}");
        let etag = first.header("etag").expect("an ETag").to_owned();
        assert!(etag.starts_with('"') && etag.ends_with('"') && etag.len() == 34, "strong ETag: {etag}");
        assert_eq!(first.header("cache-control"), Some("public, max-age=60"));
        let again = app.get(uri).await;
        assert_eq!(again.header("etag"), Some(etag.as_str()), "stable for the same content");
        let not_modified =
            app.send(TestRequest::get().uri(uri).insert_header((header::IF_NONE_MATCH, etag.as_str()))).await;
        assert_eq!(not_modified.status, 304, "{uri}");
        assert!(not_modified.body.is_empty());
        assert_eq!(not_modified.header("etag"), Some(etag.as_str()));
        let changed = app.send(TestRequest::get().uri(uri).insert_header((header::IF_NONE_MATCH, "\"stale\""))).await;
        assert_eq!(changed.status, 200);
    }
});

both!(etag_differs_between_pages, |app| {
    let a = app.get("/api/v1/sites/phuong-chi-minh/articles?page=1&per_page=2").await;
    let b = app.get("/api/v1/sites/phuong-chi-minh/articles?page=2&per_page=2").await;
    assert_ne!(a.header("etag"), b.header("etag"));
});

both!(unknown_paths_are_404_problems, |app| {
    for uri in ["/nope", "/api/v1/nope", "/api/v2/sites", "/api/v1/sites/phuong-chi-minh/guestbook"] {
        let res = app.get(uri).await;
        assert_eq!(res.status, 404, "{uri}");
        assert_eq!(res.header("content-type"), Some("application/problem+json"));
        assert_eq!(
            res.json(),
            json!({"type": "/problems/not-found", "title": "Not found", "status": 404, "detail": "no resource at this path"})
        );
    }
});

both!(head_answers_as_get_does, |app| {
    for uri in ["/api/v1/sites/phuong-chi-minh/articles/1", "/api/v1/sites/phuong-chi-minh/articles?per_page=2"] {
        let get = app.get(uri).await;
        let head = app.send(TestRequest::default().method(actix_web::http::Method::HEAD).uri(uri)).await;
        assert_eq!((get.status, head.status), (200, 200), "{uri}");
        let etag = get.header("etag").unwrap();
        assert_eq!(head.header("etag"), Some(etag), "{uri}");
        assert_eq!(head.header("cache-control"), get.header("cache-control"), "{uri}");
        assert!(head.body.is_empty(), "{uri}");
        let revalidate = TestRequest::default()
            .method(actix_web::http::Method::HEAD)
            .uri(uri)
            .insert_header(("if-none-match", etag));
        assert_eq!(app.send(revalidate).await.status, 304, "{uri}");
    }
    let missing = TestRequest::default().method(actix_web::http::Method::HEAD).uri("/api/v1/sites/khong-co");
    assert_eq!(app.send(missing).await.status, 404);
});

both!(wrong_methods_are_405_problems, |app| {
    for (method, uri, allow) in [
        ("POST", "/api/v1/sites", "GET, HEAD"),
        ("DELETE", "/api/v1/sites/phuong-chi-minh", "GET, HEAD, PATCH"),
        ("PUT", "/api/v1/sites/phuong-chi-minh/articles/1", "GET, HEAD, PATCH"),
        ("DELETE", "/api/v1/sites/phuong-chi-minh/articles", "GET, HEAD, POST"),
        ("PUT", "/api/v1/sites/phuong-chi-minh/categories/tin-tuc", "GET, HEAD, PATCH, DELETE"),
        ("GET", "/api/v1/auth/login", "POST"),
        ("HEAD", "/api/v1/auth/login", "POST"),
    ] {
        let req = TestRequest::default().method(method.parse().unwrap()).uri(uri);
        let res = app.send(req).await;
        assert_eq!(res.status, 405, "{method} {uri}");
        assert_eq!(res.header("allow"), Some(allow), "{method} {uri}");
        if method == "HEAD" {
            assert!(res.body.is_empty(), "{uri}");
            continue;
        }
        assert_eq!(
            res.json(),
            json!({"type": "/problems/method-not-allowed", "title": "Method not allowed", "status": 405,
                   "detail": "this path does not answer that method"})
        );
    }
});

both!(clients_that_refuse_json_get_406, |app| {
    let res = app.send(TestRequest::get().uri("/api/v1/sites").insert_header((header::ACCEPT, "text/html"))).await;
    assert_eq!(res.status, 406);
    assert_eq!(res.header("content-type"), Some("application/problem+json"));
    assert_eq!(res.json()["type"], "/problems/not-acceptable");
    assert!(res.header("x-request-id").is_some());
    let ok =
        app.send(TestRequest::get().uri("/api/v1/sites").insert_header((header::ACCEPT, "text/html, */*;q=0.1"))).await;
    assert_eq!(ok.status, 200);
});

both!(internal_errors_never_leak_details, |app| {
    app.conn().batch_execute("DROP TABLE article_related").unwrap();
    let res = app.get("/api/v1/sites/phuong-chi-minh/articles/1").await;
    assert_eq!(res.status, 500);
    assert_eq!(
        res.json(),
        json!({"type": "/problems/internal-error", "title": "Internal server error", "status": 500,
               "detail": "an unexpected error occurred; it has been logged"})
    );
});

/// An exhausted pool answers 503 with Retry-After after its timeout instead of hanging.
async fn pool_exhaustion(backend: Backend) {
    let Some(app) = spawn_with(backend, |s| {
        s.pool_size = 1;
        s.pool_timeout = std::time::Duration::from_millis(200);
    })
    .await
    else {
        return;
    };
    let held = app.conn();
    for uri in ["/api/v1/sites", "/api/v1/sites/phuong-chi-minh/articles", "/readyz"] {
        let res = app.get(uri).await;
        assert_eq!(res.status, 503, "{uri}");
        assert_eq!(res.header("retry-after"), Some("1"));
        assert_eq!(
            res.json(),
            json!({"type": "/problems/service-unavailable", "title": "Service unavailable", "status": 503,
                   "detail": "the database is busy or unreachable; retry shortly"})
        );
    }
    drop(held);
    assert_eq!(app.get("/api/v1/sites").await.status, 200);
    // /healthz does not need the database.
    let held = app.conn();
    assert_eq!(app.get("/healthz").await.status, 200);
    drop(held);
}

#[actix_web::test]
async fn pool_exhaustion_is_503_sqlite() {
    pool_exhaustion(Backend::Sqlite).await;
}

#[actix_web::test]
async fn pool_exhaustion_is_503_postgres() {
    pool_exhaustion(Backend::Postgres).await;
}

both!(probes, |app| {
    let live = app.get("/healthz").await;
    assert_eq!((live.status, live.json()), (200, json!({"status": "ok"})));
    let ready = app.get("/readyz").await;
    assert_eq!((ready.status, ready.json()), (200, json!({"status": "ok"})));
});

both!(cors_preflight_and_simple_requests, |app| {
    let preflight = app
        .send(
            TestRequest::default()
                .method(actix_web::http::Method::OPTIONS)
                .uri("/api/v1/sites/phuong-chi-minh/articles")
                .insert_header((header::ORIGIN, "https://phuongchiminh.gov.vn"))
                .insert_header((header::ACCESS_CONTROL_REQUEST_METHOD, "GET"))
                .insert_header((header::ACCESS_CONTROL_REQUEST_HEADERS, "if-none-match")),
        )
        .await;
    assert_eq!(preflight.status, 200);
    assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
    assert!(preflight.header("access-control-allow-methods").unwrap().contains("GET"));
    let simple = app
        .send(TestRequest::get().uri("/api/v1/sites").insert_header((header::ORIGIN, "https://phuongchiminh.gov.vn")))
        .await;
    assert_eq!(simple.status, 200);
    assert_eq!(simple.header("access-control-allow-origin"), Some("*"));
    let exposed = simple.header("access-control-expose-headers").unwrap().to_ascii_lowercase();
    for h in ["etag", "link", "x-request-id"] {
        assert!(exposed.contains(h), "{h} exposed: {exposed}");
    }
});

#[actix_web::test]
async fn cors_origins_can_be_restricted() {
    let app = spawn_with(Backend::Sqlite, |s| {
        s.cors_origins = portal::core::config::CorsOrigins::List(vec!["https://phuongchiminh.gov.vn".into()]);
    })
    .await
    .unwrap();
    let allowed = app
        .send(TestRequest::get().uri("/api/v1/sites").insert_header((header::ORIGIN, "https://phuongchiminh.gov.vn")))
        .await;
    assert_eq!(allowed.header("access-control-allow-origin"), Some("https://phuongchiminh.gov.vn"));
    let other =
        app.send(TestRequest::get().uri("/api/v1/sites").insert_header((header::ORIGIN, "https://evil.example"))).await;
    assert_eq!(other.header("access-control-allow-origin"), None);
    assert_eq!(other.status, 200, "the browser, not the server, withholds the answer");
}

both!(responses_are_compressed_on_request, |app| {
    let res = app
        .send(
            TestRequest::get()
                .uri("/api/v1/sites/phuong-chi-minh/articles/1")
                .insert_header((header::ACCEPT_ENCODING, "gzip")),
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-encoding"), Some("gzip"));
    assert_eq!(&res.body[..2], &[0x1f, 0x8b]);
    let plain = app.get("/api/v1/sites/phuong-chi-minh/articles/1").await;
    assert!(res.body.len() < plain.body.len() / 2, "{} vs {}", res.body.len(), plain.body.len());
});

both!(request_ids_are_given_or_kept, |app| {
    let a = app.get("/api/v1/sites").await;
    let b = app.get("/api/v1/sites").await;
    let (a, b) = (a.header("x-request-id").unwrap().to_owned(), b.header("x-request-id").unwrap().to_owned());
    assert_ne!(a, b);
    let kept = app.send(TestRequest::get().uri("/api/v1/sites").insert_header(("x-request-id", "trace-42"))).await;
    assert_eq!(kept.header("x-request-id"), Some("trace-42"));
    let replaced =
        app.send(TestRequest::get().uri("/api/v1/sites").insert_header(("x-request-id", "bad id\twith spaces"))).await;
    assert_ne!(replaced.header("x-request-id"), Some("bad id\twith spaces"));
    let problem = app.get("/nope").await;
    assert!(problem.header("x-request-id").is_some());
});

#[actix_web::test]
async fn docs_render_offline() {
    let app = crate::helpers::spawn(Backend::Sqlite).await.unwrap();
    let redirect = app.get("/docs").await;
    assert_eq!((redirect.status, redirect.header("location")), (307, Some("/docs/")));
    let page = app.get("/docs/").await;
    assert_eq!(page.status, 200);
    let html = String::from_utf8_lossy(&page.body);
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(!html.contains("https://"), "nothing is fetched from elsewhere: {html}");
    for asset in ["/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js", "/docs/swagger-initializer.js"] {
        let res = app.get(asset).await;
        assert_eq!(res.status, 200, "{asset}");
        assert!(res.body.len() > 100, "{asset}");
    }
    let init = String::from_utf8_lossy(&app.get("/docs/swagger-initializer.js").await.body).into_owned();
    assert!(init.contains("\"/api/openapi.json\""), "{init}");
}

/// Body errors go through the same problem mapping: 413 for too large, 415 for the wrong
/// type, 422 for JSON of the wrong shape, 400 for text that is not JSON.
#[actix_web::test]
async fn body_errors_are_problems() {
    use actix_web::{App, middleware::from_fn, web};
    use portal::http::body::Body;
    #[derive(serde::Deserialize)]
    struct Beacon {
        #[allow(dead_code)]
        path: String,
    }
    let app = actix_web::test::init_service(
        App::new()
            .route("/echo", web::post().to(|b: Body<Beacon>| async move { b.parse().map(|_| "ok") }))
            .wrap(from_fn(portal::core::error::problem_errors)),
    )
    .await;
    let cases = [
        ("application/json", "{\"path\": \"/\"}".to_owned(), 200, None),
        (
            "application/json",
            format!("{{\"path\": \"{}\"}}", "a".repeat(portal::MAX_JSON_BYTES)),
            413,
            Some("/problems/payload-too-large"),
        ),
        ("text/plain", "{\"path\": \"/\"}".to_owned(), 415, Some("/problems/unsupported-media-type")),
        ("application/json", "{\"path\": 5}".to_owned(), 422, Some("/problems/validation-failed")),
        ("application/json", "{\"path\": ".to_owned(), 400, Some("/problems/invalid-parameter")),
    ];
    for (content_type, body, status, kind) in cases {
        let req = TestRequest::post()
            .uri("/echo")
            .insert_header((header::CONTENT_TYPE, content_type))
            .set_payload(body.clone());
        let res = actix_web::test::call_service(&app, req.to_request()).await;
        let got = res.status().as_u16();
        if got != status {
            let b = actix_web::test::read_body(res).await;
            panic!("{content_type} {body}: {got} {}", String::from_utf8_lossy(&b));
        }
        if let Some(kind) = kind {
            assert_eq!(res.headers().get("content-type").unwrap(), "application/problem+json");
            let problem: serde_json::Value = actix_web::test::read_body_json(res).await;
            assert_eq!(problem["type"], kind, "{body}");
            assert_eq!(problem["status"], status);
        }
    }
}

both!(metrics_count_requests_per_route, |app| {
    app.get("/api/v1/sites/phuong-chi-minh/articles/1").await;
    app.get("/api/v1/sites/phuong-chi-minh/articles/1").await;
    app.get("/api/v1/sites/phuong-chi-minh/articles/2").await;
    app.get("/api/v1/sites/khong-co").await;
    let res = app.get("/metrics").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-type"), Some("text/plain; version=0.0.4; charset=utf-8"));
    let text = String::from_utf8_lossy(&res.body).into_owned();
    let line = |prefix: &str| {
        text.lines().find(|l| l.starts_with(prefix)).unwrap_or_else(|| panic!("{prefix} in\n{text}")).to_owned()
    };
    assert_eq!(
        line(
            "portal_http_requests_total{method=\"GET\",route=\"/api/v1/sites/{site}/articles/{article}\",status=\"200\"}"
        ),
        "portal_http_requests_total{method=\"GET\",route=\"/api/v1/sites/{site}/articles/{article}\",status=\"200\"} 3"
    );
    assert!(
        line("portal_http_requests_total{method=\"GET\",route=\"/api/v1/sites/{site}\",status=\"400\"}")
            .ends_with(" 1")
    );
    assert!(line("portal_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/sites/{site}/articles/{article}\",status=\"200\"}").ends_with(" 3"));
    assert_eq!(line("portal_cache_hits_total "), "portal_cache_hits_total 1");
    assert_eq!(line("portal_cache_misses_total "), "portal_cache_misses_total 3", "the 404 was looked for too");
    assert_eq!(line("portal_cache_entries "), "portal_cache_entries 2");
    assert_eq!(line("portal_visits_buffered "), "portal_visits_buffered 0");
    assert_eq!(
        line("portal_db_pool_max_connections "),
        format!("portal_db_pool_max_connections {}", app.state.pool.max_size())
    );
});

#[actix_web::test]
async fn metrics_can_require_a_token() {
    let app = crate::helpers::spawn_with(crate::helpers::Backend::Sqlite, |s| {
        s.metrics_token = Some(portal::core::config::Secret("metrics-secret".into()))
    })
    .await
    .unwrap();
    assert_eq!(app.get("/metrics").await.status, 401);
    assert_eq!(app.call("GET", "/metrics", Some("wrong"), None).await.status, 401);
    assert_eq!(app.call("GET", "/metrics", Some("metrics-secret"), None).await.status, 200);
}

/// Over a real socket: a HEAD answer carries GET's length and no bytes, and the connection
/// stays usable for the next request.
async fn head_over_a_socket(backend: crate::helpers::Backend) {
    use std::io::{BufRead, BufReader, Read, Write};
    let Some(db) = crate::helpers::TestDb::new(backend) else { return };
    let settings = portal::core::config::Settings { workers: 1, ..crate::helpers::settings(db.url.clone()) };
    let pool = db.pool(2, 5000);
    portal::prepare_database(&pool, &settings).unwrap();
    let state = actix_web::web::Data::new(portal::AppState::new(&settings, pool));
    let server =
        actix_web::HttpServer::new(move || portal::app(state.clone())).workers(1).bind(("127.0.0.1", 0)).unwrap();
    let addr = server.addrs()[0];
    let server = server.disable_signals().run();
    let handle = server.handle();
    let running = actix_web::rt::spawn(server);
    let exchange = actix_web::web::block(move || {
        let stream = std::net::TcpStream::connect(addr).unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut writer = stream;
        // Reads one answer: its head lines and as many body bytes as its content-length says.
        let mut answer = |request: &str| -> (Vec<String>, Vec<u8>, bool) {
            writer.write_all(request.as_bytes()).unwrap();
            let mut lines = Vec::new();
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line == "\r\n" {
                    break;
                }
                lines.push(line.trim_end().to_ascii_lowercase());
            }
            let length = lines.iter().find_map(|l| l.strip_prefix("content-length: ")).map(|n| n.parse().unwrap());
            let head = request.starts_with("HEAD");
            let mut body = vec![0; if head { 0 } else { length.unwrap_or(0) }];
            reader.read_exact(&mut body).unwrap();
            (lines, body, length.is_some())
        };
        let uri = "/api/v1/sites/phuong-chi-minh/articles/1";
        let get = answer(&format!("GET {uri} HTTP/1.1\r\nHost: portal\r\n\r\n"));
        let head = answer(&format!("HEAD {uri} HTTP/1.1\r\nHost: portal\r\n\r\n"));
        let after = answer("GET /healthz HTTP/1.1\r\nHost: portal\r\n\r\n");
        (get, head, after)
    })
    .await
    .unwrap();
    let ((get_lines, get_body, _), (head_lines, _, head_has_length), (after_lines, after_body, _)) = exchange;
    assert_eq!(get_lines[0], "http/1.1 200 ok");
    assert_eq!(head_lines[0], "http/1.1 200 ok");
    assert!(head_has_length);
    let length = format!("content-length: {}", get_body.len());
    assert!(head_lines.contains(&length), "{head_lines:?} has {length}");
    let etag = |lines: &[String]| lines.iter().find(|l| l.starts_with("etag: ")).cloned();
    assert_eq!(etag(&head_lines), etag(&get_lines));
    // Had the HEAD answer carried a body, this would read its bytes instead.
    assert_eq!(after_lines[0], "http/1.1 200 ok");
    assert_eq!(after_body, b"{\"status\":\"ok\"}");
    handle.stop(true).await;
    running.await.unwrap().unwrap();
}

#[actix_web::test]
async fn head_over_a_socket_sqlite() {
    head_over_a_socket(crate::helpers::Backend::Sqlite).await;
}

#[actix_web::test]
async fn head_over_a_socket_postgres() {
    head_over_a_socket(crate::helpers::Backend::Postgres).await;
}
