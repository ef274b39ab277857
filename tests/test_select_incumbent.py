"""`mtfix select --incumbent NAME`: keep my current system unless another is clearly better.

The named candidate (by its NAME=PATH name or its file) is the do-no-harm
incumbent of every line, instead of the most trusted system; each challenger
is measured against it, and the report and the signature record it. An unknown name: one line, exit 2,
nothing written.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from mtfix.cli.app import app
from mtfix.errors import MtfixError
from mtfix.select import select_files, select_lines

from conftest import assert_one_line_error

runner = CliRunner()


@pytest.fixture(scope="module")
def flores(shared_data):
    """80 lines of four real ara-eng systems and the Arabic source (no reference is read)."""
    d = shared_data / "systems" / "flores200-devtest.ara-eng"
    names = ["facebook__m2m100_418M", "facebook__nllb-200-3.3B", "facebook__nllb-200-distilled-600M",
             "HPLT-MT-models__translate-ar-en-v1.0-hplt"]
    systems = {n: (d / f"{n}.txt").read_text(encoding="utf-8").splitlines()[:80] for n in names}
    src = (shared_data / "flores200-devtest" / "arb_Arab.txt").read_text(encoding="utf-8").splitlines()[:80]
    return systems, src


@pytest.fixture()
def files(flores, tmp_path):
    systems, src = flores
    short = {"facebook__m2m100_418M": "m2m", "facebook__nllb-200-3.3B": "nllb3",
             "facebook__nllb-200-distilled-600M": "nllb600", "HPLT-MT-models__translate-ar-en-v1.0-hplt": "hplt"}
    paths = {}
    for full, name in short.items():
        paths[name] = tmp_path / f"{name}.en"
        paths[name].write_text("\n".join(systems[full]) + "\n", encoding="utf-8")
    s = tmp_path / "src.ar"
    s.write_text("\n".join(src) + "\n", encoding="utf-8")
    return tmp_path, paths, s


def run(*args):
    return runner.invoke(app, ["select", *map(str, args)])


def test_named_incumbent_is_kept_unless_clearly_beaten(files):
    tmp, paths, src = files
    specs = [f"{n}={p}" for n, p in paths.items()]
    default = select_files(specs, src)
    assert default.summary()["incumbent"] != "m2m"  # trust picks a stronger system than m2m100 on its own
    mine = select_files(specs, src, incumbent="m2m")
    m2m = paths["m2m"].read_text(encoding="utf-8").splitlines()
    assert mine.summary()["incumbent"] == "m2m" and mine.summary()["incumbent_by"] == "named (--incumbent)"
    switched = 0
    for seg, d, line in zip(mine.selection.segments, mine.decisions, mine.lines):
        assert seg.candidates[seg.incumbent].origin == "m2m" and seg.candidates[seg.incumbent].text == m2m[seg.index]
        if d.kept_incumbent:
            assert line == m2m[seg.index] and d.reason.startswith("kept m2m")
        else:
            switched += 1
            assert " beats m2m by " in d.reason and d.gain > d.required
    # The weakest system is still left where the others clearly beat it, and kept elsewhere.
    assert 0 < switched < len(m2m)
    assert mine.lines != default.lines
    # Keeping m2m100 keeps more of it than trust does.
    assert sum(a == b for a, b in zip(mine.lines, m2m)) > sum(a == b for a, b in zip(default.lines, m2m))


def test_cli_incumbent_by_name_or_file_in_report_and_signature(files):
    tmp, paths, src = files
    specs = [f"{n}={p}" for n, p in paths.items()]
    outs = {}
    for how, value in (("name", "nllb600"), ("file", paths["nllb600"])):
        out, rep = tmp / f"o_{how}.en", tmp / f"r_{how}.json"
        r = run("--candidates", *specs, "--source", src, "--incumbent", value, "--out", out, "--report", rep)
        assert r.exit_code == 0, r.output
        assert "kept nllb600 in" in r.output
        d = json.loads(rep.read_text(encoding="utf-8"))
        assert d["inputs"]["incumbent"] == "nllb600" and d["summary"]["incumbent"] == "nllb600"
        assert "nllb600" in d["signature"]["incumbent"] and "--incumbent" in d["signature"]["incumbent"]
        assert {s["incumbent_origin"] for s in d["segments"]} == {"nllb600"}
        outs[how] = out.read_text(encoding="utf-8")
    assert outs["name"] == outs["file"]
    # Without --incumbent the signature says trust chose.
    r = run("--candidates", *specs, "--source", src, "--out", tmp / "o.en", "--report", tmp / "r.json")
    assert r.exit_code == 0, r.output
    d = json.loads((tmp / "r.json").read_text(encoding="utf-8"))
    assert d["inputs"]["incumbent"] is None and "most trusted" in d["signature"]["incumbent"]


def test_plain_path_candidates_named_by_stem(files):
    tmp, paths, src = files
    out = tmp / "o.en"
    r = run("--candidates", *paths.values(), "--source", src, "--incumbent", "hplt", "--out", out)
    assert r.exit_code == 0 and "kept hplt in" in r.output, r.output


def test_with_two_systems_the_named_one_is_the_incumbent_and_no_note(files):
    tmp, paths, src = files
    res = select_files([str(paths["m2m"]), str(paths["nllb3"])], src, incumbent="nllb3")
    assert {seg.candidates[seg.incumbent].origin for seg in res.selection.segments} == {"nllb3"}
    assert not any("two systems" in n for n in res.notes)
    first = select_files([str(paths["m2m"]), str(paths["nllb3"])], src)
    assert any("--incumbent" in n for n in first.notes)


@pytest.mark.parametrize("value", ["nope", "m2m.en", "M2M"])
def test_unknown_incumbent_is_one_line_error_nothing_written(files, value):
    tmp, paths, src = files
    out, rep = tmp / "o.en", tmp / "r.json"
    r = run("--candidates", *[f"{n}={p}" for n, p in paths.items()], "--source", src, "--incumbent", value,
            "--out", out, "--report", rep)
    assert_one_line_error(r, "--incumbent", "is neither the name nor the file of a candidate (names: m2m, nllb3, "
                          "nllb600, hplt)", not_written=[out, rep])


def test_select_lines_library():
    a = ["The cat sat on the mat.", "It rained all day long.", "He bought 3 apples."]
    b = ["The cat sat on the mat.", "It rained the whole day.", "He bought three apples."]
    c = ["A cat is sitting on a mat.", "It rained all day.", "He bought 3 apples."]
    res = select_lines([("a", a), ("b", b), ("c", c)], incumbent="b", tgt_lang="en")
    assert res.incumbent == "b" and res.paths == [None, None, None]
    assert all(seg.incumbent == 1 and seg.candidates[1].text == b[seg.index] for seg in res.selection.segments)
    with pytest.raises(MtfixError, match="not one of the candidates"):
        select_lines([("a", a), ("b", b)], incumbent="z")
    with pytest.raises(MtfixError, match="line count"):
        select_lines([("a", a), ("b", b[:2])])
