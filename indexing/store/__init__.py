"""The store: SQLite for documents, chunks and lemmas; FAISS for vectors; one folder."""

from indexing.store.records import ChunkFilter, NewChunk, NewDocument, StoredChunk, StoredDocument
from indexing.store.store import Store, StoreWriter

__all__ = ["ChunkFilter", "NewChunk", "NewDocument", "Store", "StoreWriter", "StoredChunk", "StoredDocument"]
