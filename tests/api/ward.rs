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

/// `s` percent-encoded for a query string.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The `number`s of a document list, in order.
fn numbers(list: &Value) -> Vec<String> {
    list["data"].as_array().unwrap().iter().map(|d| d["number"].as_str().unwrap().to_owned()).collect()
}

/// Today in the demo wards' time zone, moved by `days`.
fn day(days: i64) -> String {
    let today = chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).unwrap()).date_naive();
    (today + chrono::Duration::days(days)).to_string()
}

both!(documents_are_listed_filtered_and_searched, |app| {
    let docs = format!("{SITE}/documents");
    let all = app.get(&docs).await;
    assert_eq!(all.status, 200);
    let body = all.json();
    assert_eq!(
        numbers(&body),
        ["15/QĐ-UBND", "02/QC-UBND", "01/QC-UBND", "09-KH/ĐU", "112-KH/TU", "162-KH/TU", "35-CT/TW"]
    );
    assert_eq!(body["meta"]["total"], 7);
    let plan = &body["data"][3];
    assert_eq!(
        (&plan["kind"], &plan["kind_name"], &plan["issuer_key"], &plan["issued_on"], &plan["status"]),
        (
            &json!("ke_hoach"),
            &json!("Kế hoạch"),
            &json!("dang-uy-phuong-chi-minh"),
            &json!("2019-09-20"),
            &json!("in_force")
        )
    );
    assert_eq!(plan["files"].as_array().unwrap().len(), 1);
    assert_eq!(
        (&plan["files"][0]["name"], &plan["files"][0]["content_type"]),
        (&json!("09-KH-DU.pdf"), &json!("application/pdf"))
    );
    let file = app.get(plan["files"][0]["url"].as_str().unwrap()).await;
    assert_eq!(file.status, 200);
    assert!(file.body.starts_with(b"%PDF-1.4"));
    // The first working rules are replaced by the second, and each names the other.
    let old = &body["data"][2];
    assert_eq!(old["status"], "replaced");
    assert_eq!(old["replaced_by"]["number"], "02/QC-UBND");
    assert_eq!(body["data"][1]["replaces"]["number"], "01/QC-UBND");
    assert_eq!(body["data"][1]["replaces"]["path"], format!("{docs}/{}", old["id"]));
    let etag = all.header("etag").unwrap().to_owned();
    assert_eq!(app.call_with("GET", &docs, None, None, &[("if-none-match", &etag)]).await.status, 304);
    // Each filter, and all together.
    let list = |q: &'static str| {
        // Each value percent-encoded, as a browser sends it.
        let query: Vec<String> =
            q.split('&').map(|pair| pair.split_once('=').map(|(k, v)| format!("{k}={}", enc(v))).unwrap()).collect();
        let uri = format!("{docs}?{}", query.join("&"));
        let app = &app;
        async move { numbers(&app.get_json(&uri).await) }
    };
    assert_eq!(list("kind=ke_hoach").await, ["09-KH/ĐU", "112-KH/TU", "162-KH/TU"]);
    assert_eq!(list("year=2019&per_page=2").await, ["09-KH/ĐU", "112-KH/TU"]);
    assert_eq!(app.get_json(&format!("{docs}?year=2019&per_page=2")).await["meta"]["total"], 4);
    assert_eq!(list("issuer=Đảng ủy phường Chí Minh").await, ["09-KH/ĐU"]);
    assert_eq!(list("issuer=uy-ban-nhan-dan-phuong-chi-minh&field=To chuc bo may").await, ["02/QC-UBND", "01/QC-UBND"]);
    assert_eq!(list("status=replaced").await, ["01/QC-UBND"]);
    assert_eq!(list("status=in_force&kind=quy_che").await, ["02/QC-UBND"]);
    assert_eq!(list("status=expired").await, Vec::<String>::new());
    assert_eq!(list("q=dai hoi dang bo").await, ["09-KH/ĐU", "112-KH/TU", "162-KH/TU", "35-CT/TW"]);
    assert_eq!(list("q=09-KH/ĐU").await, ["09-KH/ĐU"]);
    assert_eq!(list("q=dự toán ngân sách").await, ["15/QĐ-UBND"]);
    let bad = app.get(&format!("{docs}?kind=luat&year=19&status=old&page=0")).await;
    assert_eq!(bad.status, 400);
    assert_eq!(fields(&bad.json()), ["page", "kind", "year", "status"]);
    let one = app.get_json(&format!("{docs}/{}", plan["id"])).await;
    assert_eq!(&one["data"], plan);
    assert_eq!(app.get(&format!("{docs}/999")).await.status, 404);
    assert_eq!(app.get(&format!("/api/v1/sites/xa-le-loi/documents/{}", plan["id"])).await.status, 404);
});

