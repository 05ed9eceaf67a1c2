//! Migrations and the hand-kept schema agree, on both backends.

use diesel::prelude::*;
use portal::db::schema::{
    albums, article_counts, article_related, article_view_days, articles, audit_log, calendar_entries, categories,
    desks, disclosure_documents, disclosures, document_files, documents, dossier_events, dossiers, holidays, links,
    media_items, memberships, menu_items, officials, old_slugs, pages, photos, procedures, refresh_tokens, revisions,
    seo, sites, uploads, users, visit_days, visit_salts, visitor_days, visitors_online,
};

use crate::helpers::{Backend, TestDb};

#[test]
fn both_backends_have_the_same_migrations() {
    let (sqlite, postgres) = portal::db::migration_names();
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
}

fn round_trip(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let pool = db.pool(1, 5000);
    let mut conn = pool.get().unwrap();
    let applied = portal::migrate(&mut conn).unwrap();
    assert_eq!(applied, portal::db::migration_names().0.len());
    portal::db::revert_all(&mut conn).unwrap();
    assert_eq!(portal::migrate(&mut conn).unwrap(), applied, "up, down, up again");
    assert_eq!(portal::migrate(&mut conn).unwrap(), 0, "nothing left to apply");
    // Every column of every table loads through the shared schema.
    assert!(portal::demo::seed_if_empty(&mut conn, tempfile::tempdir().unwrap().path()).unwrap());
    assert!(
        !portal::demo::seed_if_empty(&mut conn, tempfile::tempdir().unwrap().path()).unwrap(),
        "the demo loads once"
    );
    type SiteColumns =
        (i64, String, String, String, String, chrono::NaiveDateTime, i64, String, String, String, String, String);
    type SiteFrame = (String, String, String);
    let s: Vec<(SiteColumns, SiteFrame)> = sites::table
        .select((
            (
                sites::id,
                sites::slug,
                sites::name,
                sites::description,
                sites::time_zone,
                sites::created_at,
                sites::visits_imported,
                sites::address,
                sites::phone,
                sites::fax,
                sites::email,
                sites::logo_url,
            ),
            (sites::banner_url, sites::footer_text, sites::base_url),
        ))
        .load(&mut *conn)
        .unwrap();
    assert_eq!(s.iter().map(|s| s.0.6).collect::<Vec<_>>(), [169_486, 0]);
    assert_eq!(s.iter().map(|s| s.1.2.as_str()).collect::<Vec<_>>(), ["https://chiminh.chilinh.haiduong.gov.vn", ""]);
    let c = categories::table
        .select(categories::all_columns)
        .load::<(i64, i64, Option<i64>, String, String, String, i32)>(&mut *conn)
        .unwrap();
    assert_eq!(c.len(), 9);
    type ArticleColumns = (
        i64,
        i64,
        i64,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        String,
        Option<chrono::NaiveDateTime>,
        chrono::NaiveDateTime,
        chrono::NaiveDateTime,
        Option<i64>,
        i32,
        String,
        String,
    );
    let a = articles::table.select(articles::all_columns).load::<ArticleColumns>(&mut *conn).unwrap();
    assert_eq!(a.len(), 21);
    // The kept counts match the articles, category by category and status by status.
    let mut counted = std::collections::BTreeMap::new();
    for a in &a {
        *counted.entry((a.1, a.2, a.8.clone())).or_insert(0_i64) += 1;
    }
    let counted: Vec<(i64, i64, String, i64)> = counted.into_iter().map(|((s, c, st), n)| (s, c, st, n)).collect();
    let kept = article_counts::table
        .select(article_counts::all_columns)
        .order((article_counts::site_id, article_counts::category_id, article_counts::status))
        .load::<(i64, i64, String, i64)>(&mut *conn)
        .unwrap();
    assert_eq!(kept, counted);
    let r = article_related::table.select(article_related::all_columns).load::<(i64, i64, i32)>(&mut *conn).unwrap();
    assert_eq!(r.len(), 5);
    // The tables of accounts and writing load too (empty on a fresh database).
    type Time = chrono::NaiveDateTime;
    let u = users::table.select(users::all_columns).load::<(i64, String, String, bool, Time)>(&mut *conn).unwrap();
    let m = memberships::table.select(memberships::all_columns).load::<(i64, i64, String)>(&mut *conn).unwrap();
    let t = refresh_tokens::table
        .select(refresh_tokens::all_columns)
        .load::<(i64, i64, String, String, Time, Time, Option<Time>, Option<Time>)>(&mut *conn)
        .unwrap();
    let l = audit_log::table
        .select(audit_log::all_columns)
        .load::<(i64, Option<i64>, String, String, String, Option<i64>, String, Time)>(&mut *conn)
        .unwrap();
    assert_eq!((u.len(), m.len(), t.len(), l.len()), (0, 0, 0, 0));
    type Day = chrono::NaiveDate;
    let vd = visit_days::table.select(visit_days::all_columns).load::<(i64, Day, i64, i64)>(&mut *conn).unwrap();
    let vv = visitor_days::table.select(visitor_days::all_columns).load::<(i64, Day, String)>(&mut *conn).unwrap();
    let vo =
        visitors_online::table.select(visitors_online::all_columns).load::<(i64, String, Time)>(&mut *conn).unwrap();
    let av = article_view_days::table
        .select(article_view_days::all_columns)
        .load::<(i64, i64, Day, i64)>(&mut *conn)
        .unwrap();
    let vs = visit_salts::table.select(visit_salts::all_columns).load::<(Day, String)>(&mut *conn).unwrap();
    let up = uploads::table.select(uploads::id).load::<i64>(&mut *conn).unwrap();
    // The demo's uploads: three album photos and the file of plan 09-KH/ĐU.
    assert_eq!((vd.len(), vv.len(), vo.len(), av.len(), vs.len(), up.len()), (0, 0, 0, 0, 0, 4));
    let li = links::table
        .select(links::all_columns)
        .load::<(i64, i64, String, String, String, i32, Time, Time)>(&mut *conn)
        .unwrap();
    let al = albums::table
        .select(albums::all_columns)
        .load::<(i64, i64, String, String, String, Time, Time, Time)>(&mut *conn)
        .unwrap();
    type PhotoColumns =
        (i64, i64, Option<i64>, String, String, String, Option<i32>, Option<i32>, String, i32, Time, String);
    let ph = photos::table.select(photos::all_columns).load::<PhotoColumns>(&mut *conn).unwrap();
    type MediaColumns = (
        i64,
        i64,
        String,
        String,
        String,
        String,
        Option<i64>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<i32>,
        Time,
        Time,
        Time,
        String,
    );
    let me = media_items::table.select(media_items::all_columns).load::<MediaColumns>(&mut *conn).unwrap();
    assert_eq!((li.len(), al.len(), ph.len(), me.len()), (5, 1, 3, 1));
    let de = desks::table
        .select(desks::all_columns)
        .load::<(i64, String, String, String, String, String, String, Time)>(&mut *conn)
        .unwrap();
    let ho = holidays::table.select(holidays::all_columns).load::<(chrono::NaiveDate, String)>(&mut *conn).unwrap();
    type ProcedureColumns = (i64, i64, String, String, String, i32, Option<i64>, String, String, String, String);
    let pr = procedures::table.select(procedures::all_columns).load::<ProcedureColumns>(&mut *conn).unwrap();
    type DossierColumns = (
        i64,
        i64,
        String,
        String,
        i64,
        String,
        String,
        String,
        i32,
        Time,
        Time,
        Option<Time>,
        Option<Time>,
        Option<i64>,
        Time,
    );
    let ds = dossiers::table.select(dossiers::all_columns).load::<DossierColumns>(&mut *conn).unwrap();
    let ev = dossier_events::table
        .select(dossier_events::all_columns)
        .load::<(i64, i64, i32, String, Time, Option<i64>)>(&mut *conn)
        .unwrap();
    // Two desks of 20 procedures; the reference ward's four dossiers: four receipts and six moves.
    assert_eq!((de.len(), ho.len(), pr.len(), ds.len(), ev.len()), (2, 11, 40, 4, 10));
    type OfficialColumns =
        (i64, i64, String, String, String, String, String, String, String, String, bool, bool, i32, Time, Time);
    let of = officials::table.select(officials::all_columns).load::<OfficialColumns>(&mut *conn).unwrap();
    assert_eq!(of.iter().filter(|o| o.10).count(), 3, "three leaders among {} officials", of.len());
    type Day2 = Option<chrono::NaiveDate>;
    type DocumentColumns = (
        (i64, i64, String, String, String, String, String, String, chrono::NaiveDate, i32),
        (Day2, Day2, String, String, String, Option<i64>, String, Time, Time),
    );
    let dc = documents::table
        .select((
            (
                documents::id,
                documents::site_id,
                documents::kind,
                documents::number,
                documents::number_key,
                documents::issuer,
                documents::issuer_key,
                documents::signer,
                documents::issued_on,
                documents::issued_year,
            ),
            (
                documents::effective_on,
                documents::expires_on,
                documents::field,
                documents::field_key,
                documents::summary,
                documents::replaces_id,
                documents::search_text,
                documents::created_at,
                documents::updated_at,
            ),
        ))
        .load::<DocumentColumns>(&mut *conn)
        .unwrap();
    let df = document_files::table.select(document_files::all_columns).load::<(i64, i64, i32)>(&mut *conn).unwrap();
    assert_eq!((dc.len(), dc.iter().filter(|d| d.1.5.is_some()).count(), df.len()), (7, 1, 1));
    type EntryColumns = (i64, i64, Time, Option<Time>, String, String, String, String, String, Time, Time);
    let ce = calendar_entries::table.select(calendar_entries::all_columns).load::<EntryColumns>(&mut *conn).unwrap();
    assert_eq!(ce.iter().filter(|e| e.3.is_some()).count(), 5);
    type Day3 = chrono::NaiveDate;
    type DisclosureColumns = (i64, i64, String, String, String, Day3, Day3, Day3, Option<Day3>, String, Time, Time);
    let di = disclosures::table.select(disclosures::all_columns).load::<DisclosureColumns>(&mut *conn).unwrap();
    let dd = disclosure_documents::table
        .select(disclosure_documents::all_columns)
        .load::<(i64, i64, i32)>(&mut *conn)
        .unwrap();
    assert_eq!((di.len(), dd.len()), (2, 1));
    type PageColumns =
        (i64, i64, Option<i64>, String, String, String, String, String, Option<Time>, i32, Time, Time, i32);
    let pa = pages::table.select(pages::all_columns).load::<PageColumns>(&mut *conn).unwrap();
    assert_eq!((pa.len(), pa.iter().filter(|p| p.2.is_none()).count()), (6, 2));
    type MenuColumns = (i64, i64, String, Option<i64>, String, String, String, i32, Time);
    let mi = menu_items::table.select(menu_items::all_columns).load::<MenuColumns>(&mut *conn).unwrap();
    assert_eq!((mi.len(), mi.iter().filter(|m| m.2 == "header").count()), (11, 9));
    type SeoColumns = (String, i64, i64, String, String, String, String, bool);
    let se = seo::table.select(seo::all_columns).load::<SeoColumns>(&mut *conn).unwrap();
    let os =
        old_slugs::table.select(old_slugs::all_columns).load::<(i64, String, String, i64, Time)>(&mut *conn).unwrap();
    assert_eq!((se.len(), os.len()), (1, 1));
    type RevisionOf = (i64, String, i64, i64, Option<i64>, String, Time, String);
    let rv = revisions::table.select(revisions::all_columns).load::<RevisionOf>(&mut *conn).unwrap();
    assert_eq!(rv.iter().filter(|r| r.1 == "page").count(), pa.len(), "each demo page has its first revision");
}

