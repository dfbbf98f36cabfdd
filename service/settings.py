"""All of hromada's configuration in one object, read from ``HROMADA_*`` environment variables or arguments."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where the store and the model live, limits, and the knobs of retrieval and serving."""

    model_config = SettingsConfigDict(env_prefix="HROMADA_", extra="ignore")

    store: Path = Field(Path("hromada-store"), description="The store folder (SQLite + FAISS + manifest).")
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
        2.0, ge=0, le=100, description="How long a query waits for concurrent ones to share its batch."
    )
    search_threads: int = Field(1, ge=1, description="FAISS threads for one query's vector search.")
    max_file_bytes: int = Field(200_000_000, ge=1, description="Files larger than this are refused.")
    busy_timeout: float = Field(
        30.0, ge=0, description="Seconds a writer waits for another writer to finish."
    )

    candidates: int = Field(100, ge=10, description="Hits each retriever proposes before fusion.")
    rrf_k: int = Field(60, ge=1, description="The constant of reciprocal rank fusion.")
    # Calibrated by scripts/bench/precedents.py --calibrate (Youden's J between municipal problems and
    # off-topic questions): 0.836 keeps 86% of problems and 22% of off-topic questions for the law, 0.854
    # keeps 98% and none for documents.
    precedent_min_similarity: float = Field(
        0.836, ge=0, le=1, description="Least cosine of the closest law passage for a legislation list."
    )
    precedent_min_document_similarity: float = Field(
        0.854, ge=0, le=1, description="Least cosine of a proposal's or case's passage to a problem."
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
    keys_file: Path | None = Field(None, description="API keys (hashed); default: keys.json in the store.")
    api_keys: SecretStr = Field(
        SecretStr(""),
        description="More API keys, from the environment: role:KEY,role:KEY (HROMADA_API_KEYS).",
    )
    max_upload_bytes: int = Field(50_000_000, ge=1)
    max_request_bytes: int = Field(1_000_000, ge=1, description="Largest JSON body accepted.")
    rate_limit_per_minute: int = Field(600, ge=1, description="Requests per minute per client.")
    cors_origins: list[str] = Field(
        default_factory=list, description="Origins allowed by CORS; none by default."
    )
