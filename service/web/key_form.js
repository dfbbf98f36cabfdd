// The API key: entered once per browser tab, kept in sessionStorage and sent as X-API-Key with every request.

import { apiKey, setApiKey } from "./api.js";
import { el, toast } from "./dom.js";

/**
 * A small form to enter, replace or forget the key; `place` makes its field's id unique on the page,
 * `onSaved` runs after a change (e.g. to retry what needed the key).
 */
export function keyForm(place, onSaved = () => {}) {
  const inputId = `api-key-${place}`;
  const input = el("input", {
    id: inputId,
    type: "password",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: apiKey() ? "ключ збережено; введіть інший, щоб замінити" : "вставте ключ",
  });
  const status = el("p", { class: "hint" }, keyStatus());
  const forget = el("button", { type: "button", class: "secondary" }, "Забути ключ");
  forget.addEventListener("click", () => {
    setApiKey("");
    status.textContent = keyStatus();
    toast("Ключ забуто.");
    onSaved();
  });
  const form = el(
    "form",
    { class: "key-form" },
    el("label", { for: inputId }, "Ключ API (X-API-Key)"),
    el("div", { class: "inline-fields" }, input, el("button", { type: "submit" }, "Зберегти ключ"), forget),
    status,
    el(
      "p",
      { class: "hint" },
      "Ключ видає адміністратор командою hromada keys create --role writer. Він зберігається лише в цій вкладці.",
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) {
      input.focus();
      return;
    }
    setApiKey(key);
    input.value = "";
    status.textContent = keyStatus();
    toast("Ключ збережено для цієї вкладки.");
    onSaved();
  });
  return form;
}

function keyStatus() {
  return apiKey() ? "Ключ задано: він надсилається з кожним запитом." : "Ключ не задано.";
}
