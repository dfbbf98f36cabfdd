// Adding documents: drop files or pick them, choose the kind (or let the server detect it), index them, and see
// what was indexed, what was unchanged and why a file failed. Needs a writer key once the server uses keys.

import * as api from "./api.js";
import { KIND_NAMES, el, fill, formatNumber, notice } from "./dom.js";
import { errorNotice, technicalDetail } from "./error_notice.js";
import { viewUrl } from "./router.js";

const ACCEPTED = ".pdf,.docx,.html,.htm,.txt,.md,.json,.jsonl,.csv";

export function showUpload(container) {
  document.title = "Додати документи — hromada";
  const chosen = { files: [] };
  const input = el("input", {
    id: "upload-files",
    type: "file",
    multiple: true,
    accept: ACCEPTED,
    class: "file-input",
  });
  const fileList = el("ul", { class: "file-list", "aria-live": "polite" });
  const result = el("section", { id: "upload-result", "aria-live": "polite", "aria-label": "Результат" });
  const submit = el("button", { type: "submit", disabled: true }, "Додати й проіндексувати");
  const choose = (files) => {
    chosen.files = [...files];
    fill(
      fileList,
      chosen.files.map((file) => el("li", {}, `${file.name} — ${sizeText(file.size)}`)),
    );
    submit.disabled = !chosen.files.length;
  };
  input.addEventListener("change", () => choose(input.files));
  const dropZone = el(
    "label",
    { for: "upload-files", class: "drop-zone" },
    el("span", { class: "drop-title" }, "Перетягніть файли сюди"),
    el("span", {}, "або натисніть, щоб вибрати (PDF, DOCX, HTML, TXT, Markdown, JSON/JSONL, CSV)"),
  );
  acceptDrops(dropZone, choose);
  const kind = el(
    "select",
    { id: "upload-kind", name: "kind" },
    el("option", { value: "auto" }, "визначити автоматично"),
    Object.entries(KIND_NAMES).map(([value, name]) => el("option", { value }, name)),
  );
  const form = el(
    "form",
    { class: "upload-form" },
    input,
    dropZone,
    fileList,
    el("div", { class: "field" }, el("label", { for: "upload-kind" }, "Вид документів"), kind),
    el("div", { class: "actions" }, submit),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!chosen.files.length) return;
    submit.disabled = true;
    fill(
      result,
      el(
        "p",
        { class: "loading" },
        `Індексую ${chosen.files.length} файл(и)… великі PDF можуть оброблятися кілька хвилин.`,
      ),
    );
    try {
      showReport(result, await api.upload(chosen.files, kind.value));
    } catch (error) {
      fill(
        result,
        uploadError(error, () => form.requestSubmit()),
      );
    } finally {
      submit.disabled = !chosen.files.length;
    }
  });
  fill(
    container,
    el("h1", { tabindex: "-1" }, "Додати документи"),
    el(
      "p",
      {},
      "Файли індексуються на сервері: після цього їх можна знайти в пошуку. Повторне додавання незміненого файлу нічого не змінює.",
    ),
    form,
    result,
  );
}

function sizeText(bytes) {
  if (bytes < 1024) return `${bytes} Б`;
  if (bytes < 1024 * 1024) return `${formatNumber(bytes / 1024, 1)} КБ`;
  return `${formatNumber(bytes / 1024 / 1024, 1)} МБ`;
}

function acceptDrops(zone, choose) {
  const hover = (on) => (event) => {
    event.preventDefault();
    zone.classList.toggle("dragging", on);
  };
  zone.addEventListener("dragenter", hover(true));
  zone.addEventListener("dragover", hover(true));
  zone.addEventListener("dragleave", hover(false));
  zone.addEventListener("drop", (event) => {
    hover(false)(event);
    if (event.dataTransfer?.files?.length) choose(event.dataTransfer.files);
  });
}

function uploadError(error, retry) {
  if (error.status === 413) {
    return notice(
      "error",
      "Файл завеликий для завантаження.",
      "Розділіть файл або додайте його командою hromada index на сервері.",
      technicalDetail(error.detail),
    );
  }
  if (error.needsKey) {
    return errorNotice(error, "додавання документів", retry);
  }
  return errorNotice(error, "додавання документів");
}

/** The server keeps an upload as "<12 hex digits of its hash>-<name>"; the reader knows it by its own name. */
function uploadedName(path) {
  return path.replace(/^[0-9a-f]{12}-/, "");
}

function showReport(result, report) {
  const kinds = Object.fromEntries((report.kinds || []).map((entry) => [entry.path, entry]));
  const failed = report.failed || [];
  fill(
    result,
    el("h2", {}, failed.length ? "Додано з помилками" : "Готово"),
    el(
      "p",
      { class: "upload-summary" },
      `Проіндексовано файлів: ${report.indexed.length}; без змін: ${report.unchanged.length}; з помилками: ${failed.length}. `,
      `Документів: ${formatNumber(report.documents)}, фрагментів: ${formatNumber(report.chunks)}.`,
    ),
    report.indexed.length
      ? el(
          "ul",
          { class: "upload-indexed" },
          report.indexed.map((path) =>
            el(
              "li",
              {},
              uploadedName(path),
              kinds[path]
                ? ` — ${KIND_NAMES[kinds[path].kind] || kinds[path].kind} (${kinds[path].reason})`
                : "",
            ),
          ),
        )
      : null,
    report.unchanged.length
      ? el(
          "p",
          { class: "hint" },
          `Уже були у сховищі без змін: ${report.unchanged.map(uploadedName).join(", ")}.`,
        )
      : null,
    failed.length
      ? el(
          "div",
          { class: "notice notice-error", role: "alert" },
          el("p", { class: "notice-title" }, "Ці файли не додано:"),
          el(
            "ul",
            { class: "upload-failed" },
            failed.map((failure) =>
              el(
                "li",
                {},
                el("strong", {}, uploadedName(failure.path)),
                `: ${failure.message || "файл не вдалося прочитати."} ${failure.advice || ""}`,
                technicalDetail(failure.error),
              ),
            ),
          ),
          el("p", {}, "Виправлений файл можна додати знову."),
        )
      : null,
    report.indexed.length
      ? el("p", {}, el("a", { href: viewUrl("search"), "data-nav": true }, "Перейти до пошуку"))
      : null,
  );
}
