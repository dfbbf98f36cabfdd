"""Train the sector classifier and write its weights to ``models/sector_model/``.

    .venv/bin/python -m scripts.train_sector_classifier [--data DIR] [--model-dir DIR] [--out DIR]

Training data: the labelled chunks of ``scripts/sector_data`` whose group is not held aside (see that
folder's README), balanced by capping: at most ``APPEALS_PER_CATEGORY`` appeals of one contact-centre category
and ``CHUNKS_PER_SECTOR`` chunks of one sector from the appeals, ``ARTICLES_PER_ACT`` articles of one act, and
every tagged strategy project. The texts are embedded as passages, a logistic regression is fitted on the
vectors, and the weight of the sector descriptions' similarity is chosen on a validation fifth of the
training groups (never on the held-aside sample). ``training.json`` beside the weights records what went in.
"""

from __future__ import annotations

import argparse
import json
import random
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from models.embedder import Embedder
from models.sector_classifier import (
    CARD_FILE,
    DEFAULT_MODEL_DIR,
    SECTOR_DESCRIPTIONS,
    SECTORS,
    SectorModel,
)
from scripts.sector_data.labelled_chunks import DEFAULT_DATA_DIR, LabelledChunk, training_chunks

APPEALS_PER_CATEGORY = 60
CHUNKS_PER_SECTOR = 1500
ARTICLES_PER_ACT = 60
SEED = 7
REGULARISATION = 4.0
"""The inverse regularisation strength ``C`` of the logistic regression."""
PROTOTYPE_TEMPERATURE = 0.05
PROTOTYPE_WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0)
"""The candidates for ``SectorModel.prototype_weight``, tried on the validation groups."""
VALIDATION_MODULUS = 5


@dataclass(frozen=True)
class TrainingSet:
    """Chunks, their passage vectors and their sector indices, row for row."""

    chunks: list[LabelledChunk]
    vectors: np.ndarray
    labels: np.ndarray

    def subset(self, mask: np.ndarray) -> TrainingSet:
        return TrainingSet(
            [chunk for chunk, keep in zip(self.chunks, mask, strict=True) if keep],
            self.vectors[mask],
            self.labels[mask],
        )


def select_training_chunks(chunks: Iterable[LabelledChunk], rng: random.Random) -> list[LabelledChunk]:
    """The capped, balanced selection described in the module docstring, in a stable order."""
    strata: dict[tuple[str, str], list[LabelledChunk]] = defaultdict(list)
    for chunk in chunks:
        key = chunk.rule if chunk.source == "kyiv1551" else chunk.group
        strata[(chunk.source, key)].append(chunk)
    caps = {"kyiv1551": APPEALS_PER_CATEGORY, "legislation": ARTICLES_PER_ACT}
    appeals_by_sector: dict[str, list[LabelledChunk]] = defaultdict(list)
    selected: list[LabelledChunk] = []
    for (source, _), members in sorted(strata.items()):
        drawn = rng.sample(members, min(len(members), caps.get(source, len(members))))
        if source == "kyiv1551":
            appeals_by_sector[drawn[0].sector].extend(drawn)
        else:
            selected.extend(drawn)
    for _, appeals in sorted(appeals_by_sector.items()):
        selected.extend(rng.sample(appeals, min(len(appeals), CHUNKS_PER_SECTOR)))
    return selected


def fit_linear_model(training: TrainingSet) -> LogisticRegression:
    classifier = LogisticRegression(C=REGULARISATION, class_weight="balanced", max_iter=3000)
    # Every sector must be a class even if a subset lacks it, so that the rows line up with SECTORS.
    classifier.fit(training.vectors, training.labels)
    if list(classifier.classes_) != list(range(len(SECTORS))):
        raise ValueError("the training data lacks a sector: every sector needs labelled chunks")
    return classifier


