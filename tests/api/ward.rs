//! What a ward must publish by law beside its news: officials, documents, the work calendar
//! and disclosures.

use serde_json::{Value, json};

use crate::both;

const SITE: &str = "/api/v1/sites/phuong-chi-minh";

/// The `field` of each error of a problem.
fn fields(problem: &Value) -> Vec<String> {
    problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect()
}

/// The `name`s of a list's items, in order.
fn names(list: &Value) -> Vec<String> {
    list["data"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap().to_owned()).collect()
}

both!(officials_list_the_leaders_and_the_contacts, |app| {
    let all = app.get(&format!("{SITE}/officials")).await;
    assert_eq!(all.status, 200);
    let body = all.json();
    assert_eq!(names(&body), ["Nguyễn Văn Hùng", "Phạm Quang Minh", "Trần Thị Lan", "Đỗ Thu Hà"]);
    assert_eq!(body["meta"], json!({"page": 1, "per_page": 20, "total": 4, "total_pages": 1}));
    assert_eq!(
        body["data"][2],
        json!({"id": 3, "name": "Trần Thị Lan", "title": "Phó Chủ tịch UBND phường", "unit": "Ủy ban nhân dân phường",
               "duties": "Phụ trách văn hóa - xã hội, giáo dục, y tế; người phát ngôn của UBND phường.",
               "phone": "0220 3882 003", "email": "ttlan@haiduong.gov.vn", "photo_url": "", "photo_alt": "",
               "leader": true, "information_contact": true, "position": 3})
    );
    let etag = all.header("etag").unwrap().to_owned();
    let again = app.call_with("GET", format!("{SITE}/officials"), None, None, &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, 304);
    let leaders = app.get_json(&format!("{SITE}/officials?role=leader")).await;
    assert_eq!(names(&leaders), ["Nguyễn Văn Hùng", "Phạm Quang Minh", "Trần Thị Lan"]);
    let contacts = app.get_json(&format!("{SITE}/officials?role=information_contact&per_page=1")).await;
    assert_eq!(names(&contacts), ["Trần Thị Lan"]);
    assert_eq!(contacts["meta"]["total"], 2);
    let bad = app.get(&format!("{SITE}/officials?role=chairman&per_page=0")).await;
    assert_eq!(bad.status, 400);
    assert_eq!(fields(&bad.json()), ["per_page", "role"]);
    let one = app.get_json(&format!("{SITE}/officials/3")).await;
    assert_eq!(one["data"], body["data"][2]);
    assert_eq!(app.get(&format!("{SITE}/officials/99")).await.status, 404);
    assert_eq!(app.get("/api/v1/sites/xa-le-loi/officials/1").await.status, 404);
    assert_eq!(app.get_json("/api/v1/sites/xa-le-loi/officials").await["meta"]["total"], 0);
});

both!(editors_keep_the_officials, |app| {
    let staff = app.staff().await;
    let list = format!("{SITE}/officials");
    let before = app.get(&list).await.header("etag").unwrap().to_owned();
    let created = app
        .call(
            "POST",
            &list,
            Some(&staff.editor),
            Some(json!({"name": " Vũ Đức Thành ", "title": "Chủ tịch Ủy ban MTTQ phường", "leader": true,
                        "photo_url": "/uploads/ab/thanh.jpg", "photo_alt": "Ảnh đồng chí Vũ Đức Thành"})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", String::from_utf8_lossy(&created.body));
    assert_eq!(created.header("location"), Some(format!("{list}/5").as_str()));
    let made = created.json()["data"].clone();
    assert_eq!(
        (made["name"].as_str(), made["position"].as_i64(), made["information_contact"].as_bool()),
        (Some("Vũ Đức Thành"), Some(5), Some(false))
    );
    // The kept list is stale at once.
    let after = app.get(&list).await;
    assert_ne!(after.header("etag"), Some(before.as_str()));
    assert_eq!(names(&after.json()).last().map(String::as_str), Some("Vũ Đức Thành"));
    let moved =
        app.call("PATCH", format!("{list}/5"), Some(&staff.editor), Some(json!({"position": 0, "email": ""}))).await;
    assert_eq!(moved.status, 200);
    assert_eq!(names(&app.get_json(&format!("{list}?role=leader")).await)[0], "Vũ Đức Thành");
    // Every bad field is named; a name is never emptied.
    let bad = app
        .call(
            "POST",
            &list,
            Some(&staff.editor),
            Some(json!({"name": "", "email": "không phải email", "photo_url": "javascript:alert(1)", "position": 100001})),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(fields(&bad.json()), ["name", "email", "photo_url", "position"]);
    let emptied = app.call("PATCH", format!("{list}/5"), Some(&staff.editor), Some(json!({"name": "  "}))).await;
    assert_eq!(emptied.json()["errors"], json!([{"field": "name", "message": "must be 1 to 200 characters"}]));
    let wrong = app.call("PATCH", format!("{list}/5"), Some(&staff.editor), Some(json!({"leader": "có"}))).await;
    assert_eq!(wrong.status, 422);
    assert_eq!(app.call("DELETE", format!("{list}/5"), Some(&staff.editor_other), None).await.status, 403);
    assert_eq!(app.call("DELETE", format!("{list}/5"), Some(&staff.editor), None).await.status, 204);
    assert_eq!(app.get(&format!("{list}/5")).await.status, 404);
    assert_eq!(app.get_json(&list).await["meta"]["total"], 4);
    let audit = app.call("GET", "/api/v1/audit", Some(&staff.admin), None).await.json();
    let actions: Vec<&str> = audit["data"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions[..3], ["official.delete", "official.update", "official.create"]);
});
