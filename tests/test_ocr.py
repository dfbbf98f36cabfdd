"""Scanned documents: real pages rendered to images (tests/scans.py) and recognised by the real Tesseract.

Through ``read_file``, the ``Hromada`` API, the HTTP API and the ``hromada`` command: page numbers of scanned and
mixed PDFs, the OCR mark in metadata, hits, citations and exports, images as documents, hostile images, and the
file that fails alone, with the package to install named, when Tesseract or a language pack is missing.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document
from fastapi.testclient import TestClient
from PIL import Image

from indexing.errors import UnreadableFileError
from indexing.normaliser import normalise
from indexing.ocr import OcrOptions
from indexing.readers import read_file
from models.embedder import Embedder
from models.ukrainian_pipeline import UkrainianPipeline
from service.api import create_app
from service.excerpt_export import ReportTitle, to_docx, to_markdown
from service.hromada import Hromada
from service.settings import Settings
from tests.conftest import Command
from tests.scans import PAGE_2_PHRASE, PAGE_3_PHRASE, SPORT_RULES_PDF, Scans, png_declaring
from tests.word_footnotes import footnotes

REPOSITORY = Path(__file__).resolve().parents[1]
OCR_MARK = "(розпізнано OCR)"


needs_tesseract = pytest.mark.usefixtures("tesseract")
"""The test runs Tesseract (with Ukrainian, Russian and English, else it is skipped): it is marked ``ocr``."""


def words(text: str) -> str:
    """Text as search sees it: normalised, every run of whitespace one space."""
    return " ".join(normalise([text]).text.split())


def reason_for(path: Path, ocr: OcrOptions | None = None) -> str:
    with pytest.raises(UnreadableFileError) as caught:
        read_file(path, ocr=ocr)
    return caught.value.reason


def text_layer_pages() -> list[str]:
    [document] = read_file(SPORT_RULES_PDF, ocr=OcrOptions(mode="off"))
    return document.pages


# ---------------------------------------------------------------- reading scans


@needs_tesseract
def test_an_image_only_pdf_is_recognised_page_by_page(scans: Scans) -> None:
    [document] = read_file(scans.image_pdf)

    assert document.paginated and len(document.pages) == 2
    assert "Головний суддя спортивних змагань" in words(document.pages[0])
    assert PAGE_2_PHRASE in words(document.pages[1])
    ocr = document.metadata["ocr"]
    assert ocr["pages"] == [1, 2]
    assert ocr["engine"].startswith("tesseract ") and ocr["languages"] == "ukr+rus+eng" and ocr["dpi"] == 300
    assert len(ocr["page_confidence"]) == 2 and ocr["mean_confidence"] > 80
    assert "pages_without_text" not in document.metadata


@needs_tesseract
def test_a_mixed_pdf_keeps_its_text_pages_exact_and_its_page_numbers(scans: Scans) -> None:
    [document] = read_file(scans.mixed_pdf)

    layer = text_layer_pages()
    assert len(document.pages) == 3
    assert document.pages[0] == layer[0] and document.pages[2] == layer[2]
    assert PAGE_2_PHRASE in words(document.pages[1]) and document.pages[1] != layer[1]
    assert document.metadata["ocr"]["pages"] == [2]


@needs_tesseract
def test_ocr_on_recognises_every_page_and_ignores_the_text_layer() -> None:
    [document] = read_file(SPORT_RULES_PDF, ocr=OcrOptions(mode="on"))

    assert document.metadata["ocr"]["pages"] == [1, 2, 3]
    # The layer spells «Пpавил» with a Latin p; the recognised text has only Cyrillic letters.
    assert "Пpавил" in text_layer_pages()[0] and "Пpавил" not in document.pages[0]
    assert "цих Правил та Регламенту" in words(document.pages[0])


@needs_tesseract
def test_images_are_documents_and_each_tiff_frame_a_page(scans: Scans, tmp_path: Path) -> None:
    [tiff] = read_file(scans.tiff)
    [png] = read_file(scans.png)
    [jpeg] = read_file(scans.jpeg)
    misnamed = tmp_path / "скан.jpg"
    shutil.copy(scans.png, misnamed)
    [png_as_jpg] = read_file(misnamed)

    assert (
        len(tiff.pages) == 2
        and tiff.metadata["ocr"]["pages"] == [1, 2]
        and tiff.metadata["ocr"]["dpi"] == 200
    )
    assert PAGE_2_PHRASE in words(tiff.pages[0]) and PAGE_3_PHRASE in words(tiff.pages[1])
    assert png.paginated and len(png.pages) == 1 and PAGE_2_PHRASE in words(png.pages[0])
    assert PAGE_3_PHRASE in words(jpeg.pages[0])
    assert png_as_jpg.pages == png.pages


def test_images_are_found_in_folders_by_their_names(scans: Scans) -> None:
    from indexing.readers import iter_source_files

    found = {path.name for path in iter_source_files([scans.png.parent])}
    assert {scans.png.name, scans.jpeg.name, scans.tiff.name, scans.image_pdf.name} <= found


@pytest.mark.parametrize(
    ("width", "height", "expected"),
    [
        # Over hromada's limit of 100 million pixels, under Pillow's own error (179 million).
        (12_000, 12_000, r"page 1 is too large an image: 12000 × 12000 = 144,000,000 pixels, over the limit"),
        # Ten billion pixels: Pillow refuses it on opening; still one clear sentence.
        (100_000, 100_000, r"is too large an image \(.*10000000000 pixels"),
    ],
)
def test_a_decompression_bomb_is_refused_before_it_is_decoded(
    tmp_path: Path, width: int, height: int, expected: str
) -> None:
    bomb = tmp_path / "бомба.png"
    bomb.write_bytes(png_declaring(width, height))
    assert bomb.stat().st_size < 1000

    assert re.search(expected, reason_for(bomb))


def test_a_tiff_with_thousands_of_pages_is_refused(tmp_path: Path) -> None:
    frames = [Image.new("1", (8, 8), 1) for _ in range(2_001)]
    path = tmp_path / "тисячі.tiff"
    frames[0].save(path, save_all=True, append_images=frames[1:])

    assert reason_for(path) == "has 2,001 pages, over the limit of 2,000"


def test_broken_images_are_refused_as_corrupt(tmp_path: Path, scans: Scans) -> None:
    cut = tmp_path / "обрізаний.png"
    cut.write_bytes(scans.png.read_bytes()[:3000])
    garbage = tmp_path / "сміття.tiff"
    garbage.write_bytes(b"II*\x00" + bytes(range(256)) * 8)
    text = tmp_path / "текст.png"
    text.write_text("це не зображення", encoding="utf-8")

    assert reason_for(cut).startswith("corrupt image")
    assert reason_for(garbage).startswith("corrupt image")
    assert reason_for(text).startswith("is not a PNG, JPEG or TIFF image (starts with")


def test_with_ocr_off_a_scan_is_refused_and_says_why(scans: Scans) -> None:
    off = OcrOptions(mode="off")

    assert reason_for(scans.image_pdf, off) == "no extractable text — scanned? OCR is off (HROMADA_OCR=off)"
    assert reason_for(scans.png, off) == "an image: its text can only be read by OCR, which is off"
    [mixed] = read_file(scans.mixed_pdf, ocr=off)
    assert (
        mixed.pages[1] == "" and mixed.metadata["pages_without_text"] == [2] and "ocr" not in mixed.metadata
    )


# ---------------------------------------------------------------- Tesseract or a language missing


def test_without_tesseract_a_scan_fails_alone_and_names_the_packages(
    scans: Scans,
    tmp_path: Path,
    fake_cli: Command,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``hromada index`` with a PATH that has no Tesseract: the scans fail, the text file is indexed."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for path in (scans.image_pdf, scans.mixed_pdf, scans.png):
        shutil.copy(path, folder)
    (folder / "нотатка.txt").write_text(
        "Нотатка про водопостачання: у селі Вишневе водогін аварійний, воду підвозять двічі на тиждень.",
        encoding="utf-8",
    )
    path_without_tesseract = os.pathsep.join(
        directory
        for directory in os.environ.get("PATH", "").split(os.pathsep)
        if directory and not (Path(directory) / "tesseract").exists()
    )
    monkeypatch.setenv("PATH", path_without_tesseract)
    monkeypatch.delenv("HROMADA_OCR_TESSERACT", raising=False)
    status = fake_cli(["index", str(folder), "--store", str(tmp_path / "store"), "--json"])
    out, err = capfd.readouterr()

    assert status == 1, err
    report = json.loads(out)
    missing = (
        "scanned: install tesseract-ocr tesseract-ocr-ukr tesseract-ocr-rus tesseract-ocr-eng to read it"
    )
    assert {(Path(failure["path"]).name, failure["error"]) for failure in report["failed"]} == {
        (scans.image_pdf.name, missing),
        (scans.mixed_pdf.name, missing),
        (scans.png.name, missing),
    }
    assert [Path(path).name for path in report["indexed"]] == ["нотатка.txt"]
    assert "Traceback" not in err


def test_a_missing_language_pack_is_named(
    scans: Scans,
    tmp_path: Path,
    embedder: Embedder,
    ukrainian_pipeline: UkrainianPipeline,
    tesseract: set[str],
) -> None:
    assert "bel" not in tesseract
    settings = Settings(store=tmp_path / "store", ocr_languages="ukr+rus+bel")
    hromada = Hromada(settings, embedder=embedder, pipeline=ukrainian_pipeline)
    note = tmp_path / "нотатка.txt"
    note.write_text("Нотатка про ремонт даху школи в селі Вишневе.", encoding="utf-8")

    report = hromada.index([scans.png, note], hromada.index_options(show_progress=False))

    assert [(failure.path, failure.error) for failure in report.failed] == [
        (str(scans.png), "scanned: install tesseract-ocr-bel to read it")
    ]
    assert report.indexed == [str(note)]
    client = TestClient(create_app(hromada))
    upload = client.post("/documents", files={"file": ("скан.png", scans.png.read_bytes(), "image/png")})
    [failure] = upload.json()["failed"]
    assert "tesseract-ocr-bel" in failure["advice"] and "скан" in failure["message"]


# ---------------------------------------------------------------- search, citations and exports


@pytest.fixture(scope="module")
def scanned_store(
    scans: Scans,
    tmp_path_factory: pytest.TempPathFactory,
    embedder: Embedder,
    ukrainian_pipeline: UkrainianPipeline,
    tesseract: set[str],
) -> Hromada:
    """A store of the mixed PDF and the two-page TIFF (its pages 2 and 3 scanned), indexed with the settings' OCR.

    (The PNG is page 2 again, the TIFF's first page: search shows one of two identical texts.)
    """
    hromada = Hromada(
        Settings(store=tmp_path_factory.mktemp("scanned") / "store"),
        embedder=embedder,
        pipeline=ukrainian_pipeline,
    )
    report = hromada.index([scans.mixed_pdf, scans.tiff], hromada.index_options(show_progress=False))
    assert not report.failed, report.failed
    return hromada


def test_a_phrase_on_a_scanned_page_is_found_on_its_page_and_marked(
    scanned_store: Hromada, scans: Scans
) -> None:
    hits = scanned_store.search(PAGE_2_PHRASE, k=10)
    pages = {(Path(hit.source).name, hit.page) for hit in hits if "інспектор" in hit.text}

    assert pages == {(scans.mixed_pdf.name, 2), (scans.tiff.name, 1)}, [
        (hit.source, hit.page, hit.text[:200]) for hit in hits
    ]
    for hit in hits:
        document = scanned_store.document(hit.doc_id)
        assert hit.text == document.text[hit.start : hit.end]
        recognised = Path(hit.source).name != scans.mixed_pdf.name or hit.page == 2
        assert (hit.ocr is not None) == recognised
        assert hit.citation.endswith(OCR_MARK) == recognised
    mixed = next(hit for hit in hits if Path(hit.source).name == scans.mixed_pdf.name and hit.page == 2)
    assert mixed.citation.endswith(f", с. 2 {OCR_MARK}")
    assert mixed.ocr is not None and mixed.ocr.engine.startswith("tesseract") and mixed.ocr.confidence > 80


def test_a_text_page_of_a_mixed_pdf_is_not_marked(scanned_store: Hromada, scans: Scans) -> None:
    hits = {(Path(hit.source).name, hit.page): hit for hit in scanned_store.search(PAGE_3_PHRASE, k=3)}

    text_page, scanned_page = hits[(scans.mixed_pdf.name, 3)], hits[(scans.tiff.name, 2)]
    assert text_page.ocr is None and OCR_MARK not in text_page.citation
    assert scanned_page.ocr is not None and scanned_page.citation.endswith(f", с. 2 {OCR_MARK}")


def recognised(scans: Scans, source: str, page: int | None) -> bool:
    """Whether the store's page was recognised: the TIFF's pages and the mixed PDF's second page."""
    return Path(source).name == scans.tiff.name or page == 2


def test_exports_and_the_http_api_carry_the_mark(scanned_store: Hromada, scans: Scans) -> None:
    excerpts = scanned_store.excerpts(PAGE_2_PHRASE, k=5)
    marked = [recognised(scans, excerpt.source, excerpt.page) for excerpt in excerpts]
    assert sum(marked) >= 2 and not all(marked)
    assert [excerpt.ocr is not None for excerpt in excerpts] == marked
    assert [excerpt.citation.endswith(OCR_MARK) for excerpt in excerpts] == marked
    markdown = to_markdown(excerpts)
    assert markdown.count(f"{OCR_MARK}.") == sum(marked)
    notes = footnotes(Document(io.BytesIO(to_docx(excerpts, ReportTitle("Скани")))))
    assert [notes[number].endswith(f"{OCR_MARK}.") for number in range(1, len(excerpts) + 1)] == marked

    client = TestClient(create_app(scanned_store))
    body = client.get("/search", params={"q": PAGE_2_PHRASE, "k": 5}).json()
    for hit in body["hits"]:
        assert (hit["ocr"] is not None) == recognised(scans, hit["source"], hit["page"])
        assert hit["ocr"] is None or hit["ocr"]["engine"].startswith("tesseract")
    exported = client.post("/excerpts", json={"query": PAGE_2_PHRASE, "k": 5, "format": "markdown"}).text
    assert exported.count(f"{OCR_MARK}.") == sum(marked)
    mixed = next(
        hit for hit in body["hits"] if (Path(hit["source"]).name, hit["page"]) == (scans.mixed_pdf.name, 2)
    )
    document = client.get(f"/documents/{mixed['doc_id']}").json()
    assert document["metadata"]["ocr"]["pages"] == [2]
    assert document["text"][mixed["start"] : mixed["end"]] == mixed["text"]


def test_the_command_line_excerpts_carry_the_mark(scanned_store: Hromada, scans: Scans) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "excerpts", PAGE_2_PHRASE, "-k", "5", "--format", "json",
         "--store", str(scanned_store.settings.store)],
        capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(REPOSITORY)},
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    excerpts = json.loads(result.stdout)["excerpts"]
    marked = [recognised(scans, excerpt["source"], excerpt["page"]) for excerpt in excerpts]
    assert sum(marked) >= 2
    assert [excerpt["citation"].endswith(OCR_MARK) for excerpt in excerpts] == marked
    assert [(excerpt["ocr"] or {}).get("languages") for excerpt in excerpts] == [
        "ukr+rus+eng" if mark else None for mark in marked
    ]
