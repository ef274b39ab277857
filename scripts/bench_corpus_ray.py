#!/usr/bin/env python
"""`mtfix corpus filter` on a local Ray cluster against local worker processes, in one run.

    python scripts/bench_corpus_ray.py                          # 100k pairs
    nice python scripts/bench_corpus_ray.py --sizes 1000000 --engines floor workers ray

Inputs as scripts/bench_corpus_speed.py (FLORES-200 devtest + NTREX-128 pairs
made unique with a running number, every 20th repeated, every 50th with a
changed number), TSV in, JSONL out, default filters. Engines, each a child
process: ``floor`` (read the TSV, write JSONL), ``one`` (``--workers 1``),
``workers`` (``--workers N``, every usable core), ``ray`` (``--ray local
--workers 2``: a Ray cluster started by mtfix on this machine with 2 CPUs).

For each it prints pairs/s wall, CPU seconds of the process tree (user +
system of every process that ran under it, Ray's raylet and workers included,
read from /proc while it runs, every half second), and peak RSS (VmHWM):
of the main process (the driver), and of each worker process, as max /
median over them: the ``--workers`` processes (``multiprocessing`` spawn
children) or Ray's worker processes (``ray::IDLE``, ``ray::MapBatches(...)``,
in earlier rounds the dedup shuffle's aggregators: the tasks and actors that do the work); Ray's own
processes (raylet, GCS, its agents, Ray Data's bookkeeping actors) are
reported apart, as their largest. A worker counts once it is seen (a
Ray worker that only ever idled included). Ray's overhead is the ratio of
its wall time to the local workers' (same 2 CPUs). On a shared machine,
compare figures from one run only; peak RSS hardly depends on the load.

The rows are printed as the tables of docs/scale.md ("Measurements") have them. ``--stages`` then runs
Ray once more in a child process through the API and prints where its wall
time goes: starting the local cluster (``ray.init``), then each stage of
:class:`mtfix.corpus.ray_runner.RayRun` (plan, with Ray Data's warm-up; read
and score; dedup; finish), then the outputs, each as seconds and as a share
of the whole.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]
from bench_corpus_memory import clean_pairs, write_bitext  # noqa: E402
from bench_corpus_speed import FLOOR  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
TICK = os.sysconf("SC_CLK_TCK")


def _tree(root: int) -> list[int]:
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            kids.setdefault(ppid, []).append(int(d))
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += kids.get(p, [])
    return out


def _sample(pid: int) -> tuple[float, float]:
    """(peak RSS MiB, CPU seconds) of one process, or zeros once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            hwm = next((int(line.split()[1]) for line in f if line.startswith("VmHWM:")), 0)
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return hwm / 1024, (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, IndexError, ValueError, StopIteration):
        return 0.0, 0.0


#: Ray's own processes that show as ``ray::NAME``: its agents and Ray Data's bookkeeping actors
RAY_SERVICES = ("Agent", "_StatsActor", "_AutoscalingCoordinatorActor")


def kind(titles: set[str]) -> str:
    """``worker``: a process that scores pairs: a ``--workers`` spawn child, a Ray worker (its title
    ``ray::IDLE`` or the task or actor it runs: ``ray::MapBatches(...)``, a shuffle's aggregators),
    or one seen only while it started (``default_worker.py``); ``service``: anything else under the
    main process (multiprocessing's resource tracker, Ray's raylet, GCS, agents and Ray Data's
    bookkeeping actors). ``titles``: every command line the process was seen with."""
    for t in titles:
        if t.startswith("ray::") and any(name in t for name in RAY_SERVICES):
            return "service"
    if any("spawn_main" in t or t.startswith("ray::") or "default_worker.py" in t for t in titles):
        return "worker"
    return "service"


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def median(values: list[float]) -> float:
    v = sorted(values)
    return 0.0 if not v else (v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2)


def run(cmd: list[str], cwd: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    seen: dict[int, tuple[float, float]] = {}
    titles: dict[int, set[str]] = {}
    done = threading.Event()

    def watch():
        while not done.is_set():
            for p in _tree(proc.pid):
                rss, cpu = _sample(p)
                old = seen.get(p, (0.0, 0.0))
                seen[p] = (max(old[0], rss), max(old[1], cpu))
                if p != proc.pid:  # a Ray worker names itself after it starts, and after each task
                    line = _cmdline(p)
                    titles.setdefault(p, set()).add(line.split(" ", 1)[0] if line.startswith("ray::") else line)
            done.wait(0.5)

    t = threading.Thread(target=watch, daemon=True)
    t.start()
    err = proc.stderr.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)  # the process and the children it waited for
    wall = time.perf_counter() - start
    done.set()
    t.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err}")
    kinds = {p: kind(t) for p, t in titles.items()}
    main_rss = max(seen.get(proc.pid, (0.0, 0.0))[0], 0.0 if kinds else usage.ru_maxrss / 1024)
    cpu = max(usage.ru_utime + usage.ru_stime, sum(c for _, c in seen.values()))
    workers = [seen[p][0] for p, k in kinds.items() if k == "worker" and seen[p][0] > 0]
    services = [seen[p][0] for p, k in kinds.items() if k == "service" and seen[p][0] > 0]
    return {"wall": wall, "cpu": cpu, "rss_main": main_rss, "workers": len(workers),
            "rss_worker_max": max(workers, default=0.0), "rss_worker_median": median(workers),
            "services": len(services), "rss_service_max": max(services, default=0.0)}


