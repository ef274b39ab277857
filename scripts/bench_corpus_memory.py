#!/usr/bin/env python
"""Peak memory of `mtfix corpus filter` does not grow with the input.

    python scripts/bench_corpus_memory.py                 # 10k and 100k pairs
    python scripts/bench_corpus_memory.py --sizes 10000 300000 --outputs jsonl parquet

Builds TSV bitexts of each size from the FLORES-200 devtest + NTREX-128 pairs
in ../shared/data (each pair made unique with a running number on both sides,
every 20th pair repeated later so dedup has work, every 50th with a changed
number), runs the real CLI in a child process (default pipeline, all four
output formats, --dropped, chunk size 1000), and reads the child's peak
resident set size from ``wait4``. Prints one row per size and the ratio of
the largest to the smallest; exits 1 if it exceeds ``--tolerance`` (10%).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"


def clean_pairs() -> list[tuple[str, str]]:
    pairs = []
    for en, ar in (("flores200-devtest/eng_Latn.txt", "flores200-devtest/arb_Arab.txt"),
                   ("ntrex128/eng.txt", "ntrex128/arb.txt")):
        pairs += zip((DATA / en).read_text(encoding="utf-8").splitlines(),
                     (DATA / ar).read_text(encoding="utf-8").splitlines())
    return pairs


def write_bitext(path: Path, n: int, base: list[tuple[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for i in range(n):
            k = i - 7 if i % 20 == 19 else i  # a repeat of a pair a few lines up
            en, ar = base[k % len(base)]
            tag = f"{k}" if i % 50 != 49 else f"{k + 1}"
            f.write(f"{en} (ref {k})\t{ar} (مرجع {tag})\n")


def run_peak(cmd: list[str], cwd: Path) -> tuple[float, float, int]:
    """(peak RSS in MiB, seconds, exit code) of a child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        sys.stderr.write(proc.stderr.read().decode())
    proc.stderr.close()
    return usage.ru_maxrss / 1024, seconds, proc.returncode


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--outputs", nargs="+", default=["jsonl", "tsv", "parquet", "hf"],
                    choices=["jsonl", "tsv", "parquet", "hf"])
    ap.add_argument("--chunk-size", type=int, default=1000)
    ap.add_argument("--tolerance", type=float, default=0.10)
    ap.add_argument("--keep", type=Path, help="Build the inputs and outputs here instead of a temporary dir.")
    args = ap.parse_args(argv)

    base = clean_pairs()
    names = {"jsonl": "out.jsonl", "tsv": "out.tsv", "parquet": "out.parquet", "hf": "out_hf"}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        for n in args.sizes:
            d = root / f"n{n}"
            d.mkdir(parents=True, exist_ok=True)
            write_bitext(d / "in.tsv", n, base)
            outs = [x for fmt in args.outputs for x in ("-o", names[fmt])]
            cmd = [sys.executable, "-m", "mtfix", "corpus", "filter", "in.tsv", *outs, "--dropped", "dropped.jsonl",
                   "--chunk-size", str(args.chunk_size), "--restart", "-q"]
            peak, seconds, rc = run_peak(cmd, d)
            if rc:
                print(f"{n} pairs: the run failed (exit {rc})")
                return 2
            mb = (d / "in.tsv").stat().st_size / 2**20
            rows.append((n, mb, peak, seconds))
            print(f"{n:>9} pairs  input {mb:7.1f} MiB  peak RSS {peak:7.1f} MiB  {seconds:6.1f} s  "
                  f"({n / seconds:,.0f} pairs/s)", flush=True)
    small, large = rows[0], rows[-1]
    ratio = large[2] / small[2]
    print(f"peak RSS {large[0]:,} vs {small[0]:,} pairs: x{ratio:.3f} for x{large[0] / small[0]:.0f} the input")
    return 0 if abs(ratio - 1) <= args.tolerance else 1


if __name__ == "__main__":
    sys.exit(main())
