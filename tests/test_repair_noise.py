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

import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mtfix.cli.app import app
from conftest import load_script

REPO = Path(__file__).resolve().parents[1]


def _noise_matrix():
    """``scripts/noise_matrix.py``: the combinations, the repair command and the README line are defined there."""
    return load_script("noise_matrix")


NM = _noise_matrix()

#: (back set, forward set, n-best, backend, input): the default run's subset of the matrix. Random-weight
#: models decode to the length cap, so the transformers backend (no int8) gets the seed with one model each.
SUBSET = [
    ("mn", "mx", 2, "ctranslate2", "seed"),  # the issue's own command (2 x 2, beam 2)
    ("m", "m", 2, "ctranslate2", "flores"),  # the 200 FLORES sentences
    ("n", "x", 1, "transformers", "seed"),
]
#: The whole matrix (scripts/noise_matrix.py's), the largest pools first, on the seed + the 200 FLORES sentences.
MATRIX = [(*combo, "both") for combo in NM.MATRIX]


@pytest.fixture(scope="module")
def inputs(seed_path, shared_data, tmp_path_factory):
    d = tmp_path_factory.mktemp("noise")
    paths = NM.write_inputs(d, seed_path, shared_data / "flores200-devtest" / "arb_Arab.txt")
    fixed = {}
    for which, path in paths.items():  # stage 0 alone: `mtfix fix` with the same default glossary
        out = d / f"{which}.fixed.txt"
        r = CliRunner().invoke(app, ["fix", str(path), "--out", str(out)])
        assert r.exit_code in (0, 1), r.output
        fixed[which] = out.read_text(encoding="utf-8")
    return {"paths": paths, "cache": d / "cache.sqlite", "fixed": fixed}


def _repair(tiny_models, inputs, tmp_path, back, forward, n_best, backend, which):
    out, rep = tmp_path / "out.txt", tmp_path / "report.json"
    args = NM.repair_args(inputs["paths"][which], out, rep, inputs["cache"], tiny_models, back, forward, n_best,
                          backend)
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    report = json.loads(rep.read_text(encoding="utf-8"))
    # Stage 0 (rule fixes) runs first; the model loop must then change nothing.
    changed = NM.model_changes(report)
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


def test_matrix_is_every_combination():
    assert len(MATRIX) == len(set(MATRIX)) == 3 * 3 * 4 * 2
    sizes = [NM.pool_size(b, f, n) for b, f, n, _, _ in MATRIX]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] == 64 and sizes[-1] == 1


def test_readme_line_is_the_recorded_matrix_run():
    """The README's noise-matrix line is rendered from bench/noise_matrix.json (what the last
    `scripts/noise_matrix.py` run recorded), so it cannot go stale; every recorded run passed."""
    doc = json.loads((REPO / "bench" / "noise_matrix.json").read_text(encoding="utf-8"))
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split(NM.MARK_START + "\n", 1)[1].split(NM.MARK_END, 1)[0]
    assert block == NM.readme_summary(doc)
    runs = {(r["back"], r["forward"], r["n_best"], r["backend"]) for r in doc["runs"]}
    assert len(runs) == len(doc["runs"]) and runs <= set(NM.MATRIX)
    assert all(r["passed"] and r["changed_by_model"] == 0 and r["same_as_stage0"] for r in doc["runs"])
    assert (REPO / "bench" / "noise_matrix.md").read_text(encoding="utf-8") == NM.markdown(doc)


def doc(backend, started, finished, commit, n_best=1, config=None):
    """A results document of one passed run (``config``: what ``NM.config_record`` records)."""
    run = {"back": "m", "forward": "m", "n_best": n_best, "backend": backend, "back_models": ["marian-ar-en"],
           "forward_models": ["marian-en-ar"], "wall_s": finished - started, "cpu_s": 60.0, "load": 3.0,
           "exit": 0, "sentences": 238, "candidates": 10, "changed_by_model": 0, "same_as_stage0": True,
           "passed": True}
    return {"what": "", "input": "", "date": "2026-12-02", "commit": commit, "cores": 2, "load_before": 2.0,
            "started": started, "finished": finished, "config": config, "runs": [run]}


