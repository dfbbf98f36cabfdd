"""Partners for inter-municipal cooperation: hromadas with the same problem or with goals that meet.

For a hromada (by name) its strategy is compared with every other strategy in the store: challenges with
challenges (the same problem) and goals and projects with goals and projects (goals that can be pursued
together). For a problem text, the text is compared with every strategy's challenges, goals and projects.

The most similar hromadas are short-listed; a suggestion needs evidence, an item of each side (of the
partner's side, for a problem text) sharing a distinctive word with its counterpart, else it is dropped.
Words found in most strategies («ціль», «розвиток») are no evidence. The short list is
then ordered as the programme of rural-urban partnership asks: nearby first (the same raion, then the same
oblast), then communities of complementary type (rural or settlement with urban), then by similarity.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from indexing.places import AmbiguousPlaceError, Gazetteer
from models.errors import HromadaError
from models.ukrainian_pipeline import UkrainianPipeline
from service.precedents.shared_words import common_words
from service.precedents.strategy_profiles import CHALLENGES, GOAL_SECTIONS, StrategyProfile
from service.search_types import InvalidQueryError

if TYPE_CHECKING:
    from models.embedder import Embedder

SHORT_LIST_FACTOR = 3
"""How many times ``k`` hromadas are short-listed by similarity before nearness and type reorder them."""
MAX_PARTNERS = 50
SAME_PROBLEM = "same_problem"
SHARED_GOALS = "shared_goals"
_SECTIONS = {SAME_PROBLEM: frozenset({CHALLENGES}), SHARED_GOALS: GOAL_SECTIONS}
_PROXIMITY = ("raion", "oblast", "farther", "unknown")


class UnknownHromadaError(HromadaError):
    """No strategy in the store belongs to the hromada asked for, or the name fits several."""


@dataclass(frozen=True)
class Evidence:
    """Two matching items: the asking side's (None for a problem text) and the partner's, with where the
    partner's item lies (its passage, and its offsets in the strategy's text) so that it can be cited."""

    section: str
    own: str | None
    partner: str
    shared_words: list[str]
    partner_chunk_id: int
    partner_start: int
    partner_end: int


@dataclass
class PartnerSuggestion:
    """A hromada suggested as a partner, with why."""

    hromada: str
    doc_id: int
    region: str | None
    raion: str | None
    hromada_type: str | None
    population: int | None
    match: str
    """``same_problem`` (challenges meet) or ``shared_goals`` (goals and projects meet)."""
    similarity: float
    proximity: str
    """``raion``, ``oblast``, ``farther``, or ``unknown`` when there is no hromada to be near to."""
    complementary: bool
    """Rural or settlement with urban: the pairing the programme builds."""
    evidence: list[Evidence] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _Match:
    profile: StrategyProfile
    kind: str
    similarity: float
    own_chunk: int | None
    partner_chunk: int


class PartnerFinder:
    """Suggests partners among the strategy profiles it is given."""

    def __init__(
        self, profiles: Sequence[StrategyProfile], embedder: Embedder, pipeline: UkrainianPipeline
    ) -> None:
        self.profiles = list(profiles)
        self.embedder = embedder
        self.pipeline = pipeline

    def find_hromada(self, name: str) -> StrategyProfile:
        """The profile of the hromada called ``name`` (an exact name, or a part that fits one hromada)."""
        wanted = " ".join(name.split()).casefold()
        if not wanted:
            raise UnknownHromadaError("the hromada's name is empty")
        exact = [profile for profile in self.profiles if profile.hromada.casefold() == wanted]
        exact = exact or self._named_by_gazetteer(name)
        fitting = exact or [profile for profile in self.profiles if wanted in profile.hromada.casefold()]
        if len(fitting) == 1:
            return fitting[0]
        if not fitting:
            raise UnknownHromadaError(f"no hromada strategy in the store is called {name!r}")
        names = ", ".join(sorted(profile.hromada for profile in fitting)[:5])
        raise UnknownHromadaError(f"{name!r} fits {len(fitting)} hromadas ({names}, ...); give the full name")

    def _named_by_gazetteer(self, name: str) -> list[StrategyProfile]:
        """The profile of the hromada another name means («Хотинська ТГ», «м. Хотин»), if the gazetteer knows it."""
        try:
            place = Gazetteer.default().resolve(name)
        except AmbiguousPlaceError:
            return []
        if place is None or place.hromada is None:
            return []
        return [profile for profile in self.profiles if profile.hromada == place.hromada]

    def for_hromada(self, name: str, k: int = 5) -> tuple[StrategyProfile, list[PartnerSuggestion]]:
        """The hromada found by ``name`` and up to ``k`` partners for it."""
        own = self.find_hromada(name)
        matches = [
            match for other in self.profiles if other.doc_id != own.doc_id for match in self._best(own, other)
        ]
        return own, self._suggestions(matches, k, own)

    def for_problem(self, text: str, k: int = 5) -> list[PartnerSuggestion]:
        """Up to ``k`` hromadas whose strategies name the problem ``text`` or set goals against it."""
        if not text or not text.strip():
            raise InvalidQueryError("the problem text is empty")
        vector = self.embedder.embed_queries([text])[0]
        matches = []
        for profile in self.profiles:
            for kind, sections in _SECTIONS.items():
                indices = profile.chunk_indices(sections)
                if indices:
                    similarities = profile.vectors[indices] @ vector
                    best = int(np.argmax(similarities))
                    matches.append(_Match(profile, kind, float(similarities[best]), None, indices[best]))
        return self._suggestions(matches, k, None, text)

    def _best(self, own: StrategyProfile, other: StrategyProfile) -> list[_Match]:
        """The closest pair of passages of each kind (challenges, goals) between two strategies."""
        matches = []
        for kind, sections in _SECTIONS.items():
            mine, theirs = own.chunk_indices(sections), other.chunk_indices(sections)
            if mine and theirs:
                similarities = own.vectors[mine] @ other.vectors[theirs].T
                row, column = np.unravel_index(int(np.argmax(similarities)), similarities.shape)
                matches.append(
                    _Match(other, kind, float(similarities[row, column]), mine[row], theirs[column])
                )
        return matches

    def _suggestions(
        self, matches: list[_Match], k: int, own: StrategyProfile | None, text: str | None = None
    ) -> list[PartnerSuggestion]:
        if not 1 <= k <= MAX_PARTNERS:
            raise InvalidQueryError(f"k must be between 1 and {MAX_PARTNERS}, not {k}")
        by_hromada: dict[int, list[_Match]] = {}
        for match in sorted(matches, key=lambda m: (-m.similarity, m.profile.doc_id, m.kind)):
            by_hromada.setdefault(match.profile.doc_id, []).append(match)
        suggestions = []
        for candidates in list(by_hromada.values())[: SHORT_LIST_FACTOR * k]:
            # The closest kind of match that can show evidence stands for the hromada.
            for match in candidates:
                evidence = self._evidence(match, own, text)
                if evidence is not None:
                    suggestions.append(_suggestion(match, own, evidence))
                    break
        suggestions.sort(
            key=lambda s: (_PROXIMITY.index(s.proximity), not s.complementary, -s.similarity, s.hromada)
        )
        return suggestions[:k]

    @cached_property
    def generic_words(self) -> frozenset[str]:
        """Words in the items of more than half the strategies («ціль», «розвиток»): no evidence of a match."""
        counts: Counter[str] = Counter()
        for profile in self.profiles:
            counts.update(
                {word for item in profile.items for word in self.pipeline.keyword_lemmas(item.text)}
            )
        return frozenset(word for word, count in counts.items() if count > len(self.profiles) / 2)

    def _evidence(self, match: _Match, own: StrategyProfile | None, text: str | None) -> Evidence | None:
        """The pair of items that share the most distinctive words; None when no item shares one."""
        sections = _SECTIONS[match.kind]
        partner_chunk = match.profile.chunks[match.partner_chunk]
        partner_items = match.profile.items_of(partner_chunk, sections)
        if own is not None and match.own_chunk is not None:
            own_texts: list[str | None] = [
                item.text for item in own.items_of(own.chunks[match.own_chunk], sections)
            ]
        else:
            own_texts = [None]
        best: tuple[int, Evidence] | None = None
        for own_text in own_texts:
            own_words = [
                word
                for word in self.pipeline.keyword_lemmas(own_text if own_text is not None else text or "")
                if word not in self.generic_words
            ]
            for item in partner_items:
                shared = common_words(own_words, self.pipeline.keyword_lemmas(item.text))
                if shared and (best is None or len(shared) > best[0]):
                    evidence = Evidence(
                        item.section, own_text, item.text, shared, partner_chunk.id, item.start, item.end
                    )
                    best = (len(shared), evidence)
        return best[1] if best else None


def _suggestion(match: _Match, own: StrategyProfile | None, evidence: Evidence) -> PartnerSuggestion:
    partner = match.profile
    return PartnerSuggestion(
        hromada=partner.hromada,
        doc_id=partner.doc_id,
        region=partner.region,
        raion=partner.raion,
        hromada_type=partner.hromada_type,
        population=partner.population,
        match=match.kind,
        similarity=round(match.similarity, 4),
        proximity=_proximity(own, partner),
        complementary=own is not None and _complementary(own.hromada_type, partner.hromada_type),
        evidence=[evidence],
    )


def _proximity(own: StrategyProfile | None, partner: StrategyProfile) -> str:
    if own is None or not own.region:
        return "unknown"
    if own.raion and own.raion == partner.raion and own.region == partner.region:
        return "raion"
    return "oblast" if own.region == partner.region else "farther"


def _complementary(own_type: str | None, partner_type: str | None) -> bool:
    urban = {own_type, partner_type} & {"urban"}
    return bool(urban) and own_type != partner_type and None not in (own_type, partner_type)
