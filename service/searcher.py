"""Search: retrieve by meaning (dense) and by lemmas (BM25), fuse the two rankings, and cite each hit.

Filters are applied inside each retriever, before ranking, so a filtered list is as long as the store allows.
Hits are deduplicated so that one page, one article or one repeated text does not fill the list.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING

import numpy as np

from indexing.store import ChunkFilter, Store, StoredChunk
from models.ukrainian_pipeline import UkrainianPipeline
from service.citations import cite, ocr_note
from service.matched_words import matched_spans
from service.rank_fusion import reciprocal_rank_fusion
from service.relevance import RelevanceScale
from service.search_types import SEARCH_MODES, Hit, InvalidQueryError, SearchAnswer, SearchFilters

if TYPE_CHECKING:
    from models.embedder import Embedder

MAX_K = 200
MAX_OFFSET = 1000
MAX_QUERY_CHARS = 2000
TOTAL_CAP = 1000
"""Matches are counted up to this many; past it the page says «понад 1000»."""


class Searcher:
    """Answers search queries over one store with one embedder and one language pipeline."""

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        pipeline: UkrainianPipeline,
        candidates: int = 100,
        rrf_k: int = 60,
        *,
        scale: RelevanceScale,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.pipeline = pipeline
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.scale = scale

    def search(
        self,
        query: str,
        k: int = 10,
        filters: SearchFilters | None = None,
        mode: str = "hybrid",
        offset: int = 0,
    ) -> list[Hit]:
        """The ``k`` best hits for ``query`` after skipping the ``offset`` best (a page), best first.

        Ranks count from the top of the whole list, so the first hit of the second page of ten has rank 11.
        """
        return self.answer(query, k, filters, mode, offset).hits

    def answer(
        self,
        query: str,
        k: int = 10,
        filters: SearchFilters | None = None,
        mode: str = "hybrid",
        offset: int = 0,
    ) -> SearchAnswer:
        """A page of hits as ``search`` finds them, with the total, whether anything is close, and a cut query."""
        query, cut = _checked_query(query, k, mode, offset)
        filters = filters or SearchFilters()
        chunk_filter = filters.to_chunk_filter()
        # The query's vector is computed on the embedding thread while its words are looked up and counted here.
        pending = self.embedder.submit_query(query) if mode != "lexical" else None
        lemmas = self.pipeline.lemmas(query)
        total = None
        if mode != "dense":
            total = self.store.lexical_count(lemmas, TOTAL_CAP + 1, chunk_filter)
        hits, closest, vector = self._page(
            lemmas if mode != "dense" else [], pending, chunk_filter, offset + k
        )
        hits = hits[offset:]
        self._describe(hits, set(lemmas), vector)
        return SearchAnswer(
            query=query,
            hits=hits,
            total=min(total, TOTAL_CAP) if total is not None else None,
            total_is_more=total is not None and total > TOTAL_CAP,
            close_match=None if closest is None else closest >= self.scale.floor,
            cut=cut,
        )

    def _page(
        self, lemmas: list[str], pending: Future[np.ndarray] | None, chunk_filter: ChunkFilter, wanted: int
    ) -> tuple[list[Hit], float | None, np.ndarray | None]:
        """The ``wanted`` best distinct hits, the best dense similarity in the filtered store, and the query's
        vector (``pending`` until the lexical ranking is done)."""
        depth = max(self.candidates, 3 * wanted)
        while True:
            rankings: list[list[int]] = []
            if lemmas or pending is None:
                rankings.append([i for i, _ in self.store.lexical_search(lemmas, depth, chunk_filter)])
            vector, closest = None, None
            if pending is not None:
                vector = pending.result()
                dense = self.store.dense_search(vector, depth, chunk_filter)
                closest = dense[0][1] if dense else 0.0
                rankings.insert(0, [i for i, _ in dense])
            fused = reciprocal_rank_fusion(rankings, self.rrf_k)
            hits = self._distinct_hits(fused, wanted)
            exhausted = all(len(ranking) < depth for ranking in rankings)
            if len(hits) >= wanted or exhausted:
                return hits, closest, vector
            depth *= 4

    def _describe(self, hits: list[Hit], lemmas: set[str], vector: np.ndarray | None) -> None:
        """Each hit's matched words and, where the query has a vector, its relevance."""
        similarities = (
            self.store.vectors([hit.chunk_id for hit in hits]) @ vector if vector is not None else None
        )
        for number, hit in enumerate(hits):
            hit.highlights = matched_spans(hit.text, lemmas, self.pipeline)
            if similarities is not None:
                hit.relevance = self.scale.of(similarities[number])

    def _distinct_hits(self, fused: Sequence[tuple[int, float]], k: int) -> list[Hit]:
        scores = dict(fused)
        ids = [chunk_id for chunk_id, _ in fused]
        hits: list[Hit] = []
        seen: set[object] = set()
        # Read a few times k chunks at a time: the fused list is up to twenty times longer than a page needs.
        for start in range(0, len(ids), 3 * k):
            for chunk in self.store.chunks(ids[start : start + 3 * k]):
                keys = {_place_key(chunk), ("text", chunk.text.strip().casefold())}
                if keys & seen:
                    continue
                seen |= keys
                hits.append(hit_from_chunk(chunk, len(hits) + 1, scores[chunk.id]))
                if len(hits) == k:
                    return hits
        return hits


def _checked_query(query: str, k: int, mode: str, offset: int) -> tuple[str, bool]:
    """The query to search (cut at a word boundary past ``MAX_QUERY_CHARS``) and whether it was cut."""
    query = (query or "").strip()
    if not query:
        raise InvalidQueryError("the query is empty", "q")
    if not 1 <= k <= MAX_K:
        raise InvalidQueryError(f"k must be between 1 and {MAX_K}, not {k}", "k")
    if not 0 <= offset <= MAX_OFFSET:
        raise InvalidQueryError(f"offset must be between 0 and {MAX_OFFSET}, not {offset}", "offset")
    if mode not in SEARCH_MODES:
        raise InvalidQueryError(
            f"mode must be one of {', '.join(SEARCH_MODES)}, not {mode!r}", "mode", SEARCH_MODES
        )
    if len(query) <= MAX_QUERY_CHARS:
        return query, False
    cut = query[:MAX_QUERY_CHARS]
    return (cut.rsplit(maxsplit=1)[0] if " " in cut.strip() else cut).rstrip(), True


def _place_key(chunk: StoredChunk) -> tuple[object, ...]:
    """What counts as the same place: a page of a PDF, an article of a law, else the chunk itself."""
    if chunk.page is not None:
        return ("page", chunk.doc_id, chunk.page)
    if chunk.kind == "legislation" and chunk.section:
        return ("article", chunk.doc_id, chunk.section.split(",")[0])
    return ("chunk", chunk.id)


def hit_from_chunk(chunk: StoredChunk, rank: int, score: float) -> Hit:
    """A chunk as a search hit at ``rank`` with ``score``, cited."""
    return Hit(
        rank=rank,
        score=round(score, 6),
        doc_id=chunk.doc_id,
        chunk_id=chunk.id,
        title=chunk.title,
        kind=chunk.kind,
        source=chunk.source,
        page=chunk.page,
        section=chunk.section,
        heading=chunk.heading,
        speaker=chunk.speaker,
        timestamp=chunk.timestamp,
        date=chunk.date,
        region=chunk.region,
        sector=chunk.sector,
        text=chunk.text,
        start=chunk.start,
        end=chunk.end,
        citation=cite(chunk),
        ocr=ocr_note(chunk),
    )
