"""Sector tags for chunks and problems: which field of local self-government a text is about.

The sectors follow the programme the service supports (education; social protection and social services;
local economic development; communal services and infrastructure) plus governance and finance, health and
everything else. A text gets a primary sector and, when another one scores close to it, secondary tags.

The classifier works on the embedder's passage vectors, so that the indexer, which has them already, tags
chunks at the cost of one small matrix product. It combines two signals:

- a linear model (multinomial logistic regression) trained on real labelled chunks: appeals labelled by their
  contact-centre category, law articles by their act, strategy projects by their topic
  (``scripts/train_sector_classifier.py``, data described in ``scripts/sector_data/README.md``);
- the cosine similarity to a written description of each sector (``SECTOR_DESCRIPTIONS``), added to the
  linear model's logits with a weight the training script chooses on validation groups. In the shipped
  weights that choice is 0 (the descriptions did not improve on the linear model); ``scripts/bench/sectors.py``
  still measures them alone as a baseline.

Both live in one small file, ``models/sector_model/sector_model.npz``, written by the training script.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from models.errors import ModelNotAvailableError

SECTORS = (
    "education",
    "social_protection",
    "economic_development",
    "communal_services",
    "governance_finance",
    "health",
    "other",
)
"""The stable sector ids, in the order of the model's rows."""

sector_names: dict[str, str] = {
    "education": "Освіта",
    "social_protection": "Соціальний захист і соціальні послуги",
    "economic_development": "Місцевий економічний розвиток",
    "communal_services": "Комунальні послуги та інфраструктура",
    "governance_finance": "Управління та фінанси",
    "health": "Охорона здоров'я",
    "other": "Інше",
}
"""Ukrainian display names of the sectors."""

SECTOR_DESCRIPTIONS: dict[str, str] = {
    "education": (
        "Освіта: школи, ліцеї, гімназії, дитячі садки (заклади дошкільної освіти), позашкільна та "
        "професійна освіта, учні, вчителі й педагоги, навчальний процес, харчування дітей у школах, "
        "підвезення учнів, ремонт і будівництво навчальних закладів."
    ),
    "social_protection": (
        "Соціальний захист і соціальні послуги: пенсії, субсидії, пільги, соціальна допомога "
        "малозабезпеченим, особам з інвалідністю, ветеранам, внутрішньо переміщеним особам, сім'ям з "
        "дітьми, догляд за людьми похилого віку, безпритульні, соціальні служби та надання соціальних "
        "послуг."
    ),
    "economic_development": (
        "Місцевий економічний розвиток: підприємництво, малий і середній бізнес, інвестиції, "
        "торгівля, ринки, ярмарки, туризм, сільське господарство, промисловість, індустріальні парки, "
        "робочі місця й зайнятість, кооперація, промоція громади для інвесторів."
    ),
    "communal_services": (
        "Комунальні послуги та інфраструктура: житлово-комунальне господарство, опалення, гаряча й "
        "холодна вода, водопостачання і водовідведення, каналізація, електропостачання, газ, ліфти, "
        "ремонт будинків і дахів, дороги й тротуари, освітлення вулиць, вивезення сміття й відходи, "
        "благоустрій, громадський транспорт, енергоефективність."
    ),
    "governance_finance": (
        "Управління та фінанси: місцеве самоврядування, сільська, селищна, міська рада та її "
        "виконавчі органи, депутати, бюджет, податки, міжбюджетні трансферти, комунальна власність, "
        "публічні закупівлі, адміністративні послуги, звернення громадян, доступ до публічної "
        "інформації, земельні відносини, просторове планування, співробітництво громад, цифровізація "
        "управління."
    ),
    "health": (
        "Охорона здоров'я: лікарні, поліклініки, амбулаторії, лікарі та медичні працівники, медична "
        "допомога, екстрена допомога, ліки та рецепти, вакцинація й щеплення, громадське здоров'я, "
        "реабілітація хворих."
    ),
    "other": (
        "Інше: культура, спорт, молодь, дозвілля, громадський порядок і безпека, цивільний захист, "
        "оборона, довкілля та природа, тварини, шум і порушення тиші, сімейні відносини, демографія."
    ),
}
"""What each sector covers, in the words its texts use; the model stores these descriptions' vectors."""

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "sector_model"
MODEL_FILE = "sector_model.npz"
CARD_FILE = "training.json"

SECONDARY_MIN_SCORE = 0.2
"""A sector other than the primary is tagged too when its score reaches this ..."""
SECONDARY_MIN_RATIO = 0.5
"""... and at least this fraction of the primary sector's score."""


class PassageEmbedder(Protocol):
    """What the classifier needs of ``models.embedder.Embedder``: normalised passage vectors."""

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class SectorTags:
    """The sectors of one text: the primary one first in ``tags``, and every sector's score."""

    primary: str
    tags: tuple[str, ...]
    scores: dict[str, float]
    """A probability per sector; the scores of one text sum to 1."""


