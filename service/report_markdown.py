"""A ``CitedReport`` as Markdown: quotations as block quotes ending in footnote marks, citations as footnotes.

Markdown headings inside a quoted source are shown bold (a heading inside a quotation would break the report's
outline), never as raw «##». A figure is linked by what ``figure_link`` returns: by default a ``data:`` URI, so
that the one text carries its images; a caller that writes files may put the PNG beside the text instead.
"""

from __future__ import annotations

import base64
from collections.abc import Callable

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

FigureLink = Callable[[Figure], str]


def data_uri(figure: Figure) -> str:
    """The figure inside the link itself: ``data:image/png;base64,…``."""
    return "data:image/png;base64," + base64.b64encode(figure.png).decode("ascii")


def report_markdown(report: CitedReport, figure_link: FigureLink = data_uri, titled: bool = True) -> str:
    """The report as Markdown; ``titled=False`` leaves out the dated title line."""
    lines: list[str] = [f"# {report.title.heading}", ""] if titled else []
    number = 0
    for block in report.blocks:
        if isinstance(block, Quotation):
            number += 1
            quoted = "\n> ".join(_quoted_lines(text_blocks(block.excerpt.text)) or [""])
            lines += [f"> {quoted} [^{number}]", ""]
        elif isinstance(block, Heading):
            lines += [f"{'#' * block.level} {block.text}", ""]
        elif isinstance(block, Text):
            lines += [block.text, ""]
        elif isinstance(block, Facts):
            lines += [f"| {block.columns[0]} | {block.columns[1]} |", "|---|---|"]
            lines += [f"| {_cell(name)} | {_cell(value)} |" for name, value in block.rows]
            lines.append("")
        elif isinstance(block, Figure):
            lines += [f"![{block.caption}]({figure_link(block)})", "", f"*{block.caption}*", ""]
    lines += [f"[^{n}]: {footnote_text(excerpt)}" for n, excerpt in enumerate(report.quotations(), start=1)]
    return "\n".join(lines).rstrip() + "\n"


def _quoted_lines(blocks: list[TextBlock]) -> list[str]:
    lines: list[str] = []
    for block in blocks:
        lines += [f"**{block.text}**"] if block.heading else block.text.splitlines()
    return lines


def _cell(text: str) -> str:
    # A table row is one line, and «|» would end its cell.
    return " ".join(text.split()).replace("|", "\\|")
