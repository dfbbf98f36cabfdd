"""Which sentences state a problem: the trained detector against the cue rule on the hand-labelled held-aside set.

    .venv/bin/python -m scripts.bench.problem_statements [--heldout FILE] [--corpus DIR] [--json]

The set is ``scripts/statement_data/heldout.tsv``: real sentences of transcripts (ParlaMint), proposal-like
strategy lines and analytical notes that training never saw, labelled by hand (see the README there). Both
systems judge every sentence in one run; reported: precision, recall and F1 on "problem" overall and per source,
and per field the share of sentences each system flags.

With ``--corpus`` (default: ``sample-corpus/``) it also times the detector over every sentence of that folder's
transcripts, proposals and notes (what ``hromada cluster`` does to their chunks before clustering) and
extrapolates it to a 1,000-page archive of notes at ``CHARACTERS_PER_PAGE``.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sklearn.metrics import precision_recall_fscore_support

from models.embedder import Embedder
from models.statement_model import StatementModel
from models.ukrainian_pipeline import UkrainianPipeline
from scripts.statement_data.build_heldout import HELDOUT_FILE
from service.problems.problem_statements import StatementDetector, sentence_spans, states_problem_by_cues

REPO = Path(__file__).resolve().parents[2]
JUDGED_FOLDERS = ("transcripts", "proposals", "notes")
"""The sample corpus's folders of documents whose sentences the detector judges."""
ARCHIVE_PAGES = 1000
CHARACTERS_PER_PAGE = 2500
"""A typed A4 page of Ukrainian prose (about 350 words); the estimate scales with it."""
SOURCE_OF_FIELD = {
    "procedural turn": "transcript (ParlaMint)",
    "Challenges": "proposal (strategy lines)",
    "Goals": "proposal (strategy lines)",
    "Projects": "proposal (strategy lines)",
    "Strengths": "proposal (strategy lines)",
    "MSSAgreements": "note (cooperation notes)",
}


@dataclass(frozen=True)
class HeldOutSentence:
    """One hand-labelled sentence of ``heldout.tsv``."""

    id: str
    field: str
    text: str
    is_problem: bool

    @property
    def source(self) -> str:
        return SOURCE_OF_FIELD[self.field]


def read_heldout(path: Path) -> list[HeldOutSentence]:
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file, delimiter="\t"))
    unlabelled = [row["id"] for row in rows if row["label"] not in ("problem", "other")]
    if unlabelled:
        raise ValueError(f"{path}: {len(unlabelled)} sentences have no label 'problem' or 'other', e.g. {unlabelled[0]}")
    return [HeldOutSentence(r["id"], r["field"], r["text"], r["label"] == "problem") for r in rows]


def scores(gold: Sequence[bool], predicted: Sequence[bool]) -> dict[str, float | int]:
    precision, recall, f1, _ = precision_recall_fscore_support(
        gold, predicted, average="binary", pos_label=True, zero_division=0
    )
    return {
        "precision": round(float(precision), 3),
        "recall": round(float(recall), 3),
        "f1": round(float(f1), 3),
        "sentences": len(gold),
        "problems": int(sum(gold)),
    }


def evaluate(sentences: Sequence[HeldOutSentence], systems: dict[str, list[bool]]) -> dict[str, object]:
    gold = [s.is_problem for s in sentences]
    by_source: dict[str, list[int]] = defaultdict(list)
    by_field: dict[str, list[int]] = defaultdict(list)
    for index, sentence in enumerate(sentences):
        by_source[sentence.source].append(index)
        by_field[sentence.field].append(index)
    result: dict[str, object] = {}
    for name, predicted in systems.items():
        result[name] = {
            "all": scores(gold, predicted),
            "by_source": {
                source: scores([gold[i] for i in rows], [predicted[i] for i in rows])
                for source, rows in sorted(by_source.items())
            },
            "flagged_share_by_field": {
                field: round(sum(predicted[i] for i in rows) / len(rows), 3)
                for field, rows in sorted(by_field.items())
            },
        }
    result["gold_problem_share_by_field"] = {
        field: round(sum(gold[i] for i in rows) / len(rows), 3) for field, rows in sorted(by_field.items())
    }
    return result


def time_corpus(corpus: Path, detector: StatementDetector, pipeline: UkrainianPipeline) -> dict[str, float | int]:
    """Time the detector over every sentence of the corpus's transcripts, proposals and notes."""
    files = sorted(
        path for path in corpus.rglob("*") if path.suffix in (".txt", ".md") and path.parent.name in JUDGED_FOLDERS
    )
    texts = [path.read_text(encoding="utf-8") for path in files]
    sentences = sum(len(sentence_spans(text, pipeline)) for text in texts)
    characters = sum(len(text) for text in texts)
    detector.states_problem(["Прогрів моделі перед виміром."])
    started = time.perf_counter()
    found = detector.find([(text, "note", None) for text in texts])
    seconds = time.perf_counter() - started
    archive_sentences = ARCHIVE_PAGES * CHARACTERS_PER_PAGE * sentences / max(characters, 1)
    return {
        "files": len(files),
        "characters": characters,
        "sentences": sentences,
        "statements": sum(len(of_file) for of_file in found),
        "seconds": round(seconds, 2),
        "sentences_per_second": round(sentences / seconds, 1),
        "archive_pages": ARCHIVE_PAGES,
        "archive_sentences_estimated": round(archive_sentences),
        "archive_seconds_estimated": round(archive_sentences * seconds / max(sentences, 1), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heldout", type=Path, default=HELDOUT_FILE)
    parser.add_argument("--corpus", type=Path, default=REPO / "sample-corpus", help="timed; 'none' skips")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    pipeline = UkrainianPipeline()
    sentences = read_heldout(args.heldout)
    texts = [s.text for s in sentences]
    model = StatementModel.load()
    detector = StatementDetector(model, Embedder(), pipeline)
    systems = {
        "detector": detector.states_problem(texts),
        "cue rule": [states_problem_by_cues(text, pipeline) for text in texts],
    }
    report: dict[str, object] = {
        "heldout": str(args.heldout),
        "model": {"embedding_model": model.embedding_model, "prompt": model.prompt, "threshold": model.threshold},
        **evaluate(sentences, systems),
    }
    if str(args.corpus) != "none":
        report["timing"] = time_corpus(args.corpus, detector, pipeline)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return
    print_report(report)


def print_report(report: dict[str, object]) -> None:
    print(f"held-aside set: {report['heldout']}; detector {report['model']}")
    print(f"{'system':10} {'source':30} {'P':>6} {'R':>6} {'F1':>6} {'n':>5} {'problems':>8}")
    for name in ("detector", "cue rule"):
        figures = report[name]
        rows = [("all", figures["all"]), *figures["by_source"].items()]
        for source, s in rows:
            print(
                f"{name:10} {source:30} {s['precision']:6.3f} {s['recall']:6.3f} {s['f1']:6.3f} "
                f"{s['sentences']:5d} {s['problems']:8d}"
            )
    print("share flagged by field (gold / detector / cue rule):")
    for field, gold in report["gold_problem_share_by_field"].items():
        detector = report["detector"]["flagged_share_by_field"][field]
        cues = report["cue rule"]["flagged_share_by_field"][field]
        print(f"  {field:16} {gold:5.2f} / {detector:5.2f} / {cues:5.2f}")
    if "timing" in report:
        print(f"timing: {report['timing']}")


if __name__ == "__main__":
    main()
