"""BM25 over lemma keys in memory: term-major postings in sparse matrices, scored with numpy.

A query touches only its own terms' postings, a few numpy operations per term, where SQLite's FTS5 computes
``bm25()`` row by row for every chunk that holds any query term and then sorts them all (on the 139k chunks of
the law corpus: lexical p95 130-160 ms with FTS5, most of a hybrid search). bm25s scores the same way; this
keeps term frequencies rather than precomputed scores, so that adding and removing chunks needs no rescoring.

Chunks arrive in segments (one per batch of additions); a removed chunk is only marked until the segments are
merged, as in Lucene. Scores follow Lucene's BM25 (k1 1.2, b 0.75, idf ``log(1 + (N - n + 0.5) / (n + 0.5))``),
always positive, so a chunk that holds any query term scores above one that holds none.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

K1 = 1.2
B = 0.75
_MERGE_SHARE = 0.1
"""Segments after the first are merged into it once they hold this share of its chunks (or there are many)."""
_MAX_SEGMENTS = 16


def lemma_terms(lemma_text: str) -> list[str]:
    """The terms of a chunk's lemma keys (as the lexical index stores them: space-separated)."""
    return lemma_text.casefold().split()


@dataclass
class _Segment:
    """Chunks added together: their ids, term frequencies (a row per chunk, a column per term) and lengths."""

    ids: np.ndarray
    frequencies: sp.csc_matrix
    lengths: np.ndarray
    alive: np.ndarray

    def postings(self, column: int) -> tuple[np.ndarray, np.ndarray]:
        """Row numbers and term frequencies of the chunks in this segment that hold term ``column``."""
        if column >= self.frequencies.shape[1]:
            return np.empty(0, np.int64), np.empty(0, np.float32)
        start, end = self.frequencies.indptr[column], self.frequencies.indptr[column + 1]
        return self.frequencies.indices[start:end], self.frequencies.data[start:end]


