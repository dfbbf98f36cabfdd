"""What an error means for a person at the page, in Ukrainian: what went wrong and what to do next.

Every error answer of the API keeps its English ``detail`` (the command line and scripts read it) and gains
``message`` and ``advice`` in Ukrainian, and ``field`` when one field of the request is at fault. A file that
could not be indexed gets the same two sentences beside its English ``error``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from models.sector_classifier import SECTORS, sector_names

FIELD_NAMES = {
    "q": "запит",
    "query": "запит",
    "text": "текст проблеми",
    "k": "кількість результатів",
    "offset": "сторінка результатів",
    "kind": "вид документа",
    "sector": "сектор",
    "region": "регіон",
    "since": "дата «від»",
    "until": "дата «до»",
    "mode": "режим пошуку",
    "format": "формат",
    "chunk_ids": "витяги звіту",
    "file": "файл",
    "limit": "кількість",
    "problem_id": "проблема",
}
FIX_FIELD = "Виправте це поле й повторіть."
DATE_FIELDS = ("since", "until")


@dataclass(frozen=True)
class PlainMessage:
    """An error told to a person: ``message`` says what went wrong, ``advice`` what to do next."""

    message: str
    advice: str
    field: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {name: value for name, value in asdict(self).items() if value is not None}


def field_name(field: str) -> str:
    """The Ukrainian name of a request field, as the page labels it."""
    return FIELD_NAMES.get(field, field)


def for_field(field: str, allowed: tuple[str, ...] = (), problem: str | None = None) -> PlainMessage:
    """A field that holds a value that cannot be used; ``allowed`` lists what it may hold."""
    name = field_name(field)
    if allowed:
        choices = ", ".join(_choice(field, value) for value in allowed)
        return PlainMessage(f"Поле «{name}» має невідоме значення.", f"Допустимі значення: {choices}.", field)
    if field in DATE_FIELDS and problem is None:
        problem = "потрібна дата у вигляді РРРР-ММ-ДД, наприклад 2025-03-01"
    if field == "region" and problem is None:
        return PlainMessage(
            "Такого регіону не знайдено або назва неоднозначна.",
            "Вкажіть область («Полтавська область», «Полтавщина»), громаду («Решетилівська громада») або місто "
            "(«м. Київ»); для громади з поширеною назвою додайте область.",
            field,
        )
    return PlainMessage(f"Поле «{name}»: {problem or 'значення не підходить'}.", FIX_FIELD, field)


def _choice(field: str, value: str) -> str:
    if field == "sector" and value in SECTORS:
        return f"{value} ({sector_names[value]})"
    return value


def for_validation(error: dict[str, Any]) -> PlainMessage:
    """One of pydantic's validation errors (``type``, ``loc``, ``ctx``) as a sentence about its field."""
    location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "form")]
    field = location[0] if location else "запит"
    context = error.get("ctx") or {}
    kind = error.get("type", "")
    if kind == "missing":
        return PlainMessage(f"Не заповнено поле «{field_name(field)}».", "Заповніть його й повторіть.", field)
    if kind == "json_invalid":
        return PlainMessage("Тіло запиту — не коректний JSON.", "Надішліть об'єкт JSON.", None)
    if kind == "literal_error":
        expected = tuple(re.findall(r"'([^']*)'", str(context.get("expected", ""))))
        return for_field(field, expected)
    problems = {
        "string_too_short": "порожнє",
        "string_too_long": f"задовге, щонайбільше {context.get('max_length')} символів",
        "too_long": f"забагато елементів, щонайбільше {context.get('max_length')}",
        "less_than_equal": f"має бути не більше {context.get('le')}",
        "less_than": f"має бути менше {context.get('lt')}",
        "greater_than_equal": f"має бути не менше {context.get('ge')}",
        "greater_than": f"має бути більше {context.get('gt')}",
        "int_parsing": "потрібне ціле число",
        "int_type": "потрібне ціле число",
        "list_type": "потрібен список",
        "string_type": "потрібен текст",
    }
    return for_field(field, problem=problems.get(kind))


BY_STATUS = {
    400: PlainMessage("Запит не вдалося виконати.", "Перевірте введені дані й повторіть."),
    401: PlainMessage("Потрібен ключ доступу.", "Введіть ключ, який видав адміністратор."),
    403: PlainMessage("Ваш ключ не дозволяє цю дію.", "Попросіть в адміністратора ключ із ширшою роллю."),
    404: PlainMessage("Такого немає.", "Можливо, його видалили; поверніться до пошуку."),
    409: PlainMessage(
        "Сховище зараз зайняте іншим записом.", "Зачекайте хвилину й повторіть (індексування ще триває)."
    ),
    413: PlainMessage("Файл або запит завеликий.", "Розділіть його на менші частини або стисніть файл."),
    429: PlainMessage("Забагато запитів за хвилину.", "Зачекайте трохи й повторіть."),
    500: PlainMessage(
        "Сталася внутрішня помилка сервера.",
        "Спробуйте ще раз; якщо повториться, подробиці — у журналі сервера.",
    ),
    503: PlainMessage(
        "Сховище ще порожнє або недоступне.",
        "Додайте документи в розділі «Додати документи» (або командою hromada index) і повторіть.",
    ),
}


