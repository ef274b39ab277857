"""Filter scores computed in other processes: the stateless filters of a
pipeline, chunk by chunk, on a pool of workers (the local runner's
``--workers``) or on Ray Data tasks (:mod:`mtfix.corpus.ray_runner`).

Only filters that judge a pair on its own run there (``Filter.parallel``):
not dedup (its memory of kept pairs is the run's, in input order: only its
keys, normalisation and hashing, are computed there) and not the round-trip
filter (it needs the run's translation model and cache). The
runner gets each chunk's scores back in input order and finishes the chunk
itself (:meth:`mtfix.corpus.pipeline.Pipeline.judge` with ``precomputed``),
so the records, counts, work dir and outputs are exactly those of one
process.
"""

from __future__ import annotations

from collections import deque
from operator import attrgetter
from typing import Iterable, Iterator, Sequence

from mtfix.corpus.config import PipelineConfig, build_filters
from mtfix.corpus.filters import DedupFilter
from mtfix.corpus.records import FilterScore, Pair
from mtfix.corpus.sides import gc_paused, shared
from mtfix.cores import usable_cores
from mtfix.startup import settle

__all__ = ["usable_cores", "score_chunk", "process_filters", "WorkerPool", "stateless_filters", "pair_rows",
           "default_workers", "WORKER_START_UP_PAIRS", "PAIRS_PER_WORKER"]

#: A ``--workers`` process's start-up (spawned: its imports, its filters, the lexicon index, then
#: its first chunk's one-off costs: regular expressions compiled on first use, pyarrow, the stem
#: caches filling) costs about as much CPU time as one process scoring this many pairs: 0.5 s
#: against 72 µs a pair (default filters with align, the pairs of scripts/bench_corpus_speed.py;
#: CPU time of ``--workers 1`` and ``--workers 2`` runs of 10,000 and 30,000 pairs, their
#: differences, loaded machine, ratios of one run).
WORKER_START_UP_PAIRS = 7_000
#: Pairs per worker process a run's input must hold for the default to start them. With a pool the
#: run's own process keeps 26 µs of a pair's work (reading, dedup, JSON, commit; 0.31 s to start)
#: and the workers take 48 µs: two workers and the run's process on two idle cores finish ``n``
#: pairs in about 0.66 s + 37 µs × n of wall time against 0.45 s + 72 µs × n for one process, for
#: 0.86 s + 2 µs × n more CPU time. The wall time saved passes the CPU time added (a core-second
#: for each wall-second) from about 32,000 pairs: 16,000 a worker.
PAIRS_PER_WORKER = 16_000


