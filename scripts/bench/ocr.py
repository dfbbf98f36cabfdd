"""OCR benchmark: real pages of the UNLP 2026 sports PDFs rendered to images, recognised, compared with their text.

The sample is fixed: from each of the 11 PDFs, ``--pages`` pages (5) drawn with ``random.Random(--seed)`` among the
pages whose text layer is usable (at least 200 letters and digits: a page needs a truth to be scored). Each page's
own text layer is the truth. Truth and recognised text go through the same steps: hromada's normalisation of
that one page (NFC, look-alike letters, invisible characters, line-end hyphens joined or kept by the page's own
words), then every run of whitespace, line breaks included, becomes one space (line breaks and paragraph gaps
follow the layout, not the words). The character error rate is the Levenshtein distance between the two
divided by the truth's length, summed over pages; the word error rate the same over words; «≤3%» counts the
pages whose own CER meets the target, «found» is the share of the truth's words found in the recognised text in
any order (what lemma search sees, whatever the reading order of a table). Beside them, the
CER with typography folded («typo»): every dash and minus as «-», every quotation mark as «"», every apostrophe
as «'», and no space around a dash, as Tesseract writes «1-(4)» for the layer's «1 – (4)»; and the CER in any
order («any-ord», typography folded): the longest passages the two texts share are matched wherever they lie,
as the flexible character accuracy of Clausner et al. (2020) does (``any_order_edits``), so that it counts what
was misread or missed, not the order in which a table, a caption or a column was read. The text layer is in the
order its PDF draws it, which is not always the order of the page (a page of pictograms may draw its lower half
first). The target is judged on the strict CER; the other two say where its errors come from.

Every variant runs on the same pages in the same run, each changing one thing of hromada's default (300 dpi with
PDFium, ukr+rus+eng, page segmentation 3, the ruling lines of tables whitened before recognition, each cell of a
ruled table recognised on its own, pictures in it whitened, and the cells read row by row, a page of lines side by
side in three or more columns read again as one block, each dash measured on the page): the dashes as Tesseract
writes them («dashes-as-read»), the ruling lines kept, the table cells found but the page
recognised whole and its words regrouped by cell («tables-order»), tables read in Tesseract's own order
(«tables-page», hromada's default before the cells), the pictures in cells kept («cell-pictures-kept»), no second
reading of column pages («unruled-off»), the resolution (200, 400 dpi), the languages (ukr, ukr+rus), Tesseract's
page segmentation (4 one column, 6 one block), the renderer (poppler's pdftoppm), a scan-like copy of each page
(turned by up to 1°, blurred, speckled and saved as a JPEG, as a photocopier and a cheap scanner leave it), as it is
and binarised (Otsu), and each page turned by 90, 180 or 270 degrees, with and without Tesseract's orientation
detection («turned», «turned-no-osd»). The kept configuration is the clean variant with the lowest CER when it beats
the default by more than 0.2 points, else the default. Pages/s are for rendering and recognition on every core, with
the load average beside them.

    .venv/bin/python scripts/bench/ocr.py [--data ../shared/data/unlp2026-sport/pdf] [--pages 5] [--seed 2026]
                                          [--variants default dpi-200 ...] [--big-scan] [--json out.json]

``--big-scan`` also reads the longest PDF (173 pages) as a scan: every page rendered to a JPEG at 150 dpi and
put in an image-only PDF, read through ``read_file`` with OCR, timed, with the peak memory of this process
(Tesseract's own processes are not counted: a child's peak includes the parent's memory it was forked from). Needs ``pip install rapidfuzz`` (in the ``bench`` extra).
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from difflib import Match, SequenceMatcher
from pathlib import Path

import numpy as np
import pypdf
from PIL import Image, ImageFilter
from rapidfuzz.distance import Levenshtein

from indexing.normaliser import normalise
from indexing.ocr import OcrOptions
from indexing.ocr.page_images import ScannedPage
from indexing.ocr.pdf_pages import PdfPages
from indexing.ocr.recognition import recognise_pages
from indexing.ocr.tesseract import Tesseract
from indexing.readers import read_file
from indexing.readers.pdf_reader import USABLE_TEXT_CHARACTERS

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "unlp2026-sport" / "pdf"
TARGET_CER = 0.03
CLOSE_ENOUGH = 0.002
"""How much lower a variant's CER must be to replace the default (0.2 points)."""
SHORTEST_PASSAGE = 6
"""The shortest passage matched out of order by the order-free CER: shorter ones (a word, «1 – 2») recur by
chance."""
_SPACES = re.compile(r"\s+")
_DASHES = re.compile(r" ?[\u2010-\u2015\u2212-] ?")
_QUOTES = "«»“”„‟"
_APOSTROPHES = "’ʼ‘`´"
_TYPOGRAPHY = str.maketrans(_QUOTES + _APOSTROPHES, '"' * len(_QUOTES) + "'" * len(_APOSTROPHES))


