//! The demo ward's content the law asks for beside its news: its introduction pages, its leaders and contact
//! officials (made up: the reference page names none), its documents (the four the reference
//! article cites, and the ward's own), a week of its work calendar and a budget disclosure.

use std::path::Path;

use chrono::NaiveDate;

use crate::core::error::ApiError;
use crate::db::AnyConnection;
use crate::documents::DocumentRow;
use crate::officials::OfficialRow;

/// (name, title, unit, duties, phone, email, leader, information contact)
type DemoOfficial = (&'static str, &'static str, &'static str, &'static str, &'static str, &'static str, bool, bool);

const OFFICIALS: &[DemoOfficial] = &[
    (
        "Nguyễn Văn Hùng",
        "Bí thư Đảng ủy phường",
        "Đảng ủy phường",
        "Lãnh đạo toàn diện công tác của Đảng bộ phường; Chủ tịch Hội đồng nhân dân phường.",
        "0220 3882 001",
        "nvhung@haiduong.gov.vn",
        true,
        false,
    ),
    (
        "Phạm Quang Minh",
        "Chủ tịch UBND phường",
        "Ủy ban nhân dân phường",
        "Phụ trách chung; trực tiếp chỉ đạo kinh tế, ngân sách, đất đai và đầu tư công.",
        "0220 3882 002",
        "pqminh@haiduong.gov.vn",
        true,
        false,
    ),
    (
        "Trần Thị Lan",
        "Phó Chủ tịch UBND phường",
        "Ủy ban nhân dân phường",
        "Phụ trách văn hóa - xã hội, giáo dục, y tế; người phát ngôn của UBND phường.",
        "0220 3882 003",
        "ttlan@haiduong.gov.vn",
        true,
        true,
    ),
    (
        "Đỗ Thu Hà",
        "Công chức Văn phòng - Thống kê",
        "Ủy ban nhân dân phường",
        "Đầu mối tiếp nhận và trả lời yêu cầu cung cấp thông tin của công dân.",
        "0220 3882 010",
        "dthha@haiduong.gov.vn",
        false,
        true,
    ),
];

/// Seeds the demo ward's officials, in order.
pub fn insert_officials(conn: &mut AnyConnection, site_id: i64) -> Result<(), ApiError> {
    for (n, &(name, title, unit, duties, phone, email, leader, information_contact)) in OFFICIALS.iter().enumerate() {
        let row = OfficialRow {
            title: title.into(),
            unit: unit.into(),
            duties: duties.into(),
            phone: phone.into(),
            email: email.into(),
            leader,
            information_contact,
            position: n as i32 + 1,
            ..OfficialRow::named(name)
        };
        crate::officials::insert(conn, site_id, &row)?;
    }
    Ok(())
}

/// (kind, number, issuer, signer, issued on (y, m, d), field, summary)
type DemoDocument =
    (&'static str, &'static str, &'static str, &'static str, (i32, u32, u32), &'static str, &'static str);

