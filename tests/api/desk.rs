//! The one-stop desk: office and hours, the procedure catalogue, dossiers from receipt to
//! return with their deadlines, the public lookup, the statistics and the holidays.

use serde_json::{Value, json};

use crate::both;

const SITE: &str = "/api/v1/sites/phuong-chi-minh";

fn codes(list: &Value) -> Vec<String> {
    list["data"].as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap().to_owned()).collect()
}

both!(the_desk_and_its_catalogue, |app| {
    let desk = app.get_json(&format!("{SITE}/desk")).await["data"].clone();
    assert_eq!(desk["name"], "Trung tâm Phục vụ hành chính công phường Chí Minh (Bộ phận một cửa)");
    assert_eq!(desk["unit_code"], "000.00.14.H23");
    assert_eq!(
        desk["hours"],
        json!([{"weekdays": [1, 2, 3, 4, 5], "opens": "07:00", "closes": "11:30"},
               {"weekdays": [1, 2, 3, 4, 5], "opens": "13:30", "closes": "17:00"}])
    );
    let fields: Vec<(&str, i64)> = desk["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["name"].as_str().unwrap(), f["procedures"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        fields,
        [
            ("Chứng thực", 3),
            ("Đăng ký, quản lý cư trú", 4),
            ("Đất đai", 1),
            ("Giảm nghèo", 1),
            ("Hộ tịch", 9),
            ("Hòa giải ở cơ sở", 1),
            ("Thành lập và hoạt động doanh nghiệp (hộ kinh doanh)", 1),
        ]
    );
    let all = app.get_json(&format!("{SITE}/procedures?per_page=100")).await;
    assert_eq!(all["meta"]["total"], 20);
    assert_eq!(codes(&all)[..3], ["1.000656", "1.000894", "1.001022"]);
    // Search folds diacritics; the field narrows.
    let found = app.get_json(&format!("{SITE}/procedures?q=khai%20sinh")).await;
    assert_eq!(codes(&found), ["1.001193", "1.004884", "2.000635"]);
    assert_eq!(
        codes(&app.get_json(&format!("{SITE}/procedures?q=%C4%91%C4%83ng+k%C3%BD+k%E1%BA%BFt+h%C3%B4n")).await),
        ["1.000894"]
    );
    let field = app.get_json(&format!("{SITE}/procedures?field=Ch%E1%BB%A9ng%20th%E1%BB%B1c")).await;
    assert_eq!(codes(&field), ["2.000815", "2.000884", "2.001035"]);
    let birth = app.get_json(&format!("{SITE}/procedures/1.001193")).await["data"].clone();
    assert_eq!(
        (birth["name"].clone(), birth["processing_days"].clone(), birth["fee_vnd"].clone(), birth["fee_note"].clone()),
        (json!("Thủ tục đăng ký khai sinh"), json!(0), json!(0), json!("Miễn phí"))
    );
    assert_eq!(birth["documents"].as_array().unwrap().len(), 7);
    let set_by_province = app.get_json(&format!("{SITE}/procedures/1.004873")).await["data"].clone();
    assert_eq!(
        (set_by_province["fee_vnd"].clone(), set_by_province["fee_note"].clone()),
        (Value::Null, json!("Do HĐND tỉnh quy định"))
    );
    assert_eq!(app.get(&format!("{SITE}/procedures/9.999")).await.status, 404);
    assert_eq!(app.get(&format!("{SITE}/procedures?per_page=101")).await.status, 400);
});

