//! The demo content `cargo run` serves: the ward of the reference page (phường Chí Minh) with
//! its category tree, the seed article and its five related Hải Dương articles of 19/08/2014,
//! more articles to exercise lists, search and previous/next (drafts and scheduled ones among
//! them), the page's photo library, its song video and website links, and a second, smaller
//! ward.

pub mod desk;
pub mod generate;
pub mod records;
pub mod ward;

use std::path::Path;

use chrono::{Duration, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::articles::queries::SLUGS;
use crate::articles::types::{ArticleRow, DRAFT, PUBLISHED};
use crate::categories::tree::CategoryRow;
use crate::core::error::ApiError;
use crate::db::AnyConnection;
use crate::db::schema::{articles, categories, sites};
use desk::{insert_demo_dossiers, insert_desk, insert_holidays};

/// The slug of the demo ward.
pub const DEMO_SITE: &str = "phuong-chi-minh";
/// The slug of the second demo ward.
pub const SECOND_SITE: &str = "xa-le-loi";

const SEED_TITLE: &str = "Đảng bộ phường Chí Minh chuẩn bị Đại hội Đảng bộ lần thứ XXIV, nhiệm kỳ 2020-2025";
const SEED_LEAD: &str = include_str!("dai-hoi-dang-bo.lead.txt");
const SEED_BODY: &str = include_str!("dai-hoi-dang-bo.html");

/// When an article appears.
#[derive(Clone, Copy)]
enum When {
    /// Published at this Vietnam time (year, month, day, hour, minute).
    At(i32, u32, u32, u32, u32),
    /// Published, but only this many days from now.
    InDays(i64),
    /// A draft.
    Draft,
}

struct Demo {
    category: &'static str,
    title: &'static str,
    summary: &'static str,
    body: &'static str,
    author: Option<&'static str>,
    when: When,
}

const fn demo(
    category: &'static str,
    title: &'static str,
    summary: &'static str,
    body: &'static str,
    when: When,
) -> Demo {
    Demo { category, title, summary, body, author: None, when }
}

/// (slug, name, description, parent slug)
const CHI_MINH_CATEGORIES: &[(&str, &str, &str, Option<&str>)] = &[
    ("tin-tuc", "Tin tức", "Tin tức của phường và của tỉnh", None),
    ("tin-trong-phuong", "Tin trong phường", "Hoạt động của phường Chí Minh", Some("tin-tuc")),
    ("tin-hai-duong", "Tin Hải Dương", "Tin tức tỉnh Hải Dương", Some("tin-tuc")),
    ("dang-uy-xa", "Đảng ủy xã", "Hoạt động của Đảng bộ phường", None),
    ("chinh-quyen", "Chính quyền", "Hoạt động của HĐND và UBND phường", None),
    ("thong-bao", "Thông báo", "Thông báo của UBND phường", Some("chinh-quyen")),
    ("van-hoa-xa-hoi", "Văn hóa - Xã hội", "Văn hóa, thể thao, giáo dục, y tế", None),
];

/// The five articles the seed article lists under "Các bài liên quan", all of 19/08/2014.
const HAI_DUONG: &[Demo] = &[
    demo(
        "tin-hai-duong",
        "Thăm \"phố tơ lụa\" ở thành phố Hải Dương",
        "Phố Nhà Thờ ở thành phố Hải Dương từ lâu đã được biết đến là \"phố tơ lụa\" với hàng chục cửa hàng vải vóc.",
        "<p>Phố Nhà Thờ ở thành phố Hải Dương từ lâu đã được biết đến là \"phố tơ lụa\". Dọc con phố là hàng chục cửa hàng bày bán lụa tơ tằm, gấm, vóc với đủ màu sắc.</p><p>Nhiều gia đình đã gắn bó với nghề buôn vải qua ba thế hệ, giữ được chữ tín với khách gần xa.</p>",
        When::At(2014, 8, 19, 9, 0),
    ),
    demo(
        "tin-hai-duong",
        "Từ Thành Đông đến thành phố Hải Dương",
        "Từ tỉnh lỵ Thành Đông xưa, Hải Dương đã trở thành một thành phố trẻ năng động của vùng đồng bằng sông Hồng.",
        "<p>Từ tỉnh lỵ Thành Đông xưa, trải qua nhiều thăng trầm lịch sử, thành phố Hải Dương ngày nay là trung tâm chính trị, kinh tế, văn hóa của tỉnh.</p><p>Những công trình mới mọc lên bên cạnh các di tích cổ kính làm nên diện mạo riêng của thành phố.</p>",
        When::At(2014, 8, 19, 9, 30),
    ),
    demo(
        "tin-hai-duong",
        "Thành phố Hải Dương văn hiến và tiềm năng",
        "Mảnh đất văn hiến xứ Đông đang phát huy tiềm năng để phát triển nhanh và bền vững.",
        "<p>Thành phố Hải Dương là vùng đất văn hiến, nơi sinh ra nhiều danh nhân khoa bảng. Thành phố có vị trí thuận lợi trên trục giao thông Hà Nội - Hải Phòng.</p><p>Với tiềm năng sẵn có, thành phố đang thu hút mạnh mẽ các nhà đầu tư trong và ngoài nước.</p>",
        When::At(2014, 8, 19, 10, 15),
    ),
    demo(
        "tin-hai-duong",
        "TP Hải Dương đình chỉ việc khai thác đất bãi sông trái phép",
        "UBND thành phố Hải Dương yêu cầu đình chỉ ngay việc khai thác đất bãi sông không có giấy phép.",
        "<p>UBND thành phố Hải Dương vừa ban hành văn bản yêu cầu các đơn vị đình chỉ ngay việc khai thác đất bãi sông trái phép, khôi phục hiện trạng bờ bãi.</p><p>Lực lượng chức năng sẽ kiểm tra, xử lý nghiêm các trường hợp vi phạm.</p>",
        When::At(2014, 8, 19, 14, 0),
    ),
    demo(
        "tin-hai-duong",
        "TP Hải Dương: Trao tặng 37 Huân chương Bảo vệ Tổ quốc",
        "37 cá nhân thuộc lực lượng vũ trang thành phố Hải Dương được trao tặng Huân chương Bảo vệ Tổ quốc.",
        "<p>Sáng 19/8, thành phố Hải Dương tổ chức lễ trao tặng Huân chương Bảo vệ Tổ quốc cho 37 cá nhân có thành tích xuất sắc trong sự nghiệp xây dựng lực lượng vũ trang.</p>",
        When::At(2014, 8, 19, 15, 45),
    ),
];

const CHI_MINH_OTHERS: &[Demo] = &[
    demo(
        "dang-uy-xa",
        "Chi bộ khu dân cư Cộng Hòa tổ chức đại hội nhiệm kỳ 2020-2022",
        "Chi bộ khu dân cư Cộng Hòa là chi bộ đầu tiên của phường tổ chức đại hội điểm.",
        "<p>Chi bộ khu dân cư Cộng Hòa đã tổ chức thành công đại hội điểm nhiệm kỳ 2020-2022, bầu ban chi ủy khóa mới gồm 3 đồng chí.</p><p>Kinh nghiệm của đại hội điểm sẽ được rút ra cho các chi bộ trực thuộc.</p>",
        When::At(2020, 3, 20, 14, 0),
    ),
    demo(
        "dang-uy-xa",
        "Hội nghị sơ kết công tác xây dựng Đảng 6 tháng đầu năm 2020",
        "Đảng ủy phường Chí Minh sơ kết công tác xây dựng Đảng, đề ra nhiệm vụ 6 tháng cuối năm.",
        "<p>Đảng ủy phường Chí Minh tổ chức hội nghị sơ kết công tác xây dựng Đảng 6 tháng đầu năm 2020.</p><p>Hội nghị đánh giá kết quả thực hiện nghị quyết của Đảng bộ phường và đề ra nhiệm vụ trọng tâm trong thời gian tới.</p>",
        When::At(2020, 7, 10, 15, 0),
    ),
    demo(
        "dang-uy-xa",
        "Dự thảo báo cáo chính trị trình Đại hội lần thứ XXIV",
        "Dự thảo đang được lấy ý kiến đảng viên.",
        "<p>Dự thảo báo cáo chính trị đang được lấy ý kiến góp ý của đảng viên trong toàn phường.</p>",
        When::Draft,
    ),
    demo(
        "dang-uy-xa",
        "Kỷ niệm ngày thành lập Đảng Cộng sản Việt Nam",
        "Chương trình kỷ niệm sẽ được công bố khi đến ngày.",
        "<p>Phường Chí Minh tổ chức các hoạt động kỷ niệm ngày thành lập Đảng Cộng sản Việt Nam.</p>",
        When::InDays(365),
    ),
    demo(
        "tin-trong-phuong",
        "Phường Chí Minh ra quân tổng vệ sinh môi trường",
        "Hàng trăm cán bộ, đoàn viên và nhân dân tham gia dọn vệ sinh các tuyến phố.",
        "<p>Sáng chủ nhật, phường Chí Minh tổ chức ra quân tổng vệ sinh môi trường với sự tham gia của đông đảo cán bộ, đoàn viên thanh niên và nhân dân.</p><p>Các khu dân cư thu gom rác thải, khơi thông cống rãnh, trồng thêm cây xanh.</p>",
        When::At(2020, 4, 2, 7, 30),
    ),
    demo(
        "tin-trong-phuong",
        "Trao quà cho hộ nghèo dịp Tết Nguyên đán Canh Tý",
        "UBND phường trao 120 suất quà cho hộ nghèo, hộ cận nghèo và gia đình chính sách.",
        "<p>Nhân dịp Tết Nguyên đán Canh Tý 2020, UBND phường Chí Minh đã trao 120 suất quà cho hộ nghèo, hộ cận nghèo và gia đình chính sách trên địa bàn.</p>",
        When::At(2020, 1, 15, 9, 0),
    ),
    demo(
        "tin-trong-phuong",
        "Khai giảng lớp bồi dưỡng lý luận chính trị cho đảng viên mới",
        "Lớp học gồm 45 học viên là đảng viên mới kết nạp.",
        "<p>Trung tâm chính trị thành phố phối hợp với Đảng ủy phường khai giảng lớp bồi dưỡng lý luận chính trị cho 45 đảng viên mới.</p>",
        When::At(2020, 6, 1, 8, 0),
    ),
    demo(
        "thong-bao",
        "Thông báo lịch tiếp công dân tháng 6/2020",
        "Chủ tịch UBND phường tiếp công dân vào thứ Năm hằng tuần.",
        "<p>UBND phường Chí Minh thông báo lịch tiếp công dân tháng 6/2020: Chủ tịch UBND phường tiếp công dân vào sáng thứ Năm hằng tuần tại trụ sở UBND phường.</p>",
        When::At(2020, 5, 28, 16, 0),
    ),
    demo(
        "thong-bao",
        "Thông báo thu phí vệ sinh môi trường năm 2020",
        "Mức thu áp dụng từ ngày 01/3/2020.",
        "<p>UBND phường thông báo mức thu phí vệ sinh môi trường năm 2020 đối với hộ gia đình, hộ kinh doanh trên địa bàn phường.</p>",
        When::At(2020, 2, 10, 10, 0),
    ),
    demo(
        "thong-bao",
        "Thông báo tuyển dụng công chức văn hóa - xã hội",
        "Bản nháp chờ duyệt.",
        "<p>Nội dung đang được hoàn thiện.</p>",
        When::Draft,
    ),
    demo(
        "van-hoa-xa-hoi",
        "Hát về Chí Linh: đêm văn nghệ chào mừng Đại hội",
        "Đêm văn nghệ với những ca khúc về quê hương Chí Linh.",
        "<p>Đêm văn nghệ \"Hát về Chí Linh\" quy tụ các đội văn nghệ của các khu dân cư, với những ca khúc ca ngợi quê hương, đất nước.</p>",
        When::At(2020, 5, 20, 20, 0),
    ),
    demo(
        "van-hoa-xa-hoi",
        "Giải bóng chuyền hơi phường Chí Minh năm 2020",
        "12 đội bóng tham gia tranh tài.",
        "<p>Giải bóng chuyền hơi phường Chí Minh năm 2020 thu hút 12 đội bóng đến từ các khu dân cư.</p>",
        When::At(2020, 6, 15, 16, 0),
    ),
];

const LE_LOI_CATEGORIES: &[(&str, &str, &str, Option<&str>)] =
    &[("tin-tuc", "Tin tức", "Tin tức của xã", None), ("thong-bao", "Thông báo", "Thông báo của UBND xã", None)];

const LE_LOI_ARTICLES: &[Demo] = &[
    demo(
        "tin-tuc",
        "Xã Lê Lợi ra mắt mô hình dân vận khéo",
        "Mô hình giúp người dân tham gia xây dựng nông thôn mới.",
        "<p>Xã Lê Lợi ra mắt mô hình dân vận khéo trong xây dựng nông thôn mới.</p>",
        When::At(2020, 5, 12, 9, 0),
    ),
    demo(
        "tin-tuc",
        "Đảng bộ xã Lê Lợi học tập chuyên đề năm 2020",
        "Hội nghị học tập chuyên đề về tư tưởng, đạo đức, phong cách Hồ Chí Minh.",
        "<p>Đảng bộ xã Lê Lợi tổ chức hội nghị học tập chuyên đề năm 2020.</p>",
        When::At(2020, 4, 8, 8, 0),
    ),
    demo(
        "thong-bao",
        "Thông báo lịch tiếp công dân tháng 6/2020",
        "Lịch tiếp công dân của UBND xã Lê Lợi.",
        "<p>UBND xã Lê Lợi thông báo lịch tiếp công dân tháng 6/2020.</p>",
        When::At(2020, 5, 29, 8, 0),
    ),
];

/// Loads the demo when the database holds no site yet, its images into `upload_dir`. True
/// when it loaded.
pub fn seed_if_empty(conn: &mut AnyConnection, upload_dir: &Path) -> Result<bool, ApiError> {
    let sites: i64 = sites::table.count().get_result(conn)?;
    if sites > 0 {
        return Ok(false);
    }
    seed(conn, upload_dir)?;
    Ok(true)
}

/// Loads the demo content in one transaction. Fails (changing nothing) if a demo site exists.
pub fn seed(conn: &mut AnyConnection, upload_dir: &Path) -> Result<(), ApiError> {
    conn.transaction(|conn| {
        let now = Utc::now().naive_utc();
        let chi_minh = insert_site(
            conn,
            DEMO_SITE,
            "Phường Chí Minh",
            "Cổng thông tin điện tử phường Chí Minh, thành phố Chí Linh, tỉnh Hải Dương",
            now,
        )?;
        insert_categories(conn, chi_minh, CHI_MINH_CATEGORIES)?;
        let seed = insert_article(
            conn,
            chi_minh,
            &Demo {
                category: "dang-uy-xa",
                title: SEED_TITLE,
                summary: SEED_LEAD.trim(),
                body: SEED_BODY,
                author: Some("Văn phòng Đảng ủy phường"),
                when: When::At(2020, 5, 15, 8, 30),
            },
            now,
        )?;
        let hai_duong = HAI_DUONG
            .iter()
            .map(|article| insert_article(conn, chi_minh, article, now))
            .collect::<Result<Vec<_>, _>>()?;
        crate::articles::write::relate(conn, seed, &hai_duong)?;
        seed_article_seo(conn, chi_minh, seed)?;
        for article in CHI_MINH_OTHERS {
            insert_article(conn, chi_minh, article, now)?;
        }
        insert_library(conn, chi_minh, upload_dir)?;
        insert_holidays(conn)?;
        let site = crate::sites::find(conn, DEMO_SITE)?;
        crate::sites::settings::save(conn, site.id, &chi_minh_settings())?;
        insert_desk(conn, &site, "Chí Minh", "000.00.14.H23", now)?;
        insert_demo_dossiers(conn, &site, "000.00.14.H23", now)?;
        ward::insert_pages(conn, site.id)?;
        ward::insert_menus(conn, site.id)?;
        ward::insert_officials(conn, site.id)?;
        let documents = ward::insert_documents(conn, site.id, upload_dir)?;
        ward::insert_disclosures(conn, site.id, &documents)?;
        ward::insert_calendar(conn, &site)?;
        let le_loi =
            insert_site(conn, SECOND_SITE, "Xã Lê Lợi", "Cổng thông tin điện tử xã Lê Lợi, thành phố Chí Linh", now)?;
        insert_categories(conn, le_loi, LE_LOI_CATEGORIES)?;
        for article in LE_LOI_ARTICLES {
            insert_article(conn, le_loi, article, now)?;
        }
        let second = crate::sites::find(conn, SECOND_SITE)?;
        insert_desk(conn, &second, "Lê Lợi", "000.00.15.H23", now)?;
        // Nodes already serving (from an empty database) answer anew.
        crate::db::versions::bump(conn, 0)?;
        Ok(())
    })
}

/// The demo ward's contacts (made up for the demo: the reference page shows none).
fn chi_minh_settings() -> crate::sites::Settings {
    crate::sites::Settings {
        address: "Số 1 đường Nguyễn Trãi, phường Chí Minh, thành phố Chí Linh, tỉnh Hải Dương".into(),
        phone: "0220 3882 123".into(),
        fax: "0220 3882 124".into(),
        email: "ubndchiminh@haiduong.gov.vn".into(),
        logo_url: String::new(),
        banner_url: String::new(),
        footer_text: "Cơ quan chủ quản: Ủy ban nhân dân phường Chí Minh, thành phố Chí Linh, tỉnh Hải Dương".into(),
        base_url: "https://chiminh.chilinh.haiduong.gov.vn".into(),
    }
}

fn insert_site(
    conn: &mut AnyConnection,
    slug: &str,
    name: &str,
    description: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    // The reference page's counter: "Tất cả 169486", carried over from the old portal.
    let imported = if slug == DEMO_SITE { 169_486 } else { 0 };
    crate::sites::insert(conn, slug, name, description, imported, now)
}

fn insert_categories(
    conn: &mut AnyConnection,
    site_id: i64,
    tree: &[(&str, &str, &str, Option<&str>)],
) -> QueryResult<()> {
    let mut ids: Vec<(&str, i64)> = Vec::new();
    let mut positions: Vec<(Option<&str>, i32)> = Vec::new();
    for (slug, name, description, parent) in tree {
        let parent_id = parent.and_then(|p| ids.iter().find(|(s, _)| *s == p).map(|(_, id)| *id));
        let position = match positions.iter_mut().find(|(p, _)| p == parent) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                positions.push((*parent, 1));
                1
            }
        };
        let row = CategoryRow {
            id: 0,
            parent_id,
            slug: slug.to_string(),
            name: name.to_string(),
            description: description.to_string(),
            position,
        };
        let id = crate::categories::tree::insert(conn, site_id, &row)?;
        ids.push((slug, id));
    }
    Ok(())
}

