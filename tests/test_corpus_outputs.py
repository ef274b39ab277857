"""Corpus outputs: JSONL, TSV, Parquet and a Hugging Face dataset, the same rows in each,
with provenance columns, every filter's score, the reason, and the signature in the metadata."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mtfix.cli.app import app

runner = CliRunner()

ROWS = [
    ("The committee approved the budget on Tuesday.", "وافقت اللجنة على الميزانية يوم الثلاثاء."),
    ("Heavy rain closed 12 roads in the north.", "أغلقت الأمطار الغزيرة 13 طريقا في الشمال."),  # changed number
    ("The museum will reopen next spring.", "The museum will reopen next spring."),  # untranslated
    ("Scientists found water ice\tnear the pole.", "وجد العلماء جليدا مائيا قرب القطب."),  # a tab inside
    ("The committee approved the budget on Tuesday.", "وافقت اللجنة على الميزانية يوم الثلاثاء."),  # duplicate
    ("", "فارغ"),  # empty
]


def run(*args):
    return runner.invoke(app, ["corpus", *map(str, args)])


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    d = tmp_path_factory.mktemp("outputs")
    src = d / "in.jsonl"
    src.write_text("".join(json.dumps({"en": e, "ar": a, "doc_id": f"doc{i // 3}"}, ensure_ascii=False) + "\n"
                           for i, (e, a) in enumerate(ROWS)), encoding="utf-8")
    r = run("filter", src, "-o", d / "c.jsonl", "-o", d / "c.tsv", "-o", d / "c.parquet", "-o", d / "c_hf",
            "--dropped", d / "dropped.parquet", "--summary", d / "sum.json")
    assert r.exit_code == 0, r.output
    return d, r.output


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_kept_pairs_with_provenance_and_scores(outputs):
    d, _ = outputs
    rows = jsonl(d / "c.jsonl")
    assert [r["id"] for r in rows] == [0, 3]
    first = rows[0]
    assert list(first) == ["id", "en", "ar", "original", "source", "doc_id", "line", "segment", "kept", "reason",
                           "scores"]
    assert first["source"] == str(d / "in.jsonl") and first["doc_id"] == "doc0"
    assert (first["line"], first["segment"], first["kept"], first["reason"], first["original"]) == (1, 0, True, "", None)
    assert list(first["scores"]) == ["empty", "max_length", "markup", "length_ratio", "script", "numbers", "repetition",
                                     "align", "dedup"]
    assert rows[1]["en"] == ROWS[3][0]  # the tab is kept in JSONL


def test_dropped_pairs_say_why(outputs):
    import pyarrow.parquet as pq

    d, _ = outputs
    dropped = pq.read_table(d / "dropped.parquet").to_pylist()
    reasons = {r["id"]: r["reason"] for r in dropped}
    assert set(reasons) == {1, 2, 4, 5}
    assert reasons[1] == "numbers: 1 changed: 12 -> 13"
    assert reasons[2].startswith("script: ar side 0% Arabic script")
    assert reasons[4] == "dedup: exact duplicate of #0"
    assert reasons[5].startswith("empty: en side has 0 letters/digits")
    assert all(not r["kept"] and len(r["scores"]) == 9 for r in dropped)


def test_every_format_holds_the_same_rows(outputs):
    import datasets
    import pyarrow.parquet as pq

    d, _ = outputs
    rows = jsonl(d / "c.jsonl")
    for r in rows:
        r["scores"] = {k: float(v) for k, v in r["scores"].items()}
    assert pq.read_table(d / "c.parquet").to_pylist() == rows
    ds = datasets.load_from_disk(str(d / "c_hf"))
    assert ds.to_list() == rows
    assert ds.features["scores"]["numbers"].dtype == "float64"
    header, *lines = (d / "c.tsv").read_text(encoding="utf-8").splitlines()
    assert header.split("\t") == ["id", "en", "ar", "original", "source", "doc_id", "line", "segment", "kept",
                                  "reason", "score.empty", "score.max_length", "score.markup", "score.length_ratio",
                                  "score.script", "score.numbers", "score.repetition", "score.align", "score.dedup"]
    cells = [line.split("\t") for line in lines]
    assert [c[0] for c in cells] == ["0", "3"]
    assert cells[1][1] == "Scientists found water ice near the pole."  # TSV: a tab inside a text becomes a space
    assert all(len(c) == 19 for c in cells)


def test_signature_and_summary_in_the_metadata(outputs):
    import datasets
    import pyarrow.parquet as pq

    d, stderr = outputs
    summary = json.loads((d / "sum.json").read_text(encoding="utf-8"))
    line = summary["signature"]["line"]
    assert line.startswith("mtfix:") and "|filters:empty(min_chars=1)+" in line and "dedup(" in line
    assert f"signature: {line}" in stderr
    s = summary["summary"]
    assert (s["pairs"], s["kept"], s["dropped"], s["bad_rows"]) == (6, 2, 4, 0)
    assert sum(f["first"] for f in s["filters"].values()) == s["dropped"]
    assert s["filters"]["script"] == {"rejected": 1, "first": 1}
    meta = json.loads(pq.read_schema(d / "c.parquet").metadata[b"mtfix"])
    assert meta["signature"]["line"] == line and meta["summary"] == s
    info = json.loads(datasets.load_from_disk(str(d / "c_hf")).info.description)
    assert info["mtfix_corpus"]["signature"]["line"] == line
    assert "roundtrip_chrf: skipped, no back-translation model (--back-model)" in summary["signature"]["notes"]
    assert "kept 2 of 6 pairs, dropped 4" in stderr


def test_a_dataset_dir_output_replaces_an_earlier_one(outputs, tmp_path):
    import datasets

    d, _ = outputs
    src = tmp_path / "in.tsv"
    src.write_text(f"{ROWS[0][0]}\t{ROWS[0][1]}\n", encoding="utf-8")
    out = tmp_path / "ds"
    for _ in range(2):
        assert run("filter", src, "-o", out, "-q").exit_code == 0
    assert len(datasets.load_from_disk(str(out))) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds", "ds.summary.json", "in.tsv"]


def test_empty_result_still_writes_valid_outputs(tmp_path):
    import datasets
    import pyarrow.parquet as pq

    src = tmp_path / "in.tsv"
    src.write_text("Hello there.\tHello there.\n", encoding="utf-8")  # untranslated: dropped
    r = run("filter", src, "-o", tmp_path / "c.parquet", "-o", tmp_path / "c_hf", "-o", tmp_path / "c.jsonl", "-q")
    assert r.exit_code == 0, r.output
    assert pq.read_table(tmp_path / "c.parquet").num_rows == 0
    assert len(datasets.load_from_disk(str(tmp_path / "c_hf"))) == 0
    assert (tmp_path / "c.jsonl").read_text() == ""


def test_line_separators_inside_a_text_never_split_a_record(tmp_path):
    src = tmp_path / "in.jsonl"
    en, ar = "One line\u2028and a next-line\x85char.", "سطر\u2028واحد وحرف\x85آخر."
    src.write_text(json.dumps({"en": en, "ar": ar}) + "\n", encoding="utf-8")
    # ftfy reads a lone \x85 as mojibake of "…" (repairable): keep such pairs here
    (tmp_path / "keep.toml").write_text('[filters.markup]\nrepairable = "keep"\n', encoding="utf-8")
    assert run("filter", src, "-o", tmp_path / "c.jsonl", "-o", tmp_path / "c.tsv", "-q",
               "--pipeline", tmp_path / "keep.toml").exit_code == 0
    (line,) = (tmp_path / "c.jsonl").read_text(encoding="utf-8").splitlines()
    assert (json.loads(line)["en"], json.loads(line)["ar"]) == (en, ar)
    assert len((tmp_path / "c.tsv").read_text(encoding="utf-8").splitlines()) == 2
