// Building the page from data without innerHTML: every text from the server is inserted as text, never as markup.

/**
 * A new element: `el("a", {href: "/", class: "link"}, "текст", child)`.
 * Attributes starting with "on" become listeners; `false`, `null` and `undefined` attributes are left out.
 */
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  element.append(
    ...children.flat(Infinity).filter((child) => child !== null && child !== undefined && child !== false),
  );
  return element;
}

/** Replaces everything inside `parent` with `children`. */
export function fill(parent, ...children) {
  parent.replaceChildren(...children.flat(Infinity).filter((child) => child !== null && child !== undefined));
  return parent;
}

/** An explanation shown where content would be: what happened and what to do next. */
export function notice(kind, title, ...advice) {
  return el(
    "div",
    { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : "status" },
    el("p", { class: "notice-title" }, title),
    advice.map((line) => (typeof line === "string" ? el("p", {}, line) : line)),
  );
}

/** A short message at the bottom of the window, read out by screen readers. */
export function toast(message) {
  const area = document.getElementById("toast");
  area.textContent = message;
  area.classList.add("visible");
  clearTimeout(Number(area.dataset.timer));
  area.dataset.timer = String(setTimeout(() => area.classList.remove("visible"), 3500));
}

/** The Ukrainian names of the document kinds of DESIGN.md. */
export const KIND_NAMES = {
  legislation: "Законодавство",
  transcript: "Стенограма",
  proposal: "Проєктна пропозиція",
  appeal: "Звернення громадян",
  note: "Нотатка, інше",
};

/** The sectors of `models/sector_classifier.py` (ids and display names); a chunk may carry several. */
export const SECTOR_NAMES = {
  education: "Освіта",
  social_protection: "Соціальний захист і соціальні послуги",
  economic_development: "Місцевий економічний розвиток",
  communal_services: "Комунальні послуги та інфраструктура",
  governance_finance: "Управління та фінанси",
  health: "Охорона здоров'я",
  other: "Інше",
};

/** Sector tags as stored ("education,health") in words. */
export function sectorNames(tags) {
  if (!tags) return "";
  return tags
    .split(",")
    .map((tag) => SECTOR_NAMES[tag.trim()] || tag.trim())
    .join(", ");
}

const LONG_DATE = new Intl.DateTimeFormat("uk-UA", { day: "numeric", month: "long", year: "numeric" });
const MONTH = new Intl.DateTimeFormat("uk-UA", { month: "short", year: "numeric" });

/** "2025-03-14" as "14 березня 2025 р."; anything that is not a date is shown as it is. */
export function formatDate(value) {
  if (!value) return "";
  const day = new Date(`${value.slice(0, 10)}T00:00:00`);
  return Number.isNaN(day.getTime()) ? value : LONG_DATE.format(day);
}

/** "2025-03" as "бер. 2025 р.". */
export function formatMonth(value) {
  const day = new Date(`${value}-01T00:00:00`);
  return Number.isNaN(day.getTime()) ? value : MONTH.format(day);
}

/** A number in the Ukrainian way (decimal comma, thin spaces between thousands). */
export function formatNumber(value, digits = 0) {
  return Number(value).toLocaleString("uk-UA", {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
}

/** The quotation and its source as a report writer pastes them. */
export function citationText(text, citation) {
  return `«${text.trim()}» (${citation}).`;
}

/** Puts `text` on the clipboard; outside a secure context (plain http to another host) falls back to a selection. */
export async function copyToClipboard(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = el("textarea", { class: "visually-hidden", readonly: true });
  area.value = text;
  document.body.append(area);
  area.select();
  const copied = document.execCommand("copy");
  area.remove();
  if (!copied) throw new Error("the browser refused to copy");
}

/** Hands `blob` to the browser as a download named `name`. */
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: name, class: "visually-hidden" });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