/// The reference article's SEO fields and the slug it had on the old portal, which answers 301.
fn seed_article_seo(conn: &mut AnyConnection, site_id: i64, id: i64) -> QueryResult<()> {
    let seo = crate::seo::Overrides {
        title: "Đảng bộ phường Chí Minh chuẩn bị Đại hội lần thứ XXIV".into(),
        description: "Đảng bộ phường Chí Minh triển khai Chỉ thị 35-CT/TW, Kế hoạch 162-KH/TU và 09-KH/ĐU \
                      chuẩn bị Đại hội Đảng bộ lần thứ XXIV, nhiệm kỳ 2020-2025."
            .into(),
        ..Default::default()
    };
    crate::seo::save(conn, site_id, crate::seo::ARTICLE, id, &seo)?;
    let slug: String = articles::table.find(id).select(articles::slug).first(conn)?;
    crate::db::slugs::old::moved(conn, site_id, crate::seo::ARTICLE, id, "chuan-bi-dai-hoi-dang-bo-lan-thu-xxiv", &slug)
}

/// A Vietnam local time as UTC.
fn vietnam(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(h, min, 0)).expect("a valid demo date")
        - Duration::hours(7)
}

fn insert_article(conn: &mut AnyConnection, site_id: i64, a: &Demo, now: NaiveDateTime) -> QueryResult<i64> {
    let category_id: i64 = categories::table
        .filter(categories::site_id.eq(site_id))
        .filter(categories::slug.eq(a.category))
        .select(categories::id)
        .first(conn)?;
    let (status, published_at) = match a.when {
        When::At(y, m, d, h, min) => (PUBLISHED, Some(vietnam(y, m, d, h, min))),
        When::InDays(days) => (PUBLISHED, Some(now + Duration::days(days))),
        When::Draft => (DRAFT, None),
    };
    let written = published_at.filter(|p| *p < now).unwrap_or(now);
    let row = ArticleRow {
        id: 0,
        site_id,
        category_id,
        title: a.title.into(),
        slug: SLUGS.free(conn, site_id, 0, a.title)?,
        summary: a.summary.into(),
        body_html: a.body.into(),
        cover_image_url: None,
        cover_image_alt: String::new(),
        author_name: Some(a.author.unwrap_or("Ban biên tập").into()),
        status: status.into(),
        published_at,
        updated_at: written,
        created_by: None,
        version: 1,
    };
    crate::articles::write::insert(conn, &row, written)
}

