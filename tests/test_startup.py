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
         "pydantic", "numpy", "matplotlib", "sacrebleu", "typer.rich_utils", "markdown_it", "sqlite3")
#: the modules of the commands a run does not use
OTHER_COMMANDS = ("mtfix.cli.translate", "mtfix.cli.repair", "mtfix.cli.select", "mtfix.cli.evaluate",
                  "mtfix.cli.corpus", "mtfix.cli.models", "mtfix.cli.options")

PROBE = """
import json, sys
watch = json.loads(sys.argv[2])
sys.argv = ["mtfix"] + json.loads(sys.argv[1])
from mtfix.cli.main import main  # the console script's entry
try:
    main()
except SystemExit as e:
    code = e.code
else:
    code = 0
print(json.dumps({"code": code, "loaded": [m for m in watch if m in sys.modules]}), file=sys.stderr)
"""


def _probe(args, tmp_path, watch=HEAVY):
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf"),
           "MTFIX_MODELS_DIR": str(tmp_path / "models"), "COLUMNS": "80"}
    p = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args), json.dumps(watch)], cwd=REPO, env=env,
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


def test_a_path_option_needs_no_pydantic(seed_path, tmp_path):
    got, _ = _probe(["fix", str(seed_path), "--out", str(tmp_path / "fixed.txt")], tmp_path, watch=("pydantic",))
    assert got["loaded"] == [] and got["code"] in (0, 1) and (tmp_path / "fixed.txt").read_text(encoding="utf-8").strip()


def test_a_command_run_imports_only_its_own_module(seed_path, tmp_path):
    got, out = _probe(["check", str(seed_path)], tmp_path, watch=OTHER_COMMANDS + ("mtfix.cli.check",))
    assert got["loaded"] == ["mtfix.cli.check"] and out.strip()
    got, out = _probe(["--help"], tmp_path, watch=OTHER_COMMANDS)  # the top-level help lists them all
    assert got["loaded"] == list(OTHER_COMMANDS) and got["code"] == 0


def _words(text: str) -> str:
    return " ".join(text.split()).replace("- ", "-")


def test_help_is_the_same_with_one_command_or_all(tmp_path):
    """`mtfix check --help` registers only `check`; the full application (``mtfix.cli.app.app``,
    what library users and CliRunner see) gives the same help, and both are plain text."""
    from typer.testing import CliRunner

    from mtfix.cli.app import COMMANDS, app

    for words in (["check"], ["repair"], ["models", "list"], ["corpus"]):
        got, alone = _probe([*words, "--help"], tmp_path)
        assert got["code"] == 0, words
        full = CliRunner().invoke(app, [*words, "--help"], terminal_width=80)
        assert full.exit_code == 0 and _words(full.output) == _words(alone), words  # wrapped alike or not
        assert alone.startswith(f"Usage: mtfix {' '.join(words)} ") and "╭" not in alone
    got, top = _probe(["--help"], tmp_path)
    listing = top.split("Commands:", 1)[1]
    assert [ln.split()[0] for ln in listing.splitlines() if ln[2:3].strip()] == list(COMMANDS)
    # each command's first sentence, not cut at "e.g.", at most two lines
    assert "several candidate translations (e.g. outputs of several MT systems)." in " ".join(listing.split())
    assert "Translate FILE line by line: the same number of lines comes out." in listing


def test_an_unknown_command_still_gets_a_suggestion(tmp_path):
    p = subprocess.run([sys.executable, "-m", "mtfix", "chek", "x"], cwd=REPO, capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}, timeout=120)
    assert p.returncode == 2 and p.stderr.strip() == (
        "error: No such command 'chek'. Did you mean 'check'? (see `mtfix --help`)")


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


PATHS = """
import json, sys
from pathlib import Path
from typing import List, Optional
if sys.argv[1] == "fast":
    from mtfix.cli import fastparams
    assert fastparams.install()
import typer
from typer.testing import CliRunner

app = typer.Typer()

@app.command()
def run(f: Path = typer.Argument(..., exists=True, dir_okay=False), out: Optional[Path] = typer.Option(None),
        many: Optional[List[Path]] = typer.Option(None, "--p"), n: int = typer.Option(1, min=1, max=9),
        k: int = typer.Option(0)):
    print(json.dumps([type(f).__name__, str(f), str(out), [str(p) for p in many or []], n, k]))

results = []
for args in json.loads(sys.argv[2]):
    r = CliRunner().invoke(app, args)
    results.append([r.exit_code, r.output])
print(json.dumps({"results": results, "pydantic": "pydantic" in sys.modules}))
"""


