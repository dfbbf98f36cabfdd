"""The embedded store: one folder with ``hromada.sqlite`` (rows, FTS5 lemmas, problems), ``vectors.faiss`` and
``manifest.json``. No server: the default for one machine."""

from __future__ import annotations

from pathlib import Path

from indexing.store.document_rows import DocumentRows
from indexing.store.problem_tables import ProblemTables
from indexing.store.sqlite.database import SqliteDatabase
from indexing.store.sqlite.faiss_vectors import MANIFEST_NAME, VECTORS_NAME, FaissVectors
from indexing.store.sqlite.fts5_index import Fts5Index
from indexing.store.store import Store


def open_folder_store(
    folder: Path,
    model: str | None = None,
    dimension: int | None = None,
    busy_timeout: float = 30.0,
    search_threads: int = 1,
) -> Store:
    """The store in ``folder`` (made there when a model is given and there is none yet)."""
    database = SqliteDatabase(folder, model, dimension, busy_timeout, (VECTORS_NAME, MANIFEST_NAME))
    rows = DocumentRows(database.vector_column, database.dimension)
    problems = ProblemTables(database.blob_type, database.real_type)
    return Store(database, rows, Fts5Index(database), FaissVectors(database, rows, search_threads), problems)


def folder_store_exists(folder: Path) -> bool:
    """Whether ``folder`` holds a store."""
    return SqliteDatabase.exists(folder)
