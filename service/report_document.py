"""A report a writer can hand in, before it is written as Markdown or Word: a title and a run of blocks.

Cited excerpts and a problem's brief are both such reports, so both are written by the same two writers
(``report_markdown``, ``report_docx``): every quotation is the exact text of a source, cited in a footnote
numbered in the order the quotations appear.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from service.excerpts import Excerpt
from service.ukrainian_dates import day_text


@dataclass(frozen=True)
class ReportTitle:
    """What a report is called, who made it and when: its heading and its document properties."""

    title: str
    author: str = "hromada"
    made_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def heading(self) -> str:
        """The title with the day it was made: «Витяги: «вода» — 4 грудня 2026 р.»."""
        return f"{self.title} — {day_text(self.made_at)}"


@dataclass(frozen=True)
class Heading:
    """A section heading under the report's title (level 2 and below)."""

    text: str
    level: int = 2


@dataclass(frozen=True)
class Text:
    """A paragraph of the report's own words (not a quotation)."""

    text: str


@dataclass(frozen=True)
class Facts:
    """Named values shown as a two-column table under ``columns``: («Згадок», «7»)."""

    rows: tuple[tuple[str, str], ...]
    columns: tuple[str, str] = ("Показник", "Значення")


@dataclass(frozen=True)
class Figure:
    """A PNG image with its caption; ``name`` is the file name it gets where it is written beside a text."""

    png: bytes
    caption: str
    name: str = "chart.png"


@dataclass(frozen=True)
class Quotation:
    """An excerpt's exact text in «», ending in a footnote mark; the footnote holds its citation."""

    excerpt: Excerpt


Block = Heading | Text | Facts | Figure | Quotation


@dataclass
class CitedReport:
    """A titled report; ``description``, ``subject`` and ``keywords`` go into the Word document's properties."""

    title: ReportTitle
    blocks: list[Block]
    description: str
    subject: str = ""
    keywords: list[str] = field(default_factory=list)

    def quotations(self) -> list[Excerpt]:
        """The quoted excerpts in the order of their footnotes (1, 2, ...)."""
        return [block.excerpt for block in self.blocks if isinstance(block, Quotation)]


def footnote_text(excerpt: Excerpt) -> str:
    """What a footnote says: the excerpt's citation as a sentence."""
    citation = excerpt.citation.rstrip()
    return citation if citation.endswith(".") else f"{citation}."
