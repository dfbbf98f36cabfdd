// What the page shows when a request fails: the server's reason and what the reader can do about it.

import { keyForm } from "./key_form.js";
import { notice } from "./dom.js";

/**
 * A notice for a failed `action` ("пошук", "завантаження"...); `retry` runs again after a key is entered.
 * The server's own message is shown too: it names the field or file at fault.
 */
export function errorNotice(error, action, retry = () => {}) {
  const reason = error.detail || error.message;
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
  if (error.status === 503) {
    return notice(
      "error",
      "Сховище ще порожнє або недоступне.",
      "Додайте документи в розділі «Додати документи» (або командою hromada index) і спробуйте знову.",
      `Відповідь сервера: ${reason}`,
    );
  }
  if (error.status === 0) {
    return notice("error", `Не вдалося виконати дію «${action}»: ${reason}.`);
  }
  const advice =
    error.status >= 500
      ? "Спробуйте пізніше; подробиці — у журналі сервера."
      : "Виправте запит і спробуйте знову.";
  return notice(
    "error",
    `Не вдалося виконати дію «${action}» (код ${error.status}).`,
    `Відповідь сервера: ${reason}`,
    advice,
  );
}
