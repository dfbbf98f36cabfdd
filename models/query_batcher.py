"""Embeds concurrent queries together: requests that arrive while the model is busy, or within a few
milliseconds of each other, go through it as one small batch instead of queueing one by one."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

import numpy as np


@dataclass
class _Request:
    text: str
    result: Future[np.ndarray] = field(default_factory=Future)


class QueryBatcher:
    """One worker thread, started with the batcher, that embeds waiting queries in batches of up to ``max_batch``.

    ``embed_many`` turns a list of query texts into their vectors. The worker waits ``window`` seconds after
    the first query of a batch for others to join it; queries arriving while a batch runs form the next.
    """

    def __init__(
        self, embed_many: Callable[[Sequence[str]], np.ndarray], window: float, max_batch: int
    ) -> None:
        self._embed_many = embed_many
        self._window = window
        self._max_batch = max_batch
        self._waiting: queue.SimpleQueue[_Request] = queue.SimpleQueue()
        # Started here, not on first use: a thread starts with the CPU priority of the thread that starts it,
        # and the first query may come from a batch computed at a lower priority (service.background_priority).
        # A daemon: a process that ends does not wait for it; it holds no state worth saving.
        self._worker = threading.Thread(target=self._serve, name="query-embedding", daemon=True)
        self._worker.start()

    def embed(self, text: str) -> np.ndarray:
        """The vector of one query, computed in a batch with whatever other queries are waiting."""
        return self.submit(text).result()

    def submit(self, text: str) -> Future[np.ndarray]:
        """The vector of one query to come, so that the caller can do other work meanwhile."""
        request = _Request(text)
        self._waiting.put(request)
        return request.result

    def _serve(self) -> None:
        while True:
            batch = self._next_batch()
            try:
                vectors = self._embed_many([request.text for request in batch])
            except Exception as error:  # every waiting caller gets the error, none hangs
                for request in batch:
                    request.result.set_exception(error)
                continue
            for request, vector in zip(batch, vectors, strict=True):
                request.result.set_result(vector)

    def _next_batch(self) -> list[_Request]:
        batch = [self._waiting.get()]
        deadline = time.monotonic() + self._window
        while len(batch) < self._max_batch:
            remaining = deadline - time.monotonic()
            try:
                batch.append(
                    self._waiting.get(timeout=remaining) if remaining > 0 else self._waiting.get_nowait()
                )
            except queue.Empty:
                break
        return batch