def test_path_values_skip_pydantic_and_keep_typer_checks(tmp_path):
    """A ``Path`` given as text becomes ``Path(text)`` without pydantic, then meets typer's own checks:
    the same results and messages as typer's adapter gives."""
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    plain = [[str(tmp_path / "a.txt")], [str(tmp_path / "a.txt"), "--out", "o.txt", "--p", "x", "--p", "y/z"],
             [str(tmp_path / "missing.txt")], [str(tmp_path)]]
    odd = [[str(tmp_path / "a.txt"), "--p", ""], [""], [str(tmp_path) + "//a.txt", "--out", "./o"]]  # Path() changes

    def run(how, cases):
        return json.loads(subprocess.run([sys.executable, "-c", PATHS, how, json.dumps(cases)], cwd=tmp_path,
                                         env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
                                         timeout=120, check=True).stdout)

    fast, typer_ = run("fast", plain), run("typer", plain)
    assert fast["results"] == typer_["results"]
    assert [code for code, _ in fast["results"]] == [0, 0, 2, 2]
    assert "exist" in fast["results"][2][1] and "directory" in fast["results"][3][1]
    assert json.loads(fast["results"][1][1]) == [type(tmp_path).__name__, str(tmp_path / "a.txt"), "o.txt",
                                                 ["x", "y/z"], 1, 0]
    assert typer_["pydantic"] and not fast["pydantic"]
    assert run("fast", odd)["results"] == run("typer", odd)["results"]  # these take typer's own way


def test_int_values_skip_pydantic_and_keep_typer_checks(tmp_path):
    """Plain digits in range are the int typer's adapter gives; anything else meets the adapter itself."""
    f = tmp_path / "a.txt"
    f.write_text("x", encoding="utf-8")
    plain = [[str(f), "--n", "3"], [str(f), "--n", "09", "--k", "12"], [str(f), "--n", "9", "--k", "0"]]
    odd = [[str(f), "--n", "0"], [str(f), "--n", "10"], [str(f), "--n", "+3"], [str(f), "--n", "\uff13"],
           [str(f), "--n", "3.0"], [str(f), "--k", "-2"], [str(f), "--n", " 3"], [str(f), "--n", "x"]]

    def run(how, cases):
        return json.loads(subprocess.run([sys.executable, "-c", PATHS, how, json.dumps(cases)], cwd=tmp_path,
                                         env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
                                         timeout=120, check=True).stdout)

    fast = run("fast", plain)
    assert fast["results"] == run("typer", plain)["results"] and not fast["pydantic"]
    assert [json.loads(out)[4:] for _, out in fast["results"]] == [[3, 0], [9, 12], [9, 0]]
    got, want = run("fast", odd)["results"], run("typer", odd)["results"]
    assert got == want and [got[i][0] for i in (0, 1, 7)] == [2, 2, 2]  # out of range, not a number


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
    (snap / "config.json").write_text(json.dumps({"model_type": "stub"}), encoding="utf-8")  # resolve reads it
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    ref = resolve("someorg/tiny-mt", tmp_path / "models")
    assert Path(ref.path) == snap
    assert Path(snapshot_download("someorg/tiny-mt", local_files_only=True, cache_dir=str(cache))) == snap
    (repo / "refs" / "main").unlink()
    with pytest.raises(Exception, match="someorg/tiny-mt"):
        resolve("someorg/tiny-mt", tmp_path / "models")


