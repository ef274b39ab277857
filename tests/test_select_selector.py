"""The do-no-harm Selector: incumbents, margins, recorded reasons, order independence."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from mtfix.scoring import Candidate, Segment, Selector, build_scorers, load_config
from mtfix.scoring.base import Score, Scorer
from mtfix.scoring.config import ScoringConfig


class Fixed(Scorer):
    """A scorer that returns given values (per segment, per candidate)."""

    def __init__(self, name, values, se=None):
        self.name, self.values, self.se = name, values, se

    def score(self, segments):
        return [[Score(v, f"{self.name} {v:.2f}", None if self.se is None or c == s.incumbent else self.se)
                 for c, v in enumerate(vals)] for s, vals in zip(segments, self.values)]


def cfg(**kw):
    base = dict(weights={"a": 1.0, "b": 0.5}, margin=0.01, z=1.645)
    base.update(kw)
    return ScoringConfig(**base)


def segs(n, k, incumbent=0):
    return [Segment(i, [Candidate(f"text {i} {c}", f"sys{c}") for c in range(k)], [], incumbent) for i in range(n)]


def test_do_no_harm_every_candidate_forced_worse():
    """Every candidate scores below the incumbent on every scorer: the incumbent is always kept."""
    values_a = [[0.9, 0.2, 0.5, 0.89], [0.1, 0.05, 0.0, 0.09]]
    values_b = [[1.0, 0.9, 0.99, 0.3], [0.5, 0.5, 0.4, 0.1]]
    sel = Selector(cfg(), [Fixed("a", values_a), Fixed("b", values_b)]).select(segs(2, 4))
    for d in sel.decisions:
        assert d.kept_incumbent and d.chosen == 0
        assert d.reason.startswith("kept sys0")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.floats(0, 1), min_size=2, max_size=6), min_size=1, max_size=5), st.data())
def test_do_no_harm_property(rows, data):
    """Whatever the scores, a candidate that is worse or equal on every weighted scorer never replaces the incumbent."""
    inc_vals = [max(r) for r in rows]
    values = [[inc] + [min(v, inc) for v in r[1:]] for inc, r in zip(inc_vals, rows)]
    margin = data.draw(st.floats(0, 0.2))
    z = data.draw(st.floats(0, 3))
    sc = [Fixed("a", values, se=data.draw(st.floats(0, 0.5))), Fixed("b", values)]
    segments = [Segment(i, [Candidate(str(c), f"s{c}") for c in range(len(r))], [], 0) for i, r in enumerate(rows)]
    sel = Selector(cfg(margin=margin, z=z), sc).select(segments)
    assert all(d.kept_incumbent and d.chosen == 0 for d in sel.decisions)


def test_switch_needs_margin_plus_noise():
    # candidate 1 gains 0.05 on scorer a (weight 1) over the incumbent
    values = [[0.50, 0.55]]
    switch = Selector(cfg(weights={"a": 1.0}), [Fixed("a", values)]).select(segs(1, 2))
    assert not switch.decisions[0].kept_incumbent and switch.decisions[0].chosen == 1
    d = switch.decisions[0]
    assert set(d.deciding) == {"a"} and abs(d.deciding["a"] - 0.05) < 1e-9
    assert "beats sys0" in d.reason and abs(d.required - 0.01) < 1e-12
    # the same gain, but the scorer says its noise is 0.04: 0.01 + 1.645 * 0.04 > 0.05
    kept = Selector(cfg(weights={"a": 1.0}), [Fixed("a", values, se=0.04)]).select(segs(1, 2))
    d = kept.decisions[0]
    assert d.kept_incumbent and d.challenger == 1 and abs(d.required - (0.01 + 1.645 * 0.04)) < 1e-9
    assert "best challenger sys1" in d.reason and "a +0.050" in d.reason


def test_highest_total_among_eligible_wins_and_deciding_scores_recorded():
    va = [[0.5, 0.6, 0.7, 0.5]]
    vb = [[1.0, 1.0, 0.0, 1.0]]  # candidate 2 fails check b
    sel = Selector(cfg(), [Fixed("a", va), Fixed("b", vb)]).select(segs(1, 4))
    d = sel.decisions[0]
    assert d.chosen == 1  # total 1.1 vs 0.7 for candidate 2
    assert d.total == [1.0, 1.1, 0.7, 1.0]
    assert set(d.deciding) == {"a"}  # b does not differ between the chosen and the incumbent


def test_zero_weight_scorers_are_reported_but_do_not_decide():
    va = [[0.5, 0.9]]
    sel = Selector(cfg(weights={"a": 0.0, "b": 1.0}), [Fixed("a", va), Fixed("b", [[0.5, 0.5]])]).select(segs(1, 2))
    assert sel.decisions[0].kept_incumbent and "a" in sel.scores


def test_single_candidate():
    sel = Selector(cfg(), [Fixed("a", [[0.3]])]).select(segs(1, 1))
    assert sel.decisions[0].chosen == 0 and sel.decisions[0].reason == "only candidate"


def test_incumbent_is_the_most_trusted_system_whatever_the_order():
    """Without a given incumbent the selector picks the system that agrees most with the others."""
    rng = random.Random(3)
    truth = [f"the minister opened the new bridge over the river on day {i} of the festival" for i in range(30)]
    systems = {
        "good": list(truth),
        "fair": [t.replace("opened", "inaugurated") for t in truth],
        "weak": [t.replace("minister opened the new bridge", "official open bridge new") for t in truth],
        "bad": [t.replace("the new bridge over the river", "a thing") for t in truth],
    }
    results = []
    for _ in range(3):
        names = list(systems)
        rng.shuffle(names)
        segments = [Segment(i, [Candidate(systems[n][i], n) for n in names]) for i in range(30)]
        scorers, _ = build_scorers(load_config(), has_sources=False)
        sel = Selector(load_config(), scorers).select(segments)
        assert {s.candidates[s.incumbent].origin for s in sel.segments} == {"good"}
        results.append(sel.chosen_texts())
    assert results[0] == results[1] == results[2]
    assert results[0] == truth