@dataclass(frozen=True)
class SectorModel:
    """The weights of the sector classifier: a linear model and the sector descriptions' vectors.

    Row ``i`` of each matrix belongs to ``SECTORS[i]``.
    """

    weights: np.ndarray
    """(sectors, dimension) coefficients of the logistic regression."""
    bias: np.ndarray
    """(sectors,) intercepts of the logistic regression."""
    prototypes: np.ndarray
    """(sectors, dimension) normalised vectors of ``SECTOR_DESCRIPTIONS``."""
    prototype_weight: float
    """How much the description similarity counts against the linear model's logits."""
    prototype_temperature: float
    """Cosine similarities are divided by this before they join the logits."""
    embedding_model: str
    """The embedder the vectors come from; vectors of another model must not be fed to these weights."""

    @property
    def dimension(self) -> int:
        return int(self.weights.shape[1])

    def save(self, model_dir: Path) -> Path:
        """Write the weights to ``model_dir/sector_model.npz`` and return the path."""
        model_dir.mkdir(parents=True, exist_ok=True)
        path = model_dir / MODEL_FILE
        np.savez_compressed(
            path,
            sectors=np.array(SECTORS),
            weights=self.weights.astype(np.float32),
            bias=self.bias.astype(np.float32),
            prototypes=self.prototypes.astype(np.float32),
            prototype_weight=np.float32(self.prototype_weight),
            prototype_temperature=np.float32(self.prototype_temperature),
            embedding_model=np.array(self.embedding_model),
        )
        return path

    @classmethod
    def load(cls, model_dir: Path = DEFAULT_MODEL_DIR) -> SectorModel:
        """Read the weights written by ``save``; a missing or foreign file is a ``ModelNotAvailableError``."""
        path = model_dir / MODEL_FILE
        if not path.is_file():
            raise ModelNotAvailableError(
                f"The sector model {path} is missing: run scripts/train_sector_classifier.py to write it."
            )
        try:
            with np.load(path, allow_pickle=False) as stored:
                sectors = tuple(str(sector) for sector in stored["sectors"])
                model = cls(
                    weights=stored["weights"],
                    bias=stored["bias"],
                    prototypes=stored["prototypes"],
                    prototype_weight=float(stored["prototype_weight"]),
                    prototype_temperature=float(stored["prototype_temperature"]),
                    embedding_model=str(stored["embedding_model"]),
                )
        except (OSError, ValueError, KeyError) as error:
            raise ModelNotAvailableError(f"The sector model {path} cannot be read: {error}") from error
        if sectors != SECTORS:
            raise ModelNotAvailableError(
                f"The sector model {path} was trained for the sectors {sectors}, not {SECTORS}: retrain it."
            )
        return model

    def probabilities(self, embeddings: np.ndarray) -> np.ndarray:
        """(texts, sectors) probabilities for normalised passage vectors."""
        logits = embeddings @ self.weights.T + self.bias
        similarity = embeddings @ self.prototypes.T
        logits = logits + self.prototype_weight * similarity / self.prototype_temperature
        logits -= logits.max(axis=1, keepdims=True)
        exponentials = np.exp(logits)
        return exponentials / exponentials.sum(axis=1, keepdims=True)


class SectorClassifier:
    """Tags texts with sectors from their passage embeddings.

    Give it the embeddings the indexer already computed and it needs no embedder; without them it asks the
    embedder it was built with.
    """

    def __init__(self, model: SectorModel, embedder: PassageEmbedder | None = None) -> None:
        self.model = model
        self._embedder = embedder

    @classmethod
    def load(
        cls, model_dir: Path = DEFAULT_MODEL_DIR, embedder: PassageEmbedder | None = None
    ) -> SectorClassifier:
        """The classifier with the shipped weights (or those in ``model_dir``)."""
        return cls(SectorModel.load(model_dir), embedder)

    def classify(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> list[SectorTags]:
        """The sector tags of each text, in order.

        ``embeddings`` are the texts' normalised passage vectors, shape ``(len(texts), dimension)``; when
        they are not given the texts are embedded here.
        """
        if not texts:
            return []
        vectors = self._vectors(texts, embeddings)
        return [_tags(row) for row in self.model.probabilities(vectors)]

    def _vectors(self, texts: Sequence[str], embeddings: np.ndarray | None) -> np.ndarray:
        if embeddings is None:
            if self._embedder is None:
                raise ModelNotAvailableError(
                    "The sector classifier was given neither embeddings nor an embedder to compute them."
                )
            embeddings = self._embedder.embed_passages(texts)
        vectors = np.asarray(embeddings, dtype=np.float32)
        if vectors.shape != (len(texts), self.model.dimension):
            raise ValueError(
                f"embeddings have shape {vectors.shape}; expected ({len(texts)}, {self.model.dimension}), "
                "one passage vector per text"
            )
        return vectors


def _tags(probabilities: np.ndarray) -> SectorTags:
    order = np.argsort(-probabilities)
    primary_score = float(probabilities[order[0]])
    tags = [SECTORS[order[0]]]
    for index in order[1:]:
        score = float(probabilities[index])
        if score >= SECONDARY_MIN_SCORE and score >= SECONDARY_MIN_RATIO * primary_score:
            tags.append(SECTORS[index])
    scores = {
        sector: round(float(probability), 4)
        for sector, probability in zip(SECTORS, probabilities, strict=True)
    }
    return SectorTags(primary=tags[0], tags=tuple(tags), scores=scores)
