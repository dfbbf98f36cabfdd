"""The embedded store: one folder with ``hromada.sqlite`` (rows, FTS5 lemmas, problems), ``vectors.faiss``,
``manifest.json`` and ``lemmas.bm25``. No server: the default for one machine."""

from __future__ import annotations

from pathlib import Path

from indexing.store.document_rows import DocumentRows
from indexing.store.parts import LexicalIndex
from indexing.store.problem_tables import ProblemTables
from indexing.store.sqlite.bm25_index import POSTINGS_NAME, Bm25Index
from indexing.store.sqlite.database import SqliteDatabase
from indexing.store.sqlite.faiss_vectors import MANIFEST_NAME, VECTORS_NAME, FaissVectors
from indexing.store.sqlite.fts5_index import Fts5Index
from indexing.store.store import Store

LEXICAL_INDEXES = ("bm25", "fts5")
"""``bm25``: the lemma keys ranked in memory (the default); ``fts5``: SQLite's own ranking, slower."""


def open_folder_store(
    folder: Path,
    model: str | None = None,
    dimension: int | None = None,
    busy_timeout: float = 30.0,
    search_threads: int = 1,
    lexical_index: str = "bm25",
) -> Store:
    """The store in ``folder`` (made there when a model is given and there is none yet)."""
    if lexical_index not in LEXICAL_INDEXES:
        raise ValueError(f"lexical_index must be one of {', '.join(LEXICAL_INDEXES)}, not {lexical_index!r}")
    database = SqliteDatabase(
        folder, model, dimension, busy_timeout, (VECTORS_NAME, MANIFEST_NAME, POSTINGS_NAME)
    )
    rows = DocumentRows(database.vector_column, database.dimension)
    problems = ProblemTables(database.blob_type, database.real_type)
    lexical: LexicalIndex = Bm25Index(database, rows) if lexical_index == "bm25" else Fts5Index(database)
    return Store(database, rows, lexical, FaissVectors(database, rows, search_threads), problems)


def folder_store_exists(folder: Path) -> bool:
    """Whether ``folder`` holds a store."""
    return SqliteDatabase.exists(folder)
