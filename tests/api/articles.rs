use diesel::prelude::*;
use serde_json::{Value, json};

use crate::both;

const LIST: &str = "/api/v1/sites/phuong-chi-minh/articles";
const SEED_SLUG: &str = "dang-bo-phuong-chi-minh-chuan-bi-dai-hoi-dang-bo-lan-thu-xxiv-nhiem-ky-2020-2025";
const HAI_DUONG_TITLES: [&str; 5] = [
    "Thăm \"phố tơ lụa\" ở thành phố Hải Dương",
    "Từ Thành Đông đến thành phố Hải Dương",
    "Thành phố Hải Dương văn hiến và tiềm năng",
    "TP Hải Dương đình chỉ việc khai thác đất bãi sông trái phép",
    "TP Hải Dương: Trao tặng 37 Huân chương Bảo vệ Tổ quốc",
];

/// The ids of a list: a page's `data`, or an array of articles.
fn ids(list: &Value) -> Vec<i64> {
    let list = if list.is_array() { list } else { &list["data"] };
    list.as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect()
}

fn titles(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap().to_owned()).collect()
}

both!(list_is_published_newest_first, |app| {
    let body = app.get_json(LIST).await;
    // Drafts (9, 16) and the article scheduled next year (10) are not listed.
    assert_eq!(ids(&body), [8, 18, 13, 14, 17, 1, 11, 7, 15, 12, 6, 5, 4, 3, 2]);
    assert_eq!(body["meta"], json!({"page": 1, "per_page": 20, "total": 15, "total_pages": 1}));
    assert_eq!(
        body["data"][5],
        json!({
            "id": 1,
            "slug": SEED_SLUG,
            "title": "Đảng bộ phường Chí Minh chuẩn bị Đại hội Đảng bộ lần thứ XXIV, nhiệm kỳ 2020-2025",
            "summary": "Thời gian qua, Đảng bộ phường Chí Minh đã chủ động, nghiêm túc trong công tác lãnh đạo, chỉ đạo đại hội chi bộ và đảm bảo quy trình chuẩn bị Đại hội Đảng bộ phường lần thứ XXIV, nhiệm kỳ 2020-2025.",
            "cover_image_url": null,
            "cover_image_alt": "",
            "author_name": "Văn phòng Đảng ủy phường",
            "category": {"id": 4, "slug": "dang-uy-xa", "name": "Đảng ủy xã"},
            "status": "published",
            "published_at": "2020-05-15T08:30:00+07:00",
            "updated_at": "2020-05-15T08:30:00+07:00"
        })
    );
});

both!(oldest_first_on_request, |app| {
    let body = app.get_json(&format!("{LIST}?sort=oldest&per_page=3")).await;
    assert_eq!(ids(&body), [2, 3, 4]);
});

both!(pages_carry_meta_and_links, |app| {
    let res = app.get(&format!("{LIST}?per_page=4&page=2")).await;
    assert_eq!(res.status, 200);
    let body = res.json();
    assert_eq!(ids(&body), [17, 1, 11, 7]);
    assert_eq!(body["meta"], json!({"page": 2, "per_page": 4, "total": 15, "total_pages": 4}));
    assert_eq!(
        res.header("link"),
        Some(
            "</api/v1/sites/phuong-chi-minh/articles?page=1&per_page=4>; rel=\"first\", \
             </api/v1/sites/phuong-chi-minh/articles?page=1&per_page=4>; rel=\"prev\", \
             </api/v1/sites/phuong-chi-minh/articles?page=3&per_page=4>; rel=\"next\", \
             </api/v1/sites/phuong-chi-minh/articles?page=4&per_page=4>; rel=\"last\""
        )
    );
    let beyond = app.get_json(&format!("{LIST}?per_page=4&page=9")).await;
    assert_eq!(ids(&beyond), Vec::<i64>::new());
    assert_eq!(beyond["meta"]["total"], 15);
});

both!(category_filter_includes_sub_categories, |app| {
    let body = app.get_json(&format!("{LIST}?category=dang-uy-xa")).await;
    assert_eq!(ids(&body), [8, 1, 7]);
    let body = app.get_json(&format!("{LIST}?category=tin-tuc")).await;
    assert_eq!(ids(&body), [13, 11, 12, 6, 5, 4, 3, 2]);
    let body = app.get_json(&format!("{LIST}?category=tin-hai-duong")).await;
    assert_eq!(titles(&body["data"]).len(), 5);
});

