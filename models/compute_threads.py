"""How many threads torch computes with in the calling thread, for a long job that must leave cores to others.

torch's thread count is an OpenMP setting of the thread that calls it: a batch embedded in one of the server's
threads on fewer threads leaves the other cores to the searches answered meanwhile, without changing theirs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def torch_threads(count: int) -> Iterator[None]:
    """Run the block with torch on at most ``count`` threads in this thread; the count is restored after."""
    import torch  # only a job that embeds pays for loading torch

    before = torch.get_num_threads()
    torch.set_num_threads(min(count, before))
    try:
        yield
    finally:
        torch.set_num_threads(before)
