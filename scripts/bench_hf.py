#!/usr/bin/env python
"""The transformers backend's two speed-ups, each against what it replaced, in one run.

    python scripts/bench_hf.py [--quick] [--rounds 3] [--sentences 40] [--shapes tiny,base]
                               [--parts waits,scores] [--out out/bench/bench_hf.json]

1. How torch's OpenMP threads wait. mtfix sets ``OMP_WAIT_POLICY=PASSIVE`` before torch is imported
(:mod:`mtfix.engine.openmp`). This decodes the same sentences (the first
FLORES-200 devtest Arabic lines, ar->en, beam 4, n-best 4, as the noise matrix
does) with the transformers backend in fresh processes, rounds interleaved, in
three settings:

- ``spin``: ``GOMP_SPINCOUNT=300000``, libgomp's own default, i.e. how every
  run waited before (mtfix keeps a wait setting the user made);
- ``passive``: mtfix's default now (nothing set);
- ``1 thread``: ``--threads 1``, no OpenMP team at all (the floor of waiting).

Each child loads the model, then times ``translate_batch`` alone (wall, and CPU
of all its threads); the parent checks that ``spin`` and ``passive`` give
identical outputs (the same threads split the same work: scores equal to the
bit), and reports medians and the ratios spin/passive and 1 thread/passive.

2. The token scores (``--shapes``' models, in one process): ``translate_batch``
   with ``StepScores.transition_scores`` (one gather over all recorded steps) vs
   the step-by-step Python lookup it replaced (``tests/reference_step_scores.py``,
   the same floats), rounds interleaved, CPU time of the whole ``translate_batch``.

Models: ``tiny`` is ``scripts/make_tiny_models.py``'s marian-ar-en (d_model 32),
``base`` the opus-mt-shaped random model of ``scripts/bench.py`` (d_model 512,
6+6 layers, 62k vocabulary), built once into ``--work``. On a loaded machine the
ratios say what spinning costs there; on an idle one, what sleeping costs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(HERE) not in sys.path:  # its sibling scripts, also when a test loads this file by path
    sys.path.insert(0, str(HERE))
FLORES = REPO.parent / "shared" / "data" / "flores200-devtest" / "arb_Arab.txt"

#: name -> (environment added, extra mtfix threads); "passive" is mtfix's default, nothing set.
SETTINGS = {
    "spin": ({"GOMP_SPINCOUNT": "300000"}, 0),
    "passive": ({}, 0),
    "1 thread": ({}, 1),
}


def build(shape: str, work: Path) -> Path:
    if shape == "tiny":
        import make_tiny_models

        return make_tiny_models.build_all(work / "tiny")["marian-ar-en"]
    import bench

    return bench.build_models(work, shape=shape)["ar-en"]


def child(model: Path, text: Path, threads: int) -> dict:
    """Load ``model``, then time one ``translate_batch`` of ``text``'s lines (beam 4, n-best 4)."""
    from mtfix.engine import load_translator

    lines = text.read_text(encoding="utf-8").splitlines()
    tr = load_translator(str(model), backend="transformers", threads=threads)
    t0, c0 = time.perf_counter(), time.process_time()
    out = tr.translate_batch(lines, src="ar", tgt="en", beam_size=4, n_best=4)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    texts = [[h.text for h in hyps] for hyps in out]
    scores = [[h.score for h in hyps] for hyps in out]
    digest = lambda x: hashlib.sha256(json.dumps(x, ensure_ascii=False).encode()).hexdigest()[:16]  # noqa: E731
    return {"wall_s": wall, "cpu_s": cpu, "texts": digest(texts), "outputs": digest([texts, scores]),
            "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"), "gomp_spincount": os.environ.get("GOMP_SPINCOUNT")}


def score_lookup(shape: str, model: Path, text: Path, rounds: int, log=print) -> dict:
    """CPU of ``translate_batch`` (beam 4, n-best 4) with the gather vs the frozen step-by-step lookup."""
    sys.path.insert(0, str(REPO / "tests"))
    from reference_step_scores import transition_scores as reference

    from mtfix.engine import load_translator
    from mtfix.engine.hf import StepScores

    lines = text.read_text(encoding="utf-8").splitlines()
    tr = load_translator(str(model), backend="transformers")
    gather = StepScores.transition_scores
    ways = {"gather": gather, "loop": lambda self, seqs, beams=None: reference(self.steps, seqs, beams)}
    cpu: dict[str, list[float]] = {w: [] for w in ways}
    outputs = {}
    try:
        for r in range(rounds):
            for way, fn in ways.items():
                StepScores.transition_scores = fn
                c0 = time.process_time()
                out = tr.translate_batch(lines, src="ar", tgt="en", beam_size=4, n_best=4)
                cpu[way].append(time.process_time() - c0)
                outputs[way] = [[(h.text, h.score) for h in hyps] for hyps in out]
                log(f"{shape} round {r + 1} scores by {way}: {cpu[way][-1]:.2f} s CPU")
    finally:
        StepScores.transition_scores = gather
    med = {w: statistics.median(v) for w, v in cpu.items()}
    return {"shape": shape, "rounds": rounds, "cpu_s": med, "loop_over_gather": med["loop"] / med["gather"],
            "identical": outputs["gather"] == outputs["loop"]}