both!(date_filters_follow_the_site_time_zone, |app| {
    // 19/08/2014 in Vietnam: 2014-08-18T17:00Z to 2014-08-19T17:00Z.
    let body = app.get_json(&format!("{LIST}?from=2014-08-19&to=2014-08-19")).await;
    assert_eq!(ids(&body), [6, 5, 4, 3, 2]);
    let body = app.get_json(&format!("{LIST}?from=2020-06-01&to=2020-06-30")).await;
    assert_eq!(ids(&body), [18, 13]);
    // An RFC 3339 time is exact: 09:30 Vietnam time is 02:30Z.
    let body = app.get_json(&format!("{LIST}?from=2014-08-19T02:30:00Z&to=2014-08-19T10:15:00%2B07:00")).await;
    assert_eq!(ids(&body), [3]);
});

both!(search_finds_the_seed_article_first, |app| {
    for q in
        ["dang+bo", "%C4%90%E1%BA%A2NG+B%E1%BB%98", "%C4%90%E1%BA%A3ng+b%E1%BB%99", "dang+bo+chi+minh", "DANG%20BO"]
    {
        let body = app.get_json(&format!("{LIST}?q={q}")).await;
        assert_eq!(body["data"][0]["slug"], SEED_SLUG, "q={q}");
    }
    let body = app.get_json(&format!("{LIST}?q=dang+bo")).await;
    assert_eq!(ids(&body), [1, 8]);
    assert_eq!(body["meta"]["total"], 2);
});

both!(search_folds_diacritics, |app| {
    let body = app.get_json(&format!("{LIST}?q=hai+duong")).await;
    let mut found = titles(&body["data"]);
    found.sort();
    let mut expected: Vec<String> = HAI_DUONG_TITLES.iter().map(|t| t.to_string()).collect();
    expected.sort();
    assert_eq!(found, expected);
    assert_eq!(body["meta"]["total"], 5);
    let accented = app.get_json(&format!("{LIST}?q=H%E1%BA%A3i%20D%C6%B0%C6%A1ng")).await;
    assert_eq!(ids(&accented), ids(&body));
});

both!(search_combines_with_filters_and_sorts, |app| {
    let body = app.get_json(&format!("{LIST}?q=hai+duong&sort=newest&per_page=2")).await;
    assert_eq!(ids(&body), [6, 5]);
    assert_eq!(body["meta"], json!({"page": 1, "per_page": 2, "total": 5, "total_pages": 3}));
    let body = app.get_json(&format!("{LIST}?q=hai+duong&sort=oldest&per_page=2&page=3")).await;
    assert_eq!(ids(&body), [6]);
    assert_eq!(body["meta"]["total"], 5);
    // Past the last page: no articles, and still the whole total.
    let body = app.get_json(&format!("{LIST}?q=hai+duong&per_page=2&page=4")).await;
    assert_eq!(body["meta"], json!({"page": 4, "per_page": 2, "total": 5, "total_pages": 3}));
    assert_eq!(ids(&body), Vec::<i64>::new());
    let body = app.get_json(&format!("{LIST}?q=dang+bo&category=tin-tuc")).await;
    assert_eq!(body["meta"]["total"], 0);
    let body = app.get_json(&format!("{LIST}?q=hai+duong&from=2015-01-01")).await;
    assert_eq!(body["meta"]["total"], 0);
});

both!(search_never_shows_drafts_or_scheduled_articles, |app| {
    for q in ["du+thao+bao+cao+chinh+tri", "ky+niem+ngay+thanh+lap+dang", "tuyen+dung+cong+chuc"] {
        let body = app.get_json(&format!("{LIST}?q={q}")).await;
        let found = ids(&body);
        assert!(!found.iter().any(|id| [9, 10, 16].contains(id)), "q={q}: {found:?}");
    }
});

both!(search_operators_are_words_not_syntax, |app| {
    for q in [
        "%22",
        "%22%29%28*+OR+NEAR%2F2",
        "AND",
        "-dang",
        "dang%3A*",
        "%21%26%7C%3C-%3E",
        "title%3Adang",
        "%5E",
        "%27%3B+DROP+TABLE+articles%3B--",
    ] {
        let res = app.get(&format!("{LIST}?q={q}")).await;
        assert_eq!(res.status, 200, "q={q}: {}", String::from_utf8_lossy(&res.body));
    }
    let body = app.get_json(&format!("{LIST}?q=%22dang%22+OR+%28bo%29")).await;
    assert_eq!(body["meta"]["total"], 0, "OR is a word, and no article holds it");
    let body = app.get_json(&format!("{LIST}?q=-dang+bo*")).await;
    assert_eq!(ids(&body), [1, 8]);
});

