// Recurring problems: the list with size, regions, first and last seen and a trend line each; a chart of the
// largest problems over time; one problem with its typical statements and its precedents (laws, projects, cases).

import * as api from "./api.js";
import { sparkline, trendChart, monthlyCounts, trendCounts } from "./charts.js";
import { el, fill, formatDate, formatMonth, formatNumber, notice, saveBlob } from "./dom.js";
import { errorNotice } from "./error_notice.js";
import { queryStems } from "./highlight.js";
import { hitCard } from "./hit_card.js";
import { sourceUrl, viewUrl } from "./router.js";

const CHART_PROBLEMS = 5;
const REGIONS_SHOWN = 3;
const MONTHS_SHOWN_OPEN = 18;
const TREND_NAMES = { growing: "зростає", shrinking: "спадає", stable: "стабільно", unknown: "замало даних" };
const TREND_RULE =
  "Тест Манна–Кендалла: чи зростає частка проблеми серед усіх висловлювань місяця (двобічний, рівень 0,05). " +
  "Місяці — від першої згадки до останнього місяця збірки; перший місяць не перевіряється. " +
  "Менше 6 місяців або 10 згадок — замало даних.";
const BRIEF_FORMATS = {
  docx: { extension: "docx", label: "Завантажити довідку (DOCX)", secondary: false },
  markdown: { extension: "md", label: "Довідка в Markdown", secondary: true },
};
const PRECEDENT_GROUPS = [
  ["legislation", "Законодавство", "Статті законів, що стосуються проблеми."],
  ["proposals", "Проєкти", "Проєктні пропозиції, що її розв’язують."],
  ["cases", "Випадки", "Схожі звернення та виступи, де про неї вже йшлося."],
];

export async function showProblems(container, _parameters, signal) {
  document.title = "Проблеми — hromada";
  const heading = el("h1", { tabindex: "-1" }, "Повторювані проблеми");
  fill(container, heading, el("p", { class: "loading" }, "Завантажую проблеми…"));
  let problems;
  try {
    ({ problems } = await api.problems());
  } catch (error) {
    if (signal.aborted) return;
    fill(container, heading, problemsError(error, "перелік проблем"));
    return;
  }
  if (signal.aborted) return;
  if (!problems.length) {
    fill(container, heading, noProblems(container, signal));
    return;
  }
  const largest = problems
    .slice(0, CHART_PROBLEMS)
    .map((problem) => ({ label: problem.label, counts: monthlyCounts(problem) }));
  fill(
    container,
    heading,
    el(
      "p",
      { class: "hint" },
      `Знайдено ${formatNumber(problems.length)} проблем; найбільші — першими. Відкрийте проблему, щоб побачити приклади та прецеденти.`,
    ),
    trendChart(largest, `Найбільші проблеми за місяцями (звернень і висловлювань на місяць)`),
    problemTable(problems),
  );
}

function problemsError(error, action) {
  if (error.isMissing) {
    return notice(
      "info",
      "Аналіз проблем на цьому сервері ще недоступний.",
      "Сервер не має розділу /problems: оновіть hromada до версії з пошуком повторюваних проблем.",
    );
  }
  return errorNotice(error, action, () => location.reload());
}

function noProblems(container, signal) {
  const status = el("div", { "aria-live": "polite" });
  const button = el("button", { type: "button" }, "Знайти повторювані проблеми");
  button.addEventListener("click", async () => {
    button.disabled = true;
    fill(
      status,
      el("p", { class: "loading" }, "Шукаю проблеми в зверненнях і стенограмах… це може тривати хвилину."),
    );
    try {
      await api.clusterProblems();
      await showProblems(container, null, signal);
    } catch (error) {
      button.disabled = false;
      fill(status, problemsError(error, "пошук проблем"));
    }
  });
  return notice(
    "info",
    "Проблем ще не знайдено.",
    "Повторювані проблеми виділяються зі звернень, стенограм і пропозицій у сховищі. Запустіть пошук тут або командою hromada cluster.",
    el("div", { class: "actions" }, button),
    status,
  );
}

function problemTable(problems) {
  return el(
    "div",
    { class: "table-scroll" },
    el(
      "table",
      { class: "problems-table" },
      el("caption", { class: "visually-hidden" }, "Перелік повторюваних проблем"),
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          ["Проблема", "Згадок", "Регіони", "Уперше", "Востаннє", "Динаміка"].map((name) =>
            el("th", { scope: "col" }, name),
          ),
        ),
      ),
      el("tbody", {}, problems.map(problemRow)),
    ),
  );
}

