"""Acts of legislation in the JSON exported from the Verkhovna Rada portal: one act per file, or a JSON Lines
file of acts. An act is recognised by its ``provisions``, whatever folder it is in.

An act's text is rendered as its title, then each provision as a line «Стаття N. <heading>» followed by its
content, which keeps its parts («1.», «2.», «1)») on lines of their own: the legislation chunker cuts at those
line starts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from indexing.document import ParsedDocument
from indexing.errors import UnreadableFileError
from indexing.readers.json_values import LocatedObject

_ARTICLE_TITLE = re.compile(r"^\s*Стаття\s+(\d[\d\s\-–]*)\.?\s*", re.IGNORECASE)
_METADATA_FIELDS = ("short_name", "issued_date", "url", "status")
_SENTENCE_ENDS = (".", "!", "?")


def is_act(fields: dict[str, Any]) -> bool:
    """Whether a JSON object is an act: it has a list of provisions."""
    return isinstance(fields.get("provisions"), list)


def read_acts(acts: Sequence[LocatedObject], source: str) -> list[ParsedDocument]:
    """One document of kind ``legislation`` per act."""
    return [_act_document(act, source) for act in acts]


def _act_document(act: LocatedObject, source: str) -> ParsedDocument:
    if not is_act(act.fields):
        raise UnreadableFileError(
            source, f"{act.where} is not an act of legislation (it has no 'provisions')"
        )
    title = _string(act.fields.get("title")) or _string(act.fields.get("short_name"))
    blocks = [title] if title else []
    for number, provision in enumerate(act.fields["provisions"], start=1):
        if not isinstance(provision, dict):
            raise UnreadableFileError(source, f"{act.where}: provision {number} is not a JSON object")
        blocks.append(_provision_text(provision))
    metadata = {name: _string(act.fields.get(name)) for name in _METADATA_FIELDS}
    act_id = _string(act.fields.get("id"))
    metadata["act_id"] = act_id
    return ParsedDocument(
        source=source,
        pages=["\n\n".join(block for block in blocks if block)],
        title=title or None,
        kind="legislation",
        record_id=act_id or None,
        metadata={name: value for name, value in metadata.items() if value},
    )


def _provision_text(provision: dict[str, Any]) -> str:
    """«Стаття N. <heading>» and the content on the lines below."""
    title = _string(provision.get("title"))
    content = _string(provision.get("content"))
    article = _ARTICLE_TITLE.match(title)
    if article is None and title:
        return f"{title}\n{content}".strip()  # not an article («Розділ», «Преамбула»): keep it as it is
    number = (
        _string(provision.get("section"))
        or _string(provision.get("provision_ref")).removeprefix("art")
        or (article.group(1).strip() if article else "")
    )
    if not number:
        return content
    heading = title[article.end() :] if article else ""
    # Where an article has no heading, the source stored its first sentence as the title; should the content
    # repeat that sentence, it is said once.
    if heading.endswith(_SENTENCE_ENDS) and content.startswith(heading):
        content = content[len(heading) :].lstrip()
    return f"Стаття {number}. {heading}".rstrip() + f"\n{content}".rstrip()


def _string(value: Any) -> str:
    return str(value).strip() if value is not None else ""
