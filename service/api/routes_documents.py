"""Documents: upload (indexing), read back with the text citations point into, delete."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, UploadFile
from starlette.concurrency import run_in_threadpool

from service.api.dependencies import get_hromada
from service.api.ukrainian_messages import for_reader_failure
from service.hromada import Hromada

router = APIRouter(tags=["documents"])
HromadaDep = Annotated[Hromada, Depends(get_hromada)]
_READ_BLOCK = 1 << 20


@router.get("/documents")
def list_documents(hromada: HromadaDep, limit: int = 100, offset: int = 0) -> dict[str, Any]:
    return {"documents": hromada.documents(min(max(limit, 1), 1000), max(offset, 0))}


@router.get("/documents/{doc_id}")
def get_document(doc_id: int, hromada: HromadaDep) -> dict[str, Any]:
    """A document's metadata and the normalised ``text`` that every citation's start/end points into."""
    return asdict(hromada.document(doc_id))


@router.delete("/documents/{doc_id}")
def delete_document(doc_id: int, hromada: HromadaDep) -> dict[str, Any]:
    hromada.delete(doc_id)
    return {"deleted": doc_id}


@router.post("/documents")
async def upload_documents(
    hromada: HromadaDep, file: list[UploadFile], kind: Annotated[str, Form()] = "auto"
) -> dict[str, Any]:
    """Index one or more uploaded files; each bad file is reported with its reason, the rest are indexed."""
    folder = hromada.settings.uploads_folder
    folder.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    try:
        for upload in file:
            saved.append(await _save_upload(upload, folder, hromada.settings.max_upload_bytes))
    except HTTPException:
        _remove(saved)
        raise
    # Documents are named by the uploaded name: the server's folders are nobody's business (saved as <digest>-<name>).
    names = {path: path.name.partition("-")[2] for path in saved}
    options = hromada.index_options(kind=kind, show_progress=False, source_names=names)
    # Indexing takes seconds to minutes: off the event loop, so that other requests keep being answered, and at
    # a lower CPU priority, so that searches come first.
    report = await run_in_threadpool(hromada.in_background, lambda: hromada.index(saved, options))
    # A file that failed is no document's source: keeping it would only fill the uploads folder.
    kept = set(report.indexed) | set(report.unchanged)
    failed = {failure.path for failure in report.failed} - kept
    _remove([path for path in saved if names[path] in failed])
    body = report.to_json()
    for failure in body["failed"]:
        failure.update(for_reader_failure(failure["error"]).to_dict())
    return body


async def _save_upload(upload: UploadFile, folder: Path, limit: int) -> Path:
    """Write an upload into the store's uploads folder under a safe name, refusing it past ``limit`` bytes."""
    name = safe_file_name(upload.filename or "upload")
    digest = hashlib.sha256()
    # Unique per upload: two uploads of the same name at once must not write into one file.
    temporary = folder / f".{secrets.token_hex(8)}-{name}.part"
    size = 0
    with open(temporary, "wb") as handle:
        while block := await upload.read(_READ_BLOCK):
            size += len(block)
            if size > limit:
                handle.close()
                temporary.unlink(missing_ok=True)
                raise HTTPException(413, f"{name}: larger than the upload limit of {limit} bytes")
            digest.update(block)
            handle.write(block)
    target = folder / f"{digest.hexdigest()[:12]}-{name}"
    temporary.replace(target)
    return target


def _remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def safe_file_name(name: str) -> str:
    """The last component of an uploaded file's name, with nothing that could climb out of the folder."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = re.sub(r"[^\w.\- ]", "_", name).strip(" .") or "upload"
    return name[:120]