def default_workers(pairs: int | None, cores: int) -> int:
    """The processes a run scores ``pairs`` pairs with when ``--workers`` is not given: one per
    usable core, but no more than one per :data:`PAIRS_PER_WORKER` pairs (what pays for a worker's
    start-up); 1 (the run's own process, no pool) below two workers' worth. ``pairs`` None (a
    source that cannot tell): every core, as it may be large."""
    if pairs is None:
        return max(1, cores)
    return max(1, min(cores, pairs // PAIRS_PER_WORKER))

_VALUE, _REASON = attrgetter("value"), attrgetter("reason")
_FILTERS: list | None = None  # this worker's filters (built once per process)


def stateless_filters(config: PipelineConfig) -> list:
    """The filters of ``config`` that judge each pair on its own, and the dedup filters (whose
    keys, not verdicts, are computed per pair)."""
    return [f for f in build_filters(config)[0] if f.parallel or isinstance(f, DedupFilter)]


def process_filters(config: PipelineConfig) -> list:
    """This process's :func:`stateless_filters` of ``config``, built once: those :func:`score_chunk`
    scores with (their ``accept`` judges the scores)."""
    global _FILTERS
    if _FILTERS is None or _FILTERS[0] != config:
        _FILTERS = [config, stateless_filters(config)]
    return _FILTERS[1]


def score_chunk(config: PipelineConfig, pairs: Sequence[Pair]) -> dict:
    """Scores of the stateless filters of ``config`` for ``pairs`` by filter name, and each dedup
    filter's keys under ``("keys", name)`` (filters built once per process). The one per-chunk
    scoring step of every engine: the ``--workers`` processes and Ray's tasks
    (:mod:`mtfix.corpus.ray_runner`) both score a chunk with it."""
    process_filters(config)
    return _score(list(pairs))


def _init(config: PipelineConfig) -> None:
    """A :class:`WorkerPool` process's start: its filters built, then its start-up settled
    (:mod:`mtfix.startup`: the process is mtfix's own)."""
    global _FILTERS
    with gc_paused():
        _FILTERS = [config, stateless_filters(config)]
    settle()


def _score(pairs: list[Pair]) -> dict:
    with shared(pairs):
        return {(("keys", f.name) if isinstance(f, DedupFilter) else f.name):
                (f.keys_of(pairs) if isinstance(f, DedupFilter) else f.score(pairs)) for f in _FILTERS[1]}


def pair_rows(pairs: Sequence[Pair]) -> list[tuple]:
    """Pairs as plain tuples (every field, in :class:`Pair`'s order): cheap to pickle."""
    return [(p.src, p.tgt, p.source, p.line, p.segment, p.doc_id, p.original, p.id) for p in pairs]


def _score_rows(rows: list[tuple]) -> dict:
    """Worker side of :class:`WorkerPool`: plain tuples in and out (cheap to pickle). A chunk is
    scored whole, as in one process (a filter may compare neighbouring pairs of a chunk). Each
    filter's column as ``(values, reasons, None)``, or, when its pairs share score objects (most
    filters make one per distinct verdict), the distinct ones and each pair's index among them:
    the run's process then makes one score per distinct verdict, not one per pair."""
    out = {}
    for name, column in _score([Pair(*row) for row in rows]).items():
        if isinstance(name, tuple):
            out[name] = column
            continue
        ids = list(map(id, column))
        distinct = dict(zip(ids, column))  # each score object once, by identity, in order
        if len(distinct) == len(column):
            out[name] = (list(map(_VALUE, column)), list(map(_REASON, column)), None)
        else:
            at = dict(zip(distinct, range(len(distinct))))
            scores = list(distinct.values())
            out[name] = (list(map(_VALUE, scores)), list(map(_REASON, scores)), list(map(at.__getitem__, ids)))
    return out


def _unpack(packed: dict) -> dict:
    out = {}
    for name, column in packed.items():
        if isinstance(name, tuple):
            out[name] = column
            continue
        values, reasons, index = column
        scores = list(map(FilterScore, values, reasons))
        out[name] = scores if index is None else list(map(scores.__getitem__, index))
    return out


class WorkerPool:
    """``workers`` processes (spawned: nothing of the parent's state, threads or
    models is inherited) scoring chunks; at most ``2 * workers`` chunks in
    flight, so memory stays that of a few chunks whatever the input size."""

    def __init__(self, config: PipelineConfig, workers: int):
        import multiprocessing
        import signal

        self.workers = workers
        # Workers start with Ctrl-C ignored (inherited through exec): the runner alone handles it, so an
        # interrupt while a worker is still starting prints no traceback from that worker.
        try:
            previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        except ValueError:  # not the main thread: leave signals alone
            previous = None
        try:
            self._pool = multiprocessing.get_context("spawn").Pool(workers, initializer=_init, initargs=(config,))
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)

    def map(self, chunks: Iterable[tuple[list[Pair], object]]) -> Iterator[tuple[list[Pair], object, dict]]:
        """``(pairs, extra)`` in, ``(pairs, extra, scores)`` out, in the same order."""
        flight: deque = deque()
        for pairs, extra in chunks:
            rows = pair_rows(pairs)
            flight.append((pairs, extra, self._pool.apply_async(_score_rows, (rows,)) if pairs else None))
            if len(flight) >= 2 * self.workers:
                yield self._done(flight.popleft())
        while flight:
            yield self._done(flight.popleft())

    @staticmethod
    def _done(item) -> tuple[list[Pair], object, dict]:
        pairs, extra, pending = item
        return pairs, extra, (_unpack(pending.get()) if pending is not None else {})

    def close(self) -> None:
        self._pool.terminate()
        self._pool.join()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
