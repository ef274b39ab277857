"""Scorers: protocol shape, values, reasons; config loading; sacrebleu parity."""

from __future__ import annotations

import math

import pytest
from sacrebleu.metrics import BLEU, CHRF

from mtfix.errors import MtfixError
from mtfix.scoring import Candidate, ConsensusScorer, Segment, load_config, sentence_bleu, sentence_chrf
from mtfix.scoring.base import Score
from mtfix.scoring.config import default_toml
from mtfix.scoring.consensus import Agreement, origin_group
from mtfix.scoring.length import LengthScorer
from mtfix.scoring.numbers import NumbersScorer
from mtfix.scoring.repetition import RepetitionScorer
from mtfix.scoring.roundtrip import BackTranslationCache, RoundTripScorer, roundtrip_scorers
from mtfix.scoring.script import ScriptScorer


def seg(i, texts, sources=(), incumbent=None, origins=None):
    origins = origins or [f"s{k}" for k in range(len(texts))]
    return Segment(i, [Candidate(t, o) for t, o in zip(texts, origins)], list(sources), incumbent)


def test_sentence_metrics_are_sacrebleu():
    h, r = "the cat sat on the mat", "a cat sat on a mat"
    assert sentence_chrf(h, r) == CHRF().sentence_score(h, [r]).score
    assert sentence_bleu(h, r) == BLEU(effective_order=True).sentence_score(h, [r]).score
    assert sentence_chrf("", "") == 100.0 and sentence_chrf("", "x") == 0.0


def test_score_to_dict_drops_missing_se():
    assert Score(0.5, "r").to_dict() == {"value": 0.5, "reason": "r"}
    assert Score(0.5, "r", 0.01).to_dict()["se"] == 0.01


# ---------------------------------------------------------------- consensus


def _systems_corpus(n=40):
    """Three 'systems': good (= truth), a slightly worse one, and a poor one."""
    truth = [f"the committee approved budget number {i} for the new hospital wing today" for i in range(n)]
    good = list(truth)
    mid = [t.replace("approved", "accepted") for t in truth]
    poor = [t.replace("committee approved budget", "group took money").replace("hospital", "house") for t in truth]
    return [seg(i, [g, m, p], origins=["good", "mid", "poor"]) for i, (g, m, p) in enumerate(zip(good, mid, poor))]


def test_trust_ranks_systems_without_references():
    agr = Agreement(_systems_corpus())
    trust = agr.trust()
    assert trust["good"] > trust["mid"] > trust["poor"]
    w = agr.weights()
    assert w["good"] > w["poor"] and math.isclose(sum(w.values()) / len(w), 1.0)


def test_trust_does_not_depend_on_candidate_order():
    a = Agreement(_systems_corpus()).trust()
    rev = [Segment(s.index, list(reversed(s.candidates))) for s in _systems_corpus()]
    b = Agreement(rev).trust()
    assert a.keys() == b.keys() and all(math.isclose(a[k], b[k]) for k in a)


def test_nbest_of_one_model_share_a_group():
    assert origin_group("opus-en-ar#2<opus-ar-en#1") == "opus-en-ar"
    segs = [seg(i, ["a b c d", "a b c e", "a b c d", "x y z"], origins=["original", "m#1", "m#2", "n#1"])
            for i in range(5)]
    t = Agreement(segs).trust()
    assert t["m#1"] == t["m#2"]


def test_consensus_values_and_noise():
    segs = _systems_corpus()
    for s in segs:
        s.incumbent = 0
    scores = ConsensusScorer().score(segs)
    row = scores[0]
    assert all(0 <= s.value <= 1 for s in row)
    assert row[0].value > row[2].value  # the poor system agrees least
    assert row[0].se is None and row[1].se is not None and row[1].se >= 0
    assert "incumbent" in row[0].reason and "chrF" in row[1].reason


def test_consensus_alone_in_pool():
    (row,) = ConsensusScorer().score([seg(0, ["only one"])])
    assert row[0].value == 1.0


def test_consensus_uniform_is_plain_mbr():
    segs = [seg(0, ["a cat sat", "a cat sits", "dogs run fast"])]
    (row,) = ConsensusScorer(trust_weighted=False).score(segs)
    t = segs[0].texts
    want = (sentence_chrf(t[0], t[1]) + sentence_chrf(t[0], t[2])) / 2 / 100
    assert math.isclose(row[0].value, want)


# ---------------------------------------------------------------- checks


