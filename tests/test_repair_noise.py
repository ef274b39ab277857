"""Noise never wins: repair with random-weight models changes nothing.

The tiny models of ``scripts/make_tiny_models.py`` have random weights: every
"translation" they make is noise, so any sentence that the model loop changes
with them is harm (stage 0's rule fixes run first and are not the models' doing:
the output must be exactly what stage 0 alone gives). With every combination of 1-2 back models x 1-2 forward models,
n-best 1-4 and both backends, repairing the seed article and the first 200
FLORES-200 devtest Arabic sentences (human translations) must change 0
sentences. The whole matrix is ``slow`` (``pytest -m slow``); the default run
keeps a representative subset: both backends, one and two models per side,
n-best 1 and 2, the seed and the 200 FLORES sentences.
"""

from __future__ import annotations

import itertools
import json

import pytest
from typer.testing import CliRunner

from mtfix.cli.app import app

BACK = {"m": ["marian-ar-en"], "n": ["nllb"], "mn": ["marian-ar-en", "nllb"]}
FORWARD = {"m": ["marian-en-ar"], "x": ["m2m100"], "mx": ["marian-en-ar", "m2m100"]}
BACKENDS = ("ctranslate2", "transformers")

#: (back set, forward set, n-best, backend, input): the default run's subset of the matrix. Random-weight
#: models decode to the length cap, so the transformers backend (no int8) gets the seed with one model each.
SUBSET = [
    ("mn", "mx", 2, "ctranslate2", "seed"),  # the issue's own command (2 x 2, beam 2)
    ("m", "m", 2, "ctranslate2", "flores"),  # the 200 FLORES sentences
    ("n", "x", 1, "transformers", "seed"),
]
#: The whole matrix, the largest pools first (2 x 2 models, n-best 4: the most chances for noise to win). Runs
#: share one translation cache, so a smaller combination finds its pivots and candidates already translated.
MATRIX = sorted(((b, f, n, be, "both") for b, f, n, be in itertools.product(BACK, FORWARD, (1, 2, 3, 4), BACKENDS)),
                key=lambda p: (-len(BACK[p[0]]) * len(FORWARD[p[1]]) * p[2] ** 2, p[3], p[0], p[1]))


@pytest.fixture(scope="module")
def inputs(seed_path, shared_data, tmp_path_factory):
    d = tmp_path_factory.mktemp("noise")
    flores = (shared_data / "flores200-devtest" / "arb_Arab.txt").read_text(encoding="utf-8").splitlines()[:200]
    assert len(flores) == 200
    paths = {"seed": seed_path, "flores": d / "flores200.ar.txt", "both": d / "seed+flores200.ar.txt"}
    paths["flores"].write_text("\n".join(flores) + "\n", encoding="utf-8")
    paths["both"].write_text(seed_path.read_text(encoding="utf-8") + "\n" + "\n".join(flores) + "\n",
                             encoding="utf-8")
    fixed = {}
    for which, path in paths.items():  # stage 0 alone: `mtfix fix` with the same default glossary
        out = d / f"{which}.fixed.txt"
        r = CliRunner().invoke(app, ["fix", str(path), "--out", str(out)])
        assert r.exit_code in (0, 1), r.output
        fixed[which] = out.read_text(encoding="utf-8")
    return {"paths": paths, "cache": d / "cache.sqlite", "fixed": fixed}


def _repair(tiny_models, inputs, tmp_path, back, forward, n_best, backend, which):
    src = inputs["paths"][which]
    out, rep = tmp_path / "out.txt", tmp_path / "report.json"
    args = ["repair", str(src), "--out", str(out), "--report", str(rep), "--backend", backend,
            "--beam", str(max(2, n_best)), "--back-n-best", str(n_best), "--forward-n-best", str(n_best),
            "--cache", str(inputs["cache"])]
    for m in BACK[back]:
        args += ["-b", str(tiny_models[m])]
    for m in FORWARD[forward]:
        args += ["-f", str(tiny_models[m])]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    report = json.loads(rep.read_text(encoding="utf-8"))
    # Stage 0 (rule fixes) runs first; the model loop must then change nothing.
    changed = [(s["line"], s["decision"]["reason"][:200]) for s in report["sentences"]
               if not s["decision"]["kept_incumbent"] or "model" in s.get("changed_by", [])]
    assert changed == [], f"noise replaced {len(changed)} sentence(s): {changed[:3]}"
    assert report["summary"]["changed_by_model"] == 0
    assert all(s["repaired"] == s["original"] for s in report["sentences"])
    assert out.read_text(encoding="utf-8") == inputs["fixed"][which]  # exactly what stage 0 alone gives
    return report


@pytest.mark.parametrize("back, forward, n_best, backend, which", SUBSET)
def test_noise_never_wins(tiny_models, inputs, tmp_path, back, forward, n_best, backend, which):
    report = _repair(tiny_models, inputs, tmp_path, back, forward, n_best, backend, which)
    # every kept sentence explains itself: the gates that stopped challengers, or the margin not met
    for s in report["sentences"]:
        d = s["decision"]
        assert d["reason"].startswith("kept original")
        gated = [c for c in s["candidates"][1:] if c["gated"]]
        if gated:
            assert d["gated"] and "gated" in d["reason"]
        for c in gated:
            assert all(g["gate"] and g["reason"] for g in c["gated"])


@pytest.mark.slow
@pytest.mark.parametrize("back, forward, n_best, backend, which", MATRIX)
def test_noise_never_wins_every_combination(tiny_models, inputs, tmp_path, back, forward, n_best, backend, which):
    _repair(tiny_models, inputs, tmp_path, back, forward, n_best, backend, which)
