"""HTML pages: the visible text, block elements set off as paragraphs, with BeautifulSoup and lxml."""

from __future__ import annotations

import codecs
import re

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString

from indexing.document import ParsedDocument
from indexing.errors import UnreadableFileError
from indexing.readers.text_decoding import decode_text

_DROPPED = frozenset({"script", "style", "nav", "noscript", "template", "head", "svg"})
_PARAGRAPHS = frozenset(
    {
        "address", "article", "aside", "blockquote", "caption", "dd", "details", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hr", "li", "main", "ol", "p", "pre", "section", "summary", "table", "ul",
    }
)  # fmt: skip
_CELLS = ("td", "th")
_CELL_SEPARATOR = " | "
_WHITESPACE = re.compile(r"\s+")
_DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
_CHARSET_WINDOW = 4096


def read_html(data: bytes, source: str) -> list[ParsedDocument]:
    """One document with the page's text; scripts, styles and navigation are left out."""
    soup = BeautifulSoup(_decode_html(data, source), "lxml")
    title = _title(soup)
    parts: list[str] = []
    _collect_text(soup.body or soup, parts, preformatted=False)
    text = "".join(parts)
    if not text.strip():
        raise UnreadableFileError(source, "no text (the page has no visible text)")
    return [ParsedDocument(source=source, pages=[text], title=title)]


def _decode_html(data: bytes, source: str) -> str:
    """The page's text in the charset it declares, else in the encoding the bytes show."""
    declared = _DECLARED_CHARSET.search(data[:_CHARSET_WINDOW])
    if declared:
        try:
            return data.decode(codecs.lookup(declared.group(1).decode("ascii")).name)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown declaration is common: let the bytes speak
    return decode_text(data, source)


def _title(soup: BeautifulSoup) -> str | None:
    for tag in (soup.title, soup.h1):
        if tag is not None:
            text = _WHITESPACE.sub(" ", tag.get_text(" ")).strip()
            if text:
                return text
    return None


def _collect_text(element: Tag, parts: list[str], *, preformatted: bool) -> None:
    """Append the visible text under ``element``; a paragraph-like element is set off by blank lines."""
    for child in element.children:
        if isinstance(child, PreformattedString):
            continue  # comments, doctype, CDATA, processing instructions
        if isinstance(child, NavigableString):
            parts.append(str(child) if preformatted else _WHITESPACE.sub(" ", child))
        elif child.name in _DROPPED:
            continue
        elif child.name == "br":
            parts.append("\n")
        elif child.name == "tr":
            parts.append(f"\n{_row_text(child)}")
        elif child.name in _PARAGRAPHS:
            parts.append("\n\n")
            _collect_text(child, parts, preformatted=preformatted or child.name == "pre")
            parts.append("\n\n")
        else:
            _collect_text(child, parts, preformatted=preformatted)


def _row_text(row: Tag) -> str:
    cells = []
    for cell in row.find_all(_CELLS, recursive=False):
        parts: list[str] = []
        _collect_text(cell, parts, preformatted=False)
        text = _WHITESPACE.sub(" ", "".join(parts)).strip()
        if text:
            cells.append(text)
    return _CELL_SEPARATOR.join(cells)
