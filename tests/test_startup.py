"""Start-up: the light commands import no model library, no hub client, no pydantic (not a timed test;
the times are in scripts/bench_speed.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "transformers", "huggingface_hub.hf_api", "huggingface_hub.file_download", "ctranslate2",
         "pydantic", "numpy", "matplotlib", "sacrebleu")

PROBE = """
import json, sys
watch = json.loads(sys.argv[2])
sys.argv = ["mtfix"] + json.loads(sys.argv[1])
from mtfix.cli.app import main
try:
    main()
except SystemExit as e:
    code = e.code
else:
    code = 0
print(json.dumps({"code": code, "loaded": [m for m in watch if m in sys.modules]}), file=sys.stderr)
"""


def _probe(args, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf"),
           "MTFIX_MODELS_DIR": str(tmp_path / "models")}
    p = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args), json.dumps(HEAVY)], cwd=REPO, env=env,
                       capture_output=True, text=True, timeout=120)
    return json.loads(p.stderr.strip().splitlines()[-1]), p.stdout


@pytest.mark.parametrize("args, code", [(["--help"], 0), (["check", "{seed}"], None), (["models", "list"], 0),
                                        (["evaluate", "--help"], 0), (["check", "--help"], 0)])
def test_light_commands_import_no_heavy_library(args, code, seed_path, tmp_path):
    args = [a.format(seed=seed_path) for a in args]
    got, out = _probe(args, tmp_path)
    assert got["loaded"] == [], f"mtfix {' '.join(args)} imported {got['loaded']}"
    if code is not None:
        assert got["code"] == code
    assert out.strip()  # it did its job (help text, findings, the model table)


def test_plain_parameter_values_still_validated(tmp_path):
    """The fast path for plain values leaves conversion and range checks to typer."""
    from typer.testing import CliRunner

    from mtfix.cli.app import app

    ref, a = tmp_path / "ref.txt", tmp_path / "a.txt"
    ref.write_text("the cat sat\na dog\n", encoding="utf-8")
    a.write_text("the cat sat\na big dog\n", encoding="utf-8")
    runner = CliRunner()
    r = runner.invoke(app, ["evaluate", "--ref", str(ref), "--sys", f"A={a}", "--worst", "-1"])
    assert r.exit_code == 2 and "greater than or equal to 0" in r.output
    r = runner.invoke(app, ["evaluate", "--ref", str(ref), "--sys", f"A={a}", "--worst", "x"])
    assert r.exit_code == 2 and "--worst" in r.output and "Traceback" not in r.output
    out = tmp_path / "r.json"
    r = runner.invoke(app, ["evaluate", "--ref", str(ref), "--sys", f"A={a}", "--sys", f"B={ref}", "--worst", "1",
                            "--paired", "none", "--metric", "chrf", "--quiet", "--json", str(out)])
    assert r.exit_code == 0, r.output
    d = json.loads(out.read_text(encoding="utf-8"))
    assert [s["name"] for s in d["systems"]] == ["A", "B"] and len(d["systems"][0]["worst_segments"]) == 1


def test_hub_cache_lookup_needs_no_hub_client(tmp_path, monkeypatch):
    """A model in the Hugging Face cache is found from the cache layout alone (refs/main -> snapshots/<commit>)."""
    from huggingface_hub import constants, snapshot_download

    from mtfix.engine.registry import resolve

    cache = tmp_path / "hub"
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = cache / "models--someorg--tiny-mt"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(commit, encoding="utf-8")
    snap = repo / "snapshots" / commit
    snap.mkdir(parents=True)
    (snap / "config.json").write_text("{}", encoding="utf-8")
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    ref = resolve("someorg/tiny-mt", tmp_path / "models")
    assert Path(ref.path) == snap
    assert Path(snapshot_download("someorg/tiny-mt", local_files_only=True, cache_dir=str(cache))) == snap
    (repo / "refs" / "main").unlink()
    with pytest.raises(Exception, match="someorg/tiny-mt"):
        resolve("someorg/tiny-mt", tmp_path / "models")
