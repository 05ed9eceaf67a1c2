use serde_json::{Value, json};

use crate::both;

fn shape(nodes: &Value) -> Value {
    Value::Array(
        nodes
            .as_array()
            .unwrap()
            .iter()
            .map(|n| json!([n["slug"], n["name"], n["position"], shape(&n["children"])]))
            .collect(),
    )
}

both!(the_tree_is_nested_and_ordered, |app| {
    let body = app.get_json("/api/v1/sites/phuong-chi-minh/categories").await;
    assert_eq!(
        shape(&body["data"]),
        json!([
            [
                "tin-tuc",
                "Tin tức",
                1,
                [["tin-trong-phuong", "Tin trong phường", 1, []], ["tin-hai-duong", "Tin Hải Dương", 2, []]]
            ],
            ["dang-uy-xa", "Đảng ủy xã", 2, []],
            ["chinh-quyen", "Chính quyền", 3, [["thong-bao", "Thông báo", 1, []]]],
            ["van-hoa-xa-hoi", "Văn hóa - Xã hội", 4, []]
        ])
    );
});

both!(each_site_has_its_own_tree, |app| {
    let body = app.get_json("/api/v1/sites/xa-le-loi/categories").await;
    assert_eq!(shape(&body["data"]), json!([["tin-tuc", "Tin tức", 1, []], ["thong-bao", "Thông báo", 2, []]]));
});

both!(one_category_with_its_place_in_the_tree, |app| {
    let body = app.get_json("/api/v1/sites/phuong-chi-minh/categories/tin-hai-duong").await;
    assert_eq!(
        body,
        json!({"data": {
            "id": 3, "slug": "tin-hai-duong", "name": "Tin Hải Dương", "description": "Tin tức tỉnh Hải Dương",
            "position": 2,
            "parent": {"id": 1, "slug": "tin-tuc", "name": "Tin tức"},
            "ancestors": [{"id": 1, "slug": "tin-tuc", "name": "Tin tức"}],
            "children": [],
            "seo": {"title": "Tin Hải Dương", "description": "Tin tức tỉnh Hải Dương", "image_url": null,
                    "canonical_url": "https://chiminh.chilinh.haiduong.gov.vn/tin-hai-duong", "noindex": false}
        }})
    );
    let top = app.get_json("/api/v1/sites/phuong-chi-minh/categories/chinh-quyen").await;
    assert_eq!(top["data"]["parent"], Value::Null);
    assert_eq!(top["data"]["ancestors"], json!([]));
    assert_eq!(shape(&top["data"]["children"]), json!([["thong-bao", "Thông báo", 1, []]]));
});

both!(unknown_category_is_a_404_problem, |app| {
    let res = app.get("/api/v1/sites/phuong-chi-minh/categories/khong-co").await;
    assert_eq!(res.status, 404);
    assert_eq!(
        res.json(),
        json!({"type": "/problems/not-found", "title": "Not found", "status": 404,
               "detail": "no category \"khong-co\" in site \"phuong-chi-minh\""})
    );
});