function problemRow(problem) {
  return el(
    "tr",
    { "data-problem-id": problem.id },
    el(
      "th",
      { scope: "row" },
      el("a", { href: viewUrl("problem", { id: problem.id }), "data-nav": true }, problem.label),
      problem.keywords?.length ? el("span", { class: "keywords" }, problem.keywords.join(", ")) : null,
    ),
    // data-label names a cell where a narrow window shows each row as a card, without the header row.
    el("td", { class: "number", "data-label": "Згадок" }, formatNumber(problem.size)),
    el("td", { "data-label": "Регіони" }, regionsText(problem.regions || [])),
    el("td", { "data-label": "Уперше" }, formatDate(problem.first_seen) || "—"),
    el("td", { "data-label": "Востаннє" }, formatDate(problem.last_seen) || "—"),
    el(
      "td",
      { class: "trend-cell", "data-label": "Динаміка" },
      sparkline(trendCounts(problem), `Динаміка «${problem.label}»`),
      trendWord(problem),
    ),
  );
}

/** The trend in a word, with the test and the counts it rests on in its tooltip. */
function trendWord(problem) {
  if (!problem.trend) return null;
  const counts = (problem.trend_months || [])
    .map((month) => `${formatMonth(month.month)}: ${month.count} з ${month.total}`)
    .join("; ");
  return el(
    "span",
    {
      class: `trend trend-${problem.trend}`,
      title: [trendTestText(problem), counts].filter(Boolean).join("\n"),
    },
    TREND_NAMES[problem.trend] || problem.trend,
  );
}

function trendTestText(problem) {
  if (!problem.trend_test) return "";
  const p = problem.trend_p_value ?? null;
  return p === null ? TREND_RULE : `${TREND_RULE} p = ${formatNumber(p, 3)}.`;
}

/** The months the trend rests on: the problem's statements and all statements of each month. */
function trendTable(problem) {
  const months = problem.trend_months || [];
  if (!months.length) return null;
  return el(
    "details",
    // Open when it is short enough to read at a glance; a long archive's months stay one click away.
    { class: "trend-months", open: months.length <= MONTHS_SHOWN_OPEN },
    el("summary", {}, "Згадки за місяцями, на яких стоїть динаміка"),
    el("p", { class: "hint" }, trendTestText(problem)),
    el(
      "table",
      { class: "months-table" },
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          ["Місяць", "Згадок", "Усіх висловлювань"].map((name) => el("th", { scope: "col" }, name)),
        ),
      ),
      el(
        "tbody",
        {},
        months.map((month) =>
          el(
            "tr",
            {},
            el("th", { scope: "row" }, formatMonth(month.month)),
            el("td", { class: "number" }, formatNumber(month.count)),
            el("td", { class: "number" }, formatNumber(month.total)),
          ),
        ),
      ),
    ),
  );
}

function regionsText(regions) {
  if (!regions.length) return "—";
  const shown = regions.slice(0, REGIONS_SHOWN).join(", ");
  return regions.length > REGIONS_SHOWN ? `${shown} і ще ${regions.length - REGIONS_SHOWN}` : shown;
}

export async function showProblem(container, parameters, signal) {
  const problemId = parameters.get("id");
  const back = el(
    "p",
    { class: "back" },
    el("a", { href: viewUrl("problems"), "data-nav": true }, "← Усі проблеми"),
  );
  fill(container, back, el("p", { class: "loading" }, "Відкриваю проблему…"));
  let problem;
  try {
    problem = await api.problem(problemId);
  } catch (error) {
    if (signal.aborted) return;
    fill(
      container,
      back,
      error.status === 404 && !error.isMissing
        ? notice("error", "Такої проблеми немає.", "Перелік проблем міг оновитися: відкрийте його знову.")
        : problemsError(error, "відкриття проблеми"),
    );
    return;
  }
  if (signal.aborted) return;
  document.title = `${problem.label} — hromada`;
  const precedents = el("section", {
    class: "precedents",
    id: "precedents",
    "aria-labelledby": "precedents-heading",
    "aria-busy": "true",
  });
  fill(
    container,
    back,
    el("h1", { tabindex: "-1" }, problem.label),
    problem.keywords?.length
      ? el("p", { class: "keywords" }, `Ключові слова: ${problem.keywords.join(", ")}`)
      : null,
    problemFacts(problem),
    briefActions(problem),
    trendChart([{ label: problem.label, counts: trendCounts(problem) }], "Згадки за місяцями"),
    trendTable(problem),
    el(
      "section",
      { class: "problem-examples", "aria-labelledby": "examples-heading" },
      el("h2", { id: "examples-heading" }, "Типові висловлювання"),
      examplesList(problem.examples || []),
    ),
    precedents,
  );
  await showPrecedents(precedents, problem, signal);
}

