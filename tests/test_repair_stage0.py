"""Repair stage 0 (rule fixes + glossary before the model loop) and the main job on a fresh
offline machine: default models missing -> stage 0 only, exit 0, one warning line, models:none."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mtfix.cli.app import app
from mtfix.repair.stage0 import repair_article
from mtfix.text.check import check_text
from mtfix.text.glossary import load_glossaries

REPO = Path(__file__).resolve().parents[1]
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def _outputs(d: Path):
    return d / "repaired.txt", d / "report.json", d / "report.html"


def test_without_default_models_stage_0_runs_and_exits_0(seed_path, tmp_path):
    out, report, html = _outputs(tmp_path)
    r = run("repair", seed_path, "--out", out, "--report", report, "--html", html)
    assert r.exit_code == 0, r.output
    lines = r.stderr.strip().splitlines()
    warnings = [line for line in lines if line.startswith("warning:")]
    assert len(warnings) == 1
    assert ("`mtfix models pull opus-mt-tc-big-ar-en && mtfix models pull opus-mt-tc-big-en-ar`"
            in warnings[0])
    assert lines[-1] == "signature: mtfix:" + lines[-1].split("mtfix:", 1)[1]
    assert "|models:none|" in lines[-1] and "stage0:rules+glossary:news-ar" in lines[-1]
    text = out.read_text(encoding="utf-8")
    assert "20,000" in text and "100٪" in text and "بين 14,000 و18,000" in text and "SDF" not in text
    left = check_text(text, "ar", load_glossaries()).findings
    assert sorted(f.code for f in left) == ["glossary-avoid", "glossary-avoid", "latin-in-arabic"]
    rep = json.loads(report.read_text(encoding="utf-8"))
    assert rep["signature"]["models"] == "none" and rep["signature"]["back_models"] == []
    assert rep["summary"]["rule_fixes"] == 23 and rep["summary"]["changed_by_model"] == 0
    assert rep["notes"] == [warnings[0]]
    s = next(s for s in rep["sentences"] if s["line"] == 9)
    assert "20 ، 000" in s["input"] and "20,000" in s["repaired"] and s["changed_by"] == ["rule"]
    assert [f["code"] for f in s["rule_fixes"]] == ["arabic-comma-thousands", "space-before-punctuation",
                                                    "glossary-term"]
    page = html.read_text(encoding="utf-8")
    assert "arabic-comma-thousands" in page and "by rule" in page and "models:none" in page


def test_named_missing_models_and_require_models_stay_errors(seed_path, tmp_path):
    out, report, html = _outputs(tmp_path)
    for args in (["-b", "opus-mt-tc-big-ar-en"], ["-f", "opus-mt-tc-big-en-ar"], ["--require-models"]):
        r = run("repair", seed_path, *args, "--out", out, "--report", report, "--html", html)
        assert r.exit_code == 2, args
        [line] = r.stderr.strip().splitlines()
        assert re.search(r"^error: model opus-mt-tc-big-(ar-en|en-ar) is not available offline: run "
                         r"`mtfix models pull", line)
        assert not any(p.exists() for p in (out, report, html))


def test_bad_input_still_fails_before_stage_0(tmp_path):
    out = tmp_path / "out.txt"
    src = tmp_path / "en.txt"
    src.write_text("The SDF said 20 , 000 people left.\n", encoding="utf-8")
    r = run("repair", src, "--out", out)
    assert r.exit_code == 2 and "not Arabic" in r.stderr and not out.exists()
    g = tmp_path / "bad.toml"
    g.write_text("[[term]]\nsource = 'X'\n", encoding="utf-8")
    r = run("repair", REPO / "seeds" / "000_66fd05bfb1d0cc1a.txt", "--glossary", g, "--out", out)
    [line] = r.stderr.strip().splitlines()
    assert r.exit_code == 2 and line.startswith(f"error: {g}:1: ") and not out.exists()


def test_with_models_the_fixed_text_is_the_incumbent(tiny_models, seed_path, tmp_path):
    out, report, html = _outputs(tmp_path)
    r = run("repair", seed_path, "-b", tiny_models["marian-ar-en"], "-f", tiny_models["marian-en-ar"],
            "--beam", "2", "--batch-tokens", "512", "--cache", tmp_path / "cache.sqlite",
            "--out", out, "--report", report, "--html", html)
    assert r.exit_code == 0, r.output
    rep = json.loads(report.read_text(encoding="utf-8"))
    text = out.read_text(encoding="utf-8")
    # random-weight models never beat the rule-fixed sentences: the output is stage 0's
    assert rep["summary"]["changed_by_model"] == 0
    assert text == repair_article(seed_path.read_text(encoding="utf-8"), glossary=load_glossaries()).text
    for s in rep["sentences"]:
        # the model loop started from the fixed sentence: it is candidate 0, the incumbent
        assert s["candidates"][0]["origin"] == "original" and s["candidates"][0]["text"] == s["original"]
        assert s["changed"] == (s["input"] != s["repaired"])
        if s["rule_fixes"]:
            assert s["changed_by"] == ["rule"] and s["input"] != s["original"]
    assert "|stage0:rules+glossary:news-ar" in rep["signature"]["line"]
    assert "models:none" not in rep["signature"]["line"]


# ---------------------------------------------------------------- the README's first example


def _readme_make_repair_block() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    m = re.search(r"```\n(\$ make repair\n.*?)```", text, re.S)
    assert m, "README has no ```$ make repair``` block"
    return m.group(1).rstrip("\n").split("\n")


def _make_recipe(target: str) -> list[str]:
    """The recipe lines `make` echoes for ``target`` (``@`` lines are silent), variables expanded."""
    mk = (REPO / "Makefile").read_text(encoding="utf-8")
    env = dict(re.findall(r"^(\w+)\s*:?=\s*(.*)$", mk, re.M))
    lines = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", mk, re.M).group(1).splitlines()
    out = []
    for line in lines:
        line = line[1:]
        if line.startswith("@"):
            continue
        for _ in range(3):
            line = re.sub(r"\$\((\w+)\)", lambda m: env.get(m.group(1), "").strip(), line)
        out.append(line.rstrip())
    return out


def test_readme_first_example_is_the_real_output_of_make_repair_offline(tmp_path):
    block = _readme_make_repair_block()
    recipe = _make_recipe("repair")
    assert block[1:1 + len(recipe)] == recipe
    # run exactly that command, as on a fresh offline machine: empty HF cache, presets but no weights
    work = tmp_path / "clone"
    (work / "seeds").mkdir(parents=True)  # no out/: mtfix repair makes it (the Makefile does not)
    for f in (REPO / "seeds").glob("*.txt"):
        shutil.copy(f, work / "seeds" / f.name)
    cmd = recipe[-1].split()
    assert cmd[0] == ".venv/bin/mtfix"
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HOME": str(tmp_path / "hf"), "COLUMNS": "200"}
    r = subprocess.run([sys.executable, "-m", "mtfix", *cmd[1:]], cwd=work, env=env, capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    assert (r.stdout + r.stderr).rstrip("\n").split("\n") == block[1 + len(recipe):]
    for name in ("repaired.txt", "report.json", "report.html"):
        assert (work / "out" / name).stat().st_size > 0


def test_readme_check_example_is_real(tmp_path):
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```\n\$ (mtfix (?:check|fix) [^\n]*)\n(.*?)```", text, re.S)
    assert len(blocks) >= 2
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")  # outputs land in tmp_path, never in the repo
    for command, shown in blocks:
        args = command.split()[1:]
        env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200"}
        r = subprocess.run([sys.executable, "-m", "mtfix", *args], cwd=tmp_path, env=env, capture_output=True,
                           text=True)
        real = [line.rstrip() for line in (r.stdout + r.stderr).splitlines()]
        for line in shown.rstrip("\n").split("\n"):
            if line.strip() != "…":
                assert line.rstrip() in real, (command, line)


def test_readme_library_example_for_stage_0_runs(capsys, monkeypatch):
    text = (REPO / "README.md").read_text(encoding="utf-8")
    [code] = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "repair_article" in b]
    monkeypatch.chdir(REPO)
    exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out.strip()
    expected = re.search(r"^# (23 .*)$", code, re.M).group(1)
    assert printed == expected
