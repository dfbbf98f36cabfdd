"""Errors raised while reading files and writing the store."""

from models.errors import HromadaError


class UnreadableFileError(HromadaError):
    """A source file that cannot be indexed; the message names the file and says why."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class StoreError(HromadaError):
    """The store cannot be opened or used as asked."""


class IncompatibleStoreError(StoreError):
    """The store was built with another model or by a newer version of hromada."""


class StoreBusyError(StoreError):
    """Another process is writing to the store."""


class InvalidOptionError(HromadaError):
    """An indexing option with a value that cannot be used; the message names the option."""
