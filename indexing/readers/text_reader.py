"""Plain text and Markdown files, in any of the encodings Ukrainian text comes in."""

from __future__ import annotations

import re

from indexing.document import ParsedDocument
from indexing.errors import UnreadableFileError
from indexing.readers.text_decoding import decode_text

_MARKDOWN_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


def read_text(data: bytes, source: str, *, markdown: bool = False) -> list[ParsedDocument]:
    """One document with the file's text as it is; a Markdown file's first heading is its title."""
    text = decode_text(data, source)
    if not text.strip():
        raise UnreadableFileError(source, "no text (the file holds only whitespace)")
    heading = _MARKDOWN_HEADING.search(text) if markdown else None
    return [ParsedDocument(source=source, pages=[text], title=heading.group(1) if heading else None)]
