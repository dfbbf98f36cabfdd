"""Real chunks of text with a sector label, from the data in ``../shared/data`` by the rules beside this file.

Three sources, each labelled by a hand-written table (see ``README.md`` in this folder):

- citizens' appeals to Kyiv's 1551 centre: the centre's own category, mapped to a sector in
  ``kyiv1551_categories.tsv``; one appeal is one chunk, as the indexer cuts appeals;
- articles of laws: the act (or, for the law on local self-government and the Constitution, the article)
  mapped to a sector in ``legislation_acts.tsv``; one article, cut at a line end near ``ARTICLE_CHUNK_CHARS``,
  is one chunk;
- projects from hromadas' development strategies: the topic tag in brackets after a project, mapped in
  ``strategy_project_tags.tsv``; the held-aside strategy items were labelled one by one by hand instead
  (``strategy_items_labelled.tsv``).

Every chunk carries a ``group`` (appeal id, act id, hromada code): the split between training and the
held-aside sample is made by group, so that no act and no hromada has chunks on both sides.
"""

from __future__ import annotations

import csv
import gzip
import html
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

RULES_DIR = Path(__file__).resolve().parent
DEFAULT_DATA_DIR = RULES_DIR.parents[2] / "shared" / "data"

ARTICLE_CHUNK_CHARS = 800
"""The legislation chunker splits long articles by part; the first parts up to this length stand for it."""
MIN_TEXT_CHARS = 40
APPEAL_HELD_ASIDE_MODULUS = 10
"""One appeal in ten (by a hash of its id) is held aside."""
HROMADA_HELD_ASIDE_MODULUS = 5
"""One hromada in five (by a hash of its KATOTTG code) is held aside; its items were labelled by hand."""
SKIPPED_SECTOR = "-"
"""The sector written in a rules table for something deliberately left out (a mixed article)."""


@dataclass(frozen=True)
class LabelledChunk:
    """A chunk of real text and the sector a documented rule gives it."""

    id: str
    source: str
    """``kyiv1551``, ``legislation`` or ``strategies``."""
    group: str
    """The unit kept whole on one side of the train / held-aside split."""
    text: str
    sector: str
    rule: str
    """What gave the label: the appeal category, the act and article, the project tag or ``hand``."""

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, line: str) -> LabelledChunk:
        return cls(**json.loads(line))


def read_tsv(name: str) -> list[dict[str, str]]:
    """The rows of one of the rules tables in this folder."""
    with (RULES_DIR / name).open(encoding="utf-8", newline="") as table:
        return list(csv.DictReader(table, delimiter="\t", quoting=csv.QUOTE_NONE))


def _hash_bucket(key: str, modulus: int) -> int:
    return zlib.crc32(key.encode("utf-8")) % modulus


def appeal_is_held_aside(appeal_id: str) -> bool:
    return _hash_bucket(appeal_id, APPEAL_HELD_ASIDE_MODULUS) == 0


def hromada_is_held_aside(katottg: str) -> bool:
    return _hash_bucket(katottg, HROMADA_HELD_ASIDE_MODULUS) == 0


# --- appeals ------------------------------------------------------------------------------------------------


def appeal_chunks(data_dir: Path = DEFAULT_DATA_DIR) -> Iterator[LabelledChunk]:
    """Every appeal whose category has a sector in ``kyiv1551_categories.tsv``, once per id."""
    sector_of_category = {row["category"]: row["sector"] for row in read_tsv("kyiv1551_categories.tsv")}
    seen: set[str] = set()
    with gzip.open(
        data_dir / "kyiv1551" / "requests-2013-04_2015-06.jsonl.gz", "rt", encoding="utf-8"
    ) as lines:
        for line in lines:
            appeal = json.loads(line)
            sector = sector_of_category.get(appeal["category"])
            # The scrape holds some appeals twice; html entities are undone as normalisation would.
            text = html.unescape(appeal["text"] or "").strip()
            if sector is None or appeal["id"] in seen or len(text) < MIN_TEXT_CHARS:
                continue
            seen.add(appeal["id"])
            yield LabelledChunk(
                id=f"kyiv1551:{appeal['id']}",
                source="kyiv1551",
                group=appeal["id"],
                text=text,
                sector=sector,
                rule=f"category: {appeal['category']}",
            )


# --- legislation --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActRule:
    """How the articles of one act are labelled: one sector for all, and per-article exceptions."""

    act_id: str
    held_aside: bool
    sector_for_all: str | None
    sector_by_article: dict[str, str]

    def sector_of(self, article: str) -> str | None:
        sector = self.sector_by_article.get(article, self.sector_for_all)
        return None if sector == SKIPPED_SECTOR else sector


def read_act_rules() -> dict[str, ActRule]:
    """The rules of ``legislation_acts.tsv`` by act id (``*`` in the article column means every article)."""
    rows_by_act: dict[str, list[dict[str, str]]] = {}
    for row in read_tsv("legislation_acts.tsv"):
        rows_by_act.setdefault(row["act_id"], []).append(row)
    return {
        act_id: ActRule(
            act_id=act_id,
            held_aside=rows[0]["split"] == "held_aside",
            sector_for_all=next((row["sector"] for row in rows if row["article"] == "*"), None),
            sector_by_article={row["article"]: row["sector"] for row in rows if row["article"] != "*"},
        )
        for act_id, rows in rows_by_act.items()
    }


