"""Corpus inputs: every bitext format, resumable cursors, and bad input (one line, exit 2, or --skip-bad)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mtfix.cli.app import app
from mtfix.corpus.readers import open_bitext
from mtfix.corpus.records import BadRow, Pair
from mtfix.errors import MtfixError

from conftest import assert_one_line_error

runner = CliRunner()

EN = ["The committee approved the budget on Tuesday.", "Heavy rain closed 12 roads in the north.",
      "The museum will reopen next spring.", "Scientists found water ice near the pole."]
AR = ["وافقت اللجنة على الميزانية يوم الثلاثاء.", "أغلقت الأمطار الغزيرة 12 طريقا في الشمال.",
      "سيعاد افتتاح المتحف الربيع المقبل.", "وجد العلماء جليدا مائيا قرب القطب."]


def run(*args):
    return runner.invoke(app, ["corpus", *map(str, args)])


def write(path: Path, lines, end="\n") -> Path:
    path.write_text(end.join(lines) + end, encoding="utf-8")
    return path


def tsv(tmp_path, rows=None, name="bi.tsv") -> Path:
    return write(tmp_path / name, rows if rows is not None else [f"{e}\t{a}" for e, a in zip(EN, AR)])


def jsonl(tmp_path, rows=None, name="bi.jsonl") -> Path:
    rows = rows if rows is not None else [json.dumps({"en": e, "ar": a}, ensure_ascii=False) for e, a in zip(EN, AR)]
    return write(tmp_path / name, rows)


def hf_dataset(tmp_path, name="ds", split=None, translation=True):
    import datasets

    if translation:
        data = {"translation": [{"en": e, "ar": a} for e, a in zip(EN, AR)], "doc_id": ["d1", "d1", "d2", "d2"]}
    else:
        data = {"source": EN, "target": AR}
    ds = datasets.Dataset.from_dict(data)
    if split:
        ds = datasets.DatasetDict({split: ds, "test": ds.select(range(1))})
    ds.save_to_disk(str(tmp_path / name))
    return tmp_path / name


def pairs_of(source, cursor=None):
    source.check()
    return [(item, cur) for item, cur in source.read(cursor)]


def kept_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# ---------------------------------------------------------------- formats


@pytest.mark.parametrize("fmt", ["tsv", "jsonl", "plain", "hf", "chain"])
def test_every_format_reads_the_pairs_with_provenance(tmp_path, fmt):
    if fmt == "tsv":
        paths = [tsv(tmp_path)]
    elif fmt == "jsonl":
        paths = [jsonl(tmp_path)]
    elif fmt == "plain":
        paths = [write(tmp_path / "c.en", EN), write(tmp_path / "c.ar", AR, end="\r\n")]
    elif fmt == "hf":
        paths = [hf_dataset(tmp_path)]
    else:
        paths = [tsv(tmp_path), jsonl(tmp_path)]
    items = pairs_of(open_bitext(paths))
    pairs = [p for p, _ in items]
    n = 8 if fmt == "chain" else 4
    assert [(p.src, p.tgt) for p in pairs] == list(zip(EN, AR)) * (n // 4)
    assert [p.line for p in pairs[:4]] == [1, 2, 3, 4] and [p.segment for p in pairs[:4]] == [0, 1, 2, 3]
    assert pairs[0].source == str(paths[0])
    if fmt == "hf":
        assert [p.doc_id for p in pairs] == ["d1", "d1", "d2", "d2"]


@pytest.mark.parametrize("fmt", ["tsv", "jsonl", "plain", "hf", "chain"])
def test_a_cursor_continues_right_after_its_item(tmp_path, fmt):
    if fmt == "tsv":
        paths = [tsv(tmp_path)]
    elif fmt == "jsonl":
        paths = [jsonl(tmp_path)]
    elif fmt == "plain":
        paths = [write(tmp_path / "c.en", EN), write(tmp_path / "c.ar", AR)]
    elif fmt == "hf":
        paths = [hf_dataset(tmp_path)]
    else:
        paths = [tsv(tmp_path), hf_dataset(tmp_path)]
    source = open_bitext(paths)
    items = pairs_of(source)
    for k in range(len(items)):
        rest = [(p.src, p.tgt, p.line) for p, _ in source.read(items[k][1])]
        assert rest == [(p.src, p.tgt, p.line) for p, _ in items[k + 1:]]
        json.dumps(items[k][1])  # cursors are stored as JSON


def test_column_order_from_a_header_or_the_script(tmp_path):
    swapped = [f"{a}\t{e}" for e, a in zip(EN, AR)]
    for rows in (swapped, ["ar\ten", *swapped]):
        items = pairs_of(open_bitext([tsv(tmp_path, rows)]))
        assert [(p.src, p.tgt) for p, _ in items] == list(zip(EN, AR))
    # plain files given Arabic first
    items = pairs_of(open_bitext([write(tmp_path / "x.ar", AR), write(tmp_path / "x.en", EN)]))
    assert [(p.src, p.tgt) for p, _ in items] == list(zip(EN, AR))
    # told explicitly: the columns are taken as they come
    items = pairs_of(open_bitext([tsv(tmp_path, swapped)], order=("en", "ar")))
    assert items[0][0].src == AR[0]


def test_jsonl_field_names_and_doc_ids(tmp_path):
    rows = [json.dumps({"source": e, "target": a, "doc_id": 7}, ensure_ascii=False) for e, a in zip(EN, AR)]
    items = pairs_of(open_bitext([jsonl(tmp_path, rows)], fields=("source", "target")))
    assert items[0][0].src == EN[0] and items[0][0].doc_id == "7"
    ds = hf_dataset(tmp_path, "plainds", translation=False)
    items = pairs_of(open_bitext([ds], fields=("source", "target")))
    assert [(p.src, p.tgt) for p, _ in items] == list(zip(EN, AR))


def test_dataset_dict_needs_a_split_only_when_ambiguous(tmp_path):
    ds = hf_dataset(tmp_path, "dd", split="train")
    items = pairs_of(open_bitext([ds]))  # "train" is taken
    assert len(items) == 4
    assert len(pairs_of(open_bitext([ds], split="test"))) == 1
    with pytest.raises(MtfixError, match="has splits train, test; choose one with --split"):
        open_bitext([ds], split="dev").check()


# ---------------------------------------------------------------- bad input


def test_ragged_tsv_row_is_one_line_exit_2_and_nothing_written(tmp_path):
    src = tsv(tmp_path, [f"{EN[0]}\t{AR[0]}", f"{EN[1]}\t{AR[1]}\textra", f"{EN[2]}"])
    out = tmp_path / "out.jsonl"
    assert_one_line_error(run("filter", src, "-o", out), f"{src}:2: expected 2 tab-separated fields, found 3",
                     "--skip-bad")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bi.tsv"]  # no output, no work dir


def test_skip_bad_logs_rows_to_the_rejects_file_and_goes_on(tmp_path):
    src = tsv(tmp_path, [f"{EN[0]}\t{AR[0]}", f"{EN[1]}\t{AR[1]}\textra", f"{EN[2]}", f"{EN[3]}\t{AR[3]}"])
    out = tmp_path / "out.jsonl"
    r = run("filter", src, "-o", out, "--skip-bad")
    assert r.exit_code == 0, r.output
    assert "2 unreadable rows rejected" in r.output
    assert [row["line"] for row in kept_rows(out)] == [1, 4]
    rejects = kept_rows(tmp_path / "out.rejects.jsonl")
    assert [(x["source"], x["line"]) for x in rejects] == [(str(src), 2), (str(src), 3)]
    assert rejects[0]["raw"] == f"{EN[1]}\t{AR[1]}\textra" and "found 1" in rejects[1]["error"]
    summary = json.loads((tmp_path / "out.summary.json").read_text(encoding="utf-8"))["summary"]
    assert summary["bad_rows"] == 2 and summary["pairs"] == 2


def test_a_jsonl_line_that_is_not_json(tmp_path):
    good = json.dumps({"en": EN[0], "ar": AR[0]}, ensure_ascii=False)
    src = jsonl(tmp_path, [good, '{"en": "x", "ar": ', "", '["a list"]', '{"en": "only english"}', good])
    assert_one_line_error(run("filter", src, "-o", tmp_path / "o.jsonl"), f"{src}:2: not JSON (")
    r = run("filter", src, "-o", tmp_path / "o.jsonl", "--skip-bad")
    assert r.exit_code == 0, r.output
    errors = {x["line"]: x["error"] for x in kept_rows(tmp_path / "o.rejects.jsonl")}
    assert set(errors) == {2, 4, 5}  # line 3 is blank: skipped, not an error
    assert "expected a JSON object" in errors[4] and 'no "ar" field' in errors[5]
    # the duplicate on line 6 is dropped by dedup, with the id of line 1's pair
    assert [x["line"] for x in kept_rows(tmp_path / "o.jsonl")] == [1]


#: JSON rows the parser itself cannot take: an integer past Python's 4300-digit limit, nesting past its recursion
HOSTILE_JSON = {"huge-int": ('{"en": "x", "ar": "y", "n": ' + "9" * 5000 + "}", "not JSON (Exceeds the limit"),
                "deep": ('{"en": "x", "ar": "y", "n": ' + "[" * 100000 + "]" * 100000 + "}", "not JSON (nested too deeply)")}


def _hostile_jsonl(tmp_path, kind: str) -> Path:
    good = [json.dumps({"en": e, "ar": a}, ensure_ascii=False) for e, a in zip(EN, AR)]
    return jsonl(tmp_path, good[:2] + [HOSTILE_JSON[kind][0]] + good[2:])


@pytest.mark.parametrize("kind", HOSTILE_JSON)
def test_json_the_parser_cannot_take_is_a_bad_row(tmp_path, kind):
    """A row nested thousands deep was a RecursionError traceback (and left the work dir behind)."""
    src = _hostile_jsonl(tmp_path, kind)
    assert_one_line_error(run("filter", src, "-o", tmp_path / "o.jsonl"), f"{src}:3: {HOSTILE_JSON[kind][1]}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bi.jsonl"]  # no output, no work dir
    r = run("filter", src, "-o", tmp_path / "o.jsonl", "--skip-bad")
    assert r.exit_code == 0, r.output
    (reject,) = kept_rows(tmp_path / "o.rejects.jsonl")
    assert reject["line"] == 3 and reject["error"].startswith(HOSTILE_JSON[kind][1])
    assert [x["line"] for x in kept_rows(tmp_path / "o.jsonl")] == [1, 2, 4, 5]


def _ray_filter(tmp_path, src, *args):
    import os
    import subprocess
    import sys

    from conftest import REPO

    pytest.importorskip("ray", reason="Ray is the optional extra mtfix[ray]")
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "mtfix", "corpus", "filter", str(src), "-o", str(tmp_path / "o.jsonl"),
                           "--ray", "local", "--workers", "1", *args], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=600)


def test_json_the_parser_cannot_take_on_ray_is_the_same_one_line(tmp_path):
    """On Ray too: one line, exit 2, and nothing more on stderr (the warm-up of Ray Data, left running
    when planning stopped at the bad row, started a second cluster from its thread as Ray shut down at
    exit: a Ray warning, or Ray Data's traceback, after the error line)."""
    src = _hostile_jsonl(tmp_path, "deep")
    p = _ray_filter(tmp_path, src)
    assert p.returncode == 2 and p.stderr.splitlines() == [p.stderr.splitlines()[0]], p.stderr
    assert p.stderr.startswith(f"error: {src}:3: not JSON (nested too deeply)"), p.stderr
    assert sorted(x.name for x in tmp_path.iterdir()) == ["bi.jsonl"]


@pytest.mark.slow
@pytest.mark.parametrize("kind", HOSTILE_JSON)
def test_json_the_parser_cannot_take_on_ray_goes_to_the_rejects_with_skip_bad(tmp_path, kind):
    src = _hostile_jsonl(tmp_path, kind)
    p = _ray_filter(tmp_path, src, "--skip-bad")
    assert p.returncode == 0, p.stderr
    (reject,) = kept_rows(tmp_path / "o.rejects.jsonl")
    assert reject["line"] == 3 and reject["error"].startswith(HOSTILE_JSON[kind][1])
    assert [x["line"] for x in kept_rows(tmp_path / "o.jsonl")] == [1, 2, 4, 5]


def test_plain_files_of_different_lengths(tmp_path):
    en, ar = write(tmp_path / "c.en", EN), write(tmp_path / "c.ar", AR[:3])
    assert_one_line_error(run("filter", en, ar, "-o", tmp_path / "o.jsonl"),
                     f"{en} has 4 lines but {ar} has 3", f"{en}:4 has no partner")
    assert not (tmp_path / "o.jsonl.partial").exists()
    r = run("filter", en, ar, "-o", tmp_path / "o.jsonl", "--skip-bad")
    assert r.exit_code == 0, r.output
    (reject,) = kept_rows(tmp_path / "o.rejects.jsonl")
    assert reject["line"] == 4 and reject["raw"] == EN[3] and "no line 4 in" in reject["error"]


@pytest.mark.parametrize("skip", [False, True])
def test_an_unreadable_dataset_dir(tmp_path, skip):
    bad = tmp_path / "notads"
    bad.mkdir()
    (bad / "state.json").write_text("{broken", encoding="utf-8")
    r = run("filter", bad, "-o", tmp_path / "o.jsonl", *(["--skip-bad"] if skip else []))
    assert_one_line_error(r, f"{bad}: not a readable Hugging Face dataset")


def test_dataset_without_the_text_columns(tmp_path):
    ds = hf_dataset(tmp_path, "cols", translation=False)
    assert_one_line_error(run("filter", ds, "-o", tmp_path / "o.jsonl"), "has columns source, target", "--fields")


@pytest.mark.parametrize("content,needle", [
    ("".encode("utf-8"), "is empty"),
    ("en\tar\n".encode("utf-16"), "is UTF-16, expected UTF-8"),
    (b"\x00\x01\x02binary", "looks binary"),
])
def test_whole_file_problems_are_fatal_even_with_skip_bad(tmp_path, content, needle):
    src = tmp_path / "bad.tsv"
    src.write_bytes(content)
    assert_one_line_error(run("filter", src, "-o", tmp_path / "o.jsonl", "--skip-bad"), str(src), needle)


@pytest.mark.parametrize("content,needle", [
    (b"", "is empty"),
    (b"  \n\n", "is empty"),
    (b"\x00\x01\x02binary", "looks binary"),
    ("en\tar\n".encode("utf-16"), "is UTF-16, expected UTF-8"),
    (None, "no such file"),
])
@pytest.mark.parametrize("command", ["filter", "build"])
def test_a_single_plain_file_says_what_is_wrong_with_it(tmp_path, content, needle, command):
    """Not "plain text input is two line-aligned files": that is said only of a readable text file."""
    src = tmp_path / "in.txt"
    if content is not None:
        src.write_bytes(content)
    line = assert_one_line_error(run(command, src, "-o", tmp_path / "o.jsonl"), str(src), needle,
                                 not_written=[tmp_path / "o.jsonl"])
    assert "two line-aligned" not in line


def test_a_single_readable_plain_file_is_told_a_bitext_is_two(tmp_path):
    src = write(tmp_path / "in.txt", EN)
    assert_one_line_error(run("filter", src, "-o", tmp_path / "o.jsonl"), "two line-aligned files", "--input-format")


def test_a_line_that_is_not_utf8(tmp_path):
    src = tmp_path / "bi.tsv"
    src.write_bytes(f"{EN[0]}\t{AR[0]}\n".encode() + b"caf\xe9\tx\n" + f"{EN[1]}\t{AR[1]}\n".encode())
    assert_one_line_error(run("filter", src, "-o", tmp_path / "o.jsonl"), f"{src}:2: not UTF-8 (invalid byte 0xe9")
    assert run("filter", src, "-o", tmp_path / "o.jsonl", "--skip-bad").exit_code == 0
    assert kept_rows(tmp_path / "o.rejects.jsonl")[0]["raw"] == "caf\ufffd\tx"


def test_inputs_and_outputs_are_checked_before_any_work(tmp_path):
    src = tsv(tmp_path)
    assert_one_line_error(run("filter", src, "-o", src), "is also an input")
    assert_one_line_error(run("filter", src, "-o", tmp_path / "o.csv"), "cannot tell the format of")
    assert_one_line_error(run("filter", src, "-o", tmp_path / "o.jsonl", "--dropped", tmp_path / "o.jsonl"),
                     "--out and --dropped both write")
    assert_one_line_error(run("filter", src, "-o", tmp_path / "nope" / "o.jsonl"), "does not exist")
    assert_one_line_error(run("filter", tmp_path / "missing.tsv", "-o", tmp_path / "o.jsonl"), "no such file")
    assert_one_line_error(run("filter", src, write(tmp_path / "a.txt", AR), "-o", tmp_path / "o.jsonl"),
                          "plain text input is two", "with other inputs")
    assert_one_line_error(run("filter", src, tmp_path / "b.txt", "-o", tmp_path / "o.jsonl"), "b.txt: no such file")
    assert_one_line_error(run("filter", src, "-o", tmp_path / "o.jsonl", "--rejects", tmp_path / "r.jsonl"),
                     "--rejects needs --skip-bad")
    (tmp_path / "somedir").mkdir()
    (tmp_path / "somedir" / "x").write_text("x")
    assert_one_line_error(run("filter", src, "-o", tmp_path / "somedir"), "not a saved dataset")
    assert not (tmp_path / "o.jsonl").exists()


def test_bad_rows_are_items_not_exceptions_in_the_library(tmp_path):
    src = tsv(tmp_path, [f"{EN[0]}\t{AR[0]}", "a\tb\tc", ""])
    items = [i for i, _ in pairs_of(open_bitext([src]))]
    assert isinstance(items[0], Pair) and isinstance(items[1], BadRow)
    assert items[1].message() == f"{src}:2: expected 2 tab-separated fields, found 3"
    assert isinstance(items[2], Pair) and items[2].src == items[2].tgt == ""  # empty line: the empty filter's job
