"""The API's own documentation, ``/docs`` (Swagger UI) and ``/redoc``, working with no internet.

FastAPI's pages load their scripts from a CDN; these load them from ``/docs-assets/``, served from the files
that the ``fastapi-offline`` package ships (Swagger UI, Apache-2.0; ReDoc, MIT). ReDoc's web fonts are left out
for the same reason: the browser's own fonts are used.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, HTTPException, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

ASSETS_FOLDER = Path(fastapi_offline.__file__).resolve().parent / "static"
ASSETS_URL = "/docs-assets"
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
}
FAVICON_URL = "/favicon.ico"

router = APIRouter(include_in_schema=False)


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    """The interactive API reference: every route with its parameters, tried from the page."""
    return get_swagger_ui_html(
        openapi_url=_openapi_url(request),
        title=f"{request.app.title} — API",
        swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url=FAVICON_URL,
    )


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    """The same reference as one readable page."""
    return get_redoc_html(
        openapi_url=_openapi_url(request),
        title=f"{request.app.title} — API",
        redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
        redoc_favicon_url=FAVICON_URL,
        with_google_fonts=False,
    )


@router.get(f"{ASSETS_URL}/{{name}}")
def asset(name: str) -> FileResponse:
    """One of the documentation pages' scripts or stylesheets; only the listed names exist."""
    if name not in ASSETS:
        raise HTTPException(404, f"the API documentation has no file {name!r}")
    return FileResponse(ASSETS_FOLDER / name, media_type=ASSETS[name])


def _openapi_url(request: Request) -> str:
    return f"{request.scope.get('root_path', '')}{request.app.openapi_url}"
