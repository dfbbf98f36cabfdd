"""Candidate passages for a precedent list: hybrid retrieval (dense + lemma BM25) that keeps each signal.

Plain search fuses the two rankings and forgets the scores; precedents need them, because the subject decision
looks at the cosine similarity and an article's rank adds the competence prior to the fused score.

Plain search also fuses two truncated lists: a passage that only the lemmas found has no dense rank, although
its cosine is one dot product away. Here both rankings are taken over all the candidates (the union of the
two lists): every candidate is ranked by its cosine, and every candidate that shares a lemma with the problem
by its BM25. A project line that names the problem's rare word («гемодіаліз», «ОСББ») but sits 300th by
meaning among a few thousand strategy lines then still gets credit for its meaning, and ranks above lines that
only one of the two found.
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
    """Reciprocal-rank fusion of the cosine and the BM25 rankings of all candidates."""


class CandidateRetriever:
    """Retrieves up to ``depth`` passages by meaning and ``depth`` by lemmas from one store."""

    def __init__(self, store: Store, depth: int = 100, rrf_k: int = 60) -> None:
        self.store = store
        self.depth = depth
        self.rrf_k = rrf_k

    def retrieve(
        self, query_vector: np.ndarray, lemmas: Sequence[str], chunk_filter: ChunkFilter
    ) -> list[Candidate]:
        """Candidates that pass ``chunk_filter``, best fused score first."""
        dense = self.store.dense_search(query_vector, self.depth, chunk_filter)
        bm25 = dict(self.store.lexical_search(lemmas, self.depth, chunk_filter))
        ids = list(dict.fromkeys([chunk_id for chunk_id, _ in dense] + list(bm25)))
        if not ids:
            return []
        similarities = self._similarities(ids, dict(dense), query_vector)
        by_meaning = sorted(ids, key=lambda chunk_id: (-similarities[chunk_id], chunk_id))
        by_lemmas = sorted(bm25, key=lambda chunk_id: (-bm25[chunk_id], chunk_id))
        fused = reciprocal_rank_fusion([by_meaning, by_lemmas], self.rrf_k)
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
