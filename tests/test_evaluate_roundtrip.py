"""Reference-free mode: round-trip chrF/BLEU through a back-translation callable, labelled as an estimate."""

from __future__ import annotations

import json

import pytest
import sacrebleu
from typer.testing import CliRunner

from mtfix.cli.app import app
from mtfix.errors import MtfixError
from mtfix.evaluate import roundtrip_evaluate
from mtfix.evaluate.render import to_html, to_markdown

from conftest import assert_one_line_error

SRC = ["The committee approved the new budget on Tuesday.", "Heavy rain closed several roads in the north.",
       "The museum will reopen next spring after repairs.", "Scientists found water ice near the lunar pole."]
GOOD = ["وافقت اللجنة على الميزانية الجديدة يوم الثلاثاء.", "أغلقت الأمطار الغزيرة عدة طرق في الشمال.",
        "سيعاد افتتاح المتحف الربيع المقبل بعد الإصلاحات.", "وجد العلماء جليدا مائيا قرب القطب القمري."]
BAD = ["اللجنة الميزانية.", "المطر.", "المتحف.", "العلماء."]
# what a back-translation model would give for each line of each system
BACK = {
    **dict(zip(GOOD, SRC)),
    **dict(zip(BAD, ["The committee budget.", "The rain.", "The museum.", "The scientists."])),
}


class FakeBackTranslator:
    def __init__(self):
        self.calls = []

    def __call__(self, segments):
        self.calls.append(list(segments))
        return [BACK[s] for s in segments]


def test_roundtrip_scores_back_translations_against_the_source():
    bt = FakeBackTranslator()
    report = roundtrip_evaluate([("good", GOOD), ("bad", BAD)], SRC, bt, model_name="fake-bt",
                                tests=("bs",), bs_samples=50, n_worst=2)
    assert bt.calls == [GOOD, BAD]
    assert report.estimate and report.mode == "roundtrip" and report.back_model == "fake-bt"
    assert "ESTIMATE" in report.label
    assert report.metrics == ["BLEU", "chrF2"]
    good, bad = report.systems
    assert good.scores["chrF2"].score == pytest.approx(100.0) and good.scores["BLEU"].score == pytest.approx(100.0)
    back_bad = [BACK[s] for s in BAD]
    assert bad.scores["chrF2"].score == sacrebleu.corpus_chrf(back_bad, [SRC]).score < 60
    assert bad.scores["BLEU"].score == sacrebleu.corpus_bleu(back_bad, [SRC]).score
    for sig in report.signatures.values():
        assert "|roundtrip:fake-bt|" in sig
    assert report.significance["bs"].signatures["BLEU"].endswith("|roundtrip:fake-bt|version:2.6.0".replace(
        "2.6.0", sacrebleu.__version__))
    # segments show the system's own line, its back-translation and the source
    seg = bad.worst[0]
    assert seg.hypothesis == BAD[seg.index - 1] and seg.back_translation == back_bad[seg.index - 1]
    assert seg.source == SRC[seg.index - 1] and seg.references == []
    d = report.to_dict()
    assert d["estimate"] is True and d["mode"] == "roundtrip"


def test_roundtrip_reports_say_estimate_everywhere():
    report = roundtrip_evaluate([("good", GOOD), ("bad", BAD)], SRC, FakeBackTranslator(), model_name="fake-bt",
                                tests=())
    md = to_markdown(report)
    assert "ROUND-TRIP ESTIMATE via fake-bt" in md and "ESTIMATE, not a reference-based score" in md
    assert "back-translation |" in md
    html = to_html(report)
    assert 'class="estimate"' in html and "ESTIMATE, not a reference-based score" in html


def test_back_translator_returning_wrong_line_count_is_an_error():
    with pytest.raises(MtfixError, match="returned 3 lines for 4"):
        roundtrip_evaluate([("good", GOOD)], SRC, lambda segs: segs[:3], tests=())


