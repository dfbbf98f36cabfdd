"""A store of a million chunks built from a real one, to measure search at sizes nobody has indexed here yet.

Indexing a million real chunks takes most of a day on this machine, so the large store is grown from a store that
hromada really indexed (the law corpus): its documents are written again and again through the store interface
(``Store.write``, so the vector index is the one the product chooses for that size) until the store holds
``--chunks`` chunks. Each copy keeps the documents' text, spans and lemmas and moves every vector by a small random
offset (``--jitter``, then re-normalised), so that no two vectors coincide and nearest neighbours stay those of
real text. What this leaves out, and why the figures are a fair or a pessimistic estimate:

- the vocabulary does not grow with the copies, so every lemma's posting list is ``copies`` times as long as in the
  source store: lexical search does more work than over a million distinct chunks;
- the vectors of a copy sit close to their originals, so IVF lists are as unevenly filled as the source's.

The result is an ordinary store, a folder or a PostgreSQL database (``--target postgresql://…``), so that both
backends can be compared at one size: ``scripts/bench/search_latency.py --store NEW`` measures it as it would any other (hybrid, dense and lexical, one query at a time with query embedding).

    .venv/bin/python -m scripts.bench.large_store --source STORE --target NEW|postgresql://… [--chunks 1000000] [--jitter 0.02]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from indexing.document import ChunkSpan
from indexing.store.factory import open_store, store_exists
from indexing.store.records import NewChunk, NewDocument
from indexing.store.store import Store

WRITE_CHUNKS = 20_000
"""Chunks per write: large enough that per-write costs vanish, small enough to keep memory flat."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, required=True, help="a store folder hromada indexed")
    parser.add_argument(
        "--target", required=True, help="the new store: a folder or postgresql://… (must not exist)"
    )
    parser.add_argument("--chunks", type=int, default=1_000_000, help="chunks the new store holds at the end")
    parser.add_argument("--jitter", type=float, default=0.02, help="standard deviation of each vector offset")
    arguments = parser.parse_args()
    if store_exists(arguments.target):
        parser.error(f"{arguments.target} holds a store already: give a new one")
    with sqlite3.connect(f"file:{arguments.source / 'hromada.sqlite'}?mode=ro", uri=True) as source:
        model, dimension = _model(source)
        source_chunks = source.execute("SELECT count(*) FROM chunks").fetchone()[0]
        print(
            f"source: {arguments.source}, {source_chunks:,} chunks of {model}; target {arguments.chunks:,} chunks"
        )
        started = time.perf_counter()
        written = _grow(source, arguments, model, dimension)
    print(f"written {written:,} chunks in {time.perf_counter() - started:.0f} s ({_load()})")
    with open_store(arguments.target) as store:
        started = time.perf_counter()
        store.save_indexes()
        print(f"vector index {store.index_type} saved in {time.perf_counter() - started:.0f} s")
    return 0


def _grow(source: sqlite3.Connection, arguments: argparse.Namespace, model: str, dimension: int) -> int:
    rng = np.random.default_rng(0)
    written, copy = 0, 0
    with open_store(arguments.target, model, dimension) as store:
        while written < arguments.chunks:
            batch: list[NewDocument] = []
            for document in _documents(source, copy):
                if written + len(document.chunks) > arguments.chunks:
                    document.chunks = document.chunks[: arguments.chunks - written]
                batch.append(_jittered(document, rng, arguments.jitter) if copy else document)
                written += len(document.chunks)
                if sum(len(d.chunks) for d in batch) >= WRITE_CHUNKS or written >= arguments.chunks:
                    _write(store, batch, copy, written)
                    batch = []
                if written >= arguments.chunks:
                    break
            if batch:
                _write(store, batch, copy, written)
            copy += 1
    return written


def _write(store: Store, documents: list[NewDocument], copy: int, written: int) -> None:
    with store.write(persist_indexes=False) as writer:
        writer.add_documents(f"copy-{copy}-{written}", f"copy {copy}", f"{copy}-{written}", 0, documents)
    print(f"  {written:>9,} chunks ({_load()})", flush=True)


def _documents(source: sqlite3.Connection, copy: int) -> Iterator[NewDocument]:
    documents = source.execute(
        "SELECT id, title, kind, language, date, region, sector, record_id, paginated, page_starts, metadata, text "
        "FROM documents ORDER BY id"
    )
    for row in documents.fetchall():
        chunks = [
            NewChunk(
                span=ChunkSpan(start, end, text, page, section, speaker, timestamp, heading),
                lemmas=lemmas or "",
                vector=np.frombuffer(vector, dtype=np.float32),
                date=date,
                region=region,
                sector=sector,
            )
            for start, end, text, page, section, speaker, timestamp, heading, date, region, sector, vector, lemmas in (
                source.execute(
                    'SELECT c.start, c."end", c.text, c.page, c.section, c.speaker, c.timestamp, c.heading, c.date, '
                    "c.region, c.sector, c.vector, l.lemmas FROM chunks c LEFT JOIN chunk_lemmas l ON l.rowid = c.id "
                    "WHERE c.doc_id = ? ORDER BY c.ordinal",
                    (row[0],),
                )
            )
        ]
        yield NewDocument(
            title=row[1] if copy == 0 else f"{row[1]} (копія {copy})",
            kind=row[2],
            text=row[11],
            chunks=chunks,
            page_starts=json.loads(row[9]),
            paginated=bool(row[8]),
            language=row[3],
            date=row[4],
            region=row[5],
            sector=row[6],
            record_id=row[7],
            metadata=json.loads(row[10] or "{}"),
        )


def _jittered(document: NewDocument, rng: np.random.Generator, jitter: float) -> NewDocument:
    for chunk in document.chunks:
        moved = chunk.vector + rng.normal(0.0, jitter, chunk.vector.shape).astype(np.float32)
        chunk.vector = moved / np.linalg.norm(moved)
    return document


def _model(source: sqlite3.Connection) -> tuple[str, int]:
    meta = dict(source.execute("SELECT key, value FROM meta").fetchall())
    return meta["model"], int(meta["dimension"])


def _load() -> str:
    return "load " + " ".join(f"{value:.1f}" for value in os.getloadavg())


if __name__ == "__main__":
    raise SystemExit(main())
