#!/usr/bin/env python
"""Where a user waits (issue 16): every row as a ratio against its anchor, in one run.

    python scripts/bench_speed.py [--quick] [--only ROWS] [--out out/bench] [--readme README.md]

Rows (``--only startup,translate,cached,select,evaluate,check``; default all):

Each row is measured against its anchor in the same run, rounds interleaved
(so a busy machine slows both sides alike), and reported as the median with
the spread (min-max) of the rounds:

1. ``select``: 5 FLORES-200 systems (ara-eng) x N lines, ``select_files`` and
   its report JSON (what ``mtfix select --report`` computes) as now vs the same
   with every analysis and the report computed as before
   (``tests/select_reference.py``: sacrebleu ``sentence_score`` per ordered pair
   and per gate check, no shared per-text analyses); the selections and the
   report JSON are checked identical.
2. start-up: ``mtfix --help``, ``mtfix check <seed>``, ``mtfix models list`` vs
   ``sacrebleu --help`` (fresh processes).
3. ``mtfix evaluate`` (5 systems, BLEU/chrF/chrF++/TER, paired bootstrap, the
   default worst-segment listing) vs the same through the ``sacrebleu`` CLI
   (two runs: ``-m bleu chrf ter`` and ``-m chrf --chrf-word-order 2``, as its
   CLI takes one chrF word order per run), both with ``--paired-bs``.
4. ``mtfix check`` on a few MB of Arabic (FLORES-200 machine translations, one
   paragraph per line, the shipped glossary): MB/s (wall and CPU) and peak RSS of a
   fresh process, streamed (``check_file``) vs the whole text at once
   (``check_text``) vs the code of before the speed work (the frozen copy in
   tests/reference_check.py; the findings are checked identical), and two floors:
   reading the file line by line, one plain regex pass over it; the streamed peak
   is also measured on the file's first fifth (bounded memory: the same peak). With
   ``--check-baseline DIR`` also streamed with the mtfix of another checkout (the
   code of before a round's work: ``git worktree add DIR COMMIT``), in the same
   interleaved rounds, its findings checked identical.
5. ``translate``: ``mtfix translate`` (10 sentences, greedy, no cache) vs raw
   CTranslate2 ``translate_batch`` + SentencePiece in a script, fresh processes,
   the same model, sentences and outputs (``scripts/bench.py``'s opus-mt-shaped
   models, built and converted once, cached in ``~/.cache/mtfix/bench``).
6. ``cached``: a repair re-run from the translation cache vs its first run (the
   same models, CTranslate2 int8, beam 4, 2 pivots x 2 candidates; 100 sentences,
   24 with ``--quick``), in one process, as ``scripts/bench.py`` measures it.

Writes ``OUT/bench_speed.json`` and ``OUT/bench_speed.md`` (default
``out/bench``, never the tracked ``bench/``); ``--readme`` replaces the table
between the ``bench_speed`` markers of that README: the rows measured now are
replaced, the others are kept as they were (``--only select`` reruns the select
rows alone).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(HERE) not in sys.path:  # its sibling scripts, also when a test loads this file by path
    sys.path.insert(0, str(HERE))

from readme_markers import markers, read_block, write_block  # noqa: E402
DATA = REPO.parent / "shared" / "data"
SEED = REPO / "seeds" / "000_66fd05bfb1d0cc1a.txt"
SYSTEMS = DATA / "systems" / "flores200-devtest.ara-eng"
MARK_START, MARK_END = markers("bench_speed")
ENV = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
       "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def log(msg: str) -> None:
    print(f"[bench_speed {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def stats(times: list[float], cpu: list[float] | None = None) -> dict:
    out = {"median": statistics.median(times), "min": min(times), "max": max(times), "all": times}
    if cpu:
        out["cpu_median"] = statistics.median(cpu)
    return out


def spread(s: dict) -> str:
    return f"{s['median']:.2f} s ({s['min']:.2f}-{s['max']:.2f})"


def _cpu() -> float:
    """CPU seconds (user + system) of this process and its finished children."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def interleaved(jobs: dict, rounds: int) -> dict:
    """Run every job once per round, rotating who goes first; ``{name: stats}`` (wall, and CPU time:
    on a loaded machine the CPU time of a job moves less than its wall time)."""
    names, times, cpu = list(jobs), {n: [] for n in jobs}, {n: [] for n in jobs}
    for r in range(rounds):
        for name in names[r % len(names):] + names[: r % len(names)]:
            t0, c0 = time.perf_counter(), _cpu()
            jobs[name]()
            times[name].append(time.perf_counter() - t0)
            cpu[name].append(_cpu() - c0)
    return {n: stats(t, cpu[n]) for n, t in times.items()}


