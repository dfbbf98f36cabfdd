"""What routes get from the application: the one ``Hromada`` it serves."""

from __future__ import annotations

from fastapi import Request

from service.hromada import Hromada


def get_hromada(request: Request) -> Hromada:
    hromada: Hromada = request.app.state.hromada
    return hromada
