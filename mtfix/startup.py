"""A process's start-up, kept out of the cyclic garbage collector's way.

Start-up (imports, the lexicon index, the filters and their tables) makes tens of thousands of
objects that live as long as the process and never become garbage; yet each collection that
allocations set off walks them all again. A one-pair ``corpus filter`` run spent about 6% of its
instructions there (callgrind), a 10,000-pair run about 3%. So the command line pauses the
collector from its first import (:func:`pause`: ``python -m mtfix``) until the command's own
start-up is done: a ``corpus`` run's when it has built its filters (:func:`settle`), any other
command's when its module is imported (:func:`resume`); a run builds its filters with the collector
paused (:func:`mtfix.corpus.sides.gc_paused`: its state given back after, for any caller), and a
process mtfix owns (the command line, a ``--workers`` process) moves what its start-up made out of
the collector's sight once it is done (:func:`settle`).
"""

from __future__ import annotations

import gc

__all__ = ["pause", "resume", "settle"]

#: whether :func:`pause` turned the collector off (and :func:`resume` has not turned it on again)
_PAUSED: list = []


def pause() -> None:
    """The collector off for this process's start-up (the command line's imports), if it is on; on
    again at :func:`resume` or :func:`settle`. A start-up's imports make objects that live as long
    as the process: the collections they set off found nothing to free (5% of a one-pair
    ``corpus filter`` run's instructions, callgrind)."""
    if gc.isenabled() and not _PAUSED:
        gc.disable()
        _PAUSED.append(True)


def resume() -> None:
    """The collector on again if :func:`pause` turned it off (else left as it is)."""
    if _PAUSED:
        _PAUSED.clear()
        gc.enable()


def settle() -> None:
    """Every object alive now is left out of later collections (``gc.freeze``), and the collector
    is on again if :func:`pause` turned it off: for a process mtfix owns, when its start-up is done
    (not for a library call: the caller's objects would be frozen too)."""
    gc.freeze()
    resume()