def test_cli_no_ref_with_a_back_translator(tmp_path, monkeypatch):
    import mtfix.engine as engine

    seen = {}

    def fake_engine(model, *, src, tgt, cache=None, **options):  # the back-translation's direction
        seen.update(model=model, src=tgt, tgt=src)
        return FakeBackTranslator()

    monkeypatch.setattr(engine, "back_translator", fake_engine)
    src = tmp_path / "src.en"
    src.write_text("\n".join(SRC) + "\n", encoding="utf-8")
    good, bad = tmp_path / "good.ar", tmp_path / "bad.ar"
    good.write_text("\n".join(GOOD) + "\n", encoding="utf-8")
    bad.write_text("\n".join(BAD) + "\n", encoding="utf-8")
    out = tmp_path / "rt.json"
    res = CliRunner().invoke(app, ["evaluate", "--no-ref", "--src", str(src), "--sys", f"good={good}",
                                   "--sys", f"bad={bad}", "--back-model", "opus-mt-ar-en", "--src-lang", "en",
                                   "--tgt-lang", "ar", "--paired", "none", "--json", str(out)])
    assert res.exit_code == 0, res.output
    assert seen == {"model": "opus-mt-ar-en", "src": "en", "tgt": "ar"}
    assert "ESTIMATE" in res.stdout
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["estimate"] is True and report["back_model"] == "opus-mt-ar-en"
    assert [s["name"] for s in report["systems"]] == ["good", "bad"]
    assert report["systems"][0]["scores"]["chrF2"]["score"] == pytest.approx(100.0)


def test_cli_no_ref_with_a_missing_back_model_is_a_one_line_error(tmp_path):
    src = tmp_path / "src.en"
    src.write_text("\n".join(SRC) + "\n", encoding="utf-8")
    hyp = tmp_path / "hyp.ar"
    hyp.write_text("\n".join(GOOD) + "\n", encoding="utf-8")
    out = tmp_path / "rt.json"
    missing = tmp_path / "no-such-model"
    res = CliRunner().invoke(app, ["evaluate", "--no-ref", "--src", str(src), "--sys", str(hyp),
                                   "--back-model", str(missing), "--src-lang", "en", "--tgt-lang", "ar",
                                   "--json", str(out)])
    assert_one_line_error(res, missing, not_written=[out])


@pytest.mark.parametrize("backend", ["transformers"])
def test_cli_no_ref_end_to_end_with_a_tiny_engine_model(tiny_models, tmp_path, backend):
    """The real engine back-translates (a tiny random-weight model: the numbers mean nothing, the wiring does)."""
    src = tmp_path / "src.en"
    src.write_text("\n".join(SRC) + "\n", encoding="utf-8")
    good, bad = tmp_path / "good.ar", tmp_path / "bad.ar"
    good.write_text("\n".join(GOOD) + "\n", encoding="utf-8")
    bad.write_text("\n".join(BAD) + "\n", encoding="utf-8")
    out, seg = tmp_path / "rt.json", tmp_path / "rt.jsonl"
    res = CliRunner().invoke(app, ["evaluate", "--no-ref", "--src", str(src), "--sys", f"good={good}",
                                   "--sys", f"bad={bad}", "--back-model", str(tiny_models["marian-ar-en"]),
                                   "--backend", backend, "--src-lang", "en", "--tgt-lang", "ar",
                                   "--paired", "bs", "--bs-n", "50", "--json", str(out), "--segments", str(seg)])
    assert res.exit_code == 0, res.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["estimate"] is True and report["mode"] == "roundtrip"
    for s in report["systems"]:
        for m in ("BLEU", "chrF2"):
            assert 0 <= s["scores"][m]["score"] <= 100
            assert "|roundtrip:" in s["scores"][m]["signature"]
    segs = [json.loads(line) for line in seg.read_text(encoding="utf-8").splitlines()]
    assert len(segs) == 2 * len(SRC)
    assert [x["hyp"] for x in segs[:4]] == GOOD and [x["src"] for x in segs[:4]] == SRC
    assert all(isinstance(x["back"], str) for x in segs)
    # the back-translations really are what was scored
    assert report["systems"][0]["scores"]["chrF2"]["score"] == pytest.approx(
        sacrebleu.corpus_chrf([x["back"] for x in segs[:4]], [SRC]).score)
