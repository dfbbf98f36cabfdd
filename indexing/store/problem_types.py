"""What the problem tables hold and what a batch reads and writes: the same types for every backend."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from indexing.errors import StoreBusyError
from indexing.store.problem_item import ProblemItem, StoredProblem

VERSION_SETTING = "problem_set_version"
"""The setting that grows by one with every saved batch: a batch computed from an older version is refused."""


@dataclass(frozen=True)
class ItemPlacement:
    """Where a received item went: its problem (None when unassigned) and its similarity to that centre."""

    problem_id: str | None
    similarity: float | None


@dataclass(frozen=True)
class ItemFilter:
    """Which statements to count: by kind, region, and a period of days (inclusive, ``YYYY-MM-DD``)."""

    kind: str | None = None
    region: str | None = None
    since: str | None = None
    until: str | None = None


@dataclass(frozen=True)
class BatchRecord:
    """The summary row of one received batch."""

    id: str
    received_at: str
    item_count: int
    already_seen: int
    assigned_to_known: int
    new_problems: int


class ProblemSetChangedError(StoreBusyError):
    """The problems changed between reading them and saving a batch computed from them: another batch won.

    A kind of busy store (HTTP 409): the batch saved nothing and can be sent again.
    """


CENTRAL_MEMBERS_READ = 48
"""Central members read per problem for its label: six times the eight it uses, as Russian ones are skipped."""


@dataclass
class ProblemSnapshot:
    """The problem tables as one batch is computed from them: read at one version, outside any write."""

    version: int
    placements: dict[str, ItemPlacement]
    """Where the batch's items that were received before went."""
    settings: dict[str, str]
    waiting: list[ProblemItem]
    """Items of earlier batches that fit no problem yet."""
    waiting_embeddings: np.ndarray | None
    problems: list[StoredProblem]
    keyword_counts: dict[str, Counter[str]]
    batch_count: int
    central_members: dict[str, list[tuple[ProblemItem, float]]]
    """Each problem's members closest to its centre, with their similarity: where its label is taken from."""


@dataclass
class BatchWrite:
    """Everything saving one batch changes, computed beforehand from the snapshot of ``version``."""

    version: int
    record: BatchRecord
    items: list[tuple[ProblemItem, ItemPlacement, np.ndarray | None]]
    """The batch's new items with their placement (and embedding, kept while unassigned)."""
    waiting_placements: dict[str, ItemPlacement]
    """Waiting items of earlier batches that now form a problem."""
    problems: list[StoredProblem]
    """Every problem, new or changed, with its new label, size and vector sum."""
    added_keyword_counts: dict[str, Counter[str]] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)
