#!/usr/bin/env python
"""Hostile rows through the default corpus filters: CPU milliseconds per MB of the row.

    python scripts/bench_corpus_hostile.py                          # 2 MB rows, this checkout
    python scripts/bench_corpus_hostile.py --baseline /tmp/base_main --repeat 3
    python scripts/bench_corpus_hostile.py --size 4000000 --markdown

Issue 14: "a pathological row (a 2 MB pair, a 20k-word loop) must cost milliseconds, not
minutes, on every engine". Each kind of row (:data:`KINDS`: dense numbers on both sides,
mismatched numbers, decimals and thousands, one huge number, a number in thousands groups, a
20k-word loop, a phrase looping, a huge token, no spaces, mixed scripts, words with numbers) is
judged by the default pipeline and written as its JSON record in a child process per checkout
(``--baseline DIR``: also that checkout's mtfix, the runs interleaved), after one small pair has
loaded the tables; the CPU time of the judging and the record (least of ``--repeat``) is
printed per MB of the row, with the ratio to the baseline and whether both give the same record.
On a loaded machine read the ratios; ``tests/test_corpus_same_verdicts.py`` bounds the Python
work of the same rows (lines executed per KB), which load does not move.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from bench_corpus_hostile import hostile_row
from mtfix.corpus import Pair, Pipeline, build_filters, load_pipeline_config
filters, _ = build_filters(load_pipeline_config())
pipeline = Pipeline(filters)
pipeline.judge([Pair("warm up", "تسخين")])[0].to_json(("en", "ar"))
out = {}
for kind in sys.argv[3:]:
    src, tgt = hostile_row(kind, int(sys.argv[2]))
    t = time.process_time()
    record = pipeline.judge([Pair(src, tgt)])[0].to_json(("en", "ar"))
    out[kind] = {"cpu": time.process_time() - t, "bytes": len(src.encode()) + len(tgt.encode()),
                 "record": record[record.index('"original"'):]}
print(json.dumps(out))
"""


def hostile_row(kind: str, size: int) -> tuple[str, str]:
    """A pair of about ``size`` bytes made to be slow (issue 14: "a pathological row must cost
    milliseconds"): dense numbers, a word loop, one huge token, no spaces..."""
    import random

    rng = random.Random(kind)
    vocab = [f"{a}{b}" for a in ("news", "year", "city", "team", "plan", "road") for b in ("", "s", "ed", "ing")]
    ar_vocab = ["مدينة", "عام", "فريق", "خطة", "طريق", "الأخبار", "قال", "إن", "في", "من"]
    text = " ".join(rng.choice(vocab) for _ in range(size // 6))[:size // 2]
    ar = " ".join(rng.choice(ar_vocab) for _ in range(size // 8))[:size // 4]
    numbers = " ".join(str(rng.randint(0, 10**6)) for _ in range(size // 8))[:size // 2]
    rows = {
        "dense numbers": (numbers, numbers.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))[:size // 4]),
        "mismatched numbers": (numbers, numbers[::-1]),
        "decimals and thousands": (" ".join(f"{rng.randint(0, 999)}.{rng.randint(0, 99)} {rng.randint(1, 99)},"
                                            f"{rng.randint(100, 999)} {rng.randint(1, 99)}%" for _ in range(size // 30)),
                                   " ".join(f"{rng.randint(0, 999)}٫{rng.randint(0, 99)} {rng.randint(1, 99)}٬"
                                            f"{rng.randint(100, 999)}" for _ in range(size // 40))),
        "one huge number": ("1" * (size // 2), "2" * (size // 2)),
        "a number in thousands groups": (",".join(["123"] * (size // 8)), ",".join(["321"] * (size // 8))),
        "a 20k-word loop": ("x " * 20000 + text[:size // 4], ar),
        "a phrase looping": ("go to the shop " * (size // 30), "اذهب إلى المتجر " * (size // 60)),
        "a huge token": ("a" * (size // 2), "ب" * (size // 4)),
        "no spaces": (text.replace(" ", ""), ar.replace(" ", "")),
        "mixed scripts": ("".join(a + b for a, b in zip(text, ar * 2))[:size // 3], "".join(b + a for a, b in zip(text, ar * 2))[:size // 3]),
        "words with numbers": (" ".join(f"{w} {rng.randint(0, 9999)}" for w in text.split()[:size // 16]),
                               " ".join(f"{w} {rng.randint(0, 9999)}" for w in ar.split()[:size // 16])),
    }
    return rows[kind]


KINDS = ["dense numbers", "mismatched numbers", "decimals and thousands", "one huge number",
           "a number in thousands groups", "a 20k-word loop", "a phrase looping", "a huge token", "no spaces",
           "mixed scripts", "words with numbers"]


def measure(code: Path, size: int, kinds: list[str]) -> dict:
    env = {**os.environ, "PYTHONPATH": str(code), "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run([sys.executable, "-c", CHILD, str(REPO / "scripts"), str(size), *kinds], env=env, cwd=code,
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=2_000_000, help="bytes per row (about)")
    ap.add_argument("--baseline", type=Path, help="another checkout's root, measured the same way")
    ap.add_argument("--repeat", type=int, default=1, help="runs per checkout, interleaved (least CPU kept)")
    ap.add_argument("--only", nargs="*", default=KINDS, choices=KINDS, metavar="KIND")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args(argv)
    codes = {"mtfix": REPO} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    best: dict[str, dict] = {}
    for _ in range(args.repeat):
        for name, code in codes.items():
            for kind, got in measure(code, args.size, args.only).items():
                old = best.setdefault(name, {}).get(kind)
                if old is None or got["cpu"] < old["cpu"]:
                    best[name][kind] = got
    head = ["row", "MB", "mtfix ms per MB"] + (["baseline ms per MB", "ratio", "same record"] if args.baseline else [])
    rows = []
    for kind in args.only:
        got = best["mtfix"][kind]
        mb = got["bytes"] / 1e6
        row = [kind, f"{mb:.2f}", f"{got['cpu'] * 1e3 / mb:,.0f}"]
        if args.baseline:
            base = best["baseline"][kind]
            row += [f"{base['cpu'] * 1e3 / mb:,.0f}", f"x{base['cpu'] / max(got['cpu'], 1e-9):.1f}",
                    "yes" if base["record"] == got["record"] else "NO"]
        rows.append(row)
    if args.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for row in rows:
            print("| " + " | ".join(row) + " |")
    else:
        widths = [max(len(r[k]) for r in [head, *rows]) for k in range(len(head))]
        for row in [head, *rows]:
            print("  ".join(x.ljust(w) for x, w in zip(row, widths)))
    return 1 if args.baseline and any(r[-1] == "NO" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
