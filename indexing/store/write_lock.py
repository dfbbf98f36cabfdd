"""An exclusive, process-wide lock on a store folder, so that two writers serialise instead of colliding."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from indexing.errors import StoreBusyError


class WriteLock:
    """``flock`` on ``<store>/write.lock``; the kernel releases it if the holder dies, so a crash never leaves it stuck."""

    def __init__(self, path: Path, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        self._fd: int | None = None

    def __enter__(self) -> WriteLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise StoreBusyError(
                        f"the store at {self.path.parent} is busy: another process is writing to it "
                        f"(waited {self.timeout:g} s); try again when it has finished"
                    ) from None
                time.sleep(0.05)
        self._fd = fd
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
