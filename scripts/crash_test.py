"""Crash safety of indexing: kill ``hromada index`` with SIGKILL at chosen moments and check the store after.

A folder of real documents (acts from the legislation export, one JSON file each, and PDFs of the UNLP 2026
sports set) is indexed once without interruption: that clean run is the reference. Then, in each trial, the
same folder is indexed into a fresh store and the process is killed with SIGKILL while it is

- ``reading`` (a reader parsing a file: the PDFs take longest), ``chunking`` or ``embedding``: found by
  sampling the process's Python stack (the child asks ``faulthandler`` to print its stack on SIGUSR1, so the
  harness knows where it is before it kills);
- ``sqlite-commit``: the moment the SQLite write-ahead log grows, that is while a transaction is committing;
- ``faiss-save``: the moment ``vectors.faiss.tmp`` or ``manifest.json.tmp`` appears, while the vector index
  file is being written;
- ``random``: at a random moment of the run.

After each kill: the store opens, ``Hromada.check()`` (what ``hromada check`` runs: SQLite integrity, FAISS
ids against chunk ids, manifest counts) finds nothing, every document seen committed before the kill is still
there with all its chunks, and running the same ``hromada index`` again completes the store to exactly the
documents and chunks of the clean run. Prints one line per trial and ``trials: N, failures: M``; exits 1 when
anything failed.

    .venv/bin/python scripts/crash_test.py [--trials 20] [--seed 6] [--acts 300] [--pdfs 2] [--pdf-pages 10]
        [--work DIR]
        [--targets reading,chunking,embedding,sqlite-commit,faiss-save,random]
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pypdf

from indexing.errors import StoreError
from indexing.store import store_exists
from service.hromada import Hromada
from service.settings import Settings

REPOSITORY = Path(__file__).resolve().parents[1]
DATA = REPOSITORY.parent / "shared" / "data"
LAWS = DATA / "legislation" / "ua-laws.jsonl.gz"
PDFS = DATA / "unlp2026-sport" / "pdf"
TARGETS = ("reading", "chunking", "embedding", "sqlite-commit", "faiss-save", "random")

# The child is ``hromada index`` itself, with one addition: on SIGUSR1 it prints its Python stack to stderr.
# Until it says it is ready, SIGUSR1 would still kill it (the signal's default action), so none is sent.
READY = "crash-test: stack dumps on SIGUSR1\n"
CHILD_PROGRAM = (
    "import faulthandler, signal, sys\n"
    "faulthandler.register(signal.SIGUSR1, all_threads=True)\n"
    f"sys.stderr.write({READY!r}); sys.stderr.flush()\n"
    "from service.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)
_STACK_HEADER = "(most recent call first)"
_CHILD_FRAME = 'File "<string>"'
_TRUNCATED = "\n  ...\n"
"""What faulthandler prints instead of the frames past the 100th: a deep stack (an import) never shows the child."""
_FRAME = re.compile(r'File "(?P<file>[^"]+)", line \d+ in (?P<function>\w+)')
# Which phase a frame belongs to; the innermost frame found here names the phase of the whole stack.
_PHASE_OF_FRAME = {
    ("indexing/store/sqlite/faiss_vectors.py", "_persist"): "faiss-save",
    ("indexing/store/sqlite/faiss_vectors.py", "save"): "faiss-save",
    ("indexing/store/store.py", "write"): "sqlite-commit",
    ("indexing/store/sqlite/database.py", "transaction"): "sqlite-commit",
    ("indexing/store/sqlite/database.py", "_begin"): "sqlite-commit",
    ("indexing/store/document_rows.py", "add_documents"): "sqlite-commit",
    ("indexing/store/document_rows.py", "_insert_document"): "sqlite-commit",
    ("indexing/indexer.py", "_embed"): "embedding",
    ("indexing/indexer.py", "_prepare"): "chunking",
    ("indexing/indexer.py", "_index_file"): "reading",
}
_GIVE_UP_SHARE = 0.9
"""Share of the documents committed after which a kill aimed at a phase not yet caught is made anyway."""
_SAMPLE_PAUSE = (0.01, 0.08)
"""Seconds between two stack samples, drawn at random so that kills do not fall on a rhythm of the indexer."""


# ---------------------------------------------------------------- the folder of documents


def build_corpus(folder: Path, acts: int, pdfs: int, pdf_pages: int) -> Path:
    """``acts`` short acts as one JSON file each, and the ``pdfs`` shortest sports PDFs (their first
    ``pdf_pages`` pages, or all with 0); kept if already there."""
    if folder.exists() and any(folder.iterdir()):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    with gzip.open(LAWS, "rt", encoding="utf-8") as lines:
        for line in lines:
            act = json.loads(line)
            text_size = sum(len(provision.get("content") or "") for provision in act["provisions"])
            # Short acts keep a trial to tens of seconds while giving hundreds of files to commit.
            if not 1 <= len(act["provisions"]) <= 15 or text_size > 8000:
                continue
            (folder / f"{act['id']}.json").write_text(json.dumps(act, ensure_ascii=False), encoding="utf-8")
            written += 1
            if written == acts:
                break
    for pdf in sorted(PDFS.glob("*.pdf"), key=lambda path: path.stat().st_size)[:pdfs]:
        writer = pypdf.PdfWriter(clone_from=pdf)
        while pdf_pages and len(writer.pages) > pdf_pages:
            writer.remove_page(len(writer.pages) - 1)
        writer.write(folder / pdf.name)
    return folder


# ---------------------------------------------------------------- the store, seen through the public API


def committed_documents(store: Path) -> Counter[tuple[str, str, int]]:
    """(source, title, chunks) of every document in the store; empty when no store was created yet."""
    app = Hromada(Settings(store=store))
    try:
        return Counter((d["source"], d["title"], d["chunks"]) for d in app.documents(limit=10**9))
    except StoreError:
        return Counter()
    finally:
        app.close()


def integrity_findings(store: Path) -> list[str]:
    """What ``hromada check`` reports: an empty list for a sound store, or for none (killed before making it)."""
    if not store_exists(store):
        return []
    app = Hromada(Settings(store=store))
    try:
        return app.check()
    except StoreError as error:
        return [f"the store does not open: {error}"]
    finally:
        app.close()


def run_index(folder: Path, store: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", "index", str(folder), "--store", str(store), "--json"],
        capture_output=True,
        text=True,
        env=child_environment(),
        check=False,
    )


def child_environment() -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("HROMADA_")}
    environment["PYTHONPATH"] = str(REPOSITORY)
    return environment


# ---------------------------------------------------------------- one interrupted run


class InterruptedIndex:
    """``hromada index`` in a child process that the harness watches and kills."""

    def __init__(self, folder: Path, store: Path, log: Path) -> None:
        self.store = store
        self.log = log
        self._log_handle = open(log, "wb")  # noqa: SIM115 - closed in kill()
        self._read_offset = 0
        self._ready = False
        self.process = subprocess.Popen(
            [sys.executable, "-c", CHILD_PROGRAM, "index", str(folder), "--store", str(store), "--json"],
            stdout=subprocess.DEVNULL,
            stderr=self._log_handle,
            env=child_environment(),
        )
        self.started = time.monotonic()
        self.killed_after: float | None = None

    def running(self) -> bool:
        return self.process.poll() is None

    def phase(self, wanted: str | None = None) -> str | None:
        """Where the child is now, from its Python stacks (``wanted`` if any thread is there); None when it has
        exited."""
        if not self.running():
            return None
        if not self._ready:
            self._ready = READY in self._new_log_text()
            return "startup"
        self.process.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + 5.0
        text = ""
        while time.monotonic() < deadline and self.running():
            time.sleep(0.005)
            text += self._new_log_text()
            # The main thread's stack ends in the child program itself, or is cut at 100 frames: once either is
            # printed, the dump is whole. Waiting for the child's frame alone lost seconds on every deep stack.
            if _STACK_HEADER in text and (_CHILD_FRAME in text or _TRUNCATED in text):
                break
        return phase_of_stack(text, wanted) if _STACK_HEADER in text else None

    def _new_log_text(self) -> str:
        with open(self.log, "rb") as handle:
            handle.seek(self._read_offset)
            data = handle.read()
        self._read_offset += len(data)
        return data.decode("utf-8", errors="replace")

    def kill(self) -> float:
        """SIGKILL the child (once); the seconds it had run when killed."""
        if self.killed_after is None:
            self.killed_after = time.monotonic() - self.started
            if self.running():
                self.process.kill()
            self.process.wait()
            self._log_handle.close()
        return self.killed_after


def phase_of_stack(dump: str, wanted: str | None = None) -> str:
    """The indexing phase of a ``faulthandler`` dump: ``wanted`` when any thread is in it (the indexer embeds
    in a worker thread while the main thread writes), else the phase of the deepest stack (the main thread)."""
    stacks = [_FRAME.findall(block) for block in dump.split(_STACK_HEADER)[1:] if block.strip()]
    phases = [_phase_of_frames(frames) for frames in stacks]
    if wanted in phases:
        return wanted
    return _phase_of_frames(max(stacks, key=len, default=[]))


def _phase_of_frames(frames: list[tuple[str, str]]) -> str:
    for file, function in frames:  # innermost first
        for (suffix, name), phase in _PHASE_OF_FRAME.items():
            if function == name and file.endswith(suffix):
                return phase
        if "/indexing/readers/" in file:
            return "reading"
    return "other"  # starting up, loading models, or between two files


class CommitWatcher(threading.Thread):
    """Looks, again and again, at which documents the store holds, while the harness waits for its moment.

    A document seen here was committed before the kill, even when the look straddles the kill: after it,
    nothing new is committed. So every document seen must still be there afterwards.
    """

    def __init__(self, store: Path) -> None:
        super().__init__(daemon=True)
        self.store = store
        self.seen: Counter[tuple[str, str, int]] = Counter()
        self._finished = threading.Event()

    def run(self) -> None:
        while not self._finished.is_set():
            self.seen = committed_documents(self.store)
            self._finished.wait(0.05)

    def stop(self) -> Counter[tuple[str, str, int]]:
        self._finished.set()
        self.join()
        return self.seen


def kill_during(
    run: InterruptedIndex, target: str, rng: random.Random, reference: Reference, watcher: CommitWatcher
) -> str:
    """Wait until the child is in the ``target`` phase, kill it, and say in which phase it was killed."""
    wal = run.store / "hromada.sqlite-wal"
    temporaries = (run.store / "vectors.faiss.tmp", run.store / "manifest.json.tmp")
    total = sum(reference.documents.values())
    # Moments are chosen by progress, not by the clock: runs under load differ in speed by a factor of three.
    armed_at = rng.randrange(total)
    if target in ("reading", "chunking", "embedding"):
        # A phase kill waits for some commits too (else it falls while the model loads, with nothing to lose), and
        # leaves time to catch its phase before the give-up point. Fewer stack dumps also mean fewer chances of
        # faulthandler crashing the child while another thread changes its frames.
        armed_at = 1 + rng.randrange(max(1, total // 2))
    give_up_at = _GIVE_UP_SHARE * total
    random_delay = rng.uniform(0.0, 2.0)
    armed_since: float | None = None
    wal_size = -1
    while run.running():
        if target == "faiss-save":
            if any(path.exists() for path in temporaries):
                run.kill()
                return "faiss-save"
            time.sleep(0.0002)
        elif sum(watcher.seen.values()) < armed_at:
            time.sleep(0.005)
        elif target == "sqlite-commit":
            size = wal.stat().st_size if wal.exists() else -1
            if wal_size >= 0 and size != wal_size:
                run.kill()
                return "sqlite-commit"
            wal_size = size
            time.sleep(0.0002)
        elif target == "random":
            armed_since = armed_since or time.monotonic()
            if time.monotonic() - armed_since >= random_delay:
                phase = run.phase() or "finished"
                run.kill()
                return phase
            time.sleep(0.005)
        elif target in ("reading", "chunking", "embedding"):
            phase = run.phase(target)
            # A short phase may never be caught by sampling: late in the run, kill wherever the child is.
            if phase == target or sum(watcher.seen.values()) >= give_up_at:
                run.kill()
                return phase or "finished"
            # Reading a file is over in moments: look again at once rather than after a pause.
            time.sleep(0 if target == "reading" else rng.uniform(*_SAMPLE_PAUSE))
    run.kill()
    return "finished before the kill"


# ---------------------------------------------------------------- trials


@dataclass
class Reference:
    """What an uninterrupted run of the same folder gives."""

    documents: Counter[tuple[str, str, int]]
    seconds: float
    exit_status: int


@dataclass
class TrialResult:
    number: int
    target: str
    killed_in: str = ""
    killed_after: float = 0.0
    before_kill: int = 0
    after_kill: int = 0
    problems: list[str] = field(default_factory=list)


def reference_run(folder: Path, work: Path) -> Reference:
    store = work / "clean-store"
    shutil.rmtree(store, ignore_errors=True)
    started = time.monotonic()
    result = run_index(folder, store)
    seconds = time.monotonic() - started
    if result.returncode not in (0, 1):
        sys.exit(f"the clean run failed ({result.returncode}): {result.stderr[-2000:]}")
    findings = integrity_findings(store)
    if findings:
        sys.exit(f"the clean run left an unsound store: {findings}")
    return Reference(committed_documents(store), seconds, result.returncode)


def trial(number: int, target: str, folder: Path, work: Path, reference: Reference, seed: int) -> TrialResult:
    rng = random.Random(seed * 1000 + number)
    store = work / f"trial-{number}"
    shutil.rmtree(store, ignore_errors=True)
    outcome = TrialResult(number, target)
    run = InterruptedIndex(folder, store, work / f"trial-{number}.log")
    watcher = CommitWatcher(store)
    watcher.start()
    outcome.killed_in = kill_during(run, target, rng, reference, watcher)
    seen_committed = watcher.stop()
    outcome.killed_after = run.kill()
    outcome.before_kill = sum(seen_committed.values())

    after_kill = committed_documents(store)
    outcome.after_kill = sum(after_kill.values())
    lost = seen_committed - after_kill
    if lost:
        outcome.problems.append(f"{sum(lost.values())} committed documents lost, e.g. {next(iter(lost))}")
    outcome.problems.extend(f"after the kill: {finding}" for finding in integrity_findings(store))

    resumed = run_index(folder, store)
    if resumed.returncode != reference.exit_status:
        outcome.problems.append(f"re-running exited {resumed.returncode}: {resumed.stderr[-500:]}")
    outcome.problems.extend(f"after re-running: {finding}" for finding in integrity_findings(store))
    final = committed_documents(store)
    if final != reference.documents:
        missing, extra = reference.documents - final, final - reference.documents
        outcome.problems.append(
            f"after re-running: {sum(missing.values())} documents missing, {sum(extra.values())} extra "
            f"compared with the clean run"
        )
    shutil.rmtree(store, ignore_errors=True)
    return outcome


def report_line(outcome: TrialResult, trials: int) -> str:
    verdict = "ok" if not outcome.problems else "FAILED: " + "; ".join(outcome.problems)
    return (
        f"trial {outcome.number:2}/{trials} target {outcome.target:13} killed in {outcome.killed_in:24} "
        f"at {outcome.killed_after:5.1f} s; committed seen before {outcome.before_kill:3}, "
        f"after {outcome.after_kill:3}; {verdict}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--acts", type=int, default=300, help="acts of legislation, one JSON file each")
    parser.add_argument("--pdfs", type=int, default=2, help="PDFs of the UNLP 2026 sports set")
    parser.add_argument("--pdf-pages", type=int, default=10, help="pages kept of each PDF (0: all)")
    parser.add_argument(
        "--targets",
        default=",".join(TARGETS),
        help=f"comma-separated, taken in turn (default {','.join(TARGETS)})",
    )
    parser.add_argument("--folder", type=Path, help="the documents to index (built here if missing)")
    parser.add_argument("--work", type=Path, help="where stores and logs go (default: a temporary folder)")
    args = parser.parse_args()
    targets = args.targets.split(",")
    if not set(targets) <= set(TARGETS):
        parser.error(f"--targets: choose among {', '.join(TARGETS)}")
    # pypdf reports every broken cross-reference it repairs while the PDFs are cut down: noise here.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    work = args.work or Path(tempfile.mkdtemp(prefix="hromada-crash-"))
    work.mkdir(parents=True, exist_ok=True)
    folder = build_corpus(args.folder or work / "documents", args.acts, args.pdfs, args.pdf_pages)
    files = sum(1 for path in folder.iterdir() if path.is_file())
    reference = reference_run(folder, work)
    chunks = sum(count * n for (_, _, count), n in reference.documents.items())
    print(
        f"clean run: {files} files, {sum(reference.documents.values())} documents, {chunks} chunks "
        f"in {reference.seconds:.1f} s (exit {reference.exit_status})",
        flush=True,
    )
    failures = 0
    for number in range(1, args.trials + 1):
        target = targets[(number - 1) % len(targets)]
        outcome = trial(number, target, folder, work, reference, args.seed)
        failures += bool(outcome.problems)
        print(report_line(outcome, args.trials), flush=True)
    print(f"trials: {args.trials}, failures: {failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
