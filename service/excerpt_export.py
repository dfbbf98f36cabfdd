"""Excerpts as a report writer pastes them: Markdown with footnotes, or a DOCX with numbered sources."""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from docx.shared import Pt

from service.excerpts import Excerpt

EXPORT_FORMATS = ("json", "markdown", "docx")


def to_markdown(excerpts: Sequence[Excerpt], heading: str | None = None) -> str:
    """Each excerpt as a quotation ending in a footnote mark; the footnotes hold the citations."""
    lines: list[str] = []
    if heading:
        lines += [f"# {heading}", ""]
    for excerpt in excerpts:
        quoted = "\n> ".join(excerpt.text.splitlines() or [""])
        lines += [f"> {quoted} [^{excerpt.number}]", ""]
    lines += [f"[^{excerpt.number}]: {excerpt.citation}." for excerpt in excerpts]
    return "\n".join(lines).rstrip() + "\n"


def to_docx(excerpts: Sequence[Excerpt], heading: str | None = None) -> bytes:
    """A Word document: each excerpt in quotation marks with its number, then the numbered list of sources."""
    document = Document()
    document.styles["Normal"].font.name = "Times New Roman"
    document.styles["Normal"].font.size = Pt(12)
    if heading:
        document.add_heading(heading, level=1)
    for excerpt in excerpts:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"«{excerpt.text}»")
        paragraph.add_run(f" [{excerpt.number}]").bold = True
    if excerpts:
        document.add_heading("Джерела", level=2)
        for excerpt in excerpts:
            document.add_paragraph(f"[{excerpt.number}] {excerpt.citation}.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
