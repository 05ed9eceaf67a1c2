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
            "time_zone": "Asia/Ho_Chi_Minh"
        }})
    );
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
