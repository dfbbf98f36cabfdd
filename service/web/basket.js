// The report basket: excerpts chosen for a report, kept in localStorage so they survive reloads and searches.
//
// An item keeps what the basket view shows (text, citation, title) and what the source view needs (document,
// span); the export itself is made by the server from the chunk ids, so its citations are always current.

const STORAGE = "hromada.basket";
const TITLE_STORAGE = "hromada.basketTitle";

/** The items in report order. */
export function basketItems() {
  try {
    const items = JSON.parse(localStorage.getItem(STORAGE) || "[]");
    return Array.isArray(items) ? items : [];
  } catch {
    return [];
  }
}

function save(items) {
  localStorage.setItem(STORAGE, JSON.stringify(items));
  window.dispatchEvent(new CustomEvent("basketchange", { detail: items.length }));
}

/** The report's name, the heading and title of its file ("" until the reader names it). */
export function basketTitle() {
  return localStorage.getItem(TITLE_STORAGE) || "";
}

export function setBasketTitle(title) {
  localStorage.setItem(TITLE_STORAGE, title);
}

/** What the basket keeps of a search hit, an excerpt or a precedent. */
export function basketItem(hit) {
  return {
    chunk_id: hit.chunk_id,
    doc_id: hit.doc_id,
    start: hit.start,
    end: hit.end,
    title: hit.title,
    kind: hit.kind,
    text: hit.text,
    citation: hit.citation,
  };
}

export function inBasket(chunkId) {
  return basketItems().some((item) => item.chunk_id === chunkId);
}

/** Adds an item at the end; an excerpt already there is not added twice. Returns whether it was added. */
export function addToBasket(item) {
  const items = basketItems();
  if (items.some((known) => known.chunk_id === item.chunk_id)) return false;
  save([...items, item]);
  return true;
}

export function removeFromBasket(chunkId) {
  save(basketItems().filter((item) => item.chunk_id !== chunkId));
}

/** Moves an item one place up (-1) or down (+1). */
export function moveInBasket(chunkId, step) {
  const items = basketItems();
  const from = items.findIndex((item) => item.chunk_id === chunkId);
  const to = from + step;
  if (from < 0 || to < 0 || to >= items.length) return;
  [items[from], items[to]] = [items[to], items[from]];
  save(items);
}

export function clearBasket() {
  save([]);
}
