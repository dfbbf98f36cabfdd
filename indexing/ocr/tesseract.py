"""Tesseract, called through its command line: is it installed with the languages asked for, and what a page says.

One process per page, each on one thread (``OMP_THREAD_LIMIT=1``): pages are recognised side by side on all
cores (``recognition.py``), which uses them better than Tesseract's own threads inside one page. The image
goes in on stdin as PNM and the words come out as TSV with their confidences, so no temporary files are made.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image

from indexing.ocr.dashes import has_dash, measured_dashes
from indexing.ocr.options import OcrOptions
from indexing.ocr.tables import Box, Cell, Word, reading_order, side_by_side_share
from models.errors import HromadaError

_PROGRAM_PACKAGE = "tesseract-ocr"
_WORD_LEVEL = "5"
_TSV_COLUMNS = 12
_STDERR_TAIL = 300
_CELL_SEGMENTATION = 6
"""Tesseract's ``--psm`` for a table cell, or a table without ruling lines: one uniform block of text."""
_ROTATE = re.compile(r"^Rotate: (\d+)", re.MULTILINE)
_ORIENTATION_CONFIDENCE = re.compile(r"^Orientation confidence: ([\d.]+)", re.MULTILINE)
_SURE_ORIENTATION = 5.0
"""Tesseract's orientation confidence above which its guess is acted on: a page of text scores 40 or so."""
_GRID_SHARE = 0.5
"""A page with at least this share of its words on lines standing beside two others is read again as a block."""


class OcrUnavailableError(HromadaError):
    """Tesseract or one of its language packs is not installed; ``packages`` names what to install."""

    def __init__(self, packages: list[str], detail: str) -> None:
        super().__init__(f"install {' '.join(packages)} ({detail})")
        self.packages = packages
        self.detail = detail


class OcrFailedError(HromadaError):
    """Tesseract ran but could not recognise an image (it failed or took too long)."""


@dataclass(frozen=True)
class RecognisedPage:
    """The text Tesseract found on one page, lines and paragraphs kept, and its mean word confidence."""

    text: str
    confidence: float | None
    """Mean confidence of the page's words, 0–100; None when it found no words."""


@dataclass(frozen=True)
class PageImage:
    """One page as an image for Tesseract: grey or black-and-white PNM bytes, the resolution if known, and the
    table cells drawn on it (their words are read cell by cell)."""

    pnm: bytes
    dpi: int | None
    cells: tuple[Cell, ...] = ()
    cell_tiff: bytes | None = None
    """The cells as the pages of a TIFF, in the order of ``cells``, when each is read on its own; the page's
    own image then has them blank."""