def test_numbers_scorer():
    s = seg(0, ["The budget rose to 20000 in 2021.", "The budget rose to 2000 in 2021.", "no figures"],
            sources=["ارتفعت الميزانية إلى 20000 في عام 2021."])
    row = NumbersScorer().score([s])[0]
    assert row[0].value == 1.0 and "agree" in row[0].reason
    assert row[1].value < 1.0 and "20000" in row[1].reason and "2000" in row[1].reason
    assert row[2].value == 0.0
    (none,) = NumbersScorer().score([seg(0, ["x 5"])])
    assert none[0].value == 1.0 and "no source" in none[0].reason


def test_script_scorer():
    s = seg(0, ["ذهب الرجل إلى السوق", "The man went to the market", "ذهب الرجل إلى market"])
    row = ScriptScorer("ar").score([s])[0]
    assert row[0].value == 1.0
    assert row[1].value < 0.05
    assert 0.5 < row[2].value < 1.0 and "market" in row[2].reason
    # expected language inferred from the corpus majority
    row = ScriptScorer().score([seg(0, ["ذهب الرجل", "ذهب الولد", "went"])])[0]
    assert row[2].value < 0.05


def test_repetition_scorer():
    loop = "bushwalk, bush, bush, bush, bush, bush, bush, bush, bush, bush, bush, bush"
    row = RepetitionScorer().score([seg(0, ["a plain sentence about the weather today.", loop])])[0]
    assert row[0].value == 1.0 and row[1].value < row[0].value


def test_length_scorer_uses_corpus_norm():
    segs = [seg(i, [f"word{i} " * 10, f"word{i} " * 11], sources=[f"كلمة{i} " * 8]) for i in range(30)]
    segs.append(seg(30, ["short", "word " * 10], sources=["كلمة " * 8]))
    sc = LengthScorer(tolerance=3.0)
    rows = sc.score(segs)
    assert all(s.value == 1.0 for row in rows[:30] for s in row)
    assert rows[30][0].value < 0.01 and "too short" in rows[30][0].reason
    assert sc.center is not None and sc.scale > 0
    assert LengthScorer().score([seg(0, ["x", "y"])])[0][0].reason.startswith("no source")


def test_roundtrip_scorers_share_one_back_translation():
    calls = []

    def back(texts):
        calls.append(list(texts))
        return [t.upper() for t in texts]

    s = seg(0, ["the cat", "a dog", ""], sources=["THE CAT"])
    chrf, bleu = roundtrip_scorers(back)
    r1, r2 = chrf.score([s])[0], bleu.score([s])[0]
    assert len(calls) == 1 and calls[0] == ["the cat", "a dog"]
    assert r1[0].value == 1.0 and r1[1].value < 0.5 and r1[2].value == 0.0
    assert r2[0].value == 1.0 and "BLEU" in r2[0].reason and "chrF" in r1[0].reason
    assert chrf.name == "roundtrip_chrf" and bleu.name == "roundtrip_bleu"


def test_roundtrip_checks_the_callable():
    bad = BackTranslationCache(lambda texts: texts[:-1])
    with pytest.raises(RuntimeError):
        bad(["a", "b"])
    with pytest.raises(ValueError):
        RoundTripScorer(lambda t: t, metric="ter")


# ---------------------------------------------------------------- config


def test_default_config():
    cfg = load_config()
    assert cfg.weight("consensus") == 1.0 and cfg.weight("fluency") == 0.0
    assert cfg.margin == 0.01 and cfg.z == 1.645 and cfg.normalize == "none"
    d = cfg.as_dict()
    assert d["config"] == "default" and list(d["weights"]) == sorted(d["weights"])
    assert "[weights]" in default_toml()


def test_user_config_overlays_default(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text("[weights]\nnumbers = 0.5\n[selection]\nz = 2.0\n", encoding="utf-8")
    cfg = load_config(p)
    assert cfg.weight("numbers") == 0.5 and cfg.weight("consensus") == 1.0 and cfg.z == 2.0
    assert cfg.source == str(p)


@pytest.mark.parametrize("body,needle", [
    ("[weights]\nconsensos = 1\n", "[weights] consensos: unknown key"),
    ("[wieghts]\n", "[wieghts]: unknown table"),
    ("[weights]\nnumbers = -1\n", "[weights] numbers: must be a finite number >= 0, not -1"),
    ("[weights]\nnumbers = 'a'\n", "[weights] numbers: must be a number, not 'a'"),
    ("[selection]\nmargin = -0.1\n", "[selection] margin: must be a finite number >= 0, not -0.1"),
    ("[selection\n", "not valid TOML"),
])
def test_bad_config_is_one_line_error(tmp_path, body, needle):
    p = tmp_path / "c.toml"
    p.write_text(body, encoding="utf-8")
    with pytest.raises(MtfixError) as e:
        load_config(p)
    assert needle in str(e.value) and "\n" not in str(e.value)


def test_missing_config(tmp_path):
    with pytest.raises(MtfixError, match="no such config file"):
        load_config(tmp_path / "nope.toml")
