"""Whether a server has loaded its models: ``/health`` answers "starting" (503) until it has.

``hromada serve`` loads the embedder, the language pipeline and the store's searcher in a background thread
when the application starts, and runs one query and one passage through the embedder, so that the first
search a load balancer lets through is as fast as the tenth. An application built without loading first
(tests, embedding the app elsewhere) is ready at once and loads on first use.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

STARTING, READY, FAILED = "starting", "ok", "failed"


@dataclass
class Readiness:
    """The loading state of one application: ``starting``, ``ok`` or ``failed`` (with the reason)."""

    status: str = READY
    detail: str | None = None
    _guard: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def load_in_background(self, load: Callable[[], None]) -> threading.Thread:
        """Mark the application as starting and run ``load`` in a thread; it is ready when ``load`` returns."""
        with self._guard:
            self.status, self.detail = STARTING, None
        thread = threading.Thread(target=self._load, args=(load,), name="model-loading", daemon=True)
        thread.start()
        return thread

    def _load(self, load: Callable[[], None]) -> None:
        try:
            load()
        except Exception as error:  # a server that cannot load must say so on /health, not die silently
            log.exception("loading the models failed")
            with self._guard:
                self.status, self.detail = FAILED, str(error)
            return
        with self._guard:
            self.status = READY

    @property
    def ready(self) -> bool:
        return self.status == READY
