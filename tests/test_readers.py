"""Readers through ``read_file``: real Ukrainian documents in every format, and every kind of bad file."""

import csv
import gzip
import io
import json
import logging
import zipfile
from pathlib import Path

import docx
import pypdf
import pytest

from indexing.errors import UnreadableFileError
from indexing.normaliser import normalise_with_stats
from indexing.readers import SUPPORTED_SUFFIXES, iter_source_files, read_file

FIXTURES = Path(__file__).parent / "fixtures" / "readers"
SPORT_RULES_PDF = FIXTURES / "sport-rules-3-pages.pdf"
LAW_280_97 = FIXTURES / "law-280-97-four-articles.json"

# Law 280/97-ВР «Про місцеве самоврядування в Україні», article 2.
LAW_TEXT = (
    "Стаття 2. Поняття місцевого самоврядування\n"
    "1. Місцеве самоврядування в Україні - це гарантоване державою право та реальна здатність "
    "територіальної громади - жителів села чи добровільного об'єднання у сільську громаду жителів кількох "
    "сіл, селища, міста - самостійно або під відповідальність органів та посадових осіб місцевого "
    "самоврядування вирішувати питання місцевого значення в межах Конституції і законів України.\n"
    "2. Місцеве самоврядування здійснюється територіальними громадами сіл, селищ, міст як безпосередньо, "
    "так і через сільські, селищні, міські ради та їх виконавчі органи, а також через районні та обласні "
    "ради, які представляють спільні інтереси територіальних громад сіл, селищ, міст.\n"
)
# Requests to Kyiv's 1551 contact centre (kyiv1551/bench-uk-top20x150.jsonl), shortened.
APPEALS = [
    {
        "id": "Р-10174",
        "date": "2014-12-22 17:09:47",
        "category": "Прибирання та санітарний стан територій",
        "text": "Здійсніть, будь ласка, прибирання вулиць, що ведуть від Майдану Незалежності до Софіївської "
        "площі (Новорічної ялинки). В Новорічні свята буде багато іноземців!",
    },
    {
        "id": "Б-20736",
        "date": "2013-10-07 18:16:03",
        "category": "Відсутність опалення",
        "text": "Просимо припинити знущання з мешканців нашого будинку та підключити нас до опалення.",
        "lat": "50.427705",
        "lon": "30.367162",
    },
    {
        "id": "Б-4732",
        "date": "2015-03-13 15:30:03",
        "category": "Перевірка наявності дозволів на виконання будівельних робіт",
        "text": "Прошу надати інформацію про замовника будівництва житлового будинку №10 по вулиці Миколи "
        "Лаврухіна. Прошу розцінювати дану заяву як запит на публічну інформацію, а не звернення.",
    },
]


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def reason_for(path: Path, **options: int) -> str:
    """The reason ``read_file`` gives for refusing ``path``."""
    with pytest.raises(UnreadableFileError) as caught:
        read_file(path, **options)
    assert caught.value.path == str(path)
    return caught.value.reason