class Bm25Postings:
    """Chunks' lemma terms for BM25 ranking: ``add``, ``remove``, ``search``, ``count``; ``to_bytes`` and
    ``from_bytes`` keep them in a file."""

    def __init__(self) -> None:
        self._vocabulary: dict[str, int] = {}
        self._segments: list[_Segment] = []
        self._layout: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    # ----------------------------------------------------------------- changing

    def add(self, ids: Sequence[int] | np.ndarray, lemma_texts: Iterable[str]) -> None:
        """Learn chunks by their ids and lemma keys (ids not already held)."""
        columns: list[int] = []
        offsets = [0]
        for text in lemma_texts:
            columns.extend(
                self._vocabulary.setdefault(term, len(self._vocabulary)) for term in lemma_terms(text)
            )
            offsets.append(len(columns))
        if len(offsets) == 1:
            return
        frequencies = sp.csr_matrix(
            (np.ones(len(columns), np.float32), np.asarray(columns, np.int32), np.asarray(offsets, np.int64)),
            shape=(len(offsets) - 1, len(self._vocabulary)),
        )
        frequencies.sum_duplicates()
        ids = np.asarray(ids, dtype=np.int64)
        lengths = np.diff(offsets).astype(np.float32)
        self._segments.append(_Segment(ids, frequencies.tocsc(), lengths, np.ones(len(ids), bool)))
        self._layout = None
        self._merge_when_fragmented()

    def remove(self, ids: np.ndarray) -> None:
        """Forget chunks by their ids (unknown ids are ignored)."""
        if len(ids) == 0:
            return
        for segment in self._segments:
            segment.alive &= ~np.isin(segment.ids, ids)
        self._layout = None

    def merge(self) -> None:
        """One segment of the chunks still held, removed ones dropped."""
        if len(self._segments) == 1 and self._segments[0].alive.all():
            return
        width = len(self._vocabulary)
        parts = []
        for segment in self._segments:
            rows = segment.frequencies.tocsr()[segment.alive]
            rows.resize((rows.shape[0], width))
            parts.append(rows)
        if not any(segment.alive.any() for segment in self._segments):
            self._segments, self._layout = [], None
            return
        frequencies = sp.vstack(parts, format="csc", dtype=np.float32)
        ids = np.concatenate([segment.ids[segment.alive] for segment in self._segments])
        lengths = np.concatenate([segment.lengths[segment.alive] for segment in self._segments])
        self._segments = [_Segment(ids, frequencies, lengths, np.ones(len(ids), bool))]
        self._layout = None

    def _merge_when_fragmented(self) -> None:
        first, *rest = self._segments
        if rest and (
            sum(len(s.ids) for s in rest) > _MERGE_SHARE * len(first.ids) or len(rest) > _MAX_SEGMENTS
        ):
            self.merge()

    # ----------------------------------------------------------------- reading

    def __len__(self) -> int:
        return int(sum(segment.alive.sum() for segment in self._segments))

    def ids(self) -> np.ndarray:
        """The ids of the chunks held, sorted."""
        ids, _, alive = self._rows()
        return np.sort(ids[alive])

    def search(
        self, terms: Sequence[str], k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """The ``k`` best chunks (ids and BM25 scores) holding any of ``terms``, among ``allowed`` ids if given;
        equal scores in the order of the chunk ids."""
        ids, _, alive = self._rows()
        scores = self._scores(terms)
        matching = np.flatnonzero((scores > 0) & alive & self._allowed(ids, allowed))
        if len(matching) > k:
            matching = matching[np.argpartition(-scores[matching], k - 1)[:k]]
        order = np.lexsort((ids[matching], -scores[matching]))
        return [(int(ids[row]), float(scores[row])) for row in matching[order]]

    def count(self, terms: Sequence[str], allowed: np.ndarray | None = None) -> int:
        """How many chunks (among ``allowed`` ids if given) hold any of ``terms``."""
        ids, _, alive = self._rows()
        holding = np.zeros(len(ids), bool)
        for starts, segment, column in self._term_segments(terms):
            holding[starts + segment.postings(column)[0]] = True
        return int((holding & alive & self._allowed(ids, allowed)).sum())

    def _scores(self, terms: Sequence[str]) -> np.ndarray:
        ids, lengths, alive = self._rows()
        scores = np.zeros(len(ids), np.float32)
        held = int(alive.sum())
        if held == 0:
            return scores
        mean_length = max(float(lengths[alive].mean()), 1.0)
        by_column: dict[int, list[tuple[int, _Segment]]] = {}
        for start, segment, column in self._term_segments(terms):
            by_column.setdefault(column, []).append((start, segment))
        for column, segments in by_column.items():
            postings = [
                (start + rows, tf) for start, segment in segments for rows, tf in [segment.postings(column)]
            ]
            held_with_term = sum(int(alive[rows].sum()) for rows, _ in postings)
            idf = np.log1p((held - held_with_term + 0.5) / (held_with_term + 0.5))
            for rows, tf in postings:
                norm = K1 * (1 - B + B * lengths[rows] / mean_length)
                scores[rows] += (idf * tf * (K1 + 1) / (tf + norm)).astype(np.float32)
        return scores

    def _term_segments(self, terms: Sequence[str]) -> list[tuple[int, _Segment, int]]:
        """(first row, segment, column) for every known query term and every segment."""
        columns = {
            self._vocabulary[term] for term in {t.casefold() for t in terms} if term in self._vocabulary
        }
        starts = np.cumsum([0] + [len(segment.ids) for segment in self._segments])
        return [
            (int(starts[number]), segment, column)
            for column in sorted(columns)
            for number, segment in enumerate(self._segments)
        ]

    def _rows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Ids, lengths and liveness of every row of every segment, in segment order."""
        if self._layout is None:
            parts = [(s.ids, s.lengths, s.alive) for s in self._segments]
            self._layout = (
                np.concatenate([p[0] for p in parts]) if parts else np.empty(0, np.int64),
                np.concatenate([p[1] for p in parts]) if parts else np.empty(0, np.float32),
                np.concatenate([p[2] for p in parts]) if parts else np.empty(0, bool),
            )
        return self._layout

    @staticmethod
    def _allowed(ids: np.ndarray, allowed: np.ndarray | None) -> np.ndarray | bool:
        return True if allowed is None else np.isin(ids, allowed)

    # ----------------------------------------------------------------- keeping

    def to_bytes(self, generation: int) -> bytes:
        """The postings (merged) and the write generation they reflect, as an ``.npz`` file's bytes."""
        self.merge()
        terms = np.asarray(sorted(self._vocabulary, key=self._vocabulary.__getitem__), dtype=str)
        segment = self._segments[0] if self._segments else None
        frequencies = segment.frequencies if segment else sp.csc_matrix((0, 0), dtype=np.float32)
        buffer = io.BytesIO()
        np.savez(
            buffer,
            generation=np.int64(generation),
            terms=terms,
            ids=segment.ids if segment else np.empty(0, np.int64),
            lengths=segment.lengths if segment else np.empty(0, np.float32),
            data=frequencies.data,
            indices=frequencies.indices,
            indptr=frequencies.indptr,
            shape=np.asarray(frequencies.shape, np.int64),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> tuple[Bm25Postings, int]:
        """Postings and their generation from ``to_bytes``'s output (``ValueError`` or ``KeyError`` if damaged)."""
        postings = cls()
        with np.load(io.BytesIO(data), allow_pickle=False) as saved:
            postings._vocabulary = {term: number for number, term in enumerate(saved["terms"].tolist())}
            ids = saved["ids"]
            if len(ids):
                shape = tuple(int(size) for size in saved["shape"])
                frequencies = sp.csc_matrix((saved["data"], saved["indices"], saved["indptr"]), shape=shape)
                if shape != (len(ids), len(postings._vocabulary)):
                    raise ValueError("the postings' shape disagrees with their ids and terms")
                postings._segments = [_Segment(ids, frequencies, saved["lengths"], np.ones(len(ids), bool))]
            return postings, int(saved["generation"])
