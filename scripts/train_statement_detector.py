"""Train the problem-statement detector and write its weights to ``models/statement_model/``.

    .venv/bin/python -m scripts.train_statement_detector [--data DIR] [--cache DIR] [--out DIR]

Training data: the real sentences of ``scripts/statement_data/labelled_sentences.py`` whose groups are not held
aside (appeal sentences and strategy "Challenges" as problem statements; law provisions, strategy goals,
projects and strengths and the ParlaMint chair's procedural turn as the rest). Each sentence becomes its e5
vector plus the cue features of ``service.problems.problem_statements``; a logistic regression is fitted on
them, every rule (source and field) weighing the same in total. The prompt ("query: " or "passage: ") and the decision threshold are chosen on a validation fifth of the
training groups (never on the held-aside set); ``training.json`` beside the weights records what went in.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from models.embedder import Embedder
from models.statement_model import CARD_FILE, DEFAULT_MODEL_DIR, StatementModel
from models.ukrainian_pipeline import UkrainianPipeline
from scripts.statement_data.labelled_sentences import (
    DEFAULT_DATA_DIR,
    LabelledSentence,
    appeal_sentences,
    law_sentences,
    parlamint_sentences,
    strategy_sentences,
)
from service.problems.problem_statements import CUE_NAMES, QUERY_PROMPT, cue_features, sentence_vectors

APPEALS = 700
STRATEGY_LINES = {"strategy Challenges": 1000, "strategy Goals": 450, "strategy Projects": 450, "strategy Strengths": 300}
"""At most this many lines of each strategy field are drawn (embedding every line would cost ~4x the time)."""
SEED = 7
REGULARISATION = 2.0
"""The inverse regularisation strength ``C`` of the logistic regression."""
PROMPTS = (QUERY_PROMPT, "passage: ")
THRESHOLDS = tuple(round(0.2 + 0.05 * step, 2) for step in range(13))
VALIDATION_MODULUS = 5


@dataclass(frozen=True)
class Features:
    """Sentences with their vectors, cue features and labels, row for row."""

    sentences: list[LabelledSentence]
    vectors: np.ndarray
    cues: np.ndarray
    labels: np.ndarray

    def subset(self, mask: np.ndarray) -> Features:
        kept = [s for s, keep in zip(self.sentences, mask, strict=True) if keep]
        return Features(kept, self.vectors[mask], self.cues[mask], self.labels[mask])

    @property
    def matrix(self) -> np.ndarray:
        return np.hstack([self.vectors, self.cues])


def training_sentences(data_dir: Path, pipeline: UkrainianPipeline) -> list[LabelledSentence]:
    rng = random.Random(SEED)
    return (
        appeal_sentences(data_dir, pipeline, APPEALS, rng)
        + drawn_strategy_lines(list(strategy_sentences(data_dir, pipeline, held_aside=False)), rng)
        + list(parlamint_sentences(data_dir, pipeline, held_aside=False))
        + law_sentences(data_dir, pipeline, rng)
    )


def drawn_strategy_lines(lines: list[LabelledSentence], rng: random.Random) -> list[LabelledSentence]:
    drawn = []
    for rule, count in STRATEGY_LINES.items():
        of_rule = [line for line in lines if line.rule == rule]
        drawn.extend(rng.sample(of_rule, min(count, len(of_rule))))
    return drawn


def cached_vectors(
    texts: Sequence[str], embedder: Embedder, prompt: str, cache_dir: Path | None
) -> np.ndarray:
    """The texts' vectors, read from ``cache_dir`` when this exact list was embedded before."""
    if cache_dir is None:
        return sentence_vectors(texts, embedder, prompt)
    digest = hashlib.sha256("\n".join([embedder.name, prompt, *texts]).encode("utf-8")).hexdigest()[:16]
    path = cache_dir / f"sentences-{digest}.npy"
    if path.is_file():
        return np.load(path)
    vectors = sentence_vectors(texts, embedder, prompt)
    cache_dir.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def rule_weights(sentences: Sequence[LabelledSentence]) -> np.ndarray:
    """Sample weights under which every rule (source and field) weighs the same in total.

    Without them the 37 procedural sentences of ParlaMint are lost among 1,266 appeal sentences, and short spoken
    courtesy («Дякую.», «Доброго ранку, колеги.») comes out as a problem, since appeals end that way too.
    """
    counts = Counter(s.rule for s in sentences)
    return np.array([len(sentences) / (len(counts) * counts[s.rule]) for s in sentences])