def pdf_bytes(writer: pypdf.PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def sport_rules_writer(pages: int = 3) -> pypdf.PdfWriter:
    writer = pypdf.PdfWriter()
    for page in pypdf.PdfReader(SPORT_RULES_PDF).pages[:pages]:
        writer.add_page(page)
    return writer


# --- PDF ---


def test_pdf_gives_one_text_per_page_in_order() -> None:
    [document] = read_file(SPORT_RULES_PDF)

    assert document.paginated
    assert document.metadata == {"page_count": 3}
    assert [page.split("\n", 1)[0].strip() for page in document.pages] == ["14", "15", "16"]
    assert "Головний суддя спортивних змагань" in document.pages[0]
    assert "Спортінспектор зобов’язаний" in document.pages[1]


def test_pdf_with_broken_cross_references_reads_without_a_flood_of_warnings(
    capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    pypdf_level = logging.getLogger("pypdf").level
    pypdf.PdfReader(SPORT_RULES_PDF).pages[0].extract_text()
    assert (
        sum("wrong pointing object" in record.getMessage() for record in caplog.records) == 200
    )  # the fault
    caplog.clear()

    read_file(SPORT_RULES_PDF)

    assert "wrong pointing object" not in capfd.readouterr().err
    assert not [record for record in caplog.records if record.name.startswith("pypdf")]
    assert logging.getLogger("pypdf").level == pypdf_level  # pypdf's logging is left as it was


def test_pdf_text_normalises_to_clean_pages(capfd: pytest.CaptureFixture[str]) -> None:
    [document] = read_file(SPORT_RULES_PDF)

    text, stats = normalise_with_stats(document.pages)

    assert stats.running_lines_removed == 3  # the page numbers
    assert stats.lookalike_letters_fixed > 200
    assert text.text.startswith("коментатор;")
    assert "1) відповідає за дотримання цих Правил та Регламенту;" in text.text
    start, end = text.page_span(2)
    assert text.text[start:end].startswith("5) не має права змінити умови проведення спортивних змагань,")


def test_pdf_page_without_text_keeps_its_place(tmp_path: Path) -> None:
    writer = sport_rules_writer(pages=2)
    writer.add_blank_page()

    [document] = read_file(write(tmp_path / "with-blank-page.pdf", pdf_bytes(writer)))

    assert len(document.pages) == 3
    assert document.pages[2] == ""
    assert document.metadata["pages_without_text"] == [3]


def test_pdf_of_blank_pages_is_refused_with_nothing_to_recognise(tmp_path: Path) -> None:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)

    assert reason_for(write(tmp_path / "blank.pdf", pdf_bytes(writer))) == (
        "no text: no page has a text layer or words that OCR could recognise"
    )


def test_pdf_encrypted_with_a_password_is_refused(tmp_path: Path) -> None:
    writer = sport_rules_writer()
    writer.encrypt(user_password="таємниця", algorithm="RC4-128")

    assert reason_for(write(tmp_path / "locked.pdf", pdf_bytes(writer))) == (
        "encrypted: a password is needed to open it"
    )


def test_pdf_encrypted_only_against_editing_is_read(tmp_path: Path) -> None:
    writer = sport_rules_writer()
    writer.encrypt(user_password="", owner_password="власник", algorithm="RC4-128")

    [document] = read_file(write(tmp_path / "no-editing.pdf", pdf_bytes(writer)))

    assert "Головний суддя спортивних змагань" in document.pages[0]


def test_truncated_pdf_is_refused(tmp_path: Path) -> None:
    data = SPORT_RULES_PDF.read_bytes()

    reason = reason_for(write(tmp_path / "cut.pdf", data[: len(data) // 2]))

    assert reason.startswith("truncated PDF")


def test_corrupt_pdf_is_refused(tmp_path: Path) -> None:
    data = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"

    assert reason_for(write(tmp_path / "corrupt.pdf", data)).startswith("corrupt PDF")


def test_file_that_is_not_what_its_extension_says_is_refused(tmp_path: Path) -> None:
    docx_named_pdf = write(tmp_path / "rules.pdf", _docx_bytes(["Правила змагань"]))
    text_named_pdf = write(tmp_path / "notes.pdf", LAW_TEXT.encode())
    pdf_named_docx = write(tmp_path / "rules.docx", SPORT_RULES_PDF.read_bytes())
    pdf_named_txt = write(tmp_path / "rules.txt", SPORT_RULES_PDF.read_bytes())

    assert reason_for(docx_named_pdf) == (
        "is not a PDF (starts with b'PK\\x03\\x04\\x14\\x00\\x00\\x00', "
        "which is a ZIP archive (DOCX, XLSX, ODT ...))"
    )
    assert reason_for(text_named_pdf).startswith("is not a PDF (starts with b'\\xd0\\xa1")
    assert reason_for(pdf_named_docx).startswith("is not a DOCX (Word) document (starts with b'%PDF-1.")
    assert reason_for(pdf_named_txt).startswith("is not a text file but a PDF")


# --- limits and paths ---


def test_empty_missing_too_large_and_unsupported_files_are_refused(tmp_path: Path) -> None:
    assert reason_for(write(tmp_path / "empty.txt", b"")) == "empty file"
    assert reason_for(tmp_path / "missing.pdf") == "no such file"
    assert reason_for(SPORT_RULES_PDF, max_bytes=1000) == (
        f"too large: {SPORT_RULES_PDF.stat().st_size:,} bytes, over the limit of 1,000"
    )
    assert reason_for(write(tmp_path / "budget.xlsx", b"PK")).startswith("unsupported file type '.xlsx'")


def test_source_names_the_file_in_documents_and_errors(tmp_path: Path) -> None:
    upload = write(tmp_path / "upload-1.txt", LAW_TEXT.encode())

    [document] = read_file(upload, source="закон-280.txt")
    with pytest.raises(UnreadableFileError, match=r"^звернення\.txt: empty file$"):
        read_file(write(tmp_path / "upload-2.txt", b""), source="звернення.txt")

    assert document.source == "закон-280.txt"


def test_iter_source_files_walks_folders_in_order_and_skips_hidden_files(tmp_path: Path) -> None:
    for name in ["b/закон.json", "a/рішення.pdf", "a/.приховане.txt", ".git/config.txt", "a/~$чернетка.docx",
                 "a/фото.gif", "звернення.csv"]:  # fmt: skip
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    explicit = tmp_path / "a" / "фото.gif"

    files = list(iter_source_files([tmp_path, explicit, tmp_path / "b"]))

    assert files == [
        tmp_path / "a" / "рішення.pdf",
        tmp_path / "b" / "закон.json",
        tmp_path / "звернення.csv",
        explicit,
    ]


def test_supported_suffixes_include_compressed_records() -> None:
    assert {".pdf", ".docx", ".html", ".txt", ".md", ".json", ".jsonl", ".csv", ".jsonl.gz"} <= set(
        SUPPORTED_SUFFIXES
    )


# --- DOCX ---


def _docx_bytes(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    document = docx.Document()
    document.add_heading(paragraphs[0], level=1)
    for paragraph in paragraphs[1:]:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, cells in zip(grid.rows, table, strict=True):
            for cell, text in zip(row.cells, cells, strict=True):
                cell.text = text
        grid.cell(0, 0).merge(grid.cell(0, 1))
    document.add_paragraph("Секретар ради")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_gives_paragraphs_and_tables_in_order(tmp_path: Path) -> None:
    lines = LAW_TEXT.splitlines()
    table = [["Показник", ""], ["Кількість сіл", "12"], ["Населення", "8 430"]]

    [document] = read_file(write(tmp_path / "рішення.docx", _docx_bytes(lines, table)))

    assert document.title == "Стаття 2. Поняття місцевого самоврядування"
    assert document.pages == [
        "\n\n".join([*lines, "Показник\nКількість сіл | 12\nНаселення | 8 430", "Секретар ради"])
    ]


def test_zip_bomb_named_docx_is_refused_before_parsing(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.docx"
    with (
        zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("word/document.xml", "w") as member,
    ):
        for _ in range(60):
            member.write(bytes(1_000_000))

    assert bomb.stat().st_size < 100_000
    assert reason_for(bomb, max_bytes=10_000_000) == (
        "too large when unpacked: its parts hold 60,000,000 bytes, over the limit of 40,000,000 (a zip bomb?)"
    )


def test_corrupt_docx_is_refused(tmp_path: Path) -> None:
    data = _docx_bytes(["Рішення сесії"])
    truncated = write(tmp_path / "cut.docx", data[: len(data) // 2])
    spreadsheet = tmp_path / "budget.docx"
    with zipfile.ZipFile(spreadsheet, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")

    assert reason_for(truncated).startswith("corrupt or truncated DOCX")
    assert reason_for(spreadsheet).startswith("corrupt DOCX")


# --- HTML ---

HTML_PAGE = """<!DOCTYPE html>
<html><head><meta charset="windows-1251"><title>Про місцеве самоврядування в Україні</title>
<style>p { color: red; }</style><script>var громада = "не текст";</script></head>
<body><nav><a href="/">Головна</a> | <a href="/laws">Закони</a></nav>
<h1>Закон України</h1>
<!-- коментар не є текстом -->
<p>Стаття 2. Поняття
   місцевого самоврядування</p>
<ul><li>перший пункт</li><li>другий <b>пункт</b></li></ul>
<p>рядок<br>новий рядок</p>
<table><tr><th>Громада</th><th>Населення</th></tr><tr><td>Ірпінська</td><td>62 456</td></tr></table>
</body></html>"""


def test_html_keeps_blocks_and_drops_scripts_styles_and_navigation(tmp_path: Path) -> None:
    [document] = read_file(write(tmp_path / "закон.html", HTML_PAGE.encode("cp1251")))

    text, _ = normalise_with_stats(document.pages)

    assert document.title == "Про місцеве самоврядування в Україні"
    assert text.text == (
        "Закон України\n\nСтаття 2. Поняття місцевого самоврядування\n\nперший пункт\n\nдругий пункт"
        "\n\nрядок\nновий рядок\n\nГромада | Населення\nІрпінська | 62 456"
    )


def test_html_without_title_is_titled_by_its_first_heading_and_decoded_without_a_declaration(
    tmp_path: Path,
) -> None:
    page = "<html><body><h1>Рішення сесії</h1><p>Про затвердження програми розвитку громади</p></body></html>"

    [document] = read_file(write(tmp_path / "рішення.htm", page.encode("koi8-u")))

    assert document.title == "Рішення сесії"
    assert "Про затвердження програми розвитку громади" in document.pages[0]


# --- TXT and Markdown ---


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1251", "koi8-u"]
)
def test_text_in_every_ukrainian_encoding_is_decoded(tmp_path: Path, encoding: str) -> None:
    [document] = read_file(write(tmp_path / "закон.txt", LAW_TEXT.encode(encoding)))

    assert document.pages == [LAW_TEXT]
    assert document.title is None


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-u"])
def test_capitals_and_russian_text_are_told_apart_by_letter_statistics(tmp_path: Path, encoding: str) -> None:
    text = "РІШЕННЯ СЕСІЇ МІСЬКОЇ РАДИ\nСегодня на сайте Киевэнерго появилось сообщение об отключении воды."

    [document] = read_file(write(tmp_path / "рішення.txt", text.encode(encoding)))

    assert document.pages == [text]


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-u"])
def test_mostly_latin_records_with_a_few_ukrainian_words_are_decoded(tmp_path: Path, encoding: str) -> None:
    rows = [f"{number},Request {number} about street lighting,2014-05-0{number}" for number in range(1, 10)]
    data = "\n".join(["id,text,date", *rows, "10,Київ,2014-05-10"]).encode(encoding)

    documents = read_file(write(tmp_path / "requests.csv", data))

    assert documents[-1].pages == ["Київ"]


def test_utf8_text_with_a_stray_byte_is_read_with_it_replaced(tmp_path: Path) -> None:
    data = LAW_TEXT.encode() + b"\xd0"  # the last letter cut in half

    [document] = read_file(write(tmp_path / "закон.txt", data))

    assert document.pages == [LAW_TEXT + "\ufffd"]


def test_binary_data_named_txt_is_refused(tmp_path: Path) -> None:
    data = bytes(range(256)) * 16

    assert reason_for(write(tmp_path / "дані.txt", data)) == (
        "binary data, not text (starts with b'\\x00\\x01\\x02\\x03\\x04\\x05\\x06\\x07')"
    )


def test_whitespace_only_text_is_refused(tmp_path: Path) -> None:
    assert reason_for(write(tmp_path / "порожній.txt", b" \n\t\n")).startswith("no text")


def test_markdown_is_titled_by_its_first_heading(tmp_path: Path) -> None:
    text = "Вступ без заголовка.\n\n## Проєкт «Чиста громада» ##\n\nОпис проєкту.\n\n# Бюджет\n"

    [document] = read_file(write(tmp_path / "проєкт.md", text.encode()))

    assert document.title == "Проєкт «Чиста громада»"
    assert document.pages == [text]


# --- records: JSONL, JSON, CSV ---


def test_jsonl_gives_one_document_per_record(tmp_path: Path) -> None:
    lines = "\n".join(json.dumps(appeal, ensure_ascii=False) for appeal in APPEALS) + "\n\n"

    documents = read_file(write(tmp_path / "звернення.jsonl", lines.encode()))

    assert [document.record_id for document in documents] == ["Р-10174", "Б-20736", "Б-4732"]
    assert documents[1].pages == [APPEALS[1]["text"]]
    assert documents[1].metadata == {
        "date": "2013-10-07 18:16:03",
        "category": "Відсутність опалення",
        "lat": "50.427705",
        "lon": "30.367162",
    }
    assert (
        documents[0].title == "Здійсніть, будь ласка, прибирання вулиць, що ведуть від Майдану Незалежності…"
    )
    assert documents[1].title == "Просимо припинити знущання з мешканців нашого будинку та підключити нас…"


def test_json_array_records_keep_their_own_title_and_kind(tmp_path: Path) -> None:
    records = [{**APPEALS[0], "title": "Прибирання вулиць", "kind": "note"}, APPEALS[1]]

    documents = read_file(
        write(tmp_path / "звернення.json", json.dumps(records, ensure_ascii=False).encode())
    )

    assert documents[0].title == "Прибирання вулиць"
    assert documents[0].kind == "note"
    assert documents[1].kind == "appeal", "a record without a kind of its own is an appeal"


def test_gzipped_jsonl_is_read_and_html_entities_are_unescaped(tmp_path: Path) -> None:
    appeal = {"id": "Г-17788", "text": "Прошу відновити опалення в під&#039;їзді №3."}
    data = gzip.compress(json.dumps(appeal, ensure_ascii=False).encode())

    [document] = read_file(write(tmp_path / "звернення.jsonl.gz", data))

    assert document.pages == ["Прошу відновити опалення в під'їзді №3."]


def test_truncated_gzip_is_refused(tmp_path: Path) -> None:
    data = gzip.compress("\n".join(json.dumps(appeal) for appeal in APPEALS).encode())

    assert reason_for(write(tmp_path / "cut.jsonl.gz", data[:-30])).startswith("truncated gzip archive")


def test_broken_jsonl_line_is_named(tmp_path: Path) -> None:
    lines = [json.dumps(APPEALS[0], ensure_ascii=False), '{"id": "Б-1", "text": "Просимо', ""]

    reason = reason_for(write(tmp_path / "звернення.jsonl", "\n".join(lines).encode()))

    assert reason.startswith("line 2 is not valid JSON")


def test_record_without_text_or_id_is_named(tmp_path: Path) -> None:
    no_text = write(tmp_path / "без-тексту.jsonl", b'{"id": "1", "text": "\xd0\xa2"}\n{"id": "2"}\n')
    no_id = write(tmp_path / "без-id.json", json.dumps([{"text": "Прошу"}]).encode())
    not_records = write(tmp_path / "число.json", b"42")

    assert reason_for(no_text) == "line 2 has no 'text' field"
    assert reason_for(no_id) == "item 1 has no 'id' field"
    assert reason_for(not_records) == "expected a JSON object or array, found a number"


def test_csv_delimiter_is_detected_and_other_columns_become_metadata(tmp_path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["id", "Text", "date", "region", "category"])
    for appeal in APPEALS:
        writer.writerow([appeal["id"], appeal["text"], appeal["date"], "Київ", ""])

    documents = read_file(write(tmp_path / "звернення.csv", buffer.getvalue().encode("utf-8-sig")))

    assert [document.pages[0] for document in documents] == [appeal["text"] for appeal in APPEALS]
    assert documents[2].metadata == {"date": "2015-03-13 15:30:03", "region": "Київ"}


def test_csv_without_text_column_is_refused_naming_it(tmp_path: Path) -> None:
    data = "id,опис,date\nР-10174,Прибирання вулиць,2014-12-22\n".encode()

    assert reason_for(write(tmp_path / "звернення.csv", data)) == (
        "no 'text' column (the columns are: id, опис, date)"
    )


# --- legislation ---


def test_act_of_legislation_is_rendered_article_by_article() -> None:
    [document] = read_file(LAW_280_97)

    text = document.pages[0]
    assert document.kind == "legislation"
    assert document.title == "Закон України (280/97-ВР)"
    assert document.record_id == "ua-law-280-97"
    assert document.metadata == {
        "act_id": "ua-law-280-97",
        "short_name": "280/97-ВР",
        "issued_date": "1997-05-21",
        "url": "https://zakon.rada.gov.ua/laws/show/280/97-ВР",
        "status": "in_force",
    }
    assert text.startswith(
        "Закон України (280/97-ВР)\n\nСтаття 2. Поняття місцевого самоврядування\n1. Місцеве"
    )
    assert (
        "\n\nСтаття 6-1. Форми участі територіальної громади у вирішенні питань місцевого значення\n" in text
    )
    article_26 = text[text.index("Стаття 26.") :]
    assert article_26.startswith(
        "Стаття 26. Виключна компетенція сільських, селищних, міських рад\n1. Виключно"
    )
    assert "\n2. " in article_26
    assert "\n1) затвердження регламенту ради;\n" in article_26
    assert text.count("Стаття 26.") == 1


def test_act_whose_title_is_its_first_sentence_says_it_once(tmp_path: Path) -> None:
    sentence = "Україна є республікою."
    act = {
        "id": "ua-law-254-96",
        "title": "Конституція України",
        "short_name": "254к/96-ВР",
        "provisions": [
            {
                "provision_ref": "art5",
                "section": "5",
                "title": f"Стаття 5. {sentence}",
                "content": f"{sentence} Носієм суверенітету і єдиним джерелом влади в Україні є народ.",
            }
        ],
    }

    [document] = read_file(write(tmp_path / "конституція.json", json.dumps(act, ensure_ascii=False).encode()))

    assert document.pages == [
        "Конституція України\n\nСтаття 5. Україна є республікою.\n"
        "Носієм суверенітету і єдиним джерелом влади в Україні є народ."
    ]


def test_jsonl_of_acts_is_recognised_by_its_provisions(tmp_path: Path) -> None:
    act = json.loads(LAW_280_97.read_text())
    other = {
        **act,
        "id": "ua-law-1508-18",
        "title": "Закон України (1508-18)",
        "provisions": act["provisions"][:1],
    }
    lines = "\n".join(json.dumps(item, ensure_ascii=False) for item in (act, other))

    documents = read_file(write(tmp_path / "acts.jsonl.gz", gzip.compress(lines.encode())))

    assert [document.record_id for document in documents] == ["ua-law-280-97", "ua-law-1508-18"]
    assert all(document.kind == "legislation" for document in documents)
    assert (
        documents[1]
        .pages[0]
        .startswith("Закон України (1508-18)\n\nСтаття 2. Поняття місцевого самоврядування")
    )


# --- the hromada strategies release ---

STRATEGIES_SAMPLE = Path(__file__).parent / "fixtures" / "strategies" / "hromadas-sample.json"


def test_strategies_release_is_read_as_proposals_by_its_content_whatever_its_name(tmp_path: Path) -> None:
    renamed = write(tmp_path / "export.json", STRATEGIES_SAMPLE.read_bytes())

    documents = read_file(renamed)

    assert [document.kind for document in documents] == ["proposal", "proposal"]
    assert documents[1].title == "Литовезька сільська територіальна громада: стратегія розвитку"
    assert documents[1].metadata["hromada_type"] == "rural"
    assert documents[1].metadata["region"] == "Волинська область"


def test_a_json_array_of_appeals_is_still_read_as_records(tmp_path: Path) -> None:
    path = write(tmp_path / "hromadas.json", json.dumps(APPEALS, ensure_ascii=False).encode())

    documents = read_file(path)

    assert [document.record_id for document in documents] == ["Р-10174", "Б-20736", "Б-4732"]
    assert {document.kind for document in documents} == {"appeal"}