def for_status(status: int) -> PlainMessage:
    """The general meaning of an HTTP status, for errors that have nothing more particular to say."""
    return BY_STATUS.get(status) or BY_STATUS[500 if status >= 500 else 400]


TRY_ANOTHER = "Перевірте файл (чи відкривається він на комп'ютері) або додайте інший."
# Reasons the readers give (indexing/readers), by how they begin; the first that matches tells the story.
READER_REASONS: tuple[tuple[str, str, str], ...] = (
    (
        r"no extractable text",
        "У PDF немає текстового шару — схоже, це скан, а розпізнавання тексту (OCR) вимкнено.",
        "Увімкніть OCR (HROMADA_OCR=auto) або розпізнайте скан іншою програмою й додайте ще раз.",
    ),
    (
        r"OCR failed",
        "Не вдалося розпізнати текст скану.",
        "Перевірте, чи скан читається на комп'ютері, або додайте скан кращої якості.",
    ),
    (
        r"too large an image|pages, over the limit",
        "Зображення завелике для розпізнавання.",
        "Зменште роздільність скану (300 dpi достатньо) або розділіть файл на частини.",
    ),
    (r"corrupt image|is not a PNG", "Це не зображення або воно пошкоджене.", TRY_ANOTHER),
    (
        r"OCR, which is off",
        "Текст зображення можна прочитати лише розпізнаванням (OCR), а його вимкнено.",
        "Увімкніть OCR (HROMADA_OCR=auto) і додайте файл ще раз.",
    ),
    (
        r"found by OCR",
        "На зображенні не знайдено тексту.",
        "Перевірте, що це скан документа, а не фото без тексту.",
    ),
    (
        r"truncated PDF",
        "PDF обрізаний: файл закінчується раніше, ніж мав би.",
        "Завантажте або скопіюйте його ще раз.",
    ),
    (r"(corrupt PDF|is not PDF|is not a PDF)", "Це не PDF або PDF пошкоджений.", TRY_ANOTHER),
    (r"encrypted", "PDF захищений паролем.", "Зніміть пароль (збережіть копію без захисту) і додайте її."),
    (r"(DOCX|Word document)", "Це не документ Word (DOCX) або він пошкоджений.", TRY_ANOTHER),
    (r"empty file", "Файл порожній.", "Додайте файл із текстом."),
    (r"too large", "Файл завеликий для індексування.", "Розділіть його на менші файли."),
    (
        r"unsupported file type",
        "Такий тип файлу не підтримується.",
        "Додайте PDF, DOCX, HTML, TXT, Markdown, JSON, JSONL, CSV або скан (PNG, JPEG, TIFF).",
    ),
    (
        r"(binary data|is not a text file)",
        "Це не текстовий файл.",
        "Додайте PDF, DOCX, HTML, TXT, Markdown, JSON, JSONL або CSV.",
    ),
    (
        r"(cannot be decoded|encoding)",
        "Не вдалося визначити кодування тексту.",
        "Збережіть файл у UTF-8 і додайте ще раз.",
    ),
    (r"no text", "У файлі немає тексту.", "Додайте файл із текстом."),
    (r"(gzip|archive)", "Архів пошкоджений або порожній.", TRY_ANOTHER),
    (
        r"(malformed CSV|no records|column|has no '|is not a string|JSON)",
        "Записи у файлі не вдалося прочитати.",
        "Перевірте, що кожен запис має поля id і text.",
    ),
    (r"no documents in it match", "У файлі немає вибраних записів.", "Перевірте перелік вибраних записів."),
)


_SCANNED = re.compile(r"scanned: install (?P<packages>.+) to read it")


def for_reader_failure(reason: str) -> PlainMessage:
    """Why a file could not be indexed, from the reader's English reason."""
    scanned = _SCANNED.search(reason)
    if scanned:
        return PlainMessage(
            "Це скан, а програми розпізнавання тексту (Tesseract) або її мовних даних на сервері немає.",
            f"Попросіть адміністратора встановити {scanned['packages']} (apt-get install) і додайте файл ще раз.",
        )
    for pattern, message, advice in READER_REASONS:
        if re.search(pattern, reason, re.IGNORECASE):
            return PlainMessage(message, advice)
    return PlainMessage("Файл не вдалося прочитати.", TRY_ANOTHER)
