"""Builds the FastAPI application around one ``Hromada`` and turns hromada's errors into plain JSON 4xx."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from indexing.errors import IncompatibleStoreError, StoreBusyError, StoreError
from models.errors import HromadaError
from service.api import (
    routes_documents,
    routes_keys,
    routes_precedents,
    routes_problems,
    routes_search,
    routes_web,
)
from service.api.access import install_access
from service.api.readiness import Readiness
from service.hromada import DocumentNotFoundError, Hromada
from service.problems import ProblemNotFoundError

log = logging.getLogger(__name__)


def create_app(hromada: Hromada, load_models_first: bool = False) -> FastAPI:
    """The HTTP application serving ``hromada``; OpenAPI at ``/docs``.

    With ``load_models_first`` (``hromada serve``) the models load as the server starts, and ``/health``
    answers "starting" with status 503 until they have; otherwise they load on first use.
    """
    readiness = Readiness()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if load_models_first:
            readiness.load_in_background(hromada.warm_up)
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="hromada",
        description="Search, cited excerpts, recurring problems and precedents over Ukrainian documents "
        "about local self-government.",
        version="0.1.0",
    )
    app.state.hromada = hromada
    app.state.readiness = readiness
    app.include_router(routes_search.router)
    app.include_router(routes_documents.router)
    app.include_router(routes_web.router)
    app.include_router(routes_keys.router)
    app.include_router(routes_precedents.router)
    app.include_router(routes_problems.router)
    install_access(app, hromada.settings)
    _install_error_handlers(app)
    return app


def _install_error_handlers(app: FastAPI) -> None:
    statuses: list[tuple[type[Exception], int]] = [
        (DocumentNotFoundError, 404),
        (ProblemNotFoundError, 404),
        (StoreBusyError, 409),
        (IncompatibleStoreError, 409),
        (StoreError, 503),
        (HromadaError, 400),
    ]

    async def hromada_error(request: Request, error: Exception) -> JSONResponse:
        status = next(code for kind, code in statuses if isinstance(error, kind))
        # Messages name the store's folder for the command line; a caller over HTTP need not know it.
        store = str(request.app.state.hromada.settings.store)
        return JSONResponse({"detail": str(error).replace(store, "the store")}, status_code=status)

    async def invalid_request(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        problems = [
            f"{'.'.join(str(part) for part in problem['loc'] if part != 'body')}: {problem['msg']}"
            for problem in error.errors()
        ]
        return JSONResponse({"detail": "; ".join(problems)}, status_code=422)

    async def unexpected_error(_: Request, error: Exception) -> JSONResponse:
        # The cause goes to the server's log; the caller learns nothing of the internals.
        log.exception("unexpected error", exc_info=error)
        return JSONResponse({"detail": "internal error; the server's log has the details"}, status_code=500)

    app.add_exception_handler(HromadaError, hromada_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(Exception, unexpected_error)
