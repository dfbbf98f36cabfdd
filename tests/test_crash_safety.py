"""Crash safety, the fast variant of ``scripts/crash_test.py``: ``hromada index`` of a small folder of real acts
is killed with SIGKILL while committing to SQLite, while saving the FAISS index and while embedding; each time
the store must open sound, keep what was committed, and be completed by running the same command again."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from indexing.errors import StoreError
from indexing.store import open_store

REPOSITORY = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.model  # scripts/crash_test.py runs hromada index with it
def test_kills_during_commit_faiss_save_and_embedding_lose_nothing(tmp_path: Path) -> None:
    command = [
        sys.executable,
        str(REPOSITORY / "scripts" / "crash_test.py"),
        "--trials", "3",
        "--acts", "40",
        "--pdfs", "0",
        "--targets", "sqlite-commit,faiss-save,embedding",
        "--work", str(tmp_path),
    ]  # fmt: skip
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
    result = subprocess.run(command, capture_output=True, text=True, timeout=3600, env=environment)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert lines[-1] == "trials: 3, failures: 0"
    killed_in = [line.split(" killed in ")[1].split()[0] for line in lines if line.startswith("trial ")]
    assert killed_in == ["sqlite-commit", "faiss-save", "embedding"], result.stdout


def test_a_store_cut_short_while_being_created_is_made_on_the_next_run(tmp_path: Path) -> None:
    """What SIGKILL between opening the database file and committing its tables leaves: no tables at all."""
    sqlite3.connect(tmp_path / "hromada.sqlite").execute("PRAGMA journal_mode = WAL").close()
    with pytest.raises(StoreError, match="no store here yet"):
        open_store(tmp_path)
    store = open_store(tmp_path, "multilingual-e5-small", 384)
    assert store.counts() == {"sources": 0, "documents": 0, "chunks": 0} and store.check() == []
