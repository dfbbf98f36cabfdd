"""Background work at a lower CPU priority, so that searches on the same cores come first.

On Linux the nice value belongs to a thread, and a thread starts with the nice value of the thread that
created it. So a batch that a server computes (problems assigned or clustered over HTTP, uploaded files
indexed) runs on a thread of its own whose priority is lowered, and every thread it starts (OpenVINO's and
FAISS's workers compiled or started there) inherits that; the threads that answer searches keep theirs.
A priority is only ever lowered: raising it back needs privileges a server should not have, which is why the
work gets a fresh thread instead of lowering and restoring a thread of the server's pool.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
MAX_NICENESS = 19


def lower_priority(niceness: int) -> None:
    """Add ``niceness`` to the calling thread's nice value (at most 19); 0 leaves it as it is."""
    if niceness <= 0:
        return
    thread = threading.get_native_id()
    current = os.getpriority(os.PRIO_PROCESS, thread)
    os.setpriority(os.PRIO_PROCESS, thread, min(MAX_NICENESS, current + niceness))


def run_in_background(call: Callable[[], T], niceness: int) -> T:
    """``call()`` computed on a new thread ``niceness`` steps less urgent than this one; its result or error.

    The calling thread waits for it, so a request handler keeps its shape.
    """
    if niceness <= 0:
        return call()
    return run_on_own_thread(call, niceness)


def run_on_own_thread(call: Callable[[], T], niceness: int = 0) -> T:
    """``call()`` computed on a new thread (``niceness`` steps less urgent), the caller waiting for its result or
    error: whatever the call does to its thread's priority stays with that thread."""
    outcome: dict[str, T] = {}
    failure: list[BaseException] = []

    def work() -> None:
        lower_priority(niceness)
        try:
            outcome["result"] = call()
        except BaseException as error:  # handed to the waiting thread, which raises it as its own
            failure.append(error)

    worker = threading.Thread(target=work, name="background-batch" if niceness else "own-thread")
    worker.start()
    worker.join()
    if failure:
        raise failure[0]
    return outcome["result"]
