"""Choosing the store's backend from its address, as txtai's factories choose theirs from configuration.

- a folder (``--store DIR``, ``HROMADA_STORE``): SQLite + FTS5 + FAISS in that folder, the embedded default;
- ``postgresql://…`` (or ``postgres://…``): PostgreSQL with pgvector, which several servers may share.

The PostgreSQL driver is imported only when such an address is given: the embedded store needs no server and no
driver (``pip install 'hromada[postgres]'`` adds them).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit, urlunsplit

from indexing.errors import StoreError
from indexing.store.store import Store

DATABASE_SCHEMES = ("postgresql", "postgres")


@dataclass(frozen=True)
class StoreAddress:
    """Where a store is: a folder, or the address of a PostgreSQL database."""

    text: str

    @property
    def is_database(self) -> bool:
        return urlsplit(self.text).scheme in DATABASE_SCHEMES

    @property
    def folder(self) -> Path:
        """The store's folder (an error for a database address)."""
        if self.is_database:
            raise StoreError(f"{self.shown}: a database, not a folder")
        return Path(self.text)

    @property
    def shown(self) -> str:
        """The address as messages and ``stats`` may show it: a database's password is left out."""
        if not self.is_database:
            return self.text
        parts = urlsplit(self.text)
        if parts.password is None:
            return self.text
        host = parts.netloc.rpartition("@")[2]
        return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def open_store(
    address: str | Path,
    model: str | None = None,
    dimension: int | None = None,
    busy_timeout: float = 30.0,
    search_threads: int = 1,
    lexical_index: str = "bm25",
) -> Store:
    """The store at ``address``; with a model, one is made there if there is none yet, and a store of another
    model is refused (``IncompatibleStoreError``); without one, only an existing store opens.

    ``lexical_index`` chooses a folder's lexical ranking (``indexing.store.sqlite.LEXICAL_INDEXES``); a database
    ranks with its own full-text search."""
    location = StoreAddress(str(address))
    if location.is_database:
        return _database_backend().open_database_store(location.text, model, dimension, busy_timeout)
    from indexing.store.sqlite import open_folder_store

    return open_folder_store(location.folder, model, dimension, busy_timeout, search_threads, lexical_index)


def store_exists(address: str | Path) -> bool:
    """Whether a store is at ``address`` (a database that cannot be reached holds none that can be used)."""
    location = StoreAddress(str(address))
    if location.is_database:
        return _database_backend().database_store_exists(location.text)
    from indexing.store.sqlite import folder_store_exists

    return folder_store_exists(location.folder)


def _database_backend() -> ModuleType:
    try:
        from indexing.store import postgres
    except ImportError as error:
        raise StoreError(
            f"a postgresql:// store needs the PostgreSQL driver: pip install 'hromada[postgres]' ({error})"
        ) from error
    return postgres