both!(an_empty_search_lists_everything, |app| {
    let body = app.get_json(&format!("{LIST}?q=+")).await;
    assert_eq!(body["meta"]["total"], 15);
});

both!(article_by_slug_and_by_id, |app| {
    let by_slug = app.get_json(&format!("{LIST}/{SEED_SLUG}")).await;
    let by_id = app.get_json(&format!("{LIST}/1")).await;
    assert_eq!(by_slug, by_id);
    let a = &by_slug["data"];
    assert_eq!(a["title"], "Đảng bộ phường Chí Minh chuẩn bị Đại hội Đảng bộ lần thứ XXIV, nhiệm kỳ 2020-2025");
    assert_eq!(a["category"], json!({"id": 4, "slug": "dang-uy-xa", "name": "Đảng ủy xã"}));
    assert_eq!(a["published_at"], "2020-05-15T08:30:00+07:00");
    let body = a["body_html"].as_str().unwrap();
    assert!(body.starts_with("<p>Thực hiện Chỉ thị 35-CT/TW, ngày 30/5/2019 của Bộ Chính trị"), "{body}");
    assert!(body.contains("Ðảng bộ phường Chí Minh đã triển khai quán triệt"));
    assert_eq!(body.matches("<p>").count(), 11);
});

both!(related_are_the_editors_five_hai_duong_articles, |app| {
    let a = app.get_json(&format!("{LIST}/{SEED_SLUG}")).await;
    assert_eq!(titles(&a["data"]["related"]), HAI_DUONG_TITLES);
    let dates: Vec<&str> =
        a["data"]["related"].as_array().unwrap().iter().map(|r| &r["published_at"].as_str().unwrap()[..10]).collect();
    assert_eq!(dates, ["2014-08-19"; 5]);
    assert_eq!(
        a["data"]["related"][0],
        json!({"id": 2, "title": "Thăm \"phố tơ lụa\" ở thành phố Hải Dương",
               "slug": "tham-pho-to-lua-o-thanh-pho-hai-duong", "published_at": "2014-08-19T09:00:00+07:00"})
    );
});

both!(previous_and_next_stay_in_the_category, |app| {
    let a = app.get_json(&format!("{LIST}/{SEED_SLUG}")).await;
    assert_eq!(
        a["data"]["previous"],
        json!({"id": 7, "title": "Chi bộ khu dân cư Cộng Hòa tổ chức đại hội nhiệm kỳ 2020-2022",
               "slug": "chi-bo-khu-dan-cu-cong-hoa-to-chuc-dai-hoi-nhiem-ky-2020-2022", "published_at": "2020-03-20T14:00:00+07:00"})
    );
    assert_eq!(a["data"]["next"]["id"], 8);
    // The newest of its category has no next: the scheduled article does not count.
    let newest = app.get_json(&format!("{LIST}/8")).await;
    assert_eq!(newest["data"]["previous"]["id"], 1);
    assert_eq!(newest["data"]["next"], Value::Null);
    let oldest = app.get_json(&format!("{LIST}/2")).await;
    assert_eq!(oldest["data"]["previous"], Value::Null);
    assert_eq!(oldest["data"]["next"]["id"], 3);
});

both!(related_fill_from_the_category_nearest_in_date, |app| {
    // No editor's choice: the seed (2020-05-15) is nearer to 2020-07-10 than 2020-03-20.
    let a = app.get_json(&format!("{LIST}/8")).await;
    let related = ids(&a["data"]["related"]);
    assert_eq!(related, [1, 7]);
    // Hải Dương articles relate to each other by time: 09:30 is nearest 09:00 and 10:15.
    let a = app.get_json(&format!("{LIST}/3")).await;
    let related = ids(&a["data"]["related"]);
    assert_eq!(related, [2, 4, 5, 6]);
});

both!(drafts_and_scheduled_articles_are_not_found, |app| {
    for key in ["9", "10", "16", "du-thao-bao-cao-chinh-tri-trinh-dai-hoi-lan-thu-xxiv", "999", "khong-co"] {
        let res = app.get(&format!("{LIST}/{key}")).await;
        assert_eq!(res.status, 404, "{key}");
        assert_eq!(
            res.json(),
            json!({"type": "/problems/not-found", "title": "Not found", "status": 404,
                   "detail": format!("no published article \"{key}\" in site \"phuong-chi-minh\"")})
        );
    }
});