def _systems() -> list[Path]:
    files = sorted(SYSTEMS.glob("*.txt"))
    if len(files) < 5:
        raise SystemExit(f"{SYSTEMS}: the FLORES-200 system outputs are needed (the shared data pack)")
    return files[:5]


def _subset(files: list[Path], n: int, tmp: Path) -> list[Path]:
    out = []
    for k, p in enumerate(files):
        q = tmp / f"{k}-{p.name}"
        q.write_text("".join(line + "\n" for line in p.read_text(encoding="utf-8").splitlines()[:n]), encoding="utf-8")
        out.append(q)
    return out


# ----------------------------------------------------------------------------- 1. select


def _select_reference():
    """tests/select_reference.py: select's analyses and report as they were computed before (the anchor)."""
    spec = importlib.util.spec_from_file_location("select_reference", REPO / "tests" / "select_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bench_select(n_lines: int, rounds: int, tmp: Path) -> dict:
    from mtfix.metrics import ChrfMemo, ChrfStats
    from mtfix.select import select_files

    ref = _select_reference()
    files = _subset(_systems(), n_lines, tmp)
    source = _subset([DATA / "flores200-devtest" / "arb_Arab.txt"], n_lines, tmp)[0]
    specs = [(f"sys{k}", str(p)) for k, p in enumerate(files)]
    outputs = {}

    def now():  # what `mtfix select --report` computes: the selection and its report JSON
        result = select_files(specs, source)
        outputs["now"] = (result.lines, json.dumps(result.report(), ensure_ascii=False, indent=1))

    def before():  # the same with the analyses and the report computed as before (tests/select_reference.py)
        with ref.reference_analyses():
            result = select_files(specs, source)
        outputs["before"] = (result.lines, json.dumps(ref.reference_report(result), ensure_ascii=False, indent=1))

    res = interleaved({"now": now, "before": before}, rounds)
    if outputs["now"] != outputs["before"]:
        raise SystemExit("select: the selections or reports differ from the reference computations")
    ratio = res["before"]["median"] / res["now"]["median"]
    cpu_ratio = res["before"]["cpu_median"] / res["now"]["cpu_median"]
    log(f"select {len(files)} x {n_lines}: before {spread(res['before'])}, now {spread(res['now'])}: {ratio:.1f}x")

    # the consensus matrices alone: pair by pair as before, the vectorised pass now, and what
    # sacrebleu's own n-gram extraction of each candidate once (the floor of the Counter way) costs
    rows = [list(r) for r in zip(*(p.read_text(encoding="utf-8").splitlines() for p in files))]
    cs = ChrfStats()
    from mtfix.metrics.sacrebleu_internals import reference_ngrams

    extract = reference_ngrams(cs.metric)  # sacrebleu's own extraction, through the one adapter

    def matrices_now():
        memo = ChrfMemo(cs)
        memo.prefetch(rows)
        return [memo.pairwise(r) for r in rows]

    part = interleaved({"matrices now": matrices_now,
                        "matrices before": lambda: [ref.ReferenceFacts().pairwise(r) for r in rows],
                        "extraction only": lambda: [extract(t) for r in rows for t in r]},
                       rounds)
    part_ratio = part["matrices before"]["median"] / part["matrices now"]["median"]
    part["cpu_speedup"] = part["matrices before"]["cpu_median"] / part["matrices now"]["cpu_median"]
    log(f"consensus matrices: before {spread(part['matrices before'])}, now {spread(part['matrices now'])} "
        f"({part_ratio:.1f}x); sacrebleu's n-gram extraction alone {spread(part['extraction only'])}")
    return {"systems": len(files), "lines": n_lines, "times": res, "speedup": ratio, "cpu_speedup": cpu_ratio,
            "identical": True, "matrices": part, "matrices_speedup": part_ratio}


# ----------------------------------------------------------------------------- 2. start-up


def bench_startup(rounds: int) -> dict:
    sacrebleu = Path(sys.executable).with_name("sacrebleu")
    cmds = {
        "sacrebleu --help": [str(sacrebleu), "--help"],
        "mtfix --help": [sys.executable, "-m", "mtfix", "--help"],
        "mtfix check (seed)": [sys.executable, "-m", "mtfix", "check", str(SEED)],
        "mtfix models list": [sys.executable, "-m", "mtfix", "models", "list"],
    }

    def job(cmd):
        return lambda: subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV, cwd=REPO)

    res = interleaved({k: job(c) for k, c in cmds.items()}, rounds)
    base, cbase = res["sacrebleu --help"]["median"], res["sacrebleu --help"]["cpu_median"]
    out = {k: {**v, "ratio": v["median"] / base, "cpu_ratio": v["cpu_median"] / cbase} for k, v in res.items()}
    log("start-up: " + ", ".join(f"{k} {v['median']:.2f} s ({v['ratio']:.2f}x)" for k, v in out.items()))
    return out


