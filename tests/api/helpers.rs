//! The test harness: each test gets its own database (a temporary SQLite file, or a fresh
//! PostgreSQL schema dropped afterwards) with the demo loaded, and drives the real app
//! in-process.

use actix_http::Request;
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::HeaderMap;
use actix_web::test::{self, TestRequest};
use actix_web::web;
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use portal::core::config::{DatabaseUrl, Settings};
use portal::{AppState, db};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database of one test, removed when dropped.
pub struct TestDb {
    pub url: DatabaseUrl,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(#[allow(dead_code)] tempfile::TempDir),
    Schema { base: String, schema: String },
}

impl TestDb {
    /// A new empty database, or `None` for PostgreSQL when `TEST_DATABASE_URL` is unset.
    /// Panics when `TEST_DATABASE_URL` is set but the server cannot be reached: CI must fail
    /// loudly rather than skip.
    pub fn new(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let path = dir.path().join("portal.db");
                Some(TestDb { url: DatabaseUrl::Sqlite(path.display().to_string()), cleanup: Cleanup::Dir(dir) })
            }
            Backend::Postgres => {
                let base = std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty())?;
                let schema = format!("test_{:016x}", rand::random::<u64>());
                let mut conn = PgConnection::establish(&base)
                    .unwrap_or_else(|e| panic!("TEST_DATABASE_URL={base} is unreachable: {e}"));
                conn.batch_execute(&format!("CREATE SCHEMA {schema}")).expect("create schema");
                let sep = if base.contains('?') { '&' } else { '?' };
                let url = format!("{base}{sep}options=-csearch_path%3D{schema}");
                Some(TestDb { url: DatabaseUrl::Postgres(url), cleanup: Cleanup::Schema { base, schema } })
            }
        }
    }

    /// A pool on this database.
    pub fn pool(&self, size: u32, timeout_ms: u64) -> db::Pool {
        db::pool(&self.url, size, std::time::Duration::from_millis(timeout_ms))
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Schema { base, schema } = &self.cleanup
            && let Ok(mut conn) = PgConnection::establish(base)
        {
            let _ = conn.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Res {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: bytes::Bytes,
}

impl Res {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The app of one test with its state and database.
pub struct TestApp<S> {
    svc: S,
    pub state: web::Data<AppState>,
    #[allow(dead_code)]
    pub backend: Backend,
    /// The test's database, removed when every node on it is dropped.
    _db: std::sync::Arc<TestDb>,
    /// Where this app stores uploads.
    _uploads: tempfile::TempDir,
}

impl<S, B> TestApp<S>
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    pub async fn send(&self, req: TestRequest) -> Res {
        let res = test::call_service(&self.svc, req.to_request()).await;
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = test::read_body(res).await;
        Res { status, headers, body }
    }

    /// Sends `req` and drops it before it is answered, as a client that goes away does.
    pub fn abandon(&self, req: TestRequest) {
        let answer = std::pin::pin!(self.svc.call(req.to_request()));
        assert!(started(answer), "answered at once");
    }

    pub async fn get(&self, uri: &str) -> Res {
        self.send(TestRequest::get().uri(uri)).await
    }

    /// GET `uri`, asserting a 200 JSON answer.
    pub async fn get_json(&self, uri: &str) -> serde_json::Value {
        let res = self.get(uri).await;
        assert_eq!(res.status, 200, "GET {uri}: {}", String::from_utf8_lossy(&res.body));
        res.json()
    }

    /// A connection to this test's database.
    pub fn conn(&self) -> db::Conn {
        self.state.pool.get().expect("a connection")
    }
}

/// Default settings on `url`, with uploads (the demo's photos among them) under the system's
/// temporary directory rather than the working one.
pub fn settings(url: DatabaseUrl) -> Settings {
    Settings { database_url: url, upload_dir: std::env::temp_dir().join("portal-test-uploads"), ..Settings::default() }
}

/// Polls `f` once, as a server does when a request arrives: true when it is now waiting (on
/// the database, say) rather than answered.
pub fn started<F: std::future::Future>(f: std::pin::Pin<&mut F>) -> bool {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    f.poll(&mut cx).is_pending()
}

/// The demo app on `backend` with default settings.
pub async fn spawn(
    backend: Backend,
) -> Option<TestApp<impl Service<Request, Response = ServiceResponse<impl MessageBody>, Error = actix_web::Error>>> {
    spawn_with(backend, |_| {}).await
}

/// The demo app on `backend` with settings changed by `tweak`.
pub async fn spawn_with(
    backend: Backend,
    tweak: impl FnOnce(&mut Settings),
) -> Option<TestApp<impl Service<Request, Response = ServiceResponse<impl MessageBody>, Error = actix_web::Error>>> {
    let db = TestDb::new(backend)?;
    let uploads = tempfile::tempdir().expect("temporary directory");
    let mut settings =
        Settings { database_url: db.url.clone(), upload_dir: uploads.path().to_owned(), ..Settings::default() };
    tweak(&mut settings);
    let pool = portal::db::pool(&settings.database_url, settings.pool_size, settings.pool_timeout);
    {
        let pool = pool.clone();
        let settings = settings.clone();
        web::block(move || portal::prepare_database(&pool, &settings)).await.unwrap().expect("database prepared");
    }
    let state = web::Data::new(AppState::new(&settings, pool));
    let svc = test::init_service(portal::app(state.clone())).await;
    Some(TestApp { svc, state, backend, _db: std::sync::Arc::new(db), _uploads: uploads })
}

impl<S> TestApp<S> {
    /// A second node on this app's database, with its own cache and memory, set up by `tweak`.
    pub async fn another_node(
        &self,
        tweak: impl FnOnce(&mut Settings),
    ) -> TestApp<impl Service<Request, Response = ServiceResponse<impl MessageBody>, Error = actix_web::Error>> {
        let db = self._db.clone();
        let uploads = tempfile::tempdir().expect("temporary directory");
        let mut settings =
            Settings { database_url: db.url.clone(), upload_dir: uploads.path().to_owned(), ..Settings::default() };
        tweak(&mut settings);
        let pool = portal::db::pool(&settings.database_url, 2, std::time::Duration::from_secs(5));
        let state = web::Data::new(AppState::new(&settings, pool));
        let svc = test::init_service(portal::app(state.clone())).await;
        TestApp { svc, state, backend: self.backend, _db: db, _uploads: uploads }
    }
}

/// Defines one test per backend: `name::sqlite` and `name::postgres` (which passes without
/// running when `TEST_DATABASE_URL` is unset; `.ci/run` sets it).
#[macro_export]
macro_rules! both {
    ($(#[$meta:meta])* $name:ident, |$app:ident| $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[actix_web::test]
            async fn sqlite() {
                let $app = $crate::helpers::spawn($crate::helpers::Backend::Sqlite).await.expect("sqlite");
                $body
            }

            #[actix_web::test]
            async fn postgres() {
                let Some($app) = $crate::helpers::spawn($crate::helpers::Backend::Postgres).await else {
                    eprintln!("TEST_DATABASE_URL is not set: PostgreSQL not tested");
                    return;
                };
                $body
            }
        }
    };
}

/// The password of every test account.
pub const PASSWORD: &str = "hoa sen nở giữa hồ";

/// Signed-in staff of the demo: one of each kind, on `phuong-chi-minh` unless `_other`
/// (`xa-le-loi`).
pub struct Staff {
    pub admin: String,
    pub editor: String,
    pub author: String,
    pub editor_other: String,
    pub author_other: String,
}

impl<S, B> TestApp<S>
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    /// Creates an account (as `portal user add` does). Returns its id.
    pub fn add_user(&self, email: &str, role: portal::auth::Role, site: Option<&str>) -> i64 {
        portal::auth::accounts::create(&mut self.conn(), email, PASSWORD, role, site).expect("account created")
    }

    /// Signs in; returns the token pair.
    pub async fn login(&self, email: &str) -> serde_json::Value {
        let res = self
            .call("POST", "/api/v1/auth/login", None, Some(serde_json::json!({"email": email, "password": PASSWORD})))
            .await;
        assert_eq!(res.status, 200, "login {email}: {}", String::from_utf8_lossy(&res.body));
        res.json()
    }

    /// Signs in; returns the access token.
    pub async fn token(&self, email: &str) -> String {
        self.login(email).await["access_token"].as_str().unwrap().to_owned()
    }

    /// One of each kind of staff, signed in.
    pub async fn staff(&self) -> Staff {
        use portal::auth::Role;
        self.add_user("admin@portal.vn", Role::Admin, None);
        self.add_user("bientap@chiminh.gov.vn", Role::Editor, Some("phuong-chi-minh"));
        self.add_user("phongvien@chiminh.gov.vn", Role::Author, Some("phuong-chi-minh"));
        self.add_user("bientap@leloi.gov.vn", Role::Editor, Some("xa-le-loi"));
        self.add_user("phongvien@leloi.gov.vn", Role::Author, Some("xa-le-loi"));
        Staff {
            admin: self.token("admin@portal.vn").await,
            editor: self.token("bientap@chiminh.gov.vn").await,
            author: self.token("phongvien@chiminh.gov.vn").await,
            editor_other: self.token("bientap@leloi.gov.vn").await,
            author_other: self.token("phongvien@leloi.gov.vn").await,
        }
    }

    /// Sends `method uri` with an optional bearer token and JSON body.
    pub async fn call(
        &self,
        method: &str,
        uri: impl Into<String>,
        token: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> Res {
        self.call_with(method, uri, token, body, &[]).await
    }

    /// Uploads `bytes` as the multipart field `file` named `name`.
    pub async fn upload(&self, token: Option<&str>, site: &str, name: &str, bytes: &[u8]) -> Res {
        let (content_type, body) = multipart("file", name, bytes);
        let mut req = TestRequest::post()
            .uri(&format!("/api/v1/sites/{site}/uploads"))
            .insert_header(("content-type", content_type));
        if let Some(token) = token {
            req = req.insert_header(("authorization", format!("Bearer {token}")));
        }
        self.send(req.set_payload(body)).await
    }

    /// [`TestApp::call`] with extra headers.
    pub async fn call_with(
        &self,
        method: &str,
        uri: impl Into<String>,
        token: Option<&str>,
        body: Option<serde_json::Value>,
        headers: &[(&str, &str)],
    ) -> Res {
        let uri: String = uri.into();
        let mut req = TestRequest::default().method(method.parse().unwrap()).uri(&uri);
        if let Some(token) = token {
            req = req.insert_header(("authorization", format!("Bearer {token}")));
        }
        for (name, value) in headers {
            req = req.insert_header((*name, *value));
        }
        if let Some(body) = body {
            req = req.set_json(body);
        }
        self.send(req).await
    }
}

/// A multipart/form-data body with one file field: (content type, body).
pub fn multipart(field: &str, name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----portal-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}
