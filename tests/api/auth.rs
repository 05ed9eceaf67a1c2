//! Sign-in, tokens and their attacks.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Backend, PASSWORD, spawn_with};

const SECRET: &str = "a-test-signing-key-of-at-least-32-bytes!";

both!(sign_in_me_and_the_same_answer_for_unknown_emails, |app| {
    app.add_user("bientap@chiminh.gov.vn", portal::auth::Role::Editor, Some("phuong-chi-minh"));
    let pair = app.login("BienTap@ChiMinh.gov.vn ").await;
    assert_eq!(pair["token_type"], "Bearer");
    assert_eq!(pair["expires_in"], 900);
    assert_eq!(pair["refresh_expires_in"], 30 * 86_400);
    assert!(pair["refresh_token"].as_str().unwrap().starts_with("rt_"));
    let token = pair["access_token"].as_str().unwrap();
    let me = app.call("GET", "/api/v1/me", Some(token), None).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.header("cache-control"), Some("private, no-store"));
    assert_eq!(
        me.json()["data"],
        json!({"id": 1, "email": "bientap@chiminh.gov.vn", "is_admin": false,
               "roles": [{"site": "phuong-chi-minh", "role": "editor"}]})
    );
    let wrong_password = app
        .call(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "bientap@chiminh.gov.vn", "password": "not it at all"})),
        )
        .await;
    let unknown_email = app
        .call("POST", "/api/v1/auth/login", None, Some(json!({"email": "ai@chiminh.gov.vn", "password": PASSWORD})))
        .await;
    for res in [&wrong_password, &unknown_email] {
        assert_eq!(res.status, 401);
        assert_eq!(res.header("www-authenticate"), Some("Bearer"));
        assert_eq!(
            res.json(),
            json!({"type": "/problems/unauthorized", "title": "Unauthorized", "status": 401,
                   "detail": "the email or the password is wrong"})
        );
    }
    assert_eq!(app.call("GET", "/api/v1/me", None, None).await.status, 401);
});

both!(failures_on_an_account_slow_it_down_but_never_lock_it, |app| {
    app.add_user("bientap@chiminh.gov.vn", portal::auth::Role::Editor, Some("phuong-chi-minh"));
    let attempt = |password: &'static str| {
        app.call(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "bientap@chiminh.gov.vn", "password": password})),
        )
    };
    for _ in 0..5 {
        assert_eq!(attempt("sai mat khau roi").await.status, 401);
    }
    // The right password, after a wait, still signs in (see hardening.rs for the stranger's
    // failures from another address).
    let pair = attempt(PASSWORD).await;
    assert_eq!(pair.status, 200);
    // Another account from the same address is not blocked.
    let other = app
        .call("POST", "/api/v1/auth/login", None, Some(json!({"email": "khac@chiminh.gov.vn", "password": "x"})))
        .await;
    assert_eq!(other.status, 401);
});

both!(guesses_sent_at_once_are_limited_too, |app| {
    // A sign-in that succeeds is not counted against its address.
    app.add_user("phongvien@chiminh.gov.vn", portal::auth::Role::Author, Some("phuong-chi-minh"));
    for _ in 0..25 {
        let ok = app
            .call(
                "POST",
                "/api/v1/auth/login",
                None,
                Some(json!({"email": "phongvien@chiminh.gov.vn", "password": PASSWORD})),
            )
            .await;
        assert_eq!(ok.status, 200);
    }
    // Twenty-five wrong guesses in flight together from one address: twenty are judged, the
    // others are refused at once.
    let guesses = (0..25).map(|n| {
        app.call(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(json!({"email": format!("doan{n}@chiminh.gov.vn"), "password": "doan sai"})),
        )
    });
    let mut statuses: Vec<u16> = futures_util::future::join_all(guesses).await.iter().map(|r| r.status).collect();
    statuses.sort();
    assert_eq!(statuses, [[401; 20].as_slice(), &[429; 5]].concat());
    let limited = app
        .call(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "phongvien@chiminh.gov.vn", "password": PASSWORD})),
        )
        .await;
    assert_eq!(limited.json()["type"], "/problems/too-many-requests");
    let wait: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=900).contains(&wait), "{wait}");
});

both!(malformed_sign_in_bodies_are_problems, |app| {
    let res = app.call("POST", "/api/v1/auth/login", None, Some(json!({"email": "a@b.vn"}))).await;
    assert_eq!(res.status, 422);
    assert_eq!(res.json()["errors"][0]["field"], "body");
    let res = app
        .send(
            actix_web::test::TestRequest::post()
                .uri("/api/v1/auth/login")
                .insert_header(("content-type", "application/json"))
                .set_payload("{\"email\":"),
        )
        .await;
    assert_eq!(res.status, 400);
});

both!(refresh_rotates_and_reuse_kills_the_family, |app| {
    app.add_user("bientap@chiminh.gov.vn", portal::auth::Role::Editor, Some("phuong-chi-minh"));
    let first = app.login("bientap@chiminh.gov.vn").await;
    let refresh = |token: Value| app.call("POST", "/api/v1/auth/refresh", None, Some(json!({"refresh_token": token})));
    let second = refresh(first["refresh_token"].clone()).await;
    assert_eq!(second.status, 200);
    let second = second.json();
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_eq!(app.call("GET", "/api/v1/me", second["access_token"].as_str(), None).await.status, 200);
    // The first refresh token again: refused, and the whole sign-in dies with it.
    let reused = refresh(first["refresh_token"].clone()).await;
    assert_eq!(reused.status, 401);
    assert_eq!(reused.json()["detail"], "the refresh token is not valid; sign in again");
    assert_eq!(refresh(second["refresh_token"].clone()).await.status, 401);
    // Another sign-in is not affected.
    let other = app.login("bientap@chiminh.gov.vn").await;
    assert_eq!(refresh(other["refresh_token"].clone()).await.status, 200);
    assert_eq!(refresh(json!("rt_unknown")).await.status, 401);
});

