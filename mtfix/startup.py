"""A process's start-up, kept out of the cyclic garbage collector's way.

Start-up (imports, the lexicon index, the filters and their tables) makes tens of thousands of
objects that live as long as the process and never become garbage; yet each collection that
allocations set off walks them all again. A one-pair ``corpus filter`` run spent about 6% of its
instructions there (callgrind), a 10,000-pair run about 3%. So a run's set-up goes with the
collector paused (:func:`collector_paused`: the collector's state given back after, for any
caller), and a process mtfix owns (the command line, a ``--workers`` process) moves what its
start-up made out of the collector's sight once it is done (:func:`settle`).
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

__all__ = ["collector_paused", "settle"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off inside, and on again after if it was on before (reference
    counting frees what is made meanwhile; a cycle waits for the next collection)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def settle() -> None:
    """Every object alive now is left out of later collections (``gc.freeze``): for a process
    mtfix owns, when its start-up is done (not for a library call: the caller's objects would be
    frozen too)."""
    gc.freeze()
