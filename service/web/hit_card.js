// One found excerpt as a card: where it comes from, its text with the query's words marked, and what to do with it.
// Search results and precedents are both shown this way.

import { addToBasket, basketItem, inBasket, removeFromBasket } from "./basket.js";
import {
  KIND_NAMES,
  citationText,
  copyToClipboard,
  el,
  formatDate,
  formatNumber,
  sectorNames,
  toast,
} from "./dom.js";
import { excerptNodes } from "./highlight.js";
import { sourceUrl } from "./router.js";

const LONG_TEXT_CHARS = 700;

/** Where in its source a hit is: article or section, page, speaker and time, date, region, sector. */
export function placeOf(hit) {
  const parts = [];
  if (hit.section) parts.push(hit.kind === "proposal" ? `розділ «${hit.section}»` : hit.section);
  else if (hit.heading) parts.push(hit.heading);
  if (hit.page) parts.push(`с. ${hit.page}`);
  if (hit.speaker) parts.push(`${hit.speaker}${hit.timestamp ? `, ${hit.timestamp}` : ""}`);
  if (hit.date) parts.push(formatDate(hit.date));
  if (hit.region) parts.push(hit.region);
  if (hit.sector) parts.push(sectorNames(hit.sector));
  return parts.join(" · ");
}

/**
 * The card of `hit`; its `highlights` are marked, else words starting with `stems` (see highlight.js);
 * `reason` says why a precedent was chosen.
 */
export function hitCard(hit, { stems = [], reason = "", headingLevel = "h3" } = {}) {
  return el(
    "article",
    { class: "hit", "data-chunk-id": hit.chunk_id },
    el(
      "header",
      { class: "hit-header" },
      hit.rank
        ? el("span", { class: "hit-rank", "aria-label": `місце ${hit.rank}` }, String(hit.rank))
        : null,
      el(
        headingLevel,
        { class: "hit-title" },
        el("a", { href: sourceUrl(hit), "data-nav": true }, hit.title || hit.source),
      ),
      el("span", { class: `kind-badge kind-${hit.kind}` }, KIND_NAMES[hit.kind] || hit.kind),
      ocrBadge(hit.ocr),
    ),
    el("p", { class: "hit-place" }, placeOf(hit)),
    reason ? el("p", { class: "hit-reason" }, `Чому тут: ${reason}`) : null,
    hitText(hit.text, { spans: hit.highlights || [], stems }),
    el(
      "footer",
      { class: "hit-footer" },
      el(
        "p",
        { class: "hit-citation" },
        el("span", { class: "label" }, "Джерело: "),
        hit.citation || hit.source,
      ),
      el(
        "p",
        { class: "hit-meta" },
        relevanceBadge(hit.relevance),
        el("span", { class: "hit-file" }, hit.source),
      ),
      hitActions(hit),
    ),
  );
}

/**
 * «розпізнано OCR» on a passage whose page was recognised from a scan: its words may hold recognition errors,
 * so the reader is told before quoting it; the tooltip names the engine and how sure it was.
 */
export function ocrBadge(ocr) {
  if (!ocr) return null;
  const confidence =
    ocr.confidence == null ? "" : ` Впевненість розпізнавання на цій сторінці: ${formatNumber(ocr.confidence)}%.`;
  return el(
    "span",
    {
      class: "ocr-badge",
      tabindex: "0",
      title:
        `Текст цієї сторінки розпізнано зі скану (${ocr.engine}, мови ${ocr.languages}); ` +
        `можливі помилки розпізнавання — звірте цитату зі сканом.${confidence}`,
    },
    "розпізнано OCR",
  );
}

/**
 * The hit's closeness to the question on the one scale of search and precedents (service/relevance.py),
 * explained in its tooltip. A list's order also weighs shared words, so a lower number may stand higher.
 */
export function relevanceBadge(relevance) {
  if (!relevance) return null;
  const floor = formatNumber(relevance.floor, 2);
  return el(
    "span",
    {
      class: `hit-score ${relevance.close ? "close" : "far"}`,
      tabindex: "0",
      title:
        "Близькість за змістом: косинус між запитом і фрагментом за моделлю multilingual-e5-small, від 0 до 1. " +
        `Та сама шкала в пошуку і в прецедентах. Нижче ${floor} — мало спільного із запитом. ` +
        "Порядок у списку враховує ще й збіг слів.",
    },
    `близькість ${formatNumber(relevance.similarity, 2)}${relevance.close ? "" : " (мало спільного)"}`,
  );
}

/** The excerpt's text; a long one (a whole law article) is folded to a few lines until the reader unfolds it. */
function hitText(text, marks) {
  const quote = el("blockquote", { class: "hit-text" }, excerptNodes(text, marks));
  if (text.length <= LONG_TEXT_CHARS) return quote;
  quote.classList.add("folded");
  const toggle = el(
    "button",
    { type: "button", class: "link-button", "aria-expanded": "false" },
    "Показати весь текст",
  );
  toggle.addEventListener("click", () => {
    const folded = quote.classList.toggle("folded");
    toggle.setAttribute("aria-expanded", String(!folded));
    toggle.textContent = folded ? "Показати весь текст" : "Згорнути";
  });
  return [quote, toggle];
}

/** Open the source, put into (or take out of) the report, copy the citation. */
export function hitActions(hit) {
  const basketButton = el("button", { type: "button", class: "secondary basket-toggle" });
  const showState = () => {
    const added = inBasket(hit.chunk_id);
    basketButton.textContent = added ? "✓ У звіті (вилучити)" : "+ До звіту";
    basketButton.setAttribute("aria-pressed", String(added));
  };
  basketButton.addEventListener("click", () => {
    if (inBasket(hit.chunk_id)) {
      removeFromBasket(hit.chunk_id);
      toast("Витяг вилучено зі звіту.");
    } else {
      addToBasket(basketItem(hit));
      toast("Витяг додано до звіту.");
    }
    showState();
  });
  showState();
  return el(
    "div",
    { class: "actions" },
    el("a", { class: "button", href: sourceUrl(hit), "data-nav": true }, "Відкрити в джерелі"),
    basketButton,
    copyCitationButton(hit),
  );
}

/** A button that puts «text» (citation). on the clipboard. */
export function copyCitationButton(hit) {
  return el(
    "button",
    {
      type: "button",
      class: "secondary",
      onclick: async () => {
        try {
          await copyToClipboard(citationText(hit.text, hit.citation || hit.title));
          toast("Цитату скопійовано.");
        } catch {
          toast("Браузер не дозволив копіювання: виділіть текст і скопіюйте вручну (Ctrl+C).");
        }
      },
    },
    "Копіювати цитату",
  );
}
