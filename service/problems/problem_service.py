"""Recurring problems as the command line and the HTTP API form them: cluster, or assign and save a batch.

Two ways in, one way of forming problems:

- ``cluster_items`` clusters statements from scratch and saves nothing (benchmarks, one-off analyses).
- ``plan_batch`` is the saving path: items received before are recognised by id and counted once; new items
  go to the closest known problem when their similarity reaches the calibrated threshold; the rest, together with
  items of earlier batches that are still unassigned, are clustered into new problems. On an empty store this is
  exactly ``cluster_items`` plus saving. Existing problems keep their ids; only their size, centre and label move.
  It computes from a snapshot of the problem tables and writes nothing, so that the slow part (embedding,
  clustering, naming) holds no lock; ``assign_batch`` then saves the plan in one short write of the store.

A problem's id is derived from the ids of the items that founded it, so the same input gives the same ids
whatever its order and wherever it is run. Reading saved problems is ``problem_listing``'s, and needs no model.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from typing import Protocol

import numpy as np
from tqdm import tqdm

from indexing.store.problem_item import ProblemItem, StoredProblem
from indexing.store.problem_types import (
    BatchRecord,
    BatchWrite,
    ItemPlacement,
    ProblemSetChangedError,
    ProblemSnapshot,
)
from models.statement_model import StatementModel
from service.problems.batch_assignment import calibrate_threshold, nearest_problems
from service.problems.clustering import ClusteringParameters, cluster_embeddings
from service.problems.collection_centre import CollectionCentre
from service.problems.problem_labels import (
    KeywordPipeline,
    central_texts,
    keyword_counts,
    name_problems,
)
from service.problems.problem_listing import ProblemReading, list_problems, problem_of
from service.problems.problem_records import Assignment, ProblemReport
from service.problems.problem_statements import SentencePipeline, StatementDetector
from service.problems.recurrence import monthly_totals
from service.problems.vector_math import normalise_rows

THRESHOLD_SETTING = "assignment_threshold"
LANGUAGE_CACHE_TEXTS = 1 << 17
"""Statements whose detected language is remembered: more than the 85k Kyiv appeals clustered at once."""
CENTRE_SETTING = "collection_centre"

log = logging.getLogger(__name__)


class StatementEmbedder(Protocol):
    """What this service needs of ``models.embedder.Embedder``."""

    name: str
    dimension: int

    def embed_queries(
        self, texts: Sequence[str], show_progress: bool = False, threads: int | None = None
    ) -> np.ndarray: ...


class ProblemPipeline(SentencePipeline, KeywordPipeline, Protocol):
    """What this service needs of ``models.ukrainian_pipeline.UkrainianPipeline``."""


class ProblemReadingWithSnapshot(ProblemReading, Protocol):
    """One consistent read of the store (``indexing.store.StoreReading``): what a batch is computed from."""

    def problem_snapshot(self, item_ids: Sequence[str]) -> ProblemSnapshot: ...


class ProblemWriter(Protocol):
    """What saving a batch needs of a store's write (``indexing.store.StoreWriter``)."""

    def save_problem_batch(self, batch: BatchWrite) -> None: ...


class ProblemStore(Protocol):
    """What this service needs of the store (``indexing.store.Store``): consistent reads and one short write."""

    def read(self) -> AbstractContextManager[ProblemReadingWithSnapshot]: ...

    def write(self, persist_indexes: bool = True) -> AbstractContextManager[ProblemWriter]: ...


class StatementSource(Protocol):
    """A stored chunk as the service reads it to find problem statements (``indexing.store.records.StoredChunk``)."""

    id: int
    doc_id: int
    start: int
    text: str
    kind: str
    section: str | None
    date: str | None
    region: str | None


