//! Tables, kept by hand in the types both backends share (`BigInt` ids, `Text`, UTC `Timestamp`).
//! The full-text tables (`article_search`) differ per backend and are reached only through
//! [`super::backend`].

diesel::table! {
    /// A ward or commune: one portal of the deployment.
    sites (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        description -> Text,
        time_zone -> Text,
        created_at -> Timestamp,
        /// The visit total carried over from the site's old portal.
        visits_imported -> BigInt,
        address -> Text,
        phone -> Text,
        fax -> Text,
        email -> Text,
        logo_url -> Text,
        banner_url -> Text,
        footer_text -> Text,
        /// The frontend's public address (feeds and sitemaps link to it).
        base_url -> Text,
    }
}

diesel::table! {
    /// News categories of a site, a tree ordered by `position`.
    categories (id) {
        id -> BigInt,
        site_id -> BigInt,
        parent_id -> Nullable<BigInt>,
        slug -> Text,
        name -> Text,
        description -> Text,
        position -> Integer,
    }
}

diesel::table! {
    /// News articles. `published_at` is UTC; an article is public when its status is
    /// `published` and that time has come.
    articles (id) {
        id -> BigInt,
        site_id -> BigInt,
        category_id -> BigInt,
        title -> Text,
        slug -> Text,
        summary -> Text,
        cover_image_url -> Nullable<Text>,
        author_name -> Nullable<Text>,
        status -> Text,
        published_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        /// The user who created it (none for imported and demo content).
        created_by -> Nullable<BigInt>,
        /// Bumped by every save; the ETag writers send back in `If-Match`.
        version -> Integer,
        /// The cover's text alternative; empty when none (migration 21).
        cover_image_alt -> Text,
        /// Last, so that reading the other columns never reads the pages a long body spills to.
        body_html -> Text,
    }
}

diesel::table! {
    /// Related articles chosen by an editor, in `position` order.
    article_related (article_id, related_id) {
        article_id -> BigInt,
        related_id -> BigInt,
        position -> Integer,
    }
}

