"""`mtfix select`: outputs, report, and one-line errors (exit 2, nothing written)."""

from __future__ import annotations

import json
import random

import pytest
from typer.testing import CliRunner

from mtfix.cli.app import app

from conftest import assert_one_line_error

runner = CliRunner()

SRC = [f"افتتح الوزير الجسر الجديد فوق النهر في اليوم {i} من المهرجان." for i in range(1, 25)]
TRUTH = [f"The minister opened the new bridge over the river on day {i} of the festival." for i in range(1, 25)]
SYSTEMS = {
    "good": TRUTH,
    "fair": [t.replace("opened", "inaugurated") for t in TRUTH],
    "weak": [t.replace("minister opened the new bridge", "official open bridge new") for t in TRUTH],
    # drops the number in every line: the numbers check and consensus both dislike it
    "bad": [t.replace(f" on day {i} ", " on a day ") for i, t in enumerate(TRUTH, 1)],
}


def write(path, lines):
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.fixture()
def files(tmp_path):
    paths = {n: write(tmp_path / f"{n}.en", lines) for n, lines in SYSTEMS.items()}
    return tmp_path, paths, write(tmp_path / "src.ar", SRC)


def run(*args):
    return runner.invoke(app, ["select", *map(str, args)])


def test_select_writes_output_and_report(files):
    tmp, paths, src = files
    out, rep = tmp / "out.en", tmp / "why.json"
    r = run("--candidates", *paths.values(), "--source", src, "--out", out, "--report", rep)
    assert r.exit_code == 0, r.output
    assert out.read_text(encoding="utf-8").splitlines() == TRUTH
    d = json.loads(rep.read_text(encoding="utf-8"))
    sig = d["signature"]
    assert sig["weights"]["consensus"] == 1.0 and sig["margin"] == 0.01 and sig["normalize"] == "none"
    assert sig["sacrebleu"] and sig["mtfix"] and sig["languages"] == {"source": "ar", "target": "en"}
    assert {s["name"] for s in sig["scorers"]} >= {"consensus", "numbers", "script", "repetition", "length"}
    assert [c["name"] for c in d["inputs"]["candidates"]] == list(SYSTEMS)
    assert d["summary"]["incumbent"] == "good" and d["summary"]["segments"] == len(TRUTH)
    seg = d["segments"][0]
    assert seg["chosen_origin"] == "good" and seg["kept_incumbent"] and seg["reason"].startswith("kept good")
    assert len(seg["candidates"]) == 4
    bad = next(c for c in seg["candidates"] if c["origin"] == "bad")
    assert bad["scores"]["numbers"]["value"] < 1 and "missing 1" in bad["scores"]["numbers"]["reason"]
    assert set(bad["scores"]) == {"consensus", "numbers", "length", "script", "repetition"}


def test_order_and_file_names_do_not_matter(files):
    tmp, paths, src = files
    outs = []
    items = list(paths.items())
    for k in range(3):
        random.Random(k).shuffle(items)
        specs = [f"n{random.Random(k + 10).randint(0, 10**6)}_{j}={p}" for j, (_, p) in enumerate(items)]
        out = tmp / f"o{k}.en"
        assert run("--candidates", *specs, "--source", src, "--out", out).exit_code == 0
        outs.append(out.read_text(encoding="utf-8"))
    assert outs[0] == outs[1] == outs[2]


def test_repeated_option_and_named_specs(files):
    tmp, paths, _ = files
    out = tmp / "o.en"
    args = []
    for name, p in paths.items():
        args += ["--candidates", f"{name.upper()}={p}"]
    r = run(*args, "--out", out, "--report", tmp / "r.json")
    assert r.exit_code == 0, r.output
    d = json.loads((tmp / "r.json").read_text(encoding="utf-8"))
    assert d["summary"]["incumbent"] == "GOOD" and d["inputs"]["source"] is None
    assert any("need a source" in n for n in d["notes"])


def test_line_count_mismatch(files):
    tmp, paths, src = files
    short = write(tmp / "short.en", TRUTH[:-1])
    out = tmp / "o.en"
    r = run("--candidates", paths["good"], short, "--out", out)
    assert_one_line_error(r, "short.en has 23", not_written=[out])
    assert "good.en has 24" in r.output
    r = run("--candidates", paths["good"], paths["fair"], "--source", write(tmp / "s.ar", SRC[:3]), "--out", out)
    assert_one_line_error(r, "source", not_written=[out])


def test_single_candidate(files):
    tmp, paths, _ = files
    assert_one_line_error(run("--candidates", paths["good"], "--out", tmp / "o"),
                          "at least two", not_written=[tmp / "o"])


