"""``hromada serve`` loads its models before ``/health`` says ready, so the first search is not the slow one."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient

from service.api import create_app
from service.hromada import Hromada
from service.settings import Settings

LOAD_TIMEOUT_SECONDS = 600


def test_health_answers_starting_until_the_models_are_loaded(indexed: Hromada, tmp_path: Path) -> None:
    store = tmp_path / "store"
    indexed.store().snapshot(store)
    cold = Hromada(Settings(store=store))  # loads its own embedder and pipeline, as a server does
    with TestClient(create_app(cold, load_models_first=True)) as client:
        first = client.get("/health")
        assert first.status_code == 503 and first.json()["status"] == "starting"
        deadline = time.monotonic() + LOAD_TIMEOUT_SECONDS
        while (health := client.get("/health")).status_code == 503 and time.monotonic() < deadline:
            assert health.json()["status"] == "starting", health.json()
            time.sleep(0.05)
        assert health.status_code == 200 and health.json() == {"status": "ok", "store": True, "keys": False}
        seconds = []
        for query in ("шкільний автобус", "ремонт дороги", "вуличне освітлення", "вода", "сміття", "школа"):
            started = time.perf_counter()
            search = client.get("/search", params={"q": query, "k": 1})
            seconds.append(time.perf_counter() - started)
            assert search.status_code == 200 and search.json()["hits"], search.json()
        # Loaded before ready: the first search is no slower than the others (loading takes seconds).
        assert seconds[0] <= max(1.0, 5 * sorted(seconds[1:])[2]), seconds
    cold.close()


def test_health_reports_a_failed_load(tmp_path: Path) -> None:
    broken = tmp_path / "model"
    broken.mkdir()
    (broken / "notes.txt").write_text("не модель", encoding="utf-8")
    hromada = Hromada(Settings(store=tmp_path / "store", model_dir=broken))
    with TestClient(create_app(hromada, load_models_first=True)) as client:
        deadline = time.monotonic() + 60
        while (health := client.get("/health")).json()[
            "status"
        ] == "starting" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert health.status_code == 503
        assert health.json()["status"] == "failed" and "no model manifest" in health.json()["detail"]


def test_an_app_built_without_loading_first_is_ready_at_once(indexed: Hromada) -> None:
    with TestClient(create_app(indexed)) as client:
        assert client.get("/health").json()["status"] == "ok"