def sector_model(
    classifier: LogisticRegression, prototypes: np.ndarray, prototype_weight: float, embedding_model: str
) -> SectorModel:
    return SectorModel(
        weights=classifier.coef_,
        bias=classifier.intercept_,
        prototypes=prototypes,
        prototype_weight=prototype_weight,
        prototype_temperature=PROTOTYPE_TEMPERATURE,
        embedding_model=embedding_model,
    )


def macro_f1(model: SectorModel, data: TrainingSet) -> float:
    predicted = model.probabilities(data.vectors).argmax(axis=1)
    return float(f1_score(data.labels, predicted, average="macro", labels=list(range(len(SECTORS)))))


def choose_prototype_weight(
    training: TrainingSet, prototypes: np.ndarray, embedding_model: str
) -> tuple[float, dict[str, float]]:
    """The candidate weight with the best macro-F1 on a validation fifth of the training groups."""
    validation = np.array(
        [zlib.crc32(chunk.group.encode("utf-8")) % VALIDATION_MODULUS == 1 for chunk in training.chunks]
    )
    classifier = fit_linear_model(training.subset(~validation))
    held = training.subset(validation)
    scores = {
        str(weight): macro_f1(sector_model(classifier, prototypes, weight, embedding_model), held)
        for weight in PROTOTYPE_WEIGHTS
    }
    best = max(PROTOTYPE_WEIGHTS, key=lambda weight: scores[str(weight)])
    return best, scores


def description_prototypes(embedder: Embedder) -> np.ndarray:
    """The normalised passage vectors of the sector descriptions, one row per sector."""
    return embedder.embed_passages([SECTOR_DESCRIPTIONS[sector] for sector in SECTORS])


def training_card(
    training: TrainingSet, model: SectorModel, validation_scores: dict[str, float]
) -> dict[str, object]:
    return {
        "embedding_model": model.embedding_model,
        "chunks": len(training.chunks),
        "chunks_by_sector": dict(sorted(Counter(chunk.sector for chunk in training.chunks).items())),
        "chunks_by_source": dict(sorted(Counter(chunk.source for chunk in training.chunks).items())),
        "data": (
            "Labelled chunks of scripts/sector_data (held-aside groups excluded): Kyiv 1551 appeals labelled "
            "by category, law articles labelled by act, strategy projects labelled by topic tag."
        ),
        "caps": {
            "appeals_per_category": APPEALS_PER_CATEGORY,
            "appeals_per_sector": CHUNKS_PER_SECTOR,
            "articles_per_act": ARTICLES_PER_ACT,
        },
        "logistic_regression": {"C": REGULARISATION, "class_weight": "balanced"},
        "prototype_weight": model.prototype_weight,
        "prototype_temperature": model.prototype_temperature,
        "validation_macro_f1_by_prototype_weight": validation_scores,
        "seed": SEED,
    }


def embed_training_set(chunks: Sequence[LabelledChunk], embedder: Embedder) -> TrainingSet:
    vectors = embedder.embed_passages([chunk.text for chunk in chunks])
    labels = np.array([SECTORS.index(chunk.sector) for chunk in chunks])
    return TrainingSet(list(chunks), vectors, labels)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="the shared data folder")
    parser.add_argument("--model-dir", type=Path, default=None, help="the embedder's model folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL_DIR, help="where to write the weights")
    args = parser.parse_args()

    chunks = select_training_chunks(training_chunks(args.data), random.Random(SEED))
    print(f"{len(chunks)} training chunks: {dict(Counter(chunk.sector for chunk in chunks))}")
    embedder = Embedder(model_dir=args.model_dir)
    training = embed_training_set(chunks, embedder)
    prototypes = description_prototypes(embedder)
    embedding_model = embedder.name
    weight, validation_scores = choose_prototype_weight(training, prototypes, embedding_model)
    print(f"validation macro-F1 by prototype weight: {validation_scores}; chosen {weight}")
    model = sector_model(fit_linear_model(training), prototypes, weight, embedding_model)
    path = model.save(args.out)
    card = training_card(training, model, validation_scores)
    (args.out / CARD_FILE).write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"weights written to {path}")


if __name__ == "__main__":
    main()
