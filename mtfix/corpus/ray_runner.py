"""The corpus pipeline on a Ray cluster (``mtfix corpus filter|build --ray``).

    mtfix corpus filter big.tsv -o clean.parquet --ray local --workers 8   # a Ray cluster on this machine
    mtfix corpus filter big.tsv -o clean.parquet --ray auto                # the cluster in RAY_ADDRESS / ray start
    mtfix corpus filter big.tsv -o clean.parquet --ray ray://head:10001    # a cluster by address
    mtfix corpus filter big.tsv -o clean.parquet --ray auto --shards       # clean.parquet/part-00000.parquet ...

A run is four stages over shards of whole chunks (:mod:`mtfix.corpus.ray_read`),
each shard's result committed to the work dir (``<first out>.partial/ray/``)
as soon as it is done:

1. **read and score** (Ray Data ``map_batches`` tasks): each task reads its
   shard from its reader cursor and scores the filters that judge a pair on
   its own, chunk by chunk, with the local runner's own per-chunk step
   (:func:`mtfix.corpus.parallel.score_chunk`), and the dedup keys; the round-trip filter then
   runs on an actor pool (:mod:`mtfix.corpus.ray_actors`). Each shard's
   scores go to ``scored-NNNNN.jsonl``, its dedup keys to ``keys-<filter>-NNNNN.npy``;
2. **dedup**, hash-partitioned by key range on the cluster (:mod:`mtfix.corpus.ray_dedup`);
3. **finish** (tasks): each shard's records, kept or dropped with every score
   and reason, to ``kept-``/``dropped-``/``rejects-NNNNN.jsonl``, and its counts;
4. **outputs**: one file per output as the local runner writes it (the
   shards' records concatenated in order, then the same writers), or with
   ``--shards`` a folder per output holding one part per shard
   (``part-NNNNN.jsonl|tsv|parquet``, written by tasks), plus the same
   ``summary.json``.

The records, counts, summary, signature and single-file outputs are those of
the local runner, byte for byte. Every stage commits its finest unit to the
work dir's state (the manifest) once that unit's file is in place: each shard
planned, scored and finished, each dedup unit (key range), each ``--shards``
part, each output. A failed or killed run started again skips every committed
unit and ends with the same bytes. Ctrl-C stops a driver promptly
(:func:`stop_on_interrupt`).

Ray is an optional extra (``pip install 'mtfix[ray]'``); without it
``--ray`` is one error line. On a cluster of several machines, the inputs,
the outputs and the work dir must be on a file system every node sees at
the same path (tasks read and write them).
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Callable, Iterable

from mtfix.corpus.config import PipelineConfig
from mtfix.corpus.parallel import usable_cores
from mtfix.corpus.records import BadRow, FilterScore, Pair
from mtfix.errors import MtfixError

__all__ = ["connect", "RayRun", "write_scored", "stop_on_interrupt", "committed"]

#: seconds the driver is given to stop cleanly after Ctrl-C before it ends at once
GRACE = 5.0
#: the layout of the files a run keeps in its work dir (2: scored lines carry their records, dedup keys
#: files); a work dir left by another layout is not taken up
LAYOUT = 2

def _import_ray():
    try:
        import logging

        import ray
        import ray.data  # noqa: F401

        for name in ("ray", "ray.data"):  # mtfix prints its own summary; Ray's progress chatter goes
            logging.getLogger(name).setLevel(logging.ERROR)
        # a task's failure is mtfix's one line (or the traceback of a bug), not Ray Data's ERROR lines before it
        logging.getLogger("ray.data").setLevel(logging.CRITICAL)
    except ImportError:
        raise MtfixError("--ray needs Ray, an optional extra: pip install 'mtfix[ray]' "
                         "(or run without --ray: local worker processes)") from None
    return ray


def connect(address: str, workers: int | None = None) -> None:
    """Start (``local``: on this machine, ``workers`` CPUs) or join (``auto``, or an address) a Ray cluster."""
    ray = _import_ray()
    if ray.is_initialized():
        return
    _check_utf8(address)
    if address != "local":
        _check_reachable(address, os.environ.get("RAY_ADDRESS") if address == "auto" else address)
    common = {"include_dashboard": False, "log_to_driver": False, "logging_level": "ERROR"}
    try:
        if address == "local":
            ray.init(num_cpus=workers or usable_cores(), **common)
        elif address == "auto":  # RAY_ADDRESS if set, else the cluster `ray start` runs on this machine
            with _stderr_aside():
                ray.init(address=os.environ.get("RAY_ADDRESS") or "auto", **common)
        else:
            with _stderr_aside():
                ray.init(address=address, **common)
    except Exception as e:  # ConnectionError, ValueError, RuntimeError... all mean "no cluster there"
        raise MtfixError(f"--ray {address}: cannot start or reach a Ray cluster ({str(e).splitlines()[0]})") from None


def _check_utf8(address: str) -> None:
    """Ray sends a driver's command line and working folder to the cluster as UTF-8 (protobuf strings):
    a name there that is not UTF-8 (``bad\\xff.tsv``) is one line naming it, before Ray's own error
    (``'utf-8' codec can't encode character '\\udcff'``, which says neither which name nor what to do)."""
    import sys

    try:
        cwd = os.getcwd()
    except OSError:
        cwd = ""
    for what, text in [*(("the name", a) for a in getattr(sys, "orig_argv", sys.argv)), ("the current folder", cwd)]:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            shown = os.fsencode(text).decode("utf-8", "backslashreplace")
            raise MtfixError(f"--ray {address}: {what} {shown} is not UTF-8, and Ray passes the command line and "
                             f"folder to its cluster as UTF-8; rename it (or link it under a UTF-8 name), or run "
                             f"without --ray") from None


@contextlib.contextmanager
def _stderr_aside():
    """File descriptor 2 goes to a temporary file while a driver connects: Ray's core logs each retry
    against an address where something answers that is not a Ray cluster on stderr, a line a second
    for about 20 seconds, before it gives up (the one line mtfix prints then says so)."""
    import sys
    import tempfile

    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no stderr to set aside
        yield
        return
    try:
        with tempfile.TemporaryFile() as aside:
            os.dup2(aside.fileno(), 2)
            try:
                yield
            finally:
                os.dup2(saved, 2)
    finally:
        os.close(saved)


def _check_reachable(address: str, target: str | None, timeout: float = 10.0) -> None:
    """Something answers at ``target`` (``HOST:PORT``, ``ray://HOST:PORT``), or one line at once: Ray
    itself retries a dead address for many minutes, its log lines on stderr."""
    import socket

    where = (target or "")[len("ray://"):] if (target or "").startswith("ray://") else (target or "")
    host, sep, port = where.rpartition(":")
    if not sep or not port.isdigit():  # "auto" without RAY_ADDRESS, a name Ray resolves itself: Ray says
        return
    try:
        socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout=timeout).close()
    except OSError as e:
        reason = "no answer" if isinstance(e, TimeoutError) else e.strerror or str(e)
        via = f" (RAY_ADDRESS={target})" if target != address else ""
        raise MtfixError(f"--ray {address}{via}: nothing answers at {where} ({reason}); start the cluster there "
                         f"(`ray start --head`) or check the address") from None


