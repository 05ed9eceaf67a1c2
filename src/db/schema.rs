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
        body_html -> Text,
        cover_image_url -> Nullable<Text>,
        author_name -> Nullable<Text>,
        status -> Text,
        published_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
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

diesel::joinable!(categories -> sites (site_id));
diesel::joinable!(articles -> sites (site_id));
diesel::joinable!(articles -> categories (category_id));

diesel::allow_tables_to_appear_in_same_query!(sites, categories, articles, article_related);
