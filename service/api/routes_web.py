"""The analysts' web page: ``/`` and its static files under ``/web/``, all from ``service/web/``.

The page is plain HTML, CSS and ES modules with no build step; it talks to the same HTTP API as any other
client. Only files that exist in the folder with a known type are served, and a name cannot hold a slash,
so nothing outside the folder can be reached.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

WEB_FOLDER = Path(__file__).resolve().parents[1] / "web"
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}
# The page is small and changes with the package; revalidating each load costs little and never shows a stale script.
NO_STALE_COPIES = {"Cache-Control": "no-cache"}

router = APIRouter(include_in_schema=False)


@router.get("/")
def page() -> FileResponse:
    """The single page; its views (search, source, basket, problems, upload) are chosen by the URL's query."""
    return _web_file("index.html")


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    """The tab's icon, for browsers that ask for it before reading the page's ``<link rel="icon">``."""
    return _web_file("favicon.svg")


@router.get("/web/{name}")
def web_file(name: str) -> FileResponse:
    """A stylesheet, script module or image of the page."""
    return _web_file(name)


def _web_file(name: str) -> FileResponse:
    path = WEB_FOLDER / name
    media_type = MEDIA_TYPES.get(path.suffix)
    if media_type is None or not path.is_file():
        raise HTTPException(404, f"the page has no file {name!r}")
    return FileResponse(path, media_type=media_type, headers=NO_STALE_COPIES)
