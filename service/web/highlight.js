// An excerpt's text as the reader sees it: the words that match the query marked, Markdown headings as headings.
//
// Search hits carry `highlights`, the server's spans of the words whose lemma (pymorphy3) is one of the query's,
// so «статут» marks «статуту» but not «Стаття». Where a list has no spans (precedents of a problem), a prefix is
// the stand-in: the word without its last two letters, but at least 3 and at most 5 letters long; words under 3
// letters and common function words are not marked. The text itself is never changed: a heading line loses
// only its «#» marks on screen, so the marks and a citation's offsets stay where they are.

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

const HEADING_LINE = /^ {0,3}(#{1,6})[ \t]+/;

/**
 * Nodes of `text`: each Markdown heading line as a `.excerpt-heading` line without its marks, and the words
 * in `spans` (offsets into `text`), or else those starting with one of `stems`, in <mark>.
 */
export function excerptNodes(text, { spans = [], stems = [] } = {}) {
  const mark = spans.length ? (from, to) => markedSpans(text, spans, from, to) : (from, to) => highlighted(text.slice(from, to), stems);
  const nodes = [];
  let start = 0;
  for (const line of text.split("\n")) {
    const end = start + line.length;
    const heading = HEADING_LINE.exec(line);
    if (heading) {
      const title = document.createElement("span");
      title.className = "excerpt-heading";
      title.append(...mark(start + heading[0].length, end));
      nodes.push(title);
    } else {
      nodes.push(...mark(start, end), document.createTextNode(end < text.length ? "\n" : ""));
    }
    start = end + 1;
  }
  return nodes;
}

/** Nodes of `text[from:to]` with the parts inside `spans` (sorted [start, end] offsets into `text`) in <mark>. */
function markedSpans(text, spans, from, to) {
  const nodes = [];
  let last = from;
  for (const [spanStart, spanEnd] of spans) {
    const start = Math.max(spanStart, last);
    const end = Math.min(spanEnd, to);
    if (end <= start) continue;
    if (start > last) nodes.push(document.createTextNode(text.slice(last, start)));
    const mark = document.createElement("mark");
    mark.textContent = text.slice(start, end);
    nodes.push(mark);
    last = end;
  }
  if (last < to) nodes.push(document.createTextNode(text.slice(last, to)));
  return nodes;
}
