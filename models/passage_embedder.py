"""What indexing needs of an embedder, whether it runs here (``models.embedder``) or on Ray (``models.ray_embedder``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np


class PassageEmbedder(Protocol):
    """Embeds document passages with one model; a store records ``name`` and ``backend`` beside the vectors."""

    name: str
    dimension: int

    @property
    def backend(self) -> str:
        """The encoder backend the vectors come from (``openvino-bf16``, ``torch-bf16``, ``torch-fp32``)."""
        ...

    def embed_passages(
        self, texts: Sequence[str], show_progress: bool = False, threads: int | None = None
    ) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text, in the order of ``texts``."""
        ...

    def count_tokens(self, texts: Sequence[str]) -> int:
        """How many tokens embedding ``texts`` feeds the model."""
        ...
