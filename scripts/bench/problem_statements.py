"""Which sentences state a problem: the trained detector against the cue rule on the hand-labelled held-aside set.

    .venv/bin/python -m scripts.bench.problem_statements [--heldout FILE] [--corpus DIR] [--store DIR] [--json]

The set is ``scripts/statement_data/heldout.tsv``: real sentences of transcripts (ParlaMint), proposal-like
strategy lines and analytical notes that training never saw, labelled by hand (see the README there). Both
systems judge every sentence in one run; reported: precision, recall and F1 on "problem" overall and per source,
and per field the share of sentences each system flags.

With ``--corpus`` (default: ``sample-corpus/``) it also indexes that folder into ``--store`` (kept, so a re-run
does not embed again) and times ``ProblemService.statements_from_chunks`` over all its chunks, the step that
``hromada cluster`` runs first, and extrapolates it to a 1,000-page archive of notes.
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

from indexing.store.problem_item import ProblemItem
from models.statement_model import StatementModel
from scripts.statement_data.build_heldout import HELDOUT_FILE
from service.hromada import Hromada
from service.problems.problem_statements import StatementDetector, sentence_spans, states_problem_by_cues
from service.settings import Settings

REPO = Path(__file__).resolve().parents[2]
DEFAULT_STORE = Path.home() / ".cache" / "hromada" / "bench-problem-statements-store"
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


def time_corpus(corpus: Path, store: Path, hromada_settings: Settings) -> dict[str, float | int]:
    """Index ``corpus`` (once) and time finding the statements of all its chunks."""
    hromada = Hromada(hromada_settings)
    hromada.index([corpus])
    chunks = list(hromada.store(with_model=True).iter_chunks())
    service = hromada.problem_service
    service.statement_detector.states_problem(["прогрів моделі"])
    judged = [c for c in chunks if c.kind not in ("appeal", "legislation")]
    sentences = sum(len(sentence_spans(c.text, hromada.pipeline)) for c in judged)
    characters = sum(len(c.text) for c in judged)
    started = time.perf_counter()
    items: list[ProblemItem] = service.statements_from_chunks(chunks)
    seconds = time.perf_counter() - started
    per_sentence = seconds / max(sentences, 1)
    archive_sentences = ARCHIVE_PAGES * CHARACTERS_PER_PAGE * sentences / max(characters, 1)
    hromada.close()
    return {
        "chunks": len(chunks),
        "judged_chunks": len(judged),
        "judged_sentences": sentences,
        "statements": len(items),
        "statements_from_legislation": sum(item.kind == "legislation" for item in items),
        "seconds": round(seconds, 2),
        "sentences_per_second": round(sentences / seconds, 1),
        "archive_pages": ARCHIVE_PAGES,
        "archive_sentences_estimated": round(archive_sentences),
        "archive_seconds_estimated": round(archive_sentences * per_sentence, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heldout", type=Path, default=HELDOUT_FILE)
    parser.add_argument("--corpus", type=Path, default=REPO / "sample-corpus", help="timed; 'none' skips")
    parser.add_argument("--store", type=Path, default=DEFAULT_STORE, help="where the timed corpus is indexed")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    settings = Settings(store=args.store)
    hromada = Hromada(settings)
    sentences = read_heldout(args.heldout)
    texts = [s.text for s in sentences]
    model = StatementModel.load()
    detector = StatementDetector(model, hromada.embedder, hromada.pipeline)
    systems = {
        "detector": detector.states_problem(texts),
        "cue rule": [states_problem_by_cues(text, hromada.pipeline) for text in texts],
    }
    report: dict[str, object] = {
        "heldout": str(args.heldout),
        "model": {"embedding_model": model.embedding_model, "prompt": model.prompt, "threshold": model.threshold},
        **evaluate(sentences, systems),
    }
    if str(args.corpus) != "none":
        report["timing"] = time_corpus(args.corpus, args.store, settings)
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
