"""`mtfix select --back-model`: round-trip chrF/BLEU scores join the selection."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from mtfix.cli.app import app

SRC = ["The committee approved the new budget on Tuesday.", "Heavy rain closed several roads in the north.",
       "The museum will reopen next spring after repairs.", "Scientists found water ice near the lunar pole."]
GOOD = ["وافقت اللجنة على الميزانية الجديدة يوم الثلاثاء.", "أغلقت الأمطار الغزيرة عدة طرق في الشمال.",
        "سيعاد افتتاح المتحف الربيع المقبل بعد الإصلاحات.", "وجد العلماء جليدا مائيا قرب القطب القمري."]
BAD = ["وافقت اللجنة على الميزانية يوم.", "أغلقت الأمطار عدة طرق.", "سيعاد افتتاح المتحف.", "وجد العلماء جليدا."]
BACK = {**dict(zip(GOOD, SRC)),
        **dict(zip(BAD, ["The committee approved the budget on a day.", "The rain closed roads.",
                         "The museum will reopen.", "Scientists found ice."]))}


def _files(tmp_path):
    src = tmp_path / "src.en"
    src.write_text("\n".join(SRC) + "\n", encoding="utf-8")
    # "a_bad" is alphabetically first: with two systems trust ties, so it starts as the incumbent
    a, b = tmp_path / "a_bad.ar", tmp_path / "b_good.ar"
    a.write_text("\n".join(BAD) + "\n", encoding="utf-8")
    b.write_text("\n".join(GOOD) + "\n", encoding="utf-8")
    return src, a, b


def test_select_with_a_back_translator(tmp_path, monkeypatch):
    import mtfix.engine as engine

    seen = {}

    def fake_engine(model, *, src, tgt, cache=None, **options):  # the back-translation's direction
        seen.update(model=model, src=tgt, tgt=src)
        return lambda texts: [BACK[t] for t in texts]

    monkeypatch.setattr(engine, "back_translator", fake_engine)
    src, a, b = _files(tmp_path)
    out, rep = tmp_path / "o.ar", tmp_path / "r.json"
    r = CliRunner().invoke(app, ["select", "--candidates", str(a), str(b), "--source", str(src), "--out", str(out),
                                 "--report", str(rep), "--back-model", "opus-mt-ar-en"])
    assert r.exit_code == 0, r.output
    assert seen == {"model": "opus-mt-ar-en", "src": "en", "tgt": "ar"}
    d = json.loads(rep.read_text(encoding="utf-8"))
    names = [s["name"] for s in d["signature"]["scorers"]]
    assert "roundtrip_chrf" in names and "roundtrip_bleu" in names
    assert all(s.get("model") == "opus-mt-ar-en" for s in d["signature"]["scorers"] if s["name"].startswith("roundtrip"))
    assert out.read_text(encoding="utf-8").splitlines() == GOOD
    seg = d["segments"][0]
    assert seg["incumbent_origin"] == "a_bad" and not seg["kept_incumbent"]
    assert "roundtrip_chrf" in seg["deciding"] and seg["deciding"]["roundtrip_chrf"] > 0
    good = next(c for c in seg["candidates"] if c["origin"] == "b_good")
    assert good["scores"]["roundtrip_chrf"]["value"] == 1.0


def test_select_end_to_end_with_a_tiny_engine_model(tiny_models, tmp_path):
    """The real engine back-translates (random weights: the scores mean nothing, the wiring does)."""
    src, a, b = _files(tmp_path)
    out, rep = tmp_path / "o.ar", tmp_path / "r.json"
    r = CliRunner().invoke(app, ["select", "--candidates", str(a), str(b), "--source", str(src), "--out", str(out),
                                 "--report", str(rep), "--back-model", str(tiny_models["marian-ar-en"]),
                                 "--backend", "transformers"])
    assert r.exit_code == 0, r.output
    d = json.loads(rep.read_text(encoding="utf-8"))
    for seg in d["segments"]:
        for c in seg["candidates"]:
            assert 0 <= c["scores"]["roundtrip_chrf"]["value"] <= 1
    assert len(out.read_text(encoding="utf-8").splitlines()) == len(SRC)
