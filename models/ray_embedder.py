"""Passages embedded on a Ray cluster by a pool of actors, each running hromada's own embedder on its node.

Every worker loads the prepared model folder at the same path with the backend the driver chose; it never builds
or downloads a model, and a node without the folder (or where that backend was not verified) is an error naming
the node. Each call of ``embed_passages`` is dealt out over all workers, longest texts spread evenly, and the
vectors come back in the caller's order; so the indexer embeds on Ray exactly as it embeds here.

Actors rather than Ray Data: the indexer embeds a batch at a time, as it reads and commits file by file, and a Ray
Data pipeline per batch would start its actors (and load the model) again for every batch.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from models.backend_choice import chosen_backend
from models.e5_model_folder import MAX_SEQ_LENGTH, PROMPTS
from models.e5_preparation import MODEL_NAME, PREPARE_COMMAND
from models.encoders import EMBEDDING_DIMENSION
from models.errors import HromadaError, ModelNotAvailableError
from models.model_folder_manifest import has_manifest
from models.ray_cluster import RayOptions, joined_cluster, worker_count
from models.token_batches import PromptTokenizer

log = logging.getLogger(__name__)

WORKER_START_SECONDS = 600
"""How long the workers may take to load the model (a busy node compiling it) before the run gives up."""


class RayWorkerError(HromadaError):
    """A Ray worker died or failed; the files committed before it stay, and the same command resumes the run."""


@dataclass(frozen=True)
class WorkerModel:
    """What every worker loads: the same folder (a path valid on every node) with the same backend."""

    folder: str
    backend: str
    threads: int
    batch_size: int


@dataclass
class EmbeddedPiece:
    """A worker's answer: the vectors of the texts it was given, and where and how long it took."""

    vectors: np.ndarray
    node: str
    seconds: float


class EmbeddingWorker:
    """A Ray actor holding one embedder; ``load`` must be called (and waited for) before ``embed``."""

    def __init__(self, model: WorkerModel) -> None:
        import ray

        self.model = model
        self.node = f"{ray.util.get_node_ip_address()} (node {ray.get_runtime_context().get_node_id()})"
        self._embedder: Any = None

    def load(self) -> str:
        """Load the model; returns this worker's node. Raises ModelNotAvailableError naming the node."""
        from models.embedder import Embedder

        folder = Path(self.model.folder)
        if not has_manifest(folder):
            raise ModelNotAvailableError(
                f"Ray node {self.node}: there is no prepared model in {folder}; prepare it there with "
                f"`{PREPARE_COMMAND} --model-dir {folder}` (a worker never builds or downloads one)."
            )
        self._embedder = Embedder(
            folder, batch_size=self.model.batch_size, backend=self.model.backend, threads=self.model.threads
        )
        if self._embedder.backend != self.model.backend:
            raise ModelNotAvailableError(
                f"Ray node {self.node}: the model in {folder} loads with {self._embedder.backend}, not the "
                f"{self.model.backend} backend the other nodes use; run `{PREPARE_COMMAND} --model-dir {folder}` "
                "there, or set HROMADA_EMBED_BACKEND to a backend every node has."
            )
        return self.node

    def embed(self, texts: list[str]) -> EmbeddedPiece:
        started = time.perf_counter()
        vectors = self._embedder.embed_passages(texts)
        return EmbeddedPiece(vectors, self.node, time.perf_counter() - started)