#[test]
fn migrations_run_up_down_up_on_sqlite() {
    round_trip(Backend::Sqlite);
}

#[test]
fn migrations_run_up_down_up_on_postgres() {
    round_trip(Backend::Postgres);
}

/// Migrations 6 (kept counts) and 7 (body last) applied to a database that already holds
/// articles: counts start right, bodies and everything else survive, triggers keep counting.
fn read_path_migrations_keep_existing_articles(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let pool = db.pool(1, 5000);
    let mut conn = pool.get().unwrap();
    portal::migrate(&mut conn).unwrap();
    assert!(portal::demo::seed_if_empty(&mut conn, tempfile::tempdir().unwrap().path()).unwrap());
    type Row = (i64, i64, String, String, Option<chrono::NaiveDateTime>, String);
    let load = |conn: &mut portal::db::Conn| -> Vec<Row> {
        articles::table
            .select((
                articles::id,
                articles::category_id,
                articles::status,
                articles::title,
                articles::published_at,
                articles::body_html,
            ))
            .order(articles::id)
            .load(&mut **conn)
            .unwrap()
    };
    let before = load(&mut conn);
    assert!(before.iter().any(|a| a.5.len() > 1000), "the seed article has a long body");
    // Back to the schema of migration 5, before the kept counts: undo every later one.
    let later_than_5 = portal::db::migration_names().0.len() - 5;
    portal::db::revert_last(&mut conn, later_than_5).unwrap();
    // Written while the schema had no counts: the upgrade must count it too.
    diesel::sql_query("UPDATE articles SET status = 'trashed' WHERE id = 2").execute(&mut *conn).unwrap();
    assert_eq!(portal::migrate(&mut conn).unwrap(), later_than_5);
    let mut expected = before.clone();
    expected[1].2 = "trashed".into();
    assert_eq!(load(&mut conn), expected);
    let kept = |conn: &mut portal::db::Conn, status: &str| -> i64 {
        article_counts::table
            .filter(article_counts::status.eq(status))
            .select(article_counts::n)
            .load::<i64>(&mut **conn)
            .unwrap()
            .into_iter()
            .sum()
    };
    let counted = |status: &str| expected.iter().filter(|a| a.2 == status).count() as i64;
    assert_eq!(kept(&mut conn, "trashed"), counted("trashed"));
    assert_eq!(kept(&mut conn, "published"), counted("published"));
    diesel::sql_query("UPDATE articles SET status = 'published' WHERE id = 2").execute(&mut *conn).unwrap();
    assert_eq!(kept(&mut conn, "trashed"), counted("trashed") - 1);
    assert_eq!(kept(&mut conn, "published"), counted("published") + 1);
}