both!(editors_keep_the_desk_and_catalogue, |app| {
    let staff = app.staff().await;
    let desk = format!("{SITE}/desk");
    let bad = app
        .call(
            "PUT",
            &desk,
            Some(&staff.editor),
            Some(json!({"name": "Bộ phận một cửa", "unit_code": "000 14", "email": "khong-phai-email",
                        "hours": [{"weekdays": [1, 8], "opens": "13:30", "closes": "11:30"}, {"weekdays": [6], "opens": "7h", "closes": "11:30"}]})),
        )
        .await;
    assert_eq!(bad.status, 422);
    let fields: Vec<String> =
        bad.json()["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect();
    assert_eq!(fields, ["email", "unit_code", "hours[0].weekdays", "hours[0].closes", "hours[1]"]);
    let no_hours = app
        .call("PUT", &desk, Some(&staff.editor), Some(json!({"name": "Bộ phận một cửa", "unit_code": "000.00.14.H23"})))
        .await;
    assert_eq!(no_hours.json()["errors"][0]["field"], "hours");
    let saturday = json!({"name": "Bộ phận một cửa phường Chí Minh", "unit_code": "000.00.14.H23", "phone": "0220 3882 123",
        "hours": [{"weekdays": [1, 2, 3, 4, 5, 6], "opens": "07:30", "closes": "11:30"}]});
    assert_eq!(app.call("PUT", &desk, Some(&staff.author), Some(saturday.clone())).await.status, 403);
    let saved = app.call("PUT", &desk, Some(&staff.editor), Some(saturday)).await;
    assert_eq!(saved.status, 200, "{}", String::from_utf8_lossy(&saved.body));
    let public = app.get_json(&desk).await["data"].clone();
    assert_eq!(public["hours"], json!([{"weekdays": [1, 2, 3, 4, 5, 6], "opens": "07:30", "closes": "11:30"}]));
    assert_eq!(public["phone"], "0220 3882 123");
    // A procedure added, changed and removed.
    let procedures = format!("{SITE}/procedures");
    let created = app
        .call(
            "POST",
            &procedures,
            Some(&staff.editor),
            Some(json!({"code": "2.001263", "name": "Đăng ký việc nuôi con nuôi trong nước", "field": "Nuôi con nuôi",
                        "processing_days": 20, "fee_vnd": 400000, "online_level": "mot_phan", "documents": ["Tờ khai"]})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", String::from_utf8_lossy(&created.body));
    assert_eq!(created.header("location"), Some(format!("{procedures}/2.001263").as_str()));
    assert_eq!(codes(&app.get_json(&format!("{procedures}?q=nuoi+con")).await), ["2.001263"]);
    let again = app
        .call(
            "POST",
            &procedures,
            Some(&staff.editor),
            Some(json!({"code": "2.001263", "name": "x", "field": "x", "processing_days": 1, "online_level": "x"})),
        )
        .await;
    assert_eq!(
        again.json()["errors"],
        // Malformed fields first, then those that clash with what is stored; all in one 422.
        json!([{"field": "online_level", "message": "must be toan_trinh, mot_phan or truc_tiep"},
               {"field": "code", "message": "is already in this desk's catalogue"}])
    );
    let changed = app
        .call(
            "PATCH",
            format!("{procedures}/2.001263"),
            Some(&staff.editor),
            Some(json!({"fee_vnd": null, "fee_note": "Có miễn giảm"})),
        )
        .await;
    assert_eq!(changed.status, 200);
    assert_eq!(
        (changed.json()["data"]["fee_vnd"].clone(), changed.json()["data"]["processing_days"].clone()),
        (Value::Null, json!(20))
    );
    let emptied = app
        .call("PATCH", format!("{procedures}/2.001263"), Some(&staff.editor), Some(json!({"code": " ", "name": ""})))
        .await;
    assert_eq!(
        emptied.json()["errors"],
        json!([{"field": "code", "message": "must be 1 to 40 characters"}, {"field": "name", "message": "must be 1 to 500 characters"}])
    );
    assert_eq!(app.call("DELETE", format!("{procedures}/2.001263"), Some(&staff.editor), None).await.status, 204);
    assert_eq!(app.get(&format!("{procedures}/2.001263")).await.status, 404);
    // A procedure dossiers were filed for stays.
    let used = app.call("DELETE", format!("{procedures}/1.001193"), Some(&staff.editor), None).await;
    assert_eq!(used.status, 409);
    assert_eq!(used.json()["detail"], "1 dossier(s) were filed for it");
});

both!(a_dossier_from_receipt_to_return, |app| {
    let staff = app.staff().await;
    let dossiers = format!("{SITE}/dossiers");
    // Wednesday 29/4/2026, residence registration (3 working days): 30/4 and 1/5 are holidays,
    // then the weekend, so Monday, Tuesday, Wednesday.
    let receive = |name: &'static str| {
        let (app, staff, dossiers) = (&app, &staff, dossiers.clone());
        async move {
            app.call(
                "POST",
                &dossiers,
                Some(&staff.author),
                Some(json!({"procedure": "1.004194", "applicant_name": name, "applicant_phone": "0912 345 678",
                            "channel": "truc_tuyen", "received_at": "2026-04-29T10:00:00+07:00", "note": "Đã nhận đủ hồ sơ"})),
            )
            .await
        }
    };
    let first = receive("Nguyễn Văn An").await;
    assert_eq!(first.status, 201, "{}", String::from_utf8_lossy(&first.body));
    let d = first.json()["data"].clone();
    assert_eq!(d["code"], "000.00.14.H23-260429-0001");
    assert_eq!(first.header("location"), Some(format!("{dossiers}/000.00.14.H23-260429-0001").as_str()));
    assert_eq!(
        (d["status"].clone(), d["status_code"].clone(), d["status_name"].clone()),
        (json!("received"), json!(2), json!("Được tiếp nhận"))
    );
    assert_eq!(
        (d["received_at"].clone(), d["due_at"].clone()),
        (json!("2026-04-29T10:00:00+07:00"), json!("2026-05-06T17:00:00+07:00"))
    );
    assert_eq!(d["procedure"], json!({"code": "1.004194", "name": "Đăng ký tạm trú"}));
    assert_eq!(
        (d["applicant_name"].clone(), d["applicant_phone"].clone()),
        (json!("Nguyễn Văn An"), json!("0912 345 678"))
    );
    assert_eq!(receive("Trần Thị Bình").await.json()["data"]["code"], "000.00.14.H23-260429-0002");
    // The citizen's lookup needs the key printed on the receipt (any case); without it, or
    // with another, the code is as unknown as one never given.
    let url = format!("{dossiers}/000.00.14.H23-260429-0001");
    let key = d["lookup_key"].as_str().unwrap().to_owned();
    assert_eq!(key.len(), 8);
    assert!(key.bytes().all(|b| b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789".contains(&b)), "{key}");
    let unknown = app.get(&format!("{dossiers}/000.00.14.H23-260429-0099?key={key}")).await;
    assert_eq!(unknown.status, 404);
    for wrong in [app.get(&url).await, app.get(&format!("{url}?key=AAAAAAAA")).await] {
        assert_eq!(wrong.status, 404);
        assert_eq!(wrong.json()["title"], unknown.json()["title"]);
    }
    let public = app.get(&format!("{url}?key={}", key.to_lowercase())).await;
    assert_eq!(public.status, 200);
    assert_eq!(public.header("cache-control"), Some("private, no-store"));
    let p = public.json()["data"].clone();
    assert_eq!((p["applicant_name"].clone(), p["applicant_phone"].clone()), (json!("Nguyễn V. A."), Value::Null));
    assert_eq!(p["lookup_key"], Value::Null);
    assert_eq!(
        p["history"],
        json!([{"status": "received", "status_name": "Được tiếp nhận", "note": "Đã nhận đủ hồ sơ", "at": "2026-04-29T10:00:00+07:00"}])
    );
    let private = app.call("GET", &url, Some(&staff.author), None).await;
    assert_eq!(private.header("cache-control"), Some("private, no-store"));
    assert_eq!(private.json()["data"]["applicant_phone"], "0912 345 678");
    assert_eq!(private.json()["data"]["lookup_key"], key.as_str());
    // Moves the national codes allow, and one they do not.
    let step = |status: &'static str| {
        let (app, staff, url) = (&app, &staff, url.clone());
        async move {
            app.call("POST", format!("{url}/status"), Some(&staff.author), Some(json!({"status": status, "note": ""})))
                .await
        }
    };
    let early = step("returned").await;
    assert_eq!(early.status, 409);
    assert_eq!(
        early.json()["detail"],
        "a dossier that is received can go to rejected, processing, withdrawn or stopped, not returned"
    );
    assert_eq!(step("processing").await.status, 200);
    assert_eq!(step("needs_documents").await.status, 200);
    // The documents came: the deadline counts again from now.
    let resumed = step("processing").await.json()["data"].clone();
    assert_ne!(resumed["due_at"], "2026-05-06T17:00:00+07:00");
    // Waiting on a fee does not restart it: only a request for documents does (Decree
    // 61/2018 Art. 19.4).
    assert_eq!(step("awaiting_payment").await.status, 200);
    let paid = step("processing").await.json()["data"].clone();
    assert_eq!(paid["due_at"], resumed["due_at"]);
    let done = step("done").await.json()["data"].clone();
    assert_eq!((done["status_code"].clone(), done["returned_at"].clone()), (json!(9), Value::Null));
    assert!(done["finished_at"].is_string());
    let returned = step("returned").await.json()["data"].clone();
    assert_eq!(returned["status_code"], 10);
    let history: Vec<&str> =
        returned["history"].as_array().unwrap().iter().map(|e| e["status"].as_str().unwrap()).collect();
    assert_eq!(
        history,
        [
            "received",
            "processing",
            "needs_documents",
            "processing",
            "awaiting_payment",
            "processing",
            "done",
            "returned"
        ]
    );
    assert_eq!(
        step("processing").await.json()["detail"],
        "a dossier that is returned can go to nowhere, not processing"
    );
    // The citizen's lookup follows at once.
    assert_eq!(app.get_json(&format!("{url}?key={key}")).await["data"]["status"], "returned");
    // Bad input, named.
    let bad = app
        .call(
            "POST",
            &dossiers,
            Some(&staff.author),
            Some(json!({"procedure": "9.999", "channel": "fax", "received_at": "2099-01-01"})),
        )
        .await;
    assert_eq!(bad.status, 422);
    let fields: Vec<String> =
        bad.json()["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect();
    assert_eq!(fields, ["applicant_name", "channel", "received_at", "procedure"]);
    let lost = app.call("POST", format!("{url}/status"), Some(&staff.author), Some(json!({"status": "lost"}))).await;
    assert_eq!(lost.status, 422);
    // Staff list them; others may not.
    let list = app.call("GET", format!("{dossiers}?status=received"), Some(&staff.author), None).await.json();
    assert!(list["data"].as_array().unwrap().iter().any(|d| d["code"] == "000.00.14.H23-260429-0002"));
    assert_eq!(app.call("GET", format!("{dossiers}?status=lost"), Some(&staff.author), None).await.status, 400);
    assert_eq!(app.get(&dossiers).await.status, 401);
});

both!(statistics_count_what_the_desk_did, |app| {
    let staff = app.staff().await;
    let other = "/api/v1/sites/xa-le-loi";
    let token = Some(staff.editor_other.as_str());
    let empty = app.get_json(&format!("{other}/desk/statistics")).await["data"].clone();
    assert_eq!(empty["received"], json!({"carried_over": 0, "in_period": 0, "in_person": 0, "online": 0, "postal": 0}));
    assert_eq!(empty["on_time_percent"], Value::Null);
    let mut made = Vec::new();
    for channel in ["truc_tiep", "truc_tiep", "truc_tuyen", "buu_chinh"] {
        let res = app
            .call(
                "POST",
                format!("{other}/dossiers"),
                token,
                Some(json!({"procedure": "1.004194", "applicant_name": "Hoàng Văn Em", "channel": channel})),
            )
            .await;
        assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
        made.push(res.json()["data"]["code"].as_str().unwrap().to_owned());
    }
    let steps: [&[&str]; 4] = [&["processing", "done"], &["withdrawn"], &[], &["rejected"]];
    for (code, steps) in made.iter().zip(steps) {
        for status in steps {
            let res = app
                .call("POST", format!("{other}/dossiers/{code}/status"), token, Some(json!({"status": status})))
                .await;
            assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
        }
    }
    let stats = app.get(&format!("{other}/desk/statistics")).await;
    assert_eq!(stats.status, 200);
    let s = stats.json()["data"].clone();
    assert_eq!(s["received"], json!({"carried_over": 0, "in_period": 4, "in_person": 2, "online": 1, "postal": 1}));
    // Done today with three working days to go: early.
    assert_eq!(s["processed"], json!({"total": 1, "early": 1, "on_time": 0, "late": 0}));
    assert_eq!(s["in_progress"], json!({"total": 1, "within_deadline": 1, "overdue": 0, "waiting_on_citizen": 0}));
    assert_eq!((s["returned"].clone(), s["withdrawn"].clone(), s["rejected"].clone()), (json!(0), json!(1), json!(1)));
    assert_eq!(s["on_time_percent"], 100.0);
    // Counted afresh every time: never kept by the server's cache, revalidated by clients.
    assert_eq!(stats.header("cache-control"), Some("no-cache"));
    let hits = app.state.responses.hits.load(std::sync::atomic::Ordering::Relaxed);
    let etag = stats.header("etag").unwrap().to_owned();
    let again =
        app.call_with("GET", format!("{other}/desk/statistics"), None, None, &[("if-none-match", etag.as_str())]).await;
    assert_eq!(again.status, 304);
    assert_eq!(app.state.responses.hits.load(std::sync::atomic::Ordering::Relaxed), hits);
    // A period before anything happened is empty.
    let before = app.get_json(&format!("{other}/desk/statistics?from=2025-01-01&to=2025-12-31")).await["data"].clone();
    assert_eq!((before["from"].clone(), before["received"]["in_period"].clone()), (json!("2025-01-01"), json!(0)));
    let bad = app.get(&format!("{other}/desk/statistics?from=2026-13-01&to=2026-01-01")).await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["errors"][0]["field"], "from");
    let far = app.get(&format!("{other}/desk/statistics?from=%2B262143-12-31&to=%2B262143-12-31")).await;
    assert_eq!(far.status, 400);
    assert_eq!(far.json()["errors"][0]["message"], "must be a date like 2026-11-01, from 1900 to 2100");
    let backwards = app.get(&format!("{other}/desk/statistics?from=2026-02-01&to=2026-01-01")).await;
    assert_eq!(
        backwards.json()["errors"],
        json!([{"field": "to", "message": "must be from `from` to 366 days after it"}])
    );
});

both!(holidays_shape_the_deadlines, |app| {
    let staff = app.staff().await;
    let year = app.get_json("/api/v1/holidays?year=2026").await["data"].clone();
    assert_eq!(year.as_array().unwrap().len(), 11);
    assert_eq!(year[0], json!({"day": "2026-01-01", "name": "Tết Dương lịch"}));
    assert_eq!(app.get_json("/api/v1/holidays?year=2027").await["data"], json!([]));
    assert_eq!(app.get("/api/v1/holidays?year=hai").await.status, 400);
    let no_year = app.get("/api/v1/holidays").await;
    assert_eq!(no_year.json()["errors"], json!([{"field": "year", "message": "must be a year from 1900 to 2100"}]));
    // Ngày Văn hóa Việt Nam (24/11) made a day off: a one-day dossier of Monday 23/11 is due
    // on Wednesday.
    assert_eq!(
        app.call("PUT", "/api/v1/holidays/2026-11-24", Some(&staff.editor), Some(json!({"name": "x"}))).await.status,
        403
    );
    let set = app
        .call("PUT", "/api/v1/holidays/2026-11-24", Some(&staff.admin), Some(json!({"name": "Ngày Văn hóa Việt Nam"})))
        .await;
    assert_eq!(set.status, 200);
    assert_eq!(app.get_json("/api/v1/holidays?year=2026").await["data"].as_array().unwrap().len(), 12);
    let d = app
        .call(
            "POST",
            format!("{SITE}/dossiers"),
            Some(&staff.author),
            Some(json!({"procedure": "1.010041", "applicant_name": "Vũ Văn Giang", "received_at": "2026-11-23T09:00:00+07:00"})),
        )
        .await;
    assert_eq!(d.json()["data"]["due_at"], "2026-11-25T17:00:00+07:00");
    assert_eq!(
        app.call("PUT", "/api/v1/holidays/2026-02-30", Some(&staff.admin), Some(json!({"name": "x"}))).await.status,
        404
    );
    assert_eq!(app.call("DELETE", "/api/v1/holidays/2026-11-24", Some(&staff.admin), None).await.status, 204);
    assert_eq!(app.call("DELETE", "/api/v1/holidays/2026-11-24", Some(&staff.admin), None).await.status, 404);
});

both!(a_desk_officer_works_the_desk_and_nothing_else, |app| {
    let staff = app.staff().await;
    app.add_user("motcua@chiminh.gov.vn", portal::auth::Role::Desk, Some("phuong-chi-minh"));
    let desk = app.token("motcua@chiminh.gov.vn").await;
    let me = app.call("GET", "/api/v1/me", Some(&desk), None).await.json();
    assert_eq!(me["data"]["roles"], json!([{"site": "phuong-chi-minh", "role": "desk"}]));
    // Receives, lists, reads and moves dossiers.
    let received = app
        .call(
            "POST",
            format!("{SITE}/dossiers"),
            Some(&desk),
            Some(json!({"procedure": "1.004194", "applicant_name": "Trần Thị Bình"})),
        )
        .await;
    assert_eq!(received.status, 201, "{}", String::from_utf8_lossy(&received.body));
    let code = received.json()["data"]["code"].as_str().unwrap().to_owned();
    assert_eq!(app.call("GET", format!("{SITE}/dossiers"), Some(&desk), None).await.status, 200);
    let read = app.call("GET", format!("{SITE}/dossiers/{code}"), Some(&desk), None).await;
    assert_eq!(read.json()["data"]["applicant_name"], "Trần Thị Bình");
    let moved = app
        .call("POST", format!("{SITE}/dossiers/{code}/status"), Some(&desk), Some(json!({"status": "processing"})))
        .await;
    assert_eq!(moved.status, 200);
    // Nothing of the news, the pages, the catalogue or the uploads.
    let article = json!({"title": "Tin", "category": "thong-bao"});
    assert_eq!(app.call("POST", format!("{SITE}/articles"), Some(&desk), Some(article)).await.status, 403);
    assert_eq!(app.call("GET", format!("{SITE}/articles?status=draft"), Some(&desk), None).await.status, 403);
    let page = json!({"title": "Trang"});
    assert_eq!(app.call("POST", format!("{SITE}/pages"), Some(&desk), Some(page)).await.status, 403);
    let procedure = json!({"name": "Thủ tục"});
    assert_eq!(
        app.call("PATCH", format!("{SITE}/procedures/1.004194"), Some(&desk), Some(procedure)).await.status,
        403
    );
    let upload = app.upload(Some(&desk), "phuong-chi-minh", "a.pdf", b"%PDF-1.4\n").await;
    assert_eq!(upload.status, 403);
    // A draft is not shown to it, as it is to an author.
    let draft = app
        .call(
            "POST",
            format!("{SITE}/articles"),
            Some(&staff.author),
            Some(json!({"title": "Nháp", "category": "thong-bao"})),
        )
        .await;
    let id = draft.json()["data"]["id"].as_i64().unwrap();
    assert_eq!(app.call("GET", format!("{SITE}/articles/{id}"), Some(&desk), None).await.status, 404);
    assert_eq!(app.call("GET", format!("{SITE}/articles/{id}"), Some(&staff.author), None).await.status, 200);
    // And nothing of another ward's desk.
    let other = app
        .call(
            "POST",
            "/api/v1/sites/xa-le-loi/dossiers",
            Some(&desk),
            Some(json!({"procedure": "1.004194", "applicant_name": "Lê Văn C"})),
        )
        .await;
    assert_eq!(other.status, 403);
});
