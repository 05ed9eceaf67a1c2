use serde_json::json;

use crate::both;

both!(list_sites_in_name_order, |app| {
    let res = app.get("/api/v1/sites").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-type"), Some("application/json"));
    assert_eq!(res.header("cache-control"), Some("public, max-age=60"));
    assert_eq!(
        res.header("link"),
        Some("</api/v1/sites?page=1&per_page=20>; rel=\"first\", </api/v1/sites?page=1&per_page=20>; rel=\"last\"")
    );
    let body = res.json();
    let slugs: Vec<&str> = body["data"].as_array().unwrap().iter().map(|s| s["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["phuong-chi-minh", "xa-le-loi"]);
    assert_eq!(body["meta"], json!({"page": 1, "per_page": 20, "total": 2, "total_pages": 1}));
});

both!(list_sites_pages, |app| {
    let body = app.get_json("/api/v1/sites?page=2&per_page=1").await;
    assert_eq!(body["data"][0]["slug"], "xa-le-loi");
    assert_eq!(body["meta"], json!({"page": 2, "per_page": 1, "total": 2, "total_pages": 2}));
});

both!(get_site, |app| {
    let body = app.get_json("/api/v1/sites/phuong-chi-minh").await;
    assert_eq!(
        body,
        json!({"data": {
            "id": 1,
            "slug": "phuong-chi-minh",
            "name": "Phường Chí Minh",
            "description": "Cổng thông tin điện tử phường Chí Minh, thành phố Chí Linh, tỉnh Hải Dương",
            "time_zone": "Asia/Ho_Chi_Minh",
            "address": "Số 1 đường Nguyễn Trãi, phường Chí Minh, thành phố Chí Linh, tỉnh Hải Dương",
            "phone": "0220 3882 123",
            "fax": "0220 3882 124",
            "email": "ubndchiminh@haiduong.gov.vn",
            "logo_url": "",
            "banner_url": "",
            "footer_text": "Cơ quan chủ quản: Ủy ban nhân dân phường Chí Minh, thành phố Chí Linh, tỉnh Hải Dương",
            "base_url": "https://chiminh.chilinh.haiduong.gov.vn"
        }})
    );
    // A site that set nothing says so with empty strings.
    let other = app.get_json("/api/v1/sites/xa-le-loi").await;
    assert_eq!(other["data"]["address"], "");
    assert_eq!(other["data"]["base_url"], "");
});

both!(editors_set_their_sites_contacts, |app| {
    let staff = app.staff().await;
    let site = "/api/v1/sites/phuong-chi-minh";
    let before = app.get(site).await;
    let etag = before.header("etag").unwrap().to_owned();
    // Who may write is checked before the body: no token 401, an author or another site's
    // editor 403.
    let change =
        json!({"phone": "0220 3000 000", "logo_url": "/uploads/3f/logo.png", "base_url": "https://chiminh.gov.vn/"});
    assert_eq!(app.call("PATCH", site, None, Some(change.clone())).await.status, 401);
    assert_eq!(app.call("PATCH", site, Some(&staff.author), Some(change.clone())).await.status, 403);
    assert_eq!(app.call("PATCH", site, Some(&staff.editor_other), Some(change.clone())).await.status, 403);
    let saved = app.call("PATCH", site, Some(&staff.editor), Some(change)).await;
    assert_eq!(saved.status, 200, "{}", String::from_utf8_lossy(&saved.body));
    assert_eq!(saved.header("cache-control"), Some("private, no-store"));
    let data = saved.json()["data"].clone();
    assert_eq!(data["phone"], "0220 3000 000");
    assert_eq!(data["logo_url"], "/uploads/3f/logo.png");
    // The trailing slash of the base URL is dropped; fields not sent stay.
    assert_eq!(data["base_url"], "https://chiminh.gov.vn");
    assert_eq!(data["fax"], "0220 3882 124");
    // The kept answer went stale: the site and its home page show the new contacts.
    let after =
        app.send(actix_web::test::TestRequest::get().uri(site).insert_header(("if-none-match", etag.as_str()))).await;
    assert_eq!(after.status, 200);
    assert_eq!(after.json()["data"], data);
    assert_eq!(app.get_json(&format!("{site}/home")).await["data"]["site"], data);
    // An empty string clears a field.
    let cleared = app.call("PATCH", site, Some(&staff.editor), Some(json!({"fax": ""}))).await;
    assert_eq!(cleared.json()["data"]["fax"], "");
    // Every bad field is named at once; nothing changes.
    let bad = app
        .call(
            "PATCH",
            site,
            Some(&staff.editor),
            Some(json!({"email": "ubnd chiminh@gov", "logo_url": "javascript:alert(1)",
                "base_url": "https://chiminh.gov.vn/?a=1", "phone": "9".repeat(51)})),
        )
        .await;
    assert_eq!(bad.status, 422);
    let fields: Vec<String> =
        bad.json()["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect();
    assert_eq!(fields, ["phone", "email", "logo_url", "base_url"]);
    assert_eq!(app.get_json(site).await["data"]["phone"], "0220 3000 000");
    let unknown = app.call("PATCH", site, Some(&staff.editor), Some(json!({"name": "Phường Mới"}))).await;
    assert_eq!(unknown.status, 422);
    // The change is in the audit log.
    let audit = app.call("GET", "/api/v1/audit?per_page=100", Some(&staff.admin), None).await;
    assert_eq!(audit.status, 200);
    let updates = audit.json()["data"].as_array().unwrap().iter().filter(|e| e["action"] == "site.update").count();
    assert_eq!(updates, 2);
});

both!(unknown_site_is_a_404_problem, |app| {
    for uri in [
        "/api/v1/sites/phuong-khong-co",
        "/api/v1/sites/phuong-khong-co/categories",
        "/api/v1/sites/phuong-khong-co/categories/tin-tuc",
        "/api/v1/sites/phuong-khong-co/articles",
        "/api/v1/sites/phuong-khong-co/articles/1",
    ] {
        let res = app.get(uri).await;
        assert_eq!(res.status, 404, "{uri}");
        assert_eq!(res.header("content-type"), Some("application/problem+json"));
        assert_eq!(
            res.json(),
            json!({"type": "/problems/not-found", "title": "Not found", "status": 404,
                   "detail": "no site \"phuong-khong-co\""}),
            "{uri}"
        );
    }
});
