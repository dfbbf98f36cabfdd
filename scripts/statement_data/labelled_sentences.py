"""Real sentences from ``../shared/data``, labelled as problem statements or not by their source.

Sentences are cut the way the product cuts a transcript turn, a proposal section or a note
(``service.problems.problem_statements.sentence_spans``), so that training matches inference:

- problem statements: sentences of Kyiv 1551 appeals (a citizen stating a fault, a lack or a need), and the
  "Challenges" lines of hromadas' development strategies;
- not problem statements: sentences of law provisions, the "Goals", "Projects" and "Strengths" lines of the
  strategies, and the sentences of the ParlaMint chair's procedural and courtesy turn.

Every sentence carries a ``group`` (appeal id, act id, hromada code, utterance id). Groups held aside for the
hand-labelled set (``heldout.tsv``) never reach training: one hromada in five by a hash of its KATOTTG code
(the same hromadas that ``scripts/sector_data`` holds aside) and every ParlaMint utterance but the first.
"""

from __future__ import annotations

import gzip
import html
import json
import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from service.problems.problem_statements import SentencePipeline, sentence_spans

DATA_DIR = Path(__file__).resolve().parent
DEFAULT_DATA_DIR = DATA_DIR.parents[2] / "shared" / "data"

HROMADA_HELD_ASIDE_MODULUS = 5
TRAINING_UTTERANCES = frozenset({"ParlaMint-UA_2016-01-26-m1.u1"})
"""The chair's opening turn (procedure, announcements, courtesy); the other three utterances are held aside."""
PROBLEM_FIELDS = ("Challenges",)
OTHER_FIELDS = ("Goals", "Projects", "Strengths")
MIN_SENTENCE_CHARS = 12
MAX_SENTENCES_PER_APPEAL = 2
SENTENCES_PER_ACT = 30


@dataclass(frozen=True)
class LabelledSentence:
    """One real sentence and whether its source makes it a problem statement."""

    id: str
    source: str
    """``kyiv1551``, ``legislation``, ``strategies`` or ``parlamint``."""
    group: str
    """The unit kept whole on one side of the training / held-aside split."""
    text: str
    is_problem: bool
    rule: str
    """What gave the label: the source and, for strategies, the field."""


def hromada_code(hromada: dict) -> str:
    return hromada.get("Katottg") or hromada["Name"]


def is_held_aside_hromada(hromada: dict) -> bool:
    return zlib.crc32(hromada_code(hromada).encode("utf-8")) % HROMADA_HELD_ASIDE_MODULUS == 0


def sentences_of(text: str, pipeline: SentencePipeline) -> list[str]:
    return [
        text[start:end]
        for start, end in sentence_spans(text, pipeline)
        if len(text[start:end]) >= MIN_SENTENCE_CHARS
    ]


def strategy_table(data_dir: Path) -> list[dict]:
    """The hromadas and the fields extracted from their development strategies."""
    path = data_dir / "hromada-strategies" / "data" / "releases" / "hromadas.json"
    return json.loads(path.read_text(encoding="utf-8"))


def strategy_sentences(
    data_dir: Path, pipeline: SentencePipeline, held_aside: bool
) -> Iterator[LabelledSentence]:
    """Lines of the strategies' fields, of the training hromadas or of the held-aside ones."""
    for hromada in strategy_table(data_dir):
        if is_held_aside_hromada(hromada) != held_aside:
            continue
        code = hromada_code(hromada)
        for field in PROBLEM_FIELDS + OTHER_FIELDS:
            for number, sentence in enumerate(sentences_of(hromada.get(field) or "", pipeline)):
                yield LabelledSentence(
                    id=f"{code}:{field}:{number}",
                    source="strategies",
                    group=code,
                    text=sentence,
                    is_problem=field in PROBLEM_FIELDS,
                    rule=f"strategy {field}",
                )


def parlamint_sentences(
    data_dir: Path, pipeline: SentencePipeline, held_aside: bool
) -> Iterator[LabelledSentence]:
    """Sentences of the ParlaMint sample's utterances (procedure and courtesy in the training one)."""
    path = data_dir / "parlamint-ua-sample" / "ParlaMint-UA_2016-01-26-m1.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        utterance, _, text = line.partition("\t")
        if (utterance not in TRAINING_UTTERANCES) != held_aside:
            continue
        for number, sentence in enumerate(sentences_of(text, pipeline)):
            yield LabelledSentence(
                id=f"{utterance}:{number}",
                source="parlamint",
                group=utterance,
                text=sentence,
                is_problem=False,
                rule="parlamint procedural turn",
            )


def appeal_sentences(
    data_dir: Path, pipeline: SentencePipeline, limit: int, rng: random.Random
) -> list[LabelledSentence]:
    """Up to ``MAX_SENTENCES_PER_APPEAL`` sentences of each of ``limit`` appeals drawn at random."""
    path = data_dir / "kyiv1551" / "requests-2013-04_2015-06.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        appeals = [json.loads(line) for line in lines]
    drawn = rng.sample(appeals, limit)
    sentences = []
    for appeal in drawn:
        text = html.unescape(appeal["text"])
        for number, sentence in enumerate(sentences_of(text, pipeline)[:MAX_SENTENCES_PER_APPEAL]):
            sentences.append(
                LabelledSentence(
                    id=f"{appeal['id']}:{number}",
                    source="kyiv1551",
                    group=appeal["id"],
                    text=sentence,
                    is_problem=True,
                    rule="kyiv1551 appeal",
                )
            )
    return sentences


def law_sentences(data_dir: Path, pipeline: SentencePipeline, rng: random.Random) -> list[LabelledSentence]:
    """``SENTENCES_PER_ACT`` sentences drawn from the provisions of each key law on local self-government."""
    sentences = []
    for path in sorted((data_dir / "legislation" / "key-laws").glob("*.json")):
        act = json.loads(path.read_text(encoding="utf-8"))
        of_act = [
            LabelledSentence(
                id=f"{act['id']}:{provision.get('provision_ref')}:{number}",
                source="legislation",
                group=act["id"],
                text=sentence,
                is_problem=False,
                rule="law provision",
            )
            for provision in act.get("provisions", [])
            for number, sentence in enumerate(sentences_of(provision.get("content") or "", pipeline))
        ]
        sentences.extend(rng.sample(of_act, min(len(of_act), SENTENCES_PER_ACT)))
    return sentences