def committed(work_dir) -> str:
    """What a Ray run's work dir holds, in words (the line printed when the run is interrupted)."""
    import sqlite3

    try:
        db = sqlite3.connect(f"file:{Path(work_dir).resolve() / 'state.sqlite'}?mode=ro", uri=True, timeout=2)
        try:
            keys = {k: json.loads(v) for k, v in db.execute("SELECT k, v FROM state WHERE k LIKE 'ray:%'")}
        finally:
            db.close()
    except (sqlite3.Error, ValueError):
        return "committed: unknown (the state cannot be read now)"
    def count(prefix: str) -> int:
        return sum(k.startswith(prefix) for k in keys)

    planned = count("ray:plan:")
    words = [f"{planned} shards planned" + ("" if "ray:planned" in keys else " so far")]
    if count("ray:scored:"):
        words.append(f"{count('ray:scored:')} of {planned} scored")
    filters_done = {k.split(":")[2] for k in keys if k.startswith("ray:dedup:") and k.endswith(":all")}
    blocks = sum(k.startswith("ray:dedup:") and k.split(":")[2] not in filters_done for k in keys)
    if filters_done or blocks:
        words.append(f"dedup: {len(filters_done)} filter(s) done" + (f", {blocks} unit(s) of the next"
                                                                     if blocks else ""))
    for prefix, what in (("ray:final:", f"of {planned} with their records"), ("ray:part:", "output part(s)"),
                         ("ray:out:", "output(s) written")):
        if count(prefix):
            words.append(f"{count(prefix)} {what}")
    return "committed: " + ", ".join(words)


