"""The ``hromada`` command as scripts use it: clean JSON on stdout, exit statuses, batch queries, exports.

Commands that embed run in this process (``service.cli.main``, the command's own code after the process starts)
with the fake encoder: their output does not depend on what the vectors mean. The process itself (``python -m
service.cli``: exit statuses, nothing on stdout but JSON, what it imports) is run where that is what is tested.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document

from models.encoders import BACKENDS, OPENVINO_BF16
from service.cli import main
from service.hromada import Hromada
from tests.conftest import Command
from tests.word_footnotes import footnotes


def hromada(
    *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "service.cli", *map(str, args)]
    environment = {**os.environ, **(env or {}), "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    return subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=cwd, env=environment)


def test_index_prints_one_json_object_and_exits_1_when_a_file_fails(
    tmp_path: Path, corpus: Path, fake_cli: Command, capfd: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "docs"
    shutil.copytree(corpus / "appeals", folder)
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4\n%broken beyond repair")
    status = fake_cli(["index", str(folder), "--store", str(tmp_path / "store"), "--json"])
    out, err = capfd.readouterr()  # what the process's stdout and stderr got, libraries' writes included
    assert status == 1, err
    report = json.loads(out)
    assert set(report) >= {"indexed", "unchanged", "failed", "documents", "chunks"}
    assert report["documents"] == 32 and report["chunks"] == 32
    assert report["failed"][0]["path"].endswith("scan.pdf") and report["failed"][0]["error"]
    assert "Traceback" not in err

    again = fake_cli(
        ["--store", str(tmp_path / "store"), "--json", "index", str(folder / "appeals-2025.jsonl")]
    )
    assert again == 0 and json.loads(capfd.readouterr().out)["unchanged"] == [
        str(folder / "appeals-2025.jsonl")
    ]


def test_search_json_and_batch_queries_load_the_models_once(
    fake_indexed: Hromada, fake_cli: Command, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    store = str(fake_indexed.settings.store)
    assert fake_cli(["search", "шкільний автобус", "-k", "2", "--store", store, "--json"]) == 0
    body = json.loads(capfd.readouterr().out)
    assert body["query"] == "шкільний автобус" and len(body["hits"]) == 2

    queries = tmp_path / "queries.jsonl"
    queries.write_text(
        '{"id": "q1", "query": "немає води"}\n{"id": "q2", "query": "вчителі математики"}\n', encoding="utf-8"
    )
    batch = ["search", "--queries", str(queries), "-k", "3", "--kind", "appeal", "--store", store, "--json"]
    assert fake_cli(batch) == 0
    lines = [json.loads(line) for line in capfd.readouterr().out.splitlines()]
    assert [line["id"] for line in lines] == ["q1", "q2"]
    assert all(hit["kind"] == "appeal" for line in lines for hit in line["hits"])


def test_excerpts_to_docx_and_markdown(
    fake_indexed: Hromada, fake_cli: Command, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    store = str(fake_indexed.settings.store)
    output = tmp_path / "excerpts.docx"
    assert fake_cli(["excerpts", "компетенція ради", "-k", "2", "--format", "docx", "-o", str(output),
                     "--store", store]) == 0  # fmt: skip
    assert set(footnotes(Document(str(output)))) == {1, 2}
    assert fake_cli(["excerpts", "компетенція ради", "-k", "2", "--store", store]) == 0
    markdown = capfd.readouterr().out
    assert "[^1]:" in markdown and "[^2]:" in markdown


def test_usage_errors_and_unusable_stores_exit_2(tmp_path: Path) -> None:
    no_query = hromada("search", "--store", tmp_path / "store")
    assert no_query.returncode == 2 and "QUERY" in no_query.stderr
    no_store = hromada("check", "--store", tmp_path / "missing")
    assert no_store.returncode == 2 and "no store here" in no_store.stderr
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk/hromada.sqlite").write_bytes(b"garbage" * 1000)
    junk = hromada("stats", "--store", tmp_path / "junk", "--json")
    assert junk.returncode == 2 and junk.stdout == "" and "not a usable hromada store" in junk.stderr


def test_check_and_delete(fake_indexed: Hromada, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    store = str(tmp_path / "store")
    fake_indexed.store().snapshot(Path(store))
    assert main(["check", "--store", store, "--json"]) == 0
    assert json.loads(capfd.readouterr().out) == {"ok": True, "findings": []}
    assert main(["delete", "1", "--store", store, "--json"]) == 0
    assert json.loads(capfd.readouterr().out) == {"deleted": 1}
    assert main(["delete", "1", "--store", store]) == 2
    assert "no document with id 1" in capfd.readouterr().err


def test_store_commands_answer_without_loading_the_embedder(fake_indexed: Hromada, tmp_path: Path) -> None:
    """Commands that compute no vectors must not pay for importing torch, transformers, Ray or the readers."""
    store = tmp_path / "store"
    fake_indexed.store().snapshot(store)
    script = (
        "import json, sys\n"
        "from service.cli import main\n"
        "for command in (['stats'], ['check'], ['problems'], ['keys', 'list'], ['delete', '2']):\n"
        f"    assert main([*command, '--store', {str(store)!r}, '--json']) == 0, command\n"
        "heavy = ('torch', 'transformers', 'sentence_transformers', 'openvino', 'spacy', 'pypdf', 'ray')\n"
        "print(json.dumps(sorted(name for name in heavy if name in sys.modules)))\n"
    )
    environment = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, env=environment
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"
    stats = json.loads(result.stdout.splitlines()[0])
    assert stats["backend"] in BACKENDS and stats["store_backends"] == [fake_indexed.embedder.backend]


@pytest.mark.slow
def test_search_loads_no_torch_when_openvino_embeds(indexed: Hromada, tmp_path: Path) -> None:
    """A one-off search with the OpenVINO backend needs neither torch nor spaCy (their imports cost seconds)."""
    if indexed.embedder.backend != OPENVINO_BF16:
        pytest.skip(f"the {OPENVINO_BF16} backend is not the one chosen on this machine")
    store = tmp_path / "store"
    indexed.store().snapshot(store)
    script = (
        "import sys\n"
        "from service.cli import main\n"
        f"assert main(['search', 'шкільний автобус', '-k', '1', '--store', {str(store)!r}, '--json']) == 0\n"
        "print(sorted(name for name in ('torch', 'transformers', 'spacy') if name in sys.modules))\n"
    )
    environment = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, env=environment
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert json.loads(lines[0])["hits"][0]["text"] and lines[-1] == "[]"
