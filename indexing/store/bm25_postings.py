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

    def postings(self, column: int) -> slice:
        """Where the chunks holding term ``column`` are in ``frequencies.indices`` (their rows) and ``.data``."""
        if column >= self.frequencies.shape[1]:
            return slice(0, 0)
        return slice(self.frequencies.indptr[column], self.frequencies.indptr[column + 1])


@dataclass
class _Layout:
    """What scoring needs of the segments as they are now, computed once after each change."""

    ids: np.ndarray
    """Every row's chunk id, segment after segment."""
    alive: np.ndarray
    starts: list[int]
    """Each segment's first row."""
    weights: list[np.ndarray]
    """Each segment's BM25 term weight per posting, ``tf (k1 + 1) / (tf + k1 (1 - b + b len / mean len))``,
    aligned with its ``frequencies.data``: a query then costs an add per posting (bm25s's eager scoring)."""
    held: int
    """How many chunks are alive (idf's N)."""


class Bm25Postings:
    """Chunks' lemma terms for BM25 ranking: ``add``, ``remove``, ``search``, ``count``; ``to_bytes`` and
    ``from_bytes`` keep them in a file."""

    def __init__(self) -> None:
        self._vocabulary: dict[str, int] = {}
        self._segments: list[_Segment] = []
        self._layout: _Layout | None = None

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
        if not any(segment.alive.any() for segment in self._segments):
            self._segments, self._layout = [], None
            return
        width = len(self._vocabulary)
        parts = []
        for segment in self._segments:
            rows = segment.frequencies.tocsr()[segment.alive]
            rows.resize((rows.shape[0], width))
            parts.append(rows)
        frequencies = sp.vstack(parts, format="csc", dtype=np.float32)
        ids = np.concatenate([segment.ids[segment.alive] for segment in self._segments])
        lengths = np.concatenate([segment.lengths[segment.alive] for segment in self._segments])
        self._segments = [_Segment(ids, frequencies, lengths, np.ones(len(ids), bool))]
        self._layout = None

    def tidy(self) -> None:
        """Merge the segments when those after the first are many or hold a tenth of its chunks (a caller adding
        many batches at once tidies after the last, so that the postings are not copied at every batch)."""
        if not self._segments:
            return
        first, *rest = self._segments
        if rest and (
            sum(len(s.ids) for s in rest) > _MERGE_SHARE * len(first.ids) or len(rest) > _MAX_SEGMENTS
        ):
            self.merge()

    # ----------------------------------------------------------------- reading

    def __len__(self) -> int:
        return self._current().held

    def ids(self) -> np.ndarray:
        """The ids of the chunks held, sorted."""
        layout = self._current()
        return np.sort(layout.ids[layout.alive])

    def search(
        self, terms: Sequence[str], k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """The ``k`` best chunks (ids and BM25 scores) holding any of ``terms``, among ``allowed`` ids if given;
        equal scores in the order of the chunk ids."""
        layout = self._current()
        scores = self._scores(layout, terms)
        matching = np.flatnonzero((scores > 0) & layout.alive & _allowed(layout.ids, allowed))
        if len(matching) > k:
            matching = matching[np.argpartition(-scores[matching], k - 1)[:k]]
        order = np.lexsort((layout.ids[matching], -scores[matching]))
        return [(int(layout.ids[row]), float(scores[row])) for row in matching[order]]

    def count(self, terms: Sequence[str], allowed: np.ndarray | None = None) -> int:
        """How many chunks (among ``allowed`` ids if given) hold any of ``terms``."""
        layout = self._current()
        holding = np.zeros(len(layout.ids), bool)
        for column in self._columns(terms):
            for start, segment in zip(layout.starts, self._segments, strict=True):
                holding[start + segment.frequencies.indices[segment.postings(column)]] = True
        return int((holding & layout.alive & _allowed(layout.ids, allowed)).sum())

    def _scores(self, layout: _Layout, terms: Sequence[str]) -> np.ndarray:
        scores = np.zeros(len(layout.ids), np.float32)
        for column in self._columns(terms):
            postings = [
                (start + segment.frequencies.indices[where], weights[where])
                for start, segment, weights in zip(layout.starts, self._segments, layout.weights, strict=True)
                for where in [segment.postings(column)]
            ]
            holding = sum(int(layout.alive[rows].sum()) for rows, _ in postings)
            idf = np.float32(np.log1p((layout.held - holding + 0.5) / (holding + 0.5)))
            for rows, weights in postings:
                scores[rows] += idf * weights
        return scores

    def _columns(self, terms: Sequence[str]) -> list[int]:
        """The vocabulary's numbers of the query's distinct known terms."""
        return sorted(
            {self._vocabulary[t] for t in {term.casefold() for term in terms} if t in self._vocabulary}
        )

    def _current(self) -> _Layout:
        if self._layout is None:
            alive = _joined([s.alive for s in self._segments], bool)
            lengths = _joined([s.lengths for s in self._segments], np.float32)
            mean_length = max(float(lengths[alive].mean()), 1.0) if alive.any() else 1.0
            self._layout = _Layout(
                ids=_joined([s.ids for s in self._segments], np.int64),
                alive=alive,
                starts=np.cumsum([0] + [len(s.ids) for s in self._segments])[:-1].tolist(),
                weights=[_term_weights(s, mean_length) for s in self._segments],
                held=int(alive.sum()),
            )
        return self._layout

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


def _term_weights(segment: _Segment, mean_length: float) -> np.ndarray:
    frequencies = segment.frequencies.data
    norms = K1 * (1 - B + B * segment.lengths / mean_length)
    return (frequencies * (K1 + 1) / (frequencies + norms[segment.frequencies.indices])).astype(np.float32)


def _joined(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts) if parts else np.empty(0, dtype)


def _allowed(ids: np.ndarray, allowed: np.ndarray | None) -> np.ndarray | bool:
    return True if allowed is None else np.isin(ids, allowed)