@contextlib.contextmanager
def stop_on_interrupt(message: Callable[[], str], *, grace: float = GRACE):
    """Ctrl-C (SIGINT) on a Ray driver stops it promptly, whatever its main thread is doing.

    The first SIGINT raises KeyboardInterrupt in the main thread as usual; on the way out, Ray is
    shut down if this block started it or connected to it (``ray.shutdown``: the cluster cancels
    this driver's tasks and actors; a local cluster stops) and any process left from it (Ray's
    agents, when the terminal's SIGINT reached them too) is killed by its id. A watcher thread
    learns of each SIGINT at once (``signal.set_wakeup_fd``, written by the C-level handler even
    while the main thread waits inside Ray): on a second one, or when the first has not ended the
    run within ``grace`` seconds, it prints ``message()`` itself, kills the processes started
    under this one, and ends the process with exit code 130. What was committed stays committed
    (as after SIGKILL), so the same command continues the run. Outside the main thread (signals
    go to the main thread only) the block does nothing of this."""
    import signal
    import threading

    ray = _import_ray()
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    ours = not ray.is_initialized()
    r, w = os.pipe()
    os.set_blocking(w, False)
    old_fd = signal.set_wakeup_fd(w, warn_on_full_buffer=False)
    old_handler = signal.signal(signal.SIGINT, signal.default_int_handler)
    done, first = threading.Event(), []

    def watch():
        import select
        import time

        hits = 0
        while not done.is_set():
            if select.select([r], [], [], 0.1)[0]:
                got = os.read(r, 64)
                hits += got.count(signal.SIGINT)
                if hits and not first:
                    first.append(time.monotonic())
            if done.is_set():
                return
            if hits >= 2 or (first and time.monotonic() - first[0] > grace):
                try:
                    os.write(2, (message() + "\n").encode())
                finally:
                    _kill(_descendants())
                    os._exit(130)

    watcher = threading.Thread(target=watch, name="mtfix-ctrl-c", daemon=True)
    watcher.start()
    try:
        yield
    except KeyboardInterrupt:
        left = _descendants()
        if ours:
            ray.shutdown()
        _kill(left)
        raise
    finally:
        done.set()
        watcher.join()
        signal.set_wakeup_fd(old_fd)
        signal.signal(signal.SIGINT, old_handler)
        os.close(r)
        os.close(w)


def _descendants() -> list[tuple[int, str]]:
    """The processes started under this one (a local Ray cluster's raylet, GCS, agents, workers),
    as ``(pid, start time)`` read from ``/proc`` (none where there is no ``/proc``)."""
    kids: dict[int, list[tuple[int, str]]] = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return []
    for d in names:
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            kids.setdefault(int(fields[1]), []).append((int(d), fields[19]))
    out, todo = [], [os.getpid()]
    while todo:
        for child in kids.get(todo.pop(), []):
            out.append(child)
            todo.append(child[0])
    return out


def _kill(processes: list[tuple[int, str]]) -> None:
    """SIGKILL each of ``processes`` still running: by its id, when its start time is still the one
    recorded (not another process that got the id since)."""
    import signal

    for pid, start in processes:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[19] != start:
                    continue
            os.kill(pid, signal.SIGKILL)
        except (OSError, IndexError):
            pass


def _context(preserve_order: bool = False):
    import ray.data

    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = preserve_order
    ctx.enable_progress_bars = False
    ctx.print_on_execution_start = False
    return ctx


# ---------------------------------------------------------------- stage 1: read and score (tasks)

def _score_chunk(config: PipelineConfig, chunk: list) -> list[dict]:
    """A chunk's entries: ``{"b": bad row}`` or ``{"p": pair, "id", "s": scores, "k": dedup keys,
    "f": filters failed}``. The pairs are scored together by the local runner's own per-chunk
    step (:func:`mtfix.corpus.parallel.score_chunk`: the chunk's shared character facts, the
    dedup keys of the whole chunk at once), judged by the same filters' ``accept``."""
    from mtfix.corpus.filters import DedupFilter
    from mtfix.corpus.parallel import process_filters, score_chunk
    from mtfix.corpus.ray_read import item_row

    pairs = [x for x in chunk if isinstance(x, Pair)]
    got = score_chunk(config, pairs) if pairs else {}
    entries = [{"p": item_row(p), "id": p.id, "s": {}, "k": {}, "f": []} for p in pairs]
    for f in process_filters(config):
        if isinstance(f, DedupFilter):
            for e, keys in zip(entries, got.get(("keys", f.name), ())):
                e["k"][f.name] = [[kind, key.hex()] for kind, key in keys]
            continue
        for e, s in zip(entries, got.get(f.name, ())):
            e["s"][f.name] = [s.value, s.reason]
            if not f.accept(s):
                e["f"].append(f.name)
    scored = iter(entries)
    return [{"b": item_row(x)} if isinstance(x, BadRow) else next(scored) for x in chunk]


def _score_shards(batch, *, source, config: PipelineConfig, chunk_size: int, work: str, cwd: str, last: bool,
                  names: list[str], dedup: list[str]):
    """Task: read each shard from its cursor and score it; ``last``: write the scored shard and its
    dedup keys (no round trip follows), else hand it on to the round-trip actors."""
    from mtfix.corpus.ray_read import Shard, read_shard

    if os.path.isdir(cwd):
        os.chdir(cwd)
    out = []
    for text in batch["shard"]:
        shard = Shard(**json.loads(str(text)))
        chunks = (_score_chunk(config, chunk) for chunk in read_shard(source, shard, chunk_size))
        if last:  # written as scored, chunk by chunk
            out.append(json.dumps(write_scored(work, shard.to_dict(), chunks, names=names, dedup=dedup,
                                               langs=config.langs)))
        else:
            out.append(json.dumps({"shard": shard.to_dict(), "chunks": list(chunks)}, ensure_ascii=False))
    return {"meta" if last else "doc": out}