/// The documents the reference article cites, as it cites them, then the ward's own.
const DOCUMENTS: &[DemoDocument] = &[
    (
        "chi_thi",
        "35-CT/TW",
        "Bộ Chính trị",
        "",
        (2019, 5, 30),
        "Xây dựng Đảng",
        "Về đại hội đảng bộ các cấp tiến tới Đại hội đại biểu toàn quốc lần thứ XIII của Đảng",
    ),
    (
        "ke_hoach",
        "162-KH/TU",
        "Ban Thường vụ Tỉnh ủy Hải Dương",
        "",
        (2019, 8, 23),
        "Xây dựng Đảng",
        "Tổ chức đại hội các cấp cơ sở và cấp trên cơ sở tiến tới Đại hội đại biểu Đảng bộ tỉnh lần thứ XVII, nhiệm kỳ 2020-2025",
    ),
    (
        "ke_hoach",
        "112-KH/TU",
        "Ban Thường vụ Thành ủy Chí Linh",
        "",
        (2019, 9, 13),
        "Xây dựng Đảng",
        "Tổ chức đại hội các cấp cơ sở và cấp trên cơ sở tiến tới Đại hội đại biểu Đảng bộ tỉnh lần thứ XVII, nhiệm kỳ 2020-2025",
    ),
    (
        "ke_hoach",
        "09-KH/ĐU",
        "Đảng ủy phường Chí Minh",
        "Nguyễn Văn Hùng",
        (2019, 9, 20),
        "Xây dựng Đảng",
        "Kế hoạch tổ chức Đại hội chi bộ trực thuộc Đảng bộ và Đại hội Đảng bộ phường Chí Minh khóa XXIV, nhiệm kỳ 2015-2020",
    ),
    (
        "quy_che",
        "01/QC-UBND",
        "Ủy ban nhân dân phường Chí Minh",
        "Phạm Quang Minh",
        (2021, 7, 1),
        "Tổ chức bộ máy",
        "Quy chế làm việc của Ủy ban nhân dân phường Chí Minh nhiệm kỳ 2021-2026",
    ),
    (
        "quy_che",
        "02/QC-UBND",
        "Ủy ban nhân dân phường Chí Minh",
        "Phạm Quang Minh",
        (2025, 7, 1),
        "Tổ chức bộ máy",
        "Quy chế làm việc của Ủy ban nhân dân phường Chí Minh (thay thế Quy chế số 01/QC-UBND)",
    ),
    (
        "quyet_dinh",
        "15/QĐ-UBND",
        "Ủy ban nhân dân phường Chí Minh",
        "Phạm Quang Minh",
        (2026, 1, 10),
        "Tài chính - Ngân sách",
        "Về việc công bố công khai dự toán ngân sách phường Chí Minh năm 2026",
    ),
];

/// Seeds the demo ward's documents: the ward's plan 09-KH/ĐU with its file, the second
/// working rules replacing the first. Returns their ids in [`DOCUMENTS`] order.
pub fn insert_documents(conn: &mut AnyConnection, site_id: i64, upload_dir: &Path) -> Result<Vec<i64>, ApiError> {
    let mut ids = Vec::new();
    for &(kind, number, issuer, signer, (y, m, d), field, summary) in DOCUMENTS {
        let issued_on = NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| ApiError::internal("a demo date"))?;
        let row = DocumentRow {
            id: 0,
            kind: kind.into(),
            number: number.into(),
            issuer: issuer.into(),
            signer: signer.into(),
            issued_on,
            effective_on: None,
            expires_on: None,
            field: field.into(),
            summary: summary.into(),
            // The second working rules replace the first.
            replaces_id: (number == "02/QC-UBND").then(|| ids[4]),
            updated_at: chrono::Utc::now().naive_utc(),
        };
        let files = match number {
            "09-KH/ĐU" => {
                let pdf = format!("%PDF-1.4\n% {summary}\n%%EOF\n");
                vec![crate::uploads::import(conn, upload_dir, site_id, pdf.as_bytes(), "09-KH-DU.pdf")?.id]
            }
            _ => Vec::new(),
        };
        ids.push(crate::documents::model::save(conn, site_id, &row, Some(&files))?);
    }
    Ok(ids)
}

/// (day of the week from Monday, hour, minute, hours long, place, chair, attendees, content)
type DemoEntry = (i64, u32, u32, i64, &'static str, &'static str, &'static str, &'static str);

const CALENDAR: &[DemoEntry] = &[
    (
        0,
        7,
        30,
        2,
        "Phòng họp UBND phường",
        "Đồng chí Phạm Quang Minh, Chủ tịch UBND phường",
        "Lãnh đạo UBND phường; công chức chuyên môn",
        "Giao ban công tác tuần",
    ),
    (
        1,
        14,
        0,
        3,
        "Trụ sở Tiếp công dân phường",
        "Đồng chí Phạm Quang Minh, Chủ tịch UBND phường",
        "Công chức Địa chính - Xây dựng; Tư pháp - Hộ tịch",
        "Tiếp công dân định kỳ",
    ),
    (
        2,
        8,
        0,
        3,
        "Hội trường UBND phường",
        "Đồng chí Nguyễn Văn Hùng, Bí thư Đảng ủy phường",
        "Ban Chấp hành Đảng bộ phường; bí thư các chi bộ trực thuộc",
        "Hội nghị Ban Chấp hành Đảng bộ phường thường kỳ tháng 12",
    ),
    (
        3,
        8,
        0,
        4,
        "Các tổ dân phố",
        "Đồng chí Trần Thị Lan, Phó Chủ tịch UBND phường",
        "Ban Chỉ đạo phong trào Toàn dân đoàn kết xây dựng đời sống văn hóa",
        "Kiểm tra công tác xây dựng khu dân cư văn hóa năm 2026",
    ),
    (
        4,
        14,
        0,
        2,
        "Phòng họp UBND phường",
        "Đồng chí Phạm Quang Minh, Chủ tịch UBND phường",
        "Lãnh đạo UBND phường; Bộ phận một cửa",
        "Họp đánh giá kết quả giải quyết thủ tục hành chính tháng 11",
    ),
];

