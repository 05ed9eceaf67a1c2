//! Pages: the tree readers see, one page by its path of slugs, and editors' drafts,
//! publications, moves and deletions.

use serde_json::{Value, json};

use crate::both;

const SITE: &str = "/api/v1/sites/phuong-chi-minh";
/// An `If-Match` that takes any version, for the tests about something else.
const ANY: &[(&str, &str)] = &[("if-match", "*")];

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
    let published = app
        .call_with("PATCH", format!("{pages}/{id}"), Some(&staff.editor), Some(json!({"status": "published"})), ANY)
        .await;
    assert_eq!(published.status, 200);
    let after = app.get(&pages).await;
    assert_ne!(after.header("etag"), Some(before.as_str()));
    assert_eq!(shape(&after.json()["data"])[0].1.last().map(String::as_str), Some("Quy hoạch phát triển"));
    // Scheduled for later: gone until then.
    let later = app
        .call_with(
            "PATCH",
            format!("{pages}/{id}"),
            Some(&staff.editor),
            Some(json!({"published_at": "2099-01-01T08:00:00+07:00"})),
            ANY,
        )
        .await;
    assert_eq!(later.json()["data"]["published_at"], "2099-01-01T08:00:00+07:00");
    assert_eq!(app.get(&format!("{pages}/gioi-thieu/quy-hoach-phat-trien")).await.status, 404);
    // A slug taken at the same place is a clash; a page cannot go below itself.
    let clash = app
        .call_with("PATCH", format!("{pages}/{id}"), Some(&staff.editor), Some(json!({"slug": "lich-su"})), ANY)
        .await;
    assert_eq!(clash.status, 409);
    assert_eq!(clash.json()["errors"][0]["field"], "slug");
    let cycle = app
        .call_with("PATCH", format!("{pages}/{intro}"), Some(&staff.editor), Some(json!({"parent_id": id})), ANY)
        .await;
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
        .call_with(
            "PATCH",
            format!("{pages}/gioi-thieu/quy-hoach-phat-trien"),
            Some(&staff.editor),
            Some(json!({"parent_id": null, "published_at": "2020-01-01T08:00:00+07:00"})),
            ANY,
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

/// (label, url, [children's labels]) of a menu.
fn menu_shape(items: &Value) -> Vec<(String, String, Vec<String>)> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let children = i["children"].as_array().unwrap().iter().map(|c| c["label"].as_str().unwrap().to_owned());
            (i["label"].as_str().unwrap().to_owned(), i["url"].as_str().unwrap().to_owned(), children.collect())
        })
        .collect()
}

both!(menus_lead_where_their_targets_are, |app| {
    let res = app.get(&format!("{SITE}/menus/header")).await;
    assert_eq!(res.status, 200);
    let header = res.json()["data"].clone();
    let s = |v: &str| v.to_owned();
    assert_eq!(
        menu_shape(&header),
        [
            (s("Trang chủ"), s("/"), vec![]),
            (s("Giới thiệu"), s("/trang/gioi-thieu"), vec![s("Lịch sử"), s("Cơ cấu tổ chức")]),
            (s("Tin tức"), s("/tin-tuc"), vec![]),
            (s("Đảng ủy xã"), s("/dang-uy-xa"), vec![]),
            (s("Văn bản"), s("/van-ban"), vec![]),
            (s("Một cửa"), s("/mot-cua"), vec![]),
            (s("Liên hệ"), s("/trang/lien-he"), vec![]),
        ]
    );
    assert_eq!(header[1]["children"][0]["url"], "/trang/gioi-thieu/lich-su");
    // The home bundle carries the header menu.
    assert_eq!(app.get_json(&format!("{SITE}/home")).await["data"]["header_menu"], header);
    let footer = app.get_json(&format!("{SITE}/menus/footer")).await;
    assert_eq!(menu_shape(&footer["data"])[1].1, "https://dichvucong.gov.vn");
    assert_eq!(app.get(&format!("{SITE}/menus/sidebar")).await.status, 404);
    assert_eq!(app.get_json("/api/v1/sites/xa-le-loi/menus/header").await["data"], json!([]));
    let etag = res.header("etag").unwrap().to_owned();
    assert_eq!(
        app.call_with("GET", format!("{SITE}/menus/header"), None, None, &[("if-none-match", &etag)]).await.status,
        304
    );
});

