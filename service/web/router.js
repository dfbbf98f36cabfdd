// The page's address is its state: the view and its parameters live in the URL's query (/?view=source&doc=3),
// so any view can be bookmarked or shared, and the browser's back and forward buttons move between them.

export const NAVIGATE_EVENT = "hromada:navigate";

/** Goes to `url` inside the page (no reload) and lets the app draw the view it names. */
export function navigate(url) {
  history.pushState(null, "", url);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

/** The page's URL for a view and its parameters; empty parameters are left out to keep the URL short. */
export function viewUrl(view, parameters = {}) {
  const query = new URLSearchParams();
  if (view && view !== "search") query.set("view", view);
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== "" && value !== null && value !== undefined) query.set(name, String(value));
  }
  const text = query.toString();
  return text ? `/?${text}` : "/";
}

/** The address of a hit's source, opened at the cited span. */
export function sourceUrl(hit) {
  return viewUrl("source", { doc: hit.doc_id, start: hit.start, end: hit.end, chunk: hit.chunk_id });
}
