"""A problem's brief through the CLI and HTTP, on the sample corpus: every quotation is checked against its
source document (``GET /documents/{id}`` text at the cited offsets) and every footnote against the source it
names; the DOCX is opened with python-docx as Word would read it."""

from __future__ import annotations

import base64
import io
import json
import re
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from fastapi.testclient import TestClient

from indexing.store import open_store
from models.embedder import Embedder
from models.ukrainian_pipeline import UkrainianPipeline
from service.api import create_app
from service.hromada import Hromada
from service.markdown_headings import text_blocks
from service.settings import Settings
from tests.conftest import STRATEGIES, Command
from tests.word_footnotes import footnotes, quotations

AUTHOR = "Аналітичний відділ асоціації"
SECTIONS = [
    "Повторюваність",
    "Типові висловлювання",
    "Нормативна база",
    "Подібні проєкти",
    "Попередні випадки",
    "Громади-партнери",
]
LISTS = ("statements", "legislation", "proposals", "cases")


@pytest.fixture(scope="module")
def briefed(
    clustered: Path,
    tmp_path_factory: pytest.TempPathFactory,
    embedder: Embedder,
    ukrainian_pipeline: UkrainianPipeline,
) -> Hromada:
    """A copy of the sample store with its problems found, and five hromada strategies added after that."""
    store = tmp_path_factory.mktemp("brief") / "store"
    with open_store(clustered) as problems_found:
        problems_found.snapshot(store)
    hromada = Hromada(
        Settings(store=store, report_author=AUTHOR), embedder=embedder, pipeline=ukrainian_pipeline
    )
    report = hromada.index([STRATEGIES])
    assert not report.failed, report.failed
    return hromada


@pytest.fixture(scope="module")
def client(briefed: Hromada) -> TestClient:
    return TestClient(create_app(briefed))


@pytest.fixture(scope="module")
def landfill(briefed: Hromada) -> str:
    """The id of the planted problem of overfull landfills (the sample's «полігон» appeals and speeches)."""
    [problem] = [
        p for p in briefed.problems(min_size=2) if "полігон" in " ".join([p.label, *p.keywords]).casefold()
    ]
    return problem.id


def quoted_excerpts(brief: dict[str, Any]) -> list[dict[str, Any]]:
    """The brief's excerpts in the order it quotes them: its lists, then the partners' items."""
    return [
        *(excerpt for name in LISTS for excerpt in brief[name]),
        *(p["excerpt"] for p in brief["partners"]),
    ]


def shown(text: str) -> str:
    """An excerpt as a reader sees it (Markdown heading marks off), spaces evened out."""
    return " ".join("\n".join(block.text for block in text_blocks(text)).split())


def names_its_source(citation: str, document: dict[str, Any]) -> bool:
    """Whether a citation names the document: an appeal by its number, anything else by its title."""

    def bare(text: str) -> str:
        return re.sub(r"[«»„“\"]", "", text)

    if document["kind"] == "appeal" and document["record_id"]:
        return f"№ {document['record_id']}" in citation
    return bare(document["title"]) in bare(citation)


def check_cited_exactly(
    docx: bytes, brief: dict[str, Any], read_document: Callable[[int], dict[str, Any]]
) -> None:
    """Every quotation of the DOCX is its excerpt's text, every footnote its citation, every excerpt the exact
    text of its source document at its offsets, and every citation names that document."""
    excerpts = quoted_excerpts(brief)
    assert [excerpt["number"] for excerpt in excerpts] == list(range(1, len(excerpts) + 1))
    word = Document(io.BytesIO(docx))
    notes = footnotes(word)
    assert notes == {excerpt["number"]: f"{excerpt['citation']}." for excerpt in excerpts}
    quoted = quotations(word)
    assert [number for _, number in quoted] == [excerpt["number"] for excerpt in excerpts]
    for (text, number), excerpt in zip(quoted, excerpts, strict=True):
        assert " ".join(text.split()) == shown(excerpt["text"]), f"quotation {number}"
        document = read_document(excerpt["doc_id"])
        assert document["text"][excerpt["start"] : excerpt["end"]] == excerpt["text"], f"footnote {number}"
        assert names_its_source(notes[number], document), (notes[number], document["title"])


