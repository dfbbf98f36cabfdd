// The search view: a question in Ukrainian, filters, highlighted results with their sources, pages of results.
// The form only changes the URL; the results are always drawn from the URL, so a search can be shared.

import * as api from "./api.js";
import { KIND_NAMES, SECTOR_NAMES, el, fill, formatDate, formatNumber, notice } from "./dom.js";
import { errorNotice } from "./error_notice.js";
import { hitCard } from "./hit_card.js";
import { navigate, viewUrl } from "./router.js";

const PAGE_SIZES = [10, 20, 50];
/** The server searches this many characters of a query (service/searcher.py MAX_QUERY_CHARS). */
const MAX_QUERY_CHARS = 2000;
const HEADING_QUERY_CHARS = 120;
const FILTERS = ["kind", "sector", "region", "since", "until", "mode", "per"];
const EXAMPLE_QUERIES = [
  "підвезення учнів до школи",
  "аварійний водогін",
  "виключна компетенція ради",
  "укриття в школах",
];
const MODE_NAMES = { hybrid: "змішаний (зміст і слова)", dense: "за змістом", lexical: "за словами" };

/** Draws the search view for the URL's parameters, keeping the form (and its focus) when it is already there. */
export async function showSearch(container, parameters, signal) {
  if (!container.querySelector("#search-form")) fill(container, searchLayout());
  const form = container.querySelector("#search-form");
  setFormValues(form, parameters);
  const results = container.querySelector("#results");
  const query = (parameters.get("q") || "").trim();
  document.title = query ? `${query} — пошук hromada` : "hromada — пошук у документах громад";
  if (!query) {
    await showIntroduction(results, signal);
    return;
  }
  const status = container.querySelector("#search-status");
  await showResults(results, query, parameters, signal);
  if (!signal.aborted) status.textContent = results.querySelector("h2, .notice-title")?.textContent || "";
}

function searchLayout() {
  const form = el(
    "form",
    { id: "search-form", class: "search-form", role: "search" },
    el("label", { for: "q", class: "visually-hidden" }, "Запит"),
    el(
      "div",
      { class: "query-row" },
      el("input", {
        id: "q",
        name: "q",
        type: "search",
        placeholder: "Наприклад: підвезення учнів до школи",
        autocomplete: "off",
      }),
      el("button", { type: "submit" }, "Шукати"),
    ),
    el(
      "button",
      {
        type: "button",
        id: "filters-toggle",
        class: "link-button filters-toggle",
        "aria-controls": "filters",
        "aria-expanded": "false",
        onclick: toggleFilters,
      },
      el("span", { class: "filters-toggle-name" }, "Фільтри"),
      el("span", { class: "filters-summary" }),
    ),
    el(
      "fieldset",
      { class: "filters", id: "filters" },
      el("legend", { class: "visually-hidden" }, "Фільтри"),
      selectField("kind", "Вид документа", "усі види", KIND_NAMES),
      selectField("sector", "Сектор", "усі сектори", SECTOR_NAMES),
      field(
        "region",
        "Регіон",
        el("input", {
          id: "region",
          name: "region",
          type: "text",
          list: "regions",
          placeholder: "напр. Полтавська",
        }),
      ),
      el("datalist", { id: "regions" }),
      field("since", "Від дати", el("input", { id: "since", name: "since", type: "date" })),
      field("until", "До дати", el("input", { id: "until", name: "until", type: "date" })),
      selectField("mode", "Спосіб пошуку", null, MODE_NAMES),
      selectField(
        "per",
        "На сторінці",
        null,
        Object.fromEntries(PAGE_SIZES.map((size) => [size, String(size)])),
      ),
      el("button", { type: "button", class: "secondary", onclick: resetFilters }, "Скинути фільтри"),
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submitSearch(form);
  });
  showFilters(form, false);
  loadRegions(form.querySelector("#regions"));
  return [
    el("h1", { class: "visually-hidden" }, "Пошук"),
    form,
    // The results are too long to be read out on every change; this line says what changed.
    el("p", { id: "search-status", class: "visually-hidden", "aria-live": "polite" }),
    el("section", { id: "results", class: "results", "aria-label": "Результати пошуку", tabindex: "-1" }),
  ];
}

function field(name, label, control) {
  return el("div", { class: "field" }, el("label", { for: name }, label), control);
}

function selectField(name, label, anyLabel, options) {
  const select = el(
    "select",
    { id: name, name },
    anyLabel ? el("option", { value: "" }, anyLabel) : null,
    Object.entries(options).map(([value, text]) => el("option", { value }, text)),
  );
  return field(name, label, select);
}

function setFormValues(form, parameters) {
  form.elements.q.value = parameters.get("q") || "";
  for (const name of FILTERS) form.elements[name].value = parameters.get(name) || "";
  if (!form.elements.mode.value) form.elements.mode.value = "hybrid";
  if (!form.elements.per.value) form.elements.per.value = String(PAGE_SIZES[0]);
  form.querySelector(".filters-summary").textContent = filtersSummary(parameters);
}

