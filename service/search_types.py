"""The question and answer types of search: filters in, hits out."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date
from typing import Any, Literal

from indexing.document import KINDS
from indexing.places import AmbiguousPlaceError, Gazetteer
from indexing.store import ChunkFilter
from models.errors import HromadaError
from models.sector_classifier import SECTORS
from service.citations import OcrNote
from service.relevance import Relevance

SearchMode = Literal["hybrid", "dense", "lexical"]
SEARCH_MODES: tuple[str, ...] = ("hybrid", "dense", "lexical")


class InvalidQueryError(HromadaError):
    """A search request with a field that cannot be used; the message names the field.

    ``field`` is the request's name for it (``q``, ``k``, ``sector``...) and ``allowed`` the values it may take,
    when the caller gave them: the HTTP API turns them into a Ukrainian message for the page.
    """

    def __init__(self, message: str, field: str | None = None, allowed: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.field = field
        self.allowed = allowed


@dataclass(frozen=True)
class SearchFilters:
    """Which chunks a search may return: by document kind, sector, region and date range (inclusive).

    ``region`` may name the region any way the gazetteer knows («Полтавщина», «Решетилівська громада»); it is
    replaced by the region's name, which is how regions are stored, and matches the whole region.
    """

    kind: str | None = None
    sector: str | None = None
    region: str | None = None
    since: str | None = None
    until: str | None = None

    def __post_init__(self) -> None:
        if self.kind is not None and self.kind not in KINDS:
            raise InvalidQueryError(
                f"kind must be one of {', '.join(KINDS)}, not {self.kind!r}", "kind", KINDS
            )
        # An unknown sector would match nothing and look like an empty answer: it is a mistake, said so.
        if self.sector and self.sector not in SECTORS:
            raise InvalidQueryError(
                f"sector must be one of {', '.join(SECTORS)}, not {self.sector!r}", "sector", SECTORS
            )
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None:
                try:
                    date.fromisoformat(value[:10])
                except ValueError:
                    raise InvalidQueryError(
                        f"{name} must be a date as YYYY-MM-DD, not {value!r}", name
                    ) from None
        if self.region is not None:
            object.__setattr__(self, "region", _region_name(self.region) if self.region.strip() else None)

    def to_chunk_filter(self) -> ChunkFilter:
        return ChunkFilter(
            kinds=(self.kind,) if self.kind else (),
            sector=self.sector or None,
            region=self.region or None,
            since=self.since or None,
            until=self.until or None,
        )


def _region_name(region: str) -> str:
    try:
        place = Gazetteer.default().resolve(region)
    except AmbiguousPlaceError as error:
        raise InvalidQueryError(f"region: {error}; add the oblast («…, Львівська область»)", "region") from None
    if place is None:
        raise InvalidQueryError(
            f"region: no region, hromada or town is called {region!r} "
            "(for example «Полтавська область», «Полтавщина», «Решетилівська громада», «м. Київ»)",
            "region",
        )
    return place.region


@dataclass
class Hit:
    """One search result: a chunk, where it comes from and how to cite it."""

    rank: int
    score: float
    doc_id: int
    chunk_id: int
    title: str
    kind: str
    source: str
    page: int | None
    section: str | None
    heading: str | None
    speaker: str | None
    timestamp: str | None
    date: str | None
    region: str | None
    sector: str | None
    text: str
    start: int
    end: int
    citation: str
    relevance: Relevance | None = None
    """Closeness to the question on the scale search and precedents share; None where no vector was compared."""
    highlights: list[tuple[int, int]] = field(default_factory=list)
    """Offsets into ``text`` of the words that match the query's lemmas."""
    ocr: OcrNote | None = None
    """Set when the passage's page was recognised by OCR from a scan (its words may hold recognition errors)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SearchAnswer:
    """A page of hits and what the reader should know about the whole answer."""

    query: str
    """The query as searched: cut to its first ``MAX_QUERY_CHARS`` characters when longer (``cut``)."""
    hits: list[Hit]
    total: int | None
    """Passages holding a word of the query (any form), counted up to a cap; None for search by meaning only."""
    total_is_more: bool
    """More passages than ``total`` hold the query's words."""
    close_match: bool | None
    """Whether any passage reaches the relevance floor; None when no vector was compared (lexical mode)."""
    cut: bool = False

    def to_dict(self) -> dict[str, Any]:
        # Not ``asdict(self)``: it would convert every hit, deep-copying its text, only for the hits to be replaced.
        answer = {attribute.name: getattr(self, attribute.name) for attribute in fields(self)}
        answer["hits"] = [hit.to_dict() for hit in self.hits]
        return answer
