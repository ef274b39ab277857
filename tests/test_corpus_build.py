"""`mtfix corpus build`: garbled articles -> repair -> (pivot English, repaired Arabic) pairs,
with the original kept; tiny offline models (their translations are garbage, but real)."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from mtfix.cli.app import app
from mtfix.text.segment import segment

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def built(tiny_models, seed_path, tmp_path_factory):
    d = tmp_path_factory.mktemp("build")
    arts = d / "articles"
    (arts / "sub").mkdir(parents=True)
    shutil.copy(seed_path, arts / "sub" / "seed.txt")
    (arts / "english.md").write_text("This article is in English, not Arabic.\n", encoding="utf-8")
    (arts / "notes.csv").write_text("ignored,not an article\n", encoding="utf-8")
    models = ["-b", tiny_models["marian-ar-en"], "-f", tiny_models["marian-en-ar"], "--beam", "2",
              "--cache", d / "cache.sqlite"]
    r = run("corpus", "build", arts, "-o", d / "kept.jsonl", "--dropped", d / "dropped.jsonl", "--skip-bad",
            "--chunk-size", "7", *models)
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for name in ("kept.jsonl", "dropped.jsonl")
            for line in (d / name).read_text(encoding="utf-8").splitlines()]
    return {"dir": d, "arts": arts, "models": models, "rows": sorted(rows, key=lambda r: r["id"]), "out": r.output}


def test_every_sentence_becomes_a_pair_with_its_original_and_provenance(built, seed_path):
    rows = built["rows"]
    doc = segment(seed_path.read_text(encoding="utf-8"), "ar")
    assert len(rows) == len(doc.sentences)
    for row, sentence in zip(rows, doc.sentences):
        assert row["original"] == sentence.text
        assert (row["doc_id"], row["line"], row["segment"]) == ("sub/seed.txt", sentence.line, sentence.index)
        assert row["source"] == str(built["arts"] / "sub" / "seed.txt")
        assert row["en"].strip() and row["ar"].strip()
        assert set(row["scores"]) >= {"script", "numbers", "roundtrip_chrf", "dedup"}


def test_pairs_are_the_repair_loops_pivot_and_choice(built, seed_path):
    d = built["dir"]
    r = run("repair", seed_path, *built["models"], "--out", d / "repaired.txt", "--report", d / "report.json")
    assert r.exit_code == 0, r.output
    report = json.loads((d / "report.json").read_text(encoding="utf-8"))
    for row, s in zip(built["rows"], report["sentences"]):
        assert row["en"] == s["pivots"][0]["text"]
        assert row["ar"] == s["repaired"]


def test_a_bad_article_is_rejected_or_stops_the_run(built, tmp_path):
    summary = json.loads((built["dir"] / "kept.summary.json").read_text(encoding="utf-8"))
    assert summary["summary"]["bad_rows"] == 1
    (reject,) = [json.loads(x) for x in (built["dir"] / "kept.rejects.jsonl").read_text().splitlines()]
    assert reject["source"].endswith("english.md") and "looks like English" in reject["error"]
    sig = summary["signature"]
    assert sig["mode"] == "build" and "repair" in sig and "roundtrip_chrf(" in sig["line"]
    assert "|repair:back=marian-ar-en,fwd=marian-en-ar,beam=2,nbest=2x2,stage0=rules+glossary|" in sig["line"]
    r = run("corpus", "build", built["arts"], "-o", tmp_path / "k.jsonl", *built["models"])
    assert r.exit_code == 2
    assert r.output.strip() == f"error: {built['arts'] / 'english.md'} looks like English, not Arabic; " \
                               "mtfix repair takes the Arabic machine translation; fix it, or pass --skip-bad to " \
                               "log bad rows to a rejects file and go on"
    assert list(tmp_path.iterdir()) == []


def test_article_cursor_continues_mid_article(built, tiny_models):
    from mtfix.corpus.articles import ArticleSource
    from mtfix.engine import open_translator
    from mtfix.engine.cache import TranslationCache
    from mtfix.repair import RepairDecoding

    cache = TranslationCache(built["dir"] / "cache.sqlite")
    back = [("marian-ar-en", open_translator(str(tiny_models["marian-ar-en"]), cache=cache))]
    fwd = [("marian-en-ar", open_translator(str(tiny_models["marian-en-ar"]), cache=cache))]
    source = ArticleSource([built["arts"]], back=back, forward=fwd, decoding=RepairDecoding.make(beam_size=2))
    source.check()
    items = list(source.read())
    assert len(items) == len(built["rows"]) + 1  # the English article is a bad row
    for k in (0, 5, len(items) - 3):
        rest = [(p.tgt, p.line) for p, _ in source.read(items[k][1])]
        assert rest == [(p.tgt, p.line) for p, _ in items[k + 1:]]
    assert back[0][1].misses == 0  # everything came from the cache of the CLI run


def test_filter_with_a_back_model_scores_the_round_trip(tiny_models, tmp_path):
    src = tmp_path / "bi.tsv"
    src.write_text("The committee met on Tuesday.\tاجتمعت اللجنة يوم الثلاثاء.\n"
                   "Rain closed the roads.\tأغلق المطر الطرق.\n", encoding="utf-8")
    args = ["corpus", "filter", src, "-o", tmp_path / "o.jsonl", "--dropped", tmp_path / "d.jsonl",
            "--cache", tmp_path / "cache.sqlite", "--beam", "2"]
    r = run(*args, "--back-model", tiny_models["marian-ar-en"])
    assert r.exit_code == 0, r.output
    assert "+roundtrip_chrf(min_chrf=28,normalize=none,model=marian-ar-en)+" in r.output
    rows = [json.loads(x) for name in ("o.jsonl", "d.jsonl") for x in (tmp_path / name).read_text().splitlines()]
    assert len(rows) == 2 and all(0 <= row["scores"]["roundtrip_chrf"] <= 100 for row in rows)
    # a model of the wrong direction fails before any work
    r = run(*args, "--back-model", tiny_models["marian-en-ar"], "--restart")
    assert r.exit_code == 2 and len(r.output.strip().splitlines()) == 1, r.output


def test_a_wrong_direction_model_stops_build_even_with_skip_bad(built, tiny_models, tmp_path):
    out = tmp_path / "k.jsonl"
    r = run("corpus", "build", built["arts"], "-o", out, "--skip-bad",
            "-b", tiny_models["marian-en-ar"], "-f", tiny_models["marian-en-ar"])
    assert r.exit_code == 2
    [line] = r.output.strip().splitlines()
    assert line.startswith("error: ") and "source language en, not ar" in line and "--skip-bad" not in line
    assert list(tmp_path.iterdir()) == []
