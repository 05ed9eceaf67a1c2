//! A seeded generator of a large realistic dataset for benchmarks: wards with category trees
//! and many Vietnamese articles (bodies of a few kilobytes, real diacritics), indexed for
//! search, and each ward's links, photo albums, media items, one-stop desk with its 20
//! procedures and a year of dossiers, and what the law asks it to publish ([`super::records`]).
//! The same seed always makes the same data.

use chrono::{Duration, NaiveDate, Utc};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::core::error::ApiError;
use crate::db::AnyConnection;

/// Per ward: links (in three groups), albums of photos, media items and dossiers.
const LINKS: usize = 12;
const ALBUMS: usize = 40;
const PHOTOS_PER_ALBUM: usize = 12;
const MEDIA: usize = 30;
const DOSSIERS: usize = 500;

/// Syllables of everyday ward news, with their diacritics.
const WORDS: &[&str] = &[
    "phường",
    "xã",
    "Đảng",
    "bộ",
    "chi",
    "ủy",
    "nhân",
    "dân",
    "hội",
    "nghị",
    "đại",
    "biểu",
    "công",
    "tác",
    "cán",
    "đoàn",
    "thanh",
    "niên",
    "phụ",
    "nữ",
    "cựu",
    "chiến",
    "binh",
    "nông",
    "dân",
    "khu",
    "dân",
    "cư",
    "văn",
    "hóa",
    "thể",
    "thao",
    "giáo",
    "dục",
    "y",
    "tế",
    "môi",
    "trường",
    "giao",
    "thông",
    "đường",
    "phố",
    "an",
    "ninh",
    "trật",
    "tự",
    "kinh",
    "tế",
    "xây",
    "dựng",
    "nông",
    "thôn",
    "mới",
    "đô",
    "thị",
    "văn",
    "minh",
    "sạch",
    "đẹp",
    "hộ",
    "nghèo",
    "chính",
    "sách",
    "người",
    "có",
    "công",
    "tiếp",
    "công",
    "dân",
    "thủ",
    "tục",
    "hành",
    "chính",
    "một",
    "cửa",
    "hồ",
    "sơ",
    "kế",
    "hoạch",
    "triển",
    "khai",
    "thực",
    "hiện",
    "nghị",
    "quyết",
    "kết",
    "quả",
    "năm",
    "tháng",
    "quý",
    "tuần",
    "lễ",
    "hội",
    "truyền",
    "thống",
    "Chí",
    "Linh",
    "Hải",
    "Dương",
    "Côn",
    "Sơn",
    "Kiếp",
    "Bạc",
    "tổ",
    "chức",
    "thành",
    "công",
    "tốt",
    "đẹp",
    "tích",
    "cực",
    "chủ",
    "động",
    "nghiêm",
    "túc",
    "đồng",
    "chí",
    "lãnh",
    "đạo",
    "chỉ",
    "đạo",
    "tuyên",
    "truyền",
    "vận",
    "động",
    "phong",
    "trào",
    "thi",
    "đua",
    "khen",
    "thưởng",
    "học",
    "sinh",
    "trường",
    "mầm",
    "non",
    "tiểu",
    "học",
    "trung",
    "cơ",
    "sở",
    "bệnh",
    "viện",
    "trạm",
    "tiêm",
    "chủng",
    "phòng",
    "chống",
    "dịch",
    "bão",
    "lụt",
    "cháy",
    "nổ",
    "rác",
    "thải",
    "cây",
    "xanh",
    "điện",
    "nước",
    "sạch",
    "đất",
    "đai",
    "quy",
    "hoạch",
    "dự",
    "án",
    "đầu",
    "tư",
    "doanh",
    "nghiệp",
    "chợ",
    "lao",
    "động",
    "việc",
    "làm",
    "đào",
    "tạo",
    "nghề",
    "bảo",
    "hiểm",
    "xã",
    "hội",
    "trẻ",
    "em",
    "người",
    "cao",
    "tuổi",
    "khuyết",
    "tật",
];