both!(editors_issue_replace_and_remove_documents, |app| {
    let staff = app.staff().await;
    let docs = format!("{SITE}/documents");
    let plan_id = app.get_json(&format!("{docs}?q=09-KH")).await["data"][0]["id"].as_i64().unwrap();
    let pdf = app.upload(Some(&staff.editor), "phuong-chi-minh", "ke-hoach-10.pdf", b"%PDF-1.4\n% 10-KH/DU\n").await;
    assert_eq!(pdf.status, 201);
    let upload = pdf.json()["data"]["id"].as_i64().unwrap();
    let other_site = app.upload(Some(&staff.editor_other), "xa-le-loi", "khac.pdf", b"%PDF-1.4\n% khac\n").await;
    let foreign = other_site.json()["data"]["id"].as_i64().unwrap();
    let before = app.get(&docs).await.header("etag").unwrap().to_owned();
    // A new plan replacing 09-KH/ĐU, in force from tomorrow.
    let body = json!({"kind": "ke_hoach", "number": " 10-KH/ĐU ", "issuer": "Đảng ủy phường Chí Minh",
        "issued_on": day(0), "effective_on": day(1), "field": "Xây dựng Đảng",
        "summary": "Kế hoạch tổ chức Đại hội Đảng bộ phường nhiệm kỳ 2025-2030", "replaces_id": plan_id,
        "file_ids": [upload, upload]});
    let created = app.call("POST", &docs, Some(&staff.editor), Some(body.clone())).await;
    assert_eq!(created.status, 201, "{}", String::from_utf8_lossy(&created.body));
    let made = created.json()["data"].clone();
    let id = made["id"].as_i64().unwrap();
    assert_eq!(created.header("location"), Some(format!("{docs}/{id}").as_str()));
    assert_eq!((made["number"].as_str(), made["status"].as_str()), (Some("10-KH/ĐU"), Some("not_yet_in_force")));
    assert_eq!(made["files"].as_array().unwrap().len(), 1, "an upload named twice is one file");
    assert_eq!(made["replaces"]["id"], plan_id);
    // The kept list is stale at once, and the old plan shows as replaced.
    let after = app.get(&docs).await;
    assert_ne!(after.header("etag"), Some(before.as_str()));
    let old = app.get_json(&format!("{docs}/{plan_id}")).await;
    assert_eq!(
        (old["data"]["status"].as_str(), old["data"]["replaced_by"]["id"].as_i64()),
        (Some("replaced"), Some(id))
    );
    assert_eq!(numbers(&app.get_json(&format!("{docs}?status=not_yet_in_force")).await), ["10-KH/ĐU"]);
    // The same number from the same issuer in the same year is a clash, whatever its spelling.
    let again = app
        .call(
            "POST",
            &docs,
            Some(&staff.editor),
            Some(json!({"kind": "ke_hoach", "number": "10-kh/đu",
            "issuer": "đảng ủy phường chí minh", "issued_on": day(0), "summary": "Bản trùng"})),
        )
        .await;
    assert_eq!(again.status, 409);
    assert_eq!(fields(&again.json()), ["number"]);
    // What the site lacks, or what is replaced already, is a clash too.
    let clash = app
        .call(
            "POST",
            &docs,
            Some(&staff.editor),
            Some(json!({"kind": "thong_bao", "number": "1/TB-UBND",
            "issuer": "UBND phường", "issued_on": day(0), "summary": "Thông báo", "replaces_id": plan_id,
            "file_ids": [foreign]})),
        )
        .await;
    assert_eq!(clash.status, 409);
    assert_eq!(fields(&clash.json()), ["replaces_id", "file_ids"]);
    let itself = app.call("PATCH", format!("{docs}/{id}"), Some(&staff.editor), Some(json!({"replaces_id": id}))).await;
    assert_eq!(
        itself.json()["errors"],
        json!([{"field": "replaces_id", "message": "a document cannot replace itself"}])
    );
    // Every bad field is named.
    let bad = app
        .call(
            "POST",
            &docs,
            Some(&staff.editor),
            Some(json!({"kind": "luat", "number": "", "issued_on": "30/5/2019",
            "expires_on": "1899-01-01", "file_ids": (1..=21).collect::<Vec<i64>>()})),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(fields(&bad.json()), ["kind", "number", "issuer", "issued_on", "expires_on", "summary", "file_ids"]);
    let backwards =
        app.call("PATCH", format!("{docs}/{id}"), Some(&staff.editor), Some(json!({"expires_on": day(1)}))).await;
    assert_eq!(
        backwards.json()["errors"],
        json!([{"field": "expires_on", "message": "must be after the day it comes into force"}])
    );
    // In force from today, expired from tomorrow; then cleared.
    let edited = app
        .call(
            "PATCH",
            format!("{docs}/{id}"),
            Some(&staff.editor),
            Some(json!({"effective_on": day(-10), "expires_on": day(0)})),
        )
        .await;
    assert_eq!(edited.json()["data"]["status"], "expired");
    let cleared = app
        .call(
            "PATCH",
            format!("{docs}/{id}"),
            Some(&staff.editor),
            Some(json!({"effective_on": null, "expires_on": null, "file_ids": []})),
        )
        .await;
    assert_eq!(
        (cleared.json()["data"]["status"].as_str(), cleared.json()["data"]["files"].as_array().map(Vec::len)),
        (Some("in_force"), Some(0))
    );
    assert_eq!(app.call("DELETE", format!("{docs}/{id}"), Some(&staff.editor_other), None).await.status, 403);
    assert_eq!(app.call("DELETE", format!("{docs}/{id}"), Some(&staff.editor), None).await.status, 204);
    assert_eq!(app.get(&format!("{docs}/{id}")).await.status, 404);
    // The plan it replaced is in force again.
    let old = app.get_json(&format!("{docs}/{plan_id}")).await;
    assert_eq!((old["data"]["status"].as_str(), &old["data"]["replaced_by"]), (Some("in_force"), &Value::Null));
    assert_eq!(app.get_json(&docs).await["meta"]["total"], 7);
});

/// The ISO week `weeks` from this one in the demo wards' time zone, and its Monday.
fn week(weeks: i64) -> (String, chrono::NaiveDate) {
    use chrono::Datelike;
    let today = chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).unwrap()).date_naive();
    let monday = today - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday()))
        + chrono::Duration::weeks(weeks);
    let w = monday.iso_week();
    (format!("{}-W{:02}", w.year(), w.week()), monday)
}