def test_the_brief_over_http_cites_every_quotation_exactly(client: TestClient, landfill: str) -> None:
    brief = client.get(f"/problems/{landfill}/brief", params={"format": "json"}).json()
    response = client.get(f"/problems/{landfill}/brief")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == f'attachment; filename="brief-{landfill}.docx"'
    check_cited_exactly(response.content, brief, lambda doc_id: client.get(f"/documents/{doc_id}").json())

    label = brief["problem"]["label"]
    assert all(brief[name] for name in LISTS), {name: len(brief[name]) for name in LISTS}
    assert all(excerpt["kind"] == "legislation" for excerpt in brief["legislation"])
    assert all(excerpt["kind"] == "proposal" for excerpt in brief["proposals"])
    # A case already quoted as a typical statement is not quoted twice.
    assert not {e["chunk_id"] for e in brief["cases"]} & {e["chunk_id"] for e in brief["statements"]}
    # Лохвицька names the same problem in its strategy: «Відсутність сортувальної лінії».
    partners = {partner["hromada"]: partner for partner in brief["partners"]}
    lokhvytsia = partners["Лохвицька міська територіальна громада"]
    assert lokhvytsia["match"] == "same_problem"
    assert lokhvytsia["excerpt"]["text"] == "Відсутність сортувальної лінії"

    word = Document(io.BytesIO(response.content))
    properties = word.core_properties
    assert properties.title == word.paragraphs[0].text and properties.title.startswith(
        f"Довідка: «{label}» — "
    )
    assert properties.author == AUTHOR and properties.language == "uk-UA" and properties.subject == label
    assert datetime.now(UTC) - properties.created < timedelta(minutes=10)
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 2"]
    assert headings == SECTIONS
    facts = {row.cells[0].text: row.cells[1].text for row in word.tables[0].rows}
    assert facts["Згадок"] == str(brief["problem"]["size"])
    assert facts["Регіони"] == ", ".join(brief["problem"]["regions"])
    assert len(word.inline_shapes) == 1, "the monthly chart is embedded as an image"
    body = "\n".join(paragraph.text for paragraph in word.paragraphs)
    assert "Лохвицька міська територіальна громада (Миргородський район, Полтавська область" in body
    assert not re.search(r"\b(the|and|of|problem)\b", body), "the brief is Ukrainian throughout"


def test_the_brief_in_markdown_carries_its_chart_and_footnotes(client: TestClient, landfill: str) -> None:
    brief = client.get(f"/problems/{landfill}/brief", params={"format": "json"}).json()
    markdown = client.get(f"/problems/{landfill}/brief", params={"format": "markdown"}).text
    assert markdown.startswith(f"# Довідка: «{brief['problem']['label']}» — ")
    [image] = re.findall(r"!\[Рисунок 1[^\]]*\]\(data:image/png;base64,([A-Za-z0-9+/=]+)\)", markdown)
    assert base64.b64decode(image).startswith(b"\x89PNG")
    for excerpt in quoted_excerpts(brief):
        assert f"[^{excerpt['number']}]: {excerpt['citation']}." in markdown
    assert [f"## {section}" for section in SECTIONS] == re.findall(r"^## .*$", markdown, flags=re.M)


def test_the_brief_takes_the_filters_of_the_problem(client: TestClient, landfill: str) -> None:
    region = client.get(f"/problems/{landfill}").json()["regions"][0]
    filtered = client.get(f"/problems/{landfill}", params={"region": region}).json()
    brief = client.get(f"/problems/{landfill}/brief", params={"format": "json", "region": region}).json()
    assert brief["filters"] == {"region": region}
    assert brief["problem"]["size"] == filtered["size"] and brief["problem"]["regions"] == [region]
    docx = client.get(f"/problems/{landfill}/brief", params={"region": region}).content
    body = "\n".join(paragraph.text for paragraph in Document(io.BytesIO(docx)).paragraphs)
    assert f"Враховано лише висловлювання: регіон — {region}." in body

    missing = client.get("/problems/P-none/brief")
    assert missing.status_code == 404 and missing.json()["message"] == "Такої проблеми немає."
    wrong = client.get(f"/problems/{landfill}/brief", params={"format": "pdf"})
    assert wrong.status_code == 422 and wrong.json()["field"] == "format"


def test_the_brief_command_writes_docx_and_markdown_with_its_chart_beside(
    briefed: Hromada,
    landfill: str,
    tmp_path: Path,
    cli: Command,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HROMADA_REPORT_AUTHOR", "Відділ аналітики громади")
    store = str(briefed.settings.store)
    assert cli(["brief", landfill, "--store", store, "--format", "json"]) == 0
    brief = json.loads(capsys.readouterr().out)
    docx = tmp_path / "довідка.docx"
    assert cli(["brief", landfill, "--store", store, "--format", "docx", "-o", str(docx)]) == 0
    check_cited_exactly(docx.read_bytes(), brief, lambda doc_id: asdict(briefed.document(doc_id)))
    assert Document(str(docx)).core_properties.author == "Відділ аналітики громади"

    markdown = tmp_path / "brief.md"
    assert cli(["brief", landfill, "--store", store, "-o", str(markdown)]) == 0
    text = markdown.read_text(encoding="utf-8")
    assert "](brief-chart.png)" in text and "data:image" not in text
    assert (tmp_path / "brief-chart.png").read_bytes().startswith(b"\x89PNG")
    capsys.readouterr()
    assert cli(["brief", landfill, "--store", store, "--format", "docx"]) == 2
    assert "--format docx needs -o FILE" in capsys.readouterr().err
