"""API keys: who may call the HTTP API, and in which role.

Keys are kept in a JSON file (``Settings.keys_path``: by default ``keys.json`` in the store folder, mode 0600) and may
also be given in the environment (``HROMADA_API_KEYS="reader:KEY,admin:KEY"``). The file holds only the
SHA-256 digest of each key, never the key: a key is 256 random bits, so nobody can find a key from its digest
by trying candidates, and neither a salt (which defeats tables precomputed for guessable secrets) nor a slow
key-derivation function (which slows the guessing of human-chosen passwords) would add anything. A presented
key is hashed and compared with every stored digest by ``hmac.compare_digest``, in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from indexing.store.atomic_file import write_atomically
from indexing.store.write_lock import WriteLock
from models.errors import HromadaError
from service.settings import Settings

ROLES = ("reader", "writer", "admin")
"""Each role may do everything the roles before it may."""
KEY_PREFIX = "hmd_"
_KEY_BYTES = 32
MIN_ENVIRONMENT_KEY_CHARS = 32
"""Keys given in the environment are chosen by a person: shorter ones are refused as guessable."""
_LOCK_TIMEOUT = 10.0


class AccessConfigError(HromadaError):
    """The keys file or ``HROMADA_API_KEYS`` cannot be used; the message says what is wrong (never the key)."""


class UnknownKeyError(HromadaError):
    """No key with the id asked for."""


@dataclass(frozen=True)
class ApiKey:
    """A key as the store knows it: everything but the secret itself."""

    id: str
    name: str
    role: str
    created: str
    sha256: str

    def public(self) -> dict[str, str]:
        """What ``keys list`` and ``GET /keys`` show: no digest, no secret."""
        return {"id": self.id, "name": self.name, "role": self.role, "created": self.created}


def role_allows(role: str, needed: str) -> bool:
    """Whether a key of ``role`` may do what needs ``needed``."""
    return ROLES.index(role) >= ROLES.index(needed)


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class KeyStore:
    """The keys of one server: those of the keys file (re-read when it changes) and those of the environment."""

    def __init__(self, path: Path, environment_keys: str = "") -> None:
        self.path = path
        self._environment_keys = parse_environment_keys(environment_keys)
        self._file_keys: list[ApiKey] = []
        self._file_version: tuple[int, int, int] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyStore:
        return cls(settings.keys_path, settings.api_keys.get_secret_value())

    # ------------------------------------------------------------ reading

    def in_force(self) -> list[ApiKey]:
        """Every key in force: the file's, then the environment's."""
        self._reload_if_changed()
        return [*self._file_keys, *self._environment_keys]

    def has_keys(self) -> bool:
        """Whether any key is in force."""
        return bool(self.in_force())

    def restricted(self) -> bool:
        """Whether every request needs a key: once a keys file exists, even one whose keys were all revoked.

        Revoking the last key must lock a server that was allowed onto the network because it had keys,
        not open it; delete the keys file to open a loopback-only server again.
        """
        return bool(self._environment_keys) or self.path.exists()

    def authenticate(self, presented: str | None) -> ApiKey | None:
        """The key that ``presented`` is, or None; every digest is compared, in constant time."""
        if not presented:
            return None
        digest = key_digest(presented)
        found = None
        for key in self.in_force():
            if hmac.compare_digest(digest, key.sha256):
                found = key
        return found

    def _reload_if_changed(self) -> None:
        # A key revoked with ``hromada keys revoke`` must stop working in a running server at once.
        try:
            status = self.path.stat()
        except FileNotFoundError:
            self._file_keys, self._file_version = [], None
            return
        version = (status.st_mtime_ns, status.st_size, status.st_ino)
        if version != self._file_version:
            self._file_keys = self._read_file()
            self._file_version = version

    def _read_file(self) -> list[ApiKey]:
        try:
            records = json.loads(self.path.read_text(encoding="utf-8"))["keys"]
            return [ApiKey(**record) for record in records]
        except FileNotFoundError:
            return []
        except (OSError, ValueError, TypeError, KeyError) as error:
            raise AccessConfigError(f"{self.path}: the keys file is damaged ({error})") from error

    # ------------------------------------------------------------ changing

    def create(self, role: str, name: str = "") -> tuple[ApiKey, str]:
        """A new key of ``role``: its record, and the key itself, which is shown once and never stored."""
        if role not in ROLES:
            raise AccessConfigError(f"the role must be one of {', '.join(ROLES)}, not {role!r}")
        secret = KEY_PREFIX + secrets.token_urlsafe(_KEY_BYTES)
        with self._file_lock():
            keys = self._read_file()
            taken = {key.id for key in keys}
            key_id = secrets.token_hex(4)
            while key_id in taken:
                key_id = secrets.token_hex(4)
            created = datetime.now(UTC).isoformat(timespec="seconds")
            record = ApiKey(key_id, name, role, created, key_digest(secret))
            self._write_file([*keys, record])
        return record, secret

    def revoke(self, key_id: str) -> ApiKey:
        """Remove a key of the file; keys of the environment are removed from the environment."""
        with self._file_lock():
            keys = self._read_file()
            kept = [key for key in keys if key.id != key_id]
            if len(kept) == len(keys):
                raise UnknownKeyError(f"no key with id {key_id!r} in {self.path}")
            self._write_file(kept)
        return next(key for key in keys if key.id == key_id)

    def _file_lock(self) -> WriteLock:
        # Two ``keys create`` at once must not lose one of the two keys.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return WriteLock(self.path.with_name(self.path.name + ".lock"), _LOCK_TIMEOUT)

    def _write_file(self, keys: list[ApiKey]) -> None:
        payload = json.dumps({"keys": [asdict(key) for key in keys]}, indent=2).encode("utf-8")
        # The digests are not secrets that unlock anything, but nobody else needs to read them either.
        previous_mask = os.umask(0o077)
        try:
            write_atomically(self.path, payload)
        finally:
            os.umask(previous_mask)
        os.chmod(self.path, 0o600)


def parse_environment_keys(value: str) -> list[ApiKey]:
    """Keys from ``role:KEY,role:KEY``; a malformed entry is named by its position, never by its key."""
    keys = []
    for number, entry in enumerate((part.strip() for part in value.split(",") if part.strip()), start=1):
        role, separator, secret = entry.partition(":")
        role, secret = role.strip(), secret.strip()
        if not separator or role not in ROLES:
            raise AccessConfigError(
                f"HROMADA_API_KEYS, entry {number}: expected role:KEY with a role of {', '.join(ROLES)}"
            )
        if len(secret) < MIN_ENVIRONMENT_KEY_CHARS:
            raise AccessConfigError(
                f"HROMADA_API_KEYS, entry {number}: the key is shorter than {MIN_ENVIRONMENT_KEY_CHARS} "
                "characters; make one with `hromada keys create` or `openssl rand -base64 32`"
            )
        keys.append(ApiKey(f"env-{number}", "HROMADA_API_KEYS", role, "", key_digest(secret)))
    return keys