# ----------------------------------------------------------------------------- 3. evaluate


def bench_evaluate(n_lines: int, bs_n: int, rounds: int, tmp: Path) -> dict:
    files = _subset(_systems(), n_lines, tmp)
    ref = _subset([DATA / "flores200-devtest" / "eng_Latn.txt"], n_lines, tmp)[0]
    sacrebleu = str(Path(sys.executable).with_name("sacrebleu"))
    sys_args = [a for f in files for a in ("--sys", str(f))]
    mtfix = [sys.executable, "-m", "mtfix", "evaluate", "--ref", str(ref), *sys_args, "--paired", "bs",
             "--bs-n", str(bs_n), "--quiet", "--json", str(tmp / "ev.json")]
    theirs = [[sacrebleu, str(ref), "-i", *map(str, files), "-m", "bleu", "chrf", "ter", "--paired-bs",
               "--paired-bs-n", str(bs_n), "-f", "text"],
              [sacrebleu, str(ref), "-i", *map(str, files), "-m", "chrf", "--chrf-word-order", "2", "--paired-bs",
               "--paired-bs-n", str(bs_n), "-f", "text"]]

    def run(*cmds):
        def job():
            for c in cmds:
                subprocess.run(c, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV, cwd=REPO, check=True)
        return job

    res = interleaved({"sacrebleu CLI": run(*theirs), "mtfix evaluate": run(mtfix),
                       "mtfix evaluate --worst 0": run(mtfix + ["--worst", "0"])}, rounds)
    base, cbase = res["sacrebleu CLI"]["median"], res["sacrebleu CLI"]["cpu_median"]
    out = {k: {**v, "ratio": v["median"] / base, "cpu_ratio": v["cpu_median"] / cbase} for k, v in res.items()}
    log("evaluate: " + ", ".join(f"{k} {spread(v)} ({v['ratio']:.2f}x)" for k, v in out.items()))
    return {"systems": len(files), "lines": n_lines, "bs_n": bs_n, "times": out}


# ----------------------------------------------------------------------------- 4. check

CHILD = r"""
import hashlib, json, re, sys, time
sys.path.insert(0, sys.argv[3])  # tests/: the frozen reference of check (reference_check.py)
from mtfix.text.check import check_file, check_text
from mtfix.text.glossary import load_glossaries
from mtfix.text.read import iter_text_lines, read_text
path, how = sys.argv[1], sys.argv[2]
gloss = load_glossaries()  # the shipped preset, as `mtfix check` uses it
t0, c0 = time.perf_counter(), time.process_time()
if how == "stream":
    report = check_file(path, None, gloss)
elif how == "whole":
    report = check_text(read_text(path), None, gloss)
elif how == "before":
    import reference_check
    report = reference_check.check_file(path, None, gloss)
elif how == "read":  # the floor: reading and decoding the file line by line
    report = None
    for line in iter_text_lines(path):
        pass
else:  # "regex": one plain regular expression pass over the whole text
    report = None
    text = read_text(path)
    t0, c0 = time.perf_counter(), time.process_time()
    re.findall(r"[،,؛;:]{2}", text)
out = {"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0}
hwm = [ln for ln in open("/proc/self/status") if ln.startswith("VmHWM")][0].split()[1]
out["peak_mb"] = int(hwm) / 1024  # the check's peak, before the digest below holds every finding
if report is not None:
    out["findings"] = len(report.findings)
    out["digest"] = hashlib.sha256(json.dumps(report.to_dict(), ensure_ascii=False).encode()).hexdigest()
print(json.dumps(out))
"""
#: a child's own peak (VmHWM): ru_maxrss would carry the parent's peak across fork+exec
HWM = "import json,mtfix.text.check;print(json.dumps(int([l for l in open('/proc/self/status') " \
      "if l.startswith('VmHWM')][0].split()[1])/1024))"