@dataclass
class ProblemAnalysis:
    """The outcome of ``cluster_items``: the report, plus what benchmarks compare and batch assignment reuses."""

    report: ProblemReport
    items: list[ProblemItem]
    """The items clustered: the input without repeated ids."""
    labels: np.ndarray
    """Per item of ``items``: the index of its problem in ``report.problems``, or -1."""
    threshold: float | None
    """The calibrated assignment threshold (None when no problem formed)."""


@dataclass
class BatchPlan:
    """A batch computed and ready to save: what it writes, and what its report says once saved."""

    write: BatchWrite
    items: list[ProblemItem]
    """The batch without repeated ids, in input order."""
    placements: dict[str, ItemPlacement]
    """Where each item went, including those received before."""
    new_problem_ids: list[str]
    already_seen: int
    vectors: dict[str, np.ndarray]
    """The embeddings of the batch's new items by id: a plan made again after a race reuses them."""


@dataclass
class _FormedProblem:
    """A problem just formed by clustering, before it is named."""

    id: str
    members: list[int]
    """Indices into the clustered items."""
    similarities: list[float]
    vector_sum: np.ndarray


class ProblemService:
    """Finds, names, counts and saves recurring problems; the models are passed in, never loaded here."""

    def __init__(
        self,
        embedder: StatementEmbedder,
        pipeline: ProblemPipeline,
        language_of: Callable[[str], str],
        parameters: ClusteringParameters | None = None,
        show_progress: bool = False,
        embed_threads: int | None = None,
        statement_model: StatementModel | None = None,
    ) -> None:
        """``embed_threads``: threads that embed statements (None: the embedder's own count);
        ``statement_model`` judges which sentences state a problem (the shipped one when not given)."""
        self._embedder = embedder
        self._embed_threads = embed_threads
        self._pipeline = pipeline
        # Each statement's language is needed for centring and again for naming: detecting it once saved
        # 10 of the 62 s that clustering the 85k Kyiv appeals took.
        self._language_of = lru_cache(maxsize=LANGUAGE_CACHE_TEXTS)(language_of)
        self.parameters = parameters or ClusteringParameters()
        self._show_progress = show_progress
        self._statement_model = statement_model

    @cached_property
    def statement_detector(self) -> StatementDetector:
        model = self._statement_model or StatementModel.load()
        return StatementDetector(model, self._embedder, self._pipeline)

    def statements_from_chunks(self, chunks: Iterable[StatementSource]) -> list[ProblemItem]:
        """The problem statements of stored chunks, each citing its document and offsets in the document's text.

        None comes from legislation; an appeal is one whole statement; other chunks give their problem sentences.
        """
        chunks = list(chunks)
        found = self.statement_detector.find([(chunk.text, chunk.kind, chunk.section) for chunk in chunks])
        return [
            ProblemItem(
                id=f"chunk-{chunk.id}:{statement.start}-{statement.end}",
                text=statement.text,
                date=chunk.date,
                region=chunk.region,
                kind=chunk.kind,
                doc_id=chunk.doc_id,
                chunk_id=chunk.id,
                start=chunk.start + statement.start,
                end=chunk.start + statement.end,
            )
            for chunk, statements in zip(chunks, found, strict=True)
            for statement in statements
        ]

    def cluster_items(
        self, items: Sequence[ProblemItem], embeddings: np.ndarray | None = None
    ) -> ProblemAnalysis:
        """Cluster ``items`` from scratch (``embeddings`` row-aligned with them, computed when not given)."""
        items, embeddings = self._unique_with_embeddings(items, embeddings)
        languages = self._languages(items)
        directions = CollectionCentre.of(embeddings, languages).directions(embeddings, languages)
        formed, threshold = self._form_problems(items, directions, threshold=None)
        counts = [
            keyword_counts([items[i] for i in problem.members], self._pipeline, self._language_of)
            for problem in self._naming_bar(formed)
        ]
        central = [
            central_texts([items[i] for i in problem.members], problem.similarities, self._language_of)
            for problem in formed
        ]
        names = name_problems(counts, central, self._pipeline)
        totals = monthly_totals(items)
        problems = [
            problem_of(problem.id, name, [items[i] for i in problem.members], problem.similarities, totals)
            for problem, name in zip(formed, names, strict=True)
        ]
        labels = np.full(len(items), -1, dtype=np.int64)
        placements: dict[str, ItemPlacement] = {}
        for number, problem in enumerate(formed):
            labels[problem.members] = number
            for index, similarity in zip(problem.members, problem.similarities, strict=True):
                placements[items[index].id] = ItemPlacement(problem.id, similarity)
        report = ProblemReport(
            problems=problems,
            assignments=_assignments(items, placements),
            new_problem_ids=[problem.id for problem in formed],
        )
        return ProblemAnalysis(report=report, items=items, labels=labels, threshold=threshold)

    def assign_batch(
        self,
        store: ProblemStore,
        items: Sequence[ProblemItem],
        embeddings: np.ndarray | None = None,
        attempts: int = 1,
    ) -> ProblemReport:
        """Sort a batch into the store's saved problems, form new ones from the rest, and save it all; all or nothing.

        The batch is computed from a snapshot of the problems, holding no lock, then saved in one short write.
        When another batch was saved in between, it is computed again from the new state (its vectors are kept);
        after ``attempts`` such races it is refused with ``ProblemSetChangedError``, having saved nothing.
        """
        vectors = vectors_by_id(items, embeddings)
        item_ids = [item.id for item in items]
        for attempt in range(1, attempts + 1):
            with store.read() as reading:
                snapshot = reading.problem_snapshot(item_ids)
            plan = self.plan_batch(snapshot, items, vectors)
            vectors = plan.vectors
            try:
                # Problems add no chunk vectors: nothing for a vector file, so the write stays short.
                with store.write(persist_indexes=False) as writer:
                    writer.save_problem_batch(plan.write)
            except ProblemSetChangedError as race:
                log.info("attempt %d of %d: %s; computing the batch again", attempt, attempts, race)
                continue
            with store.read() as reading:
                return batch_report(reading, plan)
        raise ProblemSetChangedError(
            f"other batches were saved while this one was computed, {attempts} times running; nothing of it "
            "was saved: send it again"
        )

    def plan_batch(
        self,
        snapshot: ProblemSnapshot,
        items: Sequence[ProblemItem],
        vectors: Mapping[str, np.ndarray] | None = None,
    ) -> BatchPlan:
        """What saving a batch will change, computed from ``snapshot``: the embedding, clustering and naming.

        ``vectors`` are the items' embeddings by id where known; the others are embedded here. Nothing is read
        or written: the store saves the plan's ``write`` if the snapshot is still current.
        """
        items = _unique_by_id(items)
        earlier = {item.id: snapshot.placements[item.id] for item in items if item.id in snapshot.placements}
        # Content order, so that sums and ties never depend on the order of the file.
        fresh = sorted((item for item in items if item.id not in earlier), key=lambda item: item.content_key)
        vectors = self._with_vectors(fresh, vectors or {})
        fresh_embeddings = _rows(vectors, fresh, self._embedder.dimension)
        settings = snapshot.settings
        threshold = float(settings[THRESHOLD_SETTING]) if THRESHOLD_SETTING in settings else None
        waiting, waiting_embeddings = snapshot.waiting, snapshot.waiting_embeddings
        centre = self._centre(settings, _stack(fresh_embeddings, waiting_embeddings), fresh + waiting)
        # Copies: assigning changes sizes and sums, and the snapshot must stay as it was read.
        stored = [replace(problem) for problem in snapshot.problems]

        fresh_directions = centre.directions(fresh_embeddings, self._languages(fresh))
        placements, added_counts = self._assign_to_known(stored, fresh, fresh_directions, threshold)
        rest = [index for index, item in enumerate(fresh) if item.id not in placements]
        pool = [fresh[index] for index in rest] + waiting
        pool_embeddings = _stack(fresh_embeddings[rest], waiting_embeddings)
        formed, threshold = self._form_problems(
            pool, centre.directions(pool_embeddings, self._languages(pool)), threshold
        )
        formed_placements = _formed_placements(formed, pool)
        placements.update(formed_placements)

        batch_id = f"batch-{snapshot.batch_count + 1:05d}"
        new_problems, formed_counts = self._formed_rows(formed, pool, batch_id)
        added_counts.update(formed_counts)
        fresh_ids = {item.id for item in fresh}
        write = BatchWrite(
            version=snapshot.version,
            record=BatchRecord(
                id=batch_id,
                received_at=datetime.now(UTC).isoformat(timespec="seconds"),
                item_count=len(items),
                already_seen=len(earlier),
                assigned_to_known=len(placements) - len(formed_placements),
                new_problems=len(formed),
            ),
            items=[
                (item, placements.get(item.id, ItemPlacement(None, None)), fresh_embeddings[index])
                for index, item in enumerate(fresh)
            ],
            waiting_placements={
                item_id: placement
                for item_id, placement in formed_placements.items()
                if item_id not in fresh_ids
            },
            problems=self._relabelled(
                stored + new_problems,
                _merged(snapshot.keyword_counts, added_counts),
                {**snapshot.central_members, **self._central_members(formed, pool)},
            ),
            added_keyword_counts=added_counts,
            settings=self._settings(threshold, centre) if threshold is not None else {},
        )
        return BatchPlan(
            write=write,
            items=items,
            placements=placements | earlier,
            new_problem_ids=sorted(problem.id for problem in formed),
            already_seen=len(earlier),
            vectors=vectors,
        )

    def _form_problems(
        self, items: Sequence[ProblemItem], embeddings: np.ndarray, threshold: float | None
    ) -> tuple[list[_FormedProblem], float | None]:
        """Cluster, calibrate the threshold when there is none yet, and give each cluster its content id."""
        clustering = cluster_embeddings(embeddings, [item.content_key for item in items], self.parameters)
        if clustering.cluster_count == 0:
            return [], threshold
        centroids = clustering.centroids
        if threshold is None:
            threshold = calibrate_threshold(embeddings, clustering.labels, clustering.vector_sums)
        formed = []
        for number in range(clustering.cluster_count):
            members = np.flatnonzero(clustering.labels == number)
            formed.append(
                _FormedProblem(
                    id=_problem_id(items[index].id for index in members),
                    members=members.tolist(),
                    similarities=(embeddings[members] @ centroids[number]).astype(float).tolist(),
                    vector_sum=clustering.vector_sums[number],
                )
            )
        return formed, threshold

    def _assign_to_known(
        self,
        stored: list[StoredProblem],
        fresh: list[ProblemItem],
        embeddings: np.ndarray,
        threshold: float | None,
    ) -> tuple[dict[str, ItemPlacement], dict[str, Counter[str]]]:
        """Place fresh items in known problems, updating their sizes and sums; also the keyword counts they add."""
        if not stored or threshold is None or not fresh:
            return {}, {}
        centroids = normalise_rows(np.stack([problem.vector_sum for problem in stored]).astype(np.float32))
        nearest = nearest_problems(embeddings, centroids, threshold)
        placements: dict[str, ItemPlacement] = {}
        added: dict[int, list[ProblemItem]] = {}
        for index, (number, similarity) in enumerate(zip(nearest.indices, nearest.similarities, strict=True)):
            if number < 0:
                continue
            problem = stored[number]
            problem.size += 1
            problem.vector_sum = problem.vector_sum + embeddings[index]
            placements[fresh[index].id] = ItemPlacement(problem.id, float(similarity))
            added.setdefault(int(number), []).append(fresh[index])
        counts = {
            stored[number].id: keyword_counts(
                members, self._pipeline, self._language_of, fall_back_to_all=False
            )
            for number, members in added.items()
        }
        return placements, counts

    def _formed_rows(
        self, formed: list[_FormedProblem], pool: list[ProblemItem], batch_id: str
    ) -> tuple[list[StoredProblem], dict[str, Counter[str]]]:
        """The rows and keyword counts of newly formed problems (named with all the others by ``_relabelled``)."""
        new_problems = []
        counts = {}
        for problem in self._naming_bar(formed):
            members = [pool[index] for index in problem.members]
            counts[problem.id] = keyword_counts(members, self._pipeline, self._language_of)
            new_problems.append(
                StoredProblem(
                    id=problem.id,
                    label="",
                    keywords=[],
                    size=len(members),
                    vector_sum=problem.vector_sum,
                    batch_id=batch_id,
                )
            )
        return new_problems, counts

    def _relabelled(
        self,
        problems: list[StoredProblem],
        counts: Mapping[str, Counter[str]],
        central: Mapping[str, list[tuple[ProblemItem, float]]],
    ) -> list[StoredProblem]:
        """Every problem named again: class-based TF-IDF weighs each problem against all the others, and the
        label is a phrase of its most central statements."""
        names = name_problems(
            [counts.get(problem.id, Counter()) for problem in problems],
            [self._central_texts_of(central.get(problem.id, [])) for problem in problems],
            self._pipeline,
        )
        for problem, name in zip(problems, names, strict=True):
            problem.label, problem.keywords = name.label, name.keywords
        return problems

    def _central_texts_of(self, members: list[tuple[ProblemItem, float]]) -> list[str]:
        return central_texts(
            [item for item, _ in members], [similarity for _, similarity in members], self._language_of
        )

    @staticmethod
    def _central_members(
        formed: list[_FormedProblem], pool: list[ProblemItem]
    ) -> dict[str, list[tuple[ProblemItem, float]]]:
        """The members of newly formed problems with their similarity to the centre (not saved yet)."""
        return {
            problem.id: [
                (pool[index], similarity)
                for index, similarity in zip(problem.members, problem.similarities, strict=True)
            ]
            for problem in formed
        }

    def _centre(
        self, settings: dict[str, str], embeddings: np.ndarray, items: Sequence[ProblemItem]
    ) -> CollectionCentre:
        """The stored centre of the problem set; before there is one, the centre of what has been received."""
        if CENTRE_SETTING in settings:
            return CollectionCentre.from_json(settings[CENTRE_SETTING])
        return CollectionCentre.of(embeddings, self._languages(items))

    def _settings(self, threshold: float, centre: CollectionCentre) -> dict[str, str]:
        return {
            THRESHOLD_SETTING: repr(threshold),
            CENTRE_SETTING: centre.to_json(),
            "neighbours": str(self.parameters.neighbours),
            "baseline_similarity": repr(self.parameters.baseline_similarity),
            "density": repr(self.parameters.density),
            "min_size": str(self.parameters.min_size),
            "model": self._embedder.name,
        }

    def _unique_with_embeddings(
        self, items: Sequence[ProblemItem], embeddings: np.ndarray | None
    ) -> tuple[list[ProblemItem], np.ndarray]:
        unique = _unique_by_id(items)
        if embeddings is None:
            return unique, self._embed(unique)
        row_of = {item.id: row for row, item in reversed(list(enumerate(items)))}
        return unique, np.asarray(embeddings, dtype=np.float32)[[row_of[item.id] for item in unique]]

    def _with_vectors(
        self, items: Sequence[ProblemItem], vectors: Mapping[str, np.ndarray]
    ) -> dict[str, np.ndarray]:
        """``vectors`` and those of the ``items`` it lacks, embedded now."""
        missing = [item for item in items if item.id not in vectors]
        return {**vectors, **dict(zip((item.id for item in missing), self._embed(missing), strict=True))}

    def _naming_bar(self, formed: list[_FormedProblem]) -> Iterable[_FormedProblem]:
        """Naming lemmatises every member's text, the longest step after embedding on large inputs."""
        return tqdm(
            formed,
            desc="naming problems",
            unit="problem",
            disable=not self._show_progress,
            leave=False,
        )

    def _languages(self, items: Sequence[ProblemItem]) -> list[str]:
        return [self._language_of(item.text) for item in items]

    def _embed(self, items: Sequence[ProblemItem]) -> np.ndarray:
        """Statements are embedded with e5's "query: " prompt: it groups them better than "passage: " on both
        clustering benchmarks (``scripts/bench/clustering.py`` prints the two side by side)."""
        if not items:
            return np.empty((0, self._embedder.dimension), dtype=np.float32)
        return self._embedder.embed_queries(
            [item.text for item in items], show_progress=self._show_progress, threads=self._embed_threads
        )


