"""The weights of the problem-statement detector: a logistic regression over a sentence's vector and cue features.

``scripts/train_statement_detector.py`` fits it on real labelled sentences and writes
``models/statement_model/statement_model.npz``; ``service.problems.problem_statements`` computes the features
and applies it. The file records the embedder and the prompt the vectors were made with, because vectors of
another model (or prompt) must not be fed to these weights.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.errors import ModelNotAvailableError

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "statement_model"
MODEL_FILE = "statement_model.npz"
CARD_FILE = "training.json"


@dataclass(frozen=True)
class StatementModel:
    """Logistic-regression weights over ``[sentence vector, cue features]`` and the decision threshold."""

    vector_weights: np.ndarray
    """(dimension,) coefficients of the sentence vector."""
    cue_weights: np.ndarray
    """(cues,) coefficients of the cue features, in the order of ``cue_names``."""
    bias: float
    threshold: float
    """A sentence states a problem when its probability reaches this."""
    cue_names: tuple[str, ...]
    embedding_model: str
    """The embedder the vectors come from."""
    prompt: str
    """The prompt the sentences were embedded with (``"query: "`` or ``"passage: "``)."""

    @property
    def dimension(self) -> int:
        return int(self.vector_weights.shape[0])

    def probabilities(self, vectors: np.ndarray, cues: np.ndarray) -> np.ndarray:
        """(sentences,) probabilities that each sentence states a problem."""
        logits = vectors @ self.vector_weights + cues @ self.cue_weights + self.bias
        return 1.0 / (1.0 + np.exp(-logits))

    def save(self, model_dir: Path) -> Path:
        """Write the weights to ``model_dir/statement_model.npz`` and return the path."""
        model_dir.mkdir(parents=True, exist_ok=True)
        path = model_dir / MODEL_FILE
        np.savez_compressed(
            path,
            vector_weights=self.vector_weights.astype(np.float32),
            cue_weights=self.cue_weights.astype(np.float32),
            bias=np.float32(self.bias),
            threshold=np.float32(self.threshold),
            cue_names=np.array(self.cue_names),
            embedding_model=np.array(self.embedding_model),
            prompt=np.array(self.prompt),
        )
        return path

    @classmethod
    def load(cls, model_dir: Path = DEFAULT_MODEL_DIR) -> StatementModel:
        """Read the weights written by ``save``; a missing or unreadable file is a ``ModelNotAvailableError``."""
        path = model_dir / MODEL_FILE
        if not path.is_file():
            raise ModelNotAvailableError(
                f"The problem-statement model {path} is missing: run scripts/train_statement_detector.py to write it."
            )
        try:
            with np.load(path, allow_pickle=False) as stored:
                return cls(
                    vector_weights=stored["vector_weights"],
                    cue_weights=stored["cue_weights"],
                    bias=float(stored["bias"]),
                    threshold=float(stored["threshold"]),
                    cue_names=tuple(str(name) for name in stored["cue_names"]),
                    embedding_model=str(stored["embedding_model"]),
                    prompt=str(stored["prompt"]),
                )
        except (OSError, ValueError, KeyError) as error:
            raise ModelNotAvailableError(
                f"The problem-statement model {path} cannot be read: {error}"
            ) from error
