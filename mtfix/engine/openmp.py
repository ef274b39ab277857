"""PyTorch's OpenMP threads sleep while they wait, instead of spinning.

PyTorch's CPU kernels share their work out to a team of OpenMP threads
(libgomp in the Linux wheels), and a decoding step is thousands of small
parallel regions. Between two regions libgomp's threads spin by default
(``GOMP_SPINCOUNT``, 300,000 rounds) before they sleep. On an idle machine that
shaves a few microseconds off each region; on a machine whose cores are busy
with other processes it is a disaster: a spinning thread holds the core that
its partner needs to finish the region, so every region waits for the
scheduler. Measured on 2 loaded cores (``scripts/bench_openmp.py``): the tiny
models' beam-4 decoding took 20 to 90 times the wall time and 10 times the CPU
time with 2 threads than with 1; with ``OMP_WAIT_POLICY=PASSIVE`` 2 threads are
faster than 1 again. Real-size models run longer regions, so the spin costs
them less, but the same waiting, and the CPU it burns, slows down everything
else on the machine.

:func:`calm_openmp` sets ``OMP_WAIT_POLICY=PASSIVE`` unless the user chose how
OpenMP waits (``OMP_WAIT_POLICY`` or ``GOMP_SPINCOUNT`` already set: that is
kept, so ``GOMP_SPINCOUNT=300000`` gives back libgomp's own default). The
OpenMP runtime reads its environment once, when it is loaded with torch, so
every mtfix path that imports torch or transformers calls this first; in a
process that imported torch before, it changes nothing there (only in child
processes). How threads wait never changes a result: the same threads split
the same work.
"""

from __future__ import annotations

import os

#: The environment variables that choose how OpenMP threads wait; mtfix sets the first when none is set.
WAIT_VARIABLES = ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")
#: What mtfix sets: threads sleep as soon as they have no work.
WAIT_POLICY = "PASSIVE"


def calm_openmp() -> None:
    """``OMP_WAIT_POLICY=PASSIVE`` unless the user set a wait policy; call before importing torch."""
    if not any(name in os.environ for name in WAIT_VARIABLES):
        os.environ["OMP_WAIT_POLICY"] = WAIT_POLICY