def _warm_up(config: PipelineConfig) -> int:
    """Task: build this worker's filters and score one pair (imports, character tables), so that
    the first shard it scores starts warm; its process id."""
    from mtfix.corpus.parallel import score_chunk

    score_chunk(config, [Pair("Warm up 1.", "تسخين 1.")])
    return os.getpid()


def _warm_batch(batch, *, config: PipelineConfig):
    return {"pid": [_warm_up(config) for _ in batch["n"]]}


def write_scored(work: str, shard: dict, chunks: Iterable[list[dict]], *, names: list[str], dedup: list[str],
                 langs: tuple[str, str]) -> dict:
    """Write a scored shard (``shard``: its :class:`~mtfix.corpus.ray_read.Shard` as a dict;
    ``chunks``: its entries, as :func:`_score_chunk` makes them, consumed one chunk at a time), each
    file in one step; the shard's meta.

    ``scored-NNNNN.jsonl`` has a line per input item: ``{"b": bad row}``, or for a pair
    ``{"id", "f": filters failed, "r": their reasons}`` (``{"id"}`` when none failed), a tab, and
    the pair's record as the local runner writes it (:func:`~mtfix.corpus.records.json_lines`,
    chunk by chunk, the filters ``names`` in pipeline order), with every dedup filter's verdict "first of its kind":
    :func:`_finish_shards` uses that line as it is unless the pair is a duplicate. The dedup keys go
    to :func:`mtfix.corpus.ray_dedup.write_keys` (one file per filter of ``dedup``)."""
    from mtfix.corpus.filters import FIRST_OF_ITS_KIND
    from mtfix.corpus.ray_dedup import scored_path, write_keys
    from mtfix.corpus.ray_read import row_item
    from mtfix.corpus.records import json_lines
    from mtfix.outputs import atomic_path

    first = FIRST_OF_ITS_KIND
    keyed = []
    with atomic_path(scored_path(Path(work), shard["index"])) as tmp:
        with open(tmp, "w", encoding="utf-8") as f:
            for chunk in chunks:
                entries = [e for e in chunk if "b" not in e]
                pairs = []
                for e in entries:
                    keyed.append({"id": e["id"], "f": e["f"], "k": e.pop("k")})
                    pairs.append(row_item(e["p"]))
                    pairs[-1].id = e["id"]
                scores = {n: [first if n in dedup else FilterScore(*e["s"][n]) for e in entries] for n in names}
                failed = [[n for n in names if n in e["f"]] for e in entries]
                records = iter(enumerate(json_lines(pairs, names, scores, failed, langs)))  # as the local runner
                for e in chunk:
                    if "b" in e:
                        f.write(json.dumps(e, ensure_ascii=False) + "\t\n")
                        continue
                    i, record = next(records)
                    meta = {"id": e["id"], "f": failed[i], "r": [scores[n][i].reason for n in failed[i]]} \
                        if failed[i] else {"id": e["id"]}
                    f.write(json.dumps(meta, ensure_ascii=False) + "\t" + record + "\n")
    write_keys(Path(work), shard["index"], dedup, keyed)
    return {"index": shard["index"], "items": shard["items"], "pairs": shard["pairs"]}


# ---------------------------------------------------------------- stage 3: finish (tasks)

