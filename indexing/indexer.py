"""From files to the store: read → normalise → detect kind → chunk → lemmatise → embed → write.

Each file is written in its own atomic commits, so a bad file or a crash costs nothing already indexed.
A file holding many documents (a JSONL of 8,000 acts) is written in batches; an interrupted run resumes
with the records still missing instead of starting again.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from tqdm import tqdm

from indexing.chunk_context import chunk_in_context
from indexing.chunkers import chunk_document
from indexing.document import KINDS, ParsedDocument
from indexing.errors import InvalidOptionError, UnreadableFileError
from indexing.kind_detector import detect_kind
from indexing.normaliser import normalise
from indexing.ocr import OcrOptions
from indexing.places import Gazetteer, place_metadata
from indexing.readers import iter_source_files, read_file
from indexing.store import NewChunk, NewDocument, Store
from indexing.title_finder import find_title
from models.language_detector import detect_language
from models.sector_classifier import SectorClassifier
from models.ukrainian_pipeline import UkrainianPipeline

if TYPE_CHECKING:
    from models.passage_embedder import PassageEmbedder

log = logging.getLogger(__name__)

BATCH_CHUNKS = 512
EMBED_SLICE = 128
"""Chunks embedded per call, so that the progress bar moves within a long document."""
"""Chunks embedded and committed together when a file holds many documents."""


@dataclass
class FileFailure:
    """A file that could not be indexed, and why."""

    path: str
    error: str


@dataclass
class KindChoice:
    """The kind chosen for a file's documents, and why (shown when ``--kind auto`` guessed it)."""

    path: str
    kind: str
    reason: str


@dataclass
class IndexReport:
    """What one ``index`` run did."""

    indexed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[FileFailure] = field(default_factory=list)
    kinds: list[KindChoice] = field(default_factory=list)
    documents: int = 0
    chunks: int = 0
    tokens: int = 0
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The one JSON shape of an index run: ``hromada index --json`` and ``POST /documents`` both print it."""
        return {
            "indexed": self.indexed,
            "unchanged": self.unchanged,
            "failed": [asdict(failure) for failure in self.failed],
            "documents": self.documents,
            "chunks": self.chunks,
            "tokens": self.tokens,
            "kinds": [asdict(choice) for choice in self.kinds],
            "seconds": round(self.seconds, 2),
        }


@dataclass
class IndexOptions:
    """How to index: a forced kind, extra metadata, limits."""

    kind: str = "auto"
    metadata: Mapping[str, Any] = field(default_factory=dict)
    """Applied to every document of the run (title, date, region, sector, ...), over what the file says."""
    max_file_bytes: int = 200_000_000
    ocr: OcrOptions = field(default_factory=OcrOptions)
    """When and how scanned pages and images are recognised."""
    only: Sequence[str] = ()
    """Keep only documents whose record id, title or act number contains one of these (case-insensitive)."""
    show_progress: bool = True
    source_names: Mapping[Path, str] = field(default_factory=dict)
    """The name a file's documents and messages carry instead of its path (an upload: its uploaded name)."""


