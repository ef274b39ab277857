#!/usr/bin/env python
"""Measure `mtfix select` on the real FLORES-200 devtest system outputs.

For each direction (ara-eng: 5 systems, eng-ara: 4) this runs the selector on
the system files in a random order, with the source file, WITHOUT the
reference; only afterwards does it score the result against the reference:

    selected  vs  best single system  vs  median system  vs  uniform MBR  vs  oracle

(corpus chrF and BLEU, sacrebleu defaults). Uniform MBR is plain consensus:
every candidate's mean sentence chrF against the others, highest wins, no
trust, no incumbent, no margin. The oracle picks, per segment, the system with
the best sentence chrF against the reference (an upper bound, not a method).

    python scripts/select_flores.py [--data ../shared/data] [--json out.json] [--config my.toml]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

from sacrebleu.metrics import BLEU, CHRF

from mtfix.scoring import load_config
from mtfix.select import select_files
from mtfix.scoring.base import sentence_chrf
from mtfix.scoring.config import ScoringConfig

SETS = {  # direction -> (reference, source) under flores200-devtest/
    "ara-eng": ("eng_Latn", "arb_Arab"),
    "eng-ara": ("arb_Arab", "eng_Latn"),
}


def read(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def corpus(lines: list[str], refs: list[str]) -> tuple[float, float]:
    return CHRF().corpus_score(lines, [refs]).score, BLEU().corpus_score(lines, [refs]).score


def uniform_mbr_config() -> ScoringConfig:
    return ScoringConfig(weights={"consensus": 1.0}, margin=0.0, z=0.0, trust_weighted=False, source="uniform-mbr")


def measure(data: Path, direction: str, config_path: str | None, seed: int) -> dict:
    ref_name, src_name = SETS[direction]
    files = sorted((data / "systems" / f"flores200-devtest.{direction}").glob("*.txt"))
    files = [f for f in files if f.name != "published-scores.tsv"]
    source = data / "flores200-devtest" / f"{src_name}.txt"
    order = list(files)
    random.Random(seed).shuffle(order)  # the selector must not rely on the order

    t0 = time.perf_counter()
    result = select_files([str(f) for f in order], source, config_path=config_path)
    seconds = time.perf_counter() - t0
    mbr = select_files([str(f) for f in order], source, config=uniform_mbr_config(), scorers=None)
    # plain MBR: per line the candidate with the highest consensus value (the Selector decides on paired gains)
    sel = mbr.selection
    mbr_lines = [seg.candidates[max(range(len(seg.candidates)), key=lambda c: (row[c].value, -c))].text
                 for seg, row in zip(sel.segments, sel.scores["consensus"])]

    # --- only from here on is the reference read ---
    refs = read(data / "flores200-devtest" / f"{ref_name}.txt")
    systems = {f.stem: read(f) for f in files}
    scores = {name: corpus(lines, refs) for name, lines in systems.items()}
    best = max(scores, key=lambda n: scores[n][0])
    names = list(systems)
    oracle = [max((systems[n][i] for n in names), key=lambda t: sentence_chrf(t, refs[i])) for i in range(len(refs))]
    sel = corpus(result.lines, refs)
    return {
        "direction": direction,
        "systems": {n: {"chrf": round(c, 2), "bleu": round(b, 2)} for n, (c, b) in scores.items()},
        "best": {"name": best, "chrf": round(scores[best][0], 2), "bleu": round(scores[best][1], 2)},
        "median": {"chrf": round(statistics.median(c for c, _ in scores.values()), 2),
                   "bleu": round(statistics.median(b for _, b in scores.values()), 2)},
        "selected": {"chrf": round(sel[0], 2), "bleu": round(sel[1], 2), "seconds": round(seconds, 1),
                     **result.summary()},
        "uniform_mbr": dict(zip(("chrf", "bleu"), (round(x, 2) for x in corpus(mbr_lines, refs)))),
        "oracle": dict(zip(("chrf", "bleu"), (round(x, 2) for x in corpus(oracle, refs)))),
        "estimated_best": result.summary()["incumbent"],
        "trust": {n: round(t, 2) for n, t in sorted(result.selection.trust.items(), key=lambda kv: -kv[1])},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    ap.add_argument("--config", help="scoring TOML laid over the default preset")
    ap.add_argument("--json", help="write the figures here")
    ap.add_argument("--seed", type=int, default=1, help="shuffles the order of the system files")
    args = ap.parse_args(argv)
    cfg = load_config(args.config)
    rows = [measure(args.data, d, args.config, args.seed) for d in SETS]
    print(f"config: {cfg.source}  margin {cfg.margin}  z {cfg.z}  weights {cfg.as_dict()['weights']}")
    print()
    print("| direction | systems | selected chrF | best chrF | median chrF | uniform MBR chrF | oracle chrF "
          "| selected BLEU | best BLEU | median BLEU | uniform MBR BLEU | switched |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        s, b, m, u, o = r["selected"], r["best"], r["median"], r["uniform_mbr"], r["oracle"]
        print(f"| {r['direction']} | {len(r['systems'])} | **{s['chrf']:.2f}** | {b['chrf']:.2f} | {m['chrf']:.2f} "
              f"| {u['chrf']:.2f} | {o['chrf']:.2f} | **{s['bleu']:.2f}** | {b['bleu']:.2f} | {m['bleu']:.2f} "
              f"| {u['bleu']:.2f} | {s['switched']}/{s['segments']} |")
    print()
    for r in rows:
        ok = "estimated best = actual best" if r["estimated_best"] == r["best"]["name"] else "ESTIMATED BEST DIFFERS"
        print(f"{r['direction']}: incumbent {r['estimated_best']} ({ok}); selection took {r['selected']['seconds']} s")
        print("  trust (no reference):", ", ".join(f"{n} {t}" for n, t in r["trust"].items()))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