def bench_check(mb: float, rounds: int, tmp: Path, baseline: Path | None = None) -> dict:
    """``check_file`` (streamed) vs ``check_text`` (whole), the frozen code of before the speed work
    (tests/reference_check.py: the same findings, checked here too), and two floors: reading the
    file line by line, and one plain regex pass over it; with ``baseline`` (a checkout) also
    ``check_file`` with that checkout's mtfix. Fresh processes, the shipped glossary."""
    if baseline is not None and not (baseline / "mtfix" / "__init__.py").is_file():
        raise SystemExit(f"--check-baseline {baseline}: not an mtfix checkout (no mtfix/__init__.py there)")
    lines = [ln for p in sorted((DATA / "systems" / "flores200-devtest.eng-ara").glob("*.txt"))
             for ln in p.read_text(encoding="utf-8").splitlines() if ln.strip()]
    lines += (DATA / "flores200-devtest" / "arb_Arab.txt").read_text(encoding="utf-8").splitlines()
    path = tmp / "big.ar.txt"
    target, parts, size, i = int(mb * 1e6), [], 0, 0
    while size < target:
        line = lines[i % len(lines)] + "\n"
        parts.append(line)
        size += len(line.encode("utf-8"))
        i += 1
    path.write_text("".join(parts), encoding="utf-8")
    size = path.stat().st_size
    small = tmp / "small.ar.txt"  # the first fifth: memory bounded by the paragraph is the same peak
    small.write_text("".join(parts[:len(parts) // 5]), encoding="utf-8")
    base = json.loads(subprocess.run([sys.executable, "-c", HWM], capture_output=True, text=True, env=ENV,
                                     check=True).stdout)
    found: dict = {}

    def job(how, file=path, code=REPO):
        env = ENV if code == REPO else {**ENV, "PYTHONPATH": str(code)}

        def run():  # run in the checkout: "-c" puts the working directory first on the path
            p = subprocess.run([sys.executable, "-c", CHILD, str(file), how.split(" ")[0], str(REPO / "tests")],
                               capture_output=True, text=True, env=env, check=True, cwd=code)
            found.setdefault(how, []).append(json.loads(p.stdout))
        return run

    jobs = {how: job(how) for how in ("stream", "whole", "before", "read", "regex")}
    jobs["stream small"] = job("stream small", small)
    if baseline is not None:
        jobs["stream baseline"] = job("stream baseline", code=baseline.resolve())
    interleaved(jobs, rounds)
    out = {"mb": size / 1e6, "small_mb": small.stat().st_size / 1e6, "import_peak_mb": base}
    for how, runs in found.items():
        secs, cpu = [r["seconds"] for r in runs], [r["cpu"] for r in runs]
        mb = out["small_mb"] if how == "stream small" else size / 1e6
        out[how] = {"seconds": stats(secs, cpu), "mb_per_s": mb / statistics.median(secs),
                    "cpu_mb_per_s": mb / statistics.median(cpu),
                    "peak_mb": max(r["peak_mb"] for r in runs), "findings": runs[0].get("findings"),
                    "digest": runs[0].get("digest")}
    if not out["stream"]["digest"] == out["whole"]["digest"] == out["before"]["digest"]:
        raise SystemExit("check: the findings differ between streamed, whole-text and the code of before")
    out["same_as_before"] = True
    if baseline is not None:
        if out["stream baseline"]["digest"] != out["stream"]["digest"]:
            raise SystemExit(f"check: the findings differ from those of {baseline}'s code")
        out["baseline"] = str(baseline)
        out["baseline_speedup"] = out["stream baseline"]["seconds"]["median"] / out["stream"]["seconds"]["median"]
        out["baseline_cpu_speedup"] = (out["stream baseline"]["seconds"]["cpu_median"]
                                       / out["stream"]["seconds"]["cpu_median"])
    # the load-independent figure: CPU time over one plain regex pass's, both medians of this run
    # (5 MB/s on the idle machine, where one regex pass does about 277 MB/s, is about 55x)
    out["floor_ratio"] = out["stream"]["seconds"]["cpu_median"] / out["regex"]["seconds"]["cpu_median"]
    out["speedup"] = out["before"]["seconds"]["median"] / out["stream"]["seconds"]["median"]
    out["cpu_speedup"] = out["before"]["seconds"]["cpu_median"] / out["stream"]["seconds"]["cpu_median"]
    log(f"check {out['mb']:.1f} MB: stream {out['stream']['mb_per_s']:.2f} MB/s (CPU {out['stream']['cpu_mb_per_s']:.2f}) "
        f"peak {out['stream']['peak_mb']:.0f} MB ({out['stream small']['peak_mb']:.0f} MB on {out['small_mb']:.1f} MB); whole {out['whole']['mb_per_s']:.2f} MB/s peak "
        f"{out['whole']['peak_mb']:.0f} MB; {out['floor_ratio']:.0f}x one regex pass (CPU); before "
        f"{out['before']['mb_per_s']:.2f} MB/s; floors: reading "
        f"{out['read']['cpu_mb_per_s']:.1f} MB/s CPU, one regex pass {out['regex']['cpu_mb_per_s']:.0f} MB/s CPU")
    return out


# ----------------------------------------------------------------------------- 5-6. with a model


def _bench():
    """``scripts/bench.py`` as a module: its models (built and converted once, cached) and measures."""
    spec = importlib.util.spec_from_file_location("mtfix_bench", HERE / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _bench_models(bench):
    from mtfix.text.diskcache import cache_dir  # the one rule for mtfix's cache folders

    work = cache_dir() / "bench"
    hf = bench.build_models(work)
    return bench.convert_all(hf, work)[0]


def bench_translate(rounds: int) -> dict:
    from mtfix.text.segment import segment

    bench = _bench()
    ct2 = _bench_models(bench)
    text, _ = bench.article(100)
    sents = bench.overhead_sentences([x.text for x in segment(text, lang="ar").sentences])
    return bench.translate_overhead(ct2[("ar-en", "int8")], sents, 0, rounds)


def bench_cached(n_sentences: int, reruns: int, tmp: Path) -> dict:
    bench = _bench()
    ct2 = _bench_models(bench)
    text, origin = bench.article(n_sentences)
    path = tmp / "article.txt"
    path.write_text(text, encoding="utf-8")
    res = bench._child("--article-child", {"ar-en": str(ct2[("ar-en", "int8")]), "en-ar": str(ct2[("en-ar", "int8")]),
                                           "quant": "int8", "text": str(path), "rounds": 1, "reruns": reruns}, 0)
    first, cached = res["first"][0], res["cached"]
    out = {"sentences": first["sentences"], "article": origin, "first": stats([first["wall_s"]], [first["cpu_s"]]),
           "cached": stats([c["wall_s"] for c in cached], [c["cpu_s"] for c in cached]), "runs": res}
    out["speedup"] = out["first"]["median"] / out["cached"]["median"]
    out["cpu_speedup"] = out["first"]["cpu_median"] / out["cached"]["cpu_median"]
    # where the cached re-run's time goes (median run)
    c = sorted(cached, key=lambda r: r["wall_s"])[len(cached) // 2]
    out["parts"] = {"engine (cache reads)": c["engine_s"] + c["pair_check_s"], **{
        f"scoring: {k}": v for k, v in sorted(c["scoring_s"].items(), key=lambda kv: -kv[1])}, "rest": c["rest_s"]}
    log(f"cached re-run ({out['sentences']} sentences): first {spread(out['first'])}, cached "
        f"{spread(out['cached'])}: {out['speedup']:.0f}x")
    return out


# ----------------------------------------------------------------------------- report


def _ok(flag: bool) -> str:
    return "met" if flag else "**not met**"


ROWS = ("startup", "translate", "cached", "select", "evaluate", "check")
HEADER = ["| Where | Now | Anchor | Ratio | Target |", "|---|---|---|---|---|"]


def rows(res: dict) -> list[str]:
    """The table rows of the parts measured in ``res``, in the README's order."""
    lines: list[str] = []
    if "translate" in res:
        t = res["translate"]

        def side(name):  # wall median (min-max), CPU median
            w = t.get("wall", {}).get(name)
            spread_ = f" ({w['min']:.2f}-{w['max']:.2f})" if w else ""
            return f"{t[name + '_wall_s']:.2f} s{spread_} (CPU {t[name + '_cpu_s']:.2f} s)"

        pw, pc = t.get("paired_wall_ratio"), t.get("paired_cpu_ratio")
        paired = f"; each round's pair {pw['min']:.2f}-{pw['max']:.2f}x (CPU {pc['min']:.2f}-{pc['max']:.2f}x)" \
            if pw and pc else ""
        lines.append(
            f"| `mtfix translate` vs raw CTranslate2 `translate_batch` + SentencePiece ({t['sentences']} sentences, "
            f"greedy, fresh processes, {t.get('rounds', '?')} ABBA rounds after a warm-up, same output: "
            f"{t['same_output']}) | {side('mtfix')} | {side('raw')} "
            f"| {t['wall_ratio']:.2f}x (CPU {t['cpu_ratio']:.2f}x{paired}) "
            f"| <= 1.05x: {_ok(t['wall_ratio'] <= 1.05)} |")
    if "cached" in res:
        c = res["cached"]
        total = sum(c["parts"].values()) or 1.0
        top = sorted(c["parts"].items(), key=lambda kv: -kv[1])
        parts = ", ".join(f"{k.removeprefix('scoring: ')} {100 * v / total:.0f}%" for k, v in top[:5])
        lines.append(
            f"| repair re-run from the cache ({c['sentences']} sentences, in one process; its wall time: {parts}) "
            f"| {spread(c['cached'])} | first run {spread(c['first'])} | {c['speedup']:.0f}x faster "
            f"(CPU {c['cpu_speedup']:.0f}x) | >= 150x: {_ok(c['speedup'] >= 150)} |")
    if "select" in res:
        sel = res["select"]
        lines += [
            f"| `select` with its report, {sel['systems']} FLORES systems x {sel['lines']} lines (identical "
            f"selections and report) | {spread(sel['times']['now'])} | as before: {spread(sel['times']['before'])} "
            f"| {sel['speedup']:.1f}x faster (CPU {sel['cpu_speedup']:.1f}x) | >= 5x: {_ok(sel['speedup'] >= 5)} |",
            f"| `select`'s consensus matrices alone (pairwise chrF) "
            f"| {spread(sel['matrices']['matrices now'])} | as before: {spread(sel['matrices']['matrices before'])}; "
            f"sacrebleu's n-gram extraction of each candidate once: {spread(sel['matrices']['extraction only'])} "
            f"| {sel['matrices_speedup']:.1f}x faster (CPU {sel['matrices']['cpu_speedup']:.1f}x) | |",
        ]
    if "startup" in res:
        st = res["startup"]
        for k in ("mtfix --help", "mtfix check (seed)", "mtfix models list"):
            ok = st[k]["ratio"] <= 1.5 and st[k]["cpu_ratio"] <= 1.5
            lines.append(f"| start-up: `{k}` | {spread(st[k])} | `sacrebleu --help` {spread(st['sacrebleu --help'])} "
                         f"| {st[k]['ratio']:.2f}x (CPU {st[k]['cpu_ratio']:.2f}x) | <= 1.5x, wall and CPU: {_ok(ok)} |")
    if "evaluate" in res:
        ev = res["evaluate"]
        e = ev["times"]
        lines += [
            f"| `evaluate`, {ev['systems']} systems x {ev['lines']} lines, 4 metrics, paired bootstrap ({ev['bs_n']}), "
            f"worst segments listed | {spread(e['mtfix evaluate'])} | sacrebleu CLI {spread(e['sacrebleu CLI'])} "
            f"| {e['mtfix evaluate']['ratio']:.2f}x (CPU {e['mtfix evaluate']['cpu_ratio']:.2f}x) "
            f"| <= 1.05x: {_ok(e['mtfix evaluate']['ratio'] <= 1.05)} |",
            f"| `evaluate --worst 0` (same) | {spread(e['mtfix evaluate --worst 0'])} | sacrebleu CLI "
            f"| {e['mtfix evaluate --worst 0']['ratio']:.2f}x (CPU {e['mtfix evaluate --worst 0']['cpu_ratio']:.2f}x) | |",
        ]
    if "check" in res:
        ck = res["check"]
        extra = ck["stream"]["peak_mb"] - ck["import_peak_mb"]
        extra_small = ck["stream small"]["peak_mb"] - ck["import_peak_mb"]
        lines += [
            f"| `check`, {ck['mb']:.1f} MB of Arabic, streamed: peak RSS | {ck['stream']['peak_mb']:.0f} MB "
            f"(+{extra:.0f} MB over the imports; +{extra_small:.0f} MB on the first {ck['small_mb']:.1f} MB) "
            f"| whole text at once: {ck['whole']['peak_mb']:.0f} MB "
            f"(+{ck['whole']['peak_mb'] - ck['import_peak_mb']:.0f} MB) "
            f"| {ck['whole']['peak_mb'] / ck['stream']['peak_mb']:.1f}x less | bounded by the longest paragraph, "
            f"not the file (the same peak on a fifth of the file, within 2 MB): {_ok(extra <= extra_small + 2)} |",
            f"| `check` throughput | {ck['mb']:.1f} MB of Arabic, findings identical to before's "
            f"({ck['same_as_before']}): {ck['stream']['mb_per_s']:.2f} MB/s streamed (CPU "
            f"{ck['stream']['cpu_mb_per_s']:.2f} MB/s) | before: {ck['before']['mb_per_s']:.2f} MB/s (CPU "
            f"{ck['before']['cpu_mb_per_s']:.2f}); floors: reading the file {ck['read']['cpu_mb_per_s']:.0f} MB/s, "
            f"one regex pass {ck['regex']['cpu_mb_per_s']:.0f} MB/s (CPU) | {ck['speedup']:.1f}x faster "
            f"(CPU {ck['cpu_speedup']:.1f}x); {ck['floor_ratio']:.0f}x the CPU time of one regex pass "
            f"| >= 5 MB/s (CPU): {_ok(ck['stream']['cpu_mb_per_s'] >= 5)} |",
        ]
        if "baseline" in ck:
            b = ck["stream baseline"]
            lines.append(
                f"| `check` throughput vs the code of `{ck['baseline']}` (same findings) | "
                f"{ck['stream']['cpu_mb_per_s']:.2f} MB/s streamed (CPU) | {b['cpu_mb_per_s']:.2f} MB/s (CPU; wall "
                f"{b['mb_per_s']:.2f}) | {ck['baseline_cpu_speedup']:.2f}x faster (CPU; wall "
                f"{ck['baseline_speedup']:.2f}x) | |")
    return lines


def _row_key(line: str) -> str:
    """A row's identity: its first cell without the figures and the details in brackets (`--quick` and
    full runs share rows; the cached row lists where its time went)."""
    return re.sub(r"[\d.,]+", "", line.split("|")[1].split("(")[0]).strip()


def markdown(res: dict, kept: list[str] | None = None) -> str:
    """The table: the rows measured in ``res``; where a row was not measured, the line from ``kept``
    (the README's table from an earlier run), in the order of :func:`rows`."""
    env = res["environment"]
    new = rows(res)
    measured = [r for r in ROWS if r in res]
    head = (f"`scripts/bench_speed.py{' --quick' if res['quick'] else ''}"
            f"{' --only ' + ','.join(measured) if len(measured) < len(ROWS) else ''}` on {env['cores']} cores, "
            f"load average {env['load_start']:.1f} at the start and {env['load_end']:.1f} at the end (other jobs were "
            f"running: single timings move; the ratios are of interleaved rounds, median (min-max) of "
            f"{res['rounds']}; {res['total_s']:.0f} s in all).")
    if kept:
        head += " Rows not measured in this run are kept from an earlier one."
    mine = {_row_key(line) for line in new}
    old = [line for line in kept or [] if line.startswith("| ") and line not in HEADER and _row_key(line) not in mine]
    last = max((i for i, line in enumerate(kept or []) if line.startswith("|")), default=None)
    note = (kept[last + 1:] if last is not None else []) if kept else []  # text under the table, kept
    return "\n".join([head, "", *HEADER, *_ordered(new, old), *note]) + "\n"


def _ordered(new: list[str], old: list[str]) -> list[str]:
    """All rows, grouped in the order of :data:`_KNOWN_ORDER` (stable within a group)."""
    order = {k: n for n, k in enumerate(_KNOWN_ORDER)}
    return sorted(new + old, key=lambda line: order.get(_family(line), len(order)))


_KNOWN_ORDER = ("translate", "repair re-run", "select", "start-up", "evaluate", "check")


def _family(line: str) -> str:
    cell = line.split("|")[1]
    return next((k for k in _KNOWN_ORDER if k in cell), "")


def readme_table(readme: Path) -> list[str]:
    """The lines between the markers of ``readme`` (empty when it has none)."""
    return (read_block(readme, MARK_START, MARK_END) or "").strip().splitlines()


def write_readme(readme: Path, md: str) -> None:
    write_block(readme, MARK_START, MARK_END, md)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller inputs, fewer rounds (about 3 minutes idle)")
    ap.add_argument("--only", default=",".join(ROWS), help=f"comma-separated rows to measure (default all: "
                    f"{','.join(ROWS)})")
    ap.add_argument("--out", type=Path, default=REPO / "out" / "bench", help="where bench_speed.json|md go")
    ap.add_argument("--readme", type=Path, default=None,
                    help="replace the measured rows of the table between the markers of this file")
    ap.add_argument("--rounds", type=int, default=None, help="rounds per row (default 3; quick 2)")
    ap.add_argument("--check-baseline", type=Path, default=None, metavar="DIR",
                    help="the check row also streams with the mtfix of this checkout (e.g. a git worktree of "
                         "the commit before a round's work), in the same rounds")
    args = ap.parse_args(argv)
    only = [r.strip() for r in args.only.split(",") if r.strip()]
    if unknown := sorted(set(only) - set(ROWS)):
        ap.error(f"unknown row(s) {', '.join(unknown)}; rows: {', '.join(ROWS)}")
    rounds = args.rounds or (2 if args.quick else 3)
    quick = args.quick
    load_start = os.getloadavg()[0]
    t0 = time.perf_counter()
    res: dict = {"quick": quick, "rounds": rounds}
    with tempfile.TemporaryDirectory(prefix="mtfix-bench-speed-") as d:
        tmp = Path(d)
        jobs = {
            "startup": lambda: bench_startup(rounds * 2),
            "translate": lambda: bench_translate(5 if quick else 7),  # a fresh process: about 2 s a round idle
            "cached": lambda: bench_cached(24 if quick else 100, 5, tmp),  # re-runs: about 0.3 s each idle
            "select": lambda: bench_select(250 if quick else 1012, rounds, tmp),
            "evaluate": lambda: bench_evaluate(300 if quick else 1012, 200 if quick else 1000, rounds, tmp),
            "check": lambda: bench_check(1.0 if quick else 5.0, rounds, tmp, args.check_baseline),
        }
        for name in ROWS:
            if name in only:
                t1, c1 = time.perf_counter(), _cpu()
                res[name] = jobs[name]()
                res.setdefault("row_s", {})[name] = {"wall": time.perf_counter() - t1, "cpu": _cpu() - c1}
    res["environment"] = {"cores": len(os.sched_getaffinity(0)), "load_start": load_start,
                          "load_end": os.getloadavg()[0], "python": sys.version.split()[0]}
    res["total_s"] = time.perf_counter() - t0
    md = markdown(res, readme_table(args.readme) if args.readme and len(only) < len(ROWS) else None)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench_speed.json").write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    (args.out / "bench_speed.md").write_text(md, encoding="utf-8")
    if args.readme:
        write_readme(args.readme, md)
    print(md)
    took = ", ".join(f"{k} {v['wall']:.0f} s" for k, v in res["row_s"].items())
    log(f"done in {res['total_s']:.0f} s ({took}): {args.out / 'bench_speed.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