#[test]
fn read_path_migrations_keep_existing_articles_on_sqlite() {
    read_path_migrations_keep_existing_articles(Backend::Sqlite);
}

#[test]
fn read_path_migrations_keep_existing_articles_on_postgres() {
    read_path_migrations_keep_existing_articles(Backend::Postgres);
}

/// The demo's public articles (published, their time come): (id, site id, title), by id.
fn public_articles(conn: &mut portal::db::Conn) -> Vec<(i64, i64, String)> {
    articles::table
        .filter(articles::status.eq("published"))
        .filter(articles::published_at.le(chrono::Utc::now().naive_utc()))
        .select((articles::id, articles::site_id, articles::title))
        .order(articles::id)
        .load(&mut **conn)
        .unwrap()
}

/// A public search of `text` in site `site_id`, best first: (ids, total).
fn search_public(conn: &mut portal::db::Conn, site_id: i64, text: &str) -> (Vec<i64>, i64) {
    use portal::articles::search::{SearchOrder, SearchScope, search_articles};
    let scope = SearchScope::public(site_id, chrono::Utc::now().naive_utc());
    search_articles(conn, &portal::core::text::words(text), &scope, SearchOrder::Relevance, 100, 0).unwrap()
}

/// Migration 10 (search tokens carry their site) on a database that already holds articles:
/// the migration asks for a rebuild, `migrate` does it, and every search finds what it found
/// before.
fn search_index_rebuilt_by_migration(backend: Backend) {
    let Some(db) = TestDb::new(backend) else { return };
    let pool = db.pool(1, 5000);
    let mut conn = pool.get().unwrap();
    portal::migrate(&mut conn).unwrap();
    assert!(portal::demo::seed_if_empty(&mut conn, tempfile::tempdir().unwrap().path()).unwrap());
    let published = public_articles(&mut conn);
    assert!(published.len() > 5);
    // Each article by its own title, then a few searches in the first ward.
    let all = |conn: &mut portal::db::Conn| {
        let mut found = Vec::new();
        for (id, site, title) in &published {
            found.push((search_public(conn, *site, title), *id));
        }
        for q in ["Đảng bộ", "hai duong", "phường", "chuyen doi so", "nghe"] {
            found.push((search_public(conn, published[0].1, q), 0));
        }
        found
    };
    let before = all(&mut conn);
    for ((ids, total), id) in &before[..published.len()] {
        assert!(ids.contains(id), "article {id} is found by its own title");
        assert_eq!(*total, ids.len() as i64);
    }
    // Back to before migration 10 (which asks for the rebuild), and forward again.
    let since_10 = portal::db::migration_names().0.len() - 9;
    portal::db::revert_last(&mut conn, since_10).unwrap();
    assert_eq!(portal::migrate(&mut conn).unwrap(), since_10);
    let after = all(&mut conn);
    assert_eq!(after, before);
    let asked: i64 = diesel::dsl::sql::<diesel::sql_types::BigInt>("SELECT COUNT(*) FROM search_rebuild")
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(asked, 0, "the rebuild clears its request");
    assert_eq!(portal::migrate(&mut conn).unwrap(), 0);
}

