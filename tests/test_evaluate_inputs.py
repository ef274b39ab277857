"""Bad input to `mtfix evaluate`: one-line errors, exit 2, no traceback, no partial output."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from mtfix.cli.app import app
from mtfix.errors import MtfixError

from conftest import assert_one_line_error
from mtfix.evaluate import check_line_counts, evaluate, load_inputs, parse_system_spec

REF = ["The cat sat on the mat.", "It was a sunny day.", "We went to the beach together.", "Nobody swam."]
SYS_A = ["The cat sat on a mat.", "It was sunny.", "We went to the beach.", "Nobody was swimming."]
SYS_B = ["A cat is on the mat.", "The day was sunny.", "We all went to the sea.", "No one swam."]
SRC = ["جلس القط على الحصيرة.", "كان يوما مشمسا.", "ذهبنا إلى الشاطئ معا.", "لم يسبح أحد."]


def write(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path):
    return {
        "ref": write(tmp_path / "ref.en", REF),
        "a": write(tmp_path / "a.en", SYS_A),
        "b": write(tmp_path / "b.en", SYS_B),
        "src": write(tmp_path / "src.ar", SRC),
    }


def run(*args):
    res = CliRunner().invoke(app, ["evaluate", *map(str, args)])
    return res


def test_line_count_mismatch_names_every_file_and_count(files, tmp_path):
    short = write(tmp_path / "short.en", SYS_B[:3])
    out = tmp_path / "out.json"
    res = run("--ref", files["ref"], "--sys", f"A={files['a']}", "--sys", f"B={short}", "--src", files["src"],
              "--json", out, "--paired", "none")
    assert_one_line_error(res, "line counts differ", files["ref"], "has 4 lines", short, "has 3 lines", files["src"],
                          "system B")
    assert not out.exists()  # no partial output
    assert list(tmp_path.glob(".out.json*")) == []


def test_source_with_other_line_count_is_an_error(files, tmp_path):
    src = write(tmp_path / "src5.ar", SRC + ["سطر زائد."])
    res = run("--ref", files["ref"], "--sys", files["a"], "--src", src)
    assert_one_line_error(res, "line counts differ", src, "has 5 lines")


def test_two_references_with_different_counts(files, tmp_path):
    ref2 = write(tmp_path / "ref2.en", REF + ["extra"])
    res = run("--ref", files["ref"], "--ref", ref2, "--sys", files["a"])
    assert_one_line_error(res, "line counts differ", ref2, "has 5 lines", "has 4 lines")


@pytest.mark.parametrize("which", ["ref", "sys", "src"])
def test_empty_file(files, tmp_path, which):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    args = {"ref": files["ref"], "sys": files["a"], "src": files["src"]}
    args[which] = empty
    res = run("--ref", args["ref"], "--sys", args["sys"], "--src", args["src"])
    assert_one_line_error(res, empty, "empty")


def test_non_utf8_file(files, tmp_path):
    bad = tmp_path / "cp1256.ar"
    bad.write_bytes("\n".join(SRC).encode("cp1256"))
    res = run("--ref", files["ref"], "--sys", files["a"], "--src", bad)
    assert_one_line_error(res, bad, "not UTF-8")


def test_missing_file(files, tmp_path):
    missing = tmp_path / "nope.en"
    res = run("--ref", files["ref"], "--sys", f"X={missing}")
    assert_one_line_error(res, missing, "no such file")
    res = run("--ref", missing, "--sys", files["a"])
    assert_one_line_error(res, missing, "no such file")


def test_system_identical_to_reference_warns_but_scores(files, tmp_path):
    out = tmp_path / "r.json"
    res = run("--ref", files["ref"], "--sys", f"copy={files['ref']}", "--sys", f"A={files['a']}",
              "--paired", "none", "--json", out, "--quiet")
    assert res.exit_code == 0, res.output
    assert "warning: system copy" in res.stderr and "identical to reference" in res.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["systems"][0]["scores"]["BLEU"]["score"] == pytest.approx(100.0)
    assert any("identical to reference" in w for w in report["warnings"])


def test_output_that_is_an_input_is_refused_before_work(files):
    before = files["a"].read_text(encoding="utf-8")
    res = run("--ref", files["ref"], "--sys", files["a"], "--json", files["a"])
    assert_one_line_error(res, "also an input")
    assert files["a"].read_text(encoding="utf-8") == before


def test_two_outputs_on_one_path_or_both_on_stdout(files, tmp_path):
    out = tmp_path / "same.txt"
    assert_one_line_error(run("--ref", files["ref"], "--sys", files["a"], "--json", out, "--markdown", out),
                          "--json", "--markdown")
    assert_one_line_error(run("--ref", files["ref"], "--sys", files["a"], "--json", "-", "--markdown", "-"),
                          "stdout")


@pytest.mark.parametrize("args,needle", [
    (["--sys", "A={a}", "--sys", "A={b}"], "two systems are named 'A'"),
    (["--sys", "A={a}", "--sys", "B={b}", "--baseline", "C"], "--baseline 'C' is not one of the systems"),
    (["--sys", "A={a}", "--metric", "meteor"], "unknown metric 'meteor'"),
    (["--sys", "A={a}", "--paired", "maybe"], "--paired must be one of"),
    (["--sys", "A={a}", "--tokenize", "moses"], "unknown BLEU tokenizer 'moses'"),
    (["--sys", "A={a}", "--worst-by", "ter"], "--worst-by must be chrf or bleu"),
    (["--sys", "={a}"], "bad --sys"),
    (["--sys", "A={a}", "--normalize", "klingon"], "unknown normalisation profile 'klingon'"),
])
def test_bad_options(files, args, needle):
    args = [a.format(a=files["a"], b=files["b"]) for a in args]
    assert_one_line_error(run("--ref", files["ref"], *args), needle)


def test_no_reference_at_all(files):
    assert_one_line_error(run("--sys", files["a"]), "--ref")


def test_no_ref_needs_src_model_and_languages(files):
    assert_one_line_error(run("--no-ref", "--sys", files["a"], "--back-model", "m", "--src-lang", "ar",
                              "--tgt-lang", "en"), "--no-ref needs --src")
    assert_one_line_error(run("--no-ref", "--sys", files["a"], "--src", files["src"], "--src-lang", "ar",
                              "--tgt-lang", "en"), "--back-model")
    assert_one_line_error(run("--no-ref", "--sys", files["a"], "--src", files["src"], "--back-model", "m"),
                          "--src-lang")
    assert_one_line_error(run("--no-ref", "--ref", files["ref"], "--sys", files["a"], "--src", files["src"],
                              "--back-model", "m", "--src-lang", "ar", "--tgt-lang", "en"), "exclude")


def test_json_to_stdout_is_clean_and_tables_go_to_stderr(files):
    res = run("--ref", files["ref"], "--sys", f"A={files['a']}", "--sys", f"B={files['b']}", "--src", files["src"],
              "--json", "-", "--bs-n", "100", "--ar-n", "200")
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert [s["name"] for s in report["systems"]] == ["A", "B"]
    assert report["baseline"] == "A"
    assert set(report["significance"]) == {"bs", "ar"}
    assert "BLEU" in res.stderr and "Signatures" in res.stderr  # the rich tables went to stderr


# ---------------------------------------------------------------- library level


def test_parse_system_spec(tmp_path):
    assert parse_system_spec("base=out/a.txt").name == "base"
    assert str(parse_system_spec("base=out/a.txt").path) == "out/a.txt"
    assert parse_system_spec("out/nllb.en").name == "nllb"
    odd = write(tmp_path / "x=y.txt", ["a"])  # an existing file whose name has '=' is a file, not NAME=FILE
    assert parse_system_spec(str(odd)).path == odd


def test_check_line_counts_message_is_one_line():
    check_line_counts([("a", 3), ("b", 3)])
    with pytest.raises(MtfixError) as e:
        check_line_counts([("reference r.txt", 3), ("system S (s.txt)", 2)])
    assert str(e.value) == ("line counts differ: reference r.txt has 3 lines, system S (s.txt) has 2 lines; "
                            "every file needs one segment per line, aligned line by line")


def test_library_rejects_misaligned_lines_in_memory():
    with pytest.raises(MtfixError, match="line counts differ"):
        evaluate([("A", SYS_A[:2])], [REF], segments=False)


def test_load_inputs_strips_trailing_whitespace_like_sacrebleu_and_warns_on_duplicates(files, tmp_path):
    a2 = write(tmp_path / "a2.en", [line + "  " for line in SYS_A])
    systems, refs, src, warnings = load_inputs([files["ref"]], [f"A={files['a']}", f"A2={a2}"], files["src"])
    assert systems[1][1] == SYS_A and refs == [REF] and src == SRC
    assert warnings == ["systems A and A2 have identical outputs"]


def test_an_unknown_baseline_is_refused_before_any_scoring(files, monkeypatch):
    """Not after a minute of scoring, below the phase lines."""
    from mtfix.evaluate import core

    def never(*a, **k):
        raise AssertionError("scored before the options were checked")

    monkeypatch.setattr(core, "evaluate_files", never)
    assert_one_line_error(run("--ref", files["ref"], "--sys", f"A={files['a']}", "--baseline", "C"),
                          "--baseline 'C' is not one of the systems: A")
