"""Round trip in repair: the original's own back-translations are the pivots, so
its round trip must not be scored against the pivot it produced."""

import pytest

from mtfix.scoring.base import Candidate, Segment, sentence_chrf
from mtfix.scoring.roundtrip import RoundTripScorer

ORIGINAL = "هو لا يزال يشكل تهديدا"
BACK = {
    ORIGINAL: "He still poses a threat",
    "التنظيم لا يزال يشكل تهديدا": "IS still poses a threat",
    "شيء آخر": "Something else",
}


def back_translate(texts):
    return [BACK[t] for t in texts]


def seg(pivots):
    cands = [Candidate(ORIGINAL, "original"), Candidate("التنظيم لا يزال يشكل تهديدا", "f#1"), Candidate("شيء آخر", "f#2")]
    return Segment(0, cands, sources=pivots, incumbent=0, original=ORIGINAL)


def test_the_original_is_compared_only_with_pivots_it_did_not_produce():
    pivots = ["He still poses a threat", "He is still a threat"]  # #1 is the original's own back-translation
    [row] = RoundTripScorer(back_translate).score([seg(pivots)])
    assert row[0].value == pytest.approx(sentence_chrf("He still poses a threat", pivots[1]) / 100)
    assert row[0].value < 1.0 and "did not produce" in row[0].reason
    expected = sum(sentence_chrf("IS still poses a threat", p) for p in pivots) / 2 / 100
    assert row[1].value == pytest.approx(expected)  # candidates: against every pivot


def test_with_no_other_pivot_the_original_is_level_with_the_best_candidate():
    [row] = RoundTripScorer(back_translate).score([seg(["He still poses a threat"])])
    assert row[0].value == pytest.approx(max(row[1].value, row[2].value))
    assert row[0].value < 1.0 and "level with the best" in row[0].reason


def test_select_without_an_original_is_unchanged():
    s = seg(["He still poses a threat"])
    s.original = None
    [row] = RoundTripScorer(back_translate).score([s])
    assert row[0].value == pytest.approx(1.0)  # an ordinary candidate whose back-translation matches the source
