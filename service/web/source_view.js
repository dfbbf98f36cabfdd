// The source view: a document's normalised text (what citations point into) with the cited span marked and
// scrolled into view, and the document's metadata beside it.

import * as api from "./api.js";
import { addToBasket, basketItem } from "./basket.js";
import { KIND_NAMES, el, fill, formatDate, formatNumber, notice, sectorNames, toast } from "./dom.js";
import { errorNotice } from "./error_notice.js";
import { copyCitationButton, ocrBadge } from "./hit_card.js";

const LANGUAGE_NAMES = { uk: "українська", ru: "російська", mixed: "змішана" };
/** Room left above the cited span when its panel is scrolled to it: a line of the text before it shows. */
const CITED_SPAN_MARGIN_PX = 40;
/** Room left above the source view when the window is scrolled to it (style.css keeps it in the height). */
const VIEW_MARGIN_PX = 8;

export async function showSource(container, parameters, signal) {
  const docId = parameters.get("doc");
  if (!/^\d+$/.test(docId || "")) {
    fill(container, notice("error", "Не вказано документ.", "Відкрийте документ із результатів пошуку."));
    return;
  }
  fill(container, el("p", { class: "loading" }, "Відкриваю документ…"));
  const chunkId = Number(parameters.get("chunk"));
  let doc;
  let excerpt = null;
  try {
    [doc, excerpt] = await Promise.all([api.document(docId), chunkId ? citedExcerpt(chunkId) : null]);
  } catch (error) {
    if (signal.aborted) return;
    fill(
      container,
      backLink(),
      errorNotice(error, "відкриття документа", () => location.reload()),
    );
    return;
  }
  if (signal.aborted) return;
  document.title = `${doc.title} — hromada`;
  const span = citedSpan(parameters, doc.text);
  const text = sourceText(doc.text, span);
  const panel = el(
    "section",
    { class: "source-text-panel", "aria-label": "Текст документа" },
    text,
    excerpt && span && !span.invalid ? citedBar(excerpt) : null,
  );
  fill(
    container,
    backLink(),
    el(
      "div",
      { class: "source-layout" },
      el(
        "aside",
        { class: "source-meta", "aria-label": "Про документ" },
        el("h1", { tabindex: "-1", id: "source-title" }, doc.title),
        metadata(doc, span),
        moreMetadata(doc),
        excerpt
          ? el("p", { class: "hit-citation" }, el("span", { class: "label" }, "Цитата: "), excerpt.citation)
          : null,
      ),
      panel,
    ),
  );
  const mark = container.querySelector("#cited-span");
  if (mark) showCitedSpan(container.querySelector(".source-layout"), panel, mark);
}

/**
 * The document's title and metadata stay in view above (or, in a wide window, beside) its text: the text
 * scrolls inside its own panel, which is opened at the start of the cited span. When the panel scrolls, the
 * window first brings the whole view to its top (the site's header is one scroll up).
 */
function showCitedSpan(layout, panel, mark) {
  if (panel.scrollHeight > panel.clientHeight) {
    window.scrollTo(0, window.scrollY + layout.getBoundingClientRect().top - VIEW_MARGIN_PX);
    scrollPanelTo(panel, mark);
  }
  // The keyboard starts at the span: Tab goes on to its buttons.
  mark.focus({ preventScroll: true });
}

function scrollPanelTo(panel, mark) {
  panel.scrollTop += mark.getBoundingClientRect().top - panel.getBoundingClientRect().top - CITED_SPAN_MARGIN_PX;
}

/** The excerpt of the cited chunk as the export makes it, for its citation; missing is no reason to fail. */
async function citedExcerpt(chunkId) {
  try {
    const { excerpts } = await api.excerpts([chunkId]);
    return excerpts[0] || null;
  } catch {
    return null;
  }
}

function citedSpan(parameters, text) {
  const start = Number.parseInt(parameters.get("start"), 10);
  const end = Number.parseInt(parameters.get("end"), 10);
  if (!Number.isInteger(start) || !Number.isInteger(end)) return null;
  if (start < 0 || end <= start || end > text.length) return { invalid: true };
  return { start, end };
}

function backLink() {
  return el(
    "p",
    { class: "back" },
    el("button", { type: "button", class: "link-button", onclick: () => history.back() }, "← Назад"),
  );
}

