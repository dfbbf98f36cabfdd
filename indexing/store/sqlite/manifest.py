"""``manifest.json``: what a reader of the store folder needs to know before opening anything else."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from indexing.errors import StoreError
from indexing.store.atomic_file import write_atomically

FORMAT_VERSION = 2
"""Bumped whenever the layout of the store changes; a store with a higher number is refused.

2: regions are stored as the gazetteer names them; transcripts, proposals and notes carry their headers' date
and place (a store of format 1 is upgraded when opened).
"""


@dataclass
class Manifest:
    """The model, index type and counts of a store, as of the vector index file's generation."""

    format_version: int
    model: str
    dimension: int
    index_type: str
    generation: int
    """The SQLite write generation that ``vectors.faiss`` reflects."""
    documents: int
    chunks: int
    backends: list[str] = field(default_factory=list)
    """The encoder backends that computed the stored vectors (see ``models.encoders``)."""

    @classmethod
    def read(cls, path: Path) -> Manifest | None:
        """The manifest at ``path``, or None when there is none yet."""
        if not path.exists():
            return None
        try:
            return cls(**json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, TypeError) as error:
            raise StoreError(f"{path}: the manifest is damaged ({error})") from error

    def write(self, path: Path) -> None:
        """Replace the manifest atomically: a crash leaves either the old file or the new one."""
        write_atomically(path, json.dumps(asdict(self), indent=2).encode("utf-8"))
