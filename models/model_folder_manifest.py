"""The manifest of a prepared model folder: which files it holds, their sizes and sha256 digests.

The manifest is written last, into a folder that becomes visible only when it is complete, so its
presence marks a finished preparation. Checking sizes is fast enough for every load; checking the
digests reads every byte and is done when a model is prepared or re-checked on request.
"""

import hashlib
import json
from pathlib import Path

from models.errors import ModelNotAvailableError

MANIFEST_FILE = "manifest.json"
_HASH_CHUNK_BYTES = 1 << 20


def write_manifest(folder: Path, model_name: str, provenance: dict[str, str]) -> None:
    """Record every file under ``folder`` with its size and sha256, plus the model's name and provenance."""
    files = {
        path.relative_to(folder).as_posix(): {"size": path.stat().st_size, "sha256": file_sha256(path)}
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != MANIFEST_FILE
    }
    manifest = {"model": model_name, "provenance": provenance, "files": files}
    (folder / MANIFEST_FILE).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def has_manifest(folder: Path) -> bool:
    """True when ``folder`` holds a finished preparation (damaged or not)."""
    return (folder / MANIFEST_FILE).is_file()


def verify_manifest(folder: Path, model_name: str, full: bool) -> None:
    """Check that ``folder`` holds ``model_name`` with every recorded file intact.

    With ``full`` the sha256 of each file is compared too. Raises ModelNotAvailableError naming the
    first file that is missing or differs.
    """
    manifest_path = folder / MANIFEST_FILE
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelNotAvailableError(
            f"The model manifest {manifest_path} cannot be read: {error}."
        ) from error
    if manifest.get("model") != model_name:
        raise ModelNotAvailableError(
            f"{folder} holds the model {manifest.get('model')!r}, not {model_name!r}."
        )
    for relative_path, expected in manifest["files"].items():
        _verify_file(folder / relative_path, expected, full)


def _verify_file(path: Path, expected: dict, full: bool) -> None:
    if not path.is_file():
        raise ModelNotAvailableError(f"The model file {path} is missing.")
    size = path.stat().st_size
    if size != expected["size"]:
        raise ModelNotAvailableError(f"The model file {path} has {size} bytes, expected {expected['size']}.")
    if full and file_sha256(path) != expected["sha256"]:
        raise ModelNotAvailableError(
            f"The model file {path} is damaged: its sha256 differs from the manifest."
        )


def file_sha256(path: Path) -> str:
    """The hex sha256 digest of a file, read in chunks so large weights never sit in memory twice."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()
