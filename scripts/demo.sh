#!/usr/bin/env bash
# The main job on the embedded default: install, index the sample corpus into ./hromada-store, search it
# with citations, write cited excerpts, then serve the API and the web page (unless --no-serve).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HROMADA_STORE="${HROMADA_STORE:-$PWD/hromada-store}"
hromada=.venv/bin/hromada

echo "== indexing sample-corpus/ into $HROMADA_STORE" >&2
$hromada index sample-corpus/laws sample-corpus/transcripts sample-corpus/proposals sample-corpus/notes sample-corpus/appeals || [ $? -eq 1 ]
echo "== hromada search 'підвезення дітей до школи'" >&2
$hromada search "підвезення дітей до школи" -k 5
echo "== hromada search 'повноваження ради щодо благоустрою' --kind legislation" >&2
$hromada search "повноваження ради щодо благоустрою території" --kind legislation -k 3
echo "== hromada cluster: recurring problems of the appeals, dialogues, proposals and notes" >&2
$hromada cluster
echo "== hromada excerpts 'аварійний водогін' (Markdown with footnotes)" >&2
$hromada excerpts "аварійний водогін у селах" -k 3
if [ "${1:-}" != "--no-serve" ]; then
  echo "== serving on http://127.0.0.1:8000 (web page at /, API docs at /docs); Ctrl-C to stop" >&2
  exec $hromada serve
fi
