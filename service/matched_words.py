"""Which words of a passage match the query: by lemma (any form of the same word), never by a shared prefix.

The page marks these spans, so «статут» marks «статуту» and «статутом» but not «Стаття». Offsets are into the
passage's text, so the marks fall exactly where the citation's text is.
"""

from __future__ import annotations

import re

from models.ukrainian_pipeline import UkrainianPipeline

_WORD = re.compile(r"[\w'’ʼ]+(?:-[\w'’ʼ]+)*")


def matched_spans(text: str, query_lemmas: set[str], pipeline: UkrainianPipeline) -> list[tuple[int, int]]:
    """The ``(start, end)`` of each word of ``text`` that has one of ``query_lemmas``, in order."""
    if not query_lemmas:
        return []
    return [
        match.span()
        for match in _WORD.finditer(text)
        if not query_lemmas.isdisjoint(pipeline.lemmas(match.group()))
    ]