/**
 * Folds the filters away or shows them. They start folded: the first result then fits in a phone's window,
 * and the keyboard goes from the query to it in three Tabs; the toggle names the filters in force.
 */
function showFilters(form, shown) {
  form.querySelector("#filters").hidden = !shown;
  form.querySelector("#filters-toggle").setAttribute("aria-expanded", String(shown));
}

function toggleFilters(event) {
  const form = event.currentTarget.form;
  showFilters(form, form.querySelector("#filters").hidden);
}

/** The filters in force, in words, beside the toggle: folded filters still say what they do. */
function filtersSummary(parameters) {
  const date = (name, prefix) => (parameters.get(name) ? `${prefix} ${formatDate(parameters.get(name))}` : "");
  const mode = parameters.get("mode");
  const chosen = [
    KIND_NAMES[parameters.get("kind")] || "",
    SECTOR_NAMES[parameters.get("sector")] || "",
    parameters.get("region") || "",
    date("since", "від"),
    date("until", "до"),
    mode && mode !== "hybrid" ? MODE_NAMES[mode] || "" : "",
  ].filter(Boolean);
  return chosen.length ? `: ${chosen.join(" · ")}` : "";
}

/** The form's question and filters into the URL (a new search starts on page 1). */
function submitSearch(form) {
  const query = form.elements.q.value.trim();
  if (!query) {
    form.elements.q.focus();
    return;
  }
  const parameters = { q: query };
  for (const name of FILTERS) parameters[name] = form.elements[name].value.trim();
  if (parameters.mode === "hybrid") parameters.mode = "";
  if (parameters.per === String(PAGE_SIZES[0])) parameters.per = "";
  navigate(viewUrl("search", parameters));
}

function resetFilters(event) {
  const form = event.target.form;
  for (const name of FILTERS) form.elements[name].value = "";
  setFormValues(form, new URLSearchParams({ q: form.elements.q.value }));
  if (form.elements.q.value.trim()) submitSearch(form);
}

/** Regions of the indexed documents as suggestions for the region field (the filter also takes any other name of a region: «Полтавщина», «Решетилівська громада»). */
async function loadRegions(datalist) {
  try {
    const { documents } = await api.documents();
    const regions = [...new Set(documents.map((document) => document.region).filter(Boolean))].sort((a, b) =>
      a.localeCompare(b, "uk"),
    );
    fill(
      datalist,
      regions.map((region) => el("option", { value: region })),
    );
  } catch {
    // Suggestions are a convenience: without them the field still filters.
  }
}

async function showIntroduction(results, signal) {
  const examples = el(
    "ul",
    { class: "examples" },
    EXAMPLE_QUERIES.map((query) =>
      el("li", {}, el("a", { href: viewUrl("search", { q: query }), "data-nav": true }, query)),
    ),
  );
  fill(
    results,
    el("h2", {}, "Що шукати"),
    el(
      "p",
      {},
      "Поставте запитання звичайними словами — пошук знаходить і за змістом, і за формами слів. ",
      "Звузьте результати фільтрами; адресу сторінки з результатами можна надіслати колезі.",
    ),
    el("p", {}, "Спробуйте:"),
    examples,
  );
  try {
    const stats = await api.stats();
    if (signal.aborted) return;
    results.append(corpusSummary(stats));
  } catch (error) {
    if (signal.aborted) return;
    results.append(errorNotice(error, "огляд сховища", () => location.reload()));
  }
}

function corpusSummary(stats) {
  const kinds = Object.entries(stats.kinds || {}).map(
    ([kind, count]) => `${KIND_NAMES[kind] || kind}: ${formatNumber(count)}`,
  );
  if (!stats.chunks) {
    return notice(
      "info",
      "Сховище порожнє.",
      "Додайте документи в розділі «Додати документи» або командою hromada index.",
    );
  }
  return el(
    "p",
    { class: "corpus-summary" },
    `У сховищі ${formatNumber(stats.documents)} документів, ${formatNumber(stats.chunks)} фрагментів. `,
    kinds.join(" · "),
  );
}

