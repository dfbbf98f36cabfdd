// The source view: a document's normalised text (what citations point into) with the cited span marked and
// scrolled into view, and the document's metadata beside it.

import * as api from "./api.js";
import { addToBasket, basketItem } from "./basket.js";
import { KIND_NAMES, el, fill, formatDate, formatNumber, notice, sectorNames, toast } from "./dom.js";
import { errorNotice } from "./error_notice.js";
import { copyCitationButton, ocrBadge } from "./hit_card.js";

const LANGUAGE_NAMES = { uk: "українська", ru: "російська", mixed: "змішана" };

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
        excerpt ? excerptTools(excerpt) : null,
      ),
      el(
        "section",
        { class: "source-text-panel", "aria-label": "Текст документа" },
        sourceText(doc.text, span),
      ),
    ),
  );
  const mark = container.querySelector("#cited-span");
  if (mark) {
    mark.scrollIntoView({ block: "center" });
    mark.focus({ preventScroll: true });
  }
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
  const rows = [
    ["Вид", KIND_NAMES[doc.kind] || doc.kind],
    ["Файл", doc.source],
    ["Номер запису", doc.record_id],
    ["Дата", formatDate(doc.date)],
    ["Регіон", doc.region],
    ["Сектор", sectorNames(doc.sector)],
    ["Мова", LANGUAGE_NAMES[doc.language] || doc.language],
    ["Фрагментів", formatNumber(doc.chunk_count)],
    ["Сторінок", doc.paginated ? formatNumber(doc.page_starts.length) : null],
    ["Розпізнано OCR", recognisedPages(doc)],
    ["Цитоване місце", span && !span.invalid ? citedPlace(doc, span) : null],
  ];
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

function excerptTools(excerpt) {
  return el(
    "div",
    { class: "excerpt-tools" },
    el("p", { class: "hit-citation" }, el("span", { class: "label" }, "Цитата: "), excerpt.citation),
    el(
      "div",
      { class: "actions" },
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