both!(the_work_calendar_shows_a_week, |app| {
    let (this, monday) = week(0);
    let calendar = format!("{SITE}/calendar");
    let res = app.get(&calendar).await;
    assert_eq!(res.status, 200);
    let body = res.json()["data"].clone();
    assert_eq!(
        (body["week"].as_str(), body["starts_on"].as_str()),
        (Some(this.as_str()), Some(monday.to_string().as_str()))
    );
    assert_eq!(
        (body["previous_week"].as_str(), body["next_week"].as_str()),
        (Some(week(-1).0.as_str()), Some(week(1).0.as_str()))
    );
    let days = body["days"].as_array().unwrap();
    let shape: Vec<(&str, usize)> =
        days.iter().map(|d| (d["weekday"].as_str().unwrap(), d["entries"].as_array().unwrap().len())).collect();
    assert_eq!(
        shape,
        [("Thứ Hai", 1), ("Thứ Ba", 1), ("Thứ Tư", 1), ("Thứ Năm", 1), ("Thứ Sáu", 1), ("Thứ Bảy", 0), ("Chủ nhật", 0)]
    );
    let first = &days[0]["entries"][0];
    assert_eq!(first["starts_at"], format!("{monday}T07:30:00+07:00"));
    assert_eq!(first["ends_at"], format!("{monday}T09:30:00+07:00"));
    assert_eq!(first["content"], "Giao ban công tác tuần");
    // The week named is the same answer; another week is empty; a bad one is named.
    assert_eq!(app.get_json(&format!("{calendar}?week={this}")).await["data"], body);
    let empty = app.get_json(&format!("{calendar}?week={}", week(-1).0)).await;
    assert!(empty["data"]["days"].as_array().unwrap().iter().all(|d| d["entries"] == json!([])));
    for bad in ["2026-W54", "2026-49", "tuan-nay"] {
        let res = app.get(&format!("{calendar}?week={bad}")).await;
        assert_eq!(res.status, 400, "{bad}");
        assert_eq!(fields(&res.json()), ["week"]);
    }
    let one = app.get_json(first["path"].as_str().unwrap()).await;
    assert_eq!(&one["data"], first);
    assert_eq!(app.get(&format!("{calendar}/999")).await.status, 404);
    assert_eq!(app.get_json("/api/v1/sites/xa-le-loi/calendar").await["data"]["days"][0]["entries"], json!([]));
});

