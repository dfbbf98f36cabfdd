"""Who may call what, how much and how large: API keys and roles, rate limits, body size limits, CORS.

Three ASGI middlewares wrap the application, outermost first:

1. CORS, only for the origins listed in ``Settings.cors_origins`` (none by default: browsers on other sites get
   no access to the answers);
2. ``AccessGuard``: once a key exists (a keys file, or keys in the environment), every request but ``/health`` and the web page's files needs a valid
   key (``X-API-Key: KEY`` or ``Authorization: Bearer KEY``) — 401 without one, 403 when its role may not do
   the request — and each client (its key, or its address without keys) gets ``rate_limit_per_minute``
   requests a minute — 429 with ``Retry-After`` beyond;
3. ``BodySizeLimit``: JSON bodies over ``max_request_bytes`` and uploads over ``max_upload_bytes`` are refused
   with 413, before they are read when their length is declared and as soon as they pass it when streamed.
"""

from __future__ import annotations

import ipaddress
import json
import math
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from models.errors import HromadaError
from service.access_keys import ApiKey, KeyStore, StoreOpener, role_allows
from service.api.ukrainian_messages import for_status
from service.settings import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PUBLIC = "public"
# (method, path, role needed); a path ending in "/*" covers everything under it. Anything not listed needs
# an admin key: a route added later is closed until someone decides who may use it.
PERMISSIONS: tuple[tuple[str, str, str], ...] = (
    ("GET", "/health", PUBLIC),
    # The web page and its files hold no data: the page asks for a key before it asks for anything.
    ("GET", "/", PUBLIC),
    ("GET", "/web/*", PUBLIC),
    ("GET", "/stats", "reader"),
    ("GET", "/search", "reader"),
    ("POST", "/excerpts", "reader"),
    ("GET", "/documents", "reader"),
    ("GET", "/documents/*", "reader"),
    ("GET", "/problems", "reader"),
    ("GET", "/problems/*", "reader"),
    ("POST", "/precedents", "reader"),
    ("POST", "/partners", "reader"),
    ("GET", "/favicon.ico", PUBLIC),
    # Swagger UI's and ReDoc's scripts, as any page's files: the API they describe still needs a key.
    ("GET", "/docs-assets/*", PUBLIC),
    ("GET", "/docs", "reader"),
    ("GET", "/docs/*", "reader"),
    ("GET", "/redoc", "reader"),
    ("GET", "/openapi.json", "reader"),
    ("POST", "/documents", "writer"),
    ("DELETE", "/documents/*", "writer"),
    ("POST", "/problems/assign", "writer"),
    ("POST", "/problems/cluster", "writer"),
    ("GET", "/keys", "admin"),
)
UPLOAD_TYPE = "multipart/form-data"
_MAX_TRACKED_CLIENTS = 10_000


class UnprotectedServerError(HromadaError):
    """``serve`` was asked to listen beyond this machine while no API key exists."""


def check_binding(host: str, keys: KeyStore) -> None:
    """Refuse to serve on a non-loopback address while anybody who reaches the port could read everything."""
    if keys.has_keys() or is_loopback(host):
        return
    raise UnprotectedServerError(
        f"refusing to serve on {host}: there are no API keys, so anyone who can reach the port could read "
        "and change the store. Create one with `hromada keys create --role admin` (or set HROMADA_API_KEYS), "
        "or serve on 127.0.0.1"
    )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def required_role(method: str, path: str) -> str:
    """The role a request needs (``PUBLIC`` for none); HEAD is a GET without the body."""
    method = "GET" if method == "HEAD" else method
    for rule_method, rule_path, role in PERMISSIONS:
        if rule_method == method and _path_matches(rule_path, path):
            return role
    return "admin"


def _path_matches(rule: str, path: str) -> bool:
    if rule.endswith("/*"):
        return path.startswith(rule[:-1]) and len(path) > len(rule) - 1
    return path == rule


