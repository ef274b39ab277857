"""Evidence in repair that noise pivots cannot game: numbers judged against the original, and the
round trip as a paired gain whose noise is in the allowance (mtfix/scoring/numbers.py, roundtrip.py)."""

from __future__ import annotations

import random

import pytest

from mtfix.errors import ConfigError
from mtfix.scoring.base import Candidate, Score, Scorer, Segment, sentence_chrf
from mtfix.scoring.config import ScoringConfig, load_config
from mtfix.scoring.numbers import NumbersScorer
from mtfix.scoring.roundtrip import RoundTripScorer
from mtfix.scoring.select import Selector

ORIGINAL = "دفعت الحكومة 500 مليون دولار للمشروع"
KEPT = "دفعت الحكومة 500 مليون دولار لهذا المشروع"
LOST = "دفعت الحكومة مليون دولار للمشروع"
CHANGED = "دفعت الحكومة 5000 مليون دولار للمشروع"


def repair_segment(pivots, candidates=(KEPT, LOST, CHANGED)):
    cands = [Candidate(ORIGINAL, "original")] + [Candidate(t, f"fwd#{k + 1}<back#1") for k, t in enumerate(candidates)]
    return Segment(0, cands, sources=list(pivots), incumbent=0, original=ORIGINAL, sources_kind="pivot",
                   source_origins=[f"back#{k + 1}" for k in range(len(pivots))])


# ---------------------------------------------------------------- numbers


def test_a_pivot_without_the_originals_number_does_not_mark_the_original_down():
    seg = repair_segment(["The government paid million dollars for the project"])  # the back model dropped 500
    row = NumbersScorer().score([seg])[0]
    assert row[0].value == 1.0 and "the original" in row[0].reason
    assert row[2].value < row[0].value  # the challenger that lost 500 gains nothing from the pivot agreeing
    # as the scorer used to judge (against the pivots): the original was marked down, the loss rewarded
    old = NumbersScorer(pivots="compare").score([seg])[0]
    assert old[0].value < 1.0 and "extra 500" in old[0].reason


def test_a_challenger_that_loses_or_changes_the_originals_number_is_marked_down():
    seg = repair_segment(["The government paid 500 million dollars for the project"])
    row = NumbersScorer().score([seg])[0]
    assert row[1].value == 1.0 and "vs the original" in row[1].reason
    assert row[2].value < 1.0 and "missing 500" in row[2].reason
    assert row[3].value < 1.0 and "5000" in row[3].reason


def test_in_repair_no_challenger_ever_gains_on_numbers():
    rnd = random.Random(7)
    nums = ["500", "20", "1999", "3.5"]
    for _ in range(30):
        pivot = " ".join(rnd.sample(nums, rnd.randint(0, 4)) + ["dollars"])
        cands = [" ".join(rnd.sample(nums, rnd.randint(0, 4)) + ["دولار"]) for _ in range(3)]
        row = NumbersScorer().score([repair_segment([pivot], cands)])[0]
        assert all(sc.value <= row[0].value == 1.0 for sc in row)


def test_select_still_compares_with_the_source():
    seg = Segment(0, [Candidate(ORIGINAL, "a"), Candidate(LOST, "b")],
                  sources=["The government paid million dollars for the project"], incumbent=0)
    row = NumbersScorer().score([seg])[0]
    assert row[0].value < 1.0 and "extra 500" in row[0].reason  # the source has no 500: "a" added one
    assert row[1].value == 1.0