diesel::table! {
    /// Staff accounts.
    users (id) {
        id -> BigInt,
        email -> Text,
        password_hash -> Text,
        is_admin -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// A user's role (`editor` or `author`) on one site.
    memberships (user_id, site_id) {
        user_id -> BigInt,
        site_id -> BigInt,
        role -> Text,
    }
}

diesel::table! {
    /// Refresh tokens (hashed), in families that rotate.
    refresh_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        family -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// Every write through the API.
    audit_log (id) {
        id -> BigInt,
        user_id -> Nullable<BigInt>,
        user_email -> Text,
        action -> Text,
        target -> Text,
        site_id -> Nullable<BigInt>,
        client_ip -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Uploaded files, stored on disk under their content hash.
    uploads (id) {
        id -> BigInt,
        site_id -> BigInt,
        sha256 -> Text,
        file_name -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        original_name -> Text,
        width -> Nullable<Integer>,
        height -> Nullable<Integer>,
        thumbnail_name -> Nullable<Text>,
        medium_name -> Nullable<Text>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        alt -> Text,
    }
}

diesel::table! {
    /// Page views per site and local day.
    visit_days (site_id, day) {
        site_id -> BigInt,
        day -> Date,
        page_views -> BigInt,
        bot_views -> BigInt,
    }
}

diesel::table! {
    /// Unique visitors (salted hashes) per site and local day.
    visitor_days (site_id, day, visitor) {
        site_id -> BigInt,
        day -> Date,
        visitor -> Text,
    }
}

diesel::table! {
    /// When each hashed visitor was last seen.
    visitors_online (site_id, visitor) {
        site_id -> BigInt,
        visitor -> Text,
        last_seen -> Timestamp,
    }
}

diesel::table! {
    /// Views per article and local day.
    article_view_days (article_id, day) {
        site_id -> BigInt,
        article_id -> BigInt,
        day -> Date,
        views -> BigInt,
    }
}

diesel::table! {
    /// The salt of each day's visitor hashes.
    visit_salts (day) {
        day -> Date,
        salt -> Text,
    }
}

diesel::table! {
    /// Articles per site, category and status, kept by triggers (migration 6).
    article_counts (site_id, category_id, status) {
        site_id -> BigInt,
        category_id -> BigInt,
        status -> Text,
        n -> BigInt,
    }
}

diesel::table! {
    /// Website links, grouped by `group_name` (migration 8).
    links (id) {
        id -> BigInt,
        site_id -> BigInt,
        group_name -> Text,
        title -> Text,
        url -> Text,
        position -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// A ward's officials: leaders and the contacts for information requests (migration 13).
    officials (id) {
        id -> BigInt,
        site_id -> BigInt,
        name -> Text,
        title -> Text,
        unit -> Text,
        duties -> Text,
        phone -> Text,
        email -> Text,
        photo_url -> Text,
        photo_alt -> Text,
        leader -> Bool,
        information_contact -> Bool,
        position -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// Legal and administrative documents; `*_key` are folded for filters (migration 14).
    documents (id) {
        id -> BigInt,
        site_id -> BigInt,
        kind -> Text,
        number -> Text,
        number_key -> Text,
        issuer -> Text,
        issuer_key -> Text,
        signer -> Text,
        issued_on -> Date,
        issued_year -> Integer,
        effective_on -> Nullable<Date>,
        expires_on -> Nullable<Date>,
        field -> Text,
        field_key -> Text,
        summary -> Text,
        replaces_id -> Nullable<BigInt>,
        search_text -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// A document's files among the site's uploads, by `position`.
    document_files (document_id, upload_id) {
        document_id -> BigInt,
        upload_id -> BigInt,
        position -> Integer,
    }
}

diesel::table! {
    /// The leaders' work calendar; times in UTC (migration 15).
    calendar_entries (id) {
        id -> BigInt,
        site_id -> BigInt,
        starts_at -> Timestamp,
        ends_at -> Nullable<Timestamp>,
        place -> Text,
        chair -> Text,
        attendees -> Text,
        content -> Text,
        note -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// The register of disclosed items (migration 16).
    disclosures (id) {
        id -> BigInt,
        site_id -> BigInt,
        kind -> Text,
        title -> Text,
        summary -> Text,
        period_start -> Date,
        period_end -> Date,
        posted_on -> Date,
        posted_until -> Nullable<Date>,
        form -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// The documents attached to a disclosed item, by `position`.
    disclosure_documents (disclosure_id, document_id) {
        disclosure_id -> BigInt,
        document_id -> BigInt,
        position -> Integer,
    }
}

diesel::table! {
    /// A site's static pages, in a tree (migration 18).
    pages (id) {
        id -> BigInt,
        site_id -> BigInt,
        parent_id -> Nullable<BigInt>,
        slug -> Text,
        title -> Text,
        summary -> Text,
        body_html -> Text,
        status -> Text,
        published_at -> Nullable<Timestamp>,
        position -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        /// Bumped by every save; the ETag writers send back in `If-Match` (migration 22).
        version -> Integer,
    }
}

diesel::table! {
    /// A site's header and footer menus, nested (migration 19).
    menu_items (id) {
        id -> BigInt,
        site_id -> BigInt,
        location -> Text,
        parent_id -> Nullable<BigInt>,
        label -> Text,
        kind -> Text,
        target -> Text,
        position -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Photo albums; `published_at` is the date they show (UTC).
    albums (id) {
        id -> BigInt,
        site_id -> BigInt,
        slug -> Text,
        title -> Text,
        description -> Text,
        published_at -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// The photos of an album, in `position` order.
    photos (id) {
        id -> BigInt,
        album_id -> BigInt,
        upload_id -> Nullable<BigInt>,
        image_url -> Text,
        thumbnail_url -> Text,
        medium_url -> Text,
        width -> Nullable<Integer>,
        height -> Nullable<Integer>,
        caption -> Text,
        position -> Integer,
        created_at -> Timestamp,
        alt -> Text,
    }
}

diesel::table! {
    /// Songs and videos: an uploaded or linked file, or an embed from another site.
    media_items (id) {
        id -> BigInt,
        site_id -> BigInt,
        slug -> Text,
        title -> Text,
        description -> Text,
        kind -> Text,
        upload_id -> Nullable<BigInt>,
        file_url -> Nullable<Text>,
        content_type -> Nullable<Text>,
        embed_url -> Nullable<Text>,
        thumbnail_url -> Nullable<Text>,
        duration_seconds -> Nullable<Integer>,
        published_at -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        transcript -> Text,
    }
}

diesel::table! {
    /// A site's one-stop desk (migration 9); `hours` is JSON.
    desks (site_id) {
        site_id -> BigInt,
        name -> Text,
        address -> Text,
        phone -> Text,
        email -> Text,
        unit_code -> Text,
        hours -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// Days off of every desk.
    holidays (day) {
        day -> Date,
        name -> Text,
    }
}

diesel::table! {
    /// A desk's catalogue of procedures; `documents` is a JSON list.
    procedures (id) {
        id -> BigInt,
        site_id -> BigInt,
        code -> Text,
        name -> Text,
        field -> Text,
        processing_days -> Integer,
        fee_vnd -> Nullable<BigInt>,
        fee_note -> Text,
        online_level -> Text,
        documents -> Text,
        /// Code, name and field folded (no diacritics, lower case), for search.
        search_text -> Text,
    }
}

diesel::table! {
    /// Dossiers filed at a desk; `status` is the national code 1-10.
    dossiers (id) {
        id -> BigInt,
        site_id -> BigInt,
        code -> Text,
        /// Printed on the receipt; the public lookup needs it.
        lookup_key -> Text,
        procedure_id -> BigInt,
        applicant_name -> Text,
        applicant_phone -> Text,
        channel -> Text,
        status -> Integer,
        received_at -> Timestamp,
        due_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
        returned_at -> Nullable<Timestamp>,
        created_by -> Nullable<BigInt>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// The statuses a dossier took.
    dossier_events (id) {
        id -> BigInt,
        dossier_id -> BigInt,
        status -> Integer,
        note -> Text,
        at -> Timestamp,
        user_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    /// What search engines read of an article, a page or a category, where it overrides the
    /// defaults (migration 21).
    seo (kind, target_id) {
        kind -> Text,
        target_id -> BigInt,
        site_id -> BigInt,
        title -> Text,
        description -> Text,
        image_url -> Text,
        canonical_url -> Text,
        noindex -> Bool,
    }
}

diesel::table! {
    /// Slugs an article or a category had before a rename; they answer 301 (migration 21).
    old_slugs (site_id, kind, slug) {
        site_id -> BigInt,
        kind -> Text,
        slug -> Text,
        target_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Every saved state of a page, its content fields as JSON (migration 22).
    revisions (id) {
        id -> BigInt,
        kind -> Text,
        target_id -> BigInt,
        site_id -> BigInt,
        user_id -> Nullable<BigInt>,
        action -> Text,
        created_at -> Timestamp,
        content -> Text,
    }
}

diesel::joinable!(categories -> sites (site_id));
diesel::joinable!(articles -> sites (site_id));
diesel::joinable!(articles -> categories (category_id));

diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(memberships -> sites (site_id));
diesel::joinable!(photos -> albums (album_id));
diesel::joinable!(dossiers -> procedures (procedure_id));
diesel::joinable!(dossier_events -> dossiers (dossier_id));
diesel::joinable!(document_files -> documents (document_id));
diesel::joinable!(document_files -> uploads (upload_id));
diesel::joinable!(disclosure_documents -> disclosures (disclosure_id));
diesel::joinable!(disclosure_documents -> documents (document_id));

diesel::allow_tables_to_appear_in_same_query!(
    sites,
    categories,
    articles,
    article_related,
    users,
    memberships,
    refresh_tokens,
    audit_log,
    uploads,
    visit_days,
    visitor_days,
    visitors_online,
    article_view_days,
    visit_salts,
    article_counts,
    links,
    officials,
    documents,
    document_files,
    calendar_entries,
    disclosures,
    disclosure_documents,
    pages,
    menu_items,
    albums,
    photos,
    media_items,
    desks,
    holidays,
    procedures,
    dossiers,
    dossier_events,
    seo,
    old_slugs,
    revisions,
);
