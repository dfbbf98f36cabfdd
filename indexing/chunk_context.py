"""What is embedded and lemmatised for a chunk: its text under its document's title and its heading.

A passage from the middle of a document rarely names what the document is about («тайм-аут триває одну
хвилину» says nothing of basketball); prefixing the title and the article or section heading gives every
chunk that context, for the embedder and for BM25 alike. Citations still quote the chunk's text alone.
"""

from __future__ import annotations

from indexing.document import ChunkSpan

UNTITLED_KINDS = frozenset({"appeal"})
"""An appeal's title is its own first words: prefixing it would only repeat them."""


def chunk_in_context(title: str, kind: str, span: ChunkSpan) -> str:
    parts = [] if kind in UNTITLED_KINDS or span.text.startswith(title) else [title]
    if span.heading and not span.text.startswith(span.heading):
        parts.append(span.heading)
    parts.append(span.text)
    return "\n".join(parts)
