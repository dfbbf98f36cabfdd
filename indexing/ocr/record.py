"""What a document's metadata says about OCR: which pages were recognised, how, and how sure the engine was.

It is stored under ``metadata["ocr"]`` with the document, so that citations, exports and the web page can say
«розпізнано OCR» for a passage on a recognised page without reading anything else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

METADATA_KEY = "ocr"


@dataclass(frozen=True)
class OcrRecord:
    """The recognised pages of one document (1-based) and the engine that read them."""

    pages: list[int]
    engine: str
    """The program and its version, «tesseract 5.3.0»."""
    languages: str
    dpi: int | None
    """The resolution the pages were rendered at (a PDF), or the image's own when it says (None: unknown)."""
    page_confidence: list[float | None] = field(default_factory=list)
    """Tesseract's mean word confidence (0–100) for each page of ``pages``; None for a page with no words."""

    @property
    def mean_confidence(self) -> float | None:
        """The mean of the pages' confidences, None when no page had words."""
        known = [value for value in self.page_confidence if value is not None]
        return round(sum(known) / len(known), 1) if known else None

    def covers(self, page: int | None) -> bool:
        """Whether the text of ``page`` (None: the whole of an unpaginated document) was recognised."""
        return (page or 1) in self.pages

    def confidence_of(self, page: int | None) -> float | None:
        """The engine's confidence on ``page`` (None: not recognised, no words, or not recorded)."""
        number = page or 1
        if number not in self.pages:
            return None
        index = self.pages.index(number)
        return self.page_confidence[index] if index < len(self.page_confidence) else None

    def to_metadata(self) -> dict[str, Any]:
        return {**asdict(self), "mean_confidence": self.mean_confidence}

    @classmethod
    def from_metadata(cls, metadata: Mapping[str, Any]) -> OcrRecord | None:
        """The record a document's metadata holds, or None for a document read from its text."""
        value = metadata.get(METADATA_KEY)
        if not isinstance(value, Mapping) or not value.get("pages"):
            return None
        return cls(
            pages=[int(page) for page in value["pages"]],
            engine=str(value.get("engine", "")),
            languages=str(value.get("languages", "")),
            dpi=value.get("dpi"),
            page_confidence=list(value.get("page_confidence") or []),
        )
