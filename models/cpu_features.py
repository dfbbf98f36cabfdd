"""What the processor can do fast: read once from ``/proc/cpuinfo`` (Linux), empty elsewhere."""

from __future__ import annotations

from functools import cache
from pathlib import Path

CPUINFO = Path("/proc/cpuinfo")
BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})
"""Either lets bfloat16 matrix products run natively (AVX-512 BF16 or AMX tiles) rather than emulated."""


@cache
def cpu_flags() -> frozenset[str]:
    """The feature flags of the first processor listed (they are the same on every core of one machine)."""
    try:
        text = CPUINFO.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name.strip() == "flags":
            return frozenset(value.split())
    return frozenset()


def has_native_bf16(flags: frozenset[str]) -> bool:
    """Whether bfloat16 inference is faster than float32 on a processor with these flags."""
    return bool(flags & BF16_FLAGS)
