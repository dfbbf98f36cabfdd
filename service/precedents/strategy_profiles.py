"""The development strategies of hromadas as the store holds them, read back into comparable profiles.

The strategies reader (``indexing.readers.strategies_reader``) writes each hromada's release record as one
proposal document: a heading line per section (challenges, goals, projects, ...) followed by one item a line,
with the hromada's region, raion, type and population in the metadata. A profile keeps the document's
passages with their vectors and, for each passage, the sections it covers, so that challenges can be
compared with challenges and goals with goals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from indexing.readers.strategies_reader import SECTION_HEADINGS
from indexing.store import ChunkFilter, Store, StoredChunk

CHALLENGES = SECTION_HEADINGS["Challenges"]
GOAL_SECTIONS = frozenset({SECTION_HEADINGS["Goals"], SECTION_HEADINGS["Projects"]})
_HEADINGS = frozenset(SECTION_HEADINGS.values())


@dataclass(frozen=True)
class Item:
    """One line of a strategy section (a challenge, a goal, a project) and where it lies in the document:
    ``text`` is the document's text from ``start`` to ``end``."""

    section: str
    text: str
    start: int
    end: int


@dataclass
class StrategyProfile:
    """A hromada's strategy: who it is, its passages and vectors, and the items of each section."""

    doc_id: int
    hromada: str
    region: str | None
    raion: str | None
    hromada_type: str | None
    """``urban``, ``settlement`` or ``rural``."""
    population: int | None
    chunks: list[StoredChunk]
    vectors: np.ndarray
    items: list[Item] = field(default_factory=list)

    def chunk_indices(self, sections: Iterable[str]) -> list[int]:
        """The passages that hold at least one item of ``sections``."""
        wanted = frozenset(sections)
        return [
            index
            for index, chunk in enumerate(self.chunks)
            if any(item.section in wanted for item in self.items_of(chunk))
        ]

    def items_of(self, chunk: StoredChunk, sections: Iterable[str] | None = None) -> list[Item]:
        """The items a passage holds, whole or in part (a window may cut a long item), of ``sections``."""
        wanted = frozenset(sections) if sections is not None else None
        return [
            item
            for item in self.items
            if item.start < chunk.end
            and item.end > chunk.start
            and (wanted is None or item.section in wanted)
        ]


def load_profiles(store: Store) -> list[StrategyProfile]:
    """The strategy profiles in the store (proposal documents that carry a ``hromada`` in their metadata)."""
    by_document: dict[int, list[StoredChunk]] = {}
    for chunk in store.iter_chunks(ChunkFilter(kinds=("proposal",))):
        if chunk.metadata.get("hromada"):
            by_document.setdefault(chunk.doc_id, []).append(chunk)
    profiles = []
    for doc_id, chunks in sorted(by_document.items()):
        document = store.document(doc_id)
        if document is None:
            continue
        metadata = document.metadata
        profiles.append(
            StrategyProfile(
                doc_id=doc_id,
                hromada=str(metadata["hromada"]),
                region=metadata.get("region"),
                raion=metadata.get("raion"),
                hromada_type=metadata.get("hromada_type"),
                population=metadata.get("population"),
                chunks=chunks,
                vectors=store.vectors([chunk.id for chunk in chunks]),
                items=_items(document.text),
            )
        )
    return profiles


def _items(text: str) -> list[Item]:
    """Every item line of the document under its section heading, with its offsets."""
    items = []
    section = None
    offset = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped in _HEADINGS:
            section = stripped
        elif stripped and section is not None:
            # The item without its bullet: ``text`` is the document's text between ``start`` and ``end``.
            text = stripped.lstrip("-•● ").strip()
            if text:
                start = offset + line.index(text)
                items.append(Item(section, text, start, start + len(text)))
        offset += len(line)
    return items
