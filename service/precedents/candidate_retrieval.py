"""Candidate passages for a precedent list: hybrid retrieval (dense + lemma BM25) that keeps each signal.

Plain search fuses the two rankings and forgets the scores; precedents need them, because a list must be
able to say "nothing is similar enough" (the cosine similarity) and an article's rank combines the passage
score with other evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from indexing.store import ChunkFilter, Store, StoredChunk
from service.rank_fusion import reciprocal_rank_fusion


@dataclass(frozen=True)
class Candidate:
    """A retrieved passage with the evidence for it."""

    chunk: StoredChunk
    similarity: float
    """Cosine similarity between the query and the passage (multilingual-e5 vectors)."""
    lexical: float
    """BM25 score of the passage's lemmas against the query's; 0 when lemma search did not find it."""
    fused: float
    """Reciprocal-rank fusion of the two rankings, as plain hybrid search orders passages."""


class CandidateRetriever:
    """Retrieves up to ``depth`` passages by meaning and ``depth`` by lemmas from one store."""

    def __init__(self, store: Store, depth: int = 100, rrf_k: int = 60) -> None:
        self.store = store
        self.depth = depth
        self.rrf_k = rrf_k

    def retrieve(
        self, query_vector: np.ndarray, lemmas: Sequence[str], chunk_filter: ChunkFilter
    ) -> list[Candidate]:
        """Candidates that pass ``chunk_filter``, in the order of plain hybrid search."""
        dense = self.store.dense_search(query_vector, self.depth, chunk_filter)
        lexical = self.store.lexical_search(lemmas, self.depth, chunk_filter)
        fused = reciprocal_rank_fusion([[i for i, _ in dense], [i for i, _ in lexical]], self.rrf_k)
        if not fused:
            return []
        ids = [chunk_id for chunk_id, _ in fused]
        similarities = self._similarities(ids, dict(dense), query_vector)
        bm25 = dict(lexical)
        chunks = {chunk.id: chunk for chunk in self.store.chunks(ids)}
        return [
            Candidate(chunks[chunk_id], similarities[chunk_id], bm25.get(chunk_id, 0.0), score)
            for chunk_id, score in fused
            if chunk_id in chunks
        ]

    def _similarities(
        self, ids: Sequence[int], known: dict[int, float], query_vector: np.ndarray
    ) -> dict[int, float]:
        """Cosines for every id: dense search gave most; passages found only by lemmas are scored here."""
        missing = [chunk_id for chunk_id in ids if chunk_id not in known]
        scored = dict(known)
        if missing:
            vectors = self.store.vectors(missing)
            scored.update(zip(missing, (vectors @ query_vector).tolist(), strict=True))
        return {chunk_id: float(score) for chunk_id, score in scored.items()}
