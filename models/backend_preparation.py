"""Preparing the fast backends once, beside the model folder, and the record that says they may be used.

``<model folder>.backends/`` holds the OpenVINO export and ``backends.json``: for each backend the least
cosine of its vectors to float32 PyTorch's over ``CHECK_TEXTS`` (a backend below ``MIN_BACKEND_COSINE`` is
recorded as refused and never chosen, so every vector in a store is interchangeable with float32's), and a
stamp of the model folder's files (size and modification time) as they were when fully verified. A load
whose stamp still matches needs no hashing and no reference embedding; any change sends it through the full
check again. The folder is built under a temporary name and renamed into place, as the model folder is.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from models.cpu_features import cpu_flags, has_native_bf16
from models.e5_model_folder import MAX_SEQ_LENGTH, PROMPTS
from models.encoders import EMBEDDING_DIMENSION, OPENVINO_BF16, TORCH_BF16, Encoder, TorchEncoder
from models.model_folder_manifest import MANIFEST_FILE
from models.token_batches import PromptTokenizer

log = logging.getLogger(__name__)

RECORD_FILE = "backends.json"
OPENVINO_FOLDER = "openvino"
MIN_BACKEND_COSINE = 0.999
CHECK_TEXTS = (
    "Сільська рада ухвалила рішення відремонтувати дорогу до школи за кошти місцевого бюджету.",
    "Прошу відновити вуличне освітлення на вулиці Шевченка, бо ввечері діти йдуть зі школи в темряві.",
    "Стаття 26. Виключна компетенція сільських, селищних, міських рад: затвердження програм "
    "соціально-економічного та культурного розвитку, цільових програм з інших питань місцевого самоврядування.",
    "Голова громади: Дякую всім, хто прийшов. Сьогодні говоримо про підвезення дітей до опорної школи.",
    "Проєкт передбачає встановлення сонячних панелей на даху амбулаторії та заміну вікон у старій будівлі.",
    "Вода з крана тече іржава вже третій тиждень, водоканал на звернення не відповідає.",
    "Просим срочно починить канализацию во дворе дома номер пять, запах невыносимый.",
    "Так.",
    " ".join(
        "Громада визначає пріоритети бюджету участі, обговорює проєкти з мешканцями, публікує звіти "
        "про використання коштів і відповідає на звернення у визначені законом строки."
        for _ in range(20)
    ),
)
"""Short appeals and long articles, Ukrainian and Russian: the kinds of text the store holds."""


@dataclass
class BackendRecord:
    """What was verified about the fast backends of one model folder."""

    model_files: dict[str, list[int]] = field(default_factory=dict)
    """Each model file's [size, mtime in ns] when the folder was last verified in full."""
    cosines: dict[str, float] = field(default_factory=dict)
    """Least cosine to float32 over ``CHECK_TEXTS``, for each backend that was checked."""
    failures: dict[str, str] = field(default_factory=dict)
    """Backends that could not be prepared here, and why."""

    def usable(self) -> set[str]:
        """Backends whose vectors may go into a store beside float32's."""
        return {name for name, cosine in self.cosines.items() if cosine >= MIN_BACKEND_COSINE}


def backends_folder(model_dir: Path) -> Path:
    """``<model folder>.backends``: beside the model folder, so the model's own manifest stays as it was."""
    return model_dir.with_name(model_dir.name + ".backends")


def read_backend_record(model_dir: Path) -> BackendRecord | None:
    """The record of ``model_dir``'s backends, or None when they were never prepared (or the record is bad)."""
    path = backends_folder(model_dir) / RECORD_FILE
    try:
        return BackendRecord(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def is_verified_as_is(model_dir: Path, record: BackendRecord | None) -> bool:
    """Whether the model folder's files are those that were verified in full (same sizes and times)."""
    return record is not None and record.model_files == model_file_stamp(model_dir)


def model_file_stamp(model_dir: Path) -> dict[str, list[int]]:
    """[size, mtime_ns] of every file the model's manifest lists (and of the manifest itself)."""
    manifest = json.loads((model_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
    stamp: dict[str, list[int]] = {}
    for relative in [*manifest["files"], MANIFEST_FILE]:
        try:
            status = (model_dir / relative).stat()
        except OSError:
            continue
        stamp[relative] = [status.st_size, status.st_mtime_ns]
    return stamp


def prepare_backends(model_dir: Path, reference: TorchEncoder) -> BackendRecord:
    """Export and check the fast backends of a verified model folder; write and return their record.

    ``reference`` is the float32 encoder of that folder. The caller holds the preparation lock.
    """
    destination = backends_folder(model_dir)
    partial = Path(tempfile.mkdtemp(prefix=f".{destination.name}.partial-", dir=destination.parent))
    partial.chmod(0o755)
    try:
        record = BackendRecord(model_files=model_file_stamp(model_dir))
        tokenizer = PromptTokenizer(model_dir / "tokenizer.json", MAX_SEQ_LENGTH)
        expected = _vectors(reference, tokenizer)
        if has_native_bf16(cpu_flags()):
            _check_backend(
                record, TORCH_BF16, lambda: TorchEncoder(model_dir, bf16=True), tokenizer, expected
            )
            _check_backend(
                record, OPENVINO_BF16, lambda: _openvino_bf16(model_dir, partial), tokenizer, expected
            )
        else:
            record.failures["bf16"] = "this processor has no native bfloat16 (AVX-512 BF16 or AMX)"
        (partial / RECORD_FILE).write_text(json.dumps(record.__dict__, indent=2) + "\n", encoding="utf-8")
        if destination.exists():
            shutil.rmtree(destination)
        partial.rename(destination)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return record


def _check_backend(
    record: BackendRecord,
    name: str,
    build: Callable[[], Encoder],
    tokenizer: PromptTokenizer,
    expected: np.ndarray,
) -> None:
    """Build one backend and record its least cosine to float32, or why it could not be built."""
    try:
        encoder = build()
        cosine = float(np.min(np.sum(_vectors(encoder, tokenizer) * expected, axis=1)))
    except (ImportError, RuntimeError, OSError, ValueError) as error:
        record.failures[name] = f"{type(error).__name__}: {error}"
        log.warning("the %s backend cannot be prepared: %s", name, error)
        return
    record.cosines[name] = round(cosine, 6)
    if cosine < MIN_BACKEND_COSINE:
        log.warning(
            "the %s backend is refused: cosine %.5f to float32 (needs %s)", name, cosine, MIN_BACKEND_COSINE
        )


def _vectors(encoder: Encoder, tokenizer: PromptTokenizer) -> np.ndarray:
    vectors = np.empty((len(CHECK_TEXTS), EMBEDDING_DIMENSION), dtype=np.float32)
    for batch in tokenizer.batches(CHECK_TEXTS, PROMPTS["passage"], batch_tokens=4096, max_batch=16):
        vectors[batch.rows] = encoder.encode(batch, threads=2)
    return vectors


def _openvino_bf16(model_dir: Path, folder: Path) -> Encoder:
    from models.openvino_encoder import OpenVinoEncoder, export_openvino_model

    (folder / OPENVINO_FOLDER).mkdir()
    export_openvino_model(model_dir, folder / OPENVINO_FOLDER)
    return OpenVinoEncoder(folder / OPENVINO_FOLDER)
