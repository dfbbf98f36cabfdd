"""All of hromada's configuration in one object, read from ``HROMADA_*`` environment variables or arguments."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from indexing.store import StoreAddress

UPLOADS_FOLDER = "uploads"
KEYS_FILE_NAME = "keys.json"


def _address_text(value: Any) -> Any:
    # A folder may be given as a Path; a database address only as text (a Path would fold its "//").
    return os.fspath(value) if isinstance(value, os.PathLike) else value


class Settings(BaseSettings):
    """Where the store and the model live, limits, and the knobs of retrieval and serving."""

    model_config = SettingsConfigDict(env_prefix="HROMADA_", extra="ignore")

    store: Annotated[str, BeforeValidator(_address_text)] = Field(
        "hromada-store",
        description="Where the store is: a folder (SQLite + FAISS + manifest), or postgresql://… (PostgreSQL "
        "with pgvector, which several servers may share).",
    )
    model_dir: Path | None = Field(None, description="The prepared embedder; default: a folder in ~/.cache.")
    embed_batch_size: int = Field(32, ge=1, le=512)
    embed_backend: str = Field(
        "auto",
        description="The encoder backend: auto (the fastest verified here), openvino-bf16, torch-bf16, "
        "torch-fp32.",
    )
    embed_threads: int | None = Field(
        None, ge=1, description="Threads that embed documents; default: every core this process may use."
    )
    query_threads: int = Field(1, ge=1, description="Threads that embed one batch of queries.")
    query_batch_window_ms: float = Field(
        0.0,
        ge=0,
        le=100,
        description="How long a query waits for concurrent ones to share its batch (0: it takes those already "
        "waiting; queries that come while a batch runs make up the next one).",
    )
    search_threads: int = Field(1, ge=1, description="FAISS threads for one query's vector search.")
    lexical_index: Literal["bm25", "fts5"] = Field(
        "bm25",
        description="How a store folder ranks lemma keys: bm25 in memory (fast), or SQLite's FTS5 (the baseline).",
    )
    ray_address: str | None = Field(
        None,
        description="Where `hromada index` embeds when --ray is not given: a Ray cluster's address, or auto "
        "(the cluster running on this machine, else one started for the run); unset: in its own process.",
    )
    ray_worker_cpus: int = Field(
        1,
        ge=1,
        description="CPUs (and threads) of each Ray embedding worker; a node runs as many as it has CPUs.",
    )
    ray_local_cpus: int | None = Field(
        None, ge=1, description="CPUs of the local Ray cluster that `--ray auto` starts; default: every core."
    )
    ray_temp_dir: Path = Field(
        Path(tempfile.gettempdir()) / "hromada-ray",
        description="Ray's session files (sockets, logs) of the local cluster that `--ray auto` starts.",
    )
    max_file_bytes: int = Field(200_000_000, ge=1, description="Files larger than this are refused.")
    # Scanned pages and images (indexing/ocr; figures from scripts/bench/ocr.py).
    ocr: Literal["auto", "on", "off"] = Field(
        "auto",
        description="OCR with Tesseract: auto (PDF pages without a usable text layer, and images), on (every "
        "PDF page, its text layer ignored), off (never; a scan is refused).",
    )
    ocr_languages: str = Field(
        "ukr+rus+eng",
        pattern=r"^[A-Za-z_]+(\+[A-Za-z_]+)*$",
        description="Tesseract's languages joined by +; each needs Debian's tesseract-ocr-<code>.",
    )
    ocr_dpi: int = Field(300, ge=72, le=600, description="Resolution scanned PDF pages are rendered at.")
    ocr_tesseract: str = Field(
        "tesseract", min_length=1, description="The Tesseract program: a name on PATH or a path."
    )
    ocr_workers: int | None = Field(
        None, ge=1, description="Pages recognised at once; default: one per core this process may use."
    )
    busy_timeout: float = Field(
        30.0, ge=0, description="Seconds a writer waits for another writer to finish."
    )
    problem_save_attempts: int = Field(
        3, ge=1, description="Tries at saving a batch of problems when other batches are saved meanwhile."
    )

    candidates: int = Field(100, ge=10, description="Hits each retriever proposes before fusion.")
    rrf_k: int = Field(60, ge=1, description="The constant of reciprocal rank fusion.")
    # Evidence that a problem's subject is indexed (service/precedents/subject_evidence.py), chosen by
    # scripts/bench/precedents.py --calibrate on the even half of its calibration problems (held-out municipal
    # appeals and strategy challenges against sports-rules questions): a proposal or case passage as close as
    # 99% of municipal problems come (an emptied list hides the answer, a filled one for an off-topic question
    # shows weak matches, so the bar errs towards filling); a law passage closer than any off-topic question
    # came, because law is formal text, near any formal question.
    precedent_min_similarity: float = Field(
        0.8533, ge=0, le=1, description="Cosine of a law passage that shows a problem's subject is indexed."
    )
    precedent_min_document_similarity: float = Field(
        0.8315, ge=0, le=1, description="Cosine of a proposal or case that shows the subject is indexed."
    )
    # The article ranking's weights (service/precedents/article_ranking.py), in cosine units. The lexical weight
    # is chosen by scripts/bench/precedents.py --choose-weights on the hand-paired law problems at even
    # positions; the competence lift keeps the size set by reasoning (see that function for why).
    precedent_lexical_weight: float = Field(
        0.005, ge=0, description="Added to an article's cosine for the best relative BM25 (precedents)."
    )
    precedent_competence_lift: float = Field(
        0.01, ge=0, description="Added to an article's cosine per reason of competence (precedents)."
    )

    # Calibrated by scripts/bench/search_floor.py (Youden's J between 150 Kyiv 1551 appeals and 210 sports-rules
    # questions and nonsense strings over the sample corpus): on the held-out half 0.836 keeps 88% of municipal
    # queries as close and flags 91% of off-topic ones (ROC AUC 0.975).
    search_min_similarity: float = Field(
        0.836,
        ge=0,
        le=1,
        description="Least cosine of the closest passage for a search to count as a close match.",
    )
    report_author: str = Field(
        "hromada", min_length=1, description="The author named in the properties of exported DOCX reports."
    )

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    keys_file: Path | None = Field(
        None,
        description="API keys (hashed); default: keys.json in the store folder, or in a database store itself.",
    )
    api_keys: SecretStr = Field(
        SecretStr(""),
        description="More API keys, from the environment: role:KEY,role:KEY (HROMADA_API_KEYS).",
    )
    uploads_dir: Path | None = Field(
        None,
        description="Where uploaded files are kept; default: uploads/ in the store folder, or ./hromada-uploads "
        "beside a database store.",
    )
    max_upload_bytes: int = Field(50_000_000, ge=1)
    max_request_bytes: int = Field(1_000_000, ge=1, description="Largest JSON body accepted.")
    # One: a batch assigned over HTTP leaves the other core to searches. It has a compiled model of its own
    # (models.openvino_encoder's lanes): sharing the queries' one queued them (600 appeals: p50 45 -> 1044 ms).
    served_batch_threads: int | None = Field(
        1,
        ge=1,
        description="Threads that clustering or assigning over HTTP embeds with; None: the embedder's own.",
    )
    gil_switch_seconds: float = Field(
        0.001,
        gt=0,
        le=0.1,
        description="How long a thread of the server may hold the GIL before another runs (Python's default: 0.005).",
    )
    index_niceness: int = Field(
        10,
        ge=0,
        le=19,
        description="How much `hromada index` lowers its CPU priority (added to its nice value), so that a "
        "server's searches on the same machine come first.",
    )
    served_batch_niceness: int = Field(
        10,
        ge=0,
        le=19,
        description="How much the thread computing a batch for the server (assigning, clustering, indexing "
        "uploads) lowers its CPU priority, so that searches come first.",
    )
    rate_limit_per_minute: int = Field(600, ge=1, description="Requests per minute per client.")
    cors_origins: list[str] = Field(
        default_factory=list, description="Origins allowed by CORS; none by default."
    )

    @property
    def store_address(self) -> StoreAddress:
        """The store's address: a folder or a database (``StoreAddress.shown`` hides a password)."""
        # str(): model_copy(update=...) does not validate, and tests hand it a Path.
        return StoreAddress(str(self.store))

    @property
    def uploads_folder(self) -> Path:
        """Where ``POST /documents`` keeps the files it indexes: they stay the documents' sources."""
        if self.uploads_dir is not None:
            return self.uploads_dir
        address = self.store_address
        return Path("hromada-uploads") if address.is_database else address.folder / UPLOADS_FOLDER

    @property
    def keys_path(self) -> Path | None:
        """The file of API keys: ``keys_file`` when given, else ``keys.json`` in the store folder; None for a
        database store, which keeps its keys itself."""
        if self.keys_file is not None:
            return self.keys_file
        address = self.store_address
        return None if address.is_database else address.folder / KEYS_FILE_NAME
