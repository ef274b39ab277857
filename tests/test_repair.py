"""The repair loop end to end: tiny offline models through the CLI, and fake
translators where a test needs to control what the models say."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mtfix.cli.app import app
from mtfix.engine.base import DecodeOptions, Hypothesis
from mtfix.engine.cache import CachedTranslator, TranslationCache
from mtfix.errors import MtfixError
from mtfix.repair import RepairDecoding, repair_text
from mtfix.text.segment import segment

from conftest import assert_one_line_error

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def blank_line_layout(text: str) -> list[bool]:
    return [not line.strip() for line in text.split("\n")]


@pytest.fixture(scope="module")
def tiny_run(tiny_models, seed_path, tmp_path_factory):
    """One real repair of the seed with the tiny models (CTranslate2 int8, the default)."""
    d = tmp_path_factory.mktemp("repair")
    out, report, html, cache = d / "out.txt", d / "report.json", d / "report.html", d / "cache.sqlite"
    args = ["repair", seed_path, "-b", tiny_models["marian-ar-en"], "-f", tiny_models["marian-en-ar"],
            "--beam", "2", "--batch-tokens", "512", "--cache", cache]
    r = run(*args, "--out", out, "--report", report, "--html", html)
    assert r.exit_code == 0, r.output
    return {"args": args, "out": out, "report": report, "html": html, "cache": cache, "result": r, "dir": d}


def test_seed_in_repaired_article_out_with_the_same_layout(tiny_run, seed_path):
    original = seed_path.read_text(encoding="utf-8")
    repaired = tiny_run["out"].read_text(encoding="utf-8")
    assert blank_line_layout(repaired) == blank_line_layout(original)
    assert len(segment(repaired, "ar").paragraphs) == len(segment(original, "ar").paragraphs)
    report = json.loads(tiny_run["report"].read_text(encoding="utf-8"))
    # Every sentence comes back as the chosen candidate, in place.
    for s in report["sentences"]:
        assert s["repaired"] == s["candidates"][s["decision"]["chosen"]]["text"]
        assert s["repaired"] in repaired


def test_report_json_is_complete(tiny_run, seed_path):
    report = json.loads(tiny_run["report"].read_text(encoding="utf-8"))
    n = len(segment(seed_path.read_text(encoding="utf-8"), "ar").sentences)
    assert report["summary"]["sentences"] == n == len(report["sentences"])
    sig = report["signature"]
    assert sig["mtfix"] and sig["sacrebleu"] == "2.6.0"
    assert sig["decoding"] == {"beam_size": 2, "back_n_best": 2, "forward_n_best": 2, "max_batch_tokens": 512,
                              "max_output_ratio": 3.0}
    for side in ("back_models", "forward_models"):
        [m] = sig[side]
        assert m["backend"] == "ctranslate2" and m["quantization"] == "int8"
        assert m["model"]["name"] and "revision" in m["model"]
    assert sig["scoring"]["weights"]["consensus"] > 0 and "normalize" in sig["scoring"]
    assert sig["line"].startswith("mtfix:") and "|norm:" in sig["line"]
    scorers = set(sig["scoring"]["weights"])
    for s in report["sentences"]:
        assert s["candidates"][0]["origin"] == "original" and s["candidates"][0]["text"] == s["original"]
        assert len(s["pivots"]) >= 1 and all(p["text"] for p in s["pivots"])
        assert len(s["candidates"]) >= 2
        assert s["decision"]["reason"]
        for c in s["candidates"]:
            rt = c["scores"]["roundtrip_chrf"]["reason"]
            if c["gated"] and c["back_translation"] is None:  # a gate stopped it: no round trip paid for
                assert rt.startswith("round trip not computed: a gate stopped it")
                assert c["scores"]["roundtrip_chrf"]["value"] == s["candidates"][0]["scores"]["roundtrip_chrf"]["value"]
            else:
                assert c["back_translation"] and "not computed" not in rt  # the round trip of every other one
            assert set(c["scores"]) <= scorers
            assert {"consensus", "roundtrip_chrf", "roundtrip_bleu"} <= set(c["scores"])
            assert all("value" in v and "reason" in v for v in c["scores"].values())


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.rows, self.external, self.signature = [], [], [], ""
        self._in_footer = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        for key in ("src", "href"):
            if a.get(key, "").startswith(("http:", "https:", "//")):
                self.external.append(a[key])
        if tag == "link" or (tag == "script" and "src" in a):
            self.external.append(tag)
        if "sentence" in classes:
            self.rows.append({"changed": "changed" in classes, "cells": {}})
        if self.rows and ("original" in classes or "repair" in classes):
            self.rows[-1]["cells"]["original" if "original" in classes else "repair"] = []
            self._cell = "original" if "original" in classes else "repair"
        if self.rows and tag == "div" and "ar" in classes:
            self.rows[-1]["cells"][self._cell].append(a.get("dir"))
        if tag == "footer":
            self._in_footer = True

    def handle_data(self, data):
        if self._in_footer:
            self.signature += data


def test_html_report_renders_side_by_side_rtl(tiny_run):
    report = json.loads(tiny_run["report"].read_text(encoding="utf-8"))
    page = _Page()
    page.feed(tiny_run["html"].read_text(encoding="utf-8"))
    assert not page.external  # self-contained
    assert len(page.rows) == len(report["sentences"])
    for row, s in zip(page.rows, report["sentences"]):
        assert set(row["cells"]) == {"original", "repair"}
        assert row["cells"]["original"] == ["rtl"] and row["cells"]["repair"] == ["rtl"]
        assert row["changed"] == s["changed"]
    assert report["signature"]["line"] in page.signature


def test_second_run_is_served_from_the_cache(tiny_run, monkeypatch):
    from mtfix.engine.loader import TranslatorPlan

    def no_model(self):
        raise AssertionError("a model was loaded although every translation is cached")

    monkeypatch.setattr(TranslatorPlan, "load", no_model)
    out2 = tiny_run["dir"] / "out2.txt"
    r = run(*tiny_run["args"], "--out", out2)
    assert r.exit_code == 0, r.output
    assert out2.read_text(encoding="utf-8") == tiny_run["out"].read_text(encoding="utf-8")
    assert "by 0 loaded model(s)" in r.stderr


# ---------------------------------------------------------------- fakes


class Fake:
    """A translator whose outputs a test controls: ``fn(text, rank) -> text``."""

    def __init__(self, fn, fail_after: int | None = None):
        self.fn, self.fail_after, self.seen = fn, fail_after, []

    def pair(self, src, tgt):
        return None

    def signature(self):
        return {}

    name = "fake"

    def translate_batch(self, segments, *, src, tgt, options=None, on_progress=None, **overrides):
        n_best = DecodeOptions.of(options, **overrides).n_best
        if self.fail_after is not None and len(self.seen) + len(segments) > self.fail_after:
            raise RuntimeError("out of memory")
        self.seen.extend(segments)
        return [[Hypothesis(self.fn(s, k), -0.5 - k / 10, 10) for k in range(n_best)] for s in segments]


ARTICLE = (
    "يوم السبت سمح لبعض من 20 ، 000 من المدنيين بمغادرة المنطقة.\n\n"
    "قال المتحدث باسم SDF إن المعركة النهائية بدأت.\n"
)
FIXED = {
    "يوم السبت سمح لبعض من 20 ، 000 من المدنيين بمغادرة المنطقة.": "يوم السبت سمح لبعض من 20,000 من المدنيين بمغادرة المنطقة.",
    "قال المتحدث باسم SDF إن المعركة النهائية بدأت.": "قال المتحدث باسم قوات سوريا الديمقراطية إن المعركة النهائية بدأت.",
}
ENGLISH = {
    "يوم السبت سمح لبعض من 20 ، 000 من المدنيين بمغادرة المنطقة.": "On Saturday some of the 20,000 civilians were allowed to leave the area.",
    "قال المتحدث باسم SDF إن المعركة النهائية بدأت.": "The SDF spokesman said the final battle had begun.",
}
TO_ARABIC = {v: FIXED[k] for k, v in ENGLISH.items()}


def _back(text, rank):
    # Back-translation: known sentences and their fixed forms map to the English.
    for ar, en in ENGLISH.items():
        if text in (ar, FIXED[ar]):
            return en if rank == 0 else en.replace(".", " .")
    return "Something else entirely , loops loops loops loops loops loops"


def cached(fake, cache=None, key="fake"):
    return CachedTranslator(key=key, load=lambda: fake, cache=cache)


def test_a_clearly_better_candidate_replaces_the_original():
    forward = Fake(lambda en, k: TO_ARABIC.get(en.replace(" .", "."), "ترجمة أخرى تماما") if k == 0 else
                   TO_ARABIC.get(en.replace(" .", "."), "ترجمة أخرى تماما"))
    result = repair_text(ARTICLE, back=[("back", cached(Fake(_back)))], forward=[("fwd", cached(forward))],
                         decoding=RepairDecoding.make(beam_size=2))
    # The first candidate only writes the original's garbled "20 ، 000" as 20,000 (stage 0's `numbers` rule
    # does that in `mtfix repair`): the same number, as the gate reads it, and the pivots (which write
    # 20,000) no longer vouch for a candidate's numbers against the original, so nothing favours it.
    assert result.text == ARTICLE.replace("باسم SDF", "باسم قوات سوريا الديمقراطية")
    assert result.changed == [1]
    numbers = result.selection.scores["numbers"][0]
    assert numbers[0].value == numbers[1].value == 1.0 and "numbers agree" in numbers[1].reason
    assert result.selection.decisions[0].kept_incumbent
    assert result.selection.decisions[1].reason and result.selection.decisions[1].deciding  # it says what decided it


def test_when_every_candidate_is_forced_worse_the_original_is_kept():
    def worse(en, k):
        # Loops, Latin left in, numbers lost: each candidate is clearly worse than the original.
        return f"ال ال ال ال ال ال ال ال ال ال ال ال Error Error {k} the the"

    result = repair_text(ARTICLE, back=[("back", cached(Fake(_back)))], forward=[("fwd", cached(Fake(worse)))],
                         decoding=RepairDecoding.make(beam_size=2))
    assert result.text == ARTICLE
    assert result.changed == []
    assert all(d.kept_incumbent and d.chosen == 0 for d in result.selection.decisions)


def test_a_model_failing_mid_run_keeps_the_cache_and_the_rerun_continues(tmp_path):
    text = "\n\n".join(f"جملة عربية رقم {i} عن المعركة في سوريا." for i in range(10)) + "\n"
    cache = TranslationCache(tmp_path / "c.sqlite")
    failing = Fake(lambda t, k: f"English sentence {t[-12:]}", fail_after=5)
    back = CachedTranslator(key="back", load=lambda: failing, cache=cache, chunk_size=2)
    with pytest.raises(MtfixError, match="failed .*cached.*re-run to continue"):
        repair_text(text, back=[("b", back)], forward=[("f", cached(Fake(lambda en, k: "ترجمة")))])
    assert len(cache) == 4  # two chunks of two made it
    working = Fake(lambda t, k: f"English sentence {t[-12:]}")
    back2 = CachedTranslator(key="back", load=lambda: working, cache=cache, chunk_size=2)
    result = repair_text(text, back=[("b", back2)], forward=[("f", cached(Fake(lambda en, k: "ترجمة")))])
    assert len(failing.seen) == 4
    assert set(failing.seen).isdisjoint(working.seen)  # continued: the cached ones were not redone
    assert back2.hits >= 4
    assert len(result.pools) == 10


@pytest.mark.parametrize(
    "content,message",
    [
        ("", "is empty"),
        ("   \n\n", "is empty"),
        ("The battle has been raging for hours near the Iraqi border.\n", "looks like English, not Arabic"),
    ],
)
def test_bad_articles_are_refused_before_any_work(content, message):
    back, forward = Fake(_back), Fake(_back)
    with pytest.raises(MtfixError, match=message):
        repair_text(content, back=[("b", cached(back))], forward=[("f", cached(forward))])
    assert back.seen == [] and forward.seen == []


def test_cli_bad_input_is_one_line_exit_2_and_writes_nothing(tiny_models, tmp_path, seed_path):
    models = ["-b", tiny_models["marian-ar-en"], "-f", tiny_models["marian-en-ar"], "--no-cache"]
    english = tmp_path / "en.txt"
    english.write_text("The battle has been raging for hours near the Iraqi border.\n", encoding="utf-8")
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"PK\x03\x04\x00\x00binary\x00")
    for f, message in [(english, "looks like English"), (binary, "binary"), (tmp_path / "none.txt", "no such file")]:
        out, rep = tmp_path / "o.txt", tmp_path / "r.json"
        assert_one_line_error(run("repair", f, *models, "--out", out, "--report", rep), message,
                              not_written=[out, rep])
    before = seed_path.read_bytes()
    r = run("repair", seed_path, *models, "--out", seed_path)
    assert r.exit_code == 2 and "also an input" in r.stderr
    assert seed_path.read_bytes() == before
    cfg = tmp_path / "cfg.toml"
    cfg.write_text("[selection]\nmargin = 0.02\n", encoding="utf-8")
    r = run("repair", seed_path, *models, "--config", cfg, "--report", cfg)
    assert r.exit_code == 2 and "also an input" in r.stderr
    assert cfg.read_text(encoding="utf-8") == "[selection]\nmargin = 0.02\n"
    r = run("repair", seed_path, *models, "--out", tmp_path / "x", "--report", tmp_path / "x")
    assert r.exit_code == 2 and "both write" in r.stderr
    r = run("repair", seed_path, "-b", tiny_models["marian-en-ar"], "-f", tiny_models["marian-en-ar"], "--no-cache")
    assert r.exit_code == 2 and "source language en, not ar" in r.stderr


def test_repair_offline_with_default_models_required_is_a_clean_error(seed_path, tmp_path):
    out = tmp_path / "out.txt"
    r = run("repair", seed_path, "--out", out, "--require-models")
    assert r.exit_code == 2
    [line] = r.stderr.strip().splitlines()
    assert re.search(r"model opus-mt-tc-big-ar-en is not available offline: run `mtfix models pull", line)
    assert not out.exists()