def _finish_shards(batch, *, work: str, names: list[str], dedup: list[str], langs: tuple[str, str]):
    """Task: each shard's records (every score, kept or dropped and why) and counts: the records
    :func:`write_scored` wrote as they are, but those of the duplicates, written again with their
    dedup verdicts (the record parsed, its dedup scores, ``kept`` and ``reason`` set, written as
    :meth:`~mtfix.corpus.records.Record.to_json` writes: the same characters)."""
    from mtfix.corpus.ray_dedup import load_verdicts, scored_path
    from mtfix.corpus.ray_read import row_item
    from mtfix.corpus.records import dumps
    from mtfix.outputs import atomic_write_text

    out = []
    for index in batch["shard"]:
        index = int(index)
        verdicts = [load_verdicts(Path(work), j, index) for j in range(len(dedup))]
        counts = {"items": 0, "pairs": 0, "kept": 0, "dropped": 0, "bad_rows": 0,
                  "filters": {n: {"rejected": 0, "first": 0} for n in names}}
        lines = {"kept": [], "dropped": [], "rejects": []}
        scored = scored_path(Path(work), index)
        try:
            f = open(scored, encoding="utf-8", errors="surrogateescape")  # cut inside a character: the check below
        except OSError as e:
            raise _damaged(work, scored, e) from None
        with f:
            for line in f:
                head, _, text = line.rstrip("\n").partition("\t")
                try:
                    if not line.endswith("\n"):  # every committed line ends with one
                        raise ValueError("its last line is cut short")
                    e = json.loads(head)
                except ValueError as err:
                    raise _damaged(work, scored, err) from None
                counts["items"] += 1
                if "b" in e:
                    counts["bad_rows"] += 1
                    lines["rejects"].append(row_item(e["b"]).to_json())
                    continue
                failed = e.get("f", [])
                hits = {n: hit for n, v in zip(dedup, verdicts) if (hit := v.get(e["id"])) is not None}
                if hits:  # a duplicate: its record again, with the dedup verdicts
                    reasons = dict(zip(failed, e.get("r", [])))
                    reasons.update((n, f"{kind} duplicate of #{of}") for n, (of, kind) in hits.items())
                    failed = [n for n in names if n in reasons]
                    record = json.loads(text)
                    record["kept"] = False
                    record["reason"] = "; ".join(f"{n}: {reasons[n]}" for n in failed)
                    record["scores"].update((n, 0) for n in hits)
                    text = dumps(record)
                counts["pairs"] += 1
                counts["dropped" if failed else "kept"] += 1
                for k, n in enumerate(failed):
                    counts["filters"][n]["rejected"] += 1
                    if k == 0:
                        counts["filters"][n]["first"] += 1
                lines["dropped" if failed else "kept"].append(text)
        for part, rows in lines.items():
            atomic_write_text(Path(work) / f"{part}-{index:05d}.jsonl", "".join(r + "\n" for r in rows))
        out.append(json.dumps({"index": index, "counts": counts}))
    return {"meta": out}


def _write_parts(batch, *, work: str, part: str, folder: str, fmt: str, langs, filters, metadata):
    """Task: one output part per shard (``part-NNNNN.<fmt>``) from the shard's records."""
    from mtfix.corpus.writers import OutputSpec, write_output

    for index in batch["shard"]:
        index = int(index)
        write_output(OutputSpec(Path(folder) / f"part-{index:05d}.{fmt}", fmt),
                     Path(work) / f"{part}-{index:05d}.jsonl", langs=langs, filters=filters, metadata=metadata)
    return {"shard": batch["shard"]}


# ---------------------------------------------------------------- the driver

def _damaged(work, path: Path, e: BaseException) -> MtfixError:
    """A committed file of the Ray work dir ``work`` (``<work dir>/ray``) that cannot be read back."""
    from mtfix.corpus.state import damaged_work_dir

    return damaged_work_dir(Path(work).parent, f"{path.name}: {e}")


def _task_error(e: BaseException) -> BaseException:
    """The MtfixError a task raised (one line for the user), else ``e``."""
    seen = set()
    cur = e
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, MtfixError) and type(cur).__module__.startswith("mtfix"):
            return MtfixError(str(cur).splitlines()[0])
        cur = getattr(cur, "cause", None) or cur.__cause__
    # Ray Data wraps a task's exception in a UserCodeException that keeps only the remote traceback's text
    import re

    found = re.search(r"\bMtfixError: ([^\n]+)", str(e))
    return MtfixError(found.group(1)) if found else e