/** Which page of a paginated source a character offset falls on (pages are 1-based). */
function pageAt(pageStarts, offset) {
  let page = 0;
  while (page + 1 < pageStarts.length && pageStarts[page + 1] <= offset) page += 1;
  return page + 1;
}

function metadata(doc, span) {
  return definitions([
    ["Вид", KIND_NAMES[doc.kind] || doc.kind],
    ["Дата", formatDate(doc.date)],
    ["Регіон", doc.region],
    ["Сектор", sectorNames(doc.sector)],
    ["Розпізнано OCR", recognisedPages(doc)],
    ["Цитоване місце", span && !span.invalid ? citedPlace(doc, span) : null],
  ]);
}

/** What identifies the file and its processing, folded: the reader of a citation seldom needs it. */
function moreMetadata(doc) {
  return el(
    "details",
    { class: "more-metadata" },
    el("summary", {}, "Більше про документ"),
    definitions([
      ["Файл", doc.source],
      ["Номер запису", doc.record_id],
      ["Мова", LANGUAGE_NAMES[doc.language] || doc.language],
      ["Фрагментів", formatNumber(doc.chunk_count)],
      ["Сторінок", doc.paginated ? formatNumber(doc.page_starts.length) : null],
    ]),
  );
}

function definitions(rows) {
  return el(
    "dl",
    { class: "metadata" },
    rows.filter(([, value]) => value).map(([name, value]) => [el("dt", {}, name), el("dd", {}, value)]),
  );
}

/** Which pages were recognised from a scan, by what, and how sure it was (metadata["ocr"], indexing/ocr/record.py). */
function recognisedPages(doc) {
  const ocr = doc.metadata && doc.metadata.ocr;
  if (!ocr || !ocr.pages || !ocr.pages.length) return null;
  const pages = doc.paginated ? `с. ${ocr.pages.join(", ")}` : "увесь текст";
  const confidence = ocr.mean_confidence == null ? "" : `, впевненість ${formatNumber(ocr.mean_confidence)}%`;
  return `${pages} (${ocr.engine}, ${ocr.languages}${confidence})`;
}

function citedPlace(doc, span) {
  const characters = `символи ${formatNumber(span.start)}–${formatNumber(span.end)}`;
  if (!doc.paginated) return characters;
  const page = pageAt(doc.page_starts, span.start);
  const place = `с. ${page}, ${characters}`;
  const ocr = doc.metadata && doc.metadata.ocr;
  if (!ocr || !(ocr.pages || []).includes(page)) return place;
  return [`${place} `, ocrBadge(ocrOfPage(ocr, page))];
}

/** The OCR note of one recognised page, as a search hit carries it. */
function ocrOfPage(ocr, page) {
  const index = ocr.pages.indexOf(page);
  const confidence = (ocr.page_confidence || [])[index];
  return { engine: ocr.engine, languages: ocr.languages, confidence: confidence ?? null };
}

/**
 * The cited span's buttons, in a bar kept at the foot of the text panel while it scrolls. It comes right after
 * the text in the page, so from the span (where the keyboard starts) Tab goes straight to these buttons.
 */
function citedBar(excerpt) {
  return el(
    "div",
    { class: "cited-bar", role: "group", "aria-label": "Цитоване місце" },
    el(
      "button",
      {
        type: "button",
        class: "secondary",
        onclick: () =>
          toast(addToBasket(basketItem(excerpt)) ? "Витяг додано до звіту." : "Цей витяг уже у звіті."),
      },
      "+ До звіту",
    ),
    copyCitationButton(excerpt),
    el(
      "button",
      {
        type: "button",
        class: "link-button",
        title: "Показати початок цитованого місця",
        onclick: () => {
          const mark = document.getElementById("cited-span");
          scrollPanelTo(mark.closest(".source-text-panel"), mark);
          mark.focus({ preventScroll: true });
        },
      },
      "↑ Цитоване місце",
    ),
  );
}

function sourceText(text, span) {
  const attributes = { class: "source-text", lang: "uk" };
  if (!span) return el("div", attributes, text);
  if (span.invalid) {
    return [
      notice(
        "error",
        "Цитоване місце не знайдено в документі.",
        "Документ, мабуть, переіндексовано: знайдіть витяг пошуком ще раз.",
      ),
      el("div", attributes, text),
    ];
  }
  const mark = el(
    "mark",
    { id: "cited-span", class: "cited", tabindex: "-1" },
    text.slice(span.start, span.end),
  );
  return el("div", attributes, text.slice(0, span.start), mark, text.slice(span.end));
}
