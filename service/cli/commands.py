"""What each command does: call the Python API, then print for a person or, with ``--json``, for a script."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from models.errors import HromadaError
from service.background_priority import lower_priority
from service.excerpt_export import ReportTitle, query_title, to_docx, to_markdown
from service.hromada import Hromada
from service.search_types import Hit, SearchFilters

if TYPE_CHECKING:
    from indexing.indexer import IndexReport

EXIT_OK, EXIT_PARTIAL, EXIT_UNUSABLE = 0, 1, 2


class UsageError(HromadaError):
    """Arguments that do not fit together; the message says which."""


def print_json(payload: Any) -> None:
    json.dump(payload, sys.stdout, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
    sys.stdout.flush()


def say(message: str) -> None:
    """Progress and summaries for a person go to stderr, so that stdout stays clean for scripts."""
    print(message, file=sys.stderr)


def filters_of(args: argparse.Namespace) -> SearchFilters:
    return SearchFilters(
        kind=args.kind, sector=args.sector, region=args.region, since=args.since, until=args.until
    )


# ---------------------------------------------------------------- index


def index(app: Hromada, args: argparse.Namespace) -> int:
    options = app.index_options(
        kind=args.kind,
        metadata=_read_metadata(args.meta) if args.meta else {},
        only=tuple(args.only),
        # Bars only on a terminal: in a file or a pipe they would leave escape codes.
        show_progress=sys.stderr.isatty(),
    )
    # Indexing is background work: at a lower CPU priority a server's searches on the same cores come first
    # (on an idle machine it runs as fast as before). Added to the nice value, so never raised.
    lower_priority(app.settings.index_niceness)
    report = app.index(args.paths, options, ray_address=args.ray or app.settings.ray_address)
    if args.json:
        print_json(report.to_json())
    else:
        _print_report(report)
    return EXIT_PARTIAL if report.failed else EXIT_OK


def _read_metadata(path: Path) -> dict[str, Any]:
    try:
        metadata = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UsageError(f"{path}: cannot read the metadata file ({error})") from error
    if not isinstance(metadata, dict):
        raise UsageError(f"{path}: the metadata file must hold one JSON object")
    return metadata


def _print_report(report: IndexReport) -> None:
    for choice in report.kinds:
        say(f"  {choice.path}: {choice.kind} ({choice.reason})")
    seconds = report.seconds or float("inf")
    say(
        f"indexed {len(report.indexed)} files ({report.documents} documents, {report.chunks} chunks, "
        f"{report.chunks / seconds:.1f} chunks/s, {report.tokens / seconds:.0f} tokens/s), "
        f"unchanged {len(report.unchanged)}, failed {len(report.failed)}"
    )
    for failure in report.failed:
        say(f"  failed: {failure.path}: {failure.error}")


# ---------------------------------------------------------------- search


def search(app: Hromada, args: argparse.Namespace) -> int:
    if (args.query is None) == (args.queries is None):
        raise UsageError("give either a QUERY or --queries FILE")
    filters = filters_of(args)
    if args.queries is not None:
        return _search_many(app, args, filters)
    hits = app.search(args.query, args.k, filters, args.mode)
    if args.json:
        print_json({"query": args.query, "hits": [hit.to_dict() for hit in hits]})
    else:
        _print_hits(hits)
    return EXIT_OK


def _search_many(app: Hromada, args: argparse.Namespace, filters: SearchFilters) -> int:
    for query_id, query in _read_queries(args.queries):
        hits = app.search(query, args.k, filters, args.mode)
        if args.json:
            print_json({"id": query_id, "query": query, "hits": [hit.to_dict() for hit in hits]})
        else:
            say(f"\n[{query_id}] {query}")
            _print_hits(hits)
    return EXIT_OK


def _read_queries(path: Path) -> list[tuple[str, str]]:
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: cannot read the queries ({error})") from error
    queries: list[tuple[str, str]] = []
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line:
            continue
        if line.startswith("{"):
            try:
                record = json.loads(line)
                queries.append((str(record.get("id", number)), str(record["query"])))
            except (ValueError, KeyError, AttributeError) as error:
                raise UsageError(
                    f"{path}, line {number}: expected JSON with a 'query' field ({error})"
                ) from error
        else:
            queries.append((str(number), line))
    return queries


def _print_hits(hits: list[Hit]) -> None:
    if not hits:
        print("Нічого не знайдено.")
    for hit in hits:
        text = " ".join(hit.text.split())
        print(f"{hit.rank}. [{hit.score:.4f}] {hit.citation}")
        print(f"   {text[:300]}{'…' if len(text) > 300 else ''}")
        print(f"   {hit.source} · документ {hit.doc_id} · символи {hit.start}–{hit.end}")


# ---------------------------------------------------------------- excerpts


def excerpts(app: Hromada, args: argparse.Namespace) -> int:
    found = app.excerpts(args.query, args.k, filters_of(args))
    report = ReportTitle(query_title(args.query), app.settings.report_author)
    if args.format == "docx":
        if args.output is None:
            raise UsageError("--format docx needs -o FILE")
        args.output.write_bytes(to_docx(found, report))
        say(f"wrote {len(found)} excerpts to {args.output}")
        return EXIT_OK
    if args.format == "json" or args.json:
        text = json.dumps({"query": args.query, "excerpts": [e.to_dict() for e in found]}, ensure_ascii=False)
    else:
        text = to_markdown(found, report)
    if args.output is not None:
        args.output.write_text(text, encoding="utf-8")
        say(f"wrote {len(found)} excerpts to {args.output}")
    else:
        print(text)
    return EXIT_OK


# ---------------------------------------------------------------- store upkeep


def delete(app: Hromada, args: argparse.Namespace) -> int:
    app.delete(args.doc_id)
    if args.json:
        print_json({"deleted": args.doc_id})
    else:
        say(f"deleted document {args.doc_id}")
    return EXIT_OK


def check(app: Hromada, args: argparse.Namespace) -> int:
    findings = app.check()
    if args.json:
        print_json({"ok": not findings, "findings": findings})
    else:
        say("the store is sound" if not findings else "\n".join(f"problem: {f}" for f in findings))
    return EXIT_OK if not findings else EXIT_PARTIAL


def stats(app: Hromada, args: argparse.Namespace) -> int:
    figures = app.stats()
    if args.json:
        print_json(figures)
    else:
        for key, value in figures.items():
            print(f"{key}: {value}")
    return EXIT_OK


def serve(app: Hromada, args: argparse.Namespace) -> int:
    import uvicorn

    from service.access_keys import KeyStore
    from service.api import create_app
    from service.api.access import check_binding

    host = args.host or app.settings.host
    port = args.port or app.settings.port
    check_binding(host, KeyStore.from_settings(app.settings, app))
    uvicorn.run(create_app(app, load_models_first=True), host=host, port=port, log_level="info")
    return EXIT_OK
