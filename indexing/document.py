"""The types that flow through indexing: what a reader returns, what normalisation makes of it, what a chunker cuts.

read → ``ParsedDocument`` (raw page texts) → normalise → ``NormalisedText`` (one string and where each page starts)
→ chunk → ``ChunkSpan`` (offsets into that string) → embed → store.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

KINDS = ("legislation", "transcript", "proposal", "appeal", "note")
"""The document kinds of the design; ``note`` is also the kind for anything else."""


@dataclass
class ParsedDocument:
    """One document as a reader found it in a source file, text not yet normalised.

    A PDF gives one item of ``pages`` per page (``paginated`` is true); every other format gives one item.
    A file of records (JSONL, CSV, a JSONL of acts) gives one ``ParsedDocument`` per record.
    """

    source: str
    """The path of the file as it was given to ``index``."""
    pages: list[str]
    paginated: bool = False
    title: str | None = None
    kind: str | None = None
    """The kind when the format tells it (an act of the legislation JSON, a record file of appeals)."""
    record_id: str | None = None
    """The record's own id, for documents that come from a file of records."""
    metadata: dict[str, Any] = field(default_factory=dict)
    """Anything else the source says: date, region, act number, url, population, ..."""


@dataclass
class NormalisedText:
    """A document's text after normalisation, with the character offset where each page starts."""

    text: str
    page_starts: list[int] = field(default_factory=lambda: [0])
    """``page_starts[i]`` is the offset of page ``i + 1``; a non-paginated text has ``[0]``."""

    def page_at(self, offset: int) -> int:
        """The 1-based page that holds the character at ``offset``."""
        return max(1, bisect.bisect_right(self.page_starts, offset))

    def page_span(self, page: int) -> tuple[int, int]:
        """The ``(start, end)`` offsets of a 1-based page."""
        start = self.page_starts[page - 1]
        end = self.page_starts[page] if page < len(self.page_starts) else len(self.text)
        return start, end


@dataclass
class ChunkSpan:
    """A piece of a document that is embedded, searched and cited on its own.

    ``text`` is always ``document_text[start:end]``: a citation can be checked against the source.
    """

    start: int
    end: int
    text: str
    page: int | None = None
    """1-based page where the chunk starts, for paginated sources; a chunk never spans two pages."""
    section: str | None = None
    """Article and part for legislation (``ст. 26, ч. 1``), section heading for proposals, record id for appeals."""
    speaker: str | None = None
    timestamp: str | None = None
    """Time of a transcript turn as written in the source (``16:09:29``)."""
    heading: str | None = None
    """The heading the chunk sits under, when it is not the section itself: the article's title line for
    legislation (``Стаття 26. Виключна компетенція сільських, селищних, міських рад``)."""
