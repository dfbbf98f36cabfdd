// The report view: the excerpts in the basket, in report order, and their download as Markdown or DOCX with
// numbered citations (made by POST /excerpts from the chunk ids, exactly as `hromada excerpts` makes them).

import * as api from "./api.js";
import {
  basketItems,
  basketTitle,
  clearBasket,
  moveInBasket,
  removeFromBasket,
  setBasketTitle,
} from "./basket.js";
import { KIND_NAMES, el, fill, notice, saveBlob, toast } from "./dom.js";
import { errorNotice } from "./error_notice.js";
import { copyCitationButton } from "./hit_card.js";
import { sourceUrl, viewUrl } from "./router.js";

const DOWNLOADS = {
  markdown: { name: "hromada-zvit.md", label: "Завантажити Markdown" },
  docx: { name: "hromada-zvit.docx", label: "Завантажити DOCX" },
};

export function showBasket(container) {
  document.title = "Звіт — hromada";
  const items = basketItems();
  const status = el("div", { id: "basket-status", "aria-live": "polite" });
  fill(
    container,
    el("h1", { tabindex: "-1" }, "Звіт"),
    items.length ? basketContents(container, items, status) : emptyBasket(),
    status,
  );
}

function emptyBasket() {
  return notice(
    "info",
    "У звіті ще немає витягів.",
    "Знайдіть потрібне в пошуку й натисніть «+ До звіту» під витягом — він з’явиться тут.",
    el("a", { href: viewUrl("search"), "data-nav": true }, "Перейти до пошуку"),
  );
}

function basketContents(container, items, status) {
  const redraw = () => showBasket(container);
  return [
    el(
      "p",
      { class: "hint" },
      `Витягів: ${items.length}. Порядок тут — порядок і номери цитат у файлі. Кошик зберігається в цьому браузері.`,
    ),
    el(
      "p",
      { class: "basket-title" },
      el("label", { for: "basket-title" }, "Назва звіту"),
      el("input", {
        id: "basket-title",
        type: "text",
        maxlength: "200",
        placeholder: "Звіт",
        value: basketTitle(),
        oninput: (event) => setBasketTitle(event.target.value),
      }),
    ),
    el(
      "div",
      { class: "actions basket-actions" },
      Object.entries(DOWNLOADS).map(([format, { label }]) =>
        el(
          "button",
          { type: "button", "data-format": format, onclick: () => download(format, status) },
          label,
        ),
      ),
      el(
        "button",
        {
          type: "button",
          class: "secondary danger",
          onclick: () => {
            if (confirm("Вилучити всі витяги зі звіту?")) {
              clearBasket();
              redraw();
            }
          },
        },
        "Очистити звіт",
      ),
    ),
    el(
      "ol",
      { class: "basket-list" },
      items.map((item, index) => basketEntry(item, index, items.length, redraw)),
    ),
  ];
}

function basketEntry(item, index, count, redraw) {
  const move = (step, label, symbol) =>
    el(
      "button",
      {
        type: "button",
        class: "secondary icon-button",
        "aria-label": `${label}: витяг ${index + 1}`,
        title: label,
        disabled: index + step < 0 || index + step >= count,
        onclick: () => {
          moveInBasket(item.chunk_id, step);
          redraw();
          focusMoved(item.chunk_id, step);
        },
      },
      symbol,
    );
  return el(
    "li",
    { class: "basket-item", "data-chunk-id": item.chunk_id },
    el("p", { class: "basket-citation" }, el("strong", {}, `[${index + 1}] `), item.citation),
    el("blockquote", { class: "hit-text" }, item.text),
    el(
      "p",
      { class: "hit-place" },
      KIND_NAMES[item.kind] || item.kind,
      " · ",
      el("a", { href: sourceUrl(item), "data-nav": true }, "відкрити в джерелі"),
    ),
    el(
      "div",
      { class: "actions" },
      move(-1, "Вище", "↑"),
      move(1, "Нижче", "↓"),
      copyCitationButton(item),
      el(
        "button",
        {
          type: "button",
          class: "secondary danger",
          onclick: () => {
            removeFromBasket(item.chunk_id);
            toast("Витяг вилучено.");
            redraw();
          },
        },
        "Вилучити",
      ),
    ),
  );
}

/** Keeps the keyboard on the button just used, so an item can be moved several places in a row. */
function focusMoved(chunkId, step) {
  const entry = document.querySelector(`.basket-item[data-chunk-id="${chunkId}"]`);
  const buttons = entry ? entry.querySelectorAll(".icon-button") : [];
  const button = buttons[step < 0 ? 0 : 1];
  if (button && !button.disabled) button.focus();
  else if (buttons.length) [...buttons].find((candidate) => !candidate.disabled)?.focus();
}

async function download(format, status) {
  const chunkIds = basketItems().map((item) => item.chunk_id);
  fill(status, el("p", { class: "loading" }, "Готую файл…"));
  try {
    const blob = await api.excerptsFile(chunkIds, format, basketTitle().trim());
    saveBlob(blob, DOWNLOADS[format].name);
    fill(status, el("p", { class: "hint" }, `Файл ${DOWNLOADS[format].name} завантажено.`));
  } catch (error) {
    const gone =
      error.status === 404
        ? "Частина витягів зникла зі сховища (документ видалено або змінено): вилучіть їх і спробуйте знову."
        : null;
    fill(status, errorNotice(error, "завантаження звіту"), gone ? notice("info", gone) : null);
  }
}