#[test]
fn search_index_rebuilt_by_migration_on_sqlite() {
    search_index_rebuilt_by_migration(Backend::Sqlite);
}

#[test]
fn search_index_rebuilt_by_migration_on_postgres() {
    search_index_rebuilt_by_migration(Backend::Postgres);
}

/// Migration 22 moves articles' revisions into the shared store and back again, their ids,
/// content and times kept.
fn article_revisions_move_with_migration_22(backend: Backend) {
    use portal::articles::revisions::ArticleContent;
    let Some(db) = TestDb::new(backend) else { return };
    let pool = db.pool(1, 5000);
    let mut conn = pool.get().unwrap();
    portal::migrate(&mut conn).unwrap();
    assert!(portal::demo::seed_if_empty(&mut conn, tempfile::tempdir().unwrap().path()).unwrap());
    let published =
        chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap().and_hms_micro_opt(7, 30, 15, 250_000).unwrap();
    let content = ArticleContent {
        category_id: 4,
        title: "Đại hội Đảng bộ phường".into(),
        slug: "dai-hoi-dang-bo-phuong".into(),
        summary: "Tóm tắt".into(),
        body_html: "<p>Nội dung \"có dấu\"</p>".into(),
        cover_image_url: Some("/uploads/ab/anh.jpg".into()),
        cover_image_alt: String::new(),
        author_name: None,
        status: "published".into(),
        published_at: Some(published),
    };
    let revised = portal::publishing::Revised::of(portal::seo::ARTICLE, 1, &content).unwrap();
    portal::publishing::record(&mut conn, 1, &revised, None, "update").unwrap();
    let (before, total) = portal::publishing::list(&mut conn, (portal::seo::ARTICLE, 1), 10, 0).unwrap();
    assert_eq!(total, 1);
    // Down to the typed table (before migration 22) and up again.
    let since_22 = portal::db::migration_names().0.len() - 21;
    portal::db::revert_last(&mut conn, since_22).unwrap();
    let kept: i64 = diesel::dsl::sql::<diesel::sql_types::BigInt>("SELECT COUNT(*) FROM article_revisions")
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(kept, 1);
    assert_eq!(portal::migrate(&mut conn).unwrap(), since_22);
    let (after, _) = portal::publishing::list(&mut conn, (portal::seo::ARTICLE, 1), 10, 0).unwrap();
    assert_eq!(
        (after[0].id, &after[0].action, after[0].created_at),
        (before[0].id, &before[0].action, before[0].created_at)
    );
    let read: ArticleContent = after[0].content().unwrap();
    assert_eq!(serde_json::to_value(&read).unwrap(), serde_json::to_value(&content).unwrap());
    // The next revision takes a new id.
    portal::publishing::record(&mut conn, 1, &revised, None, "update").unwrap();
    let (latest, total) = portal::publishing::list(&mut conn, (portal::seo::ARTICLE, 1), 10, 0).unwrap();
    assert_eq!((total, latest[0].id > before[0].id), (2, true));
}

