//! Pages: the tree readers see, one page by its path of slugs, and editors' drafts,
//! publications, moves and deletions.

use serde_json::{Value, json};

use crate::both;

const SITE: &str = "/api/v1/sites/phuong-chi-minh";

/// (title, [children's titles]) of a page tree.
fn shape(tree: &Value) -> Vec<(String, Vec<String>)> {
    tree.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let children = p["children"].as_array().unwrap().iter().map(|c| c["title"].as_str().unwrap().to_owned());
            (p["title"].as_str().unwrap().to_owned(), children.collect())
        })
        .collect()
}

both!(readers_see_the_introduction_pages, |app| {
    let res = app.get(&format!("{SITE}/pages")).await;
    assert_eq!(res.status, 200);
    let tree = res.json()["data"].clone();
    let intro = ["Lịch sử", "Điều kiện tự nhiên", "Cơ cấu tổ chức", "Di tích - Văn hóa"].map(String::from).to_vec();
    assert_eq!(shape(&tree), [("Giới thiệu".to_owned(), intro), ("Liên hệ".to_owned(), vec![])]);
    assert_eq!(tree[0]["children"][0]["path"], "gioi-thieu/lich-su");
    let etag = res.header("etag").unwrap().to_owned();
    assert_eq!(
        app.call_with("GET", format!("{SITE}/pages"), None, None, &[("if-none-match", &etag)]).await.status,
        304
    );
    let page = app.get_json(&format!("{SITE}/pages/gioi-thieu/lich-su")).await["data"].clone();
    assert_eq!((page["title"].as_str(), page["status"].as_str()), (Some("Lịch sử"), Some("published")));
    assert_eq!(page["breadcrumbs"], json!([{"id": tree[0]["id"], "title": "Giới thiệu", "path": "gioi-thieu"}]));
    assert_eq!(page["parent"]["path"], "gioi-thieu");
    assert!(page["body_html"].as_str().unwrap().starts_with("<p>"));
    let top = app.get_json(&format!("{SITE}/pages/gioi-thieu")).await["data"].clone();
    assert_eq!(top["children"].as_array().unwrap().len(), 4);
    assert_eq!(top["breadcrumbs"], json!([]));
    // By id too; what is not there is 404.
    assert_eq!(app.get_json(&format!("{SITE}/pages/{}", page["id"])).await["data"], page);
    assert_eq!(app.get(&format!("{SITE}/pages/lich-su")).await.status, 404);
    assert_eq!(app.get(&format!("{SITE}/pages/gioi-thieu/khong-co")).await.status, 404);
    assert_eq!(app.get("/api/v1/sites/xa-le-loi/pages/gioi-thieu").await.status, 404);
    assert_eq!(app.get_json("/api/v1/sites/xa-le-loi/pages").await["data"], json!([]));
});

both!(editors_draft_publish_move_and_delete_pages, |app| {
    let staff = app.staff().await;
    let pages = format!("{SITE}/pages");
    let intro = app.get_json(&format!("{pages}/gioi-thieu")).await["data"]["id"].as_i64().unwrap();
    let before = app.get(&pages).await.header("etag").unwrap().to_owned();
    // A draft: readers do not see it.
    let created = app
        .call(
            "POST",
            &pages,
            Some(&staff.editor),
            Some(json!({"title": "Quy hoạch phát triển", "parent_id": intro,
            "body_html": "<p>Định hướng</p><script>alert(1)</script>"})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", String::from_utf8_lossy(&created.body));
    let draft = created.json()["data"].clone();
    assert_eq!(created.header("location"), Some(format!("{pages}/gioi-thieu/quy-hoach-phat-trien").as_str()));
    assert_eq!((draft["status"].as_str(), draft["position"].as_i64()), (Some("draft"), None));
    assert_eq!(draft["body_html"], "<p>Định hướng</p>");
    assert_eq!(app.get(&format!("{pages}/gioi-thieu/quy-hoach-phat-trien")).await.status, 404);
    // Published: it is in the tree at once, last among its siblings.
    let id = draft["id"].as_i64().unwrap();
    let published =
        app.call("PATCH", format!("{pages}/{id}"), Some(&staff.editor), Some(json!({"status": "published"}))).await;
    assert_eq!(published.status, 200);
    let after = app.get(&pages).await;
    assert_ne!(after.header("etag"), Some(before.as_str()));
    assert_eq!(shape(&after.json()["data"])[0].1.last().map(String::as_str), Some("Quy hoạch phát triển"));
    // Scheduled for later: gone until then.
    let later = app
        .call(
            "PATCH",
            format!("{pages}/{id}"),
            Some(&staff.editor),
            Some(json!({"published_at": "2099-01-01T08:00:00+07:00"})),
        )
        .await;
    assert_eq!(later.json()["data"]["published_at"], "2099-01-01T08:00:00+07:00");
    assert_eq!(app.get(&format!("{pages}/gioi-thieu/quy-hoach-phat-trien")).await.status, 404);
    // A slug taken at the same place is a clash; a page cannot go below itself.
    let clash = app.call("PATCH", format!("{pages}/{id}"), Some(&staff.editor), Some(json!({"slug": "lich-su"}))).await;
    assert_eq!(clash.status, 409);
    assert_eq!(clash.json()["errors"][0]["field"], "slug");
    let cycle =
        app.call("PATCH", format!("{pages}/{intro}"), Some(&staff.editor), Some(json!({"parent_id": id}))).await;
    assert_eq!(cycle.status, 422);
    assert_eq!(cycle.json()["errors"][0]["field"], "parent_id");
    let bad = app
        .call("POST", &pages, Some(&staff.editor), Some(json!({"title": "", "status": "hidden", "parent_id": 9999})))
        .await;
    assert_eq!(bad.status, 422);
    let bad = bad.json();
    let fields: Vec<&str> = bad["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["title", "status", "parent_id"]);
    // Moved to the top, published now, by its path.
    let moved = app
        .call(
            "PATCH",
            format!("{pages}/gioi-thieu/quy-hoach-phat-trien"),
            Some(&staff.editor),
            Some(json!({"parent_id": null, "published_at": "2020-01-01T08:00:00+07:00"})),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", String::from_utf8_lossy(&moved.body));
    assert_eq!(moved.json()["data"]["path"], "quy-hoach-phat-trien");
    assert_eq!(app.get(&format!("{pages}/quy-hoach-phat-trien")).await.status, 200);
    // A page with pages below it stays.
    assert_eq!(app.call("DELETE", format!("{pages}/gioi-thieu"), Some(&staff.editor), None).await.status, 409);
    assert_eq!(app.call("DELETE", format!("{pages}/{id}"), Some(&staff.editor_other), None).await.status, 403);
    assert_eq!(app.call("DELETE", format!("{pages}/{id}"), Some(&staff.editor), None).await.status, 204);
    assert_eq!(app.get(&format!("{pages}/quy-hoach-phat-trien")).await.status, 404);
    assert_eq!(shape(&app.get_json(&pages).await["data"]).len(), 2);
});