/// The reference page's "Liên kết website": (group, title, url).
const LINKS: &[(&str, &str, &str)] = &[
    ("Cơ quan Trung ương", "Cổng thông tin điện tử Chính phủ", "https://chinhphu.vn"),
    ("Cơ quan Trung ương", "Cổng Dịch vụ công quốc gia", "https://dichvucong.gov.vn"),
    ("Tỉnh Hải Dương", "Cổng thông tin điện tử tỉnh Hải Dương", "https://haiduong.gov.vn"),
    ("Tỉnh Hải Dương", "Báo Hải Dương", "https://baohaiduong.vn"),
    ("Thành phố Chí Linh", "Cổng thông tin điện tử thành phố Chí Linh", "https://chilinh.haiduong.gov.vn"),
];

/// The photos of the demo album: (caption, base colour of the generated image).
const PHOTOS: &[(&str, [u8; 3])] = &[
    ("Lễ khai hội mùa xuân Côn Sơn - Kiếp Bạc", [196, 40, 40]),
    ("Dâng hương tại đền Kiếp Bạc", [214, 160, 40]),
    ("Rước kiệu trong lễ hội", [40, 110, 170]),
];

/// An 800×500 JPEG: a gradient from `base`, so each demo photo is a real, distinct image.
fn demo_image(base: [u8; 3]) -> Result<Vec<u8>, ApiError> {
    let img = image::RgbImage::from_fn(800, 500, |x, y| {
        let shade = |c: u8, k: u32| (u32::from(c) * (1000 - k) / 1000) as u8;
        image::Rgb([shade(base[0], x), shade(base[1], y * 2), shade(base[2], (x + y) / 2)])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).map_err(|e| ApiError::internal(format!("demo image: {e}")))?;
    Ok(out.into_inner())
}

/// The rest of the reference page: links, the photo library ("Thư viện ảnh", one album of
/// three generated photos stored as uploads) and the song video ("Hát về Chí Linh").
fn insert_library(conn: &mut AnyConnection, site_id: i64, upload_dir: &Path) -> Result<(), ApiError> {
    // Through each resource's own functions, as its routes write.
    for (position, (group, title, url)) in LINKS.iter().enumerate() {
        let row = crate::links::LinkRow {
            id: 0,
            group_name: (*group).to_owned(),
            title: (*title).to_owned(),
            url: (*url).to_owned(),
            position: position as i32 + 1,
        };
        crate::links::insert(conn, site_id, &row)?;
    }
    let album = crate::albums::model::AlbumRow {
        id: 0,
        slug: "le-hoi-mua-xuan-con-son-kiep-bac".to_owned(),
        title: "Lễ hội mùa xuân Côn Sơn - Kiếp Bạc".to_owned(),
        description: "Những hình ảnh của lễ hội mùa xuân tại khu di tích Côn Sơn - Kiếp Bạc, thành phố Chí Linh"
            .to_owned(),
        published_at: vietnam(2020, 2, 10, 9, 0),
    };
    let album = crate::albums::model::insert_album(conn, site_id, &album)?;
    for (position, (caption, colour)) in PHOTOS.iter().enumerate() {
        let name = format!("le-hoi-con-son-{}.jpg", position + 1);
        let upload = crate::uploads::import(conn, upload_dir, site_id, &demo_image(*colour)?, &name)?;
        let variants = upload.variants.ok_or_else(|| ApiError::internal("a demo photo without variants"))?;
        let photo = crate::albums::model::NewPhoto {
            album_id: album,
            upload_id: Some(upload.id),
            image_url: &upload.url,
            thumbnail_url: &variants.thumbnail,
            medium_url: &variants.medium,
            width: upload.width,
            height: upload.height,
            caption,
            alt: &format!("Ảnh minh họa của bản demo: {caption}"),
            position: position as i32 + 1,
        };
        crate::albums::model::insert_photo(conn, &photo)?;
    }
    let song = crate::media::MediaRow {
        id: 0,
        slug: "hat-ve-chi-linh".to_owned(),
        title: "Hát về Chí Linh".to_owned(),
        description: "Ca khúc về quê hương Chí Linh (video minh họa của bản demo)".to_owned(),
        kind: "video".to_owned(),
        upload_id: None,
        file_url: None,
        content_type: None,
        embed_url: Some("https://www.youtube.com/embed/chi-linh-demo".to_owned()),
        thumbnail_url: None,
        duration_seconds: Some(245),
        published_at: vietnam(2019, 9, 2, 8, 0),
        transcript: "Video minh họa của bản demo, không có lời; biên tập viên nhập lời bài hát tại đây.".to_owned(),
    };
    crate::media::save(conn, site_id, &song)?;
    Ok(())
}
