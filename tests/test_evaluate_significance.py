"""Significance and scores agree with sacrebleu's own CLI on the same files.

sacrebleu runs as a subprocess (`python -m sacrebleu`) on the first lines of
the FLORES ara-eng data, with the same seed and number of samples; mtfix
must reproduce its scores, bootstrap means and 95% intervals, and p-values.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from mtfix.cli.app import app
from mtfix.evaluate import MetricOptions, build_metrics, evaluate, evaluate_files, paired_test

N_LINES = 120
SYSTEMS = {
    "tcbig": "Tatoeba-MT-models__ara-eng__opusTCv20210807+bt_transformer-big_2022-03-09.txt",
    "nllb": "facebook__nllb-200-3.3B.txt",
    "hplt": "HPLT-MT-models__translate-ar-en-v1.0-hplt.txt",
}


@pytest.fixture(scope="module")
def subset(shared_data, tmp_path_factory):
    """The first N_LINES lines of the reference, the source and three systems, as files."""
    d = tmp_path_factory.mktemp("subset")

    def cut(src, name):
        lines = src.read_text(encoding="utf-8").split("\n")[:N_LINES]
        p = d / name
        p.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return p

    sysdir = shared_data / "systems" / "flores200-devtest.ara-eng"
    return {
        "ref": cut(shared_data / "flores200-devtest" / "eng_Latn.txt", "ref.en"),
        "src": cut(shared_data / "flores200-devtest" / "arb_Arab.txt", "src.ar"),
        # a second reference for the multi-reference check: another system's output
        "ref2": cut(sysdir / "facebook__m2m100_418M.txt", "ref2.en"),
        **{name: cut(sysdir / fname, f"{name}.en") for name, fname in SYSTEMS.items()},
    }


def sacrebleu_cli(args, seed=None):
    env = dict(os.environ, NO_COLOR="1")
    if seed is not None:
        env["SACREBLEU_SEED"] = str(seed)
    res = subprocess.run([sys.executable, "-m", "sacrebleu", *map(str, args), "-q", "--no-color"],
                         capture_output=True, text=True, encoding="utf-8", env=env, timeout=300)
    assert res.returncode == 0, res.stderr
    return res.stdout


_CELL = re.compile(r"([\d.]+)(?: \(([\d.]+) ± ([\d.]+)\))?(?: \(p = ([\d.]+)\))?")


def parse_latex_table(text):
    """sacrebleu's `-f latex` paired table -> {system file name: {metric: (score, mean, ci, p)}}."""
    lines = text.splitlines()
    head = next(i for i, line in enumerate(lines) if line.strip().startswith("System"))
    metrics = [c.strip().split(" ")[0] for c in lines[head].rstrip(" \\").split("&")[1:]]
    rows = {}
    for line in lines[head + 2:]:
        if line.startswith("\\bottomrule"):
            break
        cells = [c.strip() for c in line.rstrip().rstrip("\\").split("&")]
        name = os.path.basename(cells[0].replace("\\_", "_").replace("Baseline: ", ""))
        rows[name] = {}
        for m, cell in zip(metrics, cells[1:]):
            sc, mean, ci, p = _CELL.match(cell.rstrip("*").strip()).groups()
            rows[name][m] = tuple(None if v is None else float(v) for v in (sc, mean, ci, p))
    return rows


def _our(report, test):
    return report.significance[test].results


def test_paired_bootstrap_matches_sacrebleu_cli(subset):
    names = ["tcbig", "nllb", "hplt"]
    n, seed = 300, 4242
    report = evaluate_files([subset["ref"]], [f"{k}={subset[k]}" for k in names],
                            options=MetricOptions(metrics=("bleu", "chrf", "ter")),
                            tests=("bs",), bs_samples=n, seed=seed, segments=False)
    ours = _our(report, "bs")

    # all three metrics through the latex table (4 decimals)
    out = sacrebleu_cli([subset["ref"], "-i", *(subset[k] for k in names), "-m", "bleu", "chrf", "ter",
                         "--paired-bs", "--paired-bs-n", n, "-f", "latex", "-w", 4], seed=seed)
    theirs = parse_latex_table(out)
    for k in names:
        row = theirs[subset[k].name]
        for metric in ("BLEU", "chrF2", "TER"):
            sc, mean, ci, p = row[metric]
            r = ours[k][metric]
            assert r.score == pytest.approx(sc, abs=6e-5)
            assert r.mean == pytest.approx(mean, abs=6e-5)
            assert r.ci == pytest.approx(ci, abs=6e-5)
            if k == names[0]:
                assert r.p_value is None and p is None
            else:
                assert r.p_value == pytest.approx(p, abs=6e-5)
    # the p-values are not all the trivial minimum 1/(n+1): the test is informative
    assert any(ours[k][m].p_value > 1.5 / (n + 1) for k in names[1:] for m in ("BLEU", "chrF2", "TER"))

    # BLEU alone through sacrebleu's JSON output: exact floats
    out = sacrebleu_cli([subset["ref"], "-i", *(subset[k] for k in names), "-m", "bleu",
                         "--paired-bs", "--paired-bs-n", n, "-f", "json"], seed=seed)
    for k, row in zip(names, json.loads(out)):
        assert row["system"].endswith(subset[k].name)
        r = ours[k]["BLEU"]
        assert (r.score, r.p_value) == (row["BLEU"]["score"], row["BLEU"]["p_value"])
        assert r.mean == pytest.approx(row["BLEU"]["mean"], rel=1e-12)
        assert r.ci == pytest.approx(row["BLEU"]["ci"], rel=1e-12)
    assert report.significance["bs"].signatures["BLEU"].startswith(f"nrefs:1|bs:{n}|seed:{seed}|")