def test_the_pivot_rule_is_a_declared_parameter(tmp_path):
    assert load_config().scorer_params("numbers") == {"pivots": "ignore"}
    p = tmp_path / "c.toml"
    p.write_text('[numbers]\npivots = "agree"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[numbers\] pivots: must be one of 'ignore', 'compare'"):
        load_config(p)
    p.write_text('[numbers]\npivots = "compare"\n', encoding="utf-8")
    assert load_config(p).scorer_params("numbers") == {"pivots": "compare"}


# ---------------------------------------------------------------- round trip

WORDS = ("the of and to in is was for on that with as by at from his an were are which this be has had it not "
         "one their its first new after who they have her she two been other when there all during into school "
         "would more time world city river between team may national over such only most later some can years "
         "south film state made also under american north where war used would while about many known these").split()


def _sentence(rnd, n=9):
    return " ".join(rnd.choice(WORDS) for _ in range(n))


def _perturb(rnd, text, k):
    words = text.split()
    for j in rnd.sample(range(len(words)), k):
        words[j] = rnd.choice(WORDS)
    return " ".join(words)


def roundtrip_lines(n=40, seed=3, clear=None, modest=None):
    """``n`` repair lines: the original back-translates to pivot back#1 (the round trip's own model), the
    challenger ``fwd#1<back#2#1`` was made from pivot back2#1, and pivot back3#1 is independent of both.
    Its vote, chrF(bt(c), back3#1) - chrF(bt(original), back3#1), is noise around 0 on every line but
    ``clear`` (bt(c) is back3#1 itself, bt(original) unrelated) and ``modest`` (a small real edge)."""
    rnd = random.Random(seed)
    segments, back = [], {}
    for i in range(n):
        indep = _sentence(rnd)
        own = _perturb(rnd, indep, rnd.randint(2, 7))
        mine = _perturb(rnd, indep, rnd.randint(2, 7))
        if i == clear:
            own, mine = _sentence(rnd), indep
        if i == modest:
            own, mine = _perturb(rnd, indep, 6), _perturb(rnd, indep, 4)
        original, challenger = f"أصل {i}", f"مرشح {i}"
        back[original], back[challenger] = own, mine
        segments.append(Segment(i, [Candidate(original, "original"), Candidate(challenger, "fwd#1<back2#1")],
                                sources=[own, _sentence(rnd), indep], incumbent=0, original=original,
                                sources_kind="pivot", source_origins=["back1#1", "back2#1", "back3#1"]))
    return segments, back


def select(segments, back, weights=None, z=1.645):
    scorer = RoundTripScorer(lambda texts: [back[t] for t in texts], model_name="back1")
    config = ScoringConfig(weights=weights or {"roundtrip_chrf": 1.0}, margin=0.01, z=z)
    return Selector(config, [scorer], gates=[]).select(segments)


def test_only_pivots_made_from_neither_vote():
    segments, back = roundtrip_lines(n=3)
    sel = select(segments, back)
    sc = sel.scores["roundtrip_chrf"][0][1]
    own, _, indep = segments[0].sources
    want = sentence_chrf(back[segments[0].candidates[1].text], indep) - sentence_chrf(own, indep)
    assert sc.gain == pytest.approx(want / 100)
    assert "by 1 pivot voice (back3)" in sc.reason


def test_a_round_trip_gain_within_its_noise_does_not_switch_and_a_clear_one_does():
    segments, back = roundtrip_lines(clear=5, modest=9)
    sel = select(segments, back)
    clear, modest = sel.decisions[5], sel.decisions[9]
    assert not clear.kept_incumbent and clear.gain > 0.5
    assert modest.kept_incumbent
    assert 0.01 < modest.gain < modest.required  # beats the margin: without its noise it would have switched
    for d in (clear, modest):
        assert "round trip (chrF): noise of the single votes across" in d.reason
    assert any("round trip (chrF)" in e for e in clear.evidence)
    # the noise lines themselves: none switches
    assert sum(not d.kept_incumbent for d in sel.decisions) == 1


def test_without_a_pivot_made_from_neither_the_round_trip_can_only_hold_back():
    segments, back = roundtrip_lines(n=5, clear=2)
    for seg in segments:  # no independent pivot: back3 gone
        seg.sources, seg.source_origins = seg.sources[:2], seg.source_origins[:2]
        back[seg.candidates[1].text] = seg.sources[1]  # a perfect round trip to its own pivot: circular
    sel = select(segments, back)
    for d, row in zip(sel.decisions, sel.scores["roundtrip_chrf"]):
        assert d.kept_incumbent
        assert row[1].gain <= 0 and row[1].se is None and "never carry it" in row[1].reason


def test_the_round_trip_noise_is_estimated_on_the_challengers_the_gates_let_through():
    segments, back = roundtrip_lines()
    scorer = RoundTripScorer(lambda texts: [back[t] for t in texts], model_name="back1")
    scores = scorer.score(segments)
    gated = [[[], [("loop", "x")] if i % 2 else []] for i in range(len(segments))]
    after = scorer.after_gates(segments, scores, gated)
    assert after[0][1].gain == scores[0][1].gain  # the gain is the votes'; only their noise is re-estimated
    assert after[0][1].se != scores[0][1].se
    assert f"across {len(segments) // 2} lines" in after[0][1].allowance


class Noisy(Scorer):
    def __init__(self, name, group=None, se=0.1):
        self.name, self.se = name, se
        if group:
            self.noise_group = group

    def score(self, segments):
        return [[Score(0.5, "i") if c == s.incumbent else Score(0.6, "c", self.se) for c in range(len(s.candidates))]
                for s in segments]


@pytest.mark.parametrize("groups,sd", [((None, None), 0.1 * 2 ** 0.5), (("rt", "rt"), 0.2)])
def test_scores_of_one_noise_group_add_their_noise_as_correlated(groups, sd):
    seg = Segment(0, [Candidate("a", "s0"), Candidate("b", "s1")], [], 0)
    config = ScoringConfig(weights={"x": 1.0, "y": 1.0}, margin=0.01, z=1.645)
    d = Selector(config, [Noisy("x", groups[0]), Noisy("y", groups[1])], gates=[]).select([seg]).decisions[0]
    assert d.required == pytest.approx(0.01 + 1.645 * sd)


def test_a_loop_is_no_yardstick_for_the_round_trip():
    segments, back = roundtrip_lines(n=4, clear=1)
    loop = "who who who who who who who who who who who who"
    segments[1].sources[2] = loop  # the independent pivot loops ...
    back[segments[1].candidates[1].text] = loop  # ... and so does the challenger's back-translation: chrF 100
    back[segments[2].candidates[1].text] = loop + " " + segments[2].sources[2]
    sel = select(segments, back)
    row1, row2 = sel.scores["roundtrip_chrf"][1], sel.scores["roundtrip_chrf"][2]
    assert sel.decisions[1].kept_incumbent and row1[1].gain <= 0 and "is a loop" in row1[1].reason
    assert row2[1].gain <= 0 and "its back-translation is a loop" in row2[1].reason
    scorer = RoundTripScorer(lambda texts: [back[t] for t in texts], model_name="back1", min_loop_free=0)
    assert scorer.score(segments)[1][1].gain > 0.5  # with the check off, the loops agree
