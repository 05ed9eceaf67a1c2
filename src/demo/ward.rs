//! The demo ward's content the law asks for beside its news: its leaders and contact
//! officials. (Made up for the demo: the reference page names none of them.)

use crate::core::error::ApiError;
use crate::db::AnyConnection;
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