def batch_report(reading: ProblemReading, plan: BatchPlan) -> ProblemReport:
    """The report of a saved batch: the problems its items are in, as ``reading`` sees them, and each placement."""
    touched = {placement.problem_id for placement in plan.placements.values() if placement.problem_id}
    return ProblemReport(
        problems=[problem for problem in list_problems(reading) if problem.id in touched],
        assignments=_assignments(plan.items, plan.placements),
        new_problem_ids=plan.new_problem_ids,
        already_seen=plan.already_seen,
    )


def vectors_by_id(items: Sequence[ProblemItem], embeddings: np.ndarray | None) -> dict[str, np.ndarray]:
    """Row-aligned ``embeddings`` of ``items`` keyed by item id (the first row of a repeated id); none: empty."""
    if embeddings is None:
        return {}
    rows = np.asarray(embeddings, dtype=np.float32)
    return {item.id: rows[row] for row, item in reversed(list(enumerate(items)))}


def _unique_by_id(items: Sequence[ProblemItem]) -> list[ProblemItem]:
    """The first item of each id, in input order (a repeated id is the same statement received twice)."""
    seen: set[str] = set()
    unique = []
    for item in items:
        if item.id not in seen:
            seen.add(item.id)
            unique.append(item)
    return unique


def _problem_id(member_ids: Iterable[str]) -> str:
    digest = hashlib.sha1("\n".join(sorted(member_ids)).encode("utf-8")).hexdigest()
    return f"P{digest[:10]}"


