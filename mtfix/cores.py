"""How many CPU cores this process may use, and how busy the machine is."""

from __future__ import annotations

import os

__all__ = ["usable_cores", "machine_busy"]


def usable_cores() -> int:
    """The CPU cores this process may run on (its affinity mask, e.g. under taskset, a cpuset or a container)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def machine_busy(cores: int | None = None) -> bool:
    """Whether other work already fills the cores: the 1-minute load average is at least their number.

    ``False`` where the load average cannot be read (not a Unix)."""
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # pragma: no cover - not a Unix
        return False
    return load >= (cores if cores is not None else usable_cores())
