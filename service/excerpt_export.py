"""Excerpts as a report writer hands them in: Markdown with footnotes, or a Ukrainian Word document.

The DOCX is marked uk-UA (Word checks its spelling as Ukrainian), carries its own properties (title, author,
the time it was made), opens with the query or the report's name and the date, and cites each excerpt in a real
Word footnote. python-docx has no footnotes API, so the footnotes part is built here from WordprocessingML.
Markdown headings inside an excerpt are shown as headings, never as raw «##».
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as WordDocument
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from service.excerpts import Excerpt
from service.markdown_headings import TextBlock, text_blocks

EXPORT_FORMATS = ("json", "markdown", "docx")
LANGUAGE = "uk-UA"
FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
MONTHS = (
    "січня", "лютого", "березня", "квітня", "травня", "червня",
    "липня", "серпня", "вересня", "жовтня", "листопада", "грудня",
)  # fmt: skip


@dataclass(frozen=True)
class ReportTitle:
    """What a report is called, who made it and when: its heading and its document properties."""

    title: str
    author: str = "hromada"
    made_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def heading(self) -> str:
        """The title with the day it was made: «Витяги: «вода» — 4 грудня 2026 р.»."""
        day = self.made_at
        return f"{self.title} — {day.day} {MONTHS[day.month - 1]} {day.year} р."


def query_title(query: str) -> str:
    """The title of the excerpts found for ``query``."""
    return f"Витяги: «{query.strip()}»"


def to_markdown(excerpts: Sequence[Excerpt], report: ReportTitle | None = None) -> str:
    """Each excerpt as a quotation ending in a footnote mark; the footnotes hold the citations."""
    lines: list[str] = []
    if report:
        lines += [f"# {report.heading}", ""]
    for excerpt in excerpts:
        quoted = "\n> ".join(_markdown_lines(text_blocks(excerpt.text)) or [""])
        lines += [f"> {quoted} [^{excerpt.number}]", ""]
    lines += [f"[^{excerpt.number}]: {excerpt.citation}." for excerpt in excerpts]
    return "\n".join(lines).rstrip() + "\n"


def _markdown_lines(blocks: list[TextBlock]) -> list[str]:
    # A heading inside a quotation would break the report's outline: it is shown bold instead.
    lines: list[str] = []
    for block in blocks:
        lines += [f"**{block.text}**"] if block.heading else block.text.splitlines()
    return lines


def to_docx(excerpts: Sequence[Excerpt], report: ReportTitle) -> bytes:
    """A Word document: the heading, each excerpt in «» with a footnote that cites it."""
    document = Document()
    _set_language(document)
    _set_properties(document, report)
    document.styles["Normal"].font.name = "Times New Roman"
    document.styles["Normal"].font.size = Pt(12)
    document.add_heading(report.heading, level=1)
    footnotes = Footnotes()
    for excerpt in excerpts:
        paragraph = _add_excerpt(document, text_blocks(excerpt.text))
        footnotes.cite(paragraph, f"{excerpt.citation}.")
    footnotes.attach(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _set_language(document: WordDocument) -> None:
    """Ukrainian for every run that does not say otherwise (the template's default is en-US)."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    for language in defaults.iter(qn("w:lang")):
        language.set(qn("w:val"), LANGUAGE)
        language.set(qn("w:eastAsia"), LANGUAGE)


def _set_properties(document: WordDocument, report: ReportTitle) -> None:
    properties = document.core_properties
    properties.title = report.heading
    properties.author = report.author
    properties.last_modified_by = report.author
    properties.created = report.made_at
    properties.modified = report.made_at
    properties.language = LANGUAGE
    properties.comments = "Витяги з документів громад з посиланнями на джерела (hromada)."
    properties.revision = 1


def _add_excerpt(document: WordDocument, blocks: list[TextBlock]) -> Paragraph:
    """The excerpt's paragraphs, the first opening «, the last closing »; returns the last one."""
    blocks = blocks or [TextBlock("")]
    paragraph = document.add_paragraph()
    for number, block in enumerate(blocks):
        if number:
            paragraph = document.add_paragraph()
        text = ("«" if number == 0 else "") + block.text + ("»" if number == len(blocks) - 1 else "")
        lines = text.split("\n")
        for line_number, line in enumerate(lines):
            run = paragraph.add_run(line)
            run.bold = block.heading
            if line_number < len(lines) - 1:
                run.add_break()
    return paragraph


class Footnotes:
    """The footnotes of one document: marks placed in paragraphs, then the footnotes part holding their text."""

    def __init__(self) -> None:
        self._texts: list[str] = []

    def cite(self, paragraph: Paragraph, text: str) -> None:
        """Ends ``paragraph`` with the mark of a new footnote reading ``text``."""
        self._texts.append(text)
        paragraph._p.append(
            parse_xml(
                f'<w:r {nsdecls("w")}><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
                f'<w:footnoteReference w:id="{len(self._texts)}"/></w:r>'
            )
        )

    def attach(self, document: WordDocument) -> None:
        """Adds the footnotes part (``word/footnotes.xml``) to ``document`` and relates it to the body."""
        part = Part(PackURI("/word/footnotes.xml"), FOOTNOTES_TYPE, self._xml(), document.part.package)
        document.part.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES)

    def _xml(self) -> bytes:
        # Word expects the separator (-1) and continuation separator (0) before the numbered footnotes.
        separators = (
            '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
            '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/>'
            "</w:r></w:p></w:footnote>"
        )
        notes = "".join(
            f'<w:footnote w:id="{number}"><w:p><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
            f'<w:footnoteRef/></w:r><w:r><w:rPr><w:sz w:val="20"/></w:rPr><w:t xml:space="preserve"> '
            f"{escape(text)}</w:t></w:r></w:p></w:footnote>"
            for number, text in enumerate(self._texts, start=1)
        )
        xml = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes {nsdecls("w")}>'
        return (xml + separators + notes + "</w:footnotes>").encode("utf-8")