def _formed_placements(formed: list[_FormedProblem], pool: list[ProblemItem]) -> dict[str, ItemPlacement]:
    return {
        pool[index].id: ItemPlacement(problem.id, similarity)
        for problem in formed
        for index, similarity in zip(problem.members, problem.similarities, strict=True)
    }


def _assignments(items: Sequence[ProblemItem], placements: dict[str, ItemPlacement]) -> list[Assignment]:
    unplaced = ItemPlacement(None, None)
    return [
        Assignment(
            item.id,
            placements.get(item.id, unplaced).problem_id,
            placements.get(item.id, unplaced).similarity,
        )
        for item in items
    ]


def _rows(vectors: Mapping[str, np.ndarray], items: Sequence[ProblemItem], dimension: int) -> np.ndarray:
    if not items:
        return np.empty((0, dimension), dtype=np.float32)
    return np.stack([vectors[item.id] for item in items]).astype(np.float32, copy=False)


def _merged(counts: Mapping[str, Counter[str]], added: Mapping[str, Counter[str]]) -> dict[str, Counter[str]]:
    """Keyword counts per problem after adding ``added`` (neither argument changes)."""
    merged = {problem_id: Counter(problem_counts) for problem_id, problem_counts in counts.items()}
    for problem_id, problem_counts in added.items():
        merged.setdefault(problem_id, Counter()).update(problem_counts)
    return merged


def _stack(first: np.ndarray, second: np.ndarray | None) -> np.ndarray:
    if second is None:
        return first
    if len(first) == 0:
        return second
    return np.vstack([first, second])