@pytest.mark.parametrize("error, line", [
    ("sqlite", "error: SQLite: database or disk is full"),
    ("other", None),  # anything else is not dressed up as a SQLite error
])
def test_a_sqlite_error_is_one_line_without_importing_sqlite_upfront(error, line, seed_path, monkeypatch):
    """The last-resort SQLite handler needs no `import sqlite3` at start-up (tested above): an error
    of a SQLite that was imported is still one line and exit code 2."""
    import sqlite3

    from typer.testing import CliRunner

    import mtfix.text.check
    from mtfix.cli.app import build_app

    def fail(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full") if error == "sqlite" else KeyError("x")

    monkeypatch.setattr(mtfix.text.check, "check_lines", fail)
    r = CliRunner().invoke(build_app(["check"]), ["check", str(seed_path)])
    if line:
        assert r.exit_code == 2 and r.stderr.strip() == line
    else:
        assert isinstance(r.exception, KeyError)


def test_check_into_a_pipe_imports_no_rich_console(seed_path, tmp_path):
    """`mtfix check` writes its table as plain text when the output is not a terminal (the same
    characters rich prints: tests/test_plaintable.py), and compiles only the glossary patterns
    the text needs. (``rich.text`` is loaded when a cell wraps, for rich's public ``Text.wrap``: about
    15 ms of imports, against 80 for the console.)"""
    got, out = _probe(["check", str(seed_path)], tmp_path, watch=("rich.console", "rich.table", "rich.markup"))
    assert got["loaded"] == [] and got["code"] == 1 and "glossary-term" in out
    got, out = _probe(["check", str(seed_path), "--json"], tmp_path, watch=("rich.console", "rich.table"))
    assert got["loaded"] == [] and got["code"] == 1 and json.loads(out)["issues"] > 0


def test_glossary_patterns_compile_when_first_needed():
    from mtfix.text.glossary import load_glossaries

    g = load_glossaries()
    _, src, tgt, bad = g._compiled()
    assert all(p[0]._rx is None for p in src + tgt + bad)
    assert [m.term.source for m in g.find_renderings("أعلنت قسد ذلك")] == ["SDF"]
    compiled = [p for p in tgt + bad if p[0]._rx is not None]
    assert 0 < len(compiled) < len(tgt + bad) / 4


WITHOUT_TYPER_INTERNALS = """
import json, sys
import typer._adapters, typer._coercion, typer._param_types  # typer's own modules hold what they import from these
module, name = sys.argv[1].rsplit(".", 1)
delattr(sys.modules[module], name)  # to fastparams, a typer that renamed or dropped it
from mtfix.cli import fastparams
assert fastparams.install() is False
from typer.testing import CliRunner
from mtfix.cli.app import app
results = [[r.exit_code, r.stdout, r.stderr] for r in (CliRunner().invoke(app, args) for args in json.loads(sys.argv[2]))]
print(json.dumps({"results": results}))
"""


@pytest.mark.parametrize("gone", ["typer._param_types.coerce_cli_path", "typer._coercion.RuntimeParam"])
def test_a_typer_without_the_internals_fastparams_uses_takes_its_public_path(tmp_path, seed_path, gone):
    """fastparams reaches into typer's private _coercion/_param_types: no public API lets a command skip
    the pydantic adapter typer builds for each value, and skipping it saves a third of a command's
    start-up (`mtfix check SEED --json`: x1.46 the CPU without it, 7 interleaved runs, loaded; `--help`
    coerces nothing: x1.01). A typer without them leaves every command as typer makes it: the same output."""
    ref, a = tmp_path / "ref.txt", tmp_path / "a.txt"
    ref.write_text("the cat sat\na dog\n", encoding="utf-8")
    a.write_text("the cat sat\na big dog\n", encoding="utf-8")
    cases = [["check", str(seed_path), "--json"], ["evaluate", "--ref", str(ref), "--sys", f"A={a}", "--worst", "-1"],
             ["evaluate", "--ref", str(ref), "--sys", f"A={a}", "--sys", f"B={ref}", "--worst", "1", "--paired",
              "none", "--metric", "chrf", "--quiet", "--json", "-"], ["fix", str(tmp_path / "missing.ar")]]
    p = subprocess.run([sys.executable, "-c", WITHOUT_TYPER_INTERNALS, gone, json.dumps(cases)], cwd=tmp_path,
                       env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    got = json.loads(p.stdout)
    from typer.testing import CliRunner

    from mtfix.cli.app import app

    want = [[r.exit_code, r.stdout, r.stderr] for r in (CliRunner().invoke(app, args) for args in cases)]
    assert got["results"] == want
    assert [code for code, *_ in want] == [1, 2, 0, 2]
