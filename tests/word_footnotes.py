"""Reading a DOCX's footnotes back, as Word would: python-docx opens the file, the footnotes part is read as XML."""

from __future__ import annotations

from docx.document import Document as WordDocument
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import qn


def footnotes(document: WordDocument) -> dict[int, str]:
    """The numbered footnotes of ``document`` (separators left out): id -> text."""
    part = document.part.part_related_by(RELATIONSHIP_TYPE.FOOTNOTES)
    root = parse_xml(part.blob)
    return {
        int(note.get(qn("w:id"))): "".join(text.text or "" for text in note.iter(qn("w:t"))).strip()
        for note in root.iter(qn("w:footnote"))
        if note.get(qn("w:type")) is None
    }


def cited_paragraphs(document: WordDocument) -> list[tuple[str, int]]:
    """Each body paragraph that ends in a footnote mark: its text and the footnote's id, in order."""
    cited = []
    for paragraph in document.paragraphs:
        marks = list(paragraph._p.iter(qn("w:footnoteReference")))
        if marks:
            cited.append((paragraph.text, int(marks[-1].get(qn("w:id")))))
    return cited


def quotations(document: WordDocument) -> list[tuple[str, int]]:
    """Each quotation of the body: its text between « and » (its paragraphs joined by line ends) and the id of
    the footnote that ends it, in order. A quotation opens with a paragraph starting «."""
    found: list[tuple[str, int]] = []
    open_paragraphs: list[str] | None = None
    for paragraph in document.paragraphs:
        text = paragraph.text
        if text.startswith("«"):
            open_paragraphs = []
        if open_paragraphs is None:
            continue
        open_paragraphs.append(text)
        marks = list(paragraph._p.iter(qn("w:footnoteReference")))
        if marks:
            quoted = "\n".join(open_paragraphs)
            assert quoted.startswith("«") and quoted.endswith("»"), quoted[-80:]
            found.append((quoted[1:-1], int(marks[-1].get(qn("w:id")))))
            open_paragraphs = None
    return found
