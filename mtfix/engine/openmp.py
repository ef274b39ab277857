"""PyTorch's OpenMP threads sleep while they wait, instead of spinning.

PyTorch's CPU kernels share their work out to a team of OpenMP threads
(libgomp in the Linux wheels), and a decoding step is thousands of small
parallel regions. Between two regions libgomp's threads spin by default
(``GOMP_SPINCOUNT``, 300,000 rounds) before they sleep. On an idle machine that
shaves a few microseconds off each region; on a machine whose cores are busy
with other processes it is a disaster: a spinning thread holds the core that
its partner needs to finish the region, so every region waits for the
scheduler. Measured on 2 loaded cores (``scripts/bench_hf.py``, medians of 3
interleaved rounds, load average 8-16): a tiny model's beam-4 decoding of 40
FLORES sentences took 49 times the wall time and 21 times the CPU time with
libgomp's spinning default than with ``OMP_WAIT_POLICY=PASSIVE`` (identical
outputs), and 1 thread took 2.9 times the wall time of 2 passive ones. With
the opus-mt-shaped model (d_model 512), a spinning run of 8 sentences had not
ended after 30 minutes (4.5 min of CPU, load 15-26) and was stopped.

Sleeping has a cost on an idle machine (a wake-up per region), measured at load
average 1 on the same 2 cores: 2 passive threads took 1.41 times the wall time
of spinning ones with the opus-mt-shaped model (8 sentences, 2 rounds; equal to
1 thread) and 2.4 times with the tiny one. Neither policy is right everywhere:
spinning pays while every thread has a core to itself, and is ruinous once other
work fills the cores. So the choice is made by the load the process starts
into (:func:`mtfix.cores.machine_busy`: the 1-minute load average is at least
the number of usable cores): busy -> sleep, otherwise libgomp's default. A
shorter spin (``GOMP_SPINCOUNT=30000``: 1.3 times the spinning wall time idle,
once, not measured under load) is left open.

:func:`calm_openmp` sets ``OMP_WAIT_POLICY=PASSIVE`` on a busy machine, unless the user chose how
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

from mtfix.cores import machine_busy

#: The environment variables that choose how OpenMP threads wait; mtfix sets the first when none is set.
WAIT_VARIABLES = ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")
#: What mtfix sets: threads sleep as soon as they have no work.
WAIT_POLICY = "PASSIVE"


def calm_openmp() -> None:
    """``OMP_WAIT_POLICY=PASSIVE`` when other work fills the cores, unless the user set a wait policy;
    call before importing torch."""
    if not any(name in os.environ for name in WAIT_VARIABLES) and machine_busy():
        os.environ["OMP_WAIT_POLICY"] = WAIT_POLICY
