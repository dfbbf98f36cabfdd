// The HTTP API of hromada (DESIGN.md), as the page uses it. Every request carries the API key when one is set.

const KEY_STORAGE = "hromada.apiKey";

/**
 * An answer other than 2xx: `status`, the server's English `detail`, and its Ukrainian `plain` explanation
 * (`message`, `advice`, `field`) when it gave one.
 */
export class ApiError extends Error {
  constructor(status, detail, plain = {}) {
    super(detail || `HTTP ${status}`);
    this.status = status;
    this.detail = detail;
    this.plain = plain;
  }

  /** The server has no such route (yet): an older server, or a feature not installed. */
  get isMissing() {
    return this.status === 404 && /^Not Found$/i.test(this.detail || "");
  }

  /** A key is needed (401) or the key's role may not do this (403). */
  get needsKey() {
    return this.status === 401 || this.status === 403;
  }
}

/** The key kept for this browser tab only (sessionStorage): it is gone when the tab closes. */
export function apiKey() {
  return sessionStorage.getItem(KEY_STORAGE) || "";
}

export function setApiKey(key) {
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
}

async function request(path, options = {}) {
  const headers = new Headers(options.headers || {});
  const key = apiKey();
  if (key) headers.set("X-API-Key", key);
  let response;
  try {
    response = await fetch(path, { ...options, headers });
  } catch {
    throw new ApiError(0, "сервер не відповідає: перевірте, що hromada serve запущено, і оновіть сторінку");
  }
  if (!response.ok) throw await errorOf(response);
  return response;
}

async function errorOf(response) {
  try {
    const body = await response.json();
    const detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
    return new ApiError(response.status, detail, { message: body.message, advice: body.advice, field: body.field });
  } catch {
    return new ApiError(response.status, response.statusText);
  }
}

async function json(path, options) {
  return (await request(path, options)).json();
}

/** The options of a POST with a JSON body. */
function postJson(body) {
  return { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
}

/** GET /search with the page's parameters (q, k, offset, kind, sector, region, since, until, mode). */
export function search(parameters) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== "" && value !== null && value !== undefined) query.set(name, String(value));
  }
  return json(`/search?${query}`);
}

/** GET /health: {status, store, keys} — `keys` tells whether requests need an API key. */
export function health() {
  return json("/health");
}

export function stats() {
  return json("/stats");
}

export function document(docId) {
  return json(`/documents/${encodeURIComponent(docId)}`);
}

export function documents(limit = 1000) {
  return json(`/documents?limit=${limit}`);
}

/** The cited excerpts of chosen chunks as JSON ({excerpts: [...]}) — the citations exactly as exported. */
export function excerpts(chunkIds) {
  return json("/excerpts", postJson({ chunk_ids: chunkIds, format: "json" }));
}

/** The excerpts of chosen chunks as a file: "markdown" or "docx", headed by `title`; resolves to a Blob. */
export async function excerptsFile(chunkIds, format, title = "") {
  const response = await request("/excerpts", postJson({ chunk_ids: chunkIds, format, title: title || null }));
  return response.blob();
}

export function problems() {
  return json("/problems");
}

export function problem(problemId) {
  return json(`/problems/${encodeURIComponent(problemId)}`);
}

/** A problem's brief as a file ("docx" or "markdown"), every quotation cited; resolves to a Blob. */
export async function problemBrief(problemId, format) {
  const query = new URLSearchParams({ format });
  return (await request(`/problems/${encodeURIComponent(problemId)}/brief?${query}`)).blob();
}

/** Finds recurring problems in the indexed corpus and saves them. */
export function clusterProblems() {
  return json("/problems/cluster", postJson({}));
}

/** Laws, projects and cases like a problem: `{problem_id}` or `{text}`; answers {legislation, proposals, cases}. */
export function precedents(body) {
  return json("/precedents", postJson({ k: 5, ...body }));
}

/** POST /documents: the files (multipart field `file`, repeated) and the kind ("auto" to detect it). */
export function upload(files, kind) {
  const form = new FormData();
  for (const file of files) form.append("file", file, file.name);
  if (kind) form.append("kind", kind);
  return json("/documents", { method: "POST", body: form });
}
