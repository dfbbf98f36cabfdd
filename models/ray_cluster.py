"""The Ray cluster that embeds: joined by its address, or with ``auto`` the local one, started when none runs.

Nothing leaves the machines of the cluster: no dashboard, no usage statistics. Ray is imported only here and in
``models.ray_embedder``, which load only for an index run that asks for Ray.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from models.errors import HromadaError

AUTO = "auto"
CONNECT_SECONDS = 10


class RayClusterError(HromadaError):
    """The Ray cluster cannot be joined or started, or has no room for an embedding worker."""


@dataclass(frozen=True)
class RayOptions:
    """Which Ray cluster embeds, and how its CPUs are cut into workers."""

    address: str
    """``auto`` (a running local cluster, else a new one in this process) or an address (``host:6379``)."""
    worker_cpus: int = 1
    """CPUs of each embedding worker, which embeds with as many threads."""
    local_cpus: int | None = None
    """CPUs of the local cluster started by ``auto``; None: every core this process may use."""
    temp_dir: Path = Path("/tmp/hromada-ray")
    """Session files of the local cluster started by ``auto`` (a joined cluster keeps its own)."""


@contextmanager
def joined_cluster(options: RayOptions) -> Iterator[None]:
    """Connect this process to the cluster for the duration of the block, then disconnect (stopping the
    local cluster if this process started it). A process already connected (a Ray program calling hromada's
    Python API) keeps its connection."""
    try:
        import ray
    except ImportError as error:
        raise RayClusterError("embedding on Ray needs Ray: pip install 'hromada[ray]'") from error
    if ray.is_initialized():
        yield
        return
    # Ray reads this before it starts anything; without it a cluster started here may report usage statistics.
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    _connect(options)
    try:
        yield
    finally:
        ray.shutdown()


def _connect(options: RayOptions) -> None:
    import ray

    quiet = {"logging_level": logging.WARNING, "include_dashboard": False}
    try:
        if options.address != AUTO:
            _check_answers(options.address)
            ray.init(address=options.address, **quiet)
            return
        try:
            ray.init(address=AUTO, **quiet)
        except ConnectionError:  # no cluster runs here: start one inside this process
            options.temp_dir.mkdir(parents=True, exist_ok=True)
            # Ray's default for a cluster it starts, said explicitly so that Ray does not warn about it.
            os.environ.setdefault("RAY_AUTH_MODE", "token")
            ray.init(
                num_cpus=options.local_cpus or len(os.sched_getaffinity(0)),
                _temp_dir=str(options.temp_dir),
                **quiet,
            )
    except (ConnectionError, RuntimeError, ValueError, TimeoutError) as error:
        raise RayClusterError(
            f"cannot join the Ray cluster at {options.address!r}: {error} (a cluster started by `ray start` "
            "with token authentication needs RAY_AUTH_MODE=token and its token in ~/.ray/auth_token here)"
        ) from error


def _check_answers(address: str) -> None:
    """Fail at once when nothing listens at a ``host:port`` address: Ray itself retries it for many minutes."""
    host, _, port = address.rpartition(":")
    if "://" in address or not port.isdigit():
        return  # a ray:// client address or something Ray will judge itself
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_SECONDS).close()
    except OSError as error:
        raise RayClusterError(
            f"nothing answers at the Ray address {address!r} ({error}); `ray start --head` prints the address "
            "of its cluster"
        ) from error


def worker_count(worker_cpus: int) -> int:
    """How many workers of ``worker_cpus`` CPUs the cluster's free CPUs hold (at least one, or an error)."""
    import ray

    free = ray.available_resources().get("CPU", 0.0)
    count = int(free // worker_cpus)
    if count < 1:
        raise RayClusterError(
            f"the Ray cluster has {free:g} free CPUs, fewer than one embedding worker needs "
            f"(HROMADA_RAY_WORKER_CPUS={worker_cpus})"
        )
    return count
