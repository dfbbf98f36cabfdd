"""Precedents of a problem and partners for inter-municipal cooperation."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from service.api.dependencies import get_hromada
from service.hromada import Hromada
from service.precedents.partner_finder import MAX_PARTNERS
from service.precedents.precedent_finder import MAX_PRECEDENTS
from service.precedents.precedent_service import partner_finder, precedent_finder, problem_text
from service.search_types import SearchFilters
from service.searcher import MAX_QUERY_CHARS

router = APIRouter()
HromadaDep = Annotated[Hromada, Depends(get_hromada)]


class PrecedentRequest(BaseModel):
    """A problem as a text or as the id of a saved problem, with optional filters."""

    text: str | None = Field(None, max_length=MAX_QUERY_CHARS)
    problem_id: str | None = None
    k: int = Field(5, ge=1, le=MAX_PRECEDENTS)
    sector: str | None = None
    region: str | None = None
    since: str | None = None
    until: str | None = None


class PartnerRequest(BaseModel):
    """A hromada by name, or a problem text."""

    hromada: str | None = Field(None, max_length=200)
    text: str | None = Field(None, max_length=MAX_QUERY_CHARS)
    k: int = Field(5, ge=1, le=MAX_PARTNERS)


@router.post("/precedents", tags=["precedents"], response_model=None)
def precedents(request: PrecedentRequest, hromada: HromadaDep) -> JSONResponse | dict[str, Any]:
    """Three lists: the law articles that govern the problem, projects of other communities, earlier cases."""
    if (request.text is None) == (request.problem_id is None):
        return JSONResponse({"detail": "give either text or problem_id"}, status_code=422)
    text = request.text if request.text is not None else problem_text(hromada, str(request.problem_id))
    filters = SearchFilters(
        sector=request.sector, region=request.region, since=request.since, until=request.until
    )
    return precedent_finder(hromada).find(text, request.k, filters).to_dict()


@router.post("/partners", tags=["precedents"], response_model=None)
def partners(request: PartnerRequest, hromada: HromadaDep) -> JSONResponse | dict[str, Any]:
    """Hromadas with the same problem or goals, nearby and complementary (rural with urban) first."""
    if (request.hromada is None) == (request.text is None):
        return JSONResponse({"detail": "give either hromada or text"}, status_code=422)
    finder = partner_finder(hromada)
    if request.hromada is not None:
        own, suggestions = finder.for_hromada(request.hromada, request.k)
        return {"hromada": own.hromada, "partners": [suggestion.to_dict() for suggestion in suggestions]}
    suggestions = finder.for_problem(str(request.text), request.k)
    return {"hromada": None, "partners": [suggestion.to_dict() for suggestion in suggestions]}