def cut_at_line_end(text: str, limit: int) -> str:
    """``text`` up to the last line end before ``limit`` characters (cut at ``limit`` when there is none)."""
    if len(text) <= limit:
        return text
    line_end = text.rfind("\n", 0, limit)
    return text[: line_end if line_end > limit // 2 else limit].rstrip()


def article_chunks(data_dir: Path = DEFAULT_DATA_DIR) -> Iterator[LabelledChunk]:
    """The articles of the acts named in ``legislation_acts.tsv``, each labelled by its act's rule."""
    rules = read_act_rules()
    with gzip.open(data_dir / "legislation" / "ua-laws.jsonl.gz", "rt", encoding="utf-8") as lines:
        for line in lines:
            act = json.loads(line)
            rule = rules.get(act["id"])
            if rule is None:
                continue
            for provision in act["provisions"]:
                article = str(provision.get("section") or "")
                sector = rule.sector_of(article)
                content = (provision.get("content") or "").strip()
                if sector is None or len(content) < 2 * MIN_TEXT_CHARS:
                    continue
                text = cut_at_line_end(f"{provision['title']}\n{content}", ARTICLE_CHUNK_CHARS)
                yield LabelledChunk(
                    id=f"law:{act['id']}:{provision['provision_ref']}",
                    source="legislation",
                    group=act["id"],
                    text=text,
                    sector=sector,
                    rule=f"act: {act['id']} ст. {article}",
                )


# --- strategies ---------------------------------------------------------------------------------------------

PROJECT_TAG = re.compile(r"\[([^,\]]+)(?:,[^\]]*)?\]\s*$")
"""A project line ends with ``[topic, status]``, e.g. ``[Туризм, planned]``."""


def _normalised_tag(tag: str) -> str:
    return re.sub(r"\s*/\s*", " / ", tag.strip())


def strategies_path(data_dir: Path) -> Path:
    return data_dir / "hromada-strategies" / "data" / "releases" / "hromadas.json"


def project_chunks(data_dir: Path = DEFAULT_DATA_DIR) -> Iterator[LabelledChunk]:
    """Projects of hromadas that are not held aside, labelled by their topic tag."""
    sector_of_tag = {row["tag"]: row["sector"] for row in read_tsv("strategy_project_tags.tsv")}
    hromadas = json.loads(strategies_path(data_dir).read_text(encoding="utf-8"))
    for hromada in hromadas:
        code = hromada.get("Katottg") or hromada["Name"]
        if hromada_is_held_aside(code):
            continue
        for number, line in enumerate((hromada.get("Projects") or "").splitlines()):
            tag = PROJECT_TAG.search(line)
            sector = sector_of_tag.get(_normalised_tag(tag.group(1))) if tag else None
            if tag is None or sector is None:
                continue
            yield LabelledChunk(
                id=f"strategy:{code}:Projects:{number}",
                source="strategies",
                group=code,
                text=line[: tag.start()].strip(" -"),
                sector=sector,
                rule=f"project tag: {tag.group(1).strip()}",
            )


def hand_labelled_strategy_items() -> Iterator[LabelledChunk]:
    """The goals, projects and challenges of held-aside hromadas that were labelled one by one."""
    for row in read_tsv("strategy_items_labelled.tsv"):
        yield LabelledChunk(
            id=f"strategy:{row['katottg']}:{row['section']}:{row['line']}",
            source="strategies",
            group=row["katottg"],
            text=row["text"],
            sector=row["sector"],
            rule="hand",
        )


# --- the split ----------------------------------------------------------------------------------------------


def _held_aside_acts() -> set[str]:
    return {rule.act_id for rule in read_act_rules().values() if rule.held_aside}


def training_chunks(data_dir: Path = DEFAULT_DATA_DIR) -> Iterator[LabelledChunk]:
    """Every labelled chunk whose group is not held aside: what the classifier may learn from."""
    held_aside_acts = _held_aside_acts()
    yield from (chunk for chunk in appeal_chunks(data_dir) if not appeal_is_held_aside(chunk.group))
    yield from (chunk for chunk in article_chunks(data_dir) if chunk.group not in held_aside_acts)
    yield from project_chunks(data_dir)


def held_aside_chunks(data_dir: Path = DEFAULT_DATA_DIR) -> Iterator[LabelledChunk]:
    """Every labelled chunk of a held-aside group: the pool the evaluation sample is drawn from."""
    held_aside_acts = _held_aside_acts()
    yield from (chunk for chunk in appeal_chunks(data_dir) if appeal_is_held_aside(chunk.group))
    yield from (chunk for chunk in article_chunks(data_dir) if chunk.group in held_aside_acts)
    yield from hand_labelled_strategy_items()
