"""Embedding on Ray: ``hromada index --ray ADDRESS`` on a real cluster of two nodes (two raylets on this machine)
embeds on both and stores exactly what a local run stores."""

from __future__ import annotations

import json
import re
import shutil
import socket
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest
from ray.cluster_utils import Cluster

from models.embedder import Embedder
from models.ukrainian_pipeline import UkrainianPipeline
from service.hromada import Hromada
from service.settings import Settings
from tests.conftest import FIXTURES, REPO
from tests.test_cli import hromada

pytestmark = [pytest.mark.ray, pytest.mark.slow]

PIECE_LOG = re.compile(r"embedded (\d+) passages on Ray node \S+ \(node ([0-9a-f]+)\)")
"""The debug line the Ray embedder writes for each piece of work a worker returns."""


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """A head node and a second node, one CPU each: each runs one embedding worker."""
    # Short, and our own: Ray's socket paths must fit in 107 characters, and /tmp/ray may belong to someone else.
    temp = Path(tempfile.mkdtemp(prefix="hromada-ray-", dir="/tmp"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAY_TMPDIR", str(temp))
        patch.setenv("RAY_USAGE_STATS_ENABLED", "0")
        cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
        try:
            cluster.add_node(num_cpus=1)
            yield cluster
        finally:
            cluster.shutdown()
            shutil.rmtree(temp, ignore_errors=True)


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """Five articles of the law on local self-government, a short act, and a transcript of a dialogue."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(FIXTURES / "legislation/law-280-97-five-articles.json", folder)
    shutil.copy(REPO / "sample-corpus/laws/ua-law-2145-19.json", folder)
    shutil.copy(REPO / "sample-corpus/transcripts/den-dialohu-2025.txt", folder)
    return folder


def test_two_nodes_embed_and_the_store_equals_a_local_run(
    cluster: Cluster,
    small_corpus: Path,
    tmp_path: Path,
    embedder: Embedder,
    ukrainian_pipeline: UkrainianPipeline,
) -> None:
    local = Hromada(Settings(store=tmp_path / "local"), embedder=embedder, pipeline=ukrainian_pipeline)
    expected = local.index([small_corpus])
    local.close()

    result = hromada(
        "-v", "index", small_corpus, "--store", tmp_path / "ray", "--ray", cluster.address, "--json"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["failed"] == [] and len(report["indexed"]) == 3
    assert (report["chunks"], report["tokens"]) == (expected.chunks, expected.tokens)

    pieces = PIECE_LOG.findall(result.stderr)
    nodes = {cluster.head_node.node_id, *(node.node_id for node in cluster.worker_nodes)}
    assert {node for _, node in pieces} == nodes
    assert sum(int(count) for count, _ in pieces) == expected.chunks

    documents, chunks, vectors = stored(tmp_path / "ray")
    local_documents, local_chunks, local_vectors = stored(tmp_path / "local")
    assert documents == local_documents and len(documents) == 3
    assert chunks == local_chunks and len(chunks) == expected.chunks
    assert np.sum(vectors * local_vectors, axis=1).min() >= 0.999
    assert Hromada(Settings(store=tmp_path / "ray")).check() == []


def test_a_node_without_the_model_folder_is_named(
    cluster: Cluster, small_corpus: Path, tmp_path: Path
) -> None:
    absent = tmp_path / "no-model-here"
    result = hromada(
        "index", small_corpus, "--store", tmp_path / "store", "--ray", cluster.address,
        env={"HROMADA_MODEL_DIR": str(absent)},
    )  # fmt: skip
    assert result.returncode == 2, result.stderr[-3000:]
    message = result.stderr.strip().splitlines()[-1]
    named = re.search(r"Ray node \S+ \(node ([0-9a-f]+)\): there is no prepared model in (\S+);", message)
    assert named is not None, message
    assert named.group(1) in {cluster.head_node.node_id, *(node.node_id for node in cluster.worker_nodes)}
    assert named.group(2) == str(absent)
    assert not absent.exists() and not (tmp_path / "store").exists()


def test_an_address_where_nothing_answers_fails_at_once(small_corpus: Path, tmp_path: Path) -> None:
    with socket.socket() as unused:  # a port nothing listens on: bound, never listening
        unused.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{unused.getsockname()[1]}"
        result = hromada("index", small_corpus, "--store", tmp_path / "store", "--ray", address)
    assert result.returncode == 2 and f"nothing answers at the Ray address '{address}'" in result.stderr
    assert not (tmp_path / "store").exists()


def stored(store: Path) -> tuple[list[tuple], list[tuple], np.ndarray]:
    """Documents, chunks (offsets, fields, lemmas) and vectors of a store, in the order they were written."""
    with closing(sqlite3.connect(f"file:{store / 'hromada.sqlite'}?mode=ro", uri=True)) as db:
        documents = db.execute(
            "SELECT s.source, d.record_id, d.title, d.kind, d.language, d.date, d.region, d.sector, d.paginated, "
            "d.page_starts, d.metadata, d.text FROM documents d JOIN sources s ON s.id = d.source_id ORDER BY d.id"
        ).fetchall()
        rows = db.execute(
            "SELECT d.record_id, c.ordinal, c.start, c.end, c.page, c.section, c.heading, c.speaker, c.timestamp, "
            "c.kind, c.date, c.region, c.sector, c.text, l.lemmas, c.vector FROM chunks c "
            "JOIN documents d ON d.id = c.doc_id JOIN chunk_lemmas l ON l.rowid = c.id ORDER BY c.doc_id, c.ordinal"
        ).fetchall()
    vectors = np.vstack([np.frombuffer(row[-1], dtype=np.float32) for row in rows])
    return documents, [row[:-1] for row in rows], vectors
