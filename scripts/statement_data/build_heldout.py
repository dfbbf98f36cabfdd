"""Draw the sentences of the hand-labelled held-aside set, keeping the labels already written by hand.

    .venv/bin/python -m scripts.statement_data.build_heldout [--data DIR]

Draws, with a fixed seed, from groups training never sees: every sentence of the three held-aside ParlaMint
utterances, and from the held-aside hromadas' strategies up to ``PER_FIELD`` lines of each field plus every
sentence of their notes on inter-municipal cooperation ("MSSAgreements"). Writes ``heldout.tsv``; a sentence
already there keeps its hand label, a new one gets an empty label to be filled in by reading it.
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

from models.ukrainian_pipeline import UkrainianPipeline
from scripts.statement_data.labelled_sentences import (
    DATA_DIR,
    DEFAULT_DATA_DIR,
    LabelledSentence,
    hromada_code,
    is_held_aside_hromada,
    parlamint_sentences,
    sentences_of,
    strategy_sentences,
    strategy_table,
)

HELDOUT_FILE = DATA_DIR / "heldout.tsv"
COLUMNS = ("id", "source", "group", "field", "label", "text")
PER_FIELD = {"Challenges": 90, "Goals": 55, "Projects": 55, "Strengths": 45}
NOTE_FIELD = "MSSAgreements"
SEED = 11


def note_sentences(data_dir: Path, pipeline: UkrainianPipeline) -> list[LabelledSentence]:
    """Sentences of the held-aside hromadas' analytical notes on cooperation with other hromadas."""
    return [
        LabelledSentence(
            id=f"{hromada_code(hromada)}:{NOTE_FIELD}:{number}",
            source="strategies",
            group=hromada_code(hromada),
            text=sentence,
            is_problem=False,
            rule=f"strategy {NOTE_FIELD}",
        )
        for hromada in strategy_table(data_dir)
        if is_held_aside_hromada(hromada)
        for number, sentence in enumerate(sentences_of(hromada.get(NOTE_FIELD) or "", pipeline))
    ]


def drawn_sentences(data_dir: Path, pipeline: UkrainianPipeline) -> list[LabelledSentence]:
    rng = random.Random(SEED)
    strategy = list(strategy_sentences(data_dir, pipeline, held_aside=True))
    drawn = list(parlamint_sentences(data_dir, pipeline, held_aside=True))
    for field, count in PER_FIELD.items():
        of_field = [s for s in strategy if s.rule == f"strategy {field}"]
        drawn.extend(rng.sample(of_field, min(count, len(of_field))))
    return drawn + note_sentences(data_dir, pipeline)


def read_labels(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as file:
        return {row["id"]: row["label"] for row in csv.DictReader(file, delimiter="\t")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="the shared data folder")
    args = parser.parse_args()
    labels = read_labels(HELDOUT_FILE)
    sentences = drawn_sentences(args.data, UkrainianPipeline())
    with HELDOUT_FILE.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, delimiter="\t", lineterminator="\n")
        writer.writerow(COLUMNS)
        for s in sentences:
            field = s.rule.removeprefix("strategy ").removeprefix("parlamint ")
            writer.writerow([s.id, s.source, s.group, field, labels.get(s.id, ""), " ".join(s.text.split())])
    print(f"{len(sentences)} sentences written to {HELDOUT_FILE}")


if __name__ == "__main__":
    main()