async function showResults(results, query, parameters, signal) {
  const pageSize = PAGE_SIZES.includes(Number(parameters.get("per")))
    ? Number(parameters.get("per"))
    : PAGE_SIZES[0];
  const page = Math.max(1, Number.parseInt(parameters.get("page") || "1", 10) || 1);
  // A longer query is cut here, at a word's end, as the server would cut it: an address has a length limit.
  const searched = cutQuery(query);
  const request = { q: searched, k: pageSize + 1, offset: (page - 1) * pageSize };
  for (const name of ["kind", "sector", "region", "since", "until", "mode"])
    request[name] = parameters.get(name) || "";
  results.setAttribute("aria-busy", "true");
  results.dataset.state = "loading";
  fill(results, el("p", { class: "loading" }, "Шукаю…"));
  const started = performance.now();
  let answer;
  try {
    answer = await api.search(request);
  } catch (error) {
    if (signal.aborted) return;
    results.dataset.state = "error";
    results.removeAttribute("aria-busy");
    fill(
      results,
      errorNotice(error, "пошук", () => location.reload()),
    );
    return;
  }
  if (signal.aborted) return;
  const seconds = (performance.now() - started) / 1000;
  const hits = answer.hits.slice(0, pageSize);
  results.removeAttribute("aria-busy");
  results.dataset.state = hits.length ? "results" : "empty";
  const cut = answer.cut || searched !== query;
  if (!hits.length) {
    fill(results, cut ? cutNotice(answer.query) : null, noResults(page, parameters));
    return;
  }
  const first = hits[0].rank;
  results.dataset.close = String(answer.close_match !== false);
  fill(
    results,
    el(
      "h2",
      { class: "results-heading" },
      `Результати ${first}–${first + hits.length - 1} за запитом «${shortened(answer.query)}»`,
      el("span", { class: "timing" }, ` · ${formatNumber(seconds, 2)} с`),
    ),
    cut ? cutNotice(answer.query) : null,
    answer.close_match === false ? weakNotice() : null,
    el(
      "p",
      { class: "hint results-total" },
      totalLine(answer),
      "Позначено слова запиту в усіх їхніх формах.",
    ),
    el(
      "ol",
      { class: "hits", start: first },
      hits.map((hit) => el("li", {}, hitCard(hit))),
    ),
    pager(parameters, page, answer.hits.length > pageSize),
  );
}

function cutQuery(query) {
  if (query.length <= MAX_QUERY_CHARS) return query;
  const start = query.slice(0, MAX_QUERY_CHARS);
  const lastSpace = start.search(/\s\S*$/);
  return (lastSpace > 0 ? start.slice(0, lastSpace) : start).trimEnd();
}

function shortened(query) {
  return query.length <= HEADING_QUERY_CHARS ? query : `${query.slice(0, HEADING_QUERY_CHARS).trimEnd()}…`;
}

function cutNotice(searched) {
  return notice(
    "info",
    `Запит задовгий: шукали лише за першими ${formatNumber(searched.length)} символами.`,
    `Пошук бере до ${formatNumber(MAX_QUERY_CHARS)} символів. Скоротіть запит до головного — так результати будуть точнішими.`,
  );
}

function weakNotice() {
  return notice(
    "info",
    "Нічого не збігається із запитом близько.",
    "Нижче — найближче, що є у сховищі, але воно має мало спільного із запитом. " +
      "Перевірте написання, сформулюйте інакше або приберіть фільтри; можливо, таких документів ще немає у сховищі.",
  );
}

/** How many passages hold the query's words: a count, «понад N», or nothing for search by meaning only. */
function totalLine(answer) {
  if (answer.total === null || answer.total === undefined) return "";
  const count = answer.total_is_more ? `понад ${formatNumber(answer.total)}` : formatNumber(answer.total);
  const one = !answer.total_is_more && answer.total % 10 === 1 && answer.total % 100 !== 11;
  return `Слова запиту трапляються у ${count} ${one ? "фрагменті" : "фрагментах"}. `;
}

function noResults(page, parameters) {
  if (page > 1) {
    return notice(
      "info",
      "На цій сторінці результатів уже немає.",
      el("a", { href: pageUrl(parameters, 1), "data-nav": true }, "До першої сторінки"),
    );
  }
  const filtered = ["kind", "sector", "region", "since", "until"].some((name) => parameters.get(name));
  return notice(
    "info",
    "Нічого не знайдено.",
    filtered
      ? "Спробуйте прибрати частину фільтрів (кнопка «Скинути фільтри»)."
      : "Спробуйте інші слова або коротший запит.",
    "Якщо потрібних документів ще немає у сховищі, додайте їх у розділі «Додати документи».",
  );
}

function pageUrl(parameters, page) {
  const next = Object.fromEntries(parameters.entries());
  delete next.view;
  next.page = page > 1 ? page : "";
  return viewUrl("search", next);
}

function pager(parameters, page, hasNext) {
  if (page === 1 && !hasNext) return null;
  return el(
    "nav",
    { class: "pager", "aria-label": "Сторінки результатів" },
    page > 1
      ? el(
          "a",
          { class: "button secondary", href: pageUrl(parameters, page - 1), "data-nav": true, rel: "prev" },
          "← Попередня",
        )
      : null,
    el("span", { "aria-current": "page" }, `Сторінка ${page}`),
    hasNext
      ? el(
          "a",
          { class: "button secondary", href: pageUrl(parameters, page + 1), "data-nav": true, rel: "next" },
          "Наступна →",
        )
      : null,
  );
}
