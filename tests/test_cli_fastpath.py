"""`mtfix corpus filter` without typer (mtfix.cli.fastcli): the same values as typer's parsing, the
same outputs, messages and exit codes, and typer for everything the fast path does not read."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mtfix.cli import fastcli
from mtfix.cli.fastcli import FILTER_OPTIONS, filter_command_line, parse
from test_startup import PROBE  # runs mtfix.cli.main in a fresh process, naming the watched modules it loaded

REPO = Path(__file__).resolve().parents[1]


def _typer_filter_command():
    import typer

    from mtfix.cli.app import build_app

    return typer.main.get_command(build_app(["corpus"])).commands["corpus"].commands["filter"]


def _typer_params(args: list[str]) -> dict:
    """What typer gives the command for ``mtfix corpus filter ARGS`` (its parsed, converted values)."""
    return dict(_typer_filter_command().make_context("filter", list(args)).params)


def test_the_table_is_the_typer_commands_options():
    """Every option of the typer command, with its names, flag or value, repeatable or not, default and
    range, is in the fast path's table, and nothing else is: a new or changed option fails here."""
    command = _typer_filter_command()
    options = [p for p in command.params if p.param_type_name == "option"]
    arguments = [p for p in command.params if p.param_type_name == "argument"]
    assert [(a.name, a.nargs, a.required) for a in arguments] == [("inputs", -1, True)]
    table = {opt.param: opt for opt in FILTER_OPTIONS}
    assert sorted(table) == sorted(p.name for p in options)
    for p in options:
        opt = table[p.name]
        assert tuple(p.opts) == opt.names and not p.secondary_opts and p.envvar is None, p.name
        assert p.is_flag == (opt.kind == "flag") and p.multiple == (opt.kind in ("paths", "strs")), p.name
        assert p.required == (p.name == "out"), p.name
        assert (p.default if not p.multiple else []) == (opt.default if opt.kind not in ("paths", "strs") else []), p.name
        assert (p.min, p.max) == (opt.lo, opt.hi), p.name


SAME_AS_TYPER = [
    ["in.tsv", "-o", "out.jsonl"],
    ["in.tsv", "-o", ""], ["in.tsv", "-o", "dir/", "--dropped", "d/"],  # outputs are text: kept as given, as typer
    ["a.tsv", "b.tsv", "-o", "x.jsonl", "--out", "y.parquet", "--dropped", "d.jsonl", "-q", "--restart"],
    ["-o", "x.jsonl", "in.tsv", "--workers", "2", "--chunk-size", "500", "--beam", "1024", "--threads", "0"],
    ["in.tsv", "-o", "x.jsonl", "--workers", "0", "--workers", "3"],  # twice: the last (0 is the command's error)
    ["in.jsonl", "-o", "clean", "--fields", "source,target", "--order", "ar,en", "--input-format", "jsonl",
     "--split", "train", "--skip-bad", "--rejects", "r.jsonl", "--summary", "s.json", "--pipeline", "p.toml"],
    ["in.tsv", "-o", "x.jsonl", "-b", "tiny", "--backend", "ct2", "--quantization", "float32", "--no-convert",
     "--device", "cuda:1", "--compute-type", "int8", "--models-dir", "m", "--cache", "c.sqlite", "--no-cache"],
    ["in.tsv", "-o", "x.jsonl", "--work-dir", "/tmp/w", "--ray", "local", "--shards", "--chunk-size", "007"],
    ["in.tsv", "-o", "x.jsonl", "--order", "auto", "--split", "", "--fields", "a b"],  # values as given
    ["نص.tsv", "-o", "مخرج.jsonl", "--summary", "dir/sub/s.json"],
]


@pytest.mark.parametrize("args", SAME_AS_TYPER)
def test_a_plain_command_line_gets_typers_values(args):
    got = parse(args)
    assert got is not None, args
    assert got == _typer_params(args)
    assert all(type(got[k]) is type(v) for k, v in _typer_params(args).items())


