"""Recurring problems: cluster the corpus, assign a batch, list and show problems."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from indexing.places import Gazetteer, normal_region
from indexing.store.problem_item import ProblemItem
from service.api.dependencies import get_hromada
from service.hromada import Hromada
from service.search_types import SearchFilters

router = APIRouter(tags=["problems"])
HromadaDep = Annotated[Hromada, Depends(get_hromada)]
MAX_BATCH_ITEMS = 10_000


class ProblemFilters(BaseModel):
    """Which statements count: by document kind, region and period (inclusive, YYYY-MM-DD)."""

    kind: str | None = None
    region: str | None = None
    since: str | None = None
    until: str | None = None
    min_size: int = Field(2, ge=1)

    def search_filters(self) -> SearchFilters:
        return SearchFilters(kind=self.kind or None, region=self.region, since=self.since, until=self.until)


class BatchItem(BaseModel):
    """A new submission: its own id (re-sending it counts nothing twice), its text, when and where."""

    id: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=20_000)
    date: str | None = None
    region: str | None = None


class Batch(BaseModel):
    items: list[BatchItem] = Field(min_length=1, max_length=MAX_BATCH_ITEMS)


@router.post("/problems/cluster")
def cluster(hromada: HromadaDep, filters: ProblemFilters | None = None) -> dict[str, Any]:
    """Sort the problem statements of the indexed corpus into problems and list them."""
    filters = filters or ProblemFilters()
    report = hromada.cluster_corpus(filters.search_filters())
    problems = hromada.problems(filters.search_filters(), filters.min_size)
    return {**report.to_json(), "problems": [problem.to_json() for problem in problems]}


@router.post("/problems/assign")
def assign(batch: Batch, hromada: HromadaDep) -> dict[str, Any]:
    """Assign each item to a known problem when it is close enough; form new problems from the rest."""
    items = [
        ProblemItem(
            id=item.id,
            text=item.text.strip(),
            date=item.date,
            region=normal_region(item.region, Gazetteer.default()),
        )
        for item in batch.items
    ]
    return hromada.assign_batch(items).to_json()


@router.get("/problems")
def list_problems(
    hromada: HromadaDep,
    kind: str | None = None,
    region: str | None = None,
    since: str | None = None,
    until: str | None = None,
    min_size: int = 1,
) -> dict[str, Any]:
    filters = ProblemFilters(kind=kind, region=region, since=since, until=until, min_size=max(min_size, 1))
    problems = hromada.problems(filters.search_filters(), filters.min_size)
    return {"problems": [problem.to_json() for problem in problems]}


@router.get("/problems/{problem_id}")
def get_problem(problem_id: str, hromada: HromadaDep) -> dict[str, Any]:
    return hromada.problem(problem_id).to_json()
