"""Recurring problems as the command line and the HTTP API use them: cluster, assign a batch, list, show.

Two ways in, one way of forming problems:

- ``cluster_items`` clusters statements from scratch and saves nothing (benchmarks, one-off analyses).
- ``assign_batch`` is the saving path: items received before are recognised by id and counted once; new items
  go to the closest known problem when their similarity reaches the calibrated threshold; the rest, together with
  items of earlier batches that are still unassigned, are clustered into new problems. On an empty store this is
  exactly ``cluster_items`` plus saving. Existing problems keep their ids; only their size, centre and label move.

A problem's id is derived from the ids of the items that founded it, so the same input gives the same ids
whatever its order and wherever it is run.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from typing import Protocol

import numpy as np
from tqdm import tqdm

from indexing.store.problem_item import ProblemItem, StoredProblem
from indexing.store.problem_tables import (
    BatchRecord,
    ItemFilter,
    ItemPlacement,
    add_keyword_counts,
    count_batches,
    create_problem_schema,
    load_central_members,
    load_keyword_counts,
    load_members,
    load_monthly_totals,
    load_placements,
    load_problems,
    load_settings,
    load_waiting_items,
    place_waiting_items,
    save_batch_record,
    save_items,
    save_problems,
    save_settings,
)
from models.errors import HromadaError
from models.statement_model import StatementModel
from service.problems.batch_assignment import calibrate_threshold, nearest_problems
from service.problems.clustering import ClusteringParameters, cluster_embeddings
from service.problems.collection_centre import CollectionCentre
from service.problems.problem_labels import (
    CENTRAL_STATEMENTS,
    KeywordPipeline,
    ProblemName,
    central_texts,
    keyword_counts,
    name_problems,
    typical_examples,
)
from service.problems.problem_records import Assignment, Problem, ProblemReport
from service.problems.problem_statements import SentencePipeline, StatementDetector
from service.problems.recurrence import monthly_totals, recurrence_of
from service.problems.vector_math import normalise_rows

THRESHOLD_SETTING = "assignment_threshold"
LANGUAGE_CACHE_TEXTS = 1 << 17
"""Statements whose detected language is remembered: more than the 85k Kyiv appeals clustered at once."""
CENTRE_SETTING = "collection_centre"
RUSSIAN_MARGIN = 6
"""Central members read per problem for its label, per statement used: room for Russian ones, which are skipped."""


class ProblemNotFoundError(HromadaError):
    """No problem has the id asked for."""

    def __init__(self, problem_id: str) -> None:
        super().__init__(f"no problem with id {problem_id!r}")
        self.problem_id = problem_id


class StatementEmbedder(Protocol):
    """What this service needs of ``models.embedder.Embedder``."""

    name: str
    dimension: int

    def embed_queries(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray: ...


class ProblemPipeline(SentencePipeline, KeywordPipeline, Protocol):
    """What this service needs of ``models.ukrainian_pipeline.UkrainianPipeline``."""


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
        statement_model: StatementModel | None = None,
    ) -> None:
        """``statement_model`` judges which sentences state a problem; the shipped one when not given."""
        self._embedder = embedder
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
            _problem(problem.id, name, [items[i] for i in problem.members], problem.similarities, totals)
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
        connection: sqlite3.Connection,
        items: Sequence[ProblemItem],
        embeddings: np.ndarray | None = None,
    ) -> ProblemReport:
        """Sort a batch into the saved problems, form new ones from the rest, and save it all on ``connection``.

        Run it inside one write transaction: an exception leaves the tables as they were.
        """
        create_problem_schema(connection)
        items = _unique_by_id(items)
        earlier = load_placements(connection, [item.id for item in items])
        # Content order, so that sums and ties never depend on the order of the file.
        fresh = sorted((item for item in items if item.id not in earlier), key=lambda item: item.content_key)
        fresh_embeddings = self._fresh_embeddings(items, embeddings, fresh)
        settings = load_settings(connection)
        threshold = float(settings[THRESHOLD_SETTING]) if THRESHOLD_SETTING in settings else None
        waiting, waiting_embeddings = load_waiting_items(connection)
        centre = self._centre(settings, _stack(fresh_embeddings, waiting_embeddings), fresh + waiting)
        stored = load_problems(connection)

        fresh_directions = centre.directions(fresh_embeddings, self._languages(fresh))
        placements = self._assign_to_known(connection, stored, fresh, fresh_directions, threshold)
        rest = [index for index, item in enumerate(fresh) if item.id not in placements]
        pool = [fresh[index] for index in rest] + waiting
        pool_embeddings = _stack(fresh_embeddings[rest], waiting_embeddings)
        formed, threshold = self._form_problems(
            pool, centre.directions(pool_embeddings, self._languages(pool)), threshold
        )
        formed_placements = _formed_placements(formed, pool)
        placements.update(formed_placements)

        batch_id = f"batch-{count_batches(connection) + 1:05d}"
        save_items(
            connection,
            [
                (item, placements.get(item.id, ItemPlacement(None, None)), fresh_embeddings[index])
                for index, item in enumerate(fresh)
            ],
            batch_id,
        )
        fresh_ids = {item.id for item in fresh}
        place_waiting_items(
            connection, {item_id: p for item_id, p in formed_placements.items() if item_id not in fresh_ids}
        )
        self._relabel(connection, stored, self._save_formed(connection, formed, pool), batch_id)
        if threshold is not None:
            save_settings(connection, self._settings(threshold, centre))
        save_batch_record(
            connection,
            BatchRecord(
                id=batch_id,
                received_at=datetime.now(UTC).isoformat(timespec="seconds"),
                item_count=len(items),
                already_seen=len(items) - len(fresh),
                assigned_to_known=len(placements) - len(formed_placements),
                new_problems=len(formed),
            ),
        )
        return self._batch_report(connection, items, placements | earlier, formed, len(items) - len(fresh))

    def list_problems(
        self, connection: sqlite3.Connection, item_filter: ItemFilter | None = None, min_size: int = 1
    ) -> list[Problem]:
        """Saved problems, counted over the statements that pass ``item_filter``; the largest first."""
        create_problem_schema(connection)
        item_filter = item_filter or ItemFilter()
        names = {
            stored.id: ProblemName(stored.label, stored.keywords) for stored in load_problems(connection)
        }
        totals = load_monthly_totals(connection, item_filter)
        groups: dict[str, list[tuple[ProblemItem, float]]] = {}
        for item, placement in load_members(connection, item_filter):
            if placement.problem_id is not None:
                groups.setdefault(placement.problem_id, []).append((item, placement.similarity or 0.0))
        problems = [
            _problem(problem_id, names[problem_id], [m[0] for m in members], [m[1] for m in members], totals)
            for problem_id, members in groups.items()
            if len(members) >= min_size
        ]
        return sorted(problems, key=lambda problem: (-problem.recurrence.size, problem.id))

    def get_problem(
        self, connection: sqlite3.Connection, problem_id: str, item_filter: ItemFilter | None = None
    ) -> Problem:
        """One saved problem; ``ProblemNotFoundError`` when there is none with that id."""
        create_problem_schema(connection)
        item_filter = item_filter or ItemFilter()
        stored = {problem.id: problem for problem in load_problems(connection)}
        if problem_id not in stored:
            raise ProblemNotFoundError(problem_id)
        members = load_members(connection, item_filter, problem_id)
        return _problem(
            problem_id,
            ProblemName(stored[problem_id].label, stored[problem_id].keywords),
            [item for item, _ in members],
            [placement.similarity or 0.0 for _, placement in members],
            load_monthly_totals(connection, item_filter),
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
        connection: sqlite3.Connection,
        stored: list[StoredProblem],
        fresh: list[ProblemItem],
        embeddings: np.ndarray,
        threshold: float | None,
    ) -> dict[str, ItemPlacement]:
        """Place fresh items in known problems, updating those problems' sizes, sums and keyword counts."""
        if not stored or threshold is None or not fresh:
            return {}
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
        for number, members in added.items():
            counts = keyword_counts(members, self._pipeline, self._language_of, fall_back_to_all=False)
            add_keyword_counts(connection, stored[number].id, counts)
        return placements

    def _save_formed(
        self,
        connection: sqlite3.Connection,
        formed: list[_FormedProblem],
        pool: list[ProblemItem],
    ) -> list[StoredProblem]:
        """Create the rows and keyword counts of newly formed problems (labelled by ``_relabel`` after)."""
        new_problems = []
        for problem in self._naming_bar(formed):
            members = [pool[index] for index in problem.members]
            add_keyword_counts(
                connection, problem.id, keyword_counts(members, self._pipeline, self._language_of)
            )
            new_problems.append(
                StoredProblem(
                    id=problem.id,
                    label="",
                    keywords=[],
                    size=len(members),
                    vector_sum=problem.vector_sum,
                    batch_id="",
                )
            )
        return new_problems

    def _relabel(
        self,
        connection: sqlite3.Connection,
        stored: list[StoredProblem],
        new_problems: list[StoredProblem],
        batch_id: str,
    ) -> None:
        """Name every problem again: class-based TF-IDF weighs each problem against all the others."""
        for problem in new_problems:
            problem.batch_id = batch_id
        problems = stored + new_problems
        counts = load_keyword_counts(connection)
        # Russian members are skipped when choosing the label, so more than the few central ones are read.
        central = load_central_members(connection, RUSSIAN_MARGIN * CENTRAL_STATEMENTS)
        names = name_problems(
            [counts.get(problem.id, Counter()) for problem in problems],
            [_central_texts_of(central.get(problem.id, []), self._language_of) for problem in problems],
            self._pipeline,
        )
        for problem, name in zip(problems, names, strict=True):
            problem.label, problem.keywords = name.label, name.keywords
        save_problems(connection, problems)

    def _centre(
        self, settings: dict[str, str], embeddings: np.ndarray, items: Sequence[ProblemItem]
    ) -> CollectionCentre:
        """The stored centre of the problem set; before there is one, the centre of what has been received."""
        if CENTRE_SETTING in settings:
            return CollectionCentre.from_json(settings[CENTRE_SETTING])
        return CollectionCentre.of(embeddings, self._languages(items))

    def _batch_report(
        self,
        connection: sqlite3.Connection,
        items: list[ProblemItem],
        placements: dict[str, ItemPlacement],
        formed: list[_FormedProblem],
        already_seen: int,
    ) -> ProblemReport:
        touched = {placement.problem_id for placement in placements.values() if placement.problem_id}
        return ProblemReport(
            problems=[problem for problem in self.list_problems(connection) if problem.id in touched],
            assignments=_assignments(items, placements),
            new_problem_ids=sorted(problem.id for problem in formed),
            already_seen=already_seen,
        )

    def _settings(self, threshold: float, centre: CollectionCentre) -> dict[str, str]:
        return {
            THRESHOLD_SETTING: repr(threshold),
            CENTRE_SETTING: centre.to_json(),
            "merge_similarity": repr(self.parameters.merge_similarity),
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

    def _fresh_embeddings(
        self, items: list[ProblemItem], embeddings: np.ndarray | None, fresh: list[ProblemItem]
    ) -> np.ndarray:
        if embeddings is None:
            return self._embed(fresh)
        row_of = {item.id: row for row, item in enumerate(items)}
        return np.asarray(embeddings, dtype=np.float32)[[row_of[item.id] for item in fresh]]

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
        return self._embedder.embed_queries([item.text for item in items], show_progress=self._show_progress)


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


def _problem(
    problem_id: str,
    name: ProblemName,
    members: list[ProblemItem],
    similarities: list[float],
    totals: Counter[str],
) -> Problem:
    return Problem(
        id=problem_id,
        label=name.label,
        keywords=name.keywords,
        recurrence=recurrence_of(members, totals),
        examples=typical_examples(members, similarities),
    )


def _central_texts_of(
    members: list[tuple[ProblemItem, float]], language_of: Callable[[str], str]
) -> list[str]:
    return central_texts(
        [item for item, _ in members], [similarity for _, similarity in members], language_of
    )


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


def _stack(first: np.ndarray, second: np.ndarray | None) -> np.ndarray:
    if second is None:
        return first
    if len(first) == 0:
        return second
    return np.vstack([first, second])
