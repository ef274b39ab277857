"""A resumable, streaming corpus run: read -> filter -> write, chunk by chunk.

    from mtfix.corpus import CorpusRun, load_pipeline_config, open_bitext, parse_output
    run = CorpusRun(open_bitext(["noisy.tsv"]), load_pipeline_config(),
                    [parse_output("clean.jsonl"), parse_output("clean.parquet")])
    result = run.run()          # result.summary: counts kept/dropped per filter

``workers`` processes (default: one per usable core, as many as the input
pays for: :func:`mtfix.corpus.parallel.default_workers`) score the filters
that judge a pair on its own; this process reads, de-duplicates, writes and
commits, chunk by chunk in input order, so the outputs are the same bytes
whatever the number of workers (:mod:`mtfix.corpus.parallel`). With ``ray``
(``"local"``, ``"auto"`` or an address) the whole run goes to a Ray cluster
instead, shard by shard (:mod:`mtfix.corpus.ray_runner`: sharded reading,
dedup hash-partitioned on the cluster, the round trip on an actor pool,
optionally ``shards`` outputs), with the same results.

Memory holds one chunk (``chunk_size`` pairs) at a time; dedup keys live in
SQLite on disk. State lives in the work dir (:mod:`mtfix.corpus.state`,
default ``<first output>.partial/``): a run killed at any point and started
again with the same command continues after the last committed chunk and
ends with the same bytes as a run never interrupted. The final outputs are
written only when the whole input has been read, each all-or-nothing, and
the work dir is then removed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from mtfix.corpus.config import PipelineConfig, build_filters
from mtfix.corpus.filters import DedupFilter
from mtfix.corpus.pipeline import Pipeline
from mtfix.corpus.readers import Source
from mtfix.corpus.records import BadRow, json_lines
from mtfix.corpus.sides import gc_paused
from mtfix.corpus.signature import CorpusSignature
from mtfix.corpus.state import WorkDir
from mtfix.corpus.writers import OutputSpec, write_output
from mtfix.errors import MtfixError
from mtfix.outputs import atomic_path, atomic_write_text

__all__ = ["CorpusRun", "CorpusResult", "work_dir_for"]

Progress = Callable[[int, "int | None"], None]  # (pairs done since last call, total or None)


class BadInput(MtfixError):
    """A bad row without --skip-bad: the run stops and its work dir goes (the input must change)."""


def work_dir_for(out: str | Path) -> Path:
    """Where the run writing ``out`` keeps its state: ``<out>.partial``."""
    p = Path(out)
    return p.with_name(p.name.rstrip("/") + ".partial")


@dataclass
class CorpusResult:
    summary: dict  # counts: pairs, kept, dropped, bad_rows, per filter rejected/first
    signature: CorpusSignature
    outputs: list[OutputSpec]
    resumed_at: int = 0  # input items already done when this run started (0: a fresh run)
    files: dict = field(default_factory=dict)  # dropped / rejects / summary paths written
    engine: dict = field(default_factory=dict)  # on Ray: shards, shards scored by this run, actors' model loads

    def to_dict(self) -> dict:
        return {"summary": self.summary, "signature": self.signature.to_dict(),
                "outputs": [o.to_dict() for o in self.outputs], **{k: str(v) for k, v in self.files.items()}}


class CorpusRun:
    """One corpus run; see the module docstring.

    ``outputs`` get the kept pairs; ``dropped`` (optional) the dropped ones,
    every filter's score and the reason; ``rejects`` (JSONL) the input rows
    that could not be read, when ``skip_bad``; ``summary`` (JSON) the counts and
    the signature. ``back_translate`` (target -> source lines) enables the
    round-trip chrF filter.
    """

    def __init__(
        self,
        source: Source,
        config: PipelineConfig,
        outputs: Sequence[OutputSpec],
        *,
        dropped: OutputSpec | None = None,
        rejects: Path | None = None,
        summary: Path | None = None,
        work_dir: Path | None = None,
        skip_bad: bool = False,
        chunk_size: int = 1000,
        back_translate: Callable[[list[str]], list[str]] | None = None,
        back_model_name: str = "custom",
        mode: str = "filter",
        repair: dict | None = None,
        workers: int | None = None,
        ray: str | None = None,
        shards: bool = False,
        shard_chunks: int | None = None,
        device: str | None = None,
    ):
        if not outputs:
            raise MtfixError("give at least one output (--out)")
        if chunk_size < 1:
            raise MtfixError("--chunk-size must be at least 1")
        if workers is not None and workers < 1:
            raise MtfixError("--workers must be at least 1")
        self.source = source
        self.config = config
        self.outputs = list(outputs)
        self.dropped = dropped
        self.rejects = rejects
        self.summary_path = summary
        self.work_dir = Path(work_dir) if work_dir else work_dir_for(self.outputs[0].path)
        self.skip_bad = skip_bad
        self.chunk_size = chunk_size
        self.back_translate = back_translate
        self.back_model_name = back_model_name
        self.mode = mode
        self.repair = repair
        self.ray = ray  # None: local processes; else "local", "auto" or a cluster address
        self.ray_workers = workers  # on Ray: None lets Ray use the whole cluster
        if shards and ray is None:
            raise MtfixError("--shards writes one part per shard of a Ray run: it needs --ray")
        self.shards = shards  # each output a folder of parts (part-NNNNN.<format>), one per shard
        from mtfix.corpus.ray_read import SHARD_CHUNKS

        self.shard_chunks = shard_chunks or SHARD_CHUNKS  # chunks per shard on Ray
        self.device = device  # of the back-translation model: "cuda" gives each Ray actor a GPU
        self.workers = workers  # None: as many as the input pays for (mtfix.corpus.parallel.default_workers)

    def run(self, *, progress: Progress | None = None, restart: bool = False) -> CorpusResult:
        if self.ray is None:
            return self._run(progress, restart)
        from mtfix.corpus.ray_runner import stop_on_interrupt

        with stop_on_interrupt(self.interrupted_message):  # Ctrl-C: Ray shut down, promptly
            return self._run(progress, restart)

    def interrupted_message(self) -> str:
        """The line for a run stopped by Ctrl-C: what its work dir keeps, and how to go on."""
        if not (Path(self.work_dir) / "state.sqlite").exists():  # stopped while starting
            return "interrupted before any work was kept; nothing was written"
        done = ""
        if self.ray is not None:
            from mtfix.corpus.ray_runner import committed

            done = committed(self.work_dir) + "; "
        return f"interrupted; {done}what is done is kept in {self.work_dir}: run the same command again to continue"

    def _run(self, progress: Progress | None, restart: bool) -> CorpusResult:
        self.source.check()
        if self.ray is not None:
            from mtfix.corpus.ray_runner import connect

            connect(self.ray, self.ray_workers)
        with gc_paused():  # start-up: the lexicon, the filters' modules and tables (mtfix.startup)
            filters, notes = build_filters(self.config, back_translate=self.back_translate,
                                           back_model_name=self.back_model_name)
        signature = CorpusSignature.build(langs=self.config.langs, filters=filters, config=self.config.source,
                                          reader=self.source.options(), notes=notes, mode=self.mode,
                                          repair=self.repair)
        identity = {"signature": signature.to_dict(), "inputs": self.source.describe(),
                    "reader": self.source.options(), "skip_bad": self.skip_bad}
        if any(f.chunk_context for f in filters):  # the verdicts depend on where chunks start
            identity["chunk_size"] = self.chunk_size
        if self.ray is not None:  # shards of whole chunks, committed in another layout
            identity.update(engine="ray", chunk_size=self.chunk_size, shard_chunks=self.shard_chunks)
        work = WorkDir(self.work_dir)
        work.open(identity, restart=restart)
        try:
            total = self.source.count() if self.ray is None else None
            for f in filters:
                if isinstance(f, DedupFilter) and self.ray is None:  # on Ray, dedup runs on the cluster
                    # keys: up to two a pair (exact and normalised)
                    f.store = work.key_store(f.name, None if total is None else 2 * total)
            pipeline = Pipeline(filters)
            engine = {}
            if self.ray is not None:
                counts, engine = self._ray(work, pipeline, progress)
                resumed_at = engine["resumed_at"]
            else:
                counts = work.counts or _empty_counts(pipeline.names)
                resumed_at = counts["items"] if work.resumed else 0
                self._stream(work, pipeline, counts, progress, total)
            metadata = {"signature": signature.to_dict(), "summary": _summary(counts)}
            files = self._finish(work, pipeline, metadata)
        except BadInput:
            work.remove()
            raise
        except BaseException:
            work.close()
            raise
        work.remove()
        return CorpusResult(_summary(counts), signature, self.outputs, resumed_at, files, engine)

    # ------------------------------------------------------------ streaming

    def _bad(self, item: BadRow) -> None:
        """An unreadable row: the run stops, unless bad rows are skipped (to the rejects file)."""
        if not self.skip_bad:
            raise BadInput(f"{item.message()}; fix it, or pass --skip-bad to log bad rows to a "
                           f"rejects file and go on")

    def _ray(self, work: WorkDir, pipeline: Pipeline, progress: Progress | None) -> tuple[dict, dict]:
        """The run on Ray (:mod:`mtfix.corpus.ray_runner`): its counts, and what the engine did."""
        from mtfix.corpus.ray_runner import RayRun

        self._ray_run = RayRun(source=self.source, config=self.config, chunk_size=self.chunk_size,
                               shard_chunks=self.shard_chunks, skip_bad=self.skip_bad, workers=self.ray_workers,
                               back_translate=self.back_translate, back_model_name=self.back_model_name,
                               device=self.device, on_bad=self._bad)
        counts = self._ray_run.run(work, pipeline, progress)
        return counts, self._ray_run.stats

    def _chunks(self, work: WorkDir, counts: dict):
        """``(pairs, (bad rows, cursor, items read))`` per chunk, in input order; pair ids
        continue from the committed count."""
        items = self.source.read(work.cursor)
        next_id = counts["pairs"]
        while True:
            chunk, bad, cursor, n = [], [], None, 0
            for item, cursor in items:
                n += 1
                if isinstance(item, BadRow):
                    self._bad(item)
                    bad.append(item)
                else:
                    item.id = next_id
                    next_id += 1
                    chunk.append(item)
                if n >= self.chunk_size:
                    break
            if n == 0:
                return
            yield chunk, (bad, cursor, n)

    def _stream(self, work: WorkDir, pipeline: Pipeline, counts: dict, progress: Progress | None,
                total: int | None) -> None:
        """Read, judge and commit the input chunk by chunk (``total``: the source's count)."""
        if progress:
            progress(counts["items"], total)
        chunks = self._chunks(work, counts)
        left = None if total is None else total - counts["items"]
        workers = self.workers_for(left)
        one_chunk = left is not None and left <= self.chunk_size  # not worth starting workers
        if workers <= 1 or one_chunk or not any(f.parallel for f in pipeline.filters):
            for chunk, extra in _each_gc_paused(chunks):
                self._commit(work, pipeline, counts, chunk, extra, None, progress, total)
            return
        from mtfix.corpus.parallel import WorkerPool

        with WorkerPool(self.config, workers) as pool:
            for chunk, extra, scores in _each_gc_paused(pool.map(chunks)):
                self._commit(work, pipeline, counts, chunk, extra, scores, progress, total)

    def workers_for(self, pairs: int | None) -> int:
        """The scoring processes for ``pairs`` pairs still to read (None: unknown): ``workers`` as
        given, else as many as the input pays for (:func:`mtfix.corpus.parallel.default_workers`)."""
        if self.workers is not None:
            return self.workers
        from mtfix.corpus.parallel import default_workers, usable_cores

        return default_workers(pairs, usable_cores())

    def _commit(self, work: WorkDir, pipeline: Pipeline, counts: dict, chunk, extra, scores,
                progress: Progress | None, total) -> None:
        """Finish one chunk (the filters not scored elsewhere, dedup), count it and commit it."""
        bad, cursor, n = extra
        scores, failed = pipeline.verdicts(chunk, precomputed=scores)
        lines = json_lines(chunk, pipeline.names, scores, failed, self.config.langs)
        counts["items"] += n
        counts["pairs"] += len(chunk)
        counts["bad_rows"] += len(bad)
        kept = [line for line, f in zip(lines, failed) if not f]
        counts["kept"] += len(kept)
        counts["dropped"] += len(chunk) - len(kept)
        if len(kept) < len(chunk):
            by_filter = counts["filters"]
            for f in failed:
                if f:
                    by_filter[f[0]]["first"] += 1
                    for name in f:
                        by_filter[name]["rejected"] += 1
        work.commit({"kept": kept, "dropped": [line for line, f in zip(lines, failed) if f],
                     "rejects": [b.to_json() for b in bad]}, cursor, counts)
        if progress:
            progress(n, total)

    # ------------------------------------------------------------ final outputs

    def _finish(self, work: WorkDir, pipeline: Pipeline, metadata: dict) -> dict:
        langs, names = self.config.langs, pipeline.names

        def write(spec, part):
            if self.ray is not None:  # from the shards' records; --shards: a folder of parts, one per shard
                self._ray_run.write(work, spec, part, shards=self.shards, langs=langs, filters=names,
                                    metadata=metadata)
            else:
                write_output(spec, work.part(part), langs=langs, filters=names, metadata=metadata)

        for spec in self.outputs:
            write(spec, "kept")
        files = {}
        if self.dropped is not None:
            write(self.dropped, "dropped")
            files["dropped"] = self.dropped.path
        if self.rejects is not None:
            import shutil

            with atomic_path(self.rejects) as tmp:
                rejects = work.part("rejects") if self.ray is None else self._ray_run.part_file(work, "rejects")
                shutil.copyfile(rejects, tmp)
            files["rejects"] = self.rejects
        if self.summary_path is not None:
            doc = {**metadata, "outputs": [o.to_dict() for o in self.outputs],
                   "dropped": None if self.dropped is None else self.dropped.to_dict(),
                   "rejects": None if self.rejects is None else str(self.rejects)}
            atomic_write_text(self.summary_path, json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
            files["summary"] = self.summary_path
        return files


def _each_gc_paused(items):
    """The items, each made and then used with the cyclic garbage collector paused
    (:func:`mtfix.corpus.sides.gc_paused`): it runs between chunks only."""
    items = iter(items)
    while True:
        with gc_paused():
            try:
                item = next(items)
            except StopIteration:
                return
            yield item


def _empty_counts(names: list[str]) -> dict:
    return {"items": 0, "pairs": 0, "kept": 0, "dropped": 0, "bad_rows": 0,
            "filters": {n: {"rejected": 0, "first": 0} for n in names}}


def _summary(counts: dict) -> dict:
    """Counts for people: ``rejected`` = pairs a filter failed; ``first`` = pairs
    it was the first to fail (in pipeline order; these add up to ``dropped``)."""
    return {k: counts[k] for k in ("pairs", "kept", "dropped", "bad_rows", "filters")}
