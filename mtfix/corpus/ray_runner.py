"""The corpus pipeline on a Ray cluster (``mtfix corpus filter|build --ray``).

    mtfix corpus filter big.tsv -o clean.parquet --ray local --workers 8   # a Ray cluster on this machine
    mtfix corpus filter big.tsv -o clean.parquet --ray auto                # the cluster in RAY_ADDRESS / ray start
    mtfix corpus filter big.tsv -o clean.parquet --ray ray://head:10001    # a cluster by address

The stateless filters (every filter but dedup and the round trip) and the
dedup keys run as Ray Data ``map_batches`` tasks, one task per chunk, over
windows of chunks;
the driver (this process) reads the input with the same readers as the local
runner, gets each chunk's scores back in input order
(``preserve_order``), runs the round-trip and dedup filters, and commits the
chunk to the same work dir. The records, counts, summary, signature and
outputs are therefore exactly those of the local runner, and a re-run after
a failure continues after the last committed chunk.

Ray is an optional extra (``pip install 'mtfix[ray]'``); without it
``--ray`` is one error line.
"""

from __future__ import annotations

import json
import os
from typing import Iterable, Iterator

from mtfix.corpus.config import PipelineConfig
from mtfix.corpus.parallel import score_chunk, usable_cores
from mtfix.corpus.records import FilterScore, Pair
from mtfix.errors import MtfixError

__all__ = ["connect", "RayScorer", "WINDOW_CHUNKS"]

#: chunks sent to the cluster as one dataset (bounds the driver's memory, amortises scheduling)
WINDOW_CHUNKS = 16


def _import_ray():
    try:
        import logging

        import ray
        import ray.data  # noqa: F401

        for name in ("ray", "ray.data"):  # mtfix prints its own summary; Ray's progress chatter goes
            logging.getLogger(name).setLevel(logging.ERROR)
    except ImportError:
        raise MtfixError("--ray needs Ray, an optional extra: pip install 'mtfix[ray]' "
                         "(or run without --ray: local worker processes)") from None
    return ray


def connect(address: str, workers: int | None = None) -> None:
    """Start (``local``: on this machine, ``workers`` CPUs) or join (``auto``, or an address) a Ray cluster."""
    ray = _import_ray()
    if ray.is_initialized():
        return
    common = {"include_dashboard": False, "log_to_driver": False, "logging_level": "ERROR"}
    try:
        if address == "local":
            ray.init(num_cpus=workers or usable_cores(), **common)
        elif address == "auto":  # RAY_ADDRESS if set, else the cluster `ray start` runs on this machine
            ray.init(address=os.environ.get("RAY_ADDRESS") or "auto", **common)
        else:
            ray.init(address=address, **common)
    except Exception as e:  # ConnectionError, ValueError, RuntimeError... all mean "no cluster there"
        raise MtfixError(f"--ray {address}: cannot start or reach a Ray cluster ({str(e).splitlines()[0]})") from None


def _score_batch(batch: dict, config: PipelineConfig) -> dict:
    """map_batches function; one row is one whole chunk (a filter may compare neighbouring pairs
    of a chunk), as the JSON text of its pairs' fields. Out: per chunk, the JSON text of
    ``{filter: [[value, reason], ...], "keys:<dedup filter>": [[[kind, hex digest], ...], ...]}``
    (JSON keeps Python ints and floats exact)."""
    out = []
    for text in batch["chunk"]:
        pairs = [Pair(*row) for row in json.loads(str(text))]
        result = {}
        for name, column in score_chunk(config, pairs).items():
            if isinstance(name, tuple):  # ("keys", dedup filter)
                result["keys:" + name[1]] = [[[kind, key.hex()] for kind, key in keys] for keys in column]
            else:
                result[name] = [[s.value, s.reason] for s in column]
        out.append(json.dumps(result, ensure_ascii=False))
    return {"i": batch["i"], "scores": out}


def _decode(text: str) -> dict:
    out = {}
    for name, column in json.loads(text).items():
        if name.startswith("keys:"):
            out[("keys", name[5:])] = [[(kind, bytes.fromhex(key)) for kind, key in keys] for keys in column]
        else:
            out[name] = [FilterScore(v, r) for v, r in column]
    return out


class RayScorer:
    """Same contract as :class:`mtfix.corpus.parallel.WorkerPool`: chunks in, chunks with the
    stateless filters' scores out, in order; the scoring runs as Ray Data tasks."""

    def __init__(self, config: PipelineConfig, workers: int | None, chunk_size: int):
        from mtfix.corpus.filters import DedupFilter
        from mtfix.corpus.parallel import stateless_filters

        self.ray = _import_ray()
        self.config = config
        # the keys of score_chunk's result, in its order
        self.names = [("keys", f.name) if isinstance(f, DedupFilter) else f.name for f in stateless_filters(config)]
        self.workers = workers
        self.chunk_size = chunk_size

    def map(self, chunks: Iterable[tuple[list[Pair], object]]) -> Iterator[tuple[list[Pair], object, dict]]:
        window = []
        for item in chunks:
            window.append(item)
            if len(window) >= WINDOW_CHUNKS:
                yield from self._run(window)
                window = []
        if window:
            yield from self._run(window)

    def _run(self, window: list) -> Iterator[tuple[list[Pair], object, dict]]:
        import ray.data

        from mtfix.corpus.parallel import pair_rows

        todo = [k for k, (pairs, _) in enumerate(window) if pairs]
        if not todo or not self.names:
            for pairs, extra in window:
                yield pairs, extra, {}
            return
        ctx = ray.data.DataContext.get_current()
        ctx.execution_options.preserve_order = True
        ctx.enable_progress_bars = False
        ctx.print_on_execution_start = False
        rows = [{"i": k, "chunk": json.dumps(pair_rows(window[k][0]), ensure_ascii=False)} for k in todo]
        ds = ray.data.from_items(rows, override_num_blocks=len(rows))
        ds = ds.map_batches(_score_batch, fn_kwargs={"config": self.config}, batch_size=1, batch_format="numpy",
                            compute=ray.data.TaskPoolStrategy(size=self.workers))
        got: dict[int, dict] = {}
        for batch in ds.iter_batches(batch_size=None, batch_format="numpy"):
            for i, text in zip(batch["i"], batch["scores"]):
                got[int(i)] = _decode(str(text))
        if sorted(got) != todo:
            raise RuntimeError("Ray returned scores for other chunks than it was given")
        for k, (pairs, extra) in enumerate(window):
            yield pairs, extra, got.get(k, {})

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None
