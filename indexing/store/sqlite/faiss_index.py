"""The FAISS side of the store: one normalised vector per chunk, under the chunk's id.

The vectors themselves are kept in SQLite too; this index is a fast, rebuildable view of them
(``FaissVectors`` keeps it in step with the database).
Small stores get an exact inner-product index wrapped in ``IndexIDMap2``; large ones an inverted-file index
trained on their own vectors (``ivfsq<lists>``), whose lists hold each vector as 8-bit scalars and whose best
candidates are re-ranked by their exact vectors from the database. The IVF index keeps chunk ids itself:
``IndexIDMap2.remove_ids`` assumes the inner index renumbers its rows after a removal, as a flat index does and an
IVF index does not.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import faiss
import numpy as np

from indexing.store.atomic_file import write_atomically

EXACT_LIMIT = 60_000
"""Up to this many vectors an exact search costs a few milliseconds (one core scans ~10k vectors a millisecond),
so approximation buys nothing; at 100k real law vectors it took 8.5 ms (p50), IVF with the probes below 2.1 ms."""
PROBES_PER_ROOT_LIST = 12
"""An IVF index of ``n`` lists probes ``12·√n`` of them. Measured with 300 real queries (``scripts/bench/
vector_index.py``), Recall@10 against exact search: 100k real law vectors, 1,264 lists: 0.674 with a fixed 32
probes (the rule before), 0.965 with 316; 139k, 1,491 lists: 0.689 at 32, 0.950 at 256, 0.970 at 386, 0.983 at
512; a million (139k real, the rest blends of two real ones), 4,000 lists, 8-bit codes re-ranked: 0.947 at 633
(10·√n), 0.962 at 759 (12·√n). Queries far from the corpus (an appeal asked of the laws) fall between many lists;
more lists are finer, so the share needed shrinks."""

RERANK_FACTOR = 4
"""An IVF search takes this many times ``k`` candidates by their 8-bit codes and keeps the ``k`` best by their exact
vectors. Measured (``scripts/bench/vector_index.py``, 300 real queries, one thread): on the 139,073 real law
vectors (1,491 lists, 387 probes) lists of float32 vectors found Recall@10 0.974 at p95 6.8 ms, 8-bit codes re-ranked
×4 0.974 at 3.5 ms in a quarter of the memory (0.951 without the re-rank); on a million (4,000 lists, 633 probes)
0.947 at 47 ms against 0.947 at 25 ms. 4-bit product codes (fast scan) were faster still but kept only 0.76–0.93
of the exact top 10 unless thousands of candidates were re-ranked: e5's vectors lie close together."""

ExactVectors = Callable[[np.ndarray], np.ndarray]
"""The stored vectors of chunk ids, in the order given (the database's truth)."""


def ivf_probes(lists: int) -> int:
    """How many of ``lists`` an IVF search probes."""
    return min(lists, math.ceil(PROBES_PER_ROOT_LIST * math.sqrt(lists)))


def choose_index_type(count: int) -> str:
    """``flat`` (exact) for small stores, ``ivfsq<lists>`` beyond ``EXACT_LIMIT`` vectors."""
    if count <= EXACT_LIMIT:
        return "flat"
    return f"ivfsq{int(4 * np.sqrt(count))}"


