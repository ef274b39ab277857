#!/usr/bin/env python
"""Speed of `mtfix corpus filter` (default filters, TSV -> JSONL) against the I/O floor, in one run.

    python scripts/bench_corpus_speed.py                       # 10k and 100k pairs
    python scripts/bench_corpus_speed.py --sizes 10000 100000 1000000 --ray
    python scripts/bench_corpus_speed.py --markdown            # the tables of docs/corpus-speed.md
    python scripts/bench_corpus_speed.py --per-filter          # where the time goes, µs per pair
    python scripts/bench_corpus_speed.py --per-filter --baseline ../main   # ... and against main's code

The inputs are those of scripts/bench_corpus_memory.py (FLORES-200 devtest +
NTREX-128 pairs made unique with a running number, every 20th repeated, every
50th with a changed number). For each size it runs, each in a child process:

* ``floor``: a plain Python loop that reads the TSV and writes one JSON object
  per pair (what any tool must at least do);
* ``mtfix --workers 1``; ``mtfix --workers N`` (N: every usable core): the
  real default pipeline, the ``align`` filter included when the FreeDict
  dictionaries are installed (``make dictionaries``; the script says which);
* ``mtfix --workers 1`` without ``markup`` and ``align`` (``--pre-align``, on
  by default): the default filters as they were before those two joined, the
  set the earlier figures were measured on;
* with ``--default-workers``: ``mtfix`` without ``--workers`` (as many
  workers as the input pays for: ``mtfix.corpus.parallel.default_workers``);
* with ``--ray``: ``mtfix --ray local --workers 2`` (a local Ray cluster).

and prints pairs/s per CPU second (user + system time of the process and its
children, start-up included: the per-core speed, which a loaded machine
disturbs least), pairs/s
per wall second, the ratio of mtfix's CPU time to the floor's, and the peak
RSS of the largest process (a worker or the main one; with workers, also the
main process's and the largest worker's, each read as the run ends). The FreeDict lexicon is
built (or read) once before timing, and each checkout's mtfix runs once on
200 pairs untimed, so every timed run reads the lexicon and the tables mtfix
keeps on disk (:mod:`mtfix.text.diskcache`) from the cache and its modules'
compiled bytecode, as every run after the first does (``--no-bytecode``: the
children compile the modules afresh where ``PYTHONDONTWRITEBYTECODE`` is set). Exits 1 when mtfix with one worker needs more
than ``--max-ratio`` (8) times the floor's CPU time at the largest size. On a
shared machine, compare ratios from one run, not absolute figures across runs.

``--per-filter`` times each filter of the default pipeline in this process on
the first ``--sizes`` input (chunks of 1000 as a run judges them, the
character facts the filters share computed once per chunk and shown on their
own row; best of 3 rounds, caches warm), and the rest of a run (reading,
records, JSON, dedup store, writing: the ``empty``-only pipeline's CPU time
per pair); with ``--baseline DIR`` also each filter of that checkout's mtfix
(in a child process, on the same input) and the ratio per filter.
``--no-align`` adds the row of the default filters without ``align``.

``--repeat N`` runs every engine N times, the engines in turn (so a change of
load hits them alike), and keeps each one's run with the least CPU time: on a
shared machine one run's ratios can be 30% off.

``--stages`` runs ``mtfix corpus filter --workers 1`` once per size in a child
process with every stage of the run timed (CPU time, µs per pair): start-up,
reading, each filter, the dedup store's look-ups and inserts, record JSON, the
commit (append + fsync, SQLite), the final output; and the dedup store's cost
per pair in each tenth of the input, to see whether it grows with the store, and the whole
run's (every stage but start-up and the final outputs) in each tenth, to see whether a pair
costs more late in a long run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]
from bench_corpus_memory import clean_pairs, write_bitext  # noqa: E402

REPO = Path(__file__).resolve().parents[1]

FLOOR = r"""
import json, sys
with open(sys.argv[1], encoding="utf-8") as f, open(sys.argv[2], "w", encoding="utf-8") as out:
    for i, line in enumerate(f):
        en, ar = line.rstrip("\n").split("\t")
        out.write(json.dumps({"id": i, "en": en, "ar": ar}, ensure_ascii=False) + "\n")