def test_merge_counts_the_time_runs_were_going_and_every_commit():
    """Halves run one after the other count their own wall time, not the hours between; halves run
    side by side count their overlap once; the summary names every commit measured."""
    apart = NM.merge([doc("ctranslate2", 0, 600, "aaa"), doc("transformers", 7200, 8400, "bbb")])
    assert apart["wall_s"] == 1800 and apart["parallel"] == 1 and apart["commit"] == "aaa, bbb"
    passive = {**doc("transformers", 700, 800, "aaa"), "openmp": {"OMP_WAIT_POLICY": "PASSIVE"}}
    assert NM.merge([doc("ctranslate2", 0, 600, "aaa"), passive])["openmp"] == [None, passive["openmp"]]
    assert NM.merge([passive, {**passive, "runs": apart["runs"][:1]}])["openmp"] == passive["openmp"]
    assert [r["backend"] for r in apart["runs"]] == ["ctranslate2", "transformers"]  # MATRIX order
    line = NM.readme_summary(apart)
    assert "(commits aaa, bbb)" in line and "30 min wall and 2 min of CPU" in line and "in parallel" not in line
    side = NM.merge([doc("ctranslate2", 0, 600, "aaa"), doc("transformers", 300, 1200, "aaa")])
    assert side["wall_s"] == 1200 and side["parallel"] == 2 and side["commit"] == "aaa"
    assert "20 min wall (2 processes in parallel)" in NM.readme_summary(side)
    # merging a merged document again keeps its spans (no gap counted)
    assert NM.merge([apart, doc("ctranslate2", 9000, 9060, "ccc", n_best=2)])["wall_s"] == 1860
    with pytest.raises(SystemExit, match="m,m,1,ctranslate2 is in more than one file"):
        NM.merge([apart, doc("ctranslate2", 9000, 9060, "ccc")])


CANDIDATE = '[selection]\nz = 1.2816\n[consensus]\nnoise_pooling = "file"\n'


def test_config_reaches_every_repair_run_and_the_json(tmp_path, shared_data, monkeypatch):
    """``--config`` is on every ``mtfix repair`` command line (the processes are faked: the real runs
    are the matrix itself), and the JSON, the md and the README line say which config it was; a run
    where noise won keeps its whole report (the next run overwrites report.json)."""
    config = tmp_path / "candidate.toml"
    config.write_text(CANDIDATE, encoding="utf-8")
    commands = []

    def fake_run(cmd, **kwargs):
        if cmd[1:3] != ["-m", "mtfix"]:  # git rev-parse
            return subprocess.CompletedProcess(cmd, 0, "abc1234\n", "")
        commands.append(cmd[3:])
        Path(cmd[cmd.index("--out") + 1]).write_text("stage 0\n", encoding="utf-8")
        if cmd[3] == "repair":  # the nllb run lets noise through every gate and the allowance on line 7
            won = any("nllb" in a for a in cmd)
            sentence = {"line": 7 if won else 1, "candidates": [{"gated": []}, {"gated": [] if won else ["fidelity"]}],
                        "decision": {"kept_incumbent": not won, "reason": "noise won" if won else "kept original",
                                     "challenger": 1, "gain": 0.3 if won else 0.2, "required": 0.1}}
            Path(cmd[cmd.index("--report") + 1]).write_text(json.dumps(
                {"summary": {"sentences": 238, "candidates": 5, "changed_by_model": int(won)}, "sentences": [sentence]}))
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(subprocess, "run", fake_run)
    monkeypatch.setenv("OMP_WAIT_POLICY", "PASSIVE")
    monkeypatch.delenv("GOMP_SPINCOUNT", raising=False)
    combos = [("m", "m", 1, "ctranslate2"), ("n", "x", 2, "transformers")]
    out = tmp_path / "nm.json"
    result = NM.run_matrix(combos, work=tmp_path / "work", out_json=out, log=lambda s: None,
                           models=tmp_path / "tiny", config=config)
    repairs = [c for c in commands if c[0] == "repair"]
    assert len(repairs) == 2 and all(c[c.index("--config") + 1] == str(config) for c in repairs)
    assert "--config" not in next(c for c in commands if c[0] == "fix")  # stage 0 has no scoring
    recorded = json.loads(out.read_text(encoding="utf-8"))
    assert recorded == json.loads(json.dumps(result)) and [r["passed"] for r in recorded["runs"]] == [True, False]
    passed, failed = recorded["runs"]
    assert "report" not in passed and failed["changes"] == [[7, "noise won"]]
    # only the fidelity gate kept run 1's noise out; run 2's passed every gate and the allowance
    assert (passed["reached_allowance"], passed["beat_allowance"], passed["closest"]) == (0, 1, 0.1)
    assert (failed["reached_allowance"], failed["beat_allowance"], failed["closest"]) == (1, 0, 0.2)
    assert ("A challenger passed every gate in 1 of 476 sentence decisions; in 1 the challenger nearest to "
            "switching gained more than the allowance asked, and only a gate kept it out (closest: +0.200 over "
            "the allowance).") in NM.readme_summary(recorded)
    assert "| 0 | 1 | +0.100 |" in NM.markdown(recorded)
    older = NM.merge([recorded, doc("ctranslate2", 0, 60, "aaa", n_best=3, config=recorded["config"])])
    assert "In the 2 runs that recorded it, a challenger passed every gate in 1 of 476" in NM.markdown(older)
    assert "| - | - | - |" in NM.markdown(older)  # a run from before the columns
    kept = json.loads(Path(failed["report"]).read_text(encoding="utf-8"))
    assert Path(failed["report"]).name == "n,x,2,transformers.report.json" and kept["sentences"][0]["line"] == 7
    assert recorded["openmp"] == {"OMP_WAIT_POLICY": "PASSIVE"}
    assert recorded["config"] == {"path": str(config), "text": CANDIDATE,
                                  "sha256": hashlib.sha256(CANDIDATE.encode()).hexdigest()}
    named = f"under `--config candidate.toml` (selection.z = 1.2816, consensus.noise_pooling = \"file\"; " \
            f"sha256 {recorded['config']['sha256'][:12]})"
    assert named in NM.markdown(recorded).splitlines()[0] and f"ran {named} on " in NM.readme_summary(recorded)
    assert NM.repair_args(Path("in"), Path("o"), Path("r"), Path("c"), {"marian-ar-en": "b", "marian-en-ar": "f"},
                          "m", "m", 1, "ctranslate2").count("--config") == 0  # the preset alone
    preset = doc("ctranslate2", 0, 60, "aaa")
    assert "--config" not in NM.markdown(preset) + NM.readme_summary(preset)


