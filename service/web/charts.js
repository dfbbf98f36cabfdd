// Small SVG charts of statements per month: a sparkline for each problem, and the largest problems together.

import { el, formatMonth } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
/** Distinct colours that stay apart for readers with the common colour-vision deficiencies (Okabe–Ito). */
export const SERIES_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];
/** How many months a chart labels at most: in a wide window, and in a narrow one (style.css: max-width 760px). */
const WIDE_MONTH_LABELS = 10;
const NARROW_MONTH_LABELS = 3;
const AXIS_MONTH = new Intl.DateTimeFormat("uk-UA", { month: "short" });

function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  element.append(...children.flat(Infinity));
  return element;
}

/** A problem's counts per month ({"2025-01": 3}), whichever name the server gives them. */
export function monthlyCounts(problem) {
  return problem.monthly_counts || problem.counts_per_month || {};
}

/**
 * The counts the trend rests on: every month from the problem's first statement to the collection's last
 * month, quiet ones as zeros. A server without trend months gives the problem's own months.
 */
export function trendCounts(problem) {
  if (!problem.trend_months?.length) return monthlyCounts(problem);
  return Object.fromEntries(problem.trend_months.map((month) => [month.month, month.count]));
}

/** Every month from the first to the last of `months`, so that quiet months show as zero, not as a gap. */
export function monthRange(months) {
  const sorted = [...months].sort();
  if (!sorted.length) return [];
  const range = [];
  let [year, month] = sorted[0].split("-").map(Number);
  const last = sorted[sorted.length - 1];
  for (;;) {
    const key = `${year}-${String(month).padStart(2, "0")}`;
    range.push(key);
    if (key >= last) return range;
    month += 1;
    if (month > 12) [year, month] = [year + 1, 1];
  }
}

/** A line of counts per month, 120×28, with a dot on the last month; an explanation when there is no date. */
export function sparkline(counts, label) {
  const months = monthRange(Object.keys(counts));
  if (months.length < 2) {
    return el("span", { class: "hint" }, months.length ? `лише ${formatMonth(months[0])}` : "без дат");
  }
  const values = months.map((month) => counts[month] || 0);
  const width = 120;
  const height = 28;
  const points = linePoints(values, width, height, 3);
  const [lastX, lastY] = points[points.length - 1];
  return svg(
    "svg",
    {
      class: "sparkline",
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      role: "img",
      "aria-label": `${label}: ${describe(months, values)}`,
    },
    svg("polyline", {
      points: points.map((point) => point.join(",")).join(" "),
      fill: "none",
      stroke: "currentColor",
      "stroke-width": 1.5,
    }),
    svg("circle", { cx: lastX, cy: lastY, r: 2.5, fill: "currentColor" }),
  );
}

function linePoints(values, width, height, margin) {
  const top = Math.max(1, ...values);
  const step = (width - 2 * margin) / Math.max(1, values.length - 1);
  return values.map((value, index) => [
    round(margin + index * step),
    round(height - margin - (value / top) * (height - 2 * margin)),
  ]);
}

function round(value) {
  return Math.round(value * 10) / 10;
}

function describe(months, values) {
  return months.map((month, index) => `${formatMonth(month)} — ${values[index]}`).join("; ");
}

/** "2025-02" as "лют. 2025": a month label short enough for an axis. */
function axisMonth(month) {
  const [year, number] = month.split("-").map(Number);
  return `${AXIS_MONTH.format(new Date(year, number - 1, 1))} ${year}`;
}

/** The indices of at most `count` months to label, evenly spread, the first and the last among them. */
function labelledMonths(monthCount, count) {
  const shown = Math.min(monthCount, count);
  return new Set(
    Array.from({ length: shown }, (_, index) => Math.round((index * (monthCount - 1)) / Math.max(1, shown - 1))),
  );
}

/**
 * Lines of counts per month for several problems, with axes, month labels and a legend.
 * `series` is [{label, counts}]; the chart has a text equivalent in its aria-label.
 *
 * The lines are drawn in a 100×100 box stretched over the plot (their strokes keep their width), and every
 * label is HTML placed over it in per cent: labels keep their size in CSS pixels at any width of the window,
 * where text inside a scaled SVG shrank with it (to about 3 px on a phone). A narrow window labels fewer months.
 */
export function trendChart(series, title) {
  const months = monthRange(series.flatMap((line) => Object.keys(line.counts)));
  if (months.length < 2) return null;
  const top = Math.max(1, ...series.flatMap((line) => months.map((month) => line.counts[month] || 0)));
  const x = (index) => (index * 100) / (months.length - 1);
  const y = (value) => 100 - (value / top) * 100;
  const stroke = { "vector-effect": "non-scaling-stroke" };
  const lines = svg(
    "svg",
    { class: "trend-lines", viewBox: "0 0 100 100", preserveAspectRatio: "none", "aria-hidden": "true" },
    svg("line", { x1: 0, y1: 100, x2: 100, y2: 100, class: "axis", ...stroke }),
    svg("line", { x1: 0, y1: 0, x2: 100, y2: 0, class: "grid", ...stroke }),
    series.map((line, index) =>
      svg("polyline", {
        points: months.map((month, m) => `${round(x(m))},${round(y(line.counts[month] || 0))}`).join(" "),
        fill: "none",
        stroke: SERIES_COLOURS[index % SERIES_COLOURS.length],
        "stroke-width": 2,
        ...stroke,
      }),
    ),
  );
  const wide = labelledMonths(months.length, WIDE_MONTH_LABELS);
  const narrow = labelledMonths(months.length, NARROW_MONTH_LABELS);
  const monthLabels = months
    .map((month, index) =>
      wide.has(index) || narrow.has(index)
        ? el(
            "span",
            { class: `tick month-tick${narrow.has(index) ? "" : " wide-only"}`, style: `left:${round(x(index))}%` },
            axisMonth(month),
          )
        : null,
    )
    .filter(Boolean);
  const chart = el(
    "div",
    {
      class: "trend-chart",
      role: "img",
      "aria-label": `${title}. ${series
        .map((line) => `${line.label}: ${describe(months, months.map((m) => line.counts[m] || 0))}`)
        .join(". ")}`,
    },
    el(
      "div",
      { class: "trend-plot" },
      lines,
      el("span", { class: "tick value-tick", style: "top:0%" }, String(top)),
      el("span", { class: "tick value-tick", style: "top:100%" }, "0"),
      monthLabels,
    ),
  );
  // One line needs no legend: the caption names it.
  const legend =
    series.length > 1 &&
    el(
      "ul",
      { class: "legend" },
      series.map((line, index) =>
        el(
          "li",
          {},
          el("span", {
            class: "swatch",
            style: `background:${SERIES_COLOURS[index % SERIES_COLOURS.length]}`,
          }),
          line.label,
        ),
      ),
    );
  return el("figure", { class: "trend-figure" }, el("figcaption", {}, title), chart, legend);
}
