#!/usr/bin/env python
"""The noise matrix: repair with random-weight models must change nothing, in every combination.

The tiny models of ``scripts/make_tiny_models.py`` have random weights, so every
"translation" they make is noise and any sentence the model loop changes with them
is harm. This runs ``mtfix repair`` on the seed article plus the first 200
FLORES-200 devtest Arabic sentences with every combination of 1-2 back x 1-2
forward models, n-best 1-4 and both backends (72 runs, the largest pools first;
the same combinations as ``tests/test_repair_noise.py``, which imports them from
here), all sharing one translation cache, and writes what each run did::

    python scripts/noise_matrix.py [--out bench/noise_matrix.json] [--md bench/noise_matrix.md]
                                   [--readme README.md] [--only 'mn,mx,4,*'] [--work DIR] [--config TOML]

On a loaded machine, one process per backend (``--only '*,*,*,ctranslate2'`` and
``'*,*,*,transformers'``, each with its own ``--work`` and ``--out``; the backends share
no translations, so nothing is lost by giving each its own cache), then
``--merge A.json B.json --out bench/noise_matrix.json --md ... --readme ...``.

Each run is a fresh ``python -m mtfix repair`` process; its wall and CPU time
(user + system of the process and its threads) are measured around it. A run
*passes* when the report says the model loop changed 0 sentences and the output
is exactly what stage 0 alone (``mtfix fix``) gives; a failed run's whole report is kept in
``WORK/failed/`` (the row's ``report``). The JSON is rewritten after
every run (a killed run keeps what it measured); ``--md`` writes the table and
``--readme`` replaces the summary between the ``noise_matrix`` markers of that
README (:func:`readme_summary`, checked against the JSON by ``tests/test_repair_noise.py``).
``--readme`` alone (no run) re-renders the summary from ``--out``.

``--config TOML`` judges every run under that scoring config (laid over the preset, as
``mtfix repair --config`` does): a judge setting must pass the matrix before it ships. The JSON
records the file's path, text and SHA-256, the md and the README line name it and its settings,
``--skip-done`` refuses a results file made under another config (or none), and ``--merge`` files
made under different ones. The translations do not depend on the config: with the same ``--work``
(or ``--cache``) a second config re-scores, it does not re-translate.

Timings are of whatever machine this ran on: the JSON records its core count
and load average, and the summary says so. It also records an OpenMP wait policy
set in its environment (``openmp``): without one, each run's mtfix chooses by the
load as it starts (``mtfix/engine/openmp.py``), and a run that starts on an idle
machine keeps spinning threads when the load rises under it. On a machine that
will be loaded, set ``OMP_WAIT_POLICY=PASSIVE``.
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
for _path in (HERE, REPO):  # its sibling scripts and this checkout's mtfix, also when a test loads this file by path
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from readme_markers import markers, write_block  # noqa: E402
SEED = REPO / "seeds" / "000_66fd05bfb1d0cc1a.txt"
FLORES = REPO.parent / "shared" / "data" / "flores200-devtest" / "arb_Arab.txt"
N_FLORES = 200

#: Model sets by short name (the tiny models' folder names).
BACK = {"m": ["marian-ar-en"], "n": ["nllb"], "mn": ["marian-ar-en", "nllb"]}
FORWARD = {"m": ["marian-en-ar"], "x": ["m2m100"], "mx": ["marian-en-ar", "m2m100"]}
BACKENDS = ("ctranslate2", "transformers")
N_BEST = (1, 2, 3, 4)

MARK_START, MARK_END = markers("noise_matrix")


def pool_size(back: str, forward: str, n_best: int) -> int:
    """Most candidates per sentence besides the original: back models x n-best pivots x forward models x n-best."""
    return len(BACK[back]) * n_best * len(FORWARD[forward]) * n_best


#: (back set, forward set, n-best, backend): the whole matrix, the largest pools first (2 x 2 models,
#: n-best 4: the most chances for noise to win). Runs share one translation cache, so a smaller
#: combination finds its pivots and candidates already translated.
MATRIX = sorted(itertools.product(BACK, FORWARD, N_BEST, BACKENDS),
                key=lambda p: (-pool_size(p[0], p[1], p[2]), p[3], p[0], p[1]))


def combo_name(back: str, forward: str, n_best: int, backend: str) -> str:
    return f"{back},{forward},{n_best},{backend}"


def repair_args(src: Path, out: Path, report: Path, cache: Path, models: dict, back: str, forward: str,
                n_best: int, backend: str, config: Path | None = None) -> list[str]:
    """The ``mtfix repair`` arguments of one combination (the test runs the same); ``config``: a scoring
    config laid over the preset (``--config``), None for the shipped preset alone."""
    args = ["repair", str(src), "--out", str(out), "--report", str(report), "--backend", backend,
            "--beam", str(max(2, n_best)), "--back-n-best", str(n_best), "--forward-n-best", str(n_best),
            "--cache", str(cache)]
    if config is not None:
        args += ["--config", str(config)]
    for m in BACK[back]:
        args += ["-b", str(models[m])]
    for m in FORWARD[forward]:
        args += ["-f", str(models[m])]
    return args


def model_changes(report: dict) -> list[tuple[int, str]]:
    """(line, reason) of every sentence the model loop changed (stage 0's rule fixes are not the models')."""
    return [(s["line"], s["decision"]["reason"][:200]) for s in report["sentences"]
            if not s["decision"]["kept_incumbent"] or "model" in s.get("changed_by", [])]


def allowance_stats(report: dict) -> dict:
    """What stood between the noise and the output, from the decisions: ``reached_allowance``, the
    sentences where a challenger passed every gate (so the allowance, ``margin + z * se``, decided);
    ``beat_allowance``, those where every challenger was gated and the one nearest to switching (the
    decision's) gained more than the allowance asks: a gate alone kept it out;
    ``closest``, the highest gain minus allowance of any named challenger (negative: the allowance
    alone would hold too). A matrix where no noise reaches the allowance says nothing of ``z``."""
    reached = beat = 0
    closest = None
    for s in report["sentences"]:
        d = s["decision"]
        if len(s["candidates"]) < 2 or d.get("challenger") is None:
            continue
        reached += any(not c["gated"] for c in s["candidates"][1:])
        slack = d["gain"] - d["required"]
        beat += slack > 0 and bool(s["candidates"][d["challenger"]]["gated"])
        closest = slack if closest is None else max(closest, slack)
    return {"reached_allowance": reached, "beat_allowance": beat,
            "closest": None if closest is None else round(closest, 4)}


def write_inputs(folder: Path, seed: Path = SEED, flores: Path = FLORES) -> dict[str, Path]:
    """The three inputs: the seed, the first 200 FLORES-200 devtest Arabic lines, and both in one file."""
    lines = flores.read_text(encoding="utf-8").splitlines()[:N_FLORES]
    if len(lines) != N_FLORES:
        raise SystemExit(f"{flores}: fewer than {N_FLORES} lines")
    paths = {"seed": seed, "flores": folder / "flores200.ar.txt", "both": folder / "seed+flores200.ar.txt"}
    paths["flores"].write_text("\n".join(lines) + "\n", encoding="utf-8")
    paths["both"].write_text(seed.read_text(encoding="utf-8") + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return paths


def build_models(folder: Path) -> dict[str, Path]:
    import make_tiny_models

    return make_tiny_models.build_all(folder)


def _mtfix(args: list[str], env: dict) -> tuple[subprocess.CompletedProcess, float, float]:
    """Run ``python -m mtfix ARGS``; (result, wall s, CPU s of the process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "mtfix", *args], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return proc, wall, cpu


def run_matrix(combos, *, work: Path, out_json: Path | None, log=print, models: Path | None = None,
               cache: Path | None = None, config: Path | None = None) -> dict:
    """Run every combination; returns (and writes after each run) the results document.

    ``models``: a folder of tiny models built earlier (default: built in ``work``); ``cache``: the
    translation cache (default: ``work/cache.sqlite``). Parallel runs (``--only`` one backend each)
    use one cache file each: the backends share no translations anyway."""
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "MTFIX_MODELS_DIR": str(work / "models-dir"), "HF_HOME": str(work / "hf-home"),
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    (work / "models-dir").mkdir(exist_ok=True)
    for preset in (REPO / "models").glob("*.toml"):
        (work / "models-dir" / preset.name).write_bytes(preset.read_bytes())
    models = {name: Path(models) / name for name in ("marian-ar-en", "marian-en-ar", "nllb", "m2m100")} \
        if models else build_models(work / "tiny")
    paths = write_inputs(work)
    proc, _, _ = _mtfix(["fix", str(paths["both"]), "--out", str(work / "stage0.txt")], env)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"mtfix fix failed: {proc.stderr.strip()}")
    stage0 = (work / "stage0.txt").read_text(encoding="utf-8")
    cache = cache or work / "cache.sqlite"
    doc = {
        "what": "mtfix repair with random-weight tiny models: sentences changed by the model loop",
        "input": f"seed article + first {N_FLORES} FLORES-200 devtest Arabic sentences",
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
        "commit": _commit(),
        "cores": os.cpu_count(),
        "load_before": round(os.getloadavg()[0], 1),
        "started": time.time(),
        "config": config_record(config),
        # how OpenMP threads wait, where this environment says (else mtfix decides per run, by the load)
        "openmp": {k: os.environ[k] for k in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT") if k in os.environ},
        "runs": [],
    }
    for back, forward, n_best, backend in combos:
        out, rep = work / "out.txt", work / "report.json"
        for p in (out, rep):
            p.unlink(missing_ok=True)
        args = repair_args(paths["both"], out, rep, cache, models, back, forward, n_best, backend, config)
        proc, wall, cpu = _mtfix(args, env)
        row = {"back": back, "forward": forward, "n_best": n_best, "backend": backend,
               "back_models": BACK[back], "forward_models": FORWARD[forward],
               "wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "load": round(os.getloadavg()[0], 1),
               "exit": proc.returncode}
        if proc.returncode == 0:
            report = json.loads(rep.read_text(encoding="utf-8"))
            changes = model_changes(report)
            row.update(sentences=report["summary"]["sentences"], candidates=report["summary"]["candidates"],
                       **allowance_stats(report),
                       changed_by_model=report["summary"]["changed_by_model"], changes=changes[:5],
                       same_as_stage0=out.read_text(encoding="utf-8") == stage0,
                       summary=proc.stderr.strip().splitlines()[-2:] if proc.stderr.strip() else [])
            row["passed"] = not changes and row["changed_by_model"] == 0 and row["same_as_stage0"]
            if not row["passed"]:  # the next run overwrites report.json: keep this one's whole evidence
                kept = work / "failed" / f"{combo_name(back, forward, n_best, backend)}.report.json"
                kept.parent.mkdir(exist_ok=True)
                kept.write_bytes(rep.read_bytes())
                row["report"] = str(kept)
        else:
            row.update(passed=False, error=proc.stderr.strip()[-500:])
        doc["runs"].append(row)
        doc["finished"] = time.time()
        log(f"{combo_name(back, forward, n_best, backend)}: {'ok' if row['passed'] else 'FAILED'} "
            f"({row.get('changed_by_model', '?')} changed, {row.get('candidates', '?')} candidates) "
            f"{row['wall_s']:.0f} s wall, {row['cpu_s']:.0f} s CPU, load {row['load']}")
        if out_json:
            _write(out_json, json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
    return doc


def config_record(config: Path | None) -> dict | None:
    """What the JSON records of ``--config``: its path, text and the text's SHA-256 (None: the preset alone)."""
    if config is None:
        return None
    text = Path(config).read_text(encoding="utf-8")
    return {"path": str(config), "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), "text": text}


def config_key(doc: dict) -> str | None:
    """The config a results document was run under, by its text's hash (None: the preset alone)."""
    return (doc.get("config") or {}).get("sha256")


def config_label(doc: dict) -> str:
    """How the md and the README line name a document's ``--config`` (empty: the preset alone):
    the file's name, its settings as ``table.key = value`` and the start of its hash."""
    config = doc.get("config")
    if not config:
        return ""
    from mtfix.tomlcompat import tomllib

    def flat(table: dict, prefix: str = ""):
        for key, value in table.items():
            if isinstance(value, dict):
                yield from flat(value, f"{prefix}{key}.")
            else:
                yield f"{prefix}{key} = {json.dumps(value, ensure_ascii=False)}"

    settings = ", ".join(flat(tomllib.loads(config["text"])))
    return (f"under `--config {Path(config['path']).name}` ({settings or 'no settings'}; "
            f"sha256 {config['sha256'][:12]})")


def _commit() -> str | None:
    """The code measured: ``$NOISE_MATRIX_COMMIT`` (a run from an exported tree), else the checkout's HEAD."""
    if os.environ.get("NOISE_MATRIX_COMMIT"):
        return os.environ["NOISE_MATRIX_COMMIT"]
    try:
        return subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip() or None
    except (OSError, subprocess.CalledProcessError):
        return None


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def merge(docs: list[dict]) -> dict:
    """One document from runs made apart (one process per backend, in parallel or one after the other),
    in :data:`MATRIX` order. Its wall time is the time any of them was running (their spans' union:
    runs made hours apart do not count the hours between), ``parallel`` how many ran at once at most,
    ``commit`` every commit measured."""
    order = {c: n for n, c in enumerate(MATRIX)}
    runs = sorted((r for d in docs for r in d["runs"]),
                  key=lambda r: order[(r["back"], r["forward"], r["n_best"], r["backend"])])
    combos = [combo_name(r["back"], r["forward"], r["n_best"], r["backend"]) for r in runs]
    if len({config_key(d) for d in docs}) > 1:
        raise SystemExit("--merge: the files were run under different --config files "
                         f"({', '.join(str(config_key(d) or 'the preset')[:12] for d in docs)})")
    if len(set(combos)) < len(combos):
        raise SystemExit(f"--merge: {sorted({c for c in combos if combos.count(c) > 1})[0]} is in more than one file")
    spans = sorted(tuple(span) for d in docs for span in d.get("spans", [(d["started"], d.get("finished", d["started"]))]))
    wall, end = 0.0, float("-inf")
    for a, b in spans:
        wall += max(0.0, b - max(a, end))
        end = max(end, b)
    at_once = max(sum(a <= t < b for a, b in spans) for t, _ in spans) if spans else 1
    commits = list(dict.fromkeys(c for d in docs for c in str(d.get("commit") or "").split(", ") if c))
    openmp = [d.get("openmp") for d in docs]  # files run under different wait policies keep each one's
    return {**docs[0], "openmp": openmp[0] if all(o == openmp[0] for o in openmp) else openmp, "date": min(d["date"] for d in docs), "load_before": min(d["load_before"] for d in docs),
            "started": spans[0][0], "finished": max(b for _, b in spans), "wall_s": round(wall, 1),
            "spans": [list(span) for span in spans], "commit": ", ".join(commits) or None,
            "parallel": max(at_once, 1), "runs": runs}


def totals(doc: dict) -> dict:
    runs = doc["runs"]
    return {"runs": len(runs), "passed": sum(r["passed"] for r in runs),
            "changed": sum(r.get("changed_by_model", 0) for r in runs),
            "failed": [combo_name(r["back"], r["forward"], r["n_best"], r["backend"]) for r in runs if not r["passed"]],
            "wall_min": doc["wall_s"] / 60 if "wall_s" in doc
            else (doc.get("finished", doc["started"]) - doc["started"]) / 60 if "started" in doc
            else sum(r["wall_s"] for r in runs) / 60,
            "cpu_min": sum(r["cpu_s"] for r in runs) / 60,
            "sentences": runs[0].get("sentences") if runs else None,
            "candidates": sum(r.get("candidates", 0) for r in runs)}


def markdown(doc: dict) -> str:
    t = totals(doc)
    label = config_label(doc)
    stats = any("reached_allowance" in r for r in doc["runs"])
    lines = [f"Noise matrix{' ' + label if label else ''}, {doc['date']} ({doc['input']}; {doc['cores']} cores, load average "
             f"{doc['load_before']} at the start): {t['passed']}/{t['runs']} runs passed, "
             f"{t['changed']} sentences changed by a model; {t['wall_min']:.0f} min wall, "
             f"{t['cpu_min']:.0f} min CPU." + (f" {allowance_line(doc)}" if stats else ""), "",
             "| back | forward | n-best | backend | candidates | changed by a model | same as stage 0 | "
             + ("passed every gate | beat the allowance, gated | closest | " if stats else "") + "wall s | CPU s |",
             "|---|---|---|---|---|---|---|" + ("---|---|---|" if stats else "") + "---|---|"]
    for r in doc["runs"]:
        allowance = (f"{r.get('reached_allowance', '-')} | {r.get('beat_allowance', '-')} | "
                     f"{'-' if r.get('closest') is None else format(r['closest'], '+.3f')} | ") if stats else ""
        lines.append(f"| {'+'.join(r['back_models'])} | {'+'.join(r['forward_models'])} | {r['n_best']} | "
                     f"{r['backend']} | {r.get('candidates', '-')} | {r.get('changed_by_model', 'error')} | "
                     f"{'yes' if r.get('same_as_stage0') else 'no'} | {allowance}{r['wall_s']:.0f} | {r['cpu_s']:.0f} |")
    return "\n".join(lines) + "\n"


def allowance_line(doc: dict) -> str:
    """One sentence on what the allowance had to do (:func:`allowance_stats` summed over the runs)."""
    runs = [r for r in doc["runs"] if "reached_allowance" in r]
    decided = sum(r["sentences"] for r in runs)
    closest = max((r["closest"] for r in runs if r["closest"] is not None), default=None)
    part = f"In the {len(runs)} runs that recorded it, a" if len(runs) < len(doc["runs"]) else "A"
    return (f"{part} challenger passed every gate in {sum(r['reached_allowance'] for r in runs):,} of {decided:,} "
            f"sentence decisions; in {sum(r['beat_allowance'] for r in runs):,} the challenger nearest to "
            f"switching gained more than the allowance asked, and only a gate kept it out"
            + (f" (closest: {closest:+.3f} over the allowance)." if closest is not None else "."))


def readme_summary(doc: dict) -> str:
    """The README's lines between the markers, rendered from the results document only."""
    t = totals(doc)
    runs = doc["runs"]
    if t["runs"] == len(MATRIX):
        what = "The whole matrix"
    else:
        per = {b: sum(r["backend"] == b for r in runs) for b in BACKENDS}
        what = (f"{t['runs']} of the {len(MATRIX)} combinations ("
                + ", ".join(f"{b} {n} of {len(MATRIX) // len(BACKENDS)}" for b, n in per.items()) + ")")
    loads = [doc["load_before"], *(r["load"] for r in runs)]
    on = (f" (commit{'s' if ', ' in doc['commit'] else ''} {doc['commit']})" if doc.get("commit") else "")
    label = config_label(doc)
    text = (f"{what} ran{' ' + label if label else ''} on {doc['date']}{on}: **{t['passed']}/{t['runs']} combinations passed, {t['changed']} "
            f"sentences changed** by a model ({t['sentences']} sentences per run, {t['candidates']:,} candidates "
            f"judged in all), {t['wall_min']:.0f} min wall"
            + (f" ({doc['parallel']} processes in parallel)" if doc.get("parallel", 1) > 1 else "")
            + f" and {t['cpu_min']:.0f} min of CPU on {doc['cores']} "
            f"cores (loaded: load average {min(loads):g}-{max(loads):g} during the run)")
    if runs:
        slowest = max(runs, key=lambda r: r["cpu_s"])
        text += (f"; the costliest run ({len(slowest['back_models'])} x {len(slowest['forward_models'])} models, "
                 f"n-best {slowest['n_best']}, {slowest['backend']}) took {slowest['cpu_s'] / 60:.1f} min of CPU")
    text += "."
    if any("reached_allowance" in r for r in runs):
        text += " " + allowance_line(doc)
    text += " Per run: `bench/noise_matrix.md`."
    if t["failed"]:
        text += f" Failed: {', '.join(t['failed'])}."
    return text + "\n"


def write_readme(readme: Path, summary: str) -> None:
    write_block(readme, MARK_START, MARK_END, summary)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "noise_matrix.json", help="results JSON")
    ap.add_argument("--md", type=Path, default=None, help="also write the per-run table here")
    ap.add_argument("--readme", type=Path, default=None, help="replace the summary between the markers of this README")
    ap.add_argument("--only", default=None,
                    help="comma-separated glob over 'back,forward,n-best,backend' (e.g. 'mn,mx,4,*'); default: all")
    ap.add_argument("--work", type=Path, default=None, help="work folder (models, cache, outputs; default: a temp dir)")
    ap.add_argument("--skip-done", type=Path, default=None,
                    help="skip the combinations recorded in this results file (a parallel or earlier run)")
    ap.add_argument("--models", type=Path, default=None, help="tiny models built earlier (default: build them)")
    ap.add_argument("--cache", type=Path, default=None, help="translation cache (default: WORK/cache.sqlite)")
    ap.add_argument("--config", type=Path, default=None,
                    help="scoring config (TOML) passed to every repair run as --config; default: the preset alone")
    ap.add_argument("--render", action="store_true", help="do not run: render --md/--readme from --out")
    ap.add_argument("--merge", type=Path, nargs="+", default=None,
                    help="do not run: merge these results files (parallel runs) into --out, then render")
    args = ap.parse_args(argv)
    if args.config is not None:  # a bad config fails here, not in each of 72 runs
        from mtfix.errors import MtfixError
        from mtfix.scoring.config import load_config

        try:
            load_config(args.config)
        except MtfixError as e:
            ap.error(f"--config: {e}")
    if args.merge:
        doc = merge([json.loads(p.read_text(encoding="utf-8")) for p in args.merge])
        _write(args.out, json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
    elif args.render:
        doc = json.loads(args.out.read_text(encoding="utf-8"))
    else:
        done = set()
        if args.skip_done:
            earlier = json.loads(args.skip_done.read_text(encoding="utf-8"))
            if config_key(earlier) != config_key({"config": config_record(args.config)}):
                ap.error(f"--skip-done {args.skip_done} was run under "
                         f"{(earlier.get('config') or {}).get('path') or 'the preset alone'}, not under "
                         f"{args.config or 'the preset alone'}: its runs are no evidence for this config")
            done = {(r["back"], r["forward"], r["n_best"], r["backend"]) for r in earlier["runs"]}
        combos = [c for c in MATRIX if (args.only is None or fnmatch.fnmatch(combo_name(*c), args.only))
                  and c not in done]
        if not combos:
            raise SystemExit(f"--only {args.only!r} matches no combination")
        with tempfile.TemporaryDirectory(prefix="noise-matrix-") as tmp:
            doc = run_matrix(combos, work=args.work or Path(tmp), out_json=args.out,
                             log=lambda s: print(s, flush=True), models=args.models, cache=args.cache,
                             config=args.config)
    if args.md:
        _write(args.md, markdown(doc))
    if args.readme:
        write_readme(args.readme, readme_summary(doc))
    t = totals(doc)
    print(f"{t['passed']}/{t['runs']} passed, {t['changed']} changed, {t['wall_min']:.1f} min wall, "
          f"{t['cpu_min']:.1f} min CPU")
    return 0 if t["passed"] == t["runs"] else 1


if __name__ == "__main__":
    sys.exit(main())
