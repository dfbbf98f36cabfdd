// Marks the words of a text that match the query's words, allowing for Ukrainian endings.
//
// The server matches lemmas (pymorphy3), which the page does not have. A prefix is a good stand-in: Ukrainian
// inflects mostly at the end of a word, so "вода" and "води" share "вод", "будинках" and "будинок" share
// "будин". The prefix is the word without its last two letters, but at least 3 and at most 5 letters long.
// Words under 3 letters and common function words are not marked.

const WORD = /[\p{L}\p{M}'’ʼ-]+/gu;
const FUNCTION_WORDS = new Set(
  "але або ані бо від все для дуже його яка які який якщо коли лише між над немає під при про так також там тим то усі це цей чи що щоб як".split(
    " ",
  ),
);

function normalised(word) {
  return word.toLocaleLowerCase("uk").replace(/[’ʼ]/g, "'");
}

/** The prefixes to look for: one for each distinct meaningful word of the query. */
export function queryStems(query) {
  const stems = new Set();
  for (const [word] of (query || "").matchAll(WORD)) {
    const lower = normalised(word).replace(/^-+|-+$/g, "");
    if (lower.length < 3 || FUNCTION_WORDS.has(lower)) continue;
    stems.add(lower.slice(0, Math.min(5, Math.max(3, lower.length - 2))));
  }
  return [...stems];
}

/** Nodes of `text` with every word that starts with one of `stems` wrapped in <mark>. */
export function highlighted(text, stems) {
  if (!stems.length) return [document.createTextNode(text)];
  const nodes = [];
  let last = 0;
  for (const match of text.matchAll(WORD)) {
    const word = normalised(match[0]);
    if (!stems.some((stem) => word.startsWith(stem))) continue;
    if (match.index > last) nodes.push(document.createTextNode(text.slice(last, match.index)));
    const mark = document.createElement("mark");
    mark.textContent = match[0];
    nodes.push(mark);
    last = match.index + match[0].length;
  }
  if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}
