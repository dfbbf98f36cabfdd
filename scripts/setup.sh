#!/usr/bin/env bash
# Installs hromada into ./.venv (with the test tools when given "test") and prepares the embedder from disk.
# Safe to run again: pip skips what is installed, and a prepared model is only verified.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip >&2
if [ "$extras" = "test" ]; then
  .venv/bin/python -m pip install --quiet -e '.[test]' >&2
else
  .venv/bin/python -m pip install --quiet -e . >&2
fi
.venv/bin/python -m models.prepare >&2
