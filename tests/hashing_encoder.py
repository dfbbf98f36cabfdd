"""A tiny deterministic stand-in for the embedder, for tests that need vectors but not their meaning."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from concurrent.futures import Future

import numpy as np

_WORD = re.compile(r"\w+")


class HashingEncoder:
    """Each text's vector is the normalised sum of fixed pseudo-random vectors of its lowercased words, so texts
    that share words are closer; the same text always gets the same vector, on any machine."""

    name = "hashing-test-encoder"
    backend = "hashing"

    def __init__(self, dimension: int = 32) -> None:
        self.dimension = dimension

    def _word_vector(self, word: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(word.encode("utf-8")).digest()[:8], "little")
        return np.random.default_rng(seed).standard_normal(self.dimension)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        rows = np.zeros((len(texts), self.dimension))
        for row, text in zip(rows, texts, strict=True):
            for word in _WORD.findall(text.lower()) or [text]:
                row += self._word_vector(word)
        rows /= np.linalg.norm(rows, axis=1, keepdims=True)
        return rows.astype(np.float32)

    def embed_passages(
        self, texts: Sequence[str], show_progress: bool = False, threads: int | None = None
    ) -> np.ndarray:
        return self.embed(texts)

    def embed_queries(
        self, texts: Sequence[str], show_progress: bool = False, threads: int | None = None
    ) -> np.ndarray:
        return self.embed(texts)

    def submit_query(self, text: str) -> Future[np.ndarray]:
        vector: Future[np.ndarray] = Future()
        vector.set_result(self.embed([text])[0])
        return vector

    def count_tokens(self, texts: Sequence[str]) -> int:
        return sum(len(_WORD.findall(text)) for text in texts)
