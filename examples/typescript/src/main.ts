// A typed client of the portal API: every path, parameter and answer below is checked by
// `tsc --strict` against the types that openapi-typescript generates from the committed
// openapi/openapi.json (src/schema.d.ts), with no casts. It reads what a ward's home page
// shows, then signs in as staff, receives a dossier that a citizen then looks up, and
// publishes a draft.
//
//   npm ci && npm run build && PORTAL_URL=http://127.0.0.1:8080 \
//       PORTAL_EMAIL=... PORTAL_PASSWORD=... npm start
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Problem = components["schemas"]["Problem"];

const baseUrl = process.env.PORTAL_URL ?? "http://127.0.0.1:8080";
const site = process.env.PORTAL_SITE ?? "phuong-chi-minh";
const api = createClient<paths>({ baseUrl });

/** The data of an answer, or an exception naming the problem. */
function ok<T>(what: string, answer: { data?: T; error?: Problem | undefined; response: Response }): T {
  if (answer.data === undefined) {
    const problem = answer.error;
    throw new Error(`${what}: ${answer.response.status} ${problem ? `${problem.title}: ${problem.detail}` : ""}`);
  }
  return answer.data;
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`unexpected: ${what}`);
}

// The home bundle: the site, its categories, the latest articles, albums, media and links.
const home = ok("home", await api.GET("/api/v1/sites/{site}/home", { params: { path: { site } } })).data;
console.log(`${home.site.name}: ${home.latest_articles.length} latest articles, ${home.links.length} link groups`);
const latest = home.latest_articles[0];
check(latest !== undefined, "the demo ward has articles");

// One article, with its related articles and the previous and next in its category.
const article = ok(
  "article",
  await api.GET("/api/v1/sites/{site}/articles/{article}", {
    params: { path: { site, article: latest!.slug } },
  }),
).data;
console.log(`"${article.title}" in ${article.category.name}: ${article.related.length} related`);
check(article.previous === null || typeof article.previous.slug === "string", "previous is an article or null");

// A search without diacritics finds the words written with them.
const found = ok(
  "search",
  await api.GET("/api/v1/sites/{site}/articles", {
    params: { path: { site }, query: { q: "dai hoi dang bo", per_page: 5 } },
  }),
);
console.log(`search "dai hoi dang bo": ${found.meta.total} found; first: ${found.data[0]?.title ?? "none"}`);
check(found.meta.total > 0, "the search finds the reference article");

// The visit counter of the home page.
const visits = ok("visits", await api.GET("/api/v1/sites/{site}/visits/summary", { params: { path: { site } } })).data;
console.log(`visits: ${visits.today} today, ${visits.total} in all (${visits.time_zone})`);

// Staff sign in.
const email = process.env.PORTAL_EMAIL;
const password = process.env.PORTAL_PASSWORD;
if (!email || !password) throw new Error("set PORTAL_EMAIL and PORTAL_PASSWORD to sign in");
const tokens = ok("sign in", await api.POST("/api/v1/auth/login", { body: { email, password } }));
const headers = { Authorization: `Bearer ${tokens.access_token}` };

// The desk receives a dossier; the citizen looks it up with its code and key, without a token.
const procedures = ok("procedures", await api.GET("/api/v1/sites/{site}/procedures", { params: { path: { site } } }));
const procedure = procedures.data[0];
check(procedure !== undefined, "the demo desk has procedures");
const received = ok(
  "receive a dossier",
  await api.POST("/api/v1/sites/{site}/dossiers", {
    params: { path: { site } },
    headers,
    body: { procedure: procedure!.code, applicant_name: "Nguyễn Thị Hoa", applicant_phone: "0912345678" },
  }),
).data;
check(received.lookup_key !== null, "staff see the lookup key");
const looked = ok(
  "dossier lookup",
  await api.GET("/api/v1/sites/{site}/dossiers/{code}", {
    params: { path: { site, code: received.code }, query: { key: received.lookup_key ?? "" } },
  }),
).data;
console.log(`dossier ${looked.code}: ${looked.status_name}, due ${looked.due_at}`);
check(looked.lookup_key === null, "the citizen's lookup does not echo the key");

// An editor writes a draft and publishes it.
const draft = ok(
  "create a draft",
  await api.POST("/api/v1/sites/{site}/articles", {
    params: { path: { site } },
    headers,
    body: { title: "Thông báo lịch tiếp công dân tháng 12", category: article.category.slug, summary: "Lịch tiếp công dân." },
  }),
).data;
check(draft.status === "draft", "a new article is a draft");
const published = ok(
  "publish",
  await api.POST("/api/v1/sites/{site}/articles/{article}/publish", {
    params: { path: { site, article: String(draft.id) } },
    headers,
  }),
).data;
check(published.status === "published", "publishing publishes");
console.log(`published "${published.title}" at ${published.published_at ?? "?"}`);