class RayRun:
    """The stages of one corpus run on Ray (see the module docstring), over a
    :class:`~mtfix.corpus.state.WorkDir` that records each shard committed."""

    def __init__(self, *, source, config: PipelineConfig, chunk_size: int, shard_chunks: int, skip_bad: bool,
                 workers: int | None, back_translate: Callable | None, back_model_name: str,
                 device: str | None, on_bad: Callable):
        self.ray = _import_ray()
        self.source = source
        self.config = config
        self.chunk_size = chunk_size
        self.shard_chunks = shard_chunks
        self.skip_bad = skip_bad
        self.workers = workers
        self.back_translate = back_translate
        self.back_model_name = back_model_name
        self.device = device
        self.on_bad = on_bad
        self.stats: dict = {}  # shards, scored (this run), actors {id: model loads}, duplicates

    # ------------------------------------------------------------ helpers

    def _plan(self, work, d: Path) -> list:
        """The shards, each committed as soon as it is planned (``ray:plan:NNNNN``); a resumed run
        plans on from the last one's end (``corpus build``: from the article it ended in)."""
        from mtfix.corpus.articles import ArticleSource
        from mtfix.corpus.ray_read import Shard, plan_shards

        shards = sorted((Shard(**v) for v in work.load_state("ray:plan:").values()), key=lambda s: s.index)
        if work.load_state("ray:planned"):
            return shards
        last = shards[-1] if shards else None
        cursor = last.end if last else None
        items = self._repaired(cursor) if isinstance(self.source, ArticleSource) else None
        for shard in plan_shards(self.source, cursor, chunk_size=self.chunk_size, shard_chunks=self.shard_chunks,
                                 first_index=last.index + 1 if last else 0,
                                 first_id=last.first_id + last.pairs if last else 0,
                                 inline_dir=d, on_bad=self.on_bad, items=items):
            work.save_state({f"ray:plan:{shard.index:05d}": shard.to_dict()})
            shards.append(shard)
            self.stats["planned"] = self.stats.get("planned", 0) + 1
        work.save_state({"ray:planned": len(shards)})
        return shards

    def _repaired(self, cursor: dict | None):
        """``corpus build``: the articles repaired on an actor pool (the repair models load once per
        actor; one GPU each with --device cuda), their items back in the order of the articles,
        from ``cursor`` on (``{"doc", "segment"}``, as :class:`~mtfix.corpus.articles.ArticleSource`
        reads), each with the cursor after it."""
        from mtfix.corpus.ray_actors import RepairActor, actor_count, actor_resources, portable_source
        from mtfix.corpus.ray_read import absolute_cwd, row_item

        first, skip = (cursor["doc"], cursor["segment"]) if cursor else (0, 0)
        docs = list(range(first, len(self.source.articles)))
        if not docs:
            return
        _context(preserve_order=True)
        ds = self.ray.data.from_items([{"doc": i} for i in docs], override_num_blocks=len(docs))
        ds = ds.map_batches(RepairActor, batch_size=1, batch_format="numpy",
                            fn_constructor_kwargs={"source": portable_source(self.source), "cwd": absolute_cwd()},
                            concurrency=actor_count(self.ray, self.device, self.workers, len(docs)),
                            **actor_resources(self.device))
        loads = self.stats.setdefault("repair_actors", {})
        order = iter(docs)
        try:
            for batch, articles in self._collect(ds, "items"):
                for a, k in zip(batch["actor"], batch["loads"]):
                    loads[str(a)] = max(int(k), loads.get(str(a), 0))
                for rows in articles:
                    i = next(order)
                    for k, row in enumerate(rows):
                        if i == first and k < skip:
                            continue
                        yield row_item(row), ({"doc": i, "segment": k + 1} if k < len(rows) - 1 else
                                              {"doc": i + 1, "segment": 0})
        finally:
            _context()

    def _collect(self, ds, column: str):
        try:
            for batch in ds.iter_batches(batch_size=None, batch_format="numpy"):
                yield batch, [json.loads(str(t)) for t in batch[column]]
        except MtfixError:
            raise
        except Exception as e:  # a task's MtfixError (a full disk...) is one line; anything else stays
            err = _task_error(e)
            if err is e:
                raise
            raise err from None

    # ------------------------------------------------------------ stages

    def run(self, work, pipeline, progress=None) -> dict:
        from mtfix.corpus.filters import DedupFilter, RoundTripChrfFilter

        import time

        clock = [time.perf_counter()]

        def lap(name):
            now = time.perf_counter()
            self.stats.setdefault("seconds", {})[name] = round(now - clock[0], 2)
            clock[0] = now

        d = work.subdir()
        self.stats = {}
        if work.load_state("ray:layout").get("ray:layout") != LAYOUT:
            if work.load_state("ray:"):
                raise MtfixError(f"{work.path} was left by another version of mtfix's Ray engine (its files differ): "
                                 f"run the same command with --restart to start over")
            work.save_state({"ray:layout": LAYOUT})
        warming = self._warm_up()
        try:
            shards = self._plan(work, d)
        finally:  # also when planning stops at a bad row: a warm-up left running as Ray shuts down at exit
            warming.join()  # started a second cluster from its thread, or logged Ray Data's traceback
        total = sum(s.items for s in shards)
        done = work.load_state("ray:scored:")
        self.stats.update({"shards": len(shards), "scored": 0, "actors": {}, "resumed_at": 0, "seconds": {}})
        lap("plan")
        self.stats["resumed_at"] = sum(s.items for s in shards if f"ray:scored:{s.index}" in done)
        if progress:
            progress(self.stats["resumed_at"], total)
        todo = [s for s in shards if f"ray:scored:{s.index}" not in done]
        names = pipeline.names
        dedup = [f.name for f in pipeline.filters if isinstance(f, DedupFilter)]
        if todo:
            self._score(work, d, todo, any(isinstance(f, RoundTripChrfFilter) for f in pipeline.filters), progress,
                        total, names, dedup)
        lap("score")
        with_pairs = [s.index for s in shards if s.pairs]
        if dedup and with_pairs:
            from mtfix.corpus.ray_dedup import dedup_on_cluster, unit_count

            _context()
            self.stats["dedup_blocks_kept"] = sum(not k.endswith(":all") for k in work.load_state("ray:dedup:"))
            try:
                self.stats["duplicates"] = dedup_on_cluster(d, with_pairs, dedup, manifest=work,
                                                            compute=self._tasks(),
                                                            units=unit_count(sum(s.pairs for s in shards)))
            except MtfixError:
                raise
            except Exception as e:  # a task's MtfixError (a damaged keys file) is one line; anything else stays
                err = _task_error(e)
                if err is e:
                    raise
                raise err from None
        lap("dedup")
        finished = work.load_state("ray:final:")
        todo = [s.index for s in shards if f"ray:final:{s.index}" not in finished]
        self.stats["finished"] = len(todo)
        if todo:
            _context()
            ds = self.ray.data.from_items([{"shard": i} for i in todo], override_num_blocks=len(todo))
            ds = ds.map_batches(_finish_shards, batch_size=1, batch_format="numpy",
                                fn_kwargs={"work": str(d), "names": names, "dedup": dedup,
                                           "langs": self.config.langs}, **self._tasks())
            for _, metas in self._collect(ds, "meta"):
                work.save_state({f"ray:final:{m['index']}": m["counts"] for m in metas})
            finished = work.load_state("ray:final:")
        lap("finish")
        counts = {"items": 0, "pairs": 0, "kept": 0, "dropped": 0, "bad_rows": 0,
                  "filters": {n: {"rejected": 0, "first": 0} for n in names}}
        for s in shards:
            c = finished[f"ray:final:{s.index}"]
            for k in ("items", "pairs", "kept", "dropped", "bad_rows"):
                counts[k] += c[k]
            for n in names:
                for k in ("rejected", "first"):
                    counts["filters"][n][k] += c["filters"][n][k]
        self.shards = shards
        self.dir = d
        return counts

    def _warm_up(self):
        """Start Ray Data (its first dataset of a driver takes seconds to start: its bookkeeping
        actors) with one warm-up task per CPU the scoring gets (:func:`_warm_up`: the workers
        build their filters), in a thread, while the driver plans the shards; the thread."""
        import threading

        n = self.workers or int(self.ray.cluster_resources().get("CPU", 1))
        _context()
        ds = self.ray.data.from_items([{"n": i} for i in range(n)], override_num_blocks=n)
        ds = ds.map_batches(_warm_batch, batch_size=1, batch_format="numpy", fn_kwargs={"config": self.config},
                            **self._tasks())

        def run():
            with contextlib.suppress(Exception):  # an error shows again where it matters: in the stages
                for _ in ds.iter_batches(batch_size=None, batch_format="numpy"):
                    pass

        thread = threading.Thread(target=run, name="mtfix-ray-warm-up", daemon=True)
        thread.start()
        return thread

    def _tasks(self) -> dict:
        import ray.data

        return {"compute": ray.data.TaskPoolStrategy(size=self.workers)} if self.workers else {}

    def _score(self, work, d: Path, todo: list, round_trip: bool, progress, total, names: list[str],
               dedup: list[str]) -> None:
        from mtfix.corpus.ray_read import absolute_cwd

        _context()
        cwd = absolute_cwd()
        ds = self.ray.data.from_items([{"shard": json.dumps(s.to_dict())} for s in todo],
                                      override_num_blocks=len(todo))
        ds = ds.map_batches(_score_shards, batch_size=1, batch_format="numpy",
                            fn_kwargs={"source": self.source, "config": self.config, "chunk_size": self.chunk_size,
                                       "work": str(d), "cwd": cwd, "last": not round_trip, "names": names,
                                       "dedup": dedup},
                            **self._tasks())
        if round_trip:
            from mtfix.corpus.ray_actors import RoundTripActor, actor_count, actor_resources, \
                portable_back_translator

            ds = ds.map_batches(RoundTripActor, batch_size=1, batch_format="numpy",
                                fn_constructor_kwargs={"back": portable_back_translator(self.back_translate),
                                                       "config": self.config, "model_name": self.back_model_name,
                                                       "work": str(d), "cwd": cwd, "names": names, "dedup": dedup},
                                concurrency=actor_count(self.ray, self.device, self.workers, len(todo)),
                                **actor_resources(self.device))
        for batch, metas in self._collect(ds, "meta"):
            if "actor" in batch:
                for a, n in zip(batch["actor"], batch["loads"]):
                    self.stats["actors"][str(a)] = max(int(n), self.stats["actors"].get(str(a), 0))
            for m in metas:
                self.commit_scored(work, m)
                if progress:
                    progress(m["items"], total)

    def commit_scored(self, work, meta: dict) -> None:
        """Record a scored shard as committed (its file is in place): a re-run skips it."""
        work.save_state({f"ray:scored:{meta['index']}": meta})
        self.stats["scored"] += 1

    # ------------------------------------------------------------ outputs

    def part_file(self, work, part: str) -> Path:
        """The shards' ``part`` records, in input order, in one file (the local runner's part file),
        committed once whole: a resumed run uses it as it is."""
        import shutil

        from mtfix.outputs import atomic_path

        out, key = self.dir / f"{part}.jsonl", f"ray:concat:{part}"
        size = work.load_state(key).get(key)
        if size is not None and out.is_file() and out.stat().st_size == size:
            return out
        with atomic_path(out) as tmp:
            with open(tmp, "wb") as f:
                for s in self.shards:
                    with open(self.dir / f"{part}-{s.index:05d}.jsonl", "rb") as src:
                        shutil.copyfileobj(src, f)
        work.save_state({key: out.stat().st_size})
        return out

    def write(self, work, spec, part: str, *, shards: bool, langs, filters, metadata) -> None:
        """Write the output ``spec`` from the shards' ``part`` records: one file (the local runner's
        writers) or, with ``shards``, a folder of one part per shard written by tasks. Each output is
        committed once in place (``ray:out:<path>``, with the sizes and times of what was written):
        a resumed run does not write it again while it is as it was left."""
        from mtfix.corpus.writers import write_output

        key = f"ray:out:{Path(spec.path).resolve()}"
        stamp = work.load_state(key).get(key)
        if stamp is not None and stamp == _stamp(spec.path):
            return
        wrote = True
        if shards:
            wrote = self._write_parts(work, spec, part, langs=langs, filters=filters, metadata=metadata)
        else:
            write_output(spec, self.part_file(work, part), langs=langs, filters=filters, metadata=metadata)
        work.save_state({key: _stamp(spec.path)})
        if wrote:
            self.stats.setdefault("outputs_written", []).append(str(spec.path))

    def _write_parts(self, work, spec, part: str, *, langs, filters, metadata) -> bool:
        """``spec`` as a folder of one part per shard: the parts are written by tasks into a folder of
        the work dir (``ray/out-<tag>/``), each committed once in place (``ray:part:<tag>:<shard>``),
        then the folder replaces ``spec.path`` in one step. What the folder holds is recorded just
        before it moves (``ray:moved:<tag>``): a run killed after the move, before the output was
        recorded, finds it in place (the same files, sizes and times) and leaves it (False: nothing
        written)."""
        import hashlib

        from mtfix.outputs import install_dir, is_temp_name

        if spec.format == "hf":
            raise MtfixError(f"--shards writes .jsonl, .tsv or .parquet parts; {spec.path} is a dataset folder "
                             f"(it has shards of its own): drop --shards or name a .parquet output")
        tag = hashlib.blake2b(str(Path(spec.path).resolve()).encode(), digest_size=6).hexdigest()
        staged, prefix, moved = self.dir / f"out-{tag}", f"ray:part:{tag}:", f"ray:moved:{tag}"
        stamp = work.load_state(moved).get(moved)
        if stamp is not None and not staged.exists() and stamp == _stamp(spec.path):
            self.stats.setdefault("parts_written", {})[str(spec.path)] = 0
            return False
        staged.mkdir(exist_ok=True)
        for p in staged.iterdir():  # the temporary of a part whose task was killed
            if is_temp_name(p.name):
                p.unlink()
        done = work.load_state(prefix)
        todo = [s.index for s in self.shards
                if f"{prefix}{s.index}" not in done or not (staged / f"part-{s.index:05d}.{spec.format}").is_file()]
        self.stats.setdefault("parts_written", {})[str(spec.path)] = len(todo)
        if todo:
            _context()
            ds = self.ray.data.from_items([{"shard": i} for i in todo], override_num_blocks=len(todo))
            ds = ds.map_batches(_write_parts, batch_size=1, batch_format="numpy",
                                fn_kwargs={"work": str(self.dir), "part": part, "folder": str(staged),
                                           "fmt": spec.format, "langs": langs, "filters": filters,
                                           "metadata": metadata}, **self._tasks())
            for batch, _ in self._collect(ds, "shard"):
                work.save_state({f"{prefix}{int(i)}": True for i in batch["shard"]})
        work.save_state({moved: _stamp(staged)})
        install_dir(staged, spec.path)
        return True


def _stamp(path) -> list:
    """What a written output looks like: each file's relative path, size and modification time."""
    p = Path(path)
    if not p.exists():
        return []
    files = sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
    return [[str(f.relative_to(p)) if p.is_dir() else "", f.stat().st_size, f.stat().st_mtime_ns] for f in files]
