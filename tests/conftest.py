"""Shared pytest fixtures: heavy models are loaded once per test session, and every test is marked with what it
needs (``tests/markers.py``): the real model, PostgreSQL, Ray, Chromium, Tesseract, or more than a few seconds."""

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path

import pytest

from models.e5_preparation import default_model_dir
from models.embedder import Embedder
from models.ukrainian_pipeline import UkrainianPipeline
from service.background_priority import run_on_own_thread
from service.cli import main
from service.hromada import Hromada
from service.settings import Settings
from tests.hashing_encoder import HashingEncoder
from tests.markers import markers_from_fixtures, marks_tests

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


# ---------------------------------------------------------------- markers: what each test needs

SLOW_SECONDS = 5.0
"""A test not marked ``slow`` whose body runs longer than this is named at the end of the run."""
UNMARKED_SLOW = pytest.StashKey[list[str]]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for marker in sorted(markers_from_fixtures(item)):
            item.add_marker(marker)


@pytest.fixture(autouse=True)
def _the_model_loads_only_where_marked(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A test not marked ``model`` may not load the real embedder in this process: its markers would lie."""
    if request.node.get_closest_marker("model"):
        return
    load = Embedder.__init__

    def load_unless_real(
        self: Embedder, model_dir: Path | None = None, *args: object, **kwargs: object
    ) -> None:
        if model_dir is None or Path(model_dir) == default_model_dir():
            raise AssertionError(
                f"{request.node.nodeid} loads the real embedder but is not marked 'model': take the embedder "
                "fixture, or the fake_* fixtures when the meaning of the vectors does not matter"
            )
        load(self, model_dir, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Embedder, "__init__", load_unless_real)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport:
    report: pytest.TestReport = yield
    if report.when == "call" and report.duration > SLOW_SECONDS and not item.get_closest_marker("slow"):
        item.config.stash.setdefault(UNMARKED_SLOW, []).append(f"{report.duration:6.1f} s  {item.nodeid}")
    return report


# ---------------------------------------------------------------- models, loaded once


@pytest.fixture(scope="session")
@marks_tests("model")
def model_dir() -> Path:
    """The real model's folder (prepared there on first use): for tests that load it their own way."""
    return default_model_dir()


@pytest.fixture(scope="session")
def embedder(model_dir: Path) -> Embedder:
    """The multilingual embedder from the default model folder."""
    return Embedder(model_dir)


@pytest.fixture(scope="session")
def ukrainian_pipeline() -> UkrainianPipeline:
    """One Ukrainian language pipeline for the whole session: its dictionaries take seconds to load."""
    return UkrainianPipeline()


@pytest.fixture(scope="session")
def fake_encoder() -> HashingEncoder:
    """Vectors without meaning, at once: for tests of plumbing (shapes, exit codes, writes, errors, access)."""
    return HashingEncoder()


# ---------------------------------------------------------------- indexed stores, shared by the service tests


def build_corpus(folder: Path) -> Path:
    """A small real corpus: a law (five articles), a 3-page PDF, the sample's transcripts, proposals, appeals."""
    folder.mkdir(parents=True, exist_ok=True)
    law = json.loads((FIXTURES / "legislation/law-280-97-five-articles.json").read_text(encoding="utf-8"))
    law["title"] = "Про місцеве самоврядування в Україні"
    (folder / "law-280-97.json").write_text(json.dumps(law, ensure_ascii=False), encoding="utf-8")
    shutil.copy(FIXTURES / "readers/sport-rules-3-pages.pdf", folder / "sport-rules.pdf")
    for part in ("transcripts", "proposals", "notes", "appeals"):
        shutil.copytree(REPO / "sample-corpus" / part, folder / part)
    return folder


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_corpus(tmp_path_factory.mktemp("corpus"))


def indexed_store(
    folder: Path, corpus: Path, embedder: Embedder | HashingEncoder, pipeline: UkrainianPipeline
) -> Hromada:
    hromada = Hromada(Settings(store=folder / "store"), embedder=embedder, pipeline=pipeline)  # type: ignore[arg-type]
    report = hromada.index([corpus])
    assert not report.failed, report.failed
    return hromada


@pytest.fixture(scope="session")
def indexed(
    tmp_path_factory: pytest.TempPathFactory,
    corpus: Path,
    embedder: Embedder,
    ukrainian_pipeline: UkrainianPipeline,
) -> Hromada:
    """A ``Hromada`` over a store holding ``corpus``; tests must not change it (copy it to change things)."""
    return indexed_store(tmp_path_factory.mktemp("store"), corpus, embedder, ukrainian_pipeline)


@pytest.fixture(scope="session")
def fake_indexed(
    tmp_path_factory: pytest.TempPathFactory,
    corpus: Path,
    fake_encoder: HashingEncoder,
    ukrainian_pipeline: UkrainianPipeline,
) -> Hromada:
    """``indexed`` with the fake encoder's vectors: the same documents and chunks, searches without meaning."""
    return indexed_store(tmp_path_factory.mktemp("fake-store"), corpus, fake_encoder, ukrainian_pipeline)


@pytest.fixture
def fresh(tmp_path: Path, embedder: Embedder, ukrainian_pipeline: UkrainianPipeline) -> Hromada:
    """A ``Hromada`` over an empty store of the test's own."""
    return Hromada(Settings(store=tmp_path / "store"), embedder=embedder, pipeline=ukrainian_pipeline)


@pytest.fixture
def fake_fresh(
    tmp_path: Path, fake_encoder: HashingEncoder, ukrainian_pipeline: UkrainianPipeline
) -> Hromada:
    """``fresh`` with the fake encoder."""
    return Hromada(Settings(store=tmp_path / "store"), embedder=fake_encoder, pipeline=ukrainian_pipeline)  # type: ignore[arg-type]


# ---------------------------------------------------------------- the hromada command in this process

Command = Callable[[Sequence[str]], int]
"""``service.cli.main``: ``hromada ARGS`` in this process, its exit status returned, its output on stdout/stderr."""


def on_own_thread(command: Command) -> Command:
    """``command`` run on a thread of its own, as a process of its own would be: ``hromada index`` lowers the CPU
    priority of the thread that runs it, and a nice value is never raised back, so on the tests' main thread it
    would slow every test after it (the searches of test_concurrency measured 1.7x slower for it)."""
    return lambda argv: run_on_own_thread(lambda: command(argv))


@pytest.fixture(scope="session")
def cli(embedder: Embedder, ukrainian_pipeline: UkrainianPipeline) -> Command:
    """The command on the session's models (as run, each command would load them again)."""
    return on_own_thread(
        partial(main, make_app=lambda settings: Hromada(settings, embedder, ukrainian_pipeline))
    )


@pytest.fixture(scope="session")
def fake_cli(fake_encoder: HashingEncoder, ukrainian_pipeline: UkrainianPipeline) -> Command:
    """The command with the fake encoder: on stores built by ``fake_*`` fixtures, or new ones."""
    return on_own_thread(
        partial(main, make_app=lambda settings: Hromada(settings, fake_encoder, ukrainian_pipeline))  # type: ignore[arg-type]
    )


# ---------------------------------------------------------------- stores built from the shared ones, once


@pytest.fixture(scope="session")
def clustered(indexed: Hromada, tmp_path_factory: pytest.TempPathFactory, cli: Command) -> Path:
    """A copy of the indexed store with the corpus's problems found by ``hromada cluster``; tests must not change it
    (copy it to change things)."""
    store = tmp_path_factory.mktemp("clustered") / "store"
    indexed.store().snapshot(store)
    assert cli(["cluster", "--store", str(store), "--json"]) == 0
    return store


STRATEGIES = FIXTURES / "precedents" / "hromadas-five.json"


@pytest.fixture(scope="session")
def strategies(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder, ukrainian_pipeline: UkrainianPipeline
) -> Hromada:
    """A store holding five real hromada strategies: four of one raion (two rural, two urban), one afar; tests must
    not change it."""
    return indexed_store(tmp_path_factory.mktemp("strategies"), STRATEGIES, embedder, ukrainian_pipeline)


# ---------------------------------------------------------------- measured figures, printed at the end of the run

MEASUREMENTS = pytest.StashKey[list[str]]()


@pytest.fixture(scope="session")
def measurements(pytestconfig: pytest.Config) -> list[str]:
    """Lines of measured figures (timings, sizes) that the run prints in its summary; tests append to it."""
    return pytestconfig.stash.setdefault(MEASUREMENTS, [])


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    lines = config.stash.get(MEASUREMENTS, [])
    if lines:
        terminalreporter.section("measurements")
        for line in lines:
            terminalreporter.write_line(line)
    unmarked = config.stash.get(UNMARKED_SLOW, [])
    if unmarked:
        terminalreporter.section(f"over {SLOW_SECONDS:.0f} s but not marked slow")
        load = ", ".join(f"{figure:.1f}" for figure in os.getloadavg())
        terminalreporter.write_line(f"(load average {load}: a busy machine slows everything)")
        for line in unmarked:
            terminalreporter.write_line(line)


# ---------------------------------------------------------------- a real PostgreSQL with pgvector, once per session

import secrets  # noqa: E402
import tempfile  # noqa: E402
from dataclasses import dataclass  # noqa: E402


@dataclass
class PostgresServer:
    """A PostgreSQL 16 server with pgvector (the ``pgserver`` wheel) in a temporary folder of this session."""

    url_of: object
    """``url_of(database)``: the address of a database of this server."""

    def new_database(self) -> str:
        """The address of a new, empty database: each test's store of its own."""
        import psycopg

        name = f"hromada_{secrets.token_hex(6)}"
        with psycopg.connect(self.url_of("postgres"), autocommit=True) as connection:  # type: ignore[operator]
            connection.execute(f"CREATE DATABASE {name}")
        return self.url_of(name)  # type: ignore[operator]


@pytest.fixture(scope="session")
@marks_tests("postgres")
def postgres_server() -> Iterator[PostgresServer]:
    # Not under pytest's temporary folders: run as root, pgserver runs PostgreSQL as its own user, which must be
    # able to reach the data folder (pytest's are private to root).
    folder = Path(tempfile.mkdtemp(prefix="hromada-postgres-"))
    folder.chmod(0o755)
    runtime = folder / "run"
    runtime.mkdir(mode=0o700)
    # pgserver keeps its lock and socket under the user's runtime folder, read when it is imported.
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    import pgserver

    server = pgserver.get_server(folder / "data", cleanup_mode="delete")
    try:
        yield PostgresServer(server.get_uri)
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------- scans of real pages, for the OCR tests

from tests.scans import Scans, make_scans  # noqa: E402

TESSERACT_LANGUAGES = {"ukr", "rus", "eng"}


@pytest.fixture(scope="session")
def scans(tmp_path_factory: pytest.TempPathFactory) -> Scans:
    """The sports-rules pages as scans: an image-only PDF, a mixed PDF, a TIFF, a PNG and a JPEG."""
    return make_scans(tmp_path_factory.mktemp("scans"))


@pytest.fixture(scope="session")
@marks_tests("ocr", "slow")
def tesseract() -> set[str]:
    """The languages of Tesseract, which has Ukrainian, Russian and English, or the test is skipped (recognising
    a page takes seconds)."""
    languages: set[str] = set()
    if shutil.which("tesseract") is not None:
        listed = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, check=False)
        languages = set(listed.stdout.splitlines()[1:])
    if not languages >= TESSERACT_LANGUAGES:
        pytest.skip(
            "OCR tests need Tesseract with Ukrainian, Russian and English "
            "(apt-get install -y tesseract-ocr tesseract-ocr-ukr tesseract-ocr-rus tesseract-ocr-eng)"
        )
    return languages