class Indexer:
    """Indexes files into a store with the models it is given."""

    def __init__(
        self,
        store: Store,
        embedder: PassageEmbedder,
        pipeline: UkrainianPipeline,
        sector_classifier: SectorClassifier | None = None,
        gazetteer: Gazetteer | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.pipeline = pipeline
        self.sector_classifier = sector_classifier
        self.gazetteer = gazetteer or Gazetteer.default()

    def index(self, paths: Sequence[Path], options: IndexOptions | None = None) -> IndexReport:
        """Index files and folders (recursively); a file that fails is reported and the rest go on."""
        options = options or IndexOptions()
        if options.kind != "auto" and options.kind not in KINDS:
            raise InvalidOptionError(f"kind must be auto or one of {', '.join(KINDS)}, not {options.kind!r}")
        report = IndexReport()
        started = time.perf_counter()
        files = list(iter_source_files(paths))
        hidden = not options.show_progress
        with (
            tqdm(
                total=len(files), desc="files", unit="file", disable=hidden, leave=False, position=0
            ) as files_bar,
            tqdm(desc="chunks", unit="chunk", disable=hidden, leave=False, position=1) as chunks_bar,
        ):
            for path in files:
                self._index_file(path, options, report, chunks_bar)
                files_bar.update(1)
        if report.indexed:
            self.store.save_indexes()
        report.seconds = time.perf_counter() - started
        return report

    def _index_file(self, path: Path, options: IndexOptions, report: IndexReport, bar: tqdm) -> None:
        source = options.source_names.get(path, str(path))
        try:
            if not path.exists():
                raise UnreadableFileError(source, "no such file or folder")
            content = path.read_bytes() if path.stat().st_size <= options.max_file_bytes else b""
            sha256 = hashlib.sha256(content).hexdigest()
            key = str(path.resolve())
            state = self.store.source_state(key)
            if state is not None and state.sha256 == sha256 and state.complete:
                report.unchanged.append(source)
                return
            documents = read_file(path, source, options.max_file_bytes, options.ocr)
            documents = _selected(documents, options.only)
            if len(documents) > 1:
                # Resuming a file written in several commits goes by record id: every document needs one.
                for number, document in enumerate(documents, start=1):
                    document.record_id = document.record_id or f"#{number}"
            if not documents:
                raise UnreadableFileError(source, "no documents in it match --only")
            done = state.record_ids if state is not None and state.sha256 == sha256 else frozenset()
            pending = [d for d in documents if d.record_id is None or d.record_id not in done]
            if not pending:
                report.unchanged.append(source)
                return
            # A file indexed with --only stays incomplete, so that a later run can add the other records.
            complete = not options.only
            self._write_in_batches(key, source, sha256, len(content), pending, complete, options, report, bar)
            report.indexed.append(source)
        except UnreadableFileError as failure:
            report.failed.append(FileFailure(source, failure.reason))
            log.warning("skipped %s", failure)

    def _write_in_batches(
        self,
        key: str,
        source: str,
        sha256: str,
        size: int,
        documents: list[ParsedDocument],
        complete: bool,
        options: IndexOptions,
        report: IndexReport,
        bar: tqdm,
    ) -> None:
        if len(documents) == 1:
            batches: Iterator[list[NewDocument]] = iter([[self._prepare(documents[0], options, report)]])
        else:
            prepared = (self._prepare(document, options, report) for document in documents)
            batches = _batched_by_chunks((d for d in prepared if d.chunks), BATCH_CHUNKS)
        single = len(documents) == 1

        def write(batch: list[NewDocument], embedded: Future[None]) -> None:
            embedded.result()
            with self.store.write(persist_indexes=False) as writer:
                writer.add_documents(key, source, sha256, size, batch, complete=complete and single)
                writer.record_backend(self.embedder.backend)
            report.documents += len(batch)
            report.chunks += sum(len(document.chunks) for document in batch)

        # The model embeds one batch in a worker thread while this thread writes the one before and prepares
        # the one after (reading, chunking and lemmatising): the encoders release the GIL while they compute.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="embedding") as embedding:
            pending: tuple[list[NewDocument], Future[None]] | None = None
            try:
                for batch in batches:
                    previous, pending = pending, (batch, embedding.submit(self._embed, batch, report, bar))
                    if previous is not None:
                        write(*previous)
            except UnreadableFileError:
                if pending is not None:
                    write(*pending)  # what was embedded before the bad record is kept, as a resume expects
                raise
            if pending is not None:
                write(*pending)
        if not single:
            with self.store.write(persist_indexes=False) as writer:
                writer.add_documents(key, source, sha256, size, [], complete=complete)

    def _prepare(self, parsed: ParsedDocument, options: IndexOptions, report: IndexReport) -> NewDocument:
        """Normalise, classify and chunk one document; vectors come later, a batch at a time."""
        metadata = {**parsed.metadata, **options.metadata}
        normalised = normalise(parsed.pages)
        if not normalised.text.strip() and parsed.record_id is None:
            raise UnreadableFileError(parsed.source, "no text in it")
        title = str(
            metadata.pop("title", None)
            or parsed.title
            or find_title(normalised.text)
            or Path(parsed.source).stem
        )
        kind, reason = self._choose_kind(parsed, normalised.text, title, options)
        if not any(choice.path == parsed.source for choice in report.kinds):
            report.kinds.append(KindChoice(parsed.source, kind, reason))
        metadata = place_metadata(metadata, normalised.text, kind, self.gazetteer)
        language = detect_language(normalised.text)
        spans = chunk_document(normalised, kind, self.pipeline, parsed.paginated)
        chunks: list[NewChunk] = []
        for span in spans:
            context = chunk_in_context(title, kind, span)
            lemmas = self.pipeline.lemma_text(context)
            chunks.append(NewChunk(span=span, lemmas=lemmas, vector=np.empty(0, np.float32), context=context))
        return NewDocument(
            title=title,
            kind=kind,
            text=normalised.text,
            chunks=chunks,
            page_starts=normalised.page_starts,
            paginated=parsed.paginated,
            language=language,
            date=_first(metadata, "date", "issued_date"),
            region=_first(metadata, "region", "oblast"),
            sector=_first(metadata, "sector"),
            record_id=parsed.record_id,
            metadata=metadata,
        )

    def _choose_kind(
        self, parsed: ParsedDocument, text: str, title: str, options: IndexOptions
    ) -> tuple[str, str]:
        if options.kind != "auto":
            return options.kind, "given with --kind"
        if parsed.kind:
            return parsed.kind, "told by the file's format"
        guess = detect_kind(text, title)
        return guess.kind, guess.reason

    def _embed(self, documents: list[NewDocument], report: IndexReport, bar: tqdm) -> None:
        chunks = [chunk for document in documents for chunk in document.chunks]
        if not chunks:
            return
        texts = [chunk.context for chunk in chunks]
        parts = []
        for start in range(0, len(texts), EMBED_SLICE):
            parts.append(self.embedder.embed_passages(texts[start : start + EMBED_SLICE]))
            bar.update(len(parts[-1]))
        vectors = np.vstack(parts)
        report.tokens += self.embedder.count_tokens(texts)
        sectors = self._sectors(texts, vectors)
        for chunk, vector, sector in zip(chunks, vectors, sectors, strict=True):
            chunk.vector = vector
            chunk.sector = chunk.sector or sector

    def _sectors(self, texts: list[str], vectors: np.ndarray) -> list[str | None]:
        """Each chunk's sector tags, primary first, comma-separated (the store filters on any of them)."""
        if self.sector_classifier is None:
            return [None] * len(texts)
        return [",".join(tags.tags) for tags in self.sector_classifier.classify(texts, vectors)]


def _batched_by_chunks(documents: Iterator[NewDocument], limit: int) -> Iterator[list[NewDocument]]:
    batch: list[NewDocument] = []
    size = 0
    for document in documents:
        batch.append(document)
        size += len(document.chunks)
        if size >= limit:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _selected(documents: list[ParsedDocument], only: Sequence[str]) -> list[ParsedDocument]:
    if not only:
        return documents
    wanted = [term.casefold() for term in only]

    def names(document: ParsedDocument) -> str:
        parts = (document.record_id, document.title, document.metadata.get("short_name"))
        return " ".join(str(part) for part in parts if part).casefold()

    return [document for document in documents if any(term in names(document) for term in wanted)]


def _first(metadata: Mapping[str, Any], *keys: str) -> str | None:
    for key in keys:
        if metadata.get(key):
            return str(metadata[key])
    return None
