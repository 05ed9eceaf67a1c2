//! What the response cache knows of the routes: each resource declares its own [`Rules`]
//! beside its routes, the app hands them all to [`Routes::new`] with the OpenAPI document, and
//! the middleware asks [`Routes`]. The cache itself lists no resource.
//!
//! By default a public `GET` answer (`Cache-Control: public` with an `ETag`) is kept, and a
//! successful write under `/api/v1/sites/{site}/` makes that site's kept answers stale.

use actix_web::dev::ResourceDef;
use utoipa::openapi::OpenApi;

/// A resource's exceptions to the default, by route pattern as in the OpenAPI document
/// (`/api/v1/sites/{site}/visits/summary`).
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// Reads whose answers change without a write (figures counted up to now): never kept,
    /// answered by their handler, `If-None-Match` included.
    pub fresh: &'static [&'static str],
    /// Writes that no kept answer shows (a visit, a sign-in, a dossier's move): they leave the
    /// site's kept answers as they are. Such a write records itself with
    /// `audit::record_private`, so the other nodes keep theirs too.
    pub quiet: &'static [&'static str],
}

impl Rules {
    /// No exceptions.
    pub const NONE: Rules = Rules { fresh: &[], quiet: &[] };
}

/// One documented read.
struct Read {
    def: ResourceDef,
    /// Its documented query parameters.
    queries: Vec<String>,
    fresh: bool,
}

/// The documented reads with their rules, and the quiet writes.
pub struct Routes {
    reads: Vec<Read>,
    quiet: Vec<&'static str>,
    /// Path → index in `reads` (`usize::MAX`: none), so that a hot path is matched once.
    known: moka::sync::Cache<String, usize>,
}

impl Routes {
    /// The `GET` operations of `doc` with their query parameters, and `rules`. A rule naming a
    /// route the document does not have (a `GET` for `fresh`, another method for `quiet`) is
    /// an error that names it.
    pub fn new(doc: &OpenApi, rules: &[Rules]) -> Result<Self, String> {
        for rule in rules {
            for pattern in rule.fresh {
                if doc.paths.paths.get(*pattern).is_none_or(|item| item.get.is_none()) {
                    return Err(format!("cache rule: no documented GET {pattern}"));
                }
            }
            for pattern in rule.quiet {
                let writes = doc.paths.paths.get(*pattern).is_some_and(|item| {
                    item.post.is_some() || item.put.is_some() || item.patch.is_some() || item.delete.is_some()
                });
                if !writes {
                    return Err(format!("cache rule: no documented write {pattern}"));
                }
            }
        }
        let fresh = |path: &str| rules.iter().any(|r| r.fresh.contains(&path));
        let reads = doc
            .paths
            .paths
            .iter()
            .filter_map(|(path, item)| {
                let queries = item
                    .get
                    .as_ref()?
                    .parameters
                    .iter()
                    .flatten()
                    .filter(|p| matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query))
                    .map(|p| p.name.clone())
                    .collect();
                Some(Read { def: ResourceDef::new(path.as_str()), queries, fresh: fresh(path) })
            })
            .collect();
        let quiet = rules.iter().flat_map(|r| r.quiet.iter().copied()).collect();
        Ok(Routes { reads, quiet, known: moka::sync::Cache::new(10_000) })
    }

    fn read(&self, path: &str) -> Option<&Read> {
        let index = self.known.get(path).unwrap_or_else(|| {
            let found = self.reads.iter().position(|r| r.def.is_match(path)).unwrap_or(usize::MAX);
            self.known.insert(path.to_owned(), found);
            found
        });
        self.reads.get(index)
    }

    /// True for a path whose read is never kept.
    pub fn fresh(&self, path: &str) -> bool {
        self.read(path).is_some_and(|r| r.fresh)
    }

    /// True for a write route (its pattern) that no kept answer shows.
    pub fn quiet(&self, pattern: &str) -> bool {
        self.quiet.contains(&pattern)
    }

    /// `query` with only the parameters the read of `path` documents, in the order sent; `None`
    /// when it keeps them all (or the path is no documented read). A cacheable read keeps only
    /// those: `?zz=<random>` neither makes a new entry (a flood of them pushed the hot ones
    /// out) nor reaches the handler (or the `Link` it writes).
    pub fn documented_query(&self, path: &str, query: &str) -> Option<String> {
        let names = &self.read(path)?.queries;
        let documented = |pair: &str| {
            let name = pair.split('=').next().unwrap_or("");
            url::form_urlencoded::parse(name.as_bytes()).next().is_some_and(|(n, _)| names.iter().any(|k| *k == n))
        };
        let pairs: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
        let kept: Vec<&str> = pairs.iter().copied().filter(|p| documented(p)).collect();
        (kept.len() != pairs.len()).then(|| kept.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem, PathsBuilder};

    fn doc() -> OpenApi {
        let op = || OperationBuilder::new().build();
        let paths = PathsBuilder::new()
            .path("/api/v1/sites/{site}/articles", PathItem::new(HttpMethod::Get, op()))
            .path("/api/v1/sites/{site}/visits/summary", PathItem::new(HttpMethod::Get, op()))
            .path("/api/v1/sites/{site}/visits", PathItem::new(HttpMethod::Post, op()))
            .build();
        let mut doc = OpenApi::default();
        doc.paths = paths;
        doc
    }

    const VISITS: Rules =
        Rules { fresh: &["/api/v1/sites/{site}/visits/summary"], quiet: &["/api/v1/sites/{site}/visits"] };

    #[test]
    fn resources_name_their_exceptions() {
        let routes = Routes::new(&doc(), &[VISITS, Rules::NONE]).unwrap();
        assert!(routes.fresh("/api/v1/sites/phuong-chi-minh/visits/summary"));
        assert!(!routes.fresh("/api/v1/sites/phuong-chi-minh/articles"));
        assert!(!routes.fresh("/api/v1/sites/phuong-chi-minh/nothing"));
        assert!(routes.quiet("/api/v1/sites/{site}/visits"));
        assert!(!routes.quiet("/api/v1/sites/{site}/articles"));
    }

    #[test]
    fn a_rule_for_a_route_that_is_not_there_is_refused() {
        let typo = Rules { fresh: &["/api/v1/sites/{site}/visit/summary"], quiet: &[] };
        assert_eq!(
            Routes::new(&doc(), &[typo]).err().as_deref(),
            Some("cache rule: no documented GET /api/v1/sites/{site}/visit/summary")
        );
        let read_as_write = Rules { fresh: &[], quiet: &["/api/v1/sites/{site}/articles"] };
        assert_eq!(
            Routes::new(&doc(), &[read_as_write]).err().as_deref(),
            Some("cache rule: no documented write /api/v1/sites/{site}/articles")
        );
    }
}