#[test]
fn article_revisions_move_with_migration_22_on_sqlite() {
    article_revisions_move_with_migration_22(Backend::Sqlite);
}

#[test]
fn article_revisions_move_with_migration_22_on_postgres() {
    article_revisions_move_with_migration_22(Backend::Postgres);
}

/// The benchmark's generator fills every resource the benchmark reads.
fn generated_dataset(backend: Backend) {
    let Some(db) = TestDb::new(backend) else { return };
    let pool = db.pool(1, 30_000);
    let mut conn = pool.get().unwrap();
    portal::migrate(&mut conn).unwrap();
    assert_eq!(portal::demo::generate::generate(&mut conn, 2, 50, 7).unwrap(), 50);
    let mut count = |table: &str| -> i64 {
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}")).get_result::<N>(&mut *conn).unwrap().n
    };
    let counts: Vec<i64> = [
        "sites",
        "articles",
        "links",
        "albums",
        "photos",
        "media_items",
        "desks",
        "procedures",
        "dossiers",
        "holidays",
        "officials",
        "documents",
        "calendar_entries",
        "disclosures",
        "disclosure_documents",
        "pages",
    ]
    .iter()
    .map(|t| count(t))
    .collect();
    // Per ward: 12 officials, 300 documents, 56 weeks of 6 entries, 60 disclosures (half with a
    // document), 3 sections of 4 pages.
    assert_eq!(counts, [2, 50, 24, 80, 960, 60, 2, 40, 1000, 11, 24, 600, 672, 120, 60, 30]);
    // Every dossier went through its steps along the national codes.
    let open: i64 = dossiers::table.filter(dossiers::status.eq_any([2, 4, 9])).count().get_result(&mut *conn).unwrap();
    let returned: i64 = dossiers::table.filter(dossiers::status.eq(10)).count().get_result(&mut *conn).unwrap();
    assert!(returned > 700 && open > 0, "returned {returned}, open {open}");
}

