"""``--device`` and ``--compute-type``: parsed and checked before any work.

``cpu``, ``cuda`` (the first GPU), ``cuda:N`` or ``auto`` (a GPU when the
backend sees one, else the CPU). Asking for CUDA where there is none is a
one-line error, never a silent fall-back to the CPU.
"""

from __future__ import annotations

import re

from mtfix.errors import MtfixError

DEVICES = "cpu, cuda, cuda:N or auto"
_DEVICE = re.compile(r"^(cpu|auto|cuda)(?::(\d+))?$")


def parse_device(device: str) -> tuple[str, int]:
    """``"cuda:1"`` -> ``("cuda", 1)``; ``"cpu"`` -> ``("cpu", 0)``."""
    m = _DEVICE.match((device or "").strip().lower())
    if not m or (m.group(2) is not None and m.group(1) != "cuda"):
        raise MtfixError(f"unknown device {device!r}; choose {DEVICES}")
    return m.group(1), int(m.group(2) or 0)


def resolve_device(device: str, backend) -> str:
    """``cpu`` or ``cuda:N`` for ``backend`` (a Backend class), checked against the GPUs it sees."""
    kind, index = parse_device(device)
    if kind == "cpu":
        return "cpu"
    count = backend.cuda_devices()
    if kind == "auto":
        return "cuda:0" if count > 0 else "cpu"
    if count == 0:
        raise MtfixError(f"--device {device}: no CUDA GPU is available to {backend.backend} on this machine; "
                         f"use --device cpu (or auto)")
    if index >= count:
        raise MtfixError(f"--device {device}: only {count} CUDA device(s) here (cuda:0..cuda:{count - 1})")
    return f"cuda:{index}"


def check_compute_type(compute_type: str, backend) -> str:
    value = (compute_type or "default").strip().lower()
    if value not in backend.compute_types:
        raise MtfixError(f"--compute-type {compute_type} is not one {backend.backend} runs; "
                         f"choose one of {', '.join(backend.compute_types)}")
    return value
