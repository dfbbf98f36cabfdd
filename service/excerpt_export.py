"""Excerpts as a report writer hands them in: Markdown with footnotes, or a Ukrainian Word document.

The excerpts become a ``CitedReport`` of quotations, written by the same writers as a problem's brief
(``report_markdown``, ``report_docx``), so a citation reads the same in both.
"""

from __future__ import annotations

from collections.abc import Sequence

from service.excerpts import Excerpt
from service.report_document import CitedReport, Quotation, ReportTitle
from service.report_docx import report_docx
from service.report_markdown import report_markdown

EXPORT_FORMATS = ("json", "markdown", "docx")
DESCRIPTION = "Витяги з документів громад з посиланнями на джерела (hromada)."


def query_title(query: str) -> str:
    """The title of the excerpts found for ``query``."""
    return f"Витяги: «{query.strip()}»"


def excerpts_report(excerpts: Sequence[Excerpt], title: ReportTitle) -> CitedReport:
    """The excerpts, in their order, as a report of quotations."""
    return CitedReport(title, [Quotation(excerpt) for excerpt in excerpts], DESCRIPTION)


def to_markdown(excerpts: Sequence[Excerpt], report: ReportTitle | None = None) -> str:
    """Each excerpt as a quotation ending in a footnote mark; headed by the report's title when given one."""
    return report_markdown(excerpts_report(excerpts, report or ReportTitle("")), titled=report is not None)


def to_docx(excerpts: Sequence[Excerpt], report: ReportTitle) -> bytes:
    """A Word document: the heading, each excerpt in «» with a footnote that cites it."""
    return report_docx(excerpts_report(excerpts, report))