#[test]
fn generated_dataset_on_sqlite() {
    generated_dataset(Backend::Sqlite);
}

#[test]
fn generated_dataset_on_postgres() {
    generated_dataset(Backend::Postgres);
}

/// A connection handed back while still inside a transaction (a read or write that panicked
/// half-way) is dropped, not given to the next caller, whose transaction would become a
/// savepoint that never commits.
fn connection_left_in_a_transaction_is_not_reused(backend: Backend) {
    use diesel::connection::{Connection, TransactionManager};
    use diesel::r2d2::R2D2Connection;
    let Some(db) = TestDb::new(backend) else { return };
    let pool = db.pool(1, 5000);
    {
        let mut conn = pool.get().unwrap();
        <portal::db::AnyConnection as Connection>::TransactionManager::begin_transaction(&mut *conn).unwrap();
        assert!(conn.is_broken());
    }
    let mut conn = pool.get().unwrap();
    assert!(!conn.is_broken(), "a fresh connection, not the one left in a transaction");
}

#[test]
fn connection_left_in_a_transaction_is_not_reused_on_sqlite() {
    connection_left_in_a_transaction_is_not_reused(Backend::Sqlite);
}

#[test]
fn connection_left_in_a_transaction_is_not_reused_on_postgres() {
    connection_left_in_a_transaction_is_not_reused(Backend::Postgres);
}

/// `portal reindex` puts back what the index lost (here an article's entry, as when a node of
/// an older version saved it in the old form) and counts every article.
fn reindex_restores_lost_entries(backend: Backend) {
    let Some(db) = TestDb::new(backend) else { return };
    let pool = db.pool(1, 5000);
    let mut conn = pool.get().unwrap();
    portal::migrate(&mut conn).unwrap();
    assert!(portal::demo::seed_if_empty(&mut conn, tempfile::tempdir().unwrap().path()).unwrap());
    let (id, site, title) = public_articles(&mut conn).remove(0);
    let found = |conn: &mut portal::db::Conn| search_public(conn, site, &title).0;
    assert!(found(&mut conn).contains(&id));
    portal::articles::search::remove_from_index(&mut conn, id).unwrap();
    assert!(!found(&mut conn).contains(&id));
    let all: i64 = articles::table.count().get_result(&mut *conn).unwrap();
    assert_eq!(portal::reindex(&mut conn).unwrap(), all as usize);
    assert!(found(&mut conn).contains(&id));
}

#[test]
fn reindex_restores_lost_entries_on_sqlite() {
    reindex_restores_lost_entries(Backend::Sqlite);
}

#[test]
fn reindex_restores_lost_entries_on_postgres() {
    reindex_restores_lost_entries(Backend::Postgres);
}