function problemFacts(problem) {
  const rows = [
    ["Згадок", formatNumber(problem.size)],
    ["Документів", problem.documents ? formatNumber(problem.documents) : null],
    ["Регіони", (problem.regions || []).join(", ")],
    ["Уперше", formatDate(problem.first_seen)],
    ["Востаннє", formatDate(problem.last_seen)],
    ["Динаміка", problem.trend ? trendWord(problem) : null],
  ];
  return el(
    "dl",
    { class: "metadata facts" },
    rows.filter(([, value]) => value).map(([name, value]) => [el("dt", {}, name), el("dd", {}, value)]),
  );
}

/** Downloads of the problem's brief: the start of an analytical note, made by GET /problems/{id}/brief. */
function briefActions(problem) {
  const status = el("div", { class: "brief-status", "aria-live": "polite" });
  const download = async (format) => {
    const name = `brief-${problem.id}.${BRIEF_FORMATS[format].extension}`;
    fill(status, el("p", { class: "loading" }, "Готую довідку: шукаю закони, проєкти, випадки й партнерів…"));
    try {
      saveBlob(await api.problemBrief(problem.id, format), name);
      fill(status, el("p", { class: "hint" }, `Файл ${name} завантажено.`));
    } catch (error) {
      fill(status, errorNotice(error, "підготовка довідки"));
    }
  };
  return el(
    "section",
    { class: "brief-actions", "aria-label": "Довідка про проблему" },
    el(
      "div",
      { class: "actions" },
      Object.entries(BRIEF_FORMATS).map(([format, { label, secondary }]) =>
        el(
          "button",
          {
            type: "button",
            class: secondary ? "secondary" : null,
            "data-format": format,
            onclick: () => download(format),
          },
          label,
        ),
      ),
    ),
    el(
      "p",
      { class: "hint" },
      "Довідка — початок аналітичної записки: повторюваність із графіком, типові висловлювання, закони, " +
        "проєкти, попередні випадки й громади-партнери; кожна цитата дослівна, з посиланням у виносці.",
    ),
    status,
  );
}

function examplesList(examples) {
  if (!examples.length) return el("p", { class: "hint" }, "Прикладів немає.");
  return el(
    "ul",
    { class: "example-list" },
    examples.map((example) =>
      el(
        "li",
        {},
        el("blockquote", { class: "hit-text" }, example.text),
        hasSpan(example)
          ? el(
              "a",
              { href: sourceUrl({ ...example, chunk_id: example.chunk_id ?? "" }), "data-nav": true },
              "відкрити в джерелі",
            )
          : el("span", { class: "hint" }, `запис ${example.id}`),
      ),
    ),
  );
}

function hasSpan(example) {
  return (
    example.doc_id !== undefined &&
    example.doc_id !== null &&
    example.start !== undefined &&
    example.end !== undefined
  );
}

async function showPrecedents(section, problem, signal) {
  const heading = el("h2", { id: "precedents-heading" }, "Прецеденти");
  fill(section, heading, el("p", { class: "loading" }, "Шукаю закони, проєкти й випадки…"));
  let found;
  try {
    found = await api.precedents({ problem_id: problem.id });
  } catch (error) {
    if (signal.aborted) return;
    section.removeAttribute("aria-busy");
    const missing = error.isMissing
      ? notice(
          "info",
          "Пошук прецедентів на цьому сервері ще недоступний.",
          "Сервер не має розділу /precedents: оновіть hromada.",
        )
      : null;
    fill(section, heading, missing || errorNotice(error, "пошук прецедентів", () => location.reload()));
    return;
  }
  if (signal.aborted) return;
  section.removeAttribute("aria-busy");
  const stems = queryStems([problem.label, ...(problem.keywords || [])].join(" "));
  fill(
    section,
    heading,
    el(
      "div",
      { class: "precedent-groups" },
      PRECEDENT_GROUPS.map(([key, title, about]) => {
        const hits = found[key] || [];
        return el(
          "section",
          { class: "precedent-group", "data-group": key, "aria-label": title },
          el("h3", {}, `${title} (${hits.length})`),
          el("p", { class: "hint" }, about),
          hits.length
            ? el(
                "ol",
                { class: "hits" },
                hits.map((hit) =>
                  el(
                    "li",
                    {},
                    hitCard({ ...hit, rank: null }, { stems, reason: hit.reason, headingLevel: "h4" }),
                  ),
                ),
              )
            : el("p", { class: "empty" }, "Нічого схожого не знайдено."),
        );
      }),
    ),
  );
}
