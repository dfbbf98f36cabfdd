"""The HTTP API: the JSON shapes of DESIGN.md, uploads, documents, excerpts and plain 4xx errors.

None of it depends on what the vectors mean: the stores hold the fake encoder's vectors (search quality is
``test_search.py``'s, on the real model)."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pytest
from docx import Document
from fastapi.testclient import TestClient

from service.api import create_app
from service.hromada import Hromada
from service.settings import Settings
from tests.conftest import Command
from tests.word_footnotes import footnotes

HIT_FIELDS = {
    "rank", "score", "doc_id", "chunk_id", "title", "kind", "source", "page", "section",
    "speaker", "date", "text", "start", "end",
}  # fmt: skip


@pytest.fixture(scope="module")
def client(fake_indexed: Hromada) -> TestClient:
    return TestClient(create_app(fake_indexed))


@pytest.fixture
def writable_client(fake_fresh: Hromada) -> TestClient:
    return TestClient(create_app(fake_fresh))


def test_health_and_stats(client: TestClient, fake_indexed: Hromada) -> None:
    assert client.get("/health").json()["status"] == "ok"
    stats = client.get("/stats").json()
    assert stats["chunks"] > 0 and stats["kinds"]["legislation"] == 1
    assert (
        stats["dimension"] == fake_indexed.embedder.dimension and stats["model"] == fake_indexed.embedder.name
    )


def test_search_returns_the_contract_shape(client: TestClient) -> None:
    response = client.get("/search", params={"q": "підвезення учнів до школи", "k": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "підвезення учнів до школи"
    assert len(body["hits"]) == 3
    assert set(body["hits"][0]) >= HIT_FIELDS


def test_search_filters_and_their_errors(client: TestClient) -> None:
    hits = client.get("/search", params={"q": "вода", "kind": "appeal", "region": "Житомирська"}).json()[
        "hits"
    ]
    assert hits and all(hit["kind"] == "appeal" and "Житомирська" in hit["region"] for hit in hits)
    bad_date = client.get("/search", params={"q": "вода", "since": "вчора"})
    assert bad_date.status_code == 422 and "since" in bad_date.json()["detail"]
    bad_kind = client.get("/search", params={"q": "вода", "kind": "poem"})
    assert bad_kind.status_code == 422 and "kind" in bad_kind.json()["detail"]
    missing = client.get("/search")
    assert missing.status_code == 422 and "q" in missing.json()["detail"]


LATIN = re.compile("[A-Za-z]")


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"q": "вода", "since": "вчора"}, "since", "РРРР-ММ-ДД"),
        ({"q": "вода", "kind": "poem"}, "kind", "legislation"),
        ({"q": "вода", "offset": 5000}, "offset", "не більше 1000"),
        ({"q": "вода", "k": "багато"}, "k", "ціле число"),
        ({"q": "вода", "mode": "fuzzy"}, "mode", "hybrid"),
        ({}, "q", "Не заповнено поле «запит»"),
    ],
)
def test_a_mistake_in_any_field_is_422_with_ukrainian_words_and_advice(
    client: TestClient, params: dict[str, object], field: str, words: str
) -> None:
    # Whether FastAPI's types or hromada's own checks find the mistake, the answer has one form.
    body = client.get("/search", params=params)
    assert body.status_code == 422
    error = body.json()
    assert error["field"] == field and error["detail"]
    assert words in error["message"] + " " + error["advice"]
    # The advice may list values (kind names are Latin); what went wrong is said in Ukrainian alone.
    assert not LATIN.search(error["message"])


def test_an_unknown_sector_is_an_error_that_lists_the_sectors(client: TestClient) -> None:
    response = client.get("/search", params={"q": "школа", "sector": "sport"})
    assert response.status_code == 422 and response.json()["field"] == "sector"
    advice = response.json()["advice"]
    assert "education (Освіта)" in advice and "health (Охорона здоров'я)" in advice
    known = client.get("/search", params={"q": "школа", "sector": "education"})
    assert known.status_code == 200


def test_a_citation_can_be_checked_against_the_document(client: TestClient) -> None:
    hit = client.get("/search", params={"q": "виключна компетенція ради", "kind": "legislation"}).json()[
        "hits"
    ][0]
    document = client.get(f"/documents/{hit['doc_id']}").json()
    assert document["text"][hit["start"] : hit["end"]] == hit["text"]
    assert document["kind"] == "legislation" and document["title"]


def test_excerpts_as_json_markdown_and_docx(client: TestClient) -> None:
    body = client.post("/excerpts", json={"query": "аварійний водогін", "k": 2}).json()
    assert [excerpt["number"] for excerpt in body["excerpts"]] == [1, 2]
    markdown = client.post("/excerpts", json={"query": "аварійний водогін", "k": 2, "format": "markdown"})
    assert markdown.headers["content-type"].startswith("text/markdown") and "[^2]:" in markdown.text
    chunk_ids = [excerpt["chunk_id"] for excerpt in body["excerpts"]][::-1]
    docx = client.post("/excerpts", json={"chunk_ids": chunk_ids, "format": "docx", "title": "Водогін"})
    report = Document(io.BytesIO(docx.content))
    assert footnotes(report)[1] == f"{body['excerpts'][1]['citation']}."
    assert report.paragraphs[0].text.startswith("Водогін — ") and report.core_properties.author == "hromada"


def test_excerpts_need_a_query_or_chunks(client: TestClient) -> None:
    assert client.post("/excerpts", json={}).status_code == 422
    assert client.post("/excerpts", json={"chunk_ids": [999_999]}).status_code == 404


def test_unknown_documents_are_404(client: TestClient) -> None:
    response = client.get("/documents/999999")
    assert response.status_code == 404 and "999999" in response.json()["detail"]


def test_upload_index_and_delete(writable_client: TestClient, corpus: Path) -> None:
    files = [
        ("file", ("proposal.md", (corpus / "proposals/proposal-vodohin.md").read_bytes(), "text/markdown")),
        ("file", ("broken.pdf", b"%PDF-1.7 truncated", "application/pdf")),
    ]
    response = writable_client.post("/documents", files=files)
    assert response.status_code == 200
    body = response.json()
    assert len(body["indexed"]) == 1 and body["chunks"] > 0
    assert body["failed"][0]["path"].endswith("broken.pdf") and body["failed"][0]["error"]
    assert body["failed"][0]["message"] == "PDF обрізаний: файл закінчується раніше, ніж мав би."
    # The failed file is nobody's source: it is not kept among the uploads; the indexed one is.
    uploads = [path.name for path in writable_client.app.state.hromada.settings.uploads_folder.iterdir()]
    assert len(uploads) == 1 and uploads[0].endswith("proposal.md")
    doc_id = writable_client.get("/documents").json()["documents"][0]["id"]
    assert writable_client.delete(f"/documents/{doc_id}").json() == {"deleted": doc_id}
    assert writable_client.get(f"/documents/{doc_id}").status_code == 404


def test_an_index_report_has_one_shape_in_the_cli_and_over_http(
    writable_client: TestClient,
    fake_cli: Command,
    corpus: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    proposal = tmp_path / "proposal.md"
    shutil.copy(corpus / "proposals/proposal-vodohin.md", proposal)
    assert fake_cli(["index", str(proposal), "--store", str(tmp_path / "cli-store"), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    posted = writable_client.post(
        "/documents", files=[("file", ("proposal.md", proposal.read_bytes()))]
    ).json()

    assert set(posted) == set(printed) >= {"indexed", "unchanged", "failed", "documents", "chunks", "kinds"}
    assert printed["indexed"] == [str(proposal)] and posted["indexed"] == ["proposal.md"]
    assert [choice["kind"] for choice in posted["kinds"]] == [choice["kind"] for choice in printed["kinds"]]
    assert posted["chunks"] == printed["chunks"] > 0


def test_uploads_cannot_escape_the_store(
    writable_client: TestClient, fake_fresh: Hromada, tmp_path: Path
) -> None:
    files = [("file", ("../../escape.txt", "Прошу відремонтувати дорогу до школи.".encode(), "text/plain"))]
    response = writable_client.post("/documents", files=files)
    assert response.status_code == 200
    assert not (tmp_path / "escape.txt").exists()
    saved = list(fake_fresh.settings.uploads_folder.iterdir())
    assert len(saved) == 1 and saved[0].name.endswith("escape.txt")


def test_search_on_a_missing_store_is_a_plain_error(tmp_path: Path, fake_indexed: Hromada) -> None:
    hromada = Hromada(Settings(store=tmp_path / "none"), fake_indexed.embedder, fake_indexed.pipeline)
    response = TestClient(create_app(hromada)).get("/search", params={"q": "школа"})
    assert response.status_code == 503 and "no store" in response.json()["detail"]
    assert "Traceback" not in response.text and str(tmp_path) not in response.text


def test_openapi_describes_the_endpoints(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/search", "/excerpts", "/documents", "/documents/{doc_id}", "/health", "/stats"} <= set(paths)


def test_api_docs_work_offline_from_local_assets(client: TestClient) -> None:
    for page, script in (("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")):
        html = client.get(page).text
        assert f'src="/docs-assets/{script}"' in html
        assert "https://" not in html.replace("https://github.com", "")
        asset = client.get(f"/docs-assets/{script}")
        assert asset.status_code == 200 and len(asset.content) > 500_000
    assert client.get("/docs-assets/../app.py").status_code == 404


def test_favicon_and_whether_keys_are_needed(client: TestClient) -> None:
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert client.get("/health").json()["keys"] is False


def test_documents_survive_a_server_restart(fake_fresh: Hromada, corpus: Path, tmp_path: Path) -> None:
    shutil.copytree(corpus / "appeals", tmp_path / "appeals")
    fake_fresh.index([tmp_path / "appeals"])
    fake_fresh.close()
    restarted = TestClient(create_app(Hromada(fake_fresh.settings, fake_fresh.embedder, fake_fresh.pipeline)))
    assert restarted.get("/stats").json()["documents"] == 32