@dataclass(frozen=True)
class SamplePage:
    pdf: Path
    number: int
    truth: str


@dataclass(frozen=True)
class Variant:
    """One way of turning a PDF page into text: how it is rendered, degraded, prepared, and Tesseract's options."""

    name: str
    options: OcrOptions
    renderer: str = "pdfium"
    scan_like: bool = False
    turned: bool = False
    """Each page turned by 90, 180 or 270 degrees, as a scanner's feeder or a phone leaves some pages."""
    binarise: bool = False
    clean: bool = True
    """Whether it competes for the kept configuration (scan-like copies are a robustness check)."""


@dataclass
class Score:
    variant: str
    pages: int
    seconds: float
    load: tuple[float, float]
    edits: int = 0
    reference: int = 0
    folded_edits: int = 0
    folded_reference: int = 0
    any_order_edits: int = 0
    word_edits: int = 0
    words: int = 0
    words_found: int = 0
    """Words of the truth found in the recognised text, in any order (a multiset intersection): what search sees."""
    page_cer: list[float] = field(default_factory=list)
    confidence: list[float] = field(default_factory=list)
    by_pdf: dict[str, list[int]] = field(default_factory=dict)

    @property
    def cer(self) -> float:
        return self.edits / self.reference

    @property
    def folded_cer(self) -> float:
        return self.folded_edits / self.folded_reference

    @property
    def any_order_cer(self) -> float:
        return self.any_order_edits / self.folded_reference

    @property
    def wer(self) -> float:
        return self.word_edits / self.words

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds


def variants() -> list[Variant]:
    base = OcrOptions()
    return [
        Variant("default", base),
        Variant("rules-kept", replace(base, remove_rules=False)),
        Variant("tables-order", replace(base, tables="order")),
        Variant("tables-page", replace(base, tables="page")),
        Variant("cell-pictures-kept", replace(base, remove_cell_pictures=False)),
        Variant("unruled-off", replace(base, unruled_tables=False)),
        Variant("dpi-200", replace(base, dpi=200)),
        Variant("dpi-400", replace(base, dpi=400)),
        Variant("lang-ukr", replace(base, languages="ukr")),
        Variant("lang-ukr+rus", replace(base, languages="ukr+rus")),
        Variant("dashes-as-read", replace(base, measure_dashes=False)),
        Variant("psm-4", replace(base, page_segmentation=4)),
        Variant("psm-6", replace(base, page_segmentation=6)),
        Variant("poppler", base, renderer="poppler"),
        Variant("scan-like", base, scan_like=True, clean=False),
        Variant("scan-like-dashes-as-read", replace(base, measure_dashes=False), scan_like=True, clean=False),
        Variant("turned", base, turned=True, clean=False),
        Variant("turned-no-osd", replace(base, detect_orientation=False), turned=True, clean=False),
        Variant("scan-like-binarised", base, scan_like=True, binarise=True, clean=False),
    ]


def usable(text: str) -> bool:
    return sum(char.isalnum() for char in text) >= USABLE_TEXT_CHARACTERS


