"""Python >= 3.10, as pyproject.toml says: TOML through mtfix.tomlcompat, 3.10 syntax everywhere."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted((ROOT / "mtfix").rglob("*.py"))


def test_only_tomlcompat_imports_tomllib():
    offenders = []
    for path in MODULES:
        if path.name == "tomlcompat.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n.split(".")[0] in ("tomllib", "tomli") for n in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_every_module_parses_as_python_310():
    for path in MODULES:
        ast.parse(path.read_text(encoding="utf-8"), filename=str(path), feature_version=(3, 10))


def test_pyproject_declares_the_backport_for_310():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'requires-python = ">=3.10"' in text
    assert "tomli>=1.1; python_version < '3.11'" in text


def test_configs_load_through_tomli_on_310():
    import tomli  # noqa: F401  (in the test extra: this test never skips)
    code = """
import sys
sys.version_info = (3, 10, 14, "final", 0)   # what tomlcompat sees on 3.10
import tomllib
sys.modules["tomllib"] = None                  # 3.10 has no tomllib: importing it must fail
from mtfix.tomlcompat import tomllib as chosen
import tomli
assert chosen is tomli, chosen
from mtfix.scoring.config import load_config
cfg = load_config(None)
assert cfg.margin > 0
import mtfix.corpus.config, mtfix.engine.registry
print("ok", chosen.__name__)
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok tomli"
