"""The HTTP API (FastAPI): the same operations and JSON shapes as the command line."""

from service.api.app import create_app

__all__ = ["create_app"]
