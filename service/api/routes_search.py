"""Search, excerpts, health and statistics."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from service.api.dependencies import get_hromada
from service.excerpt_export import ReportTitle, query_title, to_docx, to_markdown
from service.hromada import Hromada
from service.report_docx import DOCX_TYPE
from service.search_types import SearchFilters
from service.searcher import MAX_K, MAX_OFFSET, MAX_QUERY_CHARS

router = APIRouter()
HromadaDep = Annotated[Hromada, Depends(get_hromada)]
# Longer queries are cut to MAX_QUERY_CHARS and the answer says so; past this, a query is a mistake (or an attack).
MAX_QUERY_INPUT_CHARS = 5 * MAX_QUERY_CHARS


@router.get("/health", tags=["service"], responses={503: {"description": "still loading its models"}})
def health(request: Request, hromada: HromadaDep) -> JSONResponse:
    """Whether the service is ready ("ok"), still loading its models ("starting", 503) or failed to load them,
    whether its store exists, and whether requests need an API key."""
    readiness = request.app.state.readiness
    body: dict[str, Any] = {
        "status": readiness.status,
        "store": hromada.has_store(),
        "keys": request.app.state.keys.restricted(),
    }
    if readiness.detail:
        body["detail"] = readiness.detail
    return JSONResponse(body, status_code=200 if readiness.ready else 503)


@router.get("/stats", tags=["service"])
def stats(hromada: HromadaDep) -> dict[str, Any]:
    """Counts of sources, documents and chunks; the model and index type."""
    # The store's folder is the server's business, not the caller's.
    return {key: value for key, value in hromada.stats().items() if key != "store"}


@router.get("/search", tags=["search"])
def search(
    hromada: HromadaDep,
    q: Annotated[
        str,
        Query(
            min_length=1, max_length=MAX_QUERY_INPUT_CHARS, description="the question (searched: its start)"
        ),
    ],
    k: Annotated[int, Query(ge=1, le=MAX_K)] = 10,
    kind: str | None = None,
    sector: str | None = None,
    region: str | None = None,
    since: str | None = None,
    until: str | None = None,
    mode: Literal["hybrid", "dense", "lexical"] = "hybrid",
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="hits to skip: a page's start")] = 0,
) -> dict[str, Any]:
    """Hybrid (dense + lemma BM25) search with filters applied before ranking; ``offset`` pages through.

    Besides the hits: ``total`` passages hold a word of the query (``total_is_more``: more than that),
    ``close_match`` is false when no passage reaches the relevance floor, ``cut`` when only the query's first
    characters were searched (``query`` is what was searched); each hit has its ``relevance`` and ``highlights``.
    """
    filters = SearchFilters(kind=kind or None, sector=sector, region=region, since=since, until=until)
    return hromada.search_answer(q, k, filters, mode, offset).to_dict()


class ExcerptRequest(BaseModel):
    """Either a query (with filters) or the chunk ids of a report basket, in the order wanted."""

    query: str | None = Field(None, max_length=2000)
    chunk_ids: list[int] | None = Field(None, max_length=500)
    title: str | None = Field(
        None, max_length=200, description="the report's name, for the chunk_ids of a basket"
    )
    k: int = Field(5, ge=1, le=MAX_K)
    format: Literal["json", "markdown", "docx"] = "json"
    kind: str | None = None
    sector: str | None = None
    region: str | None = None
    since: str | None = None
    until: str | None = None


@router.post("/excerpts", tags=["search"], response_model=None)
def excerpts(request: ExcerptRequest, hromada: HromadaDep) -> Response | dict[str, Any]:
    """Excerpts with numbered citations, as JSON, Markdown with footnotes, or DOCX."""
    if request.chunk_ids:
        found = hromada.excerpts_of_chunks(request.chunk_ids)
        title = (request.title or "").strip() or "Звіт"
    elif request.query and request.query.strip():
        filters = SearchFilters(
            kind=request.kind or None,
            sector=request.sector,
            region=request.region,
            since=request.since,
            until=request.until,
        )
        found = hromada.excerpts(request.query, request.k, filters)
        title = query_title(request.query)
    else:
        return JSONResponse({"detail": "give a query or chunk_ids"}, status_code=422)
    report = ReportTitle(title, hromada.settings.report_author)
    if request.format == "markdown":
        return Response(to_markdown(found, report), media_type="text/markdown; charset=utf-8")
    if request.format == "docx":
        return Response(
            to_docx(found, report),
            media_type=DOCX_TYPE,
            headers={"Content-Disposition": 'attachment; filename="excerpts.docx"'},
        )
    return {"query": request.query, "excerpts": [excerpt.to_dict() for excerpt in found]}
