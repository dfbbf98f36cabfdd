"""Lexical search in a store folder: FTS5 keeps the lemma keys with the rows, BM25 postings in memory rank them.

Each write puts a chunk's lemma keys in the FTS5 table ``chunk_lemmas`` in the write's own transaction, so the
keys are as safe as the rows. Searches are answered by ``Bm25Postings`` in memory (on the 139k chunks of the law
corpus: lexical p95 of a few milliseconds instead of FTS5's 130-160 ms). Like ``vectors.faiss``, the postings
record the write generation they reflect and are saved in ``lemmas.bm25`` by a writer that persists, so a new
process loads them instead of reading every chunk's keys; postings that are behind (another process wrote, or a
process died before saving) are brought up to date from the FTS5 table before they answer.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence

import numpy as np

from indexing.errors import StoreBusyError
from indexing.store.atomic_file import write_atomically
from indexing.store.bm25_postings import Bm25Postings
from indexing.store.document_rows import DocumentRows
from indexing.store.parts import Ranking
from indexing.store.records import ChunkFilter
from indexing.store.sql_session import SqlSession
from indexing.store.sqlite.database import SqliteDatabase
from indexing.store.sqlite.fts5_index import Fts5Index

log = logging.getLogger(__name__)

POSTINGS_NAME = "lemmas.bm25"
_BATCH = 10_000
_SCAN_BATCH = 50_000
_SAVE_AFTER_READING = 20_000
"""A reader that had to read this many chunks' keys saves the postings (when no writer holds the store), so that
the next process need not: on a million chunks, reading them all takes about two minutes."""


class Bm25Index:
    """BM25 over the chunks' lemma keys, in memory, kept in step with the FTS5 table that holds them."""

    def __init__(self, database: SqliteDatabase, rows: DocumentRows) -> None:
        self._database = database
        self._rows = rows
        self._fts5 = Fts5Index(database)
        self._postings: Bm25Postings | None = None
        self._generation = -1
        self._read_since_saved = 0

    # ----------------------------------------------------------------- writing (in the write's transaction)

    def add(self, session: SqlSession, chunk_ids: Sequence[int], lemma_texts: Sequence[str]) -> None:
        self._fts5.add(session, chunk_ids, lemma_texts)

    def remove(self, session: SqlSession, chunk_ids: Sequence[int]) -> None:
        self._fts5.remove(session, chunk_ids)

    def committed(self, persist: bool) -> None:
        """After a committed write (the writer still holds the write lock): save the postings if asked to.
        Otherwise nothing: postings are brought up to date when they next answer."""
        if persist:
            self._persist()

    def save(self) -> None:
        """Bring ``lemmas.bm25`` up to date with the database."""
        with self._database.write_lock():
            self._persist()

    # ----------------------------------------------------------------- reading

    def search(self, lemmas: Sequence[str], k: int, chunk_filter: ChunkFilter) -> Ranking:
        with self._database.session() as session:
            postings = self._synced(session)
            ranking = postings.search(lemmas, k, self._allowed(session, chunk_filter))
        self._save_if_worth_it()
        return ranking

    def count(self, lemmas: Sequence[str], cap: int, chunk_filter: ChunkFilter) -> int:
        with self._database.session() as session:
            postings = self._synced(session)
            return min(cap, postings.count(lemmas, self._allowed(session, chunk_filter)))

    def _save_if_worth_it(self) -> None:
        """Save postings that took long to bring up to date, unless a writer holds the store (it saves them)."""
        if self._read_since_saved < _SAVE_AFTER_READING:
            return
        try:
            with self._database.write_lock(timeout=0):
                self._persist()
        except (StoreBusyError, OSError) as error:
            log.info("the BM25 postings were not saved now (%s)", error)

    def check(self, session: SqlSession) -> list[str]:
        findings = self._fts5.check(session)
        if not np.array_equal(self._synced(session).ids(), self._rows.chunk_ids(session)):
            findings.append("the BM25 postings and the chunks disagree")
        return findings

    def _allowed(self, session: SqlSession, chunk_filter: ChunkFilter) -> np.ndarray | None:
        return None if chunk_filter.is_empty() else self._rows.chunk_ids(session, chunk_filter)

    # ----------------------------------------------------------------- keeping in step

    def _synced(self, session: SqlSession) -> Bm25Postings:
        """The postings, brought up to date with what is committed (the caller holds a session)."""
        generation = self._database.generation()
        if self._postings is None:
            self._postings, self._generation = self._load(generation)
        if self._generation != generation:
            chunk_ids = self._rows.chunk_ids(session)
            held = self._postings.ids()
            self._postings.remove(np.setdiff1d(held, chunk_ids, assume_unique=True))
            missing = np.setdiff1d(chunk_ids, held, assume_unique=True)
            for ids, lemma_texts in _lemma_keys(
                session, missing, whole_table=len(missing) > len(chunk_ids) // 2
            ):
                self._postings.add(ids, lemma_texts)
            self._postings.tidy()
            self._read_since_saved += len(missing)
            self._generation = generation
        return self._postings

    def _load(self, generation: int) -> tuple[Bm25Postings, int]:
        path = self._database.folder / POSTINGS_NAME
        if path.exists():
            try:
                postings, saved_generation = Bm25Postings.from_bytes(path.read_bytes())
            except (ValueError, KeyError, OSError) as error:
                log.warning("%s is damaged (%s); rebuilding it from the database", path, error)
            else:
                # A file ahead of the database belongs to a store this one was restored over: its ids may differ.
                if saved_generation <= generation:
                    return postings, saved_generation
        return Bm25Postings(), -1

    def _persist(self) -> None:
        with self._database.session() as session:
            postings = self._synced(session)
            write_atomically(self._database.folder / POSTINGS_NAME, postings.to_bytes(self._generation))
            self._read_since_saved = 0


def _lemma_keys(
    session: SqlSession, wanted: np.ndarray, whole_table: bool
) -> Iterator[tuple[list[int], list[str]]]:
    """Batches of (chunk ids, lemma keys) of the ``wanted`` chunks: looked up by id, or, when they are most of
    the store, read in one pass over the table (on 10^6 chunks, lookups by id take several times longer)."""
    if whole_table:
        last = -1
        while rows := session.rows(
            "SELECT rowid, lemmas FROM chunk_lemmas WHERE rowid > ? ORDER BY rowid LIMIT ?",
            (last, _SCAN_BATCH),
        ):
            last = rows[-1][0]
            ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
            kept = np.flatnonzero(np.isin(ids, wanted, assume_unique=True))
            yield ids[kept].tolist(), [rows[number][1] for number in kept]
        return
    for start in range(0, len(wanted), _BATCH):
        batch = wanted[start : start + _BATCH].tolist()
        rows = session.rows(
            f"SELECT rowid, lemmas FROM chunk_lemmas WHERE rowid IN ({','.join('?' * len(batch))})", batch
        )
        yield [row[0] for row in rows], [row[1] for row in rows]
