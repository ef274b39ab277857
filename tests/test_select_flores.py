"""`mtfix select` on real FLORES-200 system outputs: at least as good as the best single system.

The selector sees the system files (in a shuffled order, under neutral names)
and the source, never the reference; only this test reads the reference, to
find the best system and to score the selection.
"""

from __future__ import annotations

import random

import pytest
from sacrebleu.metrics import CHRF
from typer.testing import CliRunner

from mtfix.cli.app import app


runner = CliRunner()
SETS = {"ara-eng": ("eng_Latn", "arb_Arab"), "eng-ara": ("arb_Arab", "eng_Latn")}


def _systems(data, direction):
    return sorted(p for p in (data / "systems" / f"flores200-devtest.{direction}").glob("*.txt"))


@pytest.mark.parametrize("direction", list(SETS))
def test_selection_reaches_best_single_system(shared_data, tmp_path, direction):
    ref_name, src_name = SETS[direction]
    files = _systems(shared_data, direction)
    assert len(files) >= 4
    order = list(files)
    random.Random(direction).shuffle(order)
    out = tmp_path / "selected.txt"
    specs = [f"sys{k}={p}" for k, p in enumerate(order)]  # neutral names: nothing leaks from the file names
    r = runner.invoke(app, ["select", "--candidates", *specs,
                            "--source", str(shared_data / "flores200-devtest" / f"{src_name}.txt"), "--out", str(out)])
    assert r.exit_code == 0, r.output
    selected = out.read_text(encoding="utf-8").splitlines()

    refs = (shared_data / "flores200-devtest" / f"{ref_name}.txt").read_text(encoding="utf-8").splitlines()
    assert len(selected) == len(refs)
    chrf = CHRF()
    best = max(chrf.corpus_score(p.read_text(encoding="utf-8").splitlines(), [refs]).score for p in files)
    got = chrf.corpus_score(selected, [refs]).score
    assert got >= best - 0.05, f"{direction}: selected chrF {got:.2f} < best single system {best:.2f}"


def test_result_does_not_depend_on_file_order(shared_data, tmp_path):
    files = _systems(shared_data, "eng-ara")
    src = (shared_data / "flores200-devtest" / "eng_Latn.txt").read_text(encoding="utf-8").splitlines()[:150]
    (tmp_path / "src.en").write_text("\n".join(src) + "\n", encoding="utf-8")
    subset = []
    for k, p in enumerate(files):
        q = tmp_path / f"{k}.ar"
        q.write_text("\n".join(p.read_text(encoding="utf-8").splitlines()[:150]) + "\n", encoding="utf-8")
        subset.append(q)
    outs = []
    for seed in (1, 2):
        order = list(subset)
        random.Random(seed).shuffle(order)
        out = tmp_path / f"o{seed}.ar"
        r = runner.invoke(app, ["select", "--candidates", *map(str, order), "--source", str(tmp_path / "src.en"),
                                "--out", str(out)])
        assert r.exit_code == 0, r.output
        outs.append(out.read_text(encoding="utf-8"))
    assert outs[0] == outs[1]
