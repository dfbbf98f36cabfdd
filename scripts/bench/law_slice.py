"""A seeded random slice of the law corpus, whole acts, of about a given share of its text: for indexing runs that
must finish within a sitting (the whole corpus is some 50 million tokens, hours on two cores).

    .venv/bin/python -m scripts.bench.law_slice --share 0.25 --out /tmp/laws-25.jsonl.gz [--seed 2026] [--rest]

``--rest`` writes the other acts, so that a store indexed from both files holds the whole corpus.

Acts are drawn in a seeded random order until their provisions hold ``--share`` of the corpus's characters; they are
written in the corpus's own order, unchanged. Printed: acts and characters kept, of how many.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "data" / "legislation" / "ua-laws.jsonl.gz"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--share", type=float, required=True, help="share of the corpus's characters, 0–1")
    parser.add_argument("--out", type=Path, required=True, help="the .jsonl.gz to write")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--rest", action="store_true", help="write the acts that this share and seed leave out instead"
    )
    arguments = parser.parse_args()
    with gzip.open(arguments.corpus, "rt", encoding="utf-8") as corpus:
        lines = corpus.readlines()
    sizes = [_characters(json.loads(line)) for line in lines]
    order = list(range(len(lines)))
    random.Random(arguments.seed).shuffle(order)
    wanted, kept, total = arguments.share * sum(sizes), set(), 0
    for position in order:
        if total >= wanted:
            break
        kept.add(position)
        total += sizes[position]
    with gzip.open(arguments.out, "wt", encoding="utf-8") as out:
        out.writelines(line for position, line in enumerate(lines) if (position in kept) != arguments.rest)
    if arguments.rest:
        kept, total = set(range(len(lines))) - kept, sum(sizes) - total
    print(f"{len(kept):,} of {len(lines):,} acts, {total:,} of {sum(sizes):,} characters ({total / sum(sizes):.1%})")
    return 0


def _characters(act: dict) -> int:
    return sum(len(p.get("title") or "") + len(p.get("content") or "") for p in act.get("provisions", []))


if __name__ == "__main__":
    raise SystemExit(main())