def test_approximate_randomization_matches_sacrebleu_cli(subset):
    names = ["nllb", "tcbig", "hplt"]  # a different baseline this time
    n = 1000
    report = evaluate_files([subset["ref"]], [f"{k}={subset[k]}" for k in names],
                            options=MetricOptions(metrics=("bleu", "chrf")), tests=("ar",), ar_samples=n,
                            segments=False)
    out = sacrebleu_cli([subset["ref"], "-i", *(subset[k] for k in names), "-m", "bleu", "chrf",
                         "--paired-ar", "--paired-ar-n", n, "-f", "json"])  # default seed 12345 on both sides
    ours = _our(report, "ar")
    for k, row in zip(names, json.loads(out)):
        for metric in ("BLEU", "chrF2"):
            assert ours[k][metric].score == row[metric]["score"]
            assert ours[k][metric].p_value == row[metric]["p_value"]
    assert any(ours[k][m].p_value > 2 / (n + 1) for k in names[1:] for m in ("BLEU", "chrF2"))


def test_cli_chrf_plus_plus_bootstrap_and_baseline_option_match_sacrebleu(subset, tmp_path):
    """Through `mtfix evaluate`, --baseline reorders; chrF++ equals sacrebleu --chrf-word-order 2."""
    out_json = tmp_path / "r.json"
    res = CliRunner().invoke(app, [
        "evaluate", "--ref", str(subset["ref"]), "--sys", f"tcbig={subset['tcbig']}",
        "--sys", f"hplt={subset['hplt']}", "--baseline", "hplt", "--metric", "chrf++",
        "--paired", "bs", "--bs-n", "200", "--seed", "99", "--worst", "0", "--quiet", "--json", str(out_json)])
    assert res.exit_code == 0, res.output
    report = json.loads(out_json.read_text(encoding="utf-8"))
    assert report["baseline"] == "hplt"
    ours = report["significance"]["bs"]["results"]
    out = sacrebleu_cli([subset["ref"], "-i", subset["hplt"], subset["tcbig"], "-m", "chrf", "--chrf-word-order", 2,
                         "--paired-bs", "--paired-bs-n", 200, "-f", "latex", "-w", 4], seed=99)
    theirs = parse_latex_table(out)
    for k in ("hplt", "tcbig"):
        sc, mean, ci, p = theirs[subset[k].name]["chrF2++"]
        r = ours[k]["chrF2++"]
        assert (r["score"], r["mean"], r["ci"]) == pytest.approx((sc, mean, ci), abs=6e-5)
        assert r["p_value"] == (None if k == "hplt" else pytest.approx(p, abs=6e-5))


def test_multiple_references_match_sacrebleu_cli(subset):
    report = evaluate_files([subset["ref"], subset["ref2"]], [f"tcbig={subset['tcbig']}"],
                            options=MetricOptions(metrics=("bleu", "chrf", "ter")), segments=False)
    out = sacrebleu_cli([subset["ref"], subset["ref2"], "-i", subset["tcbig"], "-m", "bleu", "chrf", "ter",
                         "-f", "json", "-w", 4])
    theirs = {d["name"]: d for d in json.loads(out)}
    scores = report.systems[0].scores
    for metric in ("BLEU", "chrF2", "TER"):
        assert round(scores[metric].score, 4) == theirs[metric]["score"]
        assert scores[metric].signature == theirs[metric]["signature"]
        assert "nrefs:2" in scores[metric].signature
    single = evaluate_files([subset["ref"]], [f"tcbig={subset['tcbig']}"],
                            options=MetricOptions(metrics=("bleu",)), segments=False)
    assert scores["BLEU"].score > single.systems[0].scores["BLEU"].score  # a second reference can only help BLEU


def test_corpus_scores_equal_the_paired_test_scores_and_seed_matters(subset):
    refs = [subset["ref"].read_text(encoding="utf-8").splitlines()]
    systems = [(k, subset[k].read_text(encoding="utf-8").splitlines()) for k in ("tcbig", "nllb")]
    report = evaluate(systems, refs, options=MetricOptions(metrics=("bleu", "chrf")), tests=("bs",),
                      bs_samples=200, segments=False)
    for s in report.systems:
        for m, score in s.scores.items():
            assert report.significance["bs"].results[s.name][m].score == score.score
    metrics = build_metrics(MetricOptions(metrics=("bleu",)), refs)
    a = paired_test(systems, metrics, "bs", 200, seed=1).results["nllb"]["BLEU"]
    b = paired_test(systems, metrics, "bs", 200, seed=2).results["nllb"]["BLEU"]
    a2 = paired_test(systems, metrics, "bs", 200, seed=1).results["nllb"]["BLEU"]
    assert (a.mean, a.ci, a.p_value) == (a2.mean, a2.ci, a2.p_value)
    assert (a.mean, a.ci) != (b.mean, b.ci)
    assert os.environ.get("SACREBLEU_SEED") is None or os.environ["SACREBLEU_SEED"] != "1"  # restored
