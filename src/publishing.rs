//! What publishing shares: the statuses of what is written, edited and published (articles
//! today; pages and documents next).

/// The status of public content; drafts are never shown to anonymous readers.
pub const PUBLISHED: &str = "published";
/// The status of content still being written.
pub const DRAFT: &str = "draft";
/// The status of content submitted for an editor's review.
pub const REVIEW: &str = "review";
/// The status of content in the trash.
pub const TRASHED: &str = "trashed";