def sample(folder: Path, per_pdf: int, seed: int) -> list[SamplePage]:
    chooser = random.Random(seed)
    pages = []
    for pdf in sorted(folder.glob("*.pdf")):
        texts = [page.extract_text() for page in pypdf.PdfReader(pdf).pages]
        candidates = [number for number, text in enumerate(texts, start=1) if usable(text)]
        for number in sorted(chooser.sample(candidates, min(per_pdf, len(candidates)))):
            pages.append(SamplePage(pdf, number, comparable(texts[number - 1])))
    return pages


def comparable(text: str) -> str:
    """One page's text as it is scored: hromada's normalisation, then all whitespace as single spaces."""
    return _SPACES.sub(" ", normalise([text]).text).strip()


def folded(text: str) -> str:
    """The text with typographic variants made one (see the module's docstring)."""
    return _DASHES.sub("-", text.translate(_TYPOGRAPHY))


def any_order_edits(truth: str, hypothesis: str) -> int:
    """The edits between two texts read in any order, after the flexible character accuracy of Clausner,
    Pletschacher and Antonacopoulos (2020): the longest passage the two have in common is cut out of both, again
    and again down to ``SHORTEST_PASSAGE`` characters, wherever it lies in each; what is left of each, its pieces
    joined by spaces in their order, is then compared by the Levenshtein distance."""
    truth_pieces, hypothesis_pieces = [truth], [hypothesis]
    while match := _longest_common_passage(truth_pieces, hypothesis_pieces):
        truth_index, hypothesis_index, found = match
        truth_piece, hypothesis_piece = truth_pieces.pop(truth_index), hypothesis_pieces.pop(hypothesis_index)
        truth_pieces += _around(truth_piece, found.a, found.size)
        hypothesis_pieces += _around(hypothesis_piece, found.b, found.size)
    return Levenshtein.distance(" ".join(truth_pieces), " ".join(hypothesis_pieces))


def _longest_common_passage(
    truth_pieces: list[str], hypothesis_pieces: list[str]
) -> tuple[int, int, Match] | None:
    """The longest passage, of at least ``SHORTEST_PASSAGE`` characters, in a piece of each list."""
    best: tuple[int, int, Match] | None = None
    for truth_index, truth_piece in enumerate(truth_pieces):
        for hypothesis_index, hypothesis_piece in enumerate(hypothesis_pieces):
            longest = best[2].size if best else SHORTEST_PASSAGE - 1
            if min(len(truth_piece), len(hypothesis_piece)) <= longest:
                continue
            matcher = SequenceMatcher(None, truth_piece, hypothesis_piece, autojunk=False)
            found = matcher.find_longest_match(0, len(truth_piece), 0, len(hypothesis_piece))
            if found.size > longest:
                best = (truth_index, hypothesis_index, found)
    return best


def _around(piece: str, start: int, size: int) -> list[str]:
    """What is left of ``piece`` once ``size`` characters from ``start`` are cut out."""
    return [part for part in (piece[:start], piece[start + size :]) if part]


def rendered(pages: list[SamplePage], variant: Variant, seed: int) -> Iterator[ScannedPage]:
    """The pages as the variant makes them, one at a time (PDFium in this thread, as it must be): rendered,
    made scan-like, binarised; the workers prepare them as hromada prepares every page (``page_image``)."""
    for page in pages:
        if variant.renderer == "poppler":
            picture = poppler_page(page, variant.options.dpi)
        else:
            with PdfPages(page.pdf.read_bytes()) as pdf:
                picture = pdf.render(page.number, variant.options.dpi).picture
        chooser = random.Random(f"{seed}:{page.pdf.name}:{page.number}")
        if variant.turned:
            picture = picture.rotate(chooser.choice([90, 180, 270]), expand=True)
        if variant.scan_like:
            picture = scan_like(picture, chooser)
        if variant.binarise:
            picture = binarised(picture)
        yield ScannedPage(picture, variant.options.dpi)


def poppler_page(page: SamplePage, dpi: int) -> Image.Image:
    command = ["pdftoppm", "-r", str(dpi), "-gray", "-f", str(page.number), "-l", str(page.number), page.pdf]
    return Image.open(io.BytesIO(subprocess.run(command, capture_output=True, check=True).stdout))


