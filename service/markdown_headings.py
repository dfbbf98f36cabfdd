"""Markdown headings inside a source's text («## Мета проєкту»), for display only.

The stored text keeps its marks, so that a citation's offsets stay exact; what a reader sees (an export, a
result card) shows such a line as a heading with the marks taken off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(?P<text>.*?)(?:[ \t]+#+)?[ \t]*$")


@dataclass(frozen=True)
class TextBlock:
    """Consecutive lines of a text: one heading line (without its marks), or ordinary lines as they are."""

    text: str
    heading: bool = False


def text_blocks(text: str) -> list[TextBlock]:
    """``text`` cut into heading lines and the runs of ordinary lines between them, in order."""
    blocks: list[TextBlock] = []
    ordinary: list[str] = []
    for line in text.splitlines():
        heading = _HEADING.match(line)
        if heading is None:
            ordinary.append(line)
            continue
        if "".join(ordinary).strip():
            blocks.append(TextBlock("\n".join(ordinary).strip("\n")))
        ordinary = []
        blocks.append(TextBlock(heading["text"], heading=True))
    if "".join(ordinary).strip():
        blocks.append(TextBlock("\n".join(ordinary).strip("\n")))
    return blocks
