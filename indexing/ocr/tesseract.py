"""Tesseract, called through its command line: is it installed with the languages asked for, and what a page says.

One process per page, each on one thread (``OMP_THREAD_LIMIT=1``): pages are recognised side by side on all
cores (``recognition.py``), which uses them better than Tesseract's own threads inside one page. The image
goes in on stdin as PNM and the words come out as TSV with their confidences, so no temporary files are made.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass

from indexing.ocr.options import OcrOptions
from models.errors import HromadaError

_PROGRAM_PACKAGE = "tesseract-ocr"
_WORD_LEVEL = "5"
_TSV_COLUMNS = 12
_STDERR_TAIL = 300


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
    """One page as an image for Tesseract: grey or black-and-white PNM bytes and the resolution, if known."""

    pnm: bytes
    dpi: int | None


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
        """The words on one page image."""
        command = [self.options.tesseract, "stdin", "stdout", "-l", self.options.languages]
        command += ["--psm", str(self.options.page_segmentation)]
        if image.dpi:
            command += ["--dpi", str(image.dpi)]
        try:
            result = subprocess.run(
                [*command, "tsv"],
                input=image.pnm,
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
        return page_from_tsv(result.stdout.decode("utf-8", "replace"))

    def _run(self, option: str) -> str:
        result = subprocess.run(
            [self.options.tesseract, option], capture_output=True, text=True, timeout=60, check=True
        )
        # Tesseract 4 printed its version on stderr.
        return result.stdout or result.stderr


def page_from_tsv(tsv: str) -> RecognisedPage:
    """Tesseract's TSV as text: words of a line joined by spaces, lines by line breaks, paragraphs by blank lines."""
    paragraphs: dict[tuple[str, str], dict[str, list[str]]] = {}
    confidences: list[float] = []
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) != _TSV_COLUMNS or cells[0] != _WORD_LEVEL or not cells[11].strip():
            continue
        _, _, block, paragraph, line, _, _, _, _, _, confidence, word = cells
        paragraphs.setdefault((block, paragraph), {}).setdefault(line, []).append(word.strip())
        if float(confidence) >= 0:
            confidences.append(float(confidence))
    text = "\n\n".join(
        "\n".join(" ".join(words) for words in lines.values()) for lines in paragraphs.values()
    )
    confidence = round(sum(confidences) / len(confidences), 1) if confidences else None
    return RecognisedPage(text=text, confidence=confidence)
