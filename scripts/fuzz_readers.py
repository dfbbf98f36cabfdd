"""Fuzz ``indexing.readers.read_file`` with mutated real files for a fixed time budget.

The seeds are real files of every format hromada reads (a 3-page PDF of the UNLP sports set, a law of the
legislation export, appeals as JSON Lines and CSV, a transcript in UTF-8, cp1251 and UTF-16, a Markdown
proposal, an HTML page, a DOCX, a gzipped JSON Lines file, and scans of the PDF's lines as a PNG, a JPEG and a
two-page TIFF, which go through Tesseract like any image). Hypothesis mutates them (flipped and inserted
bytes, cuts, repeated slices) and each mutant is read. A reader may refuse a file only with
``UnreadableFileError``; any other exception, and any read slower than ``--slow`` seconds, is a finding: it
is shrunk by Hypothesis, saved in ``--out`` and printed. Exits 1 when there are findings.

    .venv/bin/python scripts/fuzz_readers.py --seconds 300 [--out fuzz-findings] [--seed 6]
"""

from __future__ import annotations

import argparse
import gzip
import html
import io
import json
import logging
import re
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
from docx import Document
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from PIL import Image

from indexing.errors import UnreadableFileError
from indexing.readers import read_file

REPOSITORY = Path(__file__).resolve().parents[1]
SAMPLE = REPOSITORY / "sample-corpus"
FIXTURES = REPOSITORY / "tests" / "fixtures"
EXAMPLES_PER_ROUND = 200
MAX_BYTES = 5_000_000
BOUNDARY_REASON = re.compile(r"corrupt or unreadable file \((\w+):")
POSITIONS = 1_000_000
"""Mutation positions are fractions of the file, in millionths: one mutation fits files of any length."""


@dataclass(frozen=True)
class SeedFile:
    name: str
    data: bytes


@dataclass
class Tally:
    """Mutants read so far (Hypothesis decides how many of a round's examples it runs), and the library
    errors that ``read_file``'s last-resort boundary turned into «corrupt or unreadable file»."""

    reads: int = 0
    caught_at_boundary: Counter[str] = field(default_factory=Counter)


@dataclass
class Finding:
    seed: str
    error: str
    saved: Path


def seed_files() -> list[SeedFile]:
    transcript = (SAMPLE / "transcripts" / "dialog-osvita-poltava-2025.txt").read_text(encoding="utf-8")
    appeals = (SAMPLE / "appeals" / "appeals-2025.jsonl").read_text(encoding="utf-8")
    records = [json.loads(line) for line in appeals.splitlines() if line.strip()]
    csv_lines = ["id;text;date"] + [
        f"{r['id']};{r['text'].replace(';', ',')};{r.get('date', '')}" for r in records
    ]
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in transcript.splitlines())
    return [
        SeedFile("rules.pdf", (FIXTURES / "readers" / "sport-rules-3-pages.pdf").read_bytes()),
        SeedFile("law.json", (FIXTURES / "legislation" / "law-280-97-five-articles.json").read_bytes()),
        SeedFile("appeals.jsonl", appeals.encode("utf-8")),
        SeedFile("appeals.csv", "\n".join(csv_lines).encode("utf-8")),
        SeedFile("appeals.jsonl.gz", gzip.compress(appeals.encode("utf-8"), mtime=0)),
        SeedFile("transcript.txt", transcript.encode("utf-8")),
        SeedFile("transcript-cp1251.txt", transcript.encode("cp1251", errors="replace")),
        SeedFile("transcript-utf16.txt", transcript.encode("utf-16")),
        SeedFile("proposal.md", (SAMPLE / "proposals" / "proposal-vodohin.md").read_bytes()),
        SeedFile(
            "page.html", f"<html><head><title>Діалог</title></head><body>{paragraphs}</body></html>".encode()
        ),
        SeedFile("transcript.docx", _docx(transcript)),
        *_scans(FIXTURES / "readers" / "sport-rules-3-pages.pdf"),
    ]


def _scans(pdf: Path) -> list[SeedFile]:
    """A few lines of the PDF's first two pages as small scans: big enough to hold words, small enough that
    Tesseract reads a mutant in well under a second."""
    document = pdfium.PdfDocument(pdf)
    try:
        pages = [document[number].render(scale=150 / 72, grayscale=True).to_pil() for number in (0, 1)]
    finally:
        document.close()
    strips = [page.crop((100, 250, 1100, 550)) for page in pages]

    def saved(image: Image.Image, file_format: str, **options: object) -> bytes:
        buffer = io.BytesIO()
        image.save(buffer, format=file_format, **options)
        return buffer.getvalue()

    # The TIFF first: Pillow's JPEG writer leaves its settings on an image, which breaks a later TIFF save.
    tiff = saved(
        strips[0],
        "TIFF",
        save_all=True,
        append_images=[strips[1]],
        dpi=(150, 150),
        compression="tiff_deflate",
    )
    return [
        SeedFile("scan.tiff", tiff),
        SeedFile("scan.png", saved(strips[0], "PNG")),
        SeedFile("scan.jpg", saved(strips[1], "JPEG", quality=70)),
    ]