"""

#: the default filters as they were before the markup and align filters joined them
PRE_ALIGN = "[filters.markup]\nenabled = false\n\n[filters.align]\nenabled = false\n"
#: the default filters without align
NO_ALIGN = "[filters.align]\nenabled = false\n"
#: a pipeline of one cheap filter: what a run costs besides its filters
EMPTY_ONLY = '[pipeline]\nbase = "none"\n\n[filters.empty]\nmin_chars = 1\n'


#: where the children keep their compiled bytecode (the default), else None (``--no-bytecode``)
PYCACHE: list = [None]


def child_env() -> dict:
    """The environment of every timed child: by default Python compiles
    mtfix's modules once into a private folder (``PYTHONPYCACHEPREFIX``) and every timed run
    reads them, as every run of an installed mtfix does (pip compiles them at install; an
    editable checkout writes ``__pycache__`` on its first run), even where the environment says
    ``PYTHONDONTWRITEBYTECODE``; with ``--no-bytecode`` the environment as it is."""
    env = dict(os.environ)
    if PYCACHE[0] is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = PYCACHE[0]
    return env


#: runs ``python -m mtfix ARGS`` and, at its exit, writes on stderr the peak RSS (KiB) of its own
#: process and of its largest child (a ``--workers`` process: the pool has ended and been waited for)
RSS_SPLIT = r"""
import atexit, resource, runpy, sys
def _rss():
    sys.stderr.write(f"\nmtfix-bench-rss {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss} "
                     f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\n")
atexit.register(_rss)
sys.argv[0] = "mtfix"
runpy.run_module("mtfix", run_name="__main__", alter_sys=True)
"""


def run(cmd: list[str], cwd: Path, repo: Path = REPO) -> dict:
    """CPU seconds (user + sys, children included), wall seconds and peak RSS (MiB) of a child
    (running the mtfix of ``repo``): of its largest process (``rss``), and for mtfix of its main
    process (``rss_main``) and of its largest worker (``rss_worker``, 0 without workers)."""
    env = {**child_env(), "PYTHONPATH": str(repo) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    if cmd[1:3] == ["-m", "mtfix"]:
        cmd = [cmd[0], "-c", RSS_SPLIT, *cmd[3:]]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode()
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err}")
    # os.wait4 reports the child and the grandchildren it waited for (its workers)
    got = {"cpu": usage.ru_utime + usage.ru_stime, "wall": wall, "rss": usage.ru_maxrss / 1024}
    for line in err.splitlines():
        if line.startswith("mtfix-bench-rss "):
            got["rss_main"], got["rss_worker"] = (int(v) / 1024 for v in line.split()[1:3])
    return got


def warm_up(repos, base) -> None:
    """One untimed run of each checkout's mtfix on 200 pairs: its bytecode compiled (by default)
    and the tables it keeps on disk (:mod:`mtfix.text.diskcache`) written, as after any first run."""
    with tempfile.TemporaryDirectory() as tmp:
        write_bitext(Path(tmp) / "in.tsv", 200, base)
        for repo in repos:
            run(mtfix("--workers", "1"), Path(tmp), repo)


def mtfix(*args: str) -> list[str]:
    return [sys.executable, "-m", "mtfix", "corpus", "filter", "in.tsv", "-o", "out.jsonl", "--restart", "-q",
            *args]


def per_filter(path: Path, rounds: int = 3) -> list[tuple[str, float]]:
    """(row, µs per pair) of the default pipeline on the pairs of ``path``, as a run judges them:
    chunk by chunk inside ``shared`` (the character facts several filters ask for, computed once per
    chunk). Each filter's row is its own work with the facts already there (it runs again on the
    chunk); ``shared character facts`` is the rest of the first pass over all of them."""
    from mtfix.corpus import Pair, build_filters, load_pipeline_config
    from mtfix.corpus.filters import DedupFilter

    try:
        from mtfix.corpus.sides import shared
    except ImportError:  # a --baseline checkout from before the shared facts
        from contextlib import nullcontext

        def shared(chunk):
            return nullcontext()

    filters, _ = build_filters(load_pipeline_config())
    with open(path, encoding="utf-8") as f:
        pairs = [Pair(*line.rstrip("\n").split("\t"), source="in.tsv", id=i) for i, line in enumerate(f)]
    chunks = [pairs[k:k + 1000] for k in range(0, len(pairs), 1000)]

    def call(f, chunk):
        if isinstance(f, DedupFilter):
            return f.keys_of(chunk) if hasattr(f, "keys_of") else [f.keys(p) for p in chunk]
        return f.score(chunk)

    best = {f.name: float("inf") for f in filters}
    best_all = float("inf")
    for _ in range(rounds):
        spent = dict.fromkeys(best, 0.0)
        first = 0.0
        for chunk in chunks:
            with shared(chunk):
                t = time.process_time()
                for f in filters:
                    call(f, chunk)
                first += time.process_time() - t
                for f in filters:
                    t = time.process_time()
                    call(f, chunk)
                    spent[f.name] += time.process_time() - t
        best_all = min(best_all, first)
        best = {k: min(v, spent[k]) for k, v in best.items()}
    out = [(f.name + (" (keys)" if isinstance(f, DedupFilter) else ""), best[f.name] / len(pairs) * 1e6)
           for f in filters]
    out.append(("shared character facts (numpy, once per chunk)",
                max(0.0, best_all - sum(best.values())) / len(pairs) * 1e6))
    return out


STAGES = r"""
import json, sys, time
from collections import defaultdict
T0 = time.process_time()
from mtfix.corpus import runner, state, records, pipeline
from mtfix.corpus.filters import DedupFilter

