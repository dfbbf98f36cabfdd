"""Draw the held-aside sample of labelled chunks into ``heldout.jsonl`` (run once; the file is in the repo).

    .venv/bin/python -m scripts.sector_data.build_heldout [--data DIR]

From the held-aside groups (see ``labelled_chunks``) it keeps, with a fixed seed: up to
``APPEALS_PER_SECTOR`` appeals of each sector no longer than ``MAX_APPEAL_CHARS`` (one appeal is one chunk,
and short ones keep the file small), up to ``ARTICLES_PER_ACT`` articles of each held-aside act, and every
hand-labelled strategy item. Every drawn appeal was then read: the few whose text does not match its
category's sector are listed with the reason in ``heldout_review_drops.tsv`` and left out (after drawing, so
that the rest of the sample is unchanged).
"""

from __future__ import annotations

import argparse
import random
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from scripts.sector_data.labelled_chunks import (
    DEFAULT_DATA_DIR,
    RULES_DIR,
    LabelledChunk,
    held_aside_chunks,
    read_tsv,
)

HELDOUT_PATH = RULES_DIR / "heldout.jsonl"
APPEALS_PER_SECTOR = 25
MAX_APPEAL_CHARS = 700
ARTICLES_PER_ACT = 8
SEED = 20240501


def draw_sample(pool: Iterable[LabelledChunk], rng: random.Random) -> list[LabelledChunk]:
    """A sample of the pool, capped per appeal sector and per act, in a stable order."""
    strata: dict[tuple[str, str], list[LabelledChunk]] = defaultdict(list)
    for chunk in pool:
        if chunk.source == "kyiv1551" and len(chunk.text) <= MAX_APPEAL_CHARS:
            strata[("appeals", chunk.sector)].append(chunk)
        elif chunk.source == "legislation":
            strata[("act", chunk.group)].append(chunk)
        elif chunk.source == "strategies":
            strata[("strategies", "")].append(chunk)
    cap = {"appeals": APPEALS_PER_SECTOR, "act": ARTICLES_PER_ACT}
    sample: list[LabelledChunk] = []
    for (kind, _), chunks in sorted(strata.items()):
        limit = cap.get(kind, len(chunks))
        sample.extend(rng.sample(chunks, min(limit, len(chunks))))
    return sample


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="the shared data folder")
    args = parser.parse_args()
    dropped_on_review = {row["id"] for row in read_tsv("heldout_review_drops.tsv")}
    drawn = draw_sample(held_aside_chunks(args.data), random.Random(SEED))
    sample = [chunk for chunk in drawn if chunk.id not in dropped_on_review]
    HELDOUT_PATH.write_text("".join(chunk.to_json() + "\n" for chunk in sample), encoding="utf-8")
    print(f"{len(sample)} held-aside chunks written to {HELDOUT_PATH}")


if __name__ == "__main__":
    main()