both!(an_article_of_another_site_is_not_found, |app| {
    let res = app.get("/api/v1/sites/xa-le-loi/articles/1").await;
    assert_eq!(res.status, 404);
    // The same slug in two sites names two articles.
    let slug = "thong-bao-lich-tiep-cong-dan-thang-6-2020";
    let here = app.get_json(&format!("{LIST}/{slug}")).await;
    let there = app.get_json(&format!("/api/v1/sites/xa-le-loi/articles/{slug}")).await;
    assert_eq!(here["data"]["id"], 14);
    assert_eq!(there["data"]["id"], 21);
});

both!(a_scheduled_article_appears_when_its_time_comes, |app| {
    use portal::db::schema::articles;
    let past = chrono::Utc::now().naive_utc() - chrono::Duration::minutes(1);
    let mut conn = app.conn();
    diesel::update(articles::table.filter(articles::id.eq(10)))
        .set(articles::published_at.eq(past))
        .execute(&mut *conn)
        .unwrap();
    let body = app.get_json(LIST).await;
    assert_eq!(body["data"][0]["id"], 10);
    assert_eq!(body["meta"]["total"], 16);
});

both!(bad_parameters_are_400_problems_naming_the_field, |app| {
    let cases: &[(&str, &str, &str)] = &[
        ("per_page=1000", "per_page", "must be a whole number from 1 to 100"),
        ("per_page=0", "per_page", "must be a whole number from 1 to 100"),
        ("page=0", "page", "must be a whole number from 1 to 1000"),
        ("page=abc", "page", "must be a whole number from 1 to 1000"),
        ("page=-1", "page", "must be a whole number from 1 to 1000"),
        ("sort=popular", "sort", "must be newest, oldest or relevance"),
        ("sort=relevance", "sort", "relevance needs a search (q)"),
        (
            "from=19/08/2014",
            "from",
            "must be a date (2014-08-19) or an RFC 3339 time (2014-08-19T08:00:00+07:00), from 1900 to 2100",
        ),
        (
            "to=2014-02-30",
            "to",
            "must be a date (2014-08-19) or an RFC 3339 time (2014-08-19T08:00:00+07:00), from 1900 to 2100",
        ),
        (
            "from=1899-12-31",
            "from",
            "must be a date (2014-08-19) or an RFC 3339 time (2014-08-19T08:00:00+07:00), from 1900 to 2100",
        ),
        (
            "to=2101-01-01T00:00:00%2B07:00",
            "to",
            "must be a date (2014-08-19) or an RFC 3339 time (2014-08-19T08:00:00+07:00), from 1900 to 2100",
        ),
        ("from=2020-01-02&to=2020-01-01", "to", "must be after from"),
        ("page=1001&per_page=100", "page", "must be a whole number from 1 to 1000"),
        ("category=Tin%20Tuc", "category", "must be a category slug such as dang-uy-xa"),
    ];
    for (query, field, message) in cases {
        let res = app.get(&format!("{LIST}?{query}")).await;
        assert_eq!(res.status, 400, "{query}");
        assert_eq!(res.header("content-type"), Some("application/problem+json"));
        assert_eq!(
            res.json(),
            json!({"type": "/problems/invalid-parameter", "title": "Invalid parameter", "status": 400,
                   "detail": format!("{field}: {message}"), "errors": [{"field": field, "message": message}]}),
            "{query}"
        );
    }
    // A well-formed slug of no category is not found, as the category's own path would be.
    let res = app.get(&format!("{LIST}?category=khong-co")).await;
    assert_eq!(res.status, 404);
    assert_eq!(res.json()["detail"], "no category \"khong-co\" in site \"phuong-chi-minh\"");
    let long = "a".repeat(201);
    let res = app.get(&format!("{LIST}?q={long}")).await;
    assert_eq!(res.status, 400);
    assert_eq!(res.json()["errors"], json!([{"field": "q", "message": "must be at most 200 characters"}]));
});

both!(several_bad_parameters_are_named_together, |app| {
    let res = app.get(&format!("{LIST}?page=x&per_page=1000&sort=z")).await;
    assert_eq!(res.status, 400);
    let fields: Vec<String> =
        res.json()["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect();
    assert_eq!(fields, ["page", "per_page", "sort"]);
});