def presented_key(headers: dict[str, str]) -> str | None:
    """The key of ``X-API-Key``, else of ``Authorization: Bearer``."""
    if headers.get("x-api-key"):
        return headers["x-api-key"].strip()
    scheme, _, credentials = headers.get("authorization", "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" and credentials.strip() else None


def install_access(app: FastAPI, settings: Settings, stores: StoreOpener) -> None:
    """Wrap ``app`` in the body size limit, the key and rate checks and CORS (added inside out)."""
    keys = KeyStore.from_settings(settings, stores)
    app.state.keys = keys
    app.add_middleware(
        BodySizeLimit, json_limit=settings.max_request_bytes, upload_limit=settings.max_upload_bytes
    )
    app.add_middleware(AccessGuard, keys=keys, limiter=RateLimiter(settings.rate_limit_per_minute))
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["X-API-Key", "Authorization", "Content-Type"],
        )


async def send_error(send: Send, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"detail": detail, **for_status(status).to_dict()}).encode("utf-8")
    raw_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw_headers += [(name.lower().encode(), value.encode()) for name, value in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


def _headers(scope: Scope) -> dict[str, str]:
    return {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}


class RateLimiter:
    """A token bucket per client: ``per_minute`` requests a minute, in bursts of up to ``per_minute``."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, when counted)

    def retry_after(self, client: str) -> float:
        """0 when the client may go on (the request is counted), else the seconds until it may."""
        now = self._clock()
        rate = self.per_minute / 60.0
        tokens, counted = self._buckets.get(client, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - counted) * rate)
        if tokens < 1.0:
            self._buckets[client] = (tokens, now)
            return (1.0 - tokens) / rate
        self._buckets[client] = (tokens - 1.0, now)
        if len(self._buckets) > _MAX_TRACKED_CLIENTS:
            self._forget_idle(now, rate)
        return 0.0

    def _forget_idle(self, now: float, rate: float) -> None:
        # A client whose bucket has refilled is the same as one never seen: keep memory bounded.
        self._buckets = {
            client: (tokens, counted)
            for client, (tokens, counted) in self._buckets.items()
            if tokens + (now - counted) * rate < self.per_minute
        }


class AccessGuard:
    """Keys, roles and rate limits in front of every route."""

    def __init__(self, app: ASGIApp, keys: KeyStore, limiter: RateLimiter) -> None:
        self.app = app
        self.keys = keys
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        needed = required_role(scope["method"], scope["path"])
        if needed == PUBLIC:
            await self.app(scope, receive, send)
            return
        key: ApiKey | None = None
        if self.keys.restricted():
            key = self.keys.authenticate(presented_key(_headers(scope)))
            if key is None:
                detail = "an API key is needed: send it as X-API-Key or Authorization: Bearer"
                await send_error(send, 401, detail, {"WWW-Authenticate": "Bearer"})
                return
            if not role_allows(key.role, needed):
                await send_error(send, 403, f"a {key.role} key may not do this; it needs a {needed} key")
                return
        client = f"key {key.id}" if key else f"address {(scope.get('client') or ('unknown',))[0]}"
        wait = self.limiter.retry_after(client)
        if wait > 0:
            detail = f"too many requests: the limit is {self.limiter.per_minute} a minute"
            await send_error(send, 429, detail, {"Retry-After": str(math.ceil(wait))})
            return
        await self.app(scope, receive, send)


class RequestTooLargeError(Exception):
    """Raised into the application when a streamed body passes its limit; answered with 413."""


class BodySizeLimit:
    """413 for bodies over their limit: uploads have ``upload_limit``, every other body ``json_limit``."""

    def __init__(self, app: ASGIApp, json_limit: int, upload_limit: int) -> None:
        self.app = app
        self.json_limit = json_limit
        self.upload_limit = upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        is_upload = headers.get("content-type", "").startswith(UPLOAD_TYPE)
        limit = self.upload_limit if is_upload else self.json_limit
        detail = (
            f"the {'upload' if is_upload else 'request body'} is larger than the limit of {limit:,} bytes"
        )
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await send_error(send, 413, detail)
            return
        received = 0
        too_large = False
        response_started = False

        async def counted_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                too_large = True
                raise RequestTooLargeError(detail)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            # Whatever the application answers to a body cut short, the caller is told it was too large.
            if not too_large:
                response_started = True
                await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            # The application may turn the cut-off body into an error of its own: the cause is the size.
            if not too_large:
                raise
        if too_large and not response_started:
            await send_error(send, 413, detail)
