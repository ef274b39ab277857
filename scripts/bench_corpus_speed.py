#!/usr/bin/env python
"""Speed of `mtfix corpus filter` (default filters, TSV -> JSONL) against the I/O floor, in one run.

    python scripts/bench_corpus_speed.py                       # 10k and 100k pairs
    python scripts/bench_corpus_speed.py --sizes 10000 100000 1000000 --ray
    python scripts/bench_corpus_speed.py --markdown            # the README table

The inputs are those of scripts/bench_corpus_memory.py (FLORES-200 devtest +
NTREX-128 pairs made unique with a running number, every 20th repeated, every
50th with a changed number). For each size it runs, each in a child process:

* ``floor``: a plain Python loop that reads the TSV and writes one JSON object
  per pair (what any tool must at least do);
* ``mtfix --workers 1``; ``mtfix --workers N`` (N: every usable core);
* with ``--ray``: ``mtfix --ray local --workers 2`` (a local Ray cluster).

and prints pairs/s per CPU second (user + system time of the process and its
children: the per-core speed, which a loaded machine disturbs least), pairs/s
per wall second, the ratio of mtfix's CPU time to the floor's, and the peak
RSS of the largest process (a worker or the main one). Exits 1 when mtfix
with one worker needs more than ``--max-ratio`` (8) times the floor's CPU
time at the largest size. On a shared machine, compare ratios from one run,
not absolute figures across runs.
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


def run(cmd: list[str], cwd: Path) -> dict:
    """CPU seconds (user + sys, children included), wall seconds and peak RSS (MiB) of a child."""
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode()
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err}")
    # os.wait4 reports the child and the grandchildren it waited for (its workers)
    return {"cpu": usage.ru_utime + usage.ru_stime, "wall": wall, "rss": usage.ru_maxrss / 1024}


def mtfix(*args: str) -> list[str]:
    return [sys.executable, "-m", "mtfix", "corpus", "filter", "in.tsv", "-o", "out.jsonl", "--restart", "-q",
            *args]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--ray", action="store_true", help="Also run on a local Ray cluster with 2 workers.")
    ap.add_argument("--max-ratio", type=float, default=8.0)
    ap.add_argument("--markdown", action="store_true", help="Print the table as Markdown.")
    args = ap.parse_args(argv)

    from mtfix.corpus.parallel import usable_cores

    cores = usable_cores()
    engines = [("floor", None), ("mtfix 1 worker", ["--workers", "1"]),
               (f"mtfix {cores} workers", ["--workers", str(cores)])]
    if args.ray:
        engines.append(("mtfix Ray local, 2 workers", ["--ray", "local", "--workers", "2"]))
    base = clean_pairs()
    rows = []
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            d = Path(tmp) / f"n{n}"
            d.mkdir()
            write_bitext(d / "in.tsv", n, base)
            got = {}
            for name, extra in engines:
                cmd = [sys.executable, "-c", FLOOR, "in.tsv", "floor.jsonl"] if extra is None else mtfix(*extra)
                got[name] = run(cmd, d)
                r = got[name]
                ratio = r["cpu"] / got["floor"]["cpu"]
                rows.append((n, name, n / r["cpu"], n / r["wall"], ratio, r["rss"]))
                if not args.markdown:
                    print(f"{n:>9,} {name:<28} {n / r['cpu']:>9,.0f} pairs/CPU-s {n / r['wall']:>9,.0f} pairs/s wall"
                          f"  x{ratio:5.2f} the floor's CPU  peak RSS {r['rss']:6.1f} MiB", flush=True)
            if args.ray:
                ray_wall = got["mtfix Ray local, 2 workers"]["wall"] / got[f"mtfix {cores} workers"]["wall"]
                print(f"{n:>9,} Ray overhead: x{ray_wall:.2f} the wall time of {cores} local workers", flush=True)
    if args.markdown:
        print("| pairs | engine | pairs/s per CPU second | pairs/s wall | CPU vs floor | peak RSS (MiB) |")
        print("|---|---|---|---|---|---|")
        for n, name, cpu, wall, ratio, rss in rows:
            print(f"| {n:,} | {name} | {cpu:,.0f} | {wall:,.0f} | x{ratio:.2f} | {rss:.0f} |")
    print(f"{cores} usable cores; load average {load:.1f} at the start (other jobs share the machine)")
    worst = [r[4] for r in rows if r[0] == max(args.sizes) and r[1] == "mtfix 1 worker"][0]
    return 0 if worst <= args.max_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
