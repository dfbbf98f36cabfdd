"""Recurring problems: cluster the corpus, assign a batch, list and show problems."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Response
from pydantic import BaseModel, Field

from service.api.dependencies import get_hromada
from service.briefs import brief_report, brief_title, build_brief
from service.hromada import Hromada
from service.problems import BatchInputError, items_from_records
from service.report_document import ReportTitle
from service.report_docx import DOCX_TYPE, report_docx
from service.report_markdown import report_markdown
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


class Batch(BaseModel):
    """New submissions, each ``{"id", "text", "date"?, "region"?}``: checked as a batch file's lines are."""

    items: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_BATCH_ITEMS,
        examples=[
            [{"id": "1551-3101", "text": "Немає гарячої води", "date": "2015-03-02", "region": "Поділ"}]
        ],
    )


@router.post("/problems/cluster")
def cluster(hromada: HromadaDep, filters: ProblemFilters | None = None) -> dict[str, Any]:
    """Sort the problem statements of the indexed corpus into problems and list them."""
    filters = filters or ProblemFilters()
    threads = hromada.settings.served_batch_threads
    report = hromada.in_background(lambda: hromada.cluster_corpus(filters.search_filters(), threads=threads))
    problems = hromada.problems(filters.search_filters(), filters.min_size)
    return {**report.to_json(), "problems": [problem.to_json() for problem in problems]}


@router.post("/problems/assign")
def assign(batch: Batch, hromada: HromadaDep) -> dict[str, Any]:
    """Assign each item to a known problem when it is close enough; form new problems from the rest."""
    try:
        items = items_from_records(batch.items)
    except BatchInputError as error:
        raise HTTPException(422, str(error)) from None
    threads = hromada.settings.served_batch_threads
    return hromada.in_background(lambda: hromada.assign_batch(items, threads=threads)).to_json()


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
def get_problem(
    problem_id: str,
    hromada: HromadaDep,
    kind: str | None = None,
    region: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> dict[str, Any]:
    """One problem, counted over the statements that pass the filters (as in the list)."""
    filters = ProblemFilters(kind=kind, region=region, since=since, until=until)
    return hromada.problem(problem_id, filters.search_filters()).to_json()


@router.get("/problems/{problem_id}/brief", response_model=None)
def problem_brief(
    problem_id: str,
    hromada: HromadaDep,
    format: Literal["docx", "markdown", "json"] = "docx",
    kind: str | None = None,
    region: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Response | dict[str, Any]:
    """The problem's brief, the start of an analytical note in Ukrainian: its recurrence with a monthly chart,
    typical statements, governing law, similar proposals, earlier cases and partner hromadas, every quotation
    cited in a footnote. Counted over the statements that pass the filters (as ``GET /problems/{id}``); the
    Markdown carries its chart as a ``data:`` URI; ``json`` gives the quoted excerpts with their offsets."""
    filters = ProblemFilters(kind=kind, region=region, since=since, until=until)
    brief = build_brief(hromada, problem_id, filters.search_filters())
    if format == "json":
        return brief.to_json()
    report = brief_report(brief, ReportTitle(brief_title(brief), hromada.settings.report_author))
    if format == "markdown":
        return Response(
            report_markdown(report),
            media_type="text/markdown; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="brief-{problem_id}.md"'},
        )
    return Response(
        report_docx(report),
        media_type=DOCX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="brief-{problem_id}.docx"'},
    )
