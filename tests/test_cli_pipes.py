"""A reader of stdout that goes away (`mtfix check big.txt | head -1`) ends every command that writes
to stdout quietly, as `cat` ended by SIGPIPE: exit code 141, nothing on stderr but the command's
own lines (no traceback, no "Exception ignored", no `error:` line). And stdout on a full device
(`> /dev/full`) is one `error:` line and exit 2, also for what is still buffered when the command ends.

The reader is gone before the command writes (its end of the pipe is closed at once), so the broken
pipe is hit every time, whatever the machine's speed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

AR = "هو لا يزال يشكل تهديدا للسكان بنسبة 100 ٪ ، وقال My.\nتحليل بي بي سي العربية للأحداث 20 ، 000 مرة.\n"


def _run(args: list, cwd: Path, stdout) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    p = subprocess.Popen([sys.executable, "-m", "mtfix", *map(str, args)], stdout=stdout, stderr=subprocess.PIPE,
                         text=True, cwd=cwd, env=env)
    if stdout is subprocess.PIPE:
        p.stdout.close()  # the reader is gone before anything is written
    return subprocess.CompletedProcess(p.args, p.wait(timeout=600), None, p.stderr.read())


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, tiny_models):
    d = tmp_path_factory.mktemp("pipes")
    (d / "in.ar").write_text(AR * 200, encoding="utf-8")
    (d / "a.ar").write_text("القط ينام على السرير.\nالكلب يركض بسرعة كبيرة.\n" * 20, encoding="utf-8")
    (d / "b.ar").write_text("القط نائم على السرير.\nالكلب يجري بسرعة.\n" * 20, encoding="utf-8")
    (d / "ref.en").write_text("The cat sleeps on the bed.\nThe dog runs very fast.\n" * 20, encoding="utf-8")
    (d / "sys.en").write_text("The cat is sleeping on the bed.\nThe dog runs fast.\n" * 20, encoding="utf-8")
    (d / "short.ar").write_text("هو لا يزال يشكل تهديدا للسكان.\n", encoding="utf-8")
    return d, tiny_models


COMMANDS = {
    "check": ["check", "in.ar"],
    "check --json": ["check", "in.ar", "--json"],
    "fix": ["fix", "in.ar"],
    "fix --out -": ["fix", "in.ar", "--out", "-"],
    "fix --diff": ["fix", "in.ar", "--diff"],
    "fix --json": ["fix", "in.ar", "--json"],
    "repair": ["repair", "in.ar", "--no-cache"],
    "select --out -": ["select", "--candidates", "a.ar", "b.ar", "--out", "-"],
    "select --report -": ["select", "--candidates", "a.ar", "b.ar", "--out", "o.ar", "--report", "-"],
    "evaluate": ["evaluate", "--ref", "ref.en", "--sys", "sys.en", "--paired", "none"],
    "evaluate --json -": ["evaluate", "--ref", "ref.en", "--sys", "sys.en", "--paired", "none", "--json", "-"],
    "translate": ["translate", "short.ar", "--model", "MARIAN", "--src", "ar", "--tgt", "en", "--backend",
                  "transformers", "--beam", "1", "--no-cache"],
    "corpus pipeline": ["corpus", "pipeline"],
    "models list": ["models", "list"],
    "models list --json": ["models", "list", "--json"],
    "--help": ["--help"],
    "check --help": ["check", "--help"],
}


def _args(name: str, tiny_models) -> list:
    return [tiny_models["marian-ar-en"] if a == "MARIAN" else a for a in COMMANDS[name]]


@pytest.mark.parametrize("name", COMMANDS)
def test_a_reader_gone_ends_every_command_quietly(name, inputs):
    folder, tiny_models = inputs
    p = _run(_args(name, tiny_models), folder, subprocess.PIPE)
    assert p.returncode == 141, (p.returncode, p.stderr)
    for bad in ("Traceback", "Exception ignored", "error:", "Broken pipe", "BrokenPipe"):
        assert bad not in p.stderr, p.stderr


@pytest.mark.parametrize("name", ["--version", "--help", "models list", "corpus pipeline", "check"])
def test_stdout_on_a_full_device_is_one_line_also_for_short_outputs(name, inputs):
    """`mtfix --version > /dev/full` was a traceback: its one line sat in the buffer until exit."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    folder, tiny_models = inputs
    args = ["--version"] if name == "--version" else _args(name, tiny_models)
    with open("/dev/full", "w") as full:
        p = _run(args, folder, full)
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr and "Exception ignored" not in p.stderr, p.stderr
    lines = [line for line in p.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "no space left" in lines[0], p.stderr


def _closed(fd: int, args: list, cwd: Path) -> subprocess.CompletedProcess:
    """``mtfix ARGS`` with ``fd`` closed, as a shell's ``<&-`` / ``>&-`` leaves it (Python then sets
    sys.stdin or sys.stdout to None)."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    out = subprocess.DEVNULL if fd == 0 else None
    return subprocess.run([sys.executable, "-m", "mtfix", *map(str, args)], stdout=out, stderr=subprocess.PIPE,
                          text=True, cwd=cwd, env=env, preexec_fn=lambda: os.close(fd), timeout=300)


@pytest.mark.parametrize("args", [["check", "-"], ["fix", "-"], ["fix", "-", "--json"]])
def test_a_closed_stdin_is_one_line(args, inputs):
    p = _closed(0, args, inputs[0])
    assert p.returncode == 2 and p.stderr.splitlines() == [
        "error: -: stdin is closed; pipe the text in (`... | mtfix check -`) or give a file path"], p.stderr


@pytest.mark.parametrize("name", ["check", "check --json", "fix", "fix --diff", "evaluate", "models list", "--help"])
def test_a_closed_stdout_is_one_line_where_a_command_writes_there(name, inputs):
    """`mtfix check FILE >&-` was an AttributeError traceback ('NoneType' object has no attribute ...)."""
    folder, tiny_models = inputs
    p = _closed(1, _args(name, tiny_models), folder)
    lines = [line for line in p.stderr.splitlines() if line.startswith(("error:", "Traceback"))]
    assert p.returncode == 2 and len(lines) == 1 and "stdout is closed" in lines[0], p.stderr


def test_a_closed_stdout_does_not_stop_a_command_that_writes_files(inputs):
    folder, _ = inputs
    p = _closed(1, ["fix", "in.ar", "-o", "fixed.ar"], folder)
    assert p.returncode == 1 and (folder / "fixed.ar").exists() and "error" not in p.stderr, p.stderr


@pytest.mark.parametrize("encoding", ["ascii", "latin-1:strict"])
@pytest.mark.parametrize("name", ["check", "check --json", "fix"])
def test_stdout_is_utf8_whatever_the_locale_says(name, encoding, inputs):
    """PYTHONIOENCODING=ascii (or a latin-1 locale) made the first Arabic letter on stdout a
    UnicodeEncodeError traceback, half the output written: mtfix writes UTF-8, on stdout as in files."""
    folder, tiny_models = inputs
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    args = [sys.executable, "-m", "mtfix", *_args(name, tiny_models)]
    want = subprocess.run(args, capture_output=True, cwd=folder, env=env, timeout=300)
    got = subprocess.run(args, capture_output=True, cwd=folder, env={**env, "PYTHONIOENCODING": encoding},
                         timeout=300)
    assert got.returncode == want.returncode == 1 and b"Traceback" not in got.stderr, got.stderr
    assert got.stdout == want.stdout and not got.stdout.decode("utf-8").isascii()  # Arabic, as UTF-8


@pytest.mark.parametrize("encoding", ["ascii", "utf-8:strict"])
def test_a_file_name_that_is_not_utf8_is_written_back_as_its_bytes(encoding, inputs, tmp_path):
    """`mtfix check $'bad\\xff.txt'` under a UTF-8 locale whose stdout is strict was a UnicodeEncodeError
    traceback (the heading names the file): the name's bytes come back as given."""
    name = os.fsencode(str(tmp_path)) + b"/bad\xff.ar"
    with open(name, "w", encoding="utf-8") as f:
        f.write(AR)
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "PYTHONIOENCODING": encoding}
    p = subprocess.run([sys.executable, "-m", "mtfix", "check", os.fsdecode(name)], capture_output=True, env=env,
                       timeout=300)
    assert p.returncode == 1 and b"Traceback" not in p.stderr, p.stderr
    assert p.stdout.startswith(name + b": Arabic"), p.stdout[:200]