spent = defaultdict(float)
tenth = [0.0] * 10
run_tenth = [0.0] * 10  # the whole run's CPU time (start-up and final outputs excluded) by tenth
done = [0]
last = [0.0]
N = int(sys.argv[1])
clock = time.process_time


def timed(name, fn):
    def wrapper(*a, **k):
        t = clock()
        try:
            return fn(*a, **k)
        finally:
            dt = clock() - t
            spent[name] += dt
            if name.startswith("dedup store"):
                tenth[min(9, done[0] * 10 // N)] += dt
    return wrapper


def timed_gen(name, fn):
    def wrapper(*a, **k):
        it = fn(*a, **k)
        while True:
            t = clock()
            try:
                item = next(it)
            except StopIteration:
                spent[name] += clock() - t
                return
            spent[name] += clock() - t
            yield item
    return wrapper


state.DiskKeyStore.lookup = timed("dedup store: look-ups", state.DiskKeyStore.lookup)
state.DiskKeyStore.add = timed("dedup store: inserts", state.DiskKeyStore.add)
runner.json_lines = timed("record JSON", runner.json_lines)
state.WorkDir._append = timed("commit: append + fsync", state.WorkDir._append)
commit_state = state.WorkDir._commit_state
def _commit_state(self, *a):
    t = clock()
    commit_state(self, *a)
    dt = clock() - t
    spent["commit: SQLite (state + dedup keys)"] += dt
    tenth[min(9, done[0] * 10 // N)] += dt
    now = clock()
    run_tenth[min(9, done[0] * 10 // N)] += now - last[0]  # this chunk's whole cost, to its tenth
    last[0] = now
    done[0] = self.counts["pairs"]
state.WorkDir._commit_state = _commit_state
runner.CorpusRun._chunks = timed_gen("read (TSV reader, chunks)", runner.CorpusRun._chunks)
runner.CorpusRun._finish = timed("final outputs", runner.CorpusRun._finish)
pipeline.Pipeline.verdicts = timed("judge", pipeline.Pipeline.verdicts)
init = pipeline.Pipeline.__init__
def __init__(self, filters):
    init(self, filters)
    for f in filters:
        if isinstance(f, DedupFilter):
            f.keys_of = timed("filter dedup: keys", f.keys_of)
        else:
            f.score = timed("filter " + f.name, f.score)
pipeline.Pipeline.__init__ = __init__
stream = runner.CorpusRun._stream
def _stream(self, *a):
    spent["start-up (imports, filters, lexicon, work dir)"] = clock() - T0
    last[0] = clock()
    return stream(self, *a)
runner.CorpusRun._stream = _stream
from mtfix.cli.app import main
try:
    main(["corpus", "filter", "in.tsv", "-o", "out.jsonl", "--restart", "-q", "--workers", "1"])
except SystemExit as e:
    if e.code:
        raise
total = clock() - T0
filters = sum(v for k, v in spent.items() if k.startswith("filter "))
stores = sum(v for k, v in spent.items() if k.startswith("dedup store"))
spent["judge (rest: records, verdicts)"] = spent.pop("judge") - filters - stores
spent["total"] = total
spent["other (runner loop, counts)"] = total - sum(v for k, v in spent.items() if k != "total")
print(json.dumps({"spent": spent, "tenth": tenth, "run_tenth": run_tenth}))
"""


def stages(n: int, d: Path) -> dict:
    """Each stage's CPU seconds in one ``--workers 1`` run on ``d/in.tsv`` (:data:`STAGES`)."""
    import json

    out = subprocess.run([sys.executable, "-c", STAGES, str(n)], capture_output=True, text=True, cwd=d,
                         env={**child_env(), "PYTHONPATH": str(REPO)})
    if out.returncode:
        raise SystemExit(f"the staged run failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def baseline_per_filter(repo: Path, path: Path) -> list[tuple[str, float]]:
    """:func:`per_filter` with the mtfix of checkout ``repo``, in a child process."""
    import json

    if not (repo / "mtfix" / "__init__.py").is_file():
        raise SystemExit(f"--baseline {repo}: not an mtfix checkout (no mtfix/__init__.py there)")
    code = (f"import json, sys; sys.path.insert(0, {str(Path(__file__).resolve().parent)!r}); "
            f"import bench_corpus_speed as b; sys.path[:] = [p for p in sys.path if p not in ('', {str(REPO)!r})]; "
            f"sys.path.insert(0, {str(repo.resolve())!r}); print(json.dumps(b.per_filter(b.Path({str(path)!r}))))")
    env = {**child_env(), "PYTHONPATH": str(repo.resolve())}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=path.parent)
    if out.returncode:
        raise SystemExit(f"the per-filter timing of {repo} failed:\n{out.stderr}")
    return [tuple(row) for row in json.loads(out.stdout.strip().splitlines()[-1])]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--ray", action="store_true", help="Also run on a local Ray cluster with 2 workers.")
    ap.add_argument("--no-pre-align", dest="pre_align", action="store_false",
                    help="Skip the row of the default filters without markup and align.")
    ap.add_argument("--per-filter", action="store_true", help="Only time each filter (µs per pair) in-process.")
    ap.add_argument("--stages", action="store_true",
                    help="Only time each stage of a `--workers 1` run (µs per pair), and the dedup store per tenth.")
    ap.add_argument("--no-align", action="store_true", help="Also run `--workers 1` without the align filter.")
    ap.add_argument("--default-workers", action="store_true",
                    help="Also run without --workers (the default: as many workers as the input pays for).")
    ap.add_argument("--baseline", type=Path, metavar="DIR",
                    help="Also run `--workers 1` with the mtfix of another checkout (e.g. the code before a change).")
    ap.add_argument("--no-bytecode", dest="bytecode", action="store_false",
                    help="Let every child compile mtfix's modules afresh when the environment sets "
                         "PYTHONDONTWRITEBYTECODE (by default they are compiled once, as installed).")
    ap.add_argument("--repeat", type=int, default=1, metavar="N",
                    help="Run every engine N times, in turn, and keep each one's least CPU time (a loaded machine).")
    ap.add_argument("--max-ratio", type=float, default=8.0)
    ap.add_argument("--markdown", action="store_true", help="Print the table as Markdown.")
    args = ap.parse_args(argv)

    from mtfix.corpus.parallel import usable_cores

    pycache = tempfile.TemporaryDirectory(prefix="mtfix-bench-pycache-") if args.bytecode else None
    PYCACHE[0] = pycache.name if pycache else None

    # the lexicon built once (then cached on disk) before anything is timed, in a child: a child's peak
    # RSS counts from its parent's size at fork, so this process stays small
    warm = subprocess.run([sys.executable, "-c", "from mtfix.text.lexicon import load_lexicon as f; l = f(); "
                           "print(l.source if l else '')"], capture_output=True, text=True, check=True,
                          env={**child_env(), "PYTHONPATH": str(REPO)})
    dictionary = "FreeDict lexicon: " + (warm.stdout.strip() or
                                         "not installed (align judges anchors only; `make dictionaries`)")
    cores = usable_cores()
    base = clean_pairs()
    load = os.getloadavg()[0]
    if args.stages:
        warm_up({REPO}, base)
        for n in args.sizes:
            with tempfile.TemporaryDirectory() as tmp:
                d = Path(tmp)
                write_bitext(d / "in.tsv", n, base)
                floor = run([sys.executable, "-c", FLOOR, "in.tsv", "floor.jsonl"], d)
                got = stages(n, d)
            spent = got["spent"]
            print(f"| stage, {n:,} pairs, `--workers 1` | µs per pair | share |\n|---|---|---|")
            for name, sec in sorted(spent.items(), key=lambda kv: (kv[0] == "total", -kv[1])):
                print(f"| {name} | {sec / n * 1e6:.1f} | {100 * sec / spent['total']:.0f}% |")
            print(f"| floor (read TSV, write JSONL), its own process | {floor['cpu'] / n * 1e6:.1f} | "
                  f"x{spent['total'] / floor['cpu']:.2f} |")
            print("dedup store (look-ups, inserts, commit) µs per pair, by tenth of the input: "
                  + " ".join(f"{t / (n / 10) * 1e6:.1f}" for t in got["tenth"]))
            print("the whole run (start-up and final outputs excluded) µs per pair, by tenth of the input: "
                  + " ".join(f"{t / (n / 10) * 1e6:.1f}" for t in got["run_tenth"]))
            print(f"{n / spent['total']:,.0f} pairs per CPU second (instrumented); load average "
                  f"{load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end", flush=True)
        return 0
    if args.per_filter:
        with tempfile.TemporaryDirectory() as tmp:
            d = Path(tmp)
            write_bitext(d / "in.tsv", args.sizes[0], base)
            warm_up({REPO}, base)
            rows = per_filter(d / "in.tsv")
            before = dict(baseline_per_filter(args.baseline, d / "in.tsv")) if args.baseline else {}
            (d / "empty.toml").write_text(EMPTY_ONLY, encoding="utf-8")
            rest = run(mtfix("--workers", "1", "--pipeline", "empty.toml"), d)
            start = run(mtfix("--help"), d)
        total = sum(us for _, us in rows)
        extra = f" {args.baseline} | x faster |" if before else ""
        print(f"| filter | µs per pair | share |{extra}\n|---|---|---|{'---|---|' if before else ''}")
        for name, us in rows + [("all filters", total)]:
            old = before.get(name, sum(before.values()) if name == "all filters" else None)
            then = f" {old:.1f} | x{old / us:.2f} |" if old else (" — | — |" if before else "")
            print(f"| {name} | {us:.1f} | {100 * us / total:.0f}% |{then}")
        n = args.sizes[0]
        print(f"| the rest of a run: read, records, JSON, dedup store, write (`empty` only, start-up excluded) "
              f"| {(rest['cpu'] - start['cpu']) / n * 1e6:.1f} | |")
        print(f"| start-up (`mtfix corpus filter --help`), once per run | {start['cpu'] * 1e3:.0f} ms | |")
        print(f"{n:,} pairs; {dictionary}; load average {load:.1f} at the start (other jobs share the machine)")
        return 0

    engines = [("floor (read TSV, write JSONL)", None, REPO), ("mtfix `--workers 1`", ["--workers", "1"], REPO),
               (f"mtfix `--workers {cores}` (all cores)", ["--workers", str(cores)], REPO)]
    if args.default_workers:
        engines.append(("mtfix, `--workers` not given (the default)", [], REPO))
    if args.no_align:
        engines.append(("mtfix `--workers 1`, without align", ["--workers", "1", "--pipeline", "no_align.toml"], REPO))
    if args.pre_align:
        engines.append(("mtfix `--workers 1`, filters before markup and align",
                        ["--workers", "1", "--pipeline", "pre_align.toml"], REPO))
    if args.baseline:
        engines.append((f"mtfix `--workers 1`, code of {args.baseline}", ["--workers", "1"], args.baseline.resolve()))
    if args.ray:
        engines.append(("mtfix `--ray local --workers 2`", ["--ray", "local", "--workers", "2"], REPO))
    warm_up({repo for _, extra, repo in engines if extra is not None}, base)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            d = Path(tmp) / f"n{n}"
            d.mkdir()
            write_bitext(d / "in.tsv", n, base)
            (d / "pre_align.toml").write_text(PRE_ALIGN, encoding="utf-8")
            (d / "no_align.toml").write_text(NO_ALIGN, encoding="utf-8")
            got = {}
            for _ in range(args.repeat):  # rounds of every engine in turn: the load hits them alike
                for name, extra, repo in engines:
                    cmd = [sys.executable, "-c", FLOOR, "in.tsv", "floor.jsonl"] if extra is None else mtfix(*extra)
                    r = run(cmd, d, repo)
                    if name not in got or r["cpu"] < got[name]["cpu"]:
                        got[name] = r
            for name, extra, repo in engines:
                r = got[name]
                ratio = r["cpu"] / got[engines[0][0]]["cpu"]
                rows.append((n, name, n / r["cpu"], n / r["wall"], ratio, r["rss"], r.get("rss_worker", 0)))
                split = (f" (main {r['rss_main']:.0f}, largest worker {r['rss_worker']:.0f})"
                         if r.get("rss_worker") else "")
                if not args.markdown:
                    print(f"{n:>9,} {name:<55} {n / r['cpu']:>9,.0f} pairs/CPU-s {n / r['wall']:>9,.0f} pairs/s wall"
                          f"  x{ratio:5.2f} the floor's CPU  peak RSS {r['rss']:6.1f} MiB{split}", flush=True)
            if args.ray:
                ray_wall = got[engines[-1][0]]["wall"] / got[engines[2][0]]["wall"]
                print(f"{n:>9,} Ray overhead: x{ray_wall:.2f} the wall time of {cores} local workers", flush=True)
    if args.markdown:
        print("| pairs | engine | pairs per CPU second | pairs/s wall | CPU time vs floor | peak RSS, largest process |")
        print("|---|---|---|---|---|---|")
        for n, name, cpu, wall, ratio, rss, worker in rows:
            print(f"| {n:,} | {name} | {cpu:,.0f} | {wall:,.0f} | x{ratio:.2f} | {rss:.0f} MiB"
                  f"{f' (largest worker {worker:.0f} MiB)' if worker else ''} |")
    print(f"{cores} usable cores; {dictionary}; "
          f"{'bytecode compiled once' if args.bytecode else 'bytecode as the environment says'}; "
          f"{f'least CPU of {args.repeat} runs each; ' if args.repeat > 1 else ''}"
          f"load average {load:.1f} at the start, "
          f"{os.getloadavg()[0]:.1f} at the end (other jobs share the machine)")
    worst = [r[4] for r in rows if r[0] == max(args.sizes) and r[1] == engines[1][0]][0]
    if args.baseline:
        for n in args.sizes:
            base_cpu, now_cpu = ([r[2] for r in rows if r[0] == n and r[1] == engines[k][0]][0]
                                 for k in (next(i for i, e in enumerate(engines) if e[2] != REPO), 1))
            print(f"{n:,} pairs: x{now_cpu / base_cpu:.2f} the pairs per CPU second of {args.baseline}")
    return 0 if worst <= args.max_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