/// Subjects of articles. Each article has one to three; searches in the benchmark name them.
/// Their syllables are kept out of the filler words, so a subject is found where it is written,
/// as in real news where the subject words are not on every page.
pub const TOPICS: &[&str] = &[
    "tiêm chủng mở rộng",
    "bệnh viện đa khoa",
    "lễ hội Côn Sơn Kiếp Bạc",
    "nông thôn kiểu mẫu",
    "an toàn giao thông",
    "phòng cháy chữa cháy",
    "bầu cử đại biểu",
    "hiến máu tình nguyện",
    "khuyến học khuyến tài",
    "vệ sinh thực phẩm",
    "chuyển đổi số",
    "căn cước điện tử",
    "dịch vụ công trực tuyến",
    "cải cách hành chính",
    "giải phóng mặt bằng",
    "cấp giấy chứng nhận quyền sử dụng đất",
    "hòa giải ở cơ sở",
    "tổng điều tra dân số",
    "bảo vệ rừng",
    "nước sinh hoạt",
    "chiếu sáng đô thị",
    "cây vải thiều",
    "làng nghề gốm",
    "sân vận động",
    "giải bóng chuyền",
    "hội thi văn nghệ",
    "ngày hội đại đoàn kết",
    "mừng thọ người cao tuổi",
    "học bổng vượt khó",
    "nhà văn hóa khu dân cư",
    "kiên cố hóa kênh mương",
    "thu gom rác thải",
    "dịch tả lợn châu Phi",
    "phòng chống ma túy",
    "tuyển quân nghĩa vụ",
    "diễn tập phòng thủ",
    "tổng vệ sinh môi trường",
    "tết trồng cây",
    "đền ơn đáp nghĩa",
    "nhà tình nghĩa",
    "trung thu cho thiếu nhi",
    "khai giảng năm học",
    "thi tốt nghiệp",
    "thư viện điện tử",
    "hợp tác xã",
    "chợ phiên",
    "du lịch tâm linh",
    "di tích lịch sử",
    "xét duyệt hộ nghèo",
    "trợ cấp xã hội",
    "bảo hiểm y tế học sinh",
    "sáp nhập thôn",
    "đặt tên đường",
    "quy tắc ứng xử",
    "camera an ninh",
    "tiếp xúc cử tri",
    "kỳ họp hội đồng",
    "quyết toán ngân sách",
    "đấu giá quyền sử dụng",
];

const CATEGORY_NAMES: &[(&str, Option<usize>)] = &[
    ("Tin tức", None),
    ("Tin trong phường", Some(0)),
    ("Tin Hải Dương", Some(0)),
    ("Đảng ủy xã", None),
    ("Chính quyền", None),
    ("Thông báo", Some(4)),
    ("Văn hóa - Xã hội", None),
];

/// The filler words: [`WORDS`] without any syllable of a topic.
fn filler() -> Vec<&'static str> {
    let topic_syllables: std::collections::HashSet<String> =
        TOPICS.iter().flat_map(|t| t.split(' ')).map(crate::core::text::fold).collect();
    WORDS.iter().copied().filter(|w| !topic_syllables.contains(&crate::core::text::fold(w))).collect()
}