both!(editors_set_the_menus, |app| {
    let staff = app.staff().await;
    let header = format!("{SITE}/menus/header");
    let article = app.get_json(&format!("{SITE}/articles?per_page=1")).await["data"][0].clone();
    let document = app.get_json(&format!("{SITE}/documents?q=09-KH")).await["data"][0]["id"].to_string();
    let items = json!({"items": [
        {"label": " Bài nổi bật ", "kind": "article", "target": article["slug"]},
        {"label": "Khai sinh", "kind": "procedure", "target": "1.001193"},
        {"label": "Kế hoạch 09", "kind": "document", "target": document},
        {"label": "Giới thiệu", "kind": "page", "target": "gioi-thieu",
         "children": [{"label": "Lịch sử", "kind": "page", "target": "gioi-thieu/lich-su",
                       "children": [{"label": "Cũ", "kind": "url", "target": "https://chilinh.haiduong.gov.vn"}]}]}
    ]});
    let put = app.call("PUT", &header, Some(&staff.editor), Some(items)).await;
    assert_eq!(put.status, 200, "{}", String::from_utf8_lossy(&put.body));
    let s = |v: &str| v.to_owned();
    let shape = menu_shape(&put.json()["data"]);
    assert_eq!(
        shape,
        [
            (
                s("Bài nổi bật"),
                format!("/{}/{}", article["category"]["slug"].as_str().unwrap(), article["slug"].as_str().unwrap()),
                vec![]
            ),
            (s("Khai sinh"), s("/thu-tuc/1.001193"), vec![]),
            (s("Kế hoạch 09"), format!("/van-ban/{document}"), vec![]),
            (s("Giới thiệu"), s("/trang/gioi-thieu"), vec![s("Lịch sử")]),
        ]
    );
    assert_eq!(menu_shape(&app.get_json(&format!("{SITE}/home")).await["data"]["header_menu"]), shape);
    // A page unpublished leaves the menu with what is below it.
    let unpublished = app
        .call_with(
            "PATCH",
            format!("{SITE}/pages/gioi-thieu"),
            Some(&staff.editor),
            Some(json!({"status": "draft"})),
            ANY,
        )
        .await;
    assert_eq!(unpublished.status, 200);
    assert_eq!(menu_shape(&app.get_json(&header).await["data"]).len(), 3);
    // Every bad item is named; a target the site lacks is a clash.
    let bad = app
        .call(
            "PUT",
            &header,
            Some(&staff.editor),
            Some(json!({"items": [
            {"label": "", "kind": "tag", "target": "x"},
            {"label": "A", "kind": "url", "target": "javascript:alert(1)"},
            {"label": "B", "kind": "category", "target": "khong-co"}]})),
        )
        .await;
    assert_eq!(bad.status, 422);
    let fields: Vec<String> =
        bad.json()["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect();
    assert_eq!(fields, ["items[0].label", "items[0].kind", "items[1].target", "items[2].target"]);
    let missing = app
        .call(
            "PUT",
            &header,
            Some(&staff.editor),
            Some(json!({"items": [{"label": "B", "kind": "page", "target": "khong-co"}]})),
        )
        .await;
    assert_eq!(missing.status, 409);
    assert_eq!(missing.json()["errors"][0]["field"], "items[0].target");
    let deep = json!({"items": [{"label": "1", "kind": "url", "target": "/", "children": [{"label": "2", "kind": "url", "target": "/",
        "children": [{"label": "3", "kind": "url", "target": "/", "children": [{"label": "4", "kind": "url", "target": "/"}]}]}]}]});
    let too_deep = app.call("PUT", &header, Some(&staff.editor), Some(deep)).await;
    assert_eq!(too_deep.json()["errors"][0]["field"], "items[0].children[0].children[0].children");
    assert_eq!(
        app.call("PUT", format!("{SITE}/menus/sidebar"), Some(&staff.editor), Some(json!({"items": []}))).await.status,
        404
    );
    assert_eq!(app.call("PUT", &header, Some(&staff.author), Some(json!({"items": []}))).await.status, 403);
    let emptied = app.call("PUT", &header, Some(&staff.editor), Some(json!({"items": []}))).await;
    assert_eq!(emptied.json()["data"], json!([]));
});

both!(page_edits_need_if_match_and_keep_revisions, |app| {
    let staff = app.staff().await;
    let uri = format!("{SITE}/pages/gioi-thieu/lich-su");
    // Staff read the page privately, with the ETag to edit it with.
    let read = app.call("GET", &uri, Some(&staff.editor), None).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.header("cache-control"), Some("private, no-store"));
    let page = read.json()["data"].clone();
    let id = page["id"].as_i64().unwrap();
    let etag = read.header("etag").unwrap().to_owned();
    assert_eq!(etag, format!("\"p{id}v1\""));
    assert_eq!(page["version"], 1);
    let none = app.call("PATCH", &uri, Some(&staff.editor), Some(json!({"title": "Lịch sử hình thành"}))).await;
    assert_eq!(none.status, 428);
    let saved = app
        .call_with(
            "PATCH",
            &uri,
            Some(&staff.editor),
            Some(json!({"title": "Lịch sử hình thành", "body_html": "<p>Mới</p>"})),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(saved.status, 200, "{}", String::from_utf8_lossy(&saved.body));
    assert_eq!(saved.header("etag"), Some(format!("\"p{id}v2\"").as_str()));
    assert_eq!(saved.json()["data"]["version"], 2);
    // The old ETag is stale now.
    let stale =
        app.call_with("PATCH", &uri, Some(&staff.editor), Some(json!({"summary": "x"})), &[("if-match", &etag)]).await;
    assert_eq!(stale.status, 412);
    // Every save is a revision: the demo's first state, then the edit.
    let revisions = app.call("GET", format!("{SITE}/pages/{id}/revisions"), Some(&staff.editor), None).await;
    assert_eq!(revisions.status, 200);
    let list = revisions.json();
    assert_eq!(list["meta"]["total"], 2);
    let actions: Vec<&str> = list["data"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["update", "create"]);
    assert_eq!(list["data"][0]["title"], "Lịch sử hình thành");
    assert_eq!(list["data"][0]["body_html"], "<p>Mới</p>");
    assert_eq!(list["data"][1]["title"], "Lịch sử");
    assert_eq!(list["data"][1]["user_id"], serde_json::Value::Null);
    assert_eq!(list["data"][1]["published_at"], page["published_at"]);
    // Restoring the first state brings its title and body back, as a new revision.
    let first = list["data"][1]["id"].as_i64().unwrap();
    let restored =
        app.call("POST", format!("{SITE}/pages/{id}/revisions/{first}/restore"), Some(&staff.editor), None).await;
    assert_eq!(restored.status, 200, "{}", String::from_utf8_lossy(&restored.body));
    assert_eq!(restored.header("etag"), Some(format!("\"p{id}v3\"").as_str()));
    let public = app.get_json(&uri).await["data"].clone();
    assert_eq!(
        (public["title"].as_str(), public["body_html"].as_str()),
        (page["title"].as_str(), page["body_html"].as_str())
    );
    let list = app.call("GET", format!("{SITE}/pages/{id}/revisions"), Some(&staff.editor), None).await.json();
    assert_eq!(list["data"][0]["action"], "revert");
    assert_eq!(
        app.call("POST", format!("{SITE}/pages/{id}/revisions/999999/restore"), Some(&staff.editor), None).await.status,
        404
    );
    // Drafts: staff read them, readers do not.
    let draft =
        app.call("POST", format!("{SITE}/pages"), Some(&staff.editor), Some(json!({"title": "Bản nháp"}))).await;
    assert_eq!(draft.status, 201);
    assert_eq!(draft.header("etag"), Some(format!("\"p{}v1\"", draft.json()["data"]["id"]).as_str()));
    assert_eq!(app.get(&format!("{SITE}/pages/ban-nhap")).await.status, 404);
    assert_eq!(app.call("GET", format!("{SITE}/pages/ban-nhap"), Some(&staff.editor), None).await.status, 200);
    assert_eq!(app.call("GET", format!("{SITE}/pages/ban-nhap"), Some(&staff.author), None).await.status, 404);
    // Other methods on the revisions' paths are 405, not taken for a page's path.
    let patch =
        app.call_with("PATCH", format!("{SITE}/pages/{id}/revisions"), Some(&staff.editor), Some(json!({})), ANY).await;
    assert_eq!((patch.status, patch.header("allow")), (405, Some("GET, HEAD")));
    let get = app.call("GET", format!("{SITE}/pages/{id}/revisions/{first}/restore"), Some(&staff.editor), None).await;
    assert_eq!((get.status, get.header("allow")), (405, Some("POST")));
    let delete = app.call("DELETE", format!("{SITE}/pages/{id}/revisions"), Some(&staff.editor), None).await;
    assert_eq!(delete.status, 405);
    assert_eq!(
        app.call("GET", format!("{SITE}/pages/gioi-thieu/revisions"), Some(&staff.editor), None).await.status,
        404
    );
    assert_eq!(app.call("GET", format!("{SITE}/pages/-5/revisions"), Some(&staff.editor), None).await.status, 404);
    // By id only, never by a path that happens to be a number.
    let numbered = app
        .call("POST", format!("{SITE}/pages"), Some(&staff.editor), Some(json!({"title": "Năm", "slug": "0"})))
        .await;
    assert_eq!(numbered.status, 201);
    assert_eq!(app.call("GET", format!("{SITE}/pages/0/revisions"), Some(&staff.editor), None).await.status, 404);
    // The slug revisions is kept for the revisions' path.
    let reserved =
        app.call("POST", format!("{SITE}/pages"), Some(&staff.editor), Some(json!({"title": "Revisions"}))).await;
    assert_eq!(reserved.status, 201);
    assert_eq!(reserved.json()["data"]["slug"], "revisions-2");
    let named = app
        .call("POST", format!("{SITE}/pages"), Some(&staff.editor), Some(json!({"title": "R", "slug": "revisions"})))
        .await;
    assert_eq!(named.status, 422);
    assert_eq!(named.json()["errors"][0]["field"], "slug");
});
