"""Sector tagging on the held-aside labelled sample: the shipped classifier against two baselines, same run.

    .venv/bin/python -m scripts.bench.sectors [--sample FILE] [--model-dir DIR] [--json]

The sample is ``scripts/sector_data/heldout.jsonl`` (real chunks whose acts, hromadas and appeals were kept
out of training; see the README there). Systems compared:

- ``classifier``: ``SectorClassifier`` with the shipped weights (linear model + sector descriptions);
- ``descriptions only``: the sector whose written description is nearest to the chunk (no training data);
- ``lemma cues``: the sector with most cue lemmas in the chunk (``CUE_WORDS``), ``other`` when none occurs.

Reported per system: accuracy of the primary sector, macro-F1, per-sector precision and recall, accuracy by
source, and how often the gold sector is among the classifier's tags (primary or secondary).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

from models.embedder import Embedder
from models.sector_classifier import DEFAULT_MODEL_DIR, SECTORS, SectorClassifier, SectorModel
from models.ukrainian_pipeline import UkrainianPipeline
from scripts.sector_data.build_heldout import HELDOUT_PATH
from scripts.sector_data.labelled_chunks import LabelledChunk

CUE_WORDS: dict[str, str] = {
    "education": "освіта школа школи учень учні вчитель педагог садок садочок дитсадок ліцей гімназія "
    "навчальний дошкільний студент урок клас школа учитель ученик садик образование",
    "social_protection": "пенсія пенсіонер субсидія пільга пільговий допомога інвалідність інвалід ветеран "
    "переселенець малозабезпечений соціальний пенсия субсидия льгота помощь пенсионер",
    "economic_development": "підприємництво підприємець бізнес інвестиція інвестор торгівля ринок ярмарок "
    "туризм туристичний промисловість фермер зайнятість магазин торговля рынок ярмарка",
    "communal_services": "опалення вода водопостачання каналізація ліфт дах дорога асфальт освітлення сміття "
    "відходи благоустрій тротуар транспорт тепло газ електропостачання під'їзд отопление лифт мусор "
    "подъезд фонарь",
    "governance_finance": "бюджет рада депутат податок закупівля адміністративний звернення земельний "
    "ділянка власність виконавчий вибори корупція бюджетный выборы",
    "health": "лікарня поліклініка лікар медичний здоров'я ліки рецепт вакцина щеплення аптека амбулаторія "
    "больница врач поликлиника лекарство",
    "other": "культура спорт спортивний собака тварина шум тиша музика безпека поліція міліція довкілля "
    "екологія молодь собака музыка шум",
}
"""Words a reader takes as signs of each sector; lemmatised with the same pipeline as the chunks."""


class LemmaCueTagger:
    """The baseline: count each sector's cue lemmas in a text."""

    def __init__(self, pipeline: UkrainianPipeline) -> None:
        self._pipeline = pipeline
        self._cues = {sector: set(pipeline.lemmas(words)) for sector, words in CUE_WORDS.items()}

    def primary(self, text: str) -> str:
        counts = Counter(self._pipeline.lemmas(text))
        hits = {sector: sum(counts[lemma] for lemma in cues) for sector, cues in self._cues.items()}
        best = max(SECTORS, key=lambda sector: hits[sector])
        return best if hits[best] > 0 else "other"


def read_sample(path: Path) -> list[LabelledChunk]:
    return [LabelledChunk.from_json(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def description_only(model: SectorModel, vectors: np.ndarray) -> list[str]:
    return [SECTORS[index] for index in (vectors @ model.prototypes.T).argmax(axis=1)]


def scores(gold: Sequence[str], predicted: Sequence[str], sources: Sequence[str]) -> dict[str, object]:
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=list(SECTORS), zero_division=0
    )
    by_source = {
        source: round(
            accuracy_score(
                [g for g, s in zip(gold, sources, strict=True) if s == source],
                [p for p, s in zip(predicted, sources, strict=True) if s == source],
            ),
            3,
        )
        for source in sorted(set(sources))
    }
    return {
        "accuracy": round(accuracy_score(gold, predicted), 3),
        "macro_f1": round(
            f1_score(gold, predicted, labels=list(SECTORS), average="macro", zero_division=0), 3
        ),
        "per_sector": {
            sector: {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3), "support": int(n)}
            for sector, p, r, f, n in zip(SECTORS, precision, recall, f1, support, strict=True)
        },
        "accuracy_by_source": by_source,
    }


def print_report(report: dict[str, object]) -> None:
    print(f"held-aside sample: {report['sample']} chunks {report['sample_by_source']}")
    for system, result in report["systems"].items():
        print(f"\n== {system}: accuracy {result['accuracy']:.3f}, macro-F1 {result['macro_f1']:.3f}")
        print(f"   accuracy by source: {result['accuracy_by_source']}")
        print(f"   {'sector':<22}{'precision':>10}{'recall':>8}{'f1':>7}{'n':>5}")
        for sector, row in result["per_sector"].items():
            figures = f"{row['precision']:>10.3f}{row['recall']:>8.3f}{row['f1']:>7.3f}{row['support']:>5}"
            print(f"   {sector:<22}{figures}")
    print(f"\ngold sector among the classifier's tags: {report['gold_among_tags']:.3f}")
    print(f"texts with more than one tag: {report['multi_tagged']:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=Path, default=HELDOUT_PATH, help="the labelled JSONL sample")
    parser.add_argument("--model-dir", type=Path, default=DEFAULT_MODEL_DIR, help="the sector model folder")
    parser.add_argument("--embedder-dir", type=Path, default=None, help="the embedder's model folder")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args()

    sample = read_sample(args.sample)
    texts = [chunk.text for chunk in sample]
    gold = [chunk.sector for chunk in sample]
    sources = [chunk.source for chunk in sample]
    classifier = SectorClassifier.load(args.model_dir)
    vectors = Embedder(model_dir=args.embedder_dir).embed_passages(texts)
    tags = classifier.classify(texts, embeddings=vectors)
    cue_tagger = LemmaCueTagger(UkrainianPipeline())
    predictions = {
        "classifier": [tag.primary for tag in tags],
        "descriptions only": description_only(classifier.model, vectors),
        "lemma cues": [cue_tagger.primary(text) for text in texts],
    }
    report = {
        "sample": len(sample),
        "sample_by_source": dict(sorted(Counter(sources).items())),
        "systems": {name: scores(gold, predicted, sources) for name, predicted in predictions.items()},
        "gold_among_tags": round(
            float(np.mean([g in tag.tags for g, tag in zip(gold, tags, strict=True)])), 3
        ),
        "multi_tagged": round(float(np.mean([len(tag.tags) > 1 for tag in tags])), 3),
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print_report(report)


if __name__ == "__main__":
    main()