def _docx(text: str) -> bytes:
    document = Document()
    document.add_heading("Протокол засідання", level=1)
    for line in text.splitlines()[:40]:
        document.add_paragraph(line)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Питання", "Рішення"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


MUTATION = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, POSITIONS), st.integers(1, 255)),
    st.tuples(st.just("insert"), st.integers(0, POSITIONS), st.binary(min_size=1, max_size=64)),
    st.tuples(st.just("cut"), st.integers(0, POSITIONS), st.integers(0, POSITIONS)),
    st.tuples(st.just("repeat"), st.integers(0, POSITIONS), st.integers(1, 4096)),
)


def mutate(data: bytes, mutations: list[tuple[str, int, object]]) -> bytes:
    """Apply each mutation in turn; positions scale to the current length."""
    mutant = bytearray(data)
    for operation, position, argument in mutations:
        at = position * len(mutant) // (POSITIONS + 1)
        if operation == "flip" and mutant:
            mutant[at] ^= int(argument)  # type: ignore[call-overload]
        elif operation == "insert":
            mutant[at:at] = argument  # type: ignore[assignment]
        elif operation == "cut":
            end = at + int(argument) * (len(mutant) - at) // (POSITIONS + 1)  # type: ignore[call-overload]
            del mutant[at:end]
        elif operation == "repeat":
            mutant[at:at] = mutant[at : at + int(argument)]  # type: ignore[call-overload]
    return bytes(mutant[:MAX_BYTES])


class SlowReadError(Exception):
    """A read took longer than the budget for one file."""


def fuzz_round(
    seeds: list[SeedFile], round_seed: int, work: Path, deadline: float, slow_seconds: float, tally: Tally
) -> tuple[str, SeedFile, bytes] | None:
    """One Hypothesis run of up to ``EXAMPLES_PER_ROUND`` mutants; the shrunk failure, if any."""
    last_failure: dict[str, object] = {}

    @settings(
        max_examples=EXAMPLES_PER_ROUND,
        deadline=None,
        database=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @seed(round_seed)
    @given(number=st.integers(0, len(seeds) - 1), mutations=st.lists(MUTATION, min_size=1, max_size=6))
    def read_mutant(number: int, mutations: list[tuple[str, int, object]]) -> None:
        if time.monotonic() > deadline and not last_failure:
            return
        original = seeds[number]
        data = mutate(original.data, mutations)
        tally.reads += 1
        path = work / original.name
        path.write_bytes(data)
        started = time.monotonic()
        try:
            read_file(path, original.name, MAX_BYTES)
        except UnreadableFileError as error:
            unexpected = BOUNDARY_REASON.match(error.reason)
            if unexpected:
                tally.caught_at_boundary[f"{original.name}: {unexpected.group(1)}"] += 1
        except Exception:
            last_failure.update(seed=original, data=data)
            raise
        if time.monotonic() - started > slow_seconds:
            last_failure.update(seed=original, data=data)
            raise SlowReadError(f"reading took {time.monotonic() - started:.1f} s")

    try:
        read_mutant()
    except Exception:
        error = traceback.format_exc(limit=-4)
        return error, last_failure["seed"], last_failure["data"]  # type: ignore[return-value]
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="the time budget")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--slow", type=float, default=20.0, help="seconds after which a read is a finding")
    parser.add_argument("--out", type=Path, default=Path("fuzz-findings"), help="where failing files go")
    args = parser.parse_args()
    # Readers and pypdf log every repair they make («places are not valid UTF-8», «Advanced encoding ...
    # not implemented»): thousands of lines of noise here, where only exceptions count.
    logging.disable(logging.CRITICAL)
    seeds = seed_files()
    deadline = time.monotonic() + args.seconds
    findings: list[Finding] = []
    rounds = 0
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="hromada-fuzz-") as work:
        while time.monotonic() < deadline:
            failure = fuzz_round(seeds, args.seed * 10_000 + rounds, Path(work), deadline, args.slow, tally)
            rounds += 1
            if failure is None:
                continue
            error, original, data = failure
            args.out.mkdir(parents=True, exist_ok=True)
            saved = args.out / f"finding-{len(findings) + 1}-{original.name}"
            saved.write_bytes(data)
            findings.append(Finding(original.name, error, saved))
            print(f"FINDING in {original.name}, saved as {saved}:\n{error}", flush=True)
    print(
        f"fuzzed read_file for {args.seconds:.0f} s: {tally.reads} mutants of {len(seeds)} seed files "
        f"in {rounds} rounds; findings: {len(findings)}"
    )
    for error, count in tally.caught_at_boundary.most_common():
        print(f"  handled only by read_file's last-resort boundary: {error} × {count}")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
