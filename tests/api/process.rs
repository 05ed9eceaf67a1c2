//! The release binary's own process, over a real socket: what survives `kill -9`, and what a
//! slow client gets. (`cargo test` builds the `portal` binary for these tests.)

use std::io::{BufRead, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{Backend, TestDb};

/// A running `portal serve`, killed when dropped.
struct Node {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nothing listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts the binary on `db` with `env`, and waits for the line that says it is serving.
fn start(db: &TestDb, uploads: &std::path::Path, env: &[(&str, &str)]) -> Node {
    let url = match &db.url {
        portal::core::config::DatabaseUrl::Sqlite(path) => format!("sqlite://{path}"),
        portal::core::config::DatabaseUrl::Postgres(url) => url.clone(),
    };
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_portal"))
        .arg("serve")
        .env_clear()
        .env("DATABASE_URL", url)
        .env("PORT", port.to_string())
        .env("PORTAL_UPLOAD_DIR", uploads)
        .env("PORTAL_WORKERS", "2")
        .env("PORTAL_ADMIN_EMAIL", "admin@portal.vn")
        .env("PORTAL_ADMIN_PASSWORD", crate::helpers::PASSWORD)
        .env("PORTAL_JWT_SECRET", "3f9c2a7e51b04d86c1e9a0b7f4d2c6e8a5b3f1d09e7c8a6b4d2f0e1c3a5b7d9f")
        .env("LOG_LEVEL", "info")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the portal binary starts");
    let (tx, rx) = mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        // Read to the end, so that the child never blocks on a full pipe.
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut seen = Vec::new();
    loop {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) if line.contains("serving on http://") => break,
            Ok(line) => seen.push(line),
            Err(_) => panic!("portal did not start: {}", seen.join("\n")),
        }
    }
    Node { child, addr: SocketAddr::from(([127, 0, 0, 1], port)) }
}

/// One HTTP/1.1 exchange: (status, JSON body or null).
fn http(addr: SocketAddr, method: &str, path: &str, token: Option<&str>, body: Option<&Value>) -> (u16, Value) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: portal\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body.as_bytes()).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let text = String::from_utf8_lossy(&answer);
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let json = text.split_once("\r\n\r\n").and_then(|(_, b)| serde_json::from_str(b).ok()).unwrap_or(Value::Null);
    (status, json)
}

fn token(addr: SocketAddr) -> String {
    let (status, pair) = http(
        addr,
        "POST",
        "/api/v1/auth/login",
        None,
        Some(&json!({"email": "admin@portal.vn", "password": crate::helpers::PASSWORD})),
    );
    assert_eq!(status, 200, "{pair}");
    pair["access_token"].as_str().unwrap().to_owned()
}

/// Every write answered 201 is there after `kill -9` and a restart.
fn writes_survive_kill_9(backend: Backend) {
    let Some(db) = TestDb::new(backend) else { return };
    let uploads = tempfile::tempdir().unwrap();
    let site = "/api/v1/sites/phuong-chi-minh";
    let (article, code, key) = {
        let node = start(&db, uploads.path(), &[]);
        let token = token(node.addr);
        let category = json!({"name": "Bền vững", "slug": "ben-vung"});
        assert_eq!(http(node.addr, "POST", &format!("{site}/categories"), Some(&token), Some(&category)).0, 201);
        let draft = json!({"title": "Ghi xong là còn", "category": "ben-vung", "body_html": "<p>Không mất.</p>"});
        let (status, article) = http(node.addr, "POST", &format!("{site}/articles"), Some(&token), Some(&draft));
        assert_eq!(status, 201, "{article}");
        let dossier = json!({"procedure": "1.004194", "applicant_name": "Nguyễn Văn Bền"});
        let (status, dossier) = http(node.addr, "POST", &format!("{site}/dossiers"), Some(&token), Some(&dossier));
        assert_eq!(status, 201, "{dossier}");
        let mut node = node;
        node.child.kill().unwrap(); // SIGKILL: no clean stop, nothing flushed on the way out
        node.child.wait().unwrap();
        (
            article["data"]["id"].as_i64().unwrap(),
            dossier["data"]["code"].as_str().unwrap().to_owned(),
            dossier["data"]["lookup_key"].as_str().unwrap().to_owned(),
        )
    };
    let node = start(&db, uploads.path(), &[]);
    let token = token(node.addr);
    let (status, category) = http(node.addr, "GET", &format!("{site}/categories/ben-vung"), None, None);
    assert_eq!((status, category["data"]["name"].as_str()), (200, Some("Bền vững")));
    let (status, found) = http(node.addr, "GET", &format!("{site}/articles/{article}"), Some(&token), None);
    assert_eq!((status, found["data"]["title"].as_str()), (200, Some("Ghi xong là còn")), "{found}");
    let (status, found) = http(node.addr, "GET", &format!("{site}/dossiers/{code}?key={key}"), None, None);
    assert_eq!((status, found["data"]["status"].as_str()), (200, Some("received")), "{found}");
}

#[test]
fn writes_survive_kill_9_sqlite() {
    writes_survive_kill_9(Backend::Sqlite);
}

#[test]
fn writes_survive_kill_9_postgres() {
    writes_survive_kill_9(Backend::Postgres);
}

/// 10. A body sent a byte at a time is cut off at the deadline with 408, not kept open.
#[test]
fn a_body_that_trickles_in_is_cut_off() {
    let db = TestDb::new(Backend::Sqlite).unwrap();
    let uploads = tempfile::tempdir().unwrap();
    let node = start(&db, uploads.path(), &[("PORTAL_BODY_TIMEOUT_MS", "500")]);
    let mut stream = TcpStream::connect(node.addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let head = "POST /api/v1/auth/login HTTP/1.1\r\nHost: portal\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"em";
    stream.write_all(head.as_bytes()).unwrap();
    let started = std::time::Instant::now();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("an answer, then the connection closed, before the client gives up");
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("/problems/request-timeout"), "{text}");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
}