def test_runs_under_another_config_are_never_reused(tmp_path, monkeypatch, capsys):
    """``--skip-done`` skips only runs made under the same config, ``--merge`` joins only such files,
    and a bad ``--config`` stops the script before any run (one line, exit 2)."""
    config = tmp_path / "candidate.toml"
    config.write_text(CANDIDATE, encoding="utf-8")
    preset_json, candidate_json = tmp_path / "preset.json", tmp_path / "candidate.json"
    preset_json.write_text(json.dumps(doc("ctranslate2", 0, 60, "aaa")), encoding="utf-8")
    candidate_json.write_text(json.dumps(doc("ctranslate2", 0, 60, "aaa", config=NM.config_record(config))),
                              encoding="utf-8")
    calls = []
    monkeypatch.setattr(NM, "run_matrix", lambda combos, **kw: calls.append((combos, kw)) or doc("x", 0, 1, "a"))
    for argv in (["--skip-done", str(preset_json), "--config", str(config)],  # preset runs, candidate asked
                 ["--skip-done", str(candidate_json)],  # candidate runs, preset asked
                 ["--config", str(tmp_path / "missing.toml")]):
        with pytest.raises(SystemExit) as e:
            NM.main([*argv, "--out", str(tmp_path / "new.json"), "--only", "m,m,*,ctranslate2"])
        assert e.value.code == 2 and not calls
    err = capsys.readouterr().err
    assert "preset.json was run under the preset alone, not under" in err and "missing.toml" in err
    NM.main(["--skip-done", str(candidate_json), "--config", str(config), "--out", str(tmp_path / "new.json"),
             "--only", "m,m,*,ctranslate2"])
    (combos, kw), = calls
    assert combos == [c for c in NM.MATRIX if c[:2] == ("m", "m") and c[2] != 1 and c[3] == "ctranslate2"]
    assert kw["config"] == config
    with pytest.raises(SystemExit, match="different --config"):
        NM.merge([json.loads(preset_json.read_text()), doc("transformers", 0, 60, "aaa", config=NM.config_record(config))])


