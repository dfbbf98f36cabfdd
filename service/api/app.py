"""Builds the FastAPI application around one ``Hromada`` and turns hromada's errors into plain JSON 4xx."""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from indexing.errors import IncompatibleStoreError, InvalidOptionError, StoreBusyError, StoreError
from models.errors import HromadaError, ModelNotAvailableError
from service.api import (
    routes_api_docs,
    routes_documents,
    routes_keys,
    routes_precedents,
    routes_problems,
    routes_search,
    routes_web,
)
from service.api.access import install_access
from service.api.readiness import Readiness
from service.api.ukrainian_messages import PlainMessage, for_field, for_status, for_validation
from service.hromada import DocumentNotFoundError, Hromada
from service.precedents.partner_finder import UnknownHromadaError
from service.problems import ProblemNotFoundError
from service.problems.batch_input import BatchInputError
from service.search_types import InvalidQueryError

log = logging.getLogger(__name__)


def create_app(hromada: Hromada, load_models_first: bool = False) -> FastAPI:
    """The HTTP application serving ``hromada``; OpenAPI at ``/docs``.

    With ``load_models_first`` (``hromada serve``) the models load as the server starts, and ``/health``
    answers "starting" with status 503 until they have; otherwise they load on first use.
    """
    readiness = Readiness()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # A long computation in pure Python (naming the problems of a batch) holds the GIL for the whole
        # interval before a search thread may run: a shorter interval keeps searches quick meanwhile.
        sys.setswitchinterval(hromada.settings.gil_switch_seconds)
        if load_models_first:
            readiness.load_in_background(hromada.warm_up)
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="hromada",
        description="Search, cited excerpts, recurring problems and precedents over Ukrainian documents "
        "about local self-government.",
        version="0.1.0",
        # Served by routes_api_docs from local files: FastAPI's own pages need a CDN.
        docs_url=None,
        redoc_url=None,
    )
    app.state.hromada = hromada
    app.state.readiness = readiness
    app.include_router(routes_search.router)
    app.include_router(routes_documents.router)
    app.include_router(routes_web.router)
    app.include_router(routes_api_docs.router)
    app.include_router(routes_keys.router)
    app.include_router(routes_precedents.router)
    app.include_router(routes_problems.router)
    install_access(app, hromada.settings, hromada)
    _install_error_handlers(app)
    return app


def _install_error_handlers(app: FastAPI) -> None:
    """Errors as JSON: English ``detail``, Ukrainian ``message`` and ``advice``, and ``field`` when one is at fault.

    One rule for the caller's mistakes: 422 when the request's content is at fault (a field missing, out of range
    or of an unknown value, or an input file that cannot be used), whether FastAPI's types or hromada's own
    checks find it, so that the same mistake never answers differently; 400 for the few that no part of the
    request is to blame for.
    """
    statuses: list[tuple[type[Exception], int]] = [
        (DocumentNotFoundError, 404),
        (ProblemNotFoundError, 404),
        (StoreBusyError, 409),
        (IncompatibleStoreError, 409),
        (StoreError, 503),
        (ModelNotAvailableError, 503),
        (InvalidQueryError, 422),
        (InvalidOptionError, 422),
        (BatchInputError, 422),
        (UnknownHromadaError, 422),
        (HromadaError, 400),
    ]

    async def hromada_error(request: Request, error: Exception) -> JSONResponse:
        status = next(code for kind, code in statuses if isinstance(error, kind))
        # Messages name the store's folder for the command line; a caller over HTTP need not know it.
        address = request.app.state.hromada.settings.store_address
        detail = str(error).replace(address.text, "the store").replace(address.shown, "the store")
        return _error_response(status, detail, _plain_message(error, status))

    async def invalid_request(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        problems = [
            f"{'.'.join(str(part) for part in problem['loc'] if part != 'body')}: {problem['msg']}"
            for problem in error.errors()
        ]
        return _error_response(422, "; ".join(problems), for_validation(error.errors()[0]))

    async def http_error(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, StarletteHTTPException)
        return _error_response(error.status_code, str(error.detail), for_status(error.status_code))

    async def unexpected_error(_: Request, error: Exception) -> JSONResponse:
        # The cause goes to the server's log; the caller learns nothing of the internals.
        log.exception("unexpected error", exc_info=error)
        return _error_response(500, "internal error; the server's log has the details", for_status(500))

    app.add_exception_handler(HromadaError, hromada_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)


def _plain_message(error: Exception, status: int) -> PlainMessage:
    if isinstance(error, InvalidQueryError) and error.field:
        return for_field(error.field, error.allowed)
    if isinstance(error, DocumentNotFoundError):
        return PlainMessage(
            "Такого документа немає у сховищі.", "Можливо, його видалили; поверніться до пошуку."
        )
    if isinstance(error, ProblemNotFoundError):
        return PlainMessage(
            "Такої проблеми немає.", "Проблеми могли перерахувати заново: відкрийте перелік проблем."
        )
    return for_status(status)


def _error_response(status: int, detail: str, plain: PlainMessage) -> JSONResponse:
    return JSONResponse({"detail": detail, **plain.to_dict()}, status_code=status)
