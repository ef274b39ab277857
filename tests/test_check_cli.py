"""`mtfix check`: human and JSON output, exit codes 0/1/2."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mtfix.cli.app import app

from conftest import assert_one_line_error

runner = CliRunner()
MTFIX = Path(sys.executable).parent / "mtfix"


def _run(*args, input=None):
    return runner.invoke(app, ["check", *map(str, args)], input=input)


def test_seed_human_output(seed_path):
    r = _run(seed_path)
    assert r.exit_code == 1, r.output
    out = r.output
    assert "Arabic, 23 paragraphs, 26 sentences" in out
    for needle in ("9:53", "arabic-comma-thousands", "20 ، 000", "20000", "9:95", "latin-in-arabic", "SDF",
                   "25:84", "spaced-percent", "100 ٪", "41:76", "lost-range", "26 issues in 14 sentences",
                   "glossary-term", "glossary-avoid"):
        assert needle in out


def test_summary_lines_do_not_wrap_on_long_paths(seed_path, tmp_path):
    deep = tmp_path / ("a-long-folder-name-" * 4)
    deep.mkdir()
    f = deep / "seed.txt"
    f.write_bytes(seed_path.read_bytes())
    lines = _run(f).output.splitlines()
    assert lines[0] == f"{f}: Arabic, 23 paragraphs, 26 sentences"
    assert lines[-1].startswith("26 issues in 14 sentences (") and lines[-1].endswith("1 lost-range)")


def test_seed_json(seed_path):
    r = _run(seed_path, "--json")
    assert r.exit_code == 1
    d = json.loads(r.output)
    assert d["file"] == str(seed_path) and d["lang"] == "ar" and d["issues"] == 26
    by_code = {}
    for f in d["findings"]:
        by_code.setdefault(f["code"], []).append(f)
    assert [f["suggestion"] for f in by_code["glossary-term"]] == ["قوات سوريا الديمقراطية (قسد)"] + ["قسد"] * 3
    assert all(f["fixable"] for f in by_code["glossary-term"])
    assert [f["surface"] for f in by_code["glossary-avoid"]] == ["قوات الدفاع الذاتى"] * 2
    assert not any(f.get("fixable") for f in by_code["glossary-avoid"] + by_code["latin-in-arabic"])
    (comma,) = by_code["arabic-comma-thousands"]
    assert (comma["line"], comma["surface"], comma["value"]) == (9, "20 ، 000", 20000)
    (pct,) = by_code["spaced-percent"]
    assert (pct["line"], pct["surface"], pct["value"]) == (25, "100 ٪", 100)
    # SDF has a glossary rendering (glossary-term above); "My" needs a model
    assert [(f["line"], f["word"]) for f in by_code["latin-in-arabic"]] == [(19, "My")]
    assert [(f["line"], f["surface"]) for f in by_code["glossary-term"]] == [
        (9, "SDF"), (11, "SDF"), (13, "SDF"), (17, "SDF")]


def test_clean_file_exits_zero(tmp_path):
    p = tmp_path / "clean.txt"
    p.write_text("قال المتحدث إن المعركة انتهت.\r\n\r\nوعاد السكان.\r\n", encoding="utf-8")
    r = _run(p)
    assert r.exit_code == 0 and "no issues" in r.output
    r = _run(p, "--json")
    assert r.exit_code == 0 and json.loads(r.output)["findings"] == []


def test_stdin_and_lang(tmp_path):
    r = _run("-", "--lang", "en", input="The battle ended.\nقال المتحدث إن المعركة انتهت.\n".encode())
    assert r.exit_code == 1 and "wrong-language" in r.output and "2:1" in r.output


@pytest.mark.parametrize("data, needle", [
    (b"\xc7\xe1\xd3\xe1\xc7\xe3", "not UTF-8"),
    (b"\x00\x01\x02binary", "binary"),
    (b"  \n\n", "empty"),
])
def test_bad_input_exit_two(tmp_path, data, needle):
    p = tmp_path / "bad.txt"
    p.write_bytes(data)
    assert_one_line_error(_run(p), needle)


def test_bad_options_exit_two(tmp_path, seed_path):
    assert _run(tmp_path / "missing.txt").exit_code == 2
    r = _run(seed_path, "--lang", "fr")
    assert r.exit_code == 2 and "unknown language" in r.output


def test_subprocess_exit_codes(seed_path, tmp_path):
    r = subprocess.run([str(MTFIX), "check", str(seed_path), "--json"], capture_output=True, text=True)
    assert r.returncode == 1 and json.loads(r.stdout)["issues"] == 26
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfeh\x00i\x00")
    r = subprocess.run([str(MTFIX), "check", str(bad)], capture_output=True, text=True)
    assert r.returncode == 2 and r.stdout == "" and r.stderr.strip().startswith("error: ") and "UTF-16" in r.stderr


@pytest.mark.parametrize("command", ["check", "fix"])
def test_an_image_is_called_binary_not_wrongly_encoded(tmp_path, command):
    """A PNG's first line (b"\\x89PNG\\r\\n") has no NUL byte: it was "not UTF-8 ... iconv -f cp1256", a fix that
    cannot work. From a file and from stdin."""
    p = tmp_path / "photo.png"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")
    for args, name, data in (([p], str(p), None), (["-"], "<stdin>", p.read_bytes())):
        r = runner.invoke(app, [command, *map(str, args)], input=data)
        line = assert_one_line_error(r, "looks binary (a PNG image)")
        assert line == f"error: {name}: looks binary (a PNG image); expected UTF-8 text"
