"""--normalize: one profile applied to hypotheses and references alike, recorded in the signature."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from mtfix.cli.app import app
from mtfix.evaluate import MetricOptions, evaluate

# The reference and the hypothesis say the same thing; they differ only in spelling
# variants the Arabic profile folds: hamza on alef, alef maqsura, ta marbuta, digits,
# Arabic punctuation, diacritics and tatweel. Variants sit on BOTH sides, so
# normalising only one side would not make them equal.
REF = ["ذهب أحمد إلى المدرسة في الساعة 5.", "هل رأيت القطة الكبيرة؟", "قال: «سنعود غدا»، ثم غادر."]
HYP = ["ذهب احمد الى المدرسه في الساعه ٥.", "هل رايت القطه الكبيــرة?", "قالَ: \"سنعود غداً\", ثم غادر."]


def test_arabic_profile_folds_both_sides_and_is_recorded():
    plain = evaluate([("s", HYP)], [REF], options=MetricOptions(metrics=("bleu", "chrf", "ter")), tests=())
    folded = evaluate([("s", HYP)], [REF], options=MetricOptions(metrics=("bleu", "chrf", "ter")),
                      normalize="arabic", tests=())
    assert plain.systems[0].scores["BLEU"].score < 60
    assert folded.systems[0].scores["BLEU"].score == pytest.approx(100.0)
    assert folded.systems[0].scores["chrF2"].score == pytest.approx(100.0)
    assert folded.systems[0].scores["TER"].score == pytest.approx(0.0)
    assert folded.normalize == "arabic"
    for m, sig in folded.signatures.items():
        assert sig.endswith("|normalize:arabic"), sig
        assert folded.systems[0].scores[m].signature == sig
    for sig in plain.signatures.values():
        assert "normalize:" not in sig


def test_only_one_side_normalised_would_not_match():
    """Guards the test above: the variants really are on both sides."""
    from mtfix.text.normalize import get_profile

    p = get_profile("arabic")
    one_side = evaluate([("s", [p(h) for h in HYP])], [REF], options=MetricOptions(metrics=("bleu",)), tests=())
    other_side = evaluate([("s", HYP)], [[p(r) for r in REF]], options=MetricOptions(metrics=("bleu",)), tests=())
    assert one_side.systems[0].scores["BLEU"].score < 100
    assert other_side.systems[0].scores["BLEU"].score < 100


def test_segments_are_scored_normalised_but_shown_as_written():
    r = evaluate([("s", HYP)], [REF], normalize="arabic", tests=(), n_worst=3)
    for seg in r.systems[0].segments:
        assert seg.hypothesis == HYP[seg.index - 1] and seg.references == [REF[seg.index - 1]]
        assert seg.chrf == pytest.approx(100.0)


def test_cli_normalize_and_significance_signatures(tmp_path):
    ref, a, b = tmp_path / "ref.ar", tmp_path / "a.ar", tmp_path / "b.ar"
    ref.write_text("\n".join(REF) + "\n", encoding="utf-8")
    a.write_text("\n".join(HYP) + "\n", encoding="utf-8")
    b.write_text("\n".join(["ذهب", "هل", "قال"]) + "\n", encoding="utf-8")
    out = tmp_path / "r.json"
    res = CliRunner().invoke(app, ["evaluate", "--ref", str(ref), "--sys", f"A={a}", "--sys", f"B={b}",
                                   "--normalize", "arabic", "--paired", "ar", "--ar-n", "50", "--json", str(out),
                                   "--quiet"])
    assert res.exit_code == 0, res.output
    r = json.loads(out.read_text(encoding="utf-8"))
    assert r["normalize"] == "arabic"
    assert r["systems"][0]["scores"]["BLEU"]["score"] == pytest.approx(100.0)
    assert all(s.endswith("|normalize:arabic") for s in r["signatures"].values())
    assert all("|normalize:arabic" in s for s in r["significance"]["ar"]["signatures"].values())
