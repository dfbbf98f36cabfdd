"""The API keys in force, for admins: ids, names, roles and dates, never a key or its digest."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from service.access_keys import KeyStore

router = APIRouter(tags=["access"])


@router.get("/keys")
def list_keys(request: Request) -> dict[str, Any]:
    """Every key that opens this server (an admin key is needed)."""
    keys: KeyStore = request.app.state.keys
    return {"keys": [key.public() for key in keys.in_force()]}