def test_empty_and_binary_and_missing(files):
    tmp, paths, _ = files
    empty = tmp / "empty.en"
    empty.write_text("\n\n", encoding="utf-8")
    assert_one_line_error(run("--candidates", paths["good"], empty, "--out", tmp / "o"),
                          "empty", not_written=[tmp / "o"])
    binary = tmp / "bin.en"
    binary.write_bytes(b"\x00\x01\x02abc\n" * 24)
    assert_one_line_error(run("--candidates", paths["good"], binary, "--out", tmp / "o"),
                          "binary", not_written=[tmp / "o"])
    assert_one_line_error(run("--candidates", paths["good"], tmp / "nope.en", "--out", tmp / "o"),
                          "no such file", not_written=[tmp / "o"])


def test_out_is_an_input(files):
    tmp, paths, _ = files
    before = paths["fair"].read_text(encoding="utf-8")
    assert_one_line_error(run("--candidates", paths["good"], paths["fair"], "--out", paths["fair"]), "also an input")
    assert paths["fair"].read_text(encoding="utf-8") == before
    r = run("--candidates", paths["good"], paths["fair"], "--out", tmp / "o", "--report", paths["good"])
    assert_one_line_error(r, "also an input", not_written=[tmp / "o"])
    assert_one_line_error(run("--candidates", paths["good"], paths["fair"], "--out", tmp / "o", "--report", tmp / "o"),
                          "both write", not_written=[tmp / "o"])


def test_wrong_language(files):
    tmp, paths, src = files
    out = tmp / "o"
    assert_one_line_error(run("--candidates", paths["good"], paths["fair"], "--tgt-lang", "ar", "--out", out),
                          "looks like English but the target language is Arabic", not_written=[out])
    assert_one_line_error(run("--candidates", paths["good"], src, "--out", out), "looks like Arabic", not_written=[out])
    assert_one_line_error(run("--candidates", paths["good"], paths["fair"], "--source", paths["weak"], "--out", out),
                          "same language", not_written=[out])
    assert_one_line_error(run("--candidates", paths["good"], paths["fair"], "--tgt-lang", "xx", "--out", out),
                          "unknown language", not_written=[out])


def test_duplicate_names_and_bad_options(files):
    tmp, paths, _ = files
    out = tmp / "o"
    assert_one_line_error(run("--candidates", f"a={paths['good']}", f"a={paths['fair']}", "--out", out),
                          "NAME=PATH", not_written=[out])
    r = run("--candidates", paths["good"], paths["fair"], "--out", out, "--bogus")
    assert r.exit_code == 2 and "--bogus" in r.output and not out.exists()  # click's usage error
    assert_one_line_error(run("--candidates", paths["good"], paths["fair"]), "--out", not_written=[out])
    assert_one_line_error(run("--candidates", paths["good"], paths["fair"], "--out", out, "--back-model", "m"),
                          "needs --source", not_written=[out])


def test_bad_config_file(files):
    tmp, paths, _ = files
    c = tmp / "c.toml"
    c.write_text("[weights]\nconsensos = 1\n", encoding="utf-8")
    assert_one_line_error(run("--candidates", paths["good"], paths["fair"], "--out", tmp / "o", "--config", c),
                          "consensos", not_written=[tmp / "o"])


def test_config_changes_the_signature(files):
    tmp, paths, _ = files
    c = tmp / "c.toml"
    c.write_text("[selection]\nz = 3.0\n[weights]\nnumbers = 0\n", encoding="utf-8")
    r = run("--candidates", paths["good"], paths["fair"], paths["weak"], "--out", tmp / "o", "--report", tmp / "r.json",
            "--config", c)
    assert r.exit_code == 0, r.output
    sig = json.loads((tmp / "r.json").read_text(encoding="utf-8"))["signature"]
    assert sig["z"] == 3.0 and sig["weights"]["numbers"] == 0.0 and sig["config"] == str(c)


def test_with_two_systems_the_first_given_is_the_incumbent(shared_data, tmp_path):
    from mtfix.select import select_files

    d = shared_data / "systems" / "flores200-devtest.ara-eng"
    m2m, nllb = d / "facebook__m2m100_418M.txt", d / "facebook__nllb-200-3.3B.txt"
    lines = [p.read_text(encoding="utf-8").splitlines()[:80] for p in (m2m, nllb)]
    for name, ls in zip(("m2m", "nllb"), lines):
        (tmp_path / f"{name}.txt").write_text("\n".join(ls) + "\n", encoding="utf-8")
    a = select_files([f"zz={tmp_path / 'nllb.txt'}", f"aa={tmp_path / 'm2m.txt'}"])
    b = select_files([f"aa={tmp_path / 'nllb.txt'}", f"zz={tmp_path / 'm2m.txt'}"])
    # The names do not matter, the order does: the first file is the incumbent either way.
    assert a.lines == b.lines
    assert {seg.candidates[seg.incumbent].text for seg in a.selection.segments} <= set(lines[1])
    assert any("two systems" in n for n in a.notes)
