"""Paging through search results: ``offset`` skips the best hits and ranks go on counting from the top (on the fake
encoder's vectors: paging does not depend on what they mean)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from service.api import create_app
from service.hromada import Hromada


def test_a_page_is_the_slice_of_the_longer_list(fake_indexed: Hromada) -> None:
    top = fake_indexed.search("громада", k=12)
    second_page = fake_indexed.search("громада", k=6, offset=6)
    assert [hit.chunk_id for hit in second_page] == [hit.chunk_id for hit in top[6:12]]
    assert [hit.rank for hit in second_page] == list(range(7, 13))


def test_the_http_search_pages_with_offset_and_refuses_a_negative_one(fake_indexed: Hromada) -> None:
    client = TestClient(create_app(fake_indexed))
    top = client.get("/search", params={"q": "вода", "k": 4}).json()["hits"]
    page = client.get("/search", params={"q": "вода", "k": 2, "offset": 2}).json()["hits"]
    assert [hit["chunk_id"] for hit in page] == [hit["chunk_id"] for hit in top[2:]]
    refused = client.get("/search", params={"q": "вода", "offset": -1})
    assert refused.status_code == 422 and "offset" in refused.json()["detail"]
