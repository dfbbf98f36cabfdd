"""Which encoder backend runs the model here: the fastest one that was verified and loads, else float32.

bfloat16 pays only where the processor computes it natively; elsewhere float32 PyTorch is both the
fastest and the reference. A backend is a candidate only when its vectors were checked against float32's
at preparation (``models.backend_preparation``), and one that fails to load gives way to the next.
"""

from __future__ import annotations

import logging
from pathlib import Path

from models.backend_preparation import OPENVINO_FOLDER, BackendRecord, backends_folder, read_backend_record
from models.cpu_features import cpu_flags, has_native_bf16
from models.e5_preparation import default_model_dir
from models.encoders import BACKENDS, OPENVINO_BF16, TORCH_BF16, TORCH_FP32, Encoder, TorchEncoder
from models.errors import ModelNotAvailableError

log = logging.getLogger(__name__)

AUTO = "auto"
BACKEND_CHOICES = (AUTO, *BACKENDS)


def candidate_backends(requested: str, flags: frozenset[str], record: BackendRecord | None) -> list[str]:
    """The backends to try, in order; float32 PyTorch always comes last, as the fallback.

    ``requested`` is ``auto`` (the fastest this processor supports) or one backend's name.
    """
    if requested not in BACKEND_CHOICES:
        raise ModelNotAvailableError(
            f"HROMADA_EMBED_BACKEND must be one of {', '.join(BACKEND_CHOICES)}, not {requested!r}."
        )
    if requested == AUTO:
        wanted = [OPENVINO_BF16, TORCH_BF16] if has_native_bf16(flags) else []
    else:
        wanted = [requested]
    usable = record.usable() if record is not None else set()
    unverified = [name for name in wanted if name != TORCH_FP32 and name not in usable]
    if requested != AUTO and unverified:
        log.warning("the %s backend was not verified against float32 here; using float32", requested)
    return [name for name in wanted if name in usable] + [TORCH_FP32]


def chosen_backend(model_dir: Path | None, requested: str) -> str:
    """The backend an embedder over ``model_dir`` would try first (nothing is loaded to say so)."""
    model_dir = model_dir or default_model_dir()
    return candidate_backends(requested, cpu_flags(), read_backend_record(model_dir))[0]


def load_encoder(model_dir: Path, candidates: list[str]) -> Encoder:
    """The first of ``candidates`` that loads; each failure is logged with its reason."""
    for name in candidates:
        try:
            return _load(name, model_dir)
        except (ImportError, RuntimeError, OSError) as error:
            if name == TORCH_FP32:
                raise ModelNotAvailableError(f"The model in {model_dir} cannot be loaded: {error}") from error
            log.warning("the %s backend failed to load (%s); trying the next one", name, error)
    raise ModelNotAvailableError(f"No encoder backend to load for {model_dir}.")


def _load(name: str, model_dir: Path) -> Encoder:
    if name == OPENVINO_BF16:
        from models.openvino_encoder import OpenVinoEncoder

        return OpenVinoEncoder(backends_folder(model_dir) / OPENVINO_FOLDER)
    return TorchEncoder(model_dir, bf16=name == TORCH_BF16)