class RayEmbedder:
    """The indexer's embedder over a pool of Ray workers (see the module's docstring); make it with ``start``.

    ``passages_by_node`` and ``seconds_by_node`` count what each node embedded and how long its workers computed.
    """

    name: str = MODEL_NAME
    dimension: int = EMBEDDING_DIMENSION

    def __init__(self, workers: list[Any], backend: str, tokenizer: PromptTokenizer) -> None:
        self._workers = workers
        self._backend = backend
        self._tokenizer = tokenizer
        self._first_worker = 0
        self.passages_by_node: Counter[str] = Counter()
        self.seconds_by_node: Counter[str] = Counter()

    @classmethod
    @contextmanager
    def start(
        cls, options: RayOptions, model_dir: Path, requested_backend: str, batch_size: int
    ) -> Iterator[RayEmbedder]:
        """Join the cluster, start a worker per ``options.worker_cpus`` free CPUs and wait until each has loaded
        the model; on leaving, stop the workers and disconnect."""
        import ray

        with ExitStack() as stack:
            stack.enter_context(joined_cluster(options))
            model = WorkerModel(
                str(model_dir.absolute()),
                chosen_backend(model_dir, requested_backend),
                options.worker_cpus,
                batch_size,
            )
            actor = ray.remote(EmbeddingWorker).options(
                num_cpus=options.worker_cpus, scheduling_strategy="SPREAD"
            )
            workers = [actor.remote(model) for _ in range(worker_count(options.worker_cpus))]
            stack.callback(_stop, ray, workers)
            nodes = _wait(ray, [worker.load.remote() for worker in workers], WORKER_START_SECONDS)
            log.info("%d Ray workers embed with %s on %d nodes", len(workers), model.backend, len(set(nodes)))
            yield cls(workers, model.backend, _driver_tokenizer(model_dir))

    @property
    def backend(self) -> str:
        return self._backend

    def embed_passages(
        self, texts: Sequence[str], show_progress: bool = False, threads: int | None = None
    ) -> np.ndarray:
        """Vectors of ``texts`` in their order; ``show_progress`` and ``threads`` are the workers' business."""
        import ray

        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
        pieces = self._deal(texts)
        answers = _wait(
            ray, [worker.embed.remote([texts[row] for row in rows]) for worker, rows in pieces], None
        )
        for (_, rows), piece in zip(pieces, answers, strict=True):
            vectors[rows] = piece.vectors
            self.passages_by_node[piece.node] += len(rows)
            self.seconds_by_node[piece.node] += piece.seconds
            log.debug("embedded %d passages on Ray node %s in %.2f s", len(rows), piece.node, piece.seconds)
        return vectors

    def count_tokens(self, texts: Sequence[str]) -> int:
        return self._tokenizer.count(texts, PROMPTS["passage"])

    def _deal(self, texts: Sequence[str]) -> list[tuple[Any, list[int]]]:
        """Rows for each worker: longest first, dealt round, so every worker gets about as many characters;
        the first worker turns, so that calls of one text do not all land on one worker."""
        order = sorted(range(len(texts)), key=lambda row: -len(texts[row]))
        count = min(len(self._workers), len(texts))
        workers = [self._workers[(self._first_worker + i) % len(self._workers)] for i in range(count)]
        self._first_worker = (self._first_worker + count) % len(self._workers)
        return [(worker, order[i::count]) for i, worker in enumerate(workers)]


def _wait(ray: Any, refs: list[Any], timeout: float | None) -> list[Any]:
    """The answers of ``refs``; hromada's own error in a worker is raised here as itself (it names its node)."""
    try:
        return ray.get(refs, timeout=timeout)
    except ray.exceptions.RayTaskError as error:
        if isinstance(error.cause, HromadaError):
            raise error.cause from None
        raise RayWorkerError(f"a Ray worker failed: {error.cause!r}") from error
    except ray.exceptions.GetTimeoutError as error:
        raise RayWorkerError(f"the Ray workers did not load the model within {timeout} s") from error
    except ray.exceptions.RayError as error:
        raise RayWorkerError(f"a Ray worker stopped: {error}") from error


def _stop(ray: Any, workers: list[Any]) -> None:
    for worker in workers:
        ray.kill(worker)


def _driver_tokenizer(model_dir: Path) -> PromptTokenizer:
    """The tokenizer that counts tokens here, read from the same prepared folder the workers use."""
    if not has_manifest(model_dir):
        raise ModelNotAvailableError(
            f"there is no prepared model in {model_dir} on this machine, which counts the tokens it sends to Ray; "
            f"prepare it with `{PREPARE_COMMAND} --model-dir {model_dir}`."
        )
    return PromptTokenizer(model_dir / "tokenizer.json", MAX_SEQ_LENGTH)
