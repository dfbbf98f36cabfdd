// What the page shows when a request fails: in Ukrainian, what went wrong and what the reader can do about it.
// The server's English detail (it names the field or file at fault) stays one click away, for a report to an admin.

import { keyForm } from "./key_form.js";
import { el, notice } from "./dom.js";

/**
 * A notice for a failed `action` ("пошук", "завантаження"...); `retry` runs again after a key is entered.
 */
export function errorNotice(error, action, retry = () => {}) {
  if (error.status === 401) {
    return notice(
      "error",
      `Для дії «${action}» потрібен ключ доступу.`,
      "Сервер працює з ключами. Введіть свій ключ нижче — його видає адміністратор.",
      keyForm(`${action}-401`, retry),
    );
  }
  if (error.status === 403) {
    return notice(
      "error",
      `Ваш ключ не дозволяє дію «${action}».`,
      "Потрібен ключ із ширшою роллю (для додавання документів — writer). Введіть інший ключ нижче.",
      keyForm(`${action}-403`, retry),
    );
  }
  if (error.status === 0) {
    return notice("error", `Не вдалося виконати дію «${action}».`, error.message);
  }
  const plain = error.plain || {};
  const fallback =
    error.status >= 500
      ? "Спробуйте пізніше; подробиці — у журналі сервера."
      : "Перевірте введені дані й спробуйте знову.";
  return notice(
    "error",
    `Не вдалося виконати дію «${action}».`,
    plain.message || `Сервер відповів кодом ${error.status}.`,
    plain.advice || fallback,
    technicalDetail(error.detail),
  );
}

/** The server's own words, folded away: useful to an administrator, not needed to act. */
export function technicalDetail(detail) {
  if (!detail) return null;
  return el(
    "details",
    { class: "technical-detail" },
    el("summary", {}, "Технічні подробиці"),
    el("code", {}, detail),
  );
}
