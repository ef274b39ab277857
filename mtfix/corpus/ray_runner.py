"""The corpus pipeline on a Ray cluster (``mtfix corpus filter|build --ray``).

    mtfix corpus filter big.tsv -o clean.parquet --ray local --workers 8   # a Ray cluster on this machine
    mtfix corpus filter big.tsv -o clean.parquet --ray auto                # the cluster in RAY_ADDRESS / ray start
    mtfix corpus filter big.tsv -o clean.parquet --ray ray://head:10001    # a cluster by address

The stateless filters (every filter but dedup and the round trip) run as
Ray Data ``map_batches`` tasks, one batch per chunk, over windows of chunks;
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
    """map_batches function: the stateless filters' scores of a batch of pairs, each as the
    JSON text of ``[value, reason]`` (Python ints and floats come back exactly), and the dedup
    filters' keys as JSON ``[[kind, hex digest], ...]``."""
    pairs = [Pair(str(s), str(t)) for s, t in zip(batch["src"], batch["tgt"])]
    out = {"i": batch["i"]}
    for k, (name, column) in enumerate(score_chunk(config, pairs).items()):
        if isinstance(name, tuple):  # ("keys", dedup filter)
            out[f"f{k}"] = [json.dumps([[kind, key.hex()] for kind, key in keys]) for keys in column]
        else:
            out[f"f{k}"] = [json.dumps([s.value, s.reason], ensure_ascii=False) for s in column]
    return out


def _decode(name, value: str):
    if isinstance(name, tuple):
        return [(kind, bytes.fromhex(key)) for kind, key in json.loads(value)]
    return FilterScore(*json.loads(value))


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

        rows = [{"i": k, "src": p.src, "tgt": p.tgt} for k, p in enumerate(p for pairs, _ in window for p in pairs)]
        if not rows or not self.names:
            for pairs, extra in window:
                yield pairs, extra, {}
            return
        ctx = ray.data.DataContext.get_current()
        ctx.execution_options.preserve_order = True
        ctx.enable_progress_bars = False
        ctx.print_on_execution_start = False
        blocks = max(1, min(len(window), (len(rows) + self.chunk_size - 1) // self.chunk_size))
        ds = ray.data.from_items(rows, override_num_blocks=blocks)
        ds = ds.map_batches(_score_batch, fn_kwargs={"config": self.config}, batch_size=self.chunk_size,
                            batch_format="numpy", compute=ray.data.TaskPoolStrategy(size=self.workers))
        columns: dict[str, list] = {f"f{k}": [] for k in range(len(self.names))}
        order: list = []
        for batch in ds.iter_batches(batch_size=None, batch_format="numpy"):
            order.extend(int(i) for i in batch["i"])
            for key in columns:
                columns[key].extend(batch[key].tolist())
        if order != list(range(len(rows))):
            raise RuntimeError("Ray returned the scores out of order")
        start = 0
        for pairs, extra in window:
            end = start + len(pairs)
            scores = {name: [_decode(name, v) for v in columns[f"f{k}"][start:end]]
                      for k, name in enumerate(self.names)}
            start = end
            yield pairs, extra, scores

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None
