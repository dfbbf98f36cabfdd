"""The encoder backends: one interface over the e5 transformer however it is run.

An ``Encoder`` takes a padded token batch and returns its sentence vectors: mean pooling over the real
tokens, then L2 normalisation, always in float32 whatever precision the transformer computed in.
The backends are named by ``BACKENDS``; ``models.backend_choice`` picks one for the machine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

from models.token_batches import TokenBatch

OPENVINO_BF16 = "openvino-bf16"
TORCH_BF16 = "torch-bf16"
TORCH_FP32 = "torch-fp32"
EMBEDDING_DIMENSION = 384
BACKENDS = (OPENVINO_BF16, TORCH_BF16, TORCH_FP32)
"""Fastest first; ``torch-fp32`` is the reference every other backend's vectors are checked against."""


class Encoder(Protocol):
    """Runs the transformer over token batches."""

    backend: str

    def encode(self, batch: TokenBatch, threads: int, lane: str = "batch") -> np.ndarray:
        """Normalised float32 sentence vectors, one per row of ``batch``, computed with ``threads`` threads.

        ``lane`` is ``"query"`` for the query path and ``"batch"`` for everything else: a backend that keeps
        compiled models keeps one per lane, so that a batch never queues the queries behind it.
        """
        ...


def mean_pooled(hidden: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
    """e5's sentence vector: the mean of the real tokens' hidden states, L2-normalised, float32."""
    mask = attention_mask[..., None].astype(np.float32)
    summed = (hidden.astype(np.float32) * mask).sum(axis=1)
    means = summed / np.maximum(mask.sum(axis=1), 1.0)
    norms = np.linalg.norm(means, axis=1, keepdims=True)
    return (means / np.maximum(norms, 1e-12)).astype(np.float32)


class TorchEncoder:
    """The transformer in PyTorch, in float32 (the reference) or bfloat16.

    torch's thread count is one setting for the whole process, so ``threads`` is applied per call: a query
    embedded while a batch runs in another thread changes it for both. Servers get their query speed from
    the OpenVINO backend, whose compiled models each keep their own thread count.
    """

    def __init__(self, model_dir: Path, bf16: bool) -> None:
        import torch
        from transformers import BertModel
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # no "Loading weights" bar on every command
        transformers_logging.set_verbosity_error()
        self._torch = torch
        self.backend = TORCH_BF16 if bf16 else TORCH_FP32
        self._model = BertModel.from_pretrained(
            str(model_dir),
            local_files_only=True,
            add_pooling_layer=False,
            dtype=torch.bfloat16 if bf16 else torch.float32,
        ).eval()

    def encode(self, batch: TokenBatch, threads: int, lane: str = "batch") -> np.ndarray:
        torch = self._torch
        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
        with torch.inference_mode():
            hidden = self._model(
                input_ids=torch.from_numpy(batch.input_ids),
                attention_mask=torch.from_numpy(batch.attention_mask),
            ).last_hidden_state
        return mean_pooled(hidden.float().numpy(), batch.attention_mask)
