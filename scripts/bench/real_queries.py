"""Real, plain queries for the speed benchmarks: what residents write (the opening words of Kyiv 1551 appeals) and
what readers of rules ask (the UNLP sports questions)."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


def appeal_openings(every: int, words: int = 12) -> list[str]:
    """The first ``words`` words of every ``every``-th Kyiv 1551 appeal (openings under four words left out)."""
    openings = []
    with gzip.open(DATA / "kyiv1551" / "requests-2013-04_2015-06.jsonl.gz", "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if number % every == 0:
                opening = str(json.loads(line).get("text", "")).split()[:words]
                if len(opening) >= 4:
                    openings.append(" ".join(opening))
    return openings


def sports_questions() -> list[str]:
    """The 198 questions of the UNLP 2026 sports-rules benchmark."""
    with open(DATA / "unlp2026-sport" / "questions.csv", encoding="utf-8") as handle:
        return [row["Question"] for row in csv.DictReader(handle)]