/// Seeds the demo ward's work calendar for the week it is loaded in, so the current week
/// shows entries.
pub fn insert_calendar(conn: &mut AnyConnection, site: &crate::sites::Site) -> Result<(), ApiError> {
    use chrono::Duration;
    let monday = crate::sites::week_start(site.today());
    for &(day, hour, minute, hours, place, chair, attendees, content) in CALENDAR {
        let time = chrono::NaiveTime::from_hms_opt(hour, minute, 0).ok_or_else(|| ApiError::internal("a demo time"))?;
        let starts_at = site.to_utc((monday + Duration::days(day)).and_time(time));
        let row = crate::work_calendar::EntryRow {
            ends_at: Some(starts_at + Duration::hours(hours)),
            place: place.into(),
            chair: chair.into(),
            attendees: attendees.into(),
            content: content.into(),
            ..crate::work_calendar::entry_at(starts_at)
        };
        crate::work_calendar::save(conn, site.id, &row)?;
    }
    Ok(())
}

/// Seeds the demo ward's register of disclosures: the 2026 budget estimate with its decision
/// (`documents`: the ids [`insert_documents`] returned), and the year's social support list.
pub fn insert_disclosures(conn: &mut AnyConnection, site_id: i64, documents: &[i64]) -> Result<(), ApiError> {
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| ApiError::internal("a demo date"));
    let budget = crate::disclosures::DisclosureRow {
        summary: "Dự toán thu, chi ngân sách phường năm 2026 đã được Hội đồng nhân dân phường quyết định.".into(),
        period_start: day(2026, 1, 1)?,
        period_end: day(2026, 12, 31)?,
        posted_until: Some(day(2026, 2, 11)?),
        form: "Niêm yết tại trụ sở UBND phường; đăng trên cổng thông tin điện tử".into(),
        ..crate::disclosures::item("budget", "Công khai dự toán ngân sách phường Chí Minh năm 2026", day(2026, 1, 12)?)
    };
    crate::disclosures::save(conn, site_id, &budget, Some(&documents[6..7]))?;
    let support = crate::disclosures::DisclosureRow {
        summary: "Danh sách đối tượng được hưởng trợ cấp xã hội hằng tháng quý IV năm 2026.".into(),
        period_start: day(2026, 10, 1)?,
        period_end: day(2026, 12, 31)?,
        posted_until: Some(day(2026, 10, 31)?),
        form: "Niêm yết tại nhà văn hóa các tổ dân phố".into(),
        ..crate::disclosures::item(
            "social_support",
            "Công khai danh sách đối tượng hưởng trợ cấp xã hội quý IV năm 2026",
            day(2026, 10, 1)?,
        )
    };
    crate::disclosures::save(conn, site_id, &support, None)?;
    Ok(())
}

