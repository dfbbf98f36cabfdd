"""A problem statement as the problem tables store it, and a stored problem's row."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class ProblemItem:
    """One problem statement: an appeal as it is, or the problem sentences of a transcript or proposal chunk."""

    id: str
    text: str
    date: str | None = None
    """ISO date or date-time as the source gives it; the first 10 characters are the day."""
    region: str | None = None
    """Region or place; what "distinct regions" counts."""
    kind: str | None = None
    doc_id: int | None = None
    """The document the statement was cut from (items of a batch file have none)."""
    chunk_id: int | None = None
    start: int | None = None
    """Character offsets of the statement in its document's normalised text, so that the citation can be checked."""
    end: int | None = None

    @property
    def content_key(self) -> str:
        """Sort key that puts items in an order that depends on their content only, never on input order."""
        return f"{hashlib.sha1(self.text.encode('utf-8')).hexdigest()}\x1f{self.id}"

    @property
    def day(self) -> str | None:
        return self.date[:10] if self.date else None

    @property
    def month(self) -> str | None:
        return self.date[:7] if self.date else None

    def citation(self) -> dict[str, Any]:
        """Where the statement comes from: the fields a reader needs to find it in the source."""
        fields = {"doc_id": self.doc_id, "chunk_id": self.chunk_id, "start": self.start, "end": self.end}
        return {name: value for name, value in fields.items() if value is not None}


@dataclass
class StoredProblem:
    """A problem's row: its name, size and the sum of its members' vectors (its centre is their direction)."""

    id: str
    label: str
    keywords: list[str]
    size: int
    vector_sum: np.ndarray
    batch_id: str
