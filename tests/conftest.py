"""Shared pytest fixtures: heavy models are loaded once per test session."""

import pytest

from models.embedder import Embedder
from models.ukrainian_pipeline import UkrainianPipeline


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The multilingual embedder from the default model folder (prepared there on first use)."""
    return Embedder()


@pytest.fixture(scope="session")
def ukrainian_pipeline() -> UkrainianPipeline:
    """One Ukrainian language pipeline for the whole session: its dictionaries take seconds to load."""
    return UkrainianPipeline()


# ---------------------------------------------------------------- an indexed store, shared by the service tests

import json  # noqa: E402
import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

from service.hromada import Hromada  # noqa: E402
from service.settings import Settings  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


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


@pytest.fixture(scope="session")
def indexed(
    tmp_path_factory: pytest.TempPathFactory,
    corpus: Path,
    embedder: Embedder,
    ukrainian_pipeline: UkrainianPipeline,
) -> Hromada:
    """A ``Hromada`` over a store holding ``corpus``; tests must not change it (copy it to change things)."""
    settings = Settings(store=tmp_path_factory.mktemp("store") / "store")
    hromada = Hromada(settings, embedder=embedder, pipeline=ukrainian_pipeline)
    report = hromada.index([corpus])
    assert not report.failed, report.failed
    return hromada


@pytest.fixture
def fresh(tmp_path: Path, embedder: Embedder, ukrainian_pipeline: UkrainianPipeline) -> Hromada:
    """A ``Hromada`` over an empty store of the test's own."""
    return Hromada(Settings(store=tmp_path / "store"), embedder=embedder, pipeline=ukrainian_pipeline)


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


# ---------------------------------------------------------------- a real PostgreSQL with pgvector, once per session

import os  # noqa: E402
import secrets  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Iterator  # noqa: E402
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


@pytest.fixture(scope="session")
def scans(tmp_path_factory: pytest.TempPathFactory) -> Scans:
    """The sports-rules pages as scans: an image-only PDF, a mixed PDF, a TIFF, a PNG and a JPEG."""
    return make_scans(tmp_path_factory.mktemp("scans"))