class Tesseract:
    """The Tesseract program named in the options, with their languages and page segmentation."""

    def __init__(self, options: OcrOptions) -> None:
        self.options = options
        self._environment = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def version(self) -> str:
        """«tesseract 5.3.0», after checking that the program and every language asked for are installed.

        Raises ``OcrUnavailableError`` naming the Debian packages that are missing.
        """
        languages = self.options.languages.split("+")
        language_packages = [f"{_PROGRAM_PACKAGE}-{code.lower().replace('_', '-')}" for code in languages]
        try:
            version = self._run("--version").splitlines()[0].strip()
            installed = set(self._run("--list-langs").splitlines()[1:])
        except (OSError, subprocess.SubprocessError) as error:
            raise OcrUnavailableError(
                [_PROGRAM_PACKAGE, *language_packages],
                f"the Tesseract program {self.options.tesseract!r} cannot be run: {error}",
            ) from error
        missing = [
            package
            for code, package in zip(languages, language_packages, strict=True)
            if code not in installed
        ]
        if missing:
            raise OcrUnavailableError(missing, f"Tesseract has no language data for {self.options.languages}")
        return version

    def recognise(self, image: PageImage) -> RecognisedPage:
        """The words on one page image, those of its table cells read cell by cell when it carries them."""
        words = self._dashes_measured(self._page_words(image), image.pnm)
        if image.cell_tiff is None:
            return page_from_words(words, image.cells)
        # Each cell is a page of the TIFF, read as one block of text: Tesseract's layout analysis drops a cell
        # holding a lone «8» as noise.
        cell_words = words_from_tsv(self._tsv(image.cell_tiff, _CELL_SEGMENTATION, image.dpi))
        cell_words = self._dashes_measured(cell_words, image.cell_tiff)
        by_cell: dict[Cell, list[TsvWord]] = {cell: [] for cell in image.cells}
        for word in cell_words:
            by_cell[image.cells[word.page - 1]].append(word)
        return page_from_words(words, image.cells, by_cell)

    def clockwise_turn(self, pnm: bytes, dpi: int | None) -> int:
        """How far the page must be turned clockwise to stand upright, 0, 90, 180 or 270 degrees, as Tesseract's
        orientation detection (``--psm 0``) guesses it; 0 when it is unsure or cannot tell (too few letters, or
        no ``osd`` data installed)."""
        command = [self.options.tesseract, "stdin", "stdout", "--psm", "0"]
        if dpi:
            command += ["--dpi", str(dpi)]
        try:
            result = subprocess.run(
                command,
                input=pnm,
                capture_output=True,
                env=self._environment,
                timeout=self.options.page_timeout,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return 0
        report = result.stdout.decode("utf-8", "replace")
        turn, confidence = _ROTATE.search(report), _ORIENTATION_CONFIDENCE.search(report)
        if result.returncode != 0 or not turn or not confidence:
            return 0
        return int(turn[1]) % 360 if float(confidence[1]) >= _SURE_ORIENTATION else 0

    def _page_words(self, image: PageImage) -> list[TsvWord]:
        """The words of the page's own image. A page whose lines stand side by side in several columns is read
        again as one block of text, and that reading kept if Tesseract is surer of it: its layout analysis cuts a
        table without ruling lines into columns, and reads each column down, badly aligned; pictures with
        captions, which look the same, read worse as one block, and Tesseract says so."""
        words = words_from_tsv(self._tsv(image.pnm, self.options.page_segmentation, image.dpi))
        if not (self.options.unruled_tables and side_by_side_share(_words(words)) >= _GRID_SHARE):
            return words
        as_block = words_from_tsv(self._tsv(image.pnm, _CELL_SEGMENTATION, image.dpi))
        surer = (_mean_confidence(as_block) or 0.0) > (_mean_confidence(words) or 0.0)
        return as_block if surer else words

    def _dashes_measured(self, words: list[TsvWord], image: bytes) -> list[TsvWord]:
        """The words with their dashes measured on the image they were read from (``dashes.measured_dashes``),
        each page of a TIFF on its own; the image is decoded only when a word holds a dash."""
        pages = sorted({word.page for word in words if has_dash(word.word.text)})
        if not self.options.measure_dashes or not pages:
            return words
        measured = list(words)
        with Image.open(io.BytesIO(image)) as picture:
            for page in pages:
                indices = [index for index, word in enumerate(words) if word.page == page]
                picture.seek(page - 1)
                grey = np.asarray(picture.convert("L"))
                for index, word in zip(
                    indices, measured_dashes([words[i].word for i in indices], grey), strict=True
                ):
                    measured[index] = replace(words[index], word=word)
        return measured

    def _tsv(self, image: bytes, page_segmentation: int, dpi: int | None) -> str:
        """Tesseract's TSV of an image (PNM, or a TIFF of several pages) given on stdin."""
        command = [self.options.tesseract, "stdin", "stdout", "-l", self.options.languages]
        command += ["--psm", str(page_segmentation)]
        if dpi:
            command += ["--dpi", str(dpi)]
        try:
            result = subprocess.run(
                [*command, "tsv"],
                input=image,
                capture_output=True,
                env=self._environment,
                timeout=self.options.page_timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise OcrFailedError(
                f"Tesseract took over {self.options.page_timeout:.0f} s on a page"
            ) from error
        except OSError as error:
            raise OcrFailedError(f"Tesseract cannot be run: {error}") from error
        if result.returncode != 0:
            message = result.stderr.decode("utf-8", "replace").strip()[-_STDERR_TAIL:]
            raise OcrFailedError(f"Tesseract failed (exit status {result.returncode}): {message}")
        return result.stdout.decode("utf-8", "replace")

    def _run(self, option: str) -> str:
        result = subprocess.run(
            [self.options.tesseract, option], capture_output=True, text=True, timeout=60, check=True
        )
        # Tesseract 4 printed its version on stderr.
        return result.stdout or result.stderr


@dataclass(frozen=True)
class TsvWord:
    """A word of Tesseract's TSV: the page (of a multi-page TIFF) it is on, the word, and its confidence."""

    page: int
    word: Word
    confidence: float


def words_from_tsv(tsv: str) -> list[TsvWord]:
    """The words of Tesseract's TSV, in its order."""
    words = []
    for row in tsv.splitlines()[1:]:
        columns = row.split("\t")
        if len(columns) != _TSV_COLUMNS or columns[0] != _WORD_LEVEL or not columns[11].strip():
            continue
        _, page, block, paragraph, line, _, left, top, width, height, confidence, text = columns
        box = Box(int(left), int(top), int(left) + int(width), int(top) + int(height))
        word = Word((int(block), int(paragraph), int(line)), text.strip(), box)
        words.append(TsvWord(int(page), word, float(confidence)))
    return words


def _words(words: list[TsvWord]) -> list[Word]:
    return [word.word for word in words]


def _mean_confidence(words: list[TsvWord]) -> float | None:
    confidences = [word.confidence for word in words if word.confidence >= 0]
    return round(sum(confidences) / len(confidences), 1) if confidences else None


def page_from_tsv(tsv: str) -> RecognisedPage:
    """Tesseract's TSV of a page without tables as text (see ``page_from_words``)."""
    return page_from_words(words_from_tsv(tsv))


def page_from_words(
    words: list[TsvWord],
    cells: Sequence[Cell] = (),
    cell_words: Mapping[Cell, list[TsvWord]] | None = None,
) -> RecognisedPage:
    """A page's text: words of a line joined by spaces, lines by line breaks, paragraphs (and table cells) by blank
    lines, in reading order (``tables.reading_order``), with the mean confidence of its words."""
    every = words + [word for found in (cell_words or {}).values() for word in found]
    if cell_words is None:
        paragraphs = reading_order(_words(words), cells)
    else:
        read = {cell: _words(found) for cell, found in cell_words.items()}
        paragraphs = reading_order(_words(words), cells, read)
    text = "\n\n".join("\n".join(" ".join(line) for line in lines) for lines in paragraphs)
    return RecognisedPage(text=text, confidence=_mean_confidence(every))
