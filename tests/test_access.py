"""Access to the HTTP API: keys and roles, revocation, loopback-only without keys, CORS and rate limits.

Access does not depend on what the vectors mean: the store is the shared corpus with the fake encoder's vectors."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from service.access_keys import AccessConfigError, KeysFile, KeyStore, parse_environment_keys
from service.api import create_app
from service.api.access import RateLimiter, UnprotectedServerError, check_binding, required_role
from service.cli import main
from service.hromada import Hromada
from service.settings import Settings

REPOSITORY = Path(__file__).resolve().parents[1]
SEARCH = {"q": "підвезення учнів до школи", "k": 2}


def serving(indexed: Hromada, keys_file: Path, **settings: object) -> tuple[TestClient, KeyStore]:
    """A client of an app over the shared indexed store (read only here), with its own keys file."""
    hromada = Hromada(
        Settings(store=indexed.settings.store, keys_file=keys_file, **settings),
        embedder=indexed.embedder,
        pipeline=indexed.pipeline,
    )
    return TestClient(create_app(hromada)), KeyStore(KeysFile(keys_file))


@pytest.fixture
def guarded(fake_indexed: Hromada, tmp_path: Path) -> tuple[TestClient, KeyStore]:
    return serving(fake_indexed, tmp_path / "keys.json")


def hromada_command(*args: str | Path, **environment: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "service.cli", *map(str, args)]
    env = {**os.environ, "PYTHONPATH": str(REPOSITORY), **environment}
    return subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)


def test_without_keys_the_api_is_open_on_loopback(guarded: tuple[TestClient, KeyStore]) -> None:
    client, _ = guarded
    assert client.get("/search", params=SEARCH).status_code == 200
    check_binding("127.0.0.1", KeyStore(KeysFile(Path("/nonexistent/keys.json"))))
    check_binding("::1", KeyStore(KeysFile(Path("/nonexistent/keys.json"))))
    with pytest.raises(UnprotectedServerError, match="no API keys"):
        check_binding("0.0.0.0", KeyStore(KeysFile(Path("/nonexistent/keys.json"))))


def test_once_a_key_exists_every_request_but_health_needs_one(guarded: tuple[TestClient, KeyStore]) -> None:
    client, keys = guarded
    _, reader = keys.create("reader", "аналітик")
    assert client.get("/health").status_code == 200
    assert client.get("/web/style.css").status_code in (200, 404)  # the page's files are never locked
    missing = client.get("/search", params=SEARCH)
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    assert client.get("/search", params=SEARCH, headers={"X-API-Key": reader + "x"}).status_code == 401
    assert client.get("/search", params=SEARCH, headers={"X-API-Key": reader}).status_code == 200
    bearer = {"Authorization": f"Bearer {reader}"}
    assert client.get("/search", params=SEARCH, headers=bearer).status_code == 200
    assert client.get("/openapi.json").status_code == 401


def test_roles_reader_writer_admin(guarded: tuple[TestClient, KeyStore]) -> None:
    client, keys = guarded
    reader, writer, admin = ({"X-API-Key": keys.create(role)[1]} for role in ("reader", "writer", "admin"))
    assert client.post("/excerpts", json={"query": "вода", "k": 1}, headers=reader).status_code == 200
    assert client.get("/stats", headers=reader).status_code == 200
    refused = client.delete("/documents/999999", headers=reader)
    assert refused.status_code == 403 and "writer" in refused.json()["detail"]
    assert client.post("/documents", files={"file": ("a.txt", b"x")}, headers=reader).status_code == 403
    # A writer passes the access check; the store then says there is no such document.
    assert client.delete("/documents/999999", headers=writer).status_code == 404
    assert client.get("/keys", headers=writer).status_code == 403
    listed = client.get("/keys", headers=admin)
    assert listed.status_code == 200
    assert [key["role"] for key in listed.json()["keys"]] == ["reader", "writer", "admin"]
    assert "sha256" not in listed.text and admin["X-API-Key"] not in listed.text
    assert required_role("POST", "/reindex") == "admin"  # routes nobody listed are for admins only


def test_keys_are_stored_hashed_in_a_private_file_and_revocation_is_immediate(
    guarded: tuple[TestClient, KeyStore],
) -> None:
    client, keys = guarded
    record, secret = keys.create("reader", "волонтер")
    _, admin = keys.create("admin")
    text = keys.records.path.read_text(encoding="utf-8")  # type: ignore[attr-defined]
    assert secret not in text and record.sha256 in text
    assert stat.S_IMODE(keys.records.path.stat().st_mode) == 0o600  # type: ignore[attr-defined]
    assert client.get("/search", params=SEARCH, headers={"X-API-Key": secret}).status_code == 200
    keys.revoke(record.id)
    assert client.get("/search", params=SEARCH, headers={"X-API-Key": secret}).status_code == 401
    keys.revoke(keys.authenticate(admin).id)
    # Revoking the last key locks the server rather than opening it to whoever reaches the port.
    assert client.get("/search", params=SEARCH).status_code == 401


def test_keys_from_the_environment(fake_indexed: Hromada, tmp_path: Path) -> None:
    secret = "k" * 40
    client, _ = serving(fake_indexed, tmp_path / "keys.json", api_keys=SecretStr(f"writer:{secret}"))
    assert client.get("/search", params=SEARCH).status_code == 401
    assert client.get("/search", params=SEARCH, headers={"X-API-Key": secret}).status_code == 200
    with pytest.raises(AccessConfigError, match="entry 2: the key is shorter") as error:
        parse_environment_keys(f"reader:{secret}, admin:tiny-key-7")
    assert "tiny-key-7" not in str(error.value)
    with pytest.raises(AccessConfigError, match="entry 1: expected role:KEY"):
        parse_environment_keys("superuser:" + secret)


def test_keys_commands_and_serve_refusing_an_open_address(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store"
    # In a process of its own: were the refusal missing, the server would start and keep running.
    refused = hromada_command("serve", "--host", "0.0.0.0", "--store", store)
    assert refused.returncode == 2 and "no API keys" in refused.stderr, refused.stderr
    create = ["keys", "create", "--role", "admin", "--name", "адміністратор", "--store", str(store), "--json"]
    assert main(create) == 0
    key = json.loads(capsys.readouterr().out)
    assert key["key"].startswith("hmd_") and key["role"] == "admin"
    assert main(["keys", "list", "--store", str(store), "--json"]) == 0
    listed = capsys.readouterr().out
    assert json.loads(listed)["keys"] == [{k: key[k] for k in ("id", "name", "role", "created")}]
    assert key["key"] not in listed
    assert main(["keys", "revoke", key["id"], "--store", str(store)]) == 0
    assert KeyStore(KeysFile(store / "keys.json")).in_force() == []
    assert main(["keys", "revoke", "nope", "--store", str(store)]) == 2
    assert "no key with id 'nope'" in capsys.readouterr().err


def test_cors_is_closed_unless_origins_are_listed(fake_indexed: Hromada, tmp_path: Path) -> None:
    origin = {"Origin": "https://hromada.example"}
    closed, _ = serving(fake_indexed, tmp_path / "a.json")
    assert "access-control-allow-origin" not in closed.get("/health", headers=origin).headers
    opened, _ = serving(fake_indexed, tmp_path / "b.json", cors_origins=["https://hromada.example"])
    assert opened.get("/health", headers=origin).headers["access-control-allow-origin"] == origin["Origin"]
    other = opened.get("/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_rate_limit_per_client_answers_429_with_retry_after(fake_indexed: Hromada, tmp_path: Path) -> None:
    client, keys = serving(fake_indexed, tmp_path / "keys.json", rate_limit_per_minute=3)
    first, second = ({"X-API-Key": keys.create("reader")[1]} for _ in range(2))
    statuses = [client.get("/stats", headers=first).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/stats", headers=first)
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert client.get("/stats", headers=second).status_code == 200  # another client has its own budget
    assert client.get("/health").status_code == 200


def test_rate_limiter_refills_over_time() -> None:
    now = [0.0]
    limiter = RateLimiter(60, clock=lambda: now[0])
    assert all(limiter.retry_after("адреса") == 0 for _ in range(60))
    assert limiter.retry_after("адреса") == pytest.approx(1.0)
    now[0] += 1.0
    assert limiter.retry_after("адреса") == 0