class FaissIndex:
    """A FAISS ``IndexIDMap2`` holding chunk vectors under chunk ids."""

    def __init__(self, dimension: int, index_type: str = "flat", training: np.ndarray | None = None) -> None:
        self.dimension = dimension
        self.index_type = index_type
        self._index = self._make_index(index_type, training)

    @property
    def keeps_codes(self) -> bool:
        """Whether the index holds codes, not vectors (its candidates need the exact vectors)."""
        return self.index_type != "flat"

    def _make_index(self, index_type: str, training: np.ndarray | None) -> faiss.Index:
        if index_type == "flat":
            return faiss.IndexIDMap2(faiss.IndexFlatIP(self.dimension))
        if training is None:
            raise ValueError("an IVF index needs training vectors")
        lists = int(index_type.removeprefix("ivfsq"))
        quantizer = faiss.IndexFlatIP(self.dimension)
        inner = faiss.IndexIVFScalarQuantizer(
            quantizer, self.dimension, lists, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        inner.train(np.ascontiguousarray(training, dtype=np.float32))
        inner.nprobe = ivf_probes(lists)
        # The quantizer belongs to the IVF index; keep Python from freeing it first.
        inner.own_fields = True
        quantizer.this.disown()
        return inner

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def ids(self) -> np.ndarray:
        """All chunk ids in the index, sorted."""
        if self.index_type == "flat":
            return np.sort(faiss.vector_to_array(self._index.id_map).astype(np.int64))
        lists = self._index.invlists
        parts = [
            faiss.rev_swig_ptr(lists.get_ids(number), lists.list_size(number)).copy()
            for number in range(lists.nlist)
        ]
        return np.sort(np.concatenate(parts).astype(np.int64)) if parts else np.empty(0, np.int64)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            self._index.add_with_ids(
                np.ascontiguousarray(vectors, dtype=np.float32), np.ascontiguousarray(ids, dtype=np.int64)
            )

    def remove(self, ids: np.ndarray) -> None:
        if len(ids):
            self._index.remove_ids(np.ascontiguousarray(ids, dtype=np.int64))

    def search(
        self,
        query: np.ndarray,
        k: int,
        allowed_ids: np.ndarray | None = None,
        threads: int = 1,
        exact: ExactVectors | None = None,
    ) -> list[tuple[int, float]]:
        """The ``k`` nearest chunk ids with their cosine similarities, restricted to ``allowed_ids`` if given.

        An index that keeps codes needs ``exact``, the stored vectors of its candidates.

        One query is searched with ``threads`` OpenMP threads, one by default: splitting a single query's scan
        costs more in start-up and contention than it saves (100k flat: 8.6 ms with one thread, 40 ms with
        two on a busy machine). OpenMP keeps the count per calling thread, so indexing elsewhere is unaffected.
        """
        if len(self) == 0 or k <= 0:
            return []
        faiss.omp_set_num_threads(threads)
        params = None
        if allowed_ids is not None:
            if len(allowed_ids) == 0:
                return []
            selector = faiss.IDSelectorBatch(np.ascontiguousarray(allowed_ids, dtype=np.int64))
            params = (
                faiss.SearchParametersIVF(sel=selector, nprobe=self._index.nprobe)
                if self.index_type != "flat"
                else faiss.SearchParameters(sel=selector)
            )
        query = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        wanted = RERANK_FACTOR * k if self.keeps_codes else k
        scores, ids = self._index.search(query, min(wanted, len(self)), params=params)
        if not self.keeps_codes:
            return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]
        if exact is None:
            raise ValueError(f"an {self.index_type} index needs the exact vectors of its candidates")
        found = _best(ids[0][ids[0] >= 0], query[0], k, exact)
        if allowed_ids is not None and len(found) < min(k, len(allowed_ids)):
            # A filter whose chunks lie outside the probed lists: never leave the list silently short.
            held = np.intersect1d(np.asarray(allowed_ids, dtype=np.int64), self.ids(), assume_unique=True)
            return _best(held, query[0], k, exact)
        return found

    def save(self, path: Path) -> None:
        """Write the index atomically."""
        write_atomically(path, faiss.serialize_index(self._index).tobytes())

    @classmethod
    def load(cls, path: Path, dimension: int, index_type: str) -> FaissIndex:
        index = cls.__new__(cls)
        index.dimension = dimension
        index.index_type = index_type
        index._index = faiss.deserialize_index(np.fromfile(path, dtype=np.uint8))
        if index.index_type != "flat":
            index._index.nprobe = ivf_probes(index._index.nlist)
        if index._index.d != dimension:
            raise ValueError(f"{path} holds {index._index.d}-dimensional vectors, expected {dimension}")
        return index


def _best(ids: np.ndarray, query: np.ndarray, k: int, vectors_of: ExactVectors) -> list[tuple[int, float]]:
    """The ``k`` of ``ids`` nearest to ``query`` by their exact vectors, with their cosine similarities."""
    if len(ids) == 0:
        return []
    scores = vectors_of(ids) @ query
    best = np.argsort(-scores, kind="stable")[:k]
    return [(int(ids[i]), float(scores[i])) for i in best]