def row(n: int, name: str, r: dict) -> str:
    """One row of a docs/scale.md "Measurements" table."""
    per_worker = (f"{r['rss_worker_max']:.0f} / {r['rss_worker_median']:.0f} MiB ({r['workers']})"
                  if r["workers"] else "— (no worker process)")
    services = f"{r['rss_service_max']:.0f} MiB ({r['services']})" if r["services"] else "—"
    return (f"| {n:,} | {name} | {n / r['wall']:,.0f} | {n / r['cpu']:,.0f} | {r['rss_main']:.0f} MiB "
            f"| {per_worker} | {services} |")


#: a Ray run through the API, timed: ray.init, each stage (RayRun's own laps), the outputs
STAGES = r"""
import json, sys, time
from mtfix.corpus import CorpusRun, load_pipeline_config, open_bitext, parse_output
from mtfix.corpus.ray_runner import connect

t0 = time.perf_counter()
connect("local", 2)
t1 = time.perf_counter()
result = CorpusRun(open_bitext(["in.tsv"]), load_pipeline_config(), [parse_output("stages.jsonl")], workers=2,
                   ray="local").run(restart=True)
t2 = time.perf_counter()
laps = {"ray.init": t1 - t0, **result.engine["seconds"]}
laps["outputs"] = t2 - t1 - sum(result.engine["seconds"].values())
print(json.dumps(laps))
"""


def stages(d: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    r = subprocess.run([sys.executable, "-c", STAGES], cwd=d, capture_output=True, text=True, env=env)
    if r.returncode:
        raise SystemExit(f"the timed Ray run failed:\n{r.stderr}")
    laps = json.loads(r.stdout.strip().splitlines()[-1])
    total = sum(laps.values())
    return ", ".join(f"{k} {v:.1f} s ({v / total:.0%})" for k, v in laps.items()) + f"; {total:.1f} s in all"


HEADER = ("| pairs | engine | pairs/s wall | pairs per CPU second | peak RSS, main process "
          "| peak RSS per worker, max / median (workers) | largest other process (count) |\n"
          "|---|---|---|---|---|---|---|")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    ap.add_argument("--engines", nargs="+", default=["floor", "one", "workers", "ray"],
                    choices=["floor", "one", "workers", "ray"])
    ap.add_argument("--stages", action="store_true", help="then time each stage of one more Ray run")
    args = ap.parse_args(argv)

    from mtfix.corpus.parallel import usable_cores

    cores = usable_cores()
    mtfix = [sys.executable, "-m", "mtfix", "corpus", "filter", "in.tsv", "-o", "out.jsonl", "--restart", "-q"]
    engines = {"floor": ("floor (read TSV, write JSONL)", [sys.executable, "-c", FLOOR, "in.tsv", "floor.jsonl"]),
               "one": ("mtfix `--workers 1`", [*mtfix, "--workers", "1"]),
               "workers": (f"mtfix `--workers {cores}` (all cores)", [*mtfix, "--workers", str(cores)]),
               "ray": ("mtfix `--ray local --workers 2`", [*mtfix, "--ray", "local", "--workers", "2"])}
    base = clean_pairs()
    print(f"{cores} usable cores; load average {os.getloadavg()[0]:.1f} at the start (other jobs share the machine)",
          flush=True)
    print(HEADER, flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            d = Path(tmp) / f"n{n}"
            d.mkdir()
            write_bitext(d / "in.tsv", n, base)
            got = {}
            for key in args.engines:
                name, cmd = engines[key]
                r = got[key] = run(cmd, d)
                print(row(n, name, r) + f" load {os.getloadavg()[0]:.1f}, {r['wall']:.0f} s", flush=True)
            if "ray" in got and "workers" in got:
                print(f"{n:,}: Ray's wall time x{got['ray']['wall'] / got['workers']['wall']:.2f} that of "
                      f"{cores} local workers; its CPU time x{got['ray']['cpu'] / got['workers']['cpu']:.2f}",
                      flush=True)
            if args.stages:
                print(f"{n:,}: Ray's stages: {stages(d)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
