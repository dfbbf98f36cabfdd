"""The store: documents, chunks, lemmas, vectors and problems behind one interface (``Store``), in a folder
(SQLite + FTS5 + FAISS) or in PostgreSQL with pgvector, chosen by its address (``open_store``)."""

from indexing.store.factory import StoreAddress, open_store, store_exists
from indexing.store.problem_types import ItemFilter, ProblemSetChangedError
from indexing.store.records import (
    ChunkFilter,
    NewChunk,
    NewDocument,
    SourceState,
    StoredChunk,
    StoredDocument,
)
from indexing.store.store import Store, StoreReading, StoreWriter

__all__ = [
    "ChunkFilter",
    "ItemFilter",
    "NewChunk",
    "NewDocument",
    "ProblemSetChangedError",
    "SourceState",
    "Store",
    "StoreAddress",
    "StoreReading",
    "StoreWriter",
    "StoredChunk",
    "StoredDocument",
    "open_store",
    "store_exists",
]