both!(logout_revokes_the_refresh_token, |app| {
    app.add_user("bientap@chiminh.gov.vn", portal::auth::Role::Editor, Some("phuong-chi-minh"));
    let pair = app.login("bientap@chiminh.gov.vn").await;
    let body = json!({"refresh_token": pair["refresh_token"]});
    assert_eq!(app.call("POST", "/api/v1/auth/logout", None, Some(body.clone())).await.status, 204);
    assert_eq!(app.call("POST", "/api/v1/auth/refresh", None, Some(body.clone())).await.status, 401);
    assert_eq!(app.call("POST", "/api/v1/auth/logout", None, Some(body)).await.status, 204, "idempotent");
});

fn claims(overrides: Value) -> Value {
    let now = chrono::Utc::now().timestamp();
    let mut c = json!({"iss": "portal", "aud": "portal-api", "sub": "1", "iat": now, "exp": now + 600, "admin": true, "sites": {}});
    for (k, v) in overrides.as_object().unwrap() {
        c[k] = v.clone();
    }
    c
}

fn sign(claims: &Value, secret: &str) -> String {
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(secret.as_bytes())).unwrap()
}

fn b64(bytes: &[u8]) -> String {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

async fn token_attacks(backend: Backend) {
    let Some(app) = spawn_with(backend, |s| s.jwt_secret = Some(portal::core::config::Secret(SECRET.into()))).await
    else {
        return;
    };
    app.add_user("admin@portal.vn", portal::auth::Role::Admin, None);
    app.add_user("phongvien@chiminh.gov.vn", portal::auth::Role::Author, Some("phuong-chi-minh"));
    let good = sign(&claims(json!({})), SECRET);
    assert_eq!(app.call("GET", "/api/v1/audit", Some(&good), None).await.status, 200, "a well-made token works");
    let author = app.token("phongvien@chiminh.gov.vn").await;
    let (header, payload) = {
        let mut parts = author.split('.');
        (parts.next().unwrap().to_owned(), parts.next().unwrap().to_owned())
    };
    let tampered_payload = b64(claims(json!({"sub": "1"})).to_string().as_bytes());
    let signature = author.rsplit('.').next().unwrap();
    let attacks = [
        (
            "alg none",
            format!("{}.{}.", b64(br#"{"alg":"none","typ":"JWT"}"#), b64(claims(json!({})).to_string().as_bytes())),
        ),
        ("another key", sign(&claims(json!({})), "another-key-another-key-another-key!!")),
        ("expired", sign(&claims(json!({"exp": chrono::Utc::now().timestamp() - 120})), SECRET)),
        ("wrong audience", sign(&claims(json!({"aud": "someone-else"})), SECRET)),
        ("wrong issuer", sign(&claims(json!({"iss": "someone-else"})), SECRET)),
        ("tampered payload", format!("{header}.{tampered_payload}.{signature}")),
        (
            "HS384",
            jsonwebtoken::encode(
                &Header::new(Algorithm::HS384),
                &claims(json!({})),
                &EncodingKey::from_secret(SECRET.as_bytes()),
            )
            .unwrap(),
        ),
        ("garbage", "not.a.token".into()),
    ];
    assert_ne!(payload, tampered_payload);
    for (name, token) in attacks {
        let res = app.call("GET", "/api/v1/audit", Some(&token), None).await;
        assert_eq!(res.status, 401, "{name}");
        assert_eq!(res.json()["detail"], "the access token is invalid or expired", "{name}");
        // A bad token is refused on public reads too, rather than read as anonymous.
        let read = app.call("GET", "/api/v1/sites/phuong-chi-minh/articles", Some(&token), None).await;
        assert_eq!(read.status, 401, "{name}");
    }
    let res = app.call_with("GET", "/api/v1/me", None, None, &[("authorization", "Basic YWRtaW46YWRtaW4=")]).await;
    assert_eq!(res.status, 401);
}

#[actix_web::test]
async fn token_attacks_get_401_sqlite() {
    token_attacks(Backend::Sqlite).await;
}

#[actix_web::test]
async fn token_attacks_get_401_postgres() {
    token_attacks(Backend::Postgres).await;
}

#[actix_web::test]
async fn a_removed_account_stops_at_once() {
    use diesel::prelude::*;
    let app = crate::helpers::spawn(Backend::Sqlite).await.unwrap();
    let id = app.add_user("bientap@chiminh.gov.vn", portal::auth::Role::Editor, Some("phuong-chi-minh"));
    let token = app.token("bientap@chiminh.gov.vn").await;
    diesel::delete(portal::db::schema::users::table.find(id)).execute(&mut *app.conn()).unwrap();
    let res = app.call("GET", "/api/v1/me", Some(&token), None).await;
    assert_eq!((res.status, res.json()["detail"].clone()), (401, json!("this account no longer exists")));
}
