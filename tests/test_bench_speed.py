"""scripts/bench_speed.py's table: a run of some rows replaces those rows of the README's table and
keeps the others (no timing is asserted: the figures here are made up to drive the formatting)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import load_script

REPO = Path(__file__).resolve().parents[1]


def _module():
    return load_script("bench_speed", "bench_speed_under_test")


def _startup(bs, base: float, mine: float) -> dict:
    out = {}
    for k in ("sacrebleu --help", "mtfix --help", "mtfix check (seed)", "mtfix models list"):
        t = base if k.startswith("sacrebleu") else mine
        s = bs.stats([t, t * 1.1], [t / 2, t / 2])
        out[k] = {**s, "ratio": s["median"] / (base * 1.05), "cpu_ratio": s["cpu_median"] / (base / 2)}
    return out


def test_some_rows_replace_theirs_and_keep_the_rest(tmp_path):
    bs = _module()
    readme = tmp_path / "README.md"
    readme.write_text((REPO / "README.md").read_text(encoding="utf-8"), encoding="utf-8")
    before = bs.readme_table(readme)
    old_rows = [ln for ln in before if ln.startswith("| ") and ln not in bs.HEADER]
    assert any("start-up" in ln for ln in old_rows) and any("`select`" in ln for ln in old_rows)

    env = {"cores": 2, "load_start": 1.0, "load_end": 1.0}
    res = {"quick": True, "rounds": 2, "total_s": 5.0, "environment": env, "startup": _startup(bs, 0.2, 0.6)}
    md = bs.markdown(res, before)
    bs.write_readme(readme, md)
    after = bs.readme_table(readme)
    rows = [ln for ln in after if ln.startswith("| ") and ln not in bs.HEADER]
    # the start-up rows are this run's (3x: not met), every other row is kept word for word, in place
    startup = [ln for ln in rows if ln.startswith("| start-up")]
    assert len(startup) == 3 and all("**not met**" in ln for ln in startup)
    assert [ln for ln in rows if not ln.startswith("| start-up")] == [
        ln for ln in old_rows if not ln.startswith("| start-up")]
    families = [bs._family(ln) for ln in rows]
    assert families == sorted(families, key=bs._KNOWN_ORDER.index)
    assert after[0].startswith("`scripts/bench_speed.py --quick --only startup`") and "kept from an earlier" in after[0]
    # a note under the table stays under it
    note = before[max(i for i, ln in enumerate(before) if ln.startswith("|")) + 1:]
    assert after[len(after) - len(note):] == note
    # the text around the markers is untouched
    outside = (REPO / "README.md").read_text(encoding="utf-8").split(bs.MARK_START)
    assert readme.read_text(encoding="utf-8").startswith(outside[0])
    assert readme.read_text(encoding="utf-8").endswith(outside[1].split(bs.MARK_END, 1)[1])

    # a second partial run of the same rows replaces them again (no duplicates)
    res["startup"] = _startup(bs, 0.2, 0.22)
    bs.write_readme(readme, bs.markdown(res, bs.readme_table(readme)))
    again = [ln for ln in bs.readme_table(readme) if ln.startswith("| start-up")]
    assert len(again) == 3 and all(": met |" in ln for ln in again)


def test_unknown_rows_are_refused():
    p = subprocess.run([sys.executable, str(REPO / "scripts" / "bench_speed.py"), "--only", "startup,bogus"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "unknown row(s) bogus" in p.stderr


def test_translate_and_cached_rows_show_their_spread_and_replace_the_old_rows(tmp_path):
    bs = _module()
    readme = tmp_path / "README.md"
    readme.write_text((REPO / "README.md").read_text(encoding="utf-8"), encoding="utf-8")
    spread = {"median": 2.0, "min": 1.9, "max": 2.3}
    translate = {"sentences": 10, "same_output": True, "mtfix_wall_s": 2.0, "raw_wall_s": 1.95, "mtfix_cpu_s": 3.0,
                 "raw_cpu_s": 2.9, "wall_ratio": 2.0 / 1.95, "cpu_ratio": 3.0 / 2.9,
                 "wall": {"mtfix": spread, "raw": {"median": 1.95, "min": 1.9, "max": 2.0}},
                 "paired_wall_ratio": {"median": 1.02, "min": 0.98, "max": 1.07},
                 "paired_cpu_ratio": {"median": 1.03, "min": 1.01, "max": 1.04}}
    parts = {"engine (cache reads)": 0.01, "scoring: roundtrip_chrf": 0.04, "rest": 0.1}
    cached = {"sentences": 100, "first": bs.stats([60.0], [96.0]), "cached": bs.stats([0.3, 0.31, 0.35], [0.3] * 3),
              "speedup": 200.0, "cpu_speedup": 320.0, "parts": parts}
    env = {"cores": 2, "load_start": 1.0, "load_end": 1.0}
    res = {"quick": False, "rounds": 3, "total_s": 5.0, "environment": env, "translate": translate, "cached": cached}
    bs.write_readme(readme, bs.markdown(res, bs.readme_table(readme)))
    rows = [ln for ln in bs.readme_table(readme) if ln.startswith("| ")]
    [t] = [ln for ln in rows if ln.startswith("| `mtfix translate`")]
    assert "2.00 s (1.90-2.30) (CPU 3.00 s)" in t and "each round's pair 0.98-1.07x" in t and t.endswith(": met |")
    [c] = [ln for ln in rows if ln.startswith("| repair re-run")]
    assert "200x faster (CPU 320x)" in c and ">= 150x: met" in c and "0.31 s (0.30-0.35)" in c


def test_the_bench_repair_run_times_every_part_with_the_current_pipeline(tiny_models, tmp_path):
    """scripts/bench.py's repair_run wraps the scorers and the selector of the real pipeline: it must
    follow their signatures (no timing is asserted)."""
    bench = load_script("bench", "bench_under_test")
    from mtfix.engine import load_translator

    pair = [load_translator(str(tiny_models[m]), backend="ctranslate2", quantization="float32", threads=1,
                            models_dir=tmp_path / "m") for m in ("marian-ar-en", "marian-en-ar")]
    clock = bench.DecodeClock()
    run = bench.repair_run("هو لا يزال يشكل تهديدا.\n\nتحليل بي بي سي العربية.\n",
                           lambda totals: [clock.wrap(t) for t in pair], clock)
    assert run["sentences"] == 2 and run["decode_calls"] > 0
    assert {"roundtrip_chrf", "roundtrip_bleu", "selector: incumbents/trust"} <= set(run["scoring_s"])


def test_check_row_with_a_baseline_checkout(tmp_path):
    """With --check-baseline the check rows gain one: the streamed CPU MB/s against that checkout's
    (figures made up); a directory that is no mtfix checkout is refused with one line."""
    bs = _module()

    def arm(cpu_s: float, mb: float = 5.0) -> dict:
        return {"seconds": bs.stats([cpu_s * 1.1], [cpu_s]), "mb_per_s": mb / (cpu_s * 1.1), "cpu_mb_per_s": mb / cpu_s,
                "peak_mb": 40.0, "findings": 3, "digest": "x"}

    ck = {"mb": 5.0, "small_mb": 1.0, "import_peak_mb": 25.0, "same_as_before": True, "floor_ratio": 40.0,
          "speedup": 50.0, "cpu_speedup": 50.0, "baseline": "../base", "baseline_speedup": 1.3,
          "baseline_cpu_speedup": 1.25, "stream": arm(1.0), "whole": arm(1.2), "before": arm(50.0),
          "read": arm(0.05), "regex": arm(0.02), "stream small": arm(0.2, 1.0), "stream baseline": arm(1.25)}
    res = {"quick": False, "rounds": 3, "total_s": 60.0, "environment": {"cores": 2, "load_start": 9.0,
                                                                           "load_end": 9.0}, "check": ck}
    rows = [ln for ln in bs.markdown(res).splitlines() if ln.startswith("| `check`")]
    assert len(rows) == 3
    assert rows[2] == ("| `check` throughput vs the code of `../base` (same findings) | 5.00 MB/s streamed (CPU) "
                       "| 4.00 MB/s (CPU; wall 3.64) | 1.25x faster (CPU; wall 1.30x) | |")
    with pytest.raises(SystemExit, match="not an mtfix checkout"):
        bs.bench_check(0.01, 1, tmp_path, tmp_path)