def scan_like(picture: Image.Image, chooser: random.Random) -> Image.Image:
    """The page as a cheap scan leaves it: turned a little, soft, speckled, JPEG-compressed."""
    picture = picture.rotate(
        chooser.uniform(-1.0, 1.0), resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255
    )
    picture = picture.filter(ImageFilter.GaussianBlur(0.8))
    pixels = np.asarray(picture, dtype=np.float32)
    noise = np.random.default_rng(chooser.randrange(2**32)).normal(0, 12, pixels.shape)
    picture = Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8))
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=60)
    return Image.open(buffer)


def binarised(picture: Image.Image) -> Image.Image:
    """Black and white at Otsu's threshold (the one that best separates the grey histogram's two modes)."""
    picture = picture.convert("L")
    histogram = np.bincount(np.asarray(picture).ravel(), minlength=256).astype(np.float64)
    levels = np.arange(256)
    weight = np.cumsum(histogram)
    mean = np.cumsum(histogram * levels)
    total, total_mean = weight[-1], mean[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (total_mean * weight - total * mean) ** 2 / (weight * (total - weight))
    threshold = int(np.nanargmax(between))
    return picture.point(lambda value: 255 if value > threshold else 0, mode="1")


def run(pages: list[SamplePage], variant: Variant, seed: int) -> Score:
    engine = Tesseract(variant.options)
    engine.version()
    started = time.perf_counter()
    results = recognise_pages(rendered(pages, variant, seed), engine, variant.options.worker_count)
    seconds = time.perf_counter() - started
    score = Score(variant.name, len(pages), seconds, os.getloadavg()[:2])
    for page, result in zip(pages, results, strict=True):
        hypothesis = comparable(result.text)
        edits = Levenshtein.distance(page.truth, hypothesis)
        word_edits = Levenshtein.distance(page.truth.split(), hypothesis.split())
        score.edits += edits
        score.reference += len(page.truth)
        score.folded_edits += Levenshtein.distance(folded(page.truth), folded(hypothesis))
        score.folded_reference += len(folded(page.truth))
        any_order = any_order_edits(folded(page.truth), folded(hypothesis))
        score.any_order_edits += any_order
        score.word_edits += word_edits
        score.words += len(page.truth.split())
        score.words_found += sum((Counter(page.truth.split()) & Counter(hypothesis.split())).values())
        score.page_cer.append(edits / len(page.truth))
        if result.confidence is not None:
            score.confidence.append(result.confidence)
        tally = score.by_pdf.setdefault(page.pdf.name, [0, 0, 0, 0])
        tally[0] += edits
        tally[1] += len(page.truth)
        tally[2] += any_order
        tally[3] += len(folded(page.truth))
    return score


def kept(scores: list[Score]) -> Score:
    """The clean variant with the lowest CER when it beats the default by more than ``CLOSE_ENOUGH``, else the
    default: pages/s move with the machine's load too much to break a tie."""
    clean = [score for score in scores if score.variant in CLEAN_VARIANTS]
    best = min(clean, key=lambda score: score.cer)
    default = next((score for score in clean if score.variant == "default"), None)
    return best if default is None or best.cer < default.cer - CLOSE_ENOUGH else default


def big_scan(folder: Path) -> dict[str, float]:
    """The longest PDF as an image-only scan, read with OCR: time and peak memory."""
    longest = max(folder.glob("*.pdf"), key=lambda pdf: len(pypdf.PdfReader(pdf).pages))
    with tempfile.TemporaryDirectory(prefix="hromada-ocr-bench-") as work:
        scan = Path(work) / "scan.pdf"
        writer = pypdf.PdfWriter()
        with PdfPages(longest.read_bytes()) as pdf:
            count = len(pypdf.PdfReader(longest).pages)
            for number in range(1, count + 1):
                page = pdf.render(number, 150).picture
                buffer = io.BytesIO()
                page.save(buffer, format="PDF", resolution=150)
                writer.add_page(pypdf.PdfReader(buffer).pages[0])
        with open(scan, "wb") as handle:
            writer.write(handle)
        size = scan.stat().st_size
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        [document] = read_file(scan)
        seconds = time.perf_counter() - started
    return {
        "pages": count,
        "file_mb": round(size / 1e6, 1),
        "seconds": round(seconds, 1),
        "pages_per_second": round(count / seconds, 3),
        "recognised_pages": len(document.metadata["ocr"]["pages"]),
        "peak_rss_mb_before": round(before / 1024),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load": os.getloadavg()[0],
    }


CLEAN_VARIANTS = {variant.name for variant in variants() if variant.clean}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--pages", type=int, default=5, help="pages drawn from each PDF")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--variants", nargs="*", help="run only these (default: all; no names: none, e.g. with --big-scan)"
    )
    parser.add_argument(
        "--big-scan", action="store_true", help="also read the longest PDF as a 173-page scan"
    )
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # pypdf's repairs of the Aspose PDFs
    pages = sample(args.data, args.pages, args.seed)
    print(
        f"{len(pages)} pages from {len({page.pdf for page in pages})} PDFs (seed {args.seed}); "
        f"{sum(len(page.truth) for page in pages):,} characters of truth; {os.cpu_count()} cores"
    )
    chosen = [variant for variant in variants() if args.variants is None or variant.name in args.variants]
    scores = []
    print(
        f"{'variant':22} {'CER':>7} {'typo':>7} {'any-ord':>7} {'WER':>7} {'median':>7} {'worst':>7} {'≤3%':>5} "
        f"{'found':>6} {'conf':>5} {'pages/s':>8}  load 1/5 min"
    )
    for variant in chosen:
        score = run(pages, variant, args.seed)
        scores.append(score)
        within = sum(cer <= TARGET_CER for cer in score.page_cer)
        print(
            f"{score.variant:22} {score.cer:7.2%} {score.folded_cer:7.2%} {score.any_order_cer:7.2%} {score.wer:7.2%} "
            f"{statistics.median(score.page_cer):7.2%} {max(score.page_cer):7.2%} {within:5d} "
            f"{score.words_found / score.words:6.1%} {statistics.mean(score.confidence):5.1f} "
            f"{score.pages_per_second:8.3f}  {score.load[0]:.2f} {score.load[1]:.2f}",
            flush=True,
        )
    figures: dict[str, object] = {"pages": len(pages), "seed": args.seed, "variants": {}}
    for score in scores:
        figures["variants"][score.variant] = {  # type: ignore[index]
            "cer": score.cer, "typography_folded_cer": score.folded_cer, "any_order_cer": score.any_order_cer, "wer": score.wer, "pages_per_second": score.pages_per_second, "load": score.load,
            "words_found": score.words_found / score.words,
            "by_pdf": {name: tally[0] / tally[1] for name, tally in score.by_pdf.items()},
            "by_pdf_any_order": {name: tally[2] / tally[3] for name, tally in score.by_pdf.items()},
            "pages": [{"pdf": page.pdf.name, "page": page.number, "cer": cer} for page, cer in zip(pages, score.page_cer, strict=True)],
        }  # fmt: skip
    status = 0
    if any(score.variant in CLEAN_VARIANTS for score in scores):
        best = kept(scores)
        print(
            f"\nkept: {best.variant} (CER {best.cer:.2%}, target ≤ {TARGET_CER:.0%}); "
            "per PDF, CER and any-order CER:"
        )
        for name, (edits, length, any_order, folded_length) in sorted(best.by_pdf.items()):
            print(
                f"  {name}  {edits / length:6.2%}  {any_order / folded_length:6.2%}  ({length:,} characters)"
            )
        worst = sorted(zip(best.page_cer, pages, strict=True), key=lambda pair: -pair[0])[:5]
        print(
            "  worst pages: "
            + ", ".join(f"{page.pdf.name[:8]} p.{page.number} {cer:.1%}" for cer, page in worst)
        )
        figures["kept"] = best.variant
        status = 0 if best.cer <= TARGET_CER else 1
    if args.big_scan:
        figures["big_scan"] = big_scan(args.data)
        print(f"\nbig scan: {json.dumps(figures['big_scan'])}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return status


if __name__ == "__main__":
    sys.exit(main())