LEFT_TO_TYPER = [
    ["--help"], ["in.tsv", "-o", "x.jsonl", "-h"], ["in.tsv"], ["-o", "x.jsonl"], [],
    ["in.tsv", "-o", "x.jsonl", "--workers=2"], ["in.tsv", "-qo", "x.jsonl"], ["in.tsv", "-o", "x.jsonl", "--"],
    ["in.tsv", "-o", "x.jsonl", "--work"], ["in.tsv", "-o", "x.jsonl", "--quiet=true"], ["-", "-o", "x.jsonl"],
    ["in.tsv", "-o"], ["in.tsv", "-o", "-x.jsonl"], ["in.tsv", "-o", "x.jsonl", "--workers", "-1"],
    ["in.tsv", "-o", "x.jsonl", "--beam", "0"], ["in.tsv", "-o", "x.jsonl", "--beam", "1025"],
    ["in.tsv", "-o", "x.jsonl", "--chunk-size", "1e3"], ["in.tsv", "-o", "x.jsonl", "--workers", " 2"],
    ["in.tsv", "-o", "x.jsonl", "--workers", "٢"],
    ["a//b.tsv", "-o", "x.jsonl"], ["in.tsv", "-o", "x.jsonl", "--threads", "4097"],
]


@pytest.mark.parametrize("args", LEFT_TO_TYPER)
def test_anything_else_is_left_to_typer(args):
    assert parse(args) is None and filter_command_line(args) is None


def _run_main(args: list[str], cwd: Path, capfd, fast: bool, monkeypatch) -> tuple[int, str, str]:
    from mtfix.cli.main import main

    if not fast:
        monkeypatch.setattr(fastcli, "filter_command_line", lambda argv: None)
    monkeypatch.chdir(cwd)
    try:
        main(["corpus", "filter", *args])
        code = 0
    except SystemExit as e:
        code = e.code or 0
    finally:
        gc.unfreeze()  # the command line freezes what its process holds (mtfix.startup.settle): not this one's
    monkeypatch.undo()
    out, err = capfd.readouterr()
    return code, out, err


def _bitext(path: Path) -> None:
    path.write_text("It costs 20 dollars.\tيكلف 20 دولارا.\nIt costs 20 dollars.\tيكلف 30 دولارا.\n"
                    "Hello world.\tمرحبا بالعالم.\nHello world.\tمرحبا بالعالم.\n", encoding="utf-8")


@pytest.mark.parametrize("args", [
    ["in.tsv", "-o", "out.jsonl", "-o", "out.tsv", "--dropped", "dropped.jsonl", "--workers", "1"],
    ["in.tsv", "-o", "out.jsonl", "--chunk-size", "1", "--workers", "1", "-q"],
    ["missing.tsv", "-o", "out.jsonl"],  # an MtfixError: one line, exit 2
    ["in.tsv", "-o", "out.jsonl", "--workers", "0"],  # the run's own check
    ["in.tsv", "-o", "in.tsv"],  # the output is the input
    ["in.tsv", "-o", "out.jsonl", "--order", "fr,de"],
])
def test_the_fast_path_ends_as_typer_does(tmp_path, capfd, monkeypatch, args):
    """The same exit code, stdout, stderr and output files as the typer command."""
    got = {}
    for fast in (True, False):
        d = tmp_path / ("fast" if fast else "typer")
        d.mkdir()
        _bitext(d / "in.tsv")
        code, out, err = _run_main(args, d, capfd, fast, monkeypatch)
        files = {p.name: p.read_bytes() for p in sorted(d.iterdir()) if p.is_file()}
        got[fast] = (code, out, err.replace(str(d), "DIR"), files)
    assert got[True] == got[False]
    assert got[True][0] in (0, 2) and (got[True][0] == 0 or got[True][2].startswith("error: "))


TYPER_MODULES = ("typer", "click", "pydantic", "rich")


def test_a_plain_corpus_filter_run_imports_no_typer(tmp_path):
    _bitext(tmp_path / "in.tsv")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for args, typer_used in ((["corpus", "filter", "in.tsv", "-o", "out.jsonl", "-q", "--workers", "1"], []),
                             (["corpus", "filter", "in.tsv", "-o", "out.jsonl", "--workers=1"], ["typer"])):
        p = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args), json.dumps(TYPER_MODULES)], cwd=tmp_path,
                           env=env,
                           capture_output=True, text=True, timeout=300)
        got = json.loads(p.stderr.strip().splitlines()[-1])
        assert got["code"] in (0, None) and got["loaded"][:1] == typer_used, p.stderr
        assert (tmp_path / "out.jsonl").read_text(encoding="utf-8").count("\n") == 2


@pytest.mark.parametrize("fast", [True, False])
def test_a_command_line_that_fails_early_gives_the_collector_back(tmp_path, capfd, monkeypatch, fast):
    """main() pauses the collector for start-up; a run that stops before its filters are built (here:
    no such input) still leaves it on for an in-process caller."""
    assert gc.isenabled()
    code, _, err = _run_main(["missing.tsv", "-o", "out.jsonl"], tmp_path, capfd, fast, monkeypatch)
    assert code == 2 and err.startswith("error: ") and gc.isenabled()
