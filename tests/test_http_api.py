"""The HTTP API: the JSON shapes of DESIGN.md, uploads, documents, excerpts and plain 4xx errors."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from docx import Document
from fastapi.testclient import TestClient

from service.api import create_app
from service.hromada import Hromada

HIT_FIELDS = {
    "rank", "score", "doc_id", "chunk_id", "title", "kind", "source", "page", "section",
    "speaker", "date", "text", "start", "end",
}  # fmt: skip


@pytest.fixture(scope="module")
def client(indexed: Hromada) -> TestClient:
    return TestClient(create_app(indexed))


@pytest.fixture
def writable_client(fresh: Hromada) -> TestClient:
    return TestClient(create_app(fresh))


def test_health_and_stats(client: TestClient) -> None:
    assert client.get("/health").json()["status"] == "ok"
    stats = client.get("/stats").json()
    assert stats["chunks"] > 0 and stats["dimension"] == 384 and stats["kinds"]["legislation"] == 1


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
    assert bad_date.status_code == 400 and "since" in bad_date.json()["detail"]
    bad_kind = client.get("/search", params={"q": "вода", "kind": "poem"})
    assert bad_kind.status_code == 400 and "kind" in bad_kind.json()["detail"]
    missing = client.get("/search")
    assert missing.status_code == 422 and "q" in missing.json()["detail"]


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
    docx = client.post("/excerpts", json={"chunk_ids": chunk_ids, "format": "docx"})
    paragraphs = [p.text for p in Document(io.BytesIO(docx.content)).paragraphs]
    assert any(p.startswith("[1] ") and body["excerpts"][1]["citation"] in p for p in paragraphs)


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
    doc_id = writable_client.get("/documents").json()["documents"][0]["id"]
    assert writable_client.delete(f"/documents/{doc_id}").json() == {"deleted": doc_id}
    assert writable_client.get(f"/documents/{doc_id}").status_code == 404


def test_uploads_cannot_escape_the_store(writable_client: TestClient, fresh: Hromada, tmp_path: Path) -> None:
    files = [("file", ("../../escape.txt", "Прошу відремонтувати дорогу до школи.".encode(), "text/plain"))]
    response = writable_client.post("/documents", files=files)
    assert response.status_code == 200
    assert not (tmp_path / "escape.txt").exists()
    saved = list((fresh.settings.store / "uploads").iterdir())
    assert len(saved) == 1 and saved[0].name.endswith("escape.txt")


def test_search_on_a_missing_store_is_a_plain_error(tmp_path: Path, embedder, ukrainian_pipeline) -> None:
    from service.settings import Settings

    hromada = Hromada(Settings(store=tmp_path / "none"), embedder=embedder, pipeline=ukrainian_pipeline)
    response = TestClient(create_app(hromada)).get("/search", params={"q": "школа"})
    assert response.status_code == 503 and "no store" in response.json()["detail"]
    assert "Traceback" not in response.text and str(tmp_path) not in response.text


def test_openapi_describes_the_endpoints(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/search", "/excerpts", "/documents", "/documents/{doc_id}", "/health", "/stats"} <= set(paths)


def test_documents_survive_a_server_restart(fresh: Hromada, corpus: Path, tmp_path: Path) -> None:
    shutil.copytree(corpus / "appeals", tmp_path / "appeals")
    fresh.index([tmp_path / "appeals"])
    fresh.close()
    restarted = TestClient(create_app(Hromada(fresh.settings, fresh.embedder, fresh.pipeline)))
    assert restarted.get("/stats").json()["documents"] == 32