def test_candidate_matrix_is_recorded_under_its_config():
    """``bench/noise_matrix_candidate.{json,md}``: the matrix under the candidate judge setting (the
    config's text is in the JSON, its hash matches it), every combination once, every run passed;
    the table is rendered from the JSON and names the config."""
    doc = json.loads((REPO / "bench" / "noise_matrix_candidate.json").read_text(encoding="utf-8"))
    config = doc["config"]
    assert hashlib.sha256(config["text"].encode("utf-8")).hexdigest() == config["sha256"]
    assert config["text"] == CANDIDATE
    runs = [(r["back"], r["forward"], r["n_best"], r["backend"]) for r in doc["runs"]]
    assert sorted(runs) == sorted(NM.MATRIX)
    assert all(r["passed"] and r["changed_by_model"] == 0 and r["same_as_stage0"] for r in doc["runs"])
    md = (REPO / "bench" / "noise_matrix_candidate.md").read_text(encoding="utf-8")
    assert md == NM.markdown(doc) and "under `--config candidate.toml` (selection.z = 1.2816" in md


def test_without_gates_noise_wins_under_either_allowance():
    """``bench/noise_matrix_gates_off_{preset,candidate}.{json,md}``: the 2 x 2-model CTranslate2 runs with
    every gate switched off, under the preset's allowance and under the candidate's. In the matrix no
    challenger passes every gate, so the allowance is never consulted there; these runs show what it
    does alone: noise wins in every run, a little more often under the candidate's lower allowance."""
    from mtfix.scoring.registry import GATES
    from mtfix.tomlcompat import tomllib

    changed = {}
    for name in ("preset", "candidate"):
        doc = json.loads((REPO / "bench" / f"noise_matrix_gates_off_{name}.json").read_text(encoding="utf-8"))
        assert (REPO / "bench" / f"noise_matrix_gates_off_{name}.md").read_text(encoding="utf-8") == NM.markdown(doc)
        config = tomllib.loads(doc["config"]["text"])
        assert config.pop("gates") == {g: {"enabled": False} for g in GATES.names()}
        assert config == ({} if name == "preset" else tomllib.loads(CANDIDATE))
        changed[name] = {r["n_best"]: r["changed_by_model"] for r in doc["runs"]
                         if (r["back"], r["forward"], r["backend"]) == ("mn", "mx", "ctranslate2")}
        assert all(not r["passed"] for r in doc["runs"] if r["changed_by_model"])
    assert sorted(changed["preset"]) == sorted(changed["candidate"]) == [1, 2, 3, 4]
    assert all(0 < changed["preset"][n] <= changed["candidate"][n] for n in changed["preset"])


def test_without_gates_noise_no_longer_wins_once_the_pivots_cannot_vouch():
    """``bench/noise_matrix_gates_off_v2_{preset,candidate}.{json,md}``: the same gates-off runs with numbers
    judged against the original and the round trip's paired gain and its noise in the allowance
    (mtfix/scoring/numbers.py, roundtrip.py): the allowance alone now keeps every sentence."""
    from mtfix.tomlcompat import tomllib

    for name in ("preset", "candidate"):
        before = json.loads((REPO / "bench" / f"noise_matrix_gates_off_{name}.json").read_text(encoding="utf-8"))
        doc = json.loads((REPO / "bench" / f"noise_matrix_gates_off_v2_{name}.json").read_text(encoding="utf-8"))
        assert (REPO / "bench" / f"noise_matrix_gates_off_v2_{name}.md").read_text(encoding="utf-8") == NM.markdown(doc)
        assert tomllib.loads(doc["config"]["text"]) == tomllib.loads(before["config"]["text"])
        assert sorted(r["n_best"] for r in doc["runs"]) == [1, 2, 3, 4]
        assert all((r["back"], r["forward"], r["backend"]) == ("mn", "mx", "ctranslate2") for r in doc["runs"])
        assert sum(r["changed_by_model"] for r in before["runs"]) > 100
        assert all(r["passed"] and r["changed_by_model"] == 0 and r["reached_allowance"] == r["sentences"]
                   for r in doc["runs"])
