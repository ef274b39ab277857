"""Shipped scoring presets: `repair` laid over `default`; repair (and corpus build) judge with it, select does not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mtfix.cli.app import app
from mtfix.errors import ConfigError
from mtfix.scoring.config import PRESETS, load_config, preset_toml
from mtfix.tomlcompat import tomllib

from conftest import load_script

runner = CliRunner()


def test_repair_preset_changes_only_the_keys_it_names():
    base, rep = load_config(), load_config(preset="repair")
    over = tomllib.loads(preset_toml("repair"))
    assert over, "the repair preset is empty"
    assert rep.z == over["selection"]["z"] != base.z
    for name, params in over.items():
        if name == "selection":
            continue
        for key, value in params.items():
            assert rep.scorer_params(name)[key] == value != base.scorer_params(name)[key]
    # everything the repair preset does not name is the default's
    assert rep.weights == base.weights and rep.gates == base.gates and rep.margin == base.margin
    untouched = {n: p for n, p in base.params.items() if n not in over}
    assert {n: rep.params[n] for n in untouched} == untouched
    assert base.as_dict().get("preset") is None and rep.as_dict()["preset"] == "repair"
    assert rep.source == "repair" and base.source == "default"


def test_a_user_config_is_laid_over_the_repair_preset(tmp_path):
    cfg = tmp_path / "mine.toml"
    cfg.write_text("[selection]\nz = 2.0\n", encoding="utf-8")
    rep = load_config(cfg, preset="repair")
    assert rep.z == 2.0 and rep.source == str(cfg)
    assert rep.scorer_params("consensus") == load_config(preset="repair").scorer_params("consensus")
    assert rep.as_dict()["preset"] == "repair"


def test_unknown_preset_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown scoring preset 'nope'; known: default, repair"):
        load_config(preset="nope")
    assert set(PRESETS) >= {"default", "repair"}


def test_the_stress_benchmark_judges_as_repair_does():
    stress = load_script("stress_repair")
    assert stress._repair_config(None) == load_config(preset="repair")


def _signature(report: Path) -> dict:
    return json.loads(report.read_text(encoding="utf-8"))["signature"]


def test_repair_reports_the_repair_preset_and_select_the_default(tiny_models, tmp_path):
    art = tmp_path / "a.ar"
    art.write_text("قال المتحدث إن المعركة بدأت يوم السبت.\nسمح لبعض المدنيين بمغادرة المنطقة.\n", encoding="utf-8")
    rep = tmp_path / "r.json"
    r = runner.invoke(app, ["repair", str(art), "-b", tiny_models["marian-ar-en"], "-f", tiny_models["marian-en-ar"],
                            "--beam", "2", "--cache", str(tmp_path / "c.sqlite"), "--out", str(tmp_path / "o.ar"),
                            "--report", str(rep)])
    assert r.exit_code == 0, r.output
    sig = _signature(rep)["scoring"]
    expect = load_config(preset="repair").as_dict()
    assert sig["preset"] == "repair" and sig["z"] == expect["z"] and sig["params"] == expect["params"]

    a, b, c = (tmp_path / f"{n}.en" for n in "abc")
    for i, p in enumerate((a, b, c)):
        p.write_text("".join(f"The bridge opened on day {k}{'!' * i}\n" for k in range(5)), encoding="utf-8")
    srep = tmp_path / "s.json"
    r = runner.invoke(app, ["select", "--candidates", str(a), str(b), str(c), "--out", str(tmp_path / "o.en"),
                            "--report", str(srep)])
    assert r.exit_code == 0, r.output
    sig = _signature(srep)
    assert "preset" not in sig and sig["z"] == load_config().z and sig["params"] == load_config().as_dict()["params"]
