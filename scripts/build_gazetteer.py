"""Derive ``indexing/places/gazetteer.json`` from the hromada-strategies release (CC BY 4.0).

Keeps only what the gazetteer needs: each hromada's name under its oblast and raion. The few records without
an oblast get it from their KATOTTG code, whose first four characters name the oblast.

    python scripts/build_gazetteer.py ../shared/data/hromada-strategies/data/releases/hromadas.json
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

OUTPUT = Path(__file__).resolve().parents[1] / "indexing/places/gazetteer.json"
SOURCE = "MaxSemenchuk/hromada-strategy-collab, data/releases/hromadas.json (CC BY 4.0)"


def _oblast(name: str) -> str:
    name = " ".join(name.split())
    return name if name.endswith(" область") else f"{name} область"


def _raion(name: str | None) -> str:
    if not name:
        return ""
    # One record reads «Чернігівський район (до 2020 р. — Козелецький район)»: the note is not the name.
    name = " ".join(re.sub(r"\(.*?\)", "", name).split())
    return name if name.endswith(" район") else f"{name} район"


def build(records: list[dict]) -> dict:
    by_code: dict[str, Counter[str]] = defaultdict(Counter)
    for record in records:
        if record.get("Oblast") and record.get("Katottg"):
            by_code[record["Katottg"][:4]][_oblast(record["Oblast"])] += 1
    oblasts: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for record in records:
        oblast = record.get("Oblast")
        if oblast:
            oblast = _oblast(oblast)
        elif (record.get("Katottg") or "")[:4] in by_code:
            oblast = by_code[record["Katottg"][:4]].most_common(1)[0][0]
        else:
            continue
        oblasts[oblast][_raion(record.get("Rayon"))].add(" ".join(record["Name"].split()))
    return {
        "source": SOURCE,
        "oblasts": {
            oblast: {raion: sorted(names) for raion, names in sorted(raions.items())}
            for oblast, raions in sorted(oblasts.items())
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("hromadas", type=Path, help="hromadas.json of the hromada-strategies release")
    args = parser.parse_args()
    gazetteer = build(json.loads(args.hromadas.read_text(encoding="utf-8")))
    OUTPUT.write_text(json.dumps(gazetteer, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    count = sum(len(names) for raions in gazetteer["oblasts"].values() for names in raions.values())
    print(f"{OUTPUT}: {len(gazetteer['oblasts'])} oblasts, {count} hromadas")


if __name__ == "__main__":
    main()