def run_child(model: Path, text: Path, setting: str) -> dict:
    extra, threads = SETTINGS[setting]
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
    env.update(extra, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    proc = subprocess.run([sys.executable, __file__, "--child", str(model), str(text), str(threads)],
                          env=env, capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"child failed: {proc.stderr.strip()[-500:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(shape: str, model: Path, text: Path, rounds: int, log=print) -> dict:
    runs: dict[str, list[dict]] = {s: [] for s in SETTINGS}
    for r in range(rounds):
        for setting in SETTINGS:
            res = run_child(model, text, setting)
            runs[setting].append(res)
            log(f"{shape} round {r + 1} {setting}: {res['wall_s']:.2f} s wall, {res['cpu_s']:.2f} s CPU")
    med = {s: {k: statistics.median(x[k] for x in rs) for k in ("wall_s", "cpu_s")} for s, rs in runs.items()}
    same = len({x["outputs"] for s in ("spin", "passive") for x in runs[s]}) == 1
    same_text = len({x["texts"] for rs in runs.values() for x in rs}) == 1
    return {"shape": shape, "rounds": rounds, "median": med,
            "spread": {s: {k: [min(x[k] for x in rs), max(x[k] for x in rs)] for k in ("wall_s", "cpu_s")}
                       for s, rs in runs.items()},
            "spin_over_passive": {k: med["spin"][k] / med["passive"][k] for k in ("wall_s", "cpu_s")},
            "one_thread_over_passive": {k: med["1 thread"][k] / med["passive"][k] for k in ("wall_s", "cpu_s")},
            "spin_and_passive_identical": same, "all_texts_identical": same_text}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        print(json.dumps(child(Path(argv[1]), Path(argv[2]), int(argv[3]))))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="1 round, 10 sentences, the tiny model only")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--sentences", type=int, default=40)
    ap.add_argument("--parts", default="waits,scores", help="waits (OpenMP, fresh processes) and/or scores")
    ap.add_argument("--shapes", default="tiny,base", help="tiny (d_model 32) and/or base (opus-mt shape)")
    ap.add_argument("--work", type=Path, default=None,
                    help="model cache (default: $XDG_CACHE_HOME/mtfix/bench or ~/.cache/mtfix/bench)")
    ap.add_argument("--out", type=Path, default=REPO / "out" / "bench" / "bench_hf.json")
    args = ap.parse_args(argv)
    from mtfix.engine.openmp import calm_openmp

    calm_openmp()  # before building a model imports torch: this process times the score lookups
    rounds, n, shapes = (1, 10, ["tiny"]) if args.quick else (args.rounds, args.sentences, args.shapes.split(","))
    from mtfix.text.diskcache import cache_dir  # the one rule for mtfix's cache folders (an empty one: ~/.cache)

    work = args.work or cache_dir() / "bench"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = args.out.parent / f"bench_hf-input-{n}.ar.txt"
    text.write_text("\n".join(FLORES.read_text(encoding="utf-8").splitlines()[:n]) + "\n", encoding="utf-8")
    doc = {"what": f"translate_batch of {n} FLORES-200 ar lines, beam 4, n-best 4, transformers backend",
           "cores": os.cpu_count(), "load_before": round(os.getloadavg()[0], 1), "results": [], "scores": []}
    say = lambda s: print(s, flush=True)  # noqa: E731
    for shape in shapes:
        model = build(shape, work)
        if "waits" in args.parts:
            doc["results"].append(measure(shape, model, text, rounds, log=say))
        if "scores" in args.parts:
            doc["scores"].append(score_lookup(shape, model, text, rounds, log=say))
        doc["load_after"] = round(os.getloadavg()[0], 1)
        args.out.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    for res in doc["results"]:
        print(f"{res['shape']}: spin/passive wall x{res['spin_over_passive']['wall_s']:.2f}, "
              f"CPU x{res['spin_over_passive']['cpu_s']:.2f}; 1 thread/passive wall "
              f"x{res['one_thread_over_passive']['wall_s']:.2f}; spin and passive identical: "
              f"{res['spin_and_passive_identical']}")
    for res in doc["scores"]:
        print(f"{res['shape']}: translate_batch CPU with the step-by-step score lookup / the gather "
              f"x{res['loop_over_gather']:.2f}; identical outputs: {res['identical']}")
    print(f"load average {doc['load_before']} -> {doc['load_after']} on {doc['cores']} cores")
    return 0 if all(r["spin_and_passive_identical"] for r in doc["results"]) and all(
        r["identical"] for r in doc["scores"]) else 1


if __name__ == "__main__":
    sys.exit(main())
