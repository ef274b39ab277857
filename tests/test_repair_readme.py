"""The example repair report (docs/judge.md, linked from the README) is true: the same command gives the same decisions and reasons."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from mtfix.cli.app import app
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _readme_example() -> dict:
    text = (REPO / "docs" / "judge.md").read_text(encoding="utf-8")
    section = text[text.index("**An example report.**"):]
    block = re.search(r"```json\n(.*?)\n```", section, re.S).group(1)
    return json.loads(block)  # abridged with "..." but valid JSON


def _shown(abridged, real):
    """Every value the abridged example shows equals the real one (strings cut with … compare as prefixes)."""
    if isinstance(abridged, dict):
        for k, v in abridged.items():
            if k == "..." or v == "...":
                continue
            assert k in real, k
            _shown(v, real[k])
    elif isinstance(abridged, list):
        items = [x for x in abridged if x != "..."]
        for x in items:
            if isinstance(x, dict) and "origin" in x:
                match = next(r for r in real if r.get("origin") == x["origin"])
                _shown(x, match)
            else:
                assert x in real
    elif isinstance(abridged, str) and abridged.endswith(("...", "…")):
        assert real.startswith(abridged.rstrip(".…").split("…")[0].rstrip())
    elif isinstance(abridged, float):
        assert round(real, 3) == round(abridged, 3) or abs(real - abridged) < 6e-4
    else:
        assert real == abridged, (abridged, real)


def test_readme_example_report_is_what_repair_gives(tiny_models, seed_path, tmp_path):
    example = _readme_example()
    rep = tmp_path / "report.json"
    r = CliRunner().invoke(app, ["repair", str(seed_path), "-b", str(tiny_models["marian-ar-en"]),
                                 "-f", str(tiny_models["marian-en-ar"]), "--out", str(tmp_path / "o.txt"),
                                 "--report", str(rep), "--cache", str(tmp_path / "cache.sqlite")])
    assert r.exit_code == 0, r.output
    real = json.loads(rep.read_text(encoding="utf-8"))
    assert real["summary"] == example["summary"]
    assert real["signature"]["line"] == example["signature"]["line"]
    shown = example["sentences"][0]
    sentence = next(s for s in real["sentences"] if s["index"] == shown["index"])
    for key in ("line", "paragraph", "changed"):
        assert sentence[key] == shown[key]
    _shown(shown["decision"], sentence["decision"])
    _shown(shown["candidates"], sentence["candidates"])
    _shown(example["signature"]["scoring"]["gates"], real["signature"]["scoring"]["gates"])
