"""The do-no-harm allowance of the consensus (issue 11): paired gain, per-character noise of one vote.

A challenger and the incumbent are judged by the same independent voices
(``Score.gain``: the mean of ``chrF(c, j) - chrF(I, j)``, no vote of either on
the other); ``Score.se`` is one vote's noise, per character of the pair, with
each voice's constant lean taken out, re-estimated on the challengers that the
gates let through, and shrunk by more voices only as far as ``shared_noise``
allows. The Selector decides on that gain.
"""

from __future__ import annotations

import math
import random

import pytest

from mtfix.metrics import sentence_chrf
from mtfix.scoring import Candidate, Segment, Selector, load_config
from mtfix.scoring.base import Score, Scorer
from mtfix.scoring.config import ScoringConfig
from mtfix.scoring.consensus import ConsensusScorer

WORDS = ("the council approved the new budget for schools and hospitals after a long debate on "
         "taxes roads water power prices farms trade jobs rents wages ports rail").split()


def _pool(rng: random.Random, n_words: int, k: int = 4) -> list[str]:
    """A sentence and k-1 variants of it, each with a few words changed at random."""
    base = [rng.choice(WORDS) for _ in range(n_words)]
    out = [" ".join(base)]
    for _ in range(k - 1):
        words = list(base)
        for _ in range(max(1, n_words // 5)):
            words[rng.randrange(n_words)] = rng.choice(WORDS)
        out.append(" ".join(words))
    return out


def _segments(lengths, k=4, seed=1):
    rng = random.Random(seed)
    return [Segment(i, [Candidate(t, f"sys{c}") for c, t in enumerate(_pool(rng, n, k))], [], 0)
            for i, n in enumerate(lengths)]


def test_gain_is_the_mean_paired_vote_without_the_pairs_own_votes():
    segs = _segments([12] * 40)
    scores = ConsensusScorer(trust_weighted=False).score(segs)
    for seg, row in zip(segs, scores):
        t = seg.texts
        for c in (1, 2, 3):
            voters = [j for j in (1, 2, 3) if j != c]
            want = sum(sentence_chrf(t[c], t[j]) - sentence_chrf(t[0], t[j]) for j in voters) / len(voters) / 100
            assert math.isclose(row[c].gain, want, abs_tol=1e-9)
        assert row[0].gain is None and row[0].se is None
    # the difference of the two MBR values also counts c's and I's votes on each other: a diluted gain
    diluted = [row[c].value - row[0].value for row in scores for c in (1, 2, 3)]
    paired = [row[c].gain for row in scores for c in (1, 2, 3)]
    assert sum(map(abs, diluted)) < sum(map(abs, paired))


def test_noise_is_per_character_short_lines_need_more():
    segs = _segments([4, 40] * 60)
    scores = ConsensusScorer(trust_weighted=False, length_weighting=0).score(segs)
    short = [row[1].se for row in scores[0::2]]
    long = [row[1].se for row in scores[1::2]]
    assert all(s > l for s, l in zip(short, long))
    # variance as 1 / length: se in proportion to 1 / sqrt(mean length of the pair)
    for seg, row in zip(segs[:6], scores[:6]):
        length = (len(seg.texts[0]) + len(seg.texts[1])) / 2
        ratio = row[1].se * math.sqrt(length)
        assert math.isclose(ratio, scores[1][1].se * math.sqrt((len(segs[1].texts[0]) + len(segs[1].texts[1])) / 2),
                            rel_tol=1e-9)


def test_length_weighting_judges_each_line_at_its_corpus_weight():
    """With ``length_weighting`` 1 the allowance falls as 1 / length (the per-line test's 1 / sqrt(length),
    times sqrt(mean length / length)): a line of mean length keeps the per-line se, a long line needs less,
    a short one more; the gain is the same; the reason says how the length scaled it."""
    segs = _segments([4, 40] * 60)
    plain = ConsensusScorer(trust_weighted=False, length_weighting=0).score(segs)
    scorer = ConsensusScorer(trust_weighted=False)
    assert scorer.length_weighting == 1.0 and scorer.signature()["length_weighting"] == 1.0
    weighted = scorer.score(segs)
    lengths = {(i, c): (len(seg.texts[0]) + len(seg.texts[c])) / 2 for i, seg in enumerate(segs) for c in (1, 2, 3)}
    mean = sum(lengths.values()) / len(lengths)
    for (i, c), length in lengths.items():
        p, w = plain[i][c], weighted[i][c]
        assert w.gain == p.gain and w.value == p.value
        assert math.isclose(w.se, p.se * math.sqrt(mean / length), rel_tol=1e-9)
        assert math.isclose(w.se * length, weighted[1][c].se * lengths[(1, c)], rel_tol=1e-9)  # se x length: constant
        assert w.margin_scale == p.margin_scale == 1.0 and "margin_scale" not in w.to_dict()  # margin_weighting 0
        assert f"allowance x{math.sqrt(mean / length):.2f}: {length:.0f} characters, mean {mean:.0f}" in w.reason
        assert w.allowance in w.reason and w.to_dict()["allowance"] == w.allowance
    assert weighted[0][1].se > plain[0][1].se and weighted[1][1].se < plain[1][1].se  # short: more; long: less
    # after the gates the note is replaced, not repeated
    after = scorer.after_gates(segs, weighted, [[[] for _ in range(4)] for _ in segs])
    assert all(row[c].reason.count("allowance x") == 1 for row in after for c in (1, 2, 3))
    with pytest.raises(ValueError, match="length_weighting"):
        ConsensusScorer(length_weighting=-0.5)


def test_selector_reason_names_the_length_weighting():
    segs = _segments([4, 40] * 30)
    for seg in segs[1::8]:  # now and then a long line whose incumbent says something else: every voice prefers the rest
        seg.candidates[0] = Candidate(" ".join(w[::-1].upper() for w in seg.texts[0].split()), "sys0")
    cfg = ScoringConfig(weights={"consensus": 1.0}, margin=0.01, z=1.645)
    sel = Selector(cfg, [ConsensusScorer(trust_weighted=False)], gates=[]).select(segs)
    said = [d for d in sel.decisions if d.challenger is not None and "allowance x" in d.reason]
    assert len(said) == len(segs)
    switched = [d for d in sel.decisions if not d.kept_incumbent]
    assert switched and all(any(e.startswith("allowance x") for e in d.evidence) for d in switched)
    assert all(math.isclose(d.required, cfg.margin + cfg.z * sel.scores["consensus"][d.index][d.challenger].se,
                            rel_tol=1e-9) for d in sel.decisions)  # the preset: one margin on every line


def test_margin_weighting_puts_the_margin_at_the_lines_corpus_weight():
    """``[consensus] margin_weighting = 1``: the Selector's margin, like the allowance, x mean length / length."""
    segs = _segments([4, 40] * 30)
    for seg in segs[1::8]:
        seg.candidates[0] = Candidate(" ".join(w[::-1].upper() for w in seg.texts[0].split()), "sys0")
    cfg = ScoringConfig(weights={"consensus": 1.0}, margin=0.01, z=1.645)
    scorer = ConsensusScorer(trust_weighted=False, margin_weighting=1)
    assert scorer.signature()["margin_weighting"] == 1.0
    sel = Selector(cfg, [scorer], gates=[]).select(segs)
    cons = sel.scores["consensus"]
    for d in sel.decisions:
        sc = cons[d.index][d.challenger]
        length = (len(segs[d.index].texts[0]) + len(segs[d.index].texts[d.challenger])) / 2
        assert f"margin x{sc.margin_scale:.2f}: {length:.0f} characters" in d.reason
        assert sc.to_dict()["margin_scale"] == sc.margin_scale
    for d in sel.decisions:
        sc = cons[d.index][d.challenger]
        assert math.isclose(d.required, cfg.margin * sc.margin_scale + cfg.z * sc.se, rel_tol=1e-9)
    scales = {round(cons[d.index][d.challenger].margin_scale, 6) for d in sel.decisions}
    assert min(scales) < 1 < max(scales)  # long lines need less than one margin, short ones more
    flat = Selector(cfg, [ConsensusScorer(trust_weighted=False)], gates=[]).select(segs)
    for f, d in zip(flat.decisions, sel.decisions):  # the same gain and se; only the margin moved
        scale = cons[d.index][d.challenger].margin_scale
        assert math.isclose(d.required - f.required, cfg.margin * (scale - 1), abs_tol=1e-12)
    with pytest.raises(ValueError, match="margin_weighting"):
        ConsensusScorer(margin_weighting=2)


def test_shared_noise_sets_how_far_more_voices_shrink_it():
    segs = _segments([15] * 60)
    one = ConsensusScorer(trust_weighted=False, shared_noise=1.0).score(segs)
    indep = ConsensusScorer(trust_weighted=False, shared_noise=0.0).score(segs)
    for a, b in zip(one, indep):
        # two voices of equal weight: independent noise halves the variance
        assert math.isclose(b[1].se, a[1].se / math.sqrt(2), rel_tol=1e-9)
        assert a[1].gain == b[1].gain
    with pytest.raises(ValueError, match="shared_noise"):
        ConsensusScorer(shared_noise=1.5)


def test_the_preset_declares_shared_noise_and_a_config_sets_it(tmp_path):
    assert load_config().scorer_params("consensus")["shared_noise"] == 1.0
    p = tmp_path / "c.toml"
    p.write_text("[consensus]\nshared_noise = 0.25\n", encoding="utf-8")
    from mtfix.scoring.select import build_scorers

    (cons, *_), _ = build_scorers(load_config(p), has_sources=False)
    assert cons.name == "consensus" and cons.shared_noise == 0.25 and cons.signature()["shared_noise"] == 0.25


def test_noise_is_re_estimated_on_challengers_the_gates_let_through():
    segs = _segments([15] * 60)
    for seg in segs[::3]:  # a damaged challenger on every third line (a copy of one voice): its votes spread wide
        seg.candidates[1] = Candidate(seg.texts[2], "sys1")
    scorer = ConsensusScorer(trust_weighted=False, length_weighting=0)  # the noise alone
    scores = scorer.score(segs)
    gated = [[[("loop", "x")] if (i % 3 == 0 and c == 1) else [] for c in range(4)] for i in range(len(segs))]
    after = scorer.after_gates(segs, scores, gated)
    clean = [(b[1].se, a[1].se) for i, (b, a) in enumerate(zip(scores, after)) if i % 3]
    assert all(a < b for b, a in clean)  # the damaged lines no longer inflate the clean ones' allowance
    assert all(a[2].se == pytest.approx(b[2].se) for a, b in zip(after, scores))  # sys2's pairs had no damage
    assert [[s.value for s in row] for row in after] == [[s.value for s in row] for row in scores]


class Given(Scorer):
    """Fixed values, with a gain that differs from their difference."""

    name = "given"

    def __init__(self, values, gains):
        self.values, self.gains = values, gains

    def score(self, segments):
        return [[Score(v, "given", None, g) for v, g in zip(vals, gains)]
                for vals, gains in zip(self.values, self.gains)]


def test_selector_decides_on_the_scorers_gain():
    cfg = ScoringConfig(weights={"given": 1.0}, margin=0.01, z=1.645)
    seg = Segment(0, [Candidate("a", "inc"), Candidate("b", "x")], [], 0)
    # the values say +0.30, the paired gain says +0.005 < margin: kept
    kept = Selector(cfg, [Given([[0.5, 0.8]], [[None, 0.005]])], gates=[]).select([seg]).decisions[0]
    assert kept.kept_incumbent and abs(kept.gain - 0.005) < 1e-12 and "+0.005 <= required 0.010" in kept.reason
    # the values are level, the paired gain is +0.05: switched, and the reason gives that gain
    seg = Segment(0, [Candidate("a", "inc"), Candidate("b", "x")], [], 0)
    sw = Selector(cfg, [Given([[0.5, 0.5]], [[None, 0.05]])], gates=[]).select([seg]).decisions[0]
    assert not sw.kept_incumbent and "by +0.050 > required 0.010" in sw.reason and sw.to_dict()["gain"] == 0.05
    assert Score(0.5, "r", None, 0.05).to_dict() == {"value": 0.5, "reason": "r", "gain": 0.05}