both!(editors_plan_the_calendar, |app| {
    let staff = app.staff().await;
    let calendar = format!("{SITE}/calendar");
    let (next, monday) = week(1);
    let at = |h: u32| format!("{}T{h:02}:00:00+07:00", monday + chrono::Duration::days(2));
    let before = app.get(&format!("{calendar}?week={next}")).await.header("etag").unwrap().to_owned();
    let created = app
        .call(
            "POST",
            &calendar,
            Some(&staff.editor),
            Some(json!({"starts_at": at(8), "ends_at": at(11), "place": "Hội trường UBND phường",
                        "chair": "Đồng chí Phạm Quang Minh", "content": "Hội nghị tổng kết năm 2026"})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", String::from_utf8_lossy(&created.body));
    let entry = created.json()["data"].clone();
    assert_eq!(created.header("location"), entry["path"].as_str());
    assert_eq!(entry["starts_at"], at(8));
    let after = app.get(&format!("{calendar}?week={next}")).await;
    assert_ne!(after.header("etag"), Some(before.as_str()));
    assert_eq!(after.json()["data"]["days"][2]["entries"], json!([entry]));
    // A time given in UTC shows in the site's offset.
    let moved = app
        .call(
            "PATCH",
            entry["path"].as_str().unwrap(),
            Some(&staff.editor),
            Some(json!({"starts_at": format!("{}T00:30:00Z", monday + chrono::Duration::days(3)), "ends_at": null})),
        )
        .await;
    assert_eq!(moved.status, 200);
    assert_eq!(moved.json()["data"]["starts_at"], format!("{}T07:30:00+07:00", monday + chrono::Duration::days(3)));
    assert_eq!(moved.json()["data"]["ends_at"], Value::Null);
    let bad = app
        .call(
            "POST",
            &calendar,
            Some(&staff.editor),
            Some(json!({"starts_at": "thứ hai", "content": " ", "place": "x".repeat(201)})),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(fields(&bad.json()), ["starts_at", "place", "content"]);
    let backwards =
        app.call("PATCH", entry["path"].as_str().unwrap(), Some(&staff.editor), Some(json!({"ends_at": at(1)}))).await;
    assert_eq!(backwards.json()["errors"], json!([{"field": "ends_at", "message": "must be after starts_at"}]));
    let missing = app.call("POST", &calendar, Some(&staff.editor), Some(json!({}))).await;
    assert_eq!(fields(&missing.json()), ["starts_at", "content"]);
    assert_eq!(app.call("DELETE", entry["path"].as_str().unwrap(), Some(&staff.author), None).await.status, 403);
    assert_eq!(app.call("DELETE", entry["path"].as_str().unwrap(), Some(&staff.editor), None).await.status, 204);
    assert_eq!(app.get(entry["path"].as_str().unwrap()).await.status, 404);
});

/// The `title`s of a list, in order.
fn titles(list: &Value) -> Vec<String> {
    list["data"].as_array().unwrap().iter().map(|d| d["title"].as_str().unwrap().to_owned()).collect()
}

const BUDGET: &str = "Công khai dự toán ngân sách phường Chí Minh năm 2026";
const SUPPORT: &str = "Công khai danh sách đối tượng hưởng trợ cấp xã hội quý IV năm 2026";

both!(the_register_lists_what_was_disclosed, |app| {
    let register = format!("{SITE}/disclosures");
    let res = app.get(&register).await;
    assert_eq!(res.status, 200);
    let body = res.json();
    assert_eq!(titles(&body), [SUPPORT, BUDGET]);
    let budget = &body["data"][1];
    let decision = app.get_json(&format!("{SITE}/documents?q=15/QD-UBND")).await["data"][0]["id"].clone();
    assert_eq!(
        budget,
        &json!({"id": budget["id"], "kind": "budget", "kind_name": "Dự toán, tình hình thực hiện và quyết toán ngân sách",
            "title": BUDGET, "summary": "Dự toán thu, chi ngân sách phường năm 2026 đã được Hội đồng nhân dân phường quyết định.",
            "period_start": "2026-01-01", "period_end": "2026-12-31", "posted_on": "2026-01-12", "posted_until": "2026-02-11",
            "form": "Niêm yết tại trụ sở UBND phường; đăng trên cổng thông tin điện tử",
            "documents": [{"id": decision, "kind": "quyet_dinh", "number": "15/QĐ-UBND", "path": format!("{SITE}/documents/{decision}")}],
            "path": format!("{register}/{}", budget["id"]), "updated_at": budget["updated_at"]})
    );
    let etag = res.header("etag").unwrap().to_owned();
    assert_eq!(app.call_with("GET", &register, None, None, &[("if-none-match", &etag)]).await.status, 304);
    assert_eq!(titles(&app.get_json(&format!("{register}?kind=budget")).await), [BUDGET]);
    assert_eq!(titles(&app.get_json(&format!("{register}?year=2026")).await), [SUPPORT, BUDGET]);
    assert_eq!(titles(&app.get_json(&format!("{register}?year=2025")).await), Vec::<String>::new());
    // A period overlapping: the support list covers the fourth quarter only.
    assert_eq!(titles(&app.get_json(&format!("{register}?from=2026-11-01&to=2026-11-30")).await), [SUPPORT, BUDGET]);
    assert_eq!(titles(&app.get_json(&format!("{register}?to=2026-06-30")).await), [BUDGET]);
    assert_eq!(titles(&app.get_json(&format!("{register}?year=2026&to=2026-06-30")).await), [BUDGET]);
    let bad = app.get(&format!("{register}?kind=ngan-sach&year=20&from=2026-13-01&to=hom-nay")).await;
    assert_eq!(bad.status, 400);
    assert_eq!(fields(&bad.json()), ["kind", "from", "to", "year"]);
    assert_eq!(app.get_json(budget["path"].as_str().unwrap()).await["data"], *budget);
    assert_eq!(app.get(&format!("{register}/999")).await.status, 404);
    assert_eq!(app.get_json("/api/v1/sites/xa-le-loi/disclosures").await["meta"]["total"], 0);
});

both!(editors_keep_the_register, |app| {
    let staff = app.staff().await;
    let register = format!("{SITE}/disclosures");
    let decision = app.get_json(&format!("{SITE}/documents?q=15/QD-UBND")).await["data"][0]["id"].as_i64().unwrap();
    let before = app.get(&register).await.header("etag").unwrap().to_owned();
    let body = json!({"kind": "public_investment", "title": "Công khai kế hoạch đầu tư công năm 2027",
        "period_start": "2027-01-01", "period_end": "2027-12-31", "posted_on": "2026-12-05",
        "form": "Đăng trên cổng thông tin điện tử", "document_ids": [decision, decision]});
    let created = app.call("POST", &register, Some(&staff.editor), Some(body)).await;
    assert_eq!(created.status, 201, "{}", String::from_utf8_lossy(&created.body));
    let item = created.json()["data"].clone();
    assert_eq!(created.header("location"), item["path"].as_str());
    assert_eq!(item["documents"].as_array().unwrap().len(), 1);
    let after = app.get(&register).await;
    assert_ne!(after.header("etag"), Some(before.as_str()));
    assert_eq!(titles(&after.json())[0], "Công khai kế hoạch đầu tư công năm 2027");
    let path = item["path"].as_str().unwrap();
    let bad = app
        .call(
            "PATCH",
            path,
            Some(&staff.editor),
            Some(json!({"kind": "ngan_sach", "title": "", "posted_on": "12/5/2026"})),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(fields(&bad.json()), ["kind", "title", "posted_on"]);
    let backwards = app.call("PATCH", path, Some(&staff.editor), Some(json!({"period_end": "2026-12-31"}))).await;
    assert_eq!(
        backwards.json()["errors"],
        json!([{"field": "period_end", "message": "must be on or after period_start"}])
    );
    let early = app.call("PATCH", path, Some(&staff.editor), Some(json!({"posted_until": "2026-12-01"}))).await;
    assert_eq!(fields(&early.json()), ["posted_until"]);
    let missing = app.call("POST", &register, Some(&staff.editor), Some(json!({"title": "Thiếu"}))).await;
    assert_eq!(fields(&missing.json()), ["kind", "period_start", "period_end", "posted_on"]);
    let foreign = app.call("PATCH", path, Some(&staff.editor), Some(json!({"document_ids": [9999]}))).await;
    assert_eq!(foreign.status, 409);
    assert_eq!(fields(&foreign.json()), ["document_ids"]);
    // A document deleted leaves the register's item without it.
    assert_eq!(app.call("DELETE", format!("{SITE}/documents/{decision}"), Some(&staff.editor), None).await.status, 204);
    assert_eq!(app.get_json(path).await["data"]["documents"], json!([]));
    assert_eq!(app.call("DELETE", path, Some(&staff.editor_other), None).await.status, 403);
    assert_eq!(app.call("DELETE", path, Some(&staff.editor), None).await.status, 204);
    assert_eq!(app.get(path).await.status, 404);
    assert_eq!(app.get_json(&register).await["meta"]["total"], 2);
});

both!(a_frontend_renders_the_ward_portal_from_the_api_alone, |app| {
    // The introduction: the page tree, then a page with its breadcrumbs.
    let tree = app.get_json(&format!("{SITE}/pages")).await["data"].clone();
    let intro = tree.as_array().unwrap().iter().find(|p| p["path"] == "gioi-thieu").expect("Giới thiệu").clone();
    let structure = intro["children"].as_array().unwrap().iter().find(|p| p["title"] == "Cơ cấu tổ chức").unwrap();
    let page = app.get_json(&format!("{SITE}/pages/{}", structure["path"].as_str().unwrap())).await["data"].clone();
    assert_eq!(page["breadcrumbs"][0]["title"], "Giới thiệu");
    assert!(!page["body_html"].as_str().unwrap().is_empty());
    // The leaders with their duties, and whom to ask for information.
    let leaders = app.get_json(&format!("{SITE}/officials?role=leader")).await;
    assert!(leaders["data"].as_array().unwrap().iter().all(|o| o["leader"] == true && o["duties"] != ""));
    let contacts = app.get_json(&format!("{SITE}/officials?role=information_contact")).await;
    assert!(contacts["data"].as_array().unwrap().iter().all(|o| o["phone"] != "" && o["email"] != ""));
    // The documents the reference article cites, each with its number, issuer, date and status.
    for number in ["35-CT/TW", "162-KH/TU", "112-KH/TU", "09-KH/ĐU"] {
        let found = app.get_json(&format!("{SITE}/documents?q={}", enc(number))).await;
        assert_eq!(numbers(&found), [number], "{number}");
        assert_eq!(found["data"][0]["status"], "in_force");
    }
    // This week's calendar, and the register of what was disclosed, with its documents.
    let calendar = app.get_json(&format!("{SITE}/calendar")).await["data"].clone();
    let entries: usize =
        calendar["days"].as_array().unwrap().iter().map(|d| d["entries"].as_array().unwrap().len()).sum();
    assert_eq!(entries, 5);
    let register = app.get_json(&format!("{SITE}/disclosures?kind=budget")).await;
    assert_eq!(register["data"][0]["documents"][0]["number"], "15/QĐ-UBND");
    // The frame of every page: the ward's contacts, in the home bundle.
    let home = app.get_json(&format!("{SITE}/home")).await["data"].clone();
    assert_eq!(home["site"]["phone"], "0220 3882 123");
    assert_eq!(home["site"]["base_url"], "https://chiminh.chilinh.haiduong.gov.vn");
    // And the header menu, each item resolved to the frontend's path.
    let menu = home["header_menu"].as_array().unwrap();
    assert!(menu.iter().any(|i| i["url"] == "/trang/gioi-thieu" && i["children"].as_array().unwrap().len() == 2));
});