pub(super) fn sentence(rng: &mut StdRng, words: &[&'static str], min: usize, max: usize) -> String {
    let n = rng.random_range(min..=max);
    let mut s: Vec<&str> = (0..n).map(|_| words[rng.random_range(0..words.len())]).collect();
    let first = s[0];
    let capital: String = first.chars().take(1).flat_map(char::to_uppercase).chain(first.chars().skip(1)).collect();
    s[0] = "";
    format!("{capital}{}", s.join(" "))
}

/// Loads `sites` wards (`phuong-1`, `phuong-2`...) with `articles` articles in all, spread over
/// ten years (2% drafts), deterministically from `seed`. Returns the articles made.
pub fn generate(conn: &mut AnyConnection, sites_n: usize, articles_n: usize, seed: u64) -> Result<usize, ApiError> {
    let mut rng = StdRng::seed_from_u64(seed);
    let words = filler();
    let now = Utc::now().naive_utc();
    let start = NaiveDate::from_ymd_opt(2016, 1, 1).expect("valid date").and_hms_opt(0, 0, 0).expect("valid time");
    let span = (now - start).num_seconds().max(1);
    let mut made = 0;
    super::desk::insert_holidays(conn)?;
    for w in 1..=sites_n {
        let slug = format!("phuong-{w}");
        let name = format!("Phường số {w}");
        let description = format!("Cổng thông tin điện tử phường số {w}");
        let site_id = crate::sites::insert(conn, &slug, &name, &description, 0, now)?;
        let mut category_ids: Vec<i64> = Vec::new();
        for (i, (name, parent)) in CATEGORY_NAMES.iter().enumerate() {
            let row = crate::categories::tree::CategoryRow {
                id: 0,
                parent_id: parent.map(|p| category_ids[p]),
                slug: crate::core::text::slugify(name),
                name: name.to_string(),
                description: String::new(),
                position: i as i32 + 1,
            };
            let id = crate::categories::tree::insert(conn, site_id, &row)?;
            category_ids.push(id);
        }
        let count = articles_n / sites_n + usize::from(w <= articles_n % sites_n);
        conn.transaction(|conn| {
            let mut made_here: Vec<i64> = Vec::with_capacity(count);
            for n in 0..count {
                let topics: Vec<&str> =
                    (0..rng.random_range(1..=3)).map(|_| TOPICS[rng.random_range(0..TOPICS.len())]).collect();
                let title = format!("{}: {}", sentence(&mut rng, &words, 4, 8), topics[0]);
                let summary = format!("{} {}.", sentence(&mut rng, &words, 15, 25), topics[topics.len() - 1]);
                let paragraphs = rng.random_range(4..=8);
                let body: String = (0..paragraphs)
                    .map(|p| {
                        let sentences = rng.random_range(4..=7);
                        let mut text: Vec<String> =
                            (0..sentences).map(|_| sentence(&mut rng, &words, 10, 20) + ".").collect();
                        text.push(format!(
                            "Về {}, {}.",
                            topics[p % topics.len()],
                            sentence(&mut rng, &words, 6, 12).to_lowercase()
                        ));
                        format!("<p>{}</p>\n", text.join(" "))
                    })
                    .collect();
                let draft = rng.random_range(0..100) < 2;
                let published_at = start + Duration::seconds(rng.random_range(0..span));
                let slug = format!("{}-{n}", crate::core::text::slugify(&title));
                let category = category_ids[rng.random_range(0..category_ids.len())];
                let row = crate::articles::types::ArticleRow {
                    id: 0,
                    site_id,
                    category_id: category,
                    title,
                    slug,
                    summary,
                    body_html: body,
                    cover_image_url: None,
                    cover_image_alt: String::new(),
                    author_name: Some("Ban biên tập".into()),
                    status: if draft { "draft" } else { "published" }.into(),
                    published_at: (!draft).then_some(published_at),
                    updated_at: published_at,
                    created_by: None,
                    version: 1,
                };
                let id = crate::articles::write::insert(conn, &row, published_at)?;
                // A third of the articles name one to three earlier ones as related (the
                // editor's choice, shown before the nearest articles of the category).
                if !made_here.is_empty() && rng.random_range(0..3) == 0 {
                    let mut chosen: Vec<i64> = Vec::new();
                    for _ in 0..rng.random_range(1..=3) {
                        let pick = made_here[rng.random_range(0..made_here.len())];
                        if !chosen.contains(&pick) {
                            chosen.push(pick);
                        }
                    }
                    crate::articles::write::relate(conn, id, &chosen)?;
                }
                made_here.push(id);
            }
            Ok::<_, diesel::result::Error>(())
        })?;
        made += count;
        let site = crate::sites::find(conn, &slug)?;
        conn.transaction(|conn| library(conn, &mut rng, &words, &site))?;
    }
    crate::db::optimize(conn)?;
    // Nodes already serving this database answer anew.
    crate::db::versions::bump(conn, 0)?;
    Ok(made)
}

/// A ward's links, albums, media, desk and a year of dossiers.
fn library(
    conn: &mut AnyConnection,
    rng: &mut StdRng,
    words: &[&'static str],
    site: &crate::sites::Site,
) -> Result<(), ApiError> {
    let now = Utc::now().naive_utc();
    let year_ago = now - Duration::days(365);
    let groups = ["Cơ quan Trung ương", "Tỉnh Hải Dương", "Thành phố Chí Linh"];
    // Through each resource's own functions, as its routes write.
    for i in 0..LINKS {
        let row = crate::links::LinkRow {
            id: 0,
            group_name: groups[i * groups.len() / LINKS].to_owned(),
            title: sentence(rng, words, 3, 6),
            url: format!("https://lien-ket-{i}.gov.vn"),
            position: i as i32 + 1,
        };
        crate::links::insert(conn, site.id, &row)?;
    }
    for a in 0..ALBUMS {
        let title = sentence(rng, words, 4, 8);
        let row = crate::albums::model::AlbumRow {
            id: 0,
            slug: format!("{}-{a}", crate::core::text::slugify(&title)),
            title,
            description: sentence(rng, words, 10, 20),
            published_at: year_ago + Duration::days(rng.random_range(0..365)),
        };
        let album = crate::albums::model::insert_album(conn, site.id, &row)?;
        for p in 0..PHOTOS_PER_ALBUM {
            let image = format!("/uploads/bench/{album}-{p}");
            let (url, thumbnail, medium) =
                (format!("{image}.jpg"), format!("{image}-thumb.jpg"), format!("{image}-medium.jpg"));
            let caption = sentence(rng, words, 5, 12);
            let photo = crate::albums::model::NewPhoto {
                album_id: album,
                upload_id: None,
                image_url: &url,
                thumbnail_url: &thumbnail,
                medium_url: &medium,
                width: Some(1600),
                height: Some(1067),
                caption: &caption,
                alt: &caption,
                position: p as i32 + 1,
            };
            crate::albums::model::insert_photo(conn, &photo)?;
        }
    }
    for m in 0..MEDIA {
        let title = sentence(rng, words, 3, 7);
        let video = rng.random_range(0..3) > 0;
        let row = crate::media::MediaRow {
            id: 0,
            slug: format!("{}-{m}", crate::core::text::slugify(&title)),
            title,
            description: sentence(rng, words, 8, 16),
            kind: (if video { "video" } else { "audio" }).to_owned(),
            upload_id: None,
            file_url: (!video).then(|| format!("/uploads/bench/song-{m}.mp3")),
            content_type: (!video).then(|| "audio/mpeg".to_owned()),
            embed_url: video.then(|| format!("https://www.youtube.com/embed/bench{m}")),
            thumbnail_url: None,
            duration_seconds: Some(rng.random_range(60..600)),
            published_at: year_ago + Duration::days(rng.random_range(0..365)),
            transcript: sentence(rng, words, 40, 120),
        };
        crate::media::save(conn, site.id, &row)?;
    }
    let unit = format!("000.00.{:02}.H23", site.id % 100);
    super::desk::insert_desk(conn, site, &site.name, &unit, now)?;
    let catalogue: Vec<(i64, i32)> = {
        use crate::db::schema::procedures;
        procedures::table
            .filter(procedures::site_id.eq(site.id))
            .select((procedures::id, procedures::processing_days))
            .load(conn)?
    };
    let channels = ["truc_tiep", "truc_tiep", "truc_tuyen", "buu_chinh"];
    // Received over the past year in time order; older ones are finished and handed over, the
    // last weeks' are still on their way.
    let mut received: Vec<chrono::NaiveDateTime> =
        (0..DOSSIERS).map(|_| year_ago + Duration::minutes(rng.random_range(0..365 * 24 * 60))).collect();
    received.sort();
    for at in received {
        let procedure = catalogue[rng.random_range(0..catalogue.len())];
        let channel = channels[rng.random_range(0..channels.len())];
        let name = sentence(rng, words, 3, 3);
        let code =
            crate::desk::dossiers::receive(conn, site, &unit, procedure, (&name, "0912345678", channel), at, "", None)?;
        let age = (now - at).num_days();
        let steps: &[i32] = match rng.random_range(0..20) {
            0 => &[7],
            1 => &[4, 8],
            _ if age > 30 => &[4, 9, 10],
            _ if age > 7 => &[4, 9],
            _ => &[4],
        };
        let mut when = at;
        for status in steps {
            // Each step a few hours to three days after the one before, never in the future.
            when = (when + Duration::hours(rng.random_range(1..=72))).min(now);
            crate::desk::dossiers::advance(conn, site, &code, *status, "", when, None)?;
        }
    }
    super::records::records(conn, rng, words, site)
}
