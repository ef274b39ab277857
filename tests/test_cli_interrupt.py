"""Ctrl-C at any moment of a run ends mtfix with exit code 130 and no traceback, also while it is
still importing (typer, the command's module, the command's libraries). A real SIGINT would land at
a moment that depends on the machine's speed; here KeyboardInterrupt is raised, as the default
SIGINT handler raises it, from the import of a chosen module, so each moment is hit every time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

#: raises KeyboardInterrupt when argv[1] is first imported, then runs mtfix as argv[2] says
PROBE = """
import sys

victim, how, args = sys.argv[1], sys.argv[2], sys.argv[3:]

class CtrlC:
    def find_spec(self, name, path=None, target=None):
        if name == victim:
            raise KeyboardInterrupt
        return None

sys.meta_path.insert(0, CtrlC())
sys.argv = ["mtfix", *args]
if how == "module":  # python -m mtfix
    import runpy
    runpy.run_module("mtfix", run_name="__main__", alter_sys=True)
else:  # the console script pip writes: `from mtfix.cli.app import main; sys.exit(main())`
    from mtfix.cli.app import main
    sys.exit(main())
"""


def _interrupted_at(module: str, how: str, args: list[str], tmp_path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf"),
           "MTFIX_MODELS_DIR": str(tmp_path / "models")}
    return subprocess.run([sys.executable, "-c", PROBE, module, how, *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("how", ["module", "script"])
@pytest.mark.parametrize("module, args", [
    ("typer", ["check", "{seed}"]),                         # the CLI's own imports
    ("mtfix.cli.check", ["check", "{seed}"]),               # the command's module, before typer runs
    ("mtfix.text.check", ["check", "{seed}"]),              # inside the command, under typer
    ("mtfix.cli.options", ["translate", "{seed}", "--src", "ar", "--tgt", "en"]),
])
def test_ctrl_c_while_importing_exits_130_without_a_traceback(module, args, how, seed_path, tmp_path):
    r = _interrupted_at(module, how, [a.format(seed=seed_path) for a in args], tmp_path)
    assert r.returncode == 130, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr and "KeyboardInterrupt" not in r.stderr, r.stderr
    assert r.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing written, not even a cache


def test_the_probe_reaches_the_command_when_nothing_interrupts_it(seed_path, tmp_path):
    """The probe runs the real command (so the cases above interrupt a real run, not a broken one)."""
    r = _interrupted_at("no.such.module", "module", ["check", str(seed_path)], tmp_path)
    assert r.returncode == 1 and "26 issues" in r.stdout, r.stderr
