"""``Hromada``: the one Python API over the store and the models; the CLI and the HTTP app are thin layers on it.

Models load on first use, so that ``check``, ``delete`` or reading a document never wait for the embedder.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from indexing.errors import StoreError
from indexing.store import ItemFilter, Store, StoredDocument, open_store, store_exists
from indexing.store.problem_item import ProblemItem
from models.backend_choice import chosen_backend
from models.e5_preparation import MODEL_NAME
from models.encoders import EMBEDDING_DIMENSION
from models.language_detector import detect_language
from models.sector_classifier import SectorClassifier
from models.ukrainian_pipeline import UkrainianPipeline
from service.background_priority import run_in_background
from service.excerpts import Excerpt, excerpts_from_chunks, excerpts_from_hits
from service.problems import Problem, ProblemReport, ProblemService, get_problem, list_problems
from service.relevance import RelevanceScale
from service.search_types import Hit, SearchAnswer, SearchFilters
from service.searcher import Searcher
from service.settings import Settings

if TYPE_CHECKING:
    from indexing.indexer import IndexOptions, IndexReport
    from models.embedder import Embedder
    from models.passage_embedder import PassageEmbedder

log = logging.getLogger(__name__)
T = TypeVar("T")


class DocumentNotFoundError(StoreError):
    """No document with the id asked for."""


class Hromada:
    """Index documents and answer search, excerpt, problem and precedent queries over one store."""

    def __init__(
        self,
        settings: Settings | None = None,
        embedder: Embedder | None = None,
        pipeline: UkrainianPipeline | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self._embedder = embedder
        self._pipeline = pipeline
        self._store: Store | None = None
        self._lock = threading.RLock()

    # ------------------------------------------------------------ collaborators

    @property
    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                from models.embedder import Embedder  # torch loads only when vectors are needed

                self._embedder = Embedder(
                    self.settings.model_dir,
                    batch_size=self.settings.embed_batch_size,
                    backend=self.settings.embed_backend,
                    threads=self.settings.embed_threads,
                    query_threads=self.settings.query_threads,
                    query_window=self.settings.query_batch_window_ms / 1000,
                )
            return self._embedder

    @property
    def pipeline(self) -> UkrainianPipeline:
        with self._lock:
            if self._pipeline is None:
                self._pipeline = UkrainianPipeline()
            return self._pipeline

    def store(self, with_model: bool = False, create: bool = False) -> Store:
        """The store; ``with_model`` checks that it was built with our embedder, ``create`` makes a new one."""
        with self._lock:
            if self._store is None:
                if not create and not self.has_store():
                    raise StoreError(
                        f"{self.settings.store_address.shown}: there is no store here yet "
                        "(index some documents first)"
                    )
                model, dimension = self._model_identity() if with_model else (None, None)
                self._store = open_store(
                    self.settings.store,
                    model,
                    dimension,
                    self.settings.busy_timeout,
                    self.settings.search_threads,
                    self.settings.lexical_index,
                )
            elif with_model:
                self._store.ensure_model(*self._model_identity())
            return self._store

    def has_store(self) -> bool:
        """Whether the store exists (made by an earlier index run), opening nothing that is not there."""
        return self._store is not None or store_exists(self.settings.store)

    def _model_identity(self) -> tuple[str, int]:
        """The embedder's name and dimension, without loading a model to tell them (indexing on Ray needs none
        here)."""
        if self._embedder is not None:
            return self._embedder.name, self._embedder.dimension
        return MODEL_NAME, EMBEDDING_DIMENSION

    @cached_property
    def sector_classifier(self) -> SectorClassifier | None:
        """The sector classifier, when its weights were trained on this store's embedder."""
        classifier = SectorClassifier.load()
        model, _ = self._model_identity()
        if classifier.model.embedding_model != model:
            log.warning(
                "the sector classifier was trained on %s, not %s: chunks get no sector",
                classifier.model.embedding_model,
                model,
            )
            return None
        return classifier

    @cached_property
    def searcher(self) -> Searcher:
        return Searcher(
            self.store(with_model=True),
            self.embedder,
            self.pipeline,
            candidates=self.settings.candidates,
            rrf_k=self.settings.rrf_k,
            scale=self.relevance_scale,
        )

    def warm_up(self) -> None:
        """Load every model a search needs and run each once, so that the first request waits for nothing."""
        self.embedder.warm_up()
        self.pipeline.lemmas("підготовка до роботи")
        if self.has_store():
            self.searcher.search("підготовка до роботи", k=1)

    def in_background(self, compute: Callable[[], T]) -> T:
        """``compute()`` on a thread ``Settings.served_batch_niceness`` steps less urgent, so that a server's
        searches come first (``service.background_priority``).

        The embedder loads here first, at this thread's priority: the thread it starts for queries serves
        searches, and would otherwise inherit the batch's lower priority.
        """
        self.embedder  # noqa: B018 (the property loads it)
        return run_in_background(compute, self.settings.served_batch_niceness)

    @property
    def relevance_scale(self) -> RelevanceScale:
        """The one relevance scale of search and precedents, with its calibrated floor."""
        return RelevanceScale(floor=self.settings.search_min_similarity)

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None

    # ------------------------------------------------------------ operations

    def index_options(self, **choices: Any) -> IndexOptions:
        """Options of an indexing run with the settings' limits and OCR, and ``choices`` (kind, metadata, ...)."""
        # The readers (PDF, DOCX, HTML) take most of a second to import: only indexing pays for them.
        from indexing.indexer import IndexOptions
        from indexing.ocr import OcrOptions

        ocr = OcrOptions(
            mode=self.settings.ocr,
            languages=self.settings.ocr_languages,
            dpi=self.settings.ocr_dpi,
            tesseract=self.settings.ocr_tesseract,
            workers=self.settings.ocr_workers,
        )
        return IndexOptions(**{"max_file_bytes": self.settings.max_file_bytes, "ocr": ocr, **choices})

    def index(
        self, paths: Sequence[Path], options: IndexOptions | None = None, ray_address: str | None = None
    ) -> IndexReport:
        """Index files and folders; with ``ray_address`` the passages are embedded on that Ray cluster (``auto``:
        the one running on this machine, else one started for the run) and the rest happens here."""
        options = options or self.index_options()
        if ray_address is None:
            return self._index(paths, options, self.embedder)
        # Ray loads only for a run that asks for it.
        from models.e5_preparation import default_model_dir
        from models.ray_cluster import RayOptions
        from models.ray_embedder import RayEmbedder

        cluster = RayOptions(
            ray_address,
            self.settings.ray_worker_cpus,
            self.settings.ray_local_cpus,
            self.settings.ray_temp_dir,
        )
        model_dir = self.settings.model_dir or default_model_dir()
        backend, batch_size = self.settings.embed_backend, self.settings.embed_batch_size
        with RayEmbedder.start(cluster, model_dir, backend, batch_size) as embedder:
            return self._index(paths, options, embedder)

    def _index(self, paths: Sequence[Path], options: IndexOptions, embedder: PassageEmbedder) -> IndexReport:
        from indexing.indexer import Indexer

        store = self.store(with_model=True, create=True)
        return Indexer(store, embedder, self.pipeline, self.sector_classifier).index(paths, options)

    def search(
        self,
        query: str,
        k: int = 10,
        filters: SearchFilters | None = None,
        mode: str = "hybrid",
        offset: int = 0,
    ) -> list[Hit]:
        return self.searcher.search(query, k, filters, mode, offset)

    def search_answer(
        self,
        query: str,
        k: int = 10,
        filters: SearchFilters | None = None,
        mode: str = "hybrid",
        offset: int = 0,
    ) -> SearchAnswer:
        """A page of hits with the total of matches, whether anything is close, and whether the query was cut."""
        return self.searcher.answer(query, k, filters, mode, offset)

    def excerpts(self, query: str, k: int = 5, filters: SearchFilters | None = None) -> list[Excerpt]:
        return excerpts_from_hits(self.search(query, k, filters))

    def excerpts_of_chunks(self, chunk_ids: Sequence[int]) -> list[Excerpt]:
        """Excerpts of chosen chunks in the order given; an unknown id is an error naming it."""
        chunks = self.store().chunks(list(chunk_ids))
        missing = sorted(set(chunk_ids) - {chunk.id for chunk in chunks})
        if missing:
            raise DocumentNotFoundError(f"no chunk with id {', '.join(map(str, missing))}")
        return excerpts_from_chunks(chunks)

    def documents(self, limit: int = 100, offset: int = 0) -> list[dict[str, object]]:
        """Short descriptions of the stored documents, newest first."""
        return self.store().documents(limit, offset)

    def document(self, doc_id: int) -> StoredDocument:
        document = self.store().document(doc_id)
        if document is None:
            raise DocumentNotFoundError(f"no document with id {doc_id}")
        return document

    def delete(self, doc_id: int) -> None:
        with self.store().write() as writer:
            if not writer.delete_document(doc_id):
                raise DocumentNotFoundError(f"no document with id {doc_id}")

    # ------------------------------------------------------------ recurring problems

    @cached_property
    def problem_service(self) -> ProblemService:
        return self._problem_service(show_progress=False)

    def _problem_service(self, show_progress: bool, threads: int | None = None) -> ProblemService:
        return ProblemService(
            _EmbedderOnDemand(self),
            self.pipeline,
            detect_language,
            show_progress=show_progress,
            embed_threads=threads,
        )

    def cluster_corpus(
        self, filters: SearchFilters | None = None, show_progress: bool = False, threads: int | None = None
    ) -> ProblemReport:
        """Find the problem statements of the indexed chunks that pass ``filters`` and sort them into problems.

        Statements seen before are not counted again, so running it after each index run keeps problem ids.
        ``threads``: threads that embed (None: the embedder's own count; a server leaves cores to searches).
        """
        store = self.store(with_model=True)
        chunks = list(store.iter_chunks((filters or SearchFilters()).to_chunk_filter()))
        items = self.problem_service.statements_from_chunks(chunks)
        # The chunks' stored vectors are passages; statements are embedded anew as queries, which cluster better
        # (ProblemService._embed), and only those never received before.
        return self._assign(items, None, show_progress, threads)

    def assign_batch(
        self, items: Sequence[ProblemItem], show_progress: bool = False, threads: int | None = None
    ) -> ProblemReport:
        """Sort new submissions into known problems or new ones, and save them; all or nothing.

        ``show_progress`` draws progress bars on stderr (embedding, naming) for large batches; ``threads`` as
        for ``cluster_corpus``.
        """
        return self._assign(items, None, show_progress, threads)

    def _assign(
        self,
        items: Sequence[ProblemItem],
        embeddings: np.ndarray | None,
        show_progress: bool,
        threads: int | None,
    ) -> ProblemReport:
        """Compute the batch from a snapshot of the problems, holding no lock; then save it in one short write,
        computing it again when another batch was saved in between (``problem_save_attempts`` times at most)."""
        store = self.store(with_model=True, create=True)
        service = (
            self._problem_service(show_progress, threads)
            if show_progress or threads
            else self.problem_service
        )
        return service.assign_batch(store, items, embeddings, self.settings.problem_save_attempts)

    def problems(self, filters: SearchFilters | None = None, min_size: int = 1) -> list[Problem]:
        """Saved problems, counted over the statements that pass ``filters``; the largest first (no model needed)."""
        with self.store().read() as reading:
            return list_problems(reading, _item_filter(filters), min_size)

    def problem(self, problem_id: str, filters: SearchFilters | None = None) -> Problem:
        with self.store().read() as reading:
            return get_problem(reading, problem_id, _item_filter(filters))

    # ------------------------------------------------------------ upkeep

    def embed_backend(self) -> str:
        """The encoder backend that embeds here: the loaded one, else the one that would be chosen.

        Answering the second needs no model loaded: it reads the processor's flags and the record of what was
        verified when the model was prepared (a backend that then fails to load gives way to float32).
        """
        if self._embedder is not None:
            return self._embedder.backend
        return chosen_backend(self.settings.model_dir, self.settings.embed_backend)

    def check(self) -> list[str]:
        return self.store().check()

    def stats(self) -> dict[str, Any]:
        store = self.store()
        return {
            **store.counts(),
            "kinds": store.kind_counts(),
            "model": store.model,
            "dimension": store.dimension,
            "index_type": store.index_type,
            "backend": self.embed_backend(),
            "store_backends": store.backends,
            "store": store.address,
        }


class _EmbedderOnDemand:
    """The embedder's name and dimension at once, its model only when something is embedded.

    Listing saved problems embeds nothing, so ``hromada problems`` must not wait seconds for the model.
    """

    def __init__(self, hromada: Hromada) -> None:
        self._hromada = hromada
        # The embedder given to the Hromada, if any (another model's vectors must not pass for e5's).
        self.name, self.dimension = hromada._model_identity()

    def embed_passages(
        self, texts: Sequence[str], show_progress: bool = False, threads: int | None = None
    ) -> np.ndarray:
        return self._hromada.embedder.embed_passages(texts, show_progress, threads)

    def embed_queries(
        self, texts: Sequence[str], show_progress: bool = False, threads: int | None = None
    ) -> np.ndarray:
        return self._hromada.embedder.embed_queries(texts, show_progress, threads)


def _item_filter(filters: SearchFilters | None) -> ItemFilter:
    filters = filters or SearchFilters()
    return ItemFilter(kind=filters.kind, region=filters.region, since=filters.since, until=filters.until)
