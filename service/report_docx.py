"""A ``CitedReport`` as a Ukrainian Word document, each quotation cited in a real Word footnote.

The document is marked uk-UA (Word checks its spelling as Ukrainian) and carries its own properties (title,
author, subject, keywords, the time it was made). python-docx has no footnotes API, so the footnotes part is
built here from WordprocessingML. Markdown headings inside a quoted source are shown bold, never as raw «##».
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph

from service.markdown_headings import TextBlock, text_blocks
from service.report_document import (
    CitedReport,
    Facts,
    Figure,
    Heading,
    Quotation,
    Text,
    footnote_text,
)

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LANGUAGE = "uk-UA"
FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
FIGURE_WIDTH = Cm(16)
FACTS_WIDTHS = (Cm(4), Cm(12))
"""A facts table's columns: the names narrow, the values wide (the page's text is 16 cm wide)."""


def report_docx(report: CitedReport) -> bytes:
    """The report as a .docx file's bytes: its dated title as the first heading, then its blocks."""
    document = Document()
    _set_language(document)
    _set_properties(document, report)
    document.styles["Normal"].font.name = "Times New Roman"
    document.styles["Normal"].font.size = Pt(12)
    document.add_heading(report.title.heading, level=1)
    footnotes = Footnotes()
    for block in report.blocks:
        if isinstance(block, Quotation):
            paragraph = _add_quotation(document, text_blocks(block.excerpt.text))
            footnotes.cite(paragraph, footnote_text(block.excerpt))
        elif isinstance(block, Heading):
            document.add_heading(block.text, level=block.level)
        elif isinstance(block, Text):
            document.add_paragraph(block.text)
        elif isinstance(block, Facts):
            _add_facts(document, block)
        elif isinstance(block, Figure):
            _add_figure(document, block)
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


def _set_properties(document: WordDocument, report: CitedReport) -> None:
    properties = document.core_properties
    properties.title = report.title.heading
    properties.author = report.title.author
    properties.last_modified_by = report.title.author
    properties.created = report.title.made_at
    properties.modified = report.title.made_at
    properties.language = LANGUAGE
    properties.comments = report.description
    properties.subject = report.subject
    properties.keywords = ", ".join(report.keywords)
    properties.revision = 1


def _add_quotation(document: WordDocument, blocks: list[TextBlock]) -> Paragraph:
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


def _add_facts(document: WordDocument, facts: Facts) -> None:
    table = document.add_table(rows=1, cols=2)
    table.style = document.styles["Table Grid"]
    for cell, name in zip(table.rows[0].cells, facts.columns, strict=True):
        cell.paragraphs[0].add_run(name).bold = True
    for name, value in facts.rows:
        cells = table.add_row().cells
        cells[0].text = name
        cells[1].text = value
    # Word reads each cell's width, LibreOffice the table's grid: both are set.
    table.autofit = False
    for column, width in zip(table.columns, FACTS_WIDTHS, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width
    document.add_paragraph()


def _add_figure(document: WordDocument, figure: Figure) -> None:
    document.add_picture(io.BytesIO(figure.png), width=FIGURE_WIDTH)
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption = document.add_paragraph(figure.caption, style="Caption")
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER


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