/// (slug, title, summary, body, parent's slug) of the demo ward's pages, parents first.
const PAGES: &[(&str, &str, &str, &str, Option<&str>)] = &[
    (
        "gioi-thieu",
        "Giới thiệu",
        "Giới thiệu chung về phường Chí Minh",
        "<p>Phường Chí Minh thuộc thành phố Chí Linh, tỉnh Hải Dương. (Nội dung minh họa của bản demo.)</p>",
        None,
    ),
    (
        "lich-su",
        "Lịch sử",
        "Lịch sử hình thành và phát triển",
        "<p>Quá trình hình thành và phát triển của phường qua các thời kỳ. (Nội dung minh họa.)</p>",
        Some("gioi-thieu"),
    ),
    (
        "dieu-kien-tu-nhien",
        "Điều kiện tự nhiên",
        "Vị trí địa lý, địa giới hành chính, diện tích và dân số",
        "<p>Vị trí, địa giới và điều kiện tự nhiên của phường. (Nội dung minh họa.)</p>",
        Some("gioi-thieu"),
    ),
    (
        "co-cau-to-chuc",
        "Cơ cấu tổ chức",
        "Đảng ủy, HĐND, UBND, Ủy ban MTTQ và các đoàn thể",
        "<p>Sơ đồ tổ chức của hệ thống chính trị phường. (Nội dung minh họa.)</p>",
        Some("gioi-thieu"),
    ),
    (
        "di-tich-van-hoa",
        "Di tích - Văn hóa",
        "Di tích lịch sử, lễ hội và văn hóa truyền thống",
        "<p>Các di tích và lễ hội trên địa bàn. (Nội dung minh họa.)</p>",
        Some("gioi-thieu"),
    ),
    (
        "lien-he",
        "Liên hệ",
        "Địa chỉ, điện thoại và thư điện tử của UBND phường",
        "<p>Số 1 đường Nguyễn Trãi, phường Chí Minh. Điện thoại: 0220 3882 123.</p>",
        None,
    ),
];

/// Seeds the demo ward's introduction pages, published.
pub fn insert_pages(conn: &mut AnyConnection, site_id: i64) -> Result<(), ApiError> {
    let published = chrono::NaiveDate::from_ymd_opt(2020, 1, 2)
        .and_then(|d| d.and_hms_opt(1, 0, 0))
        .ok_or_else(|| ApiError::internal("a demo time"))?;
    let mut ids: Vec<(&str, i64)> = Vec::new();
    for (n, &(slug, title, summary, body, parent)) in PAGES.iter().enumerate() {
        let row = crate::pages::PageRow {
            id: 0,
            parent_id: parent.and_then(|p| ids.iter().find(|(s, _)| *s == p).map(|(_, id)| *id)),
            slug: slug.into(),
            title: title.into(),
            summary: summary.into(),
            status: crate::publishing::PUBLISHED.into(),
            published_at: Some(published),
            position: n as i32 + 1,
            updated_at: published,
            version: 1,
        };
        ids.push((slug, crate::pages::model::seed(conn, site_id, &row, body)?));
    }
    Ok(())
}

/// Seeds the demo ward's header and footer menus.
pub fn insert_menus(conn: &mut AnyConnection, site_id: i64) -> Result<(), ApiError> {
    use crate::menus::MenuItemInput;
    let item = |label: &str, kind: &str, target: &str, children: Vec<MenuItemInput>| MenuItemInput {
        label: label.into(),
        kind: kind.into(),
        target: target.into(),
        children,
    };
    let header = vec![
        item("Trang chủ", "url", "/", vec![]),
        item(
            "Giới thiệu",
            "page",
            "gioi-thieu",
            vec![
                item("Lịch sử", "page", "gioi-thieu/lich-su", vec![]),
                item("Cơ cấu tổ chức", "page", "gioi-thieu/co-cau-to-chuc", vec![]),
            ],
        ),
        item("Tin tức", "category", "tin-tuc", vec![]),
        item("Đảng ủy xã", "category", "dang-uy-xa", vec![]),
        item("Văn bản", "url", "/van-ban", vec![]),
        item("Một cửa", "url", "/mot-cua", vec![]),
        item("Liên hệ", "page", "lien-he", vec![]),
    ];
    crate::menus::replace(conn, site_id, "header", &header)?;
    let footer = vec![
        item("Liên hệ", "page", "lien-he", vec![]),
        item("Cổng Dịch vụ công quốc gia", "url", "https://dichvucong.gov.vn", vec![]),
    ];
    crate::menus::replace(conn, site_id, "footer", &footer)?;
    Ok(())
}