def fit(features: Features) -> LogisticRegression:
    classifier = LogisticRegression(C=REGULARISATION, max_iter=3000)
    return classifier.fit(features.matrix, features.labels, sample_weight=rule_weights(features.sentences))


def statement_model(
    classifier: LogisticRegression, threshold: float, embedding_model: str, prompt: str, dimension: int
) -> StatementModel:
    coefficients = classifier.coef_[0]
    return StatementModel(
        vector_weights=coefficients[:dimension],
        cue_weights=coefficients[dimension:],
        bias=float(classifier.intercept_[0]),
        threshold=threshold,
        cue_names=CUE_NAMES,
        embedding_model=embedding_model,
        prompt=prompt,
    )


def validation_scores(features: Features) -> dict[str, float]:
    """F1 on a validation fifth of the groups for each threshold, the model fitted on the other four fifths.

    The F1 is weighted as the fit is (every rule the same), so that a threshold that flags procedure is not
    chosen for the sake of the many appeal sentences.
    """
    validation = np.array(
        [zlib.crc32(s.group.encode("utf-8")) % VALIDATION_MODULUS == 1 for s in features.sentences]
    )
    held = features.subset(validation)
    probabilities = fit(features.subset(~validation)).predict_proba(held.matrix)[:, 1]
    return {
        str(threshold): float(
            f1_score(held.labels, probabilities >= threshold, sample_weight=rule_weights(held.sentences))
        )
        for threshold in THRESHOLDS
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="the shared data folder")
    parser.add_argument("--cache", type=Path, default=None, help="a folder to keep the sentence vectors in")
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL_DIR, help="where to write the weights")
    parser.add_argument(
        "--prompts", nargs="+", choices=PROMPTS, default=list(PROMPTS), help="the prompts to choose among"
    )
    args = parser.parse_args()

    pipeline = UkrainianPipeline()
    sentences = training_sentences(args.data, pipeline)
    print(f"{len(sentences)} training sentences: {dict(Counter(s.rule for s in sentences))}")
    embedder = Embedder()
    texts = [s.text for s in sentences]
    cues = cue_features(texts, pipeline)
    labels = np.array([int(s.is_problem) for s in sentences])
    by_prompt = {
        prompt: Features(sentences, cached_vectors(texts, embedder, prompt, args.cache), cues, labels)
        for prompt in args.prompts
    }
    scores = {prompt: validation_scores(features) for prompt, features in by_prompt.items()}
    prompt, threshold = max(
        ((p, float(t)) for p in args.prompts for t in scores[p]), key=lambda pair: scores[pair[0]][str(pair[1])]
    )
    print(f"validation F1 by prompt and threshold: {scores}; chosen {prompt!r} at {threshold}")
    features = by_prompt[prompt]
    model = statement_model(fit(features), threshold, embedder.name, prompt, embedder.dimension)
    path = model.save(args.out)
    card = {
        "embedding_model": model.embedding_model,
        "prompt": prompt,
        "threshold": threshold,
        "sentences": len(sentences),
        "sentences_by_rule": dict(sorted(Counter(s.rule for s in sentences).items())),
        "problem_statements": int(labels.sum()),
        "cue_names": list(CUE_NAMES),
        "cue_weights": [round(float(w), 3) for w in model.cue_weights],
        "logistic_regression": {"C": REGULARISATION, "sample_weight": "every rule weighs the same"},
        "validation_f1_by_prompt_and_threshold": scores,
        "seed": SEED,
    }
    (args.out / CARD_FILE).write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"weights written to {path}")


if __name__ == "__main__":
    main()
