"""Where one vote's noise is pooled (``[consensus] noise_pooling``, issue 11).

The noise of a paired gain is the spread of the voices' votes within a line.
Two voices that agree with each other (two systems of one family) spread
little whatever their real noise, so a pair judged only by them would get a
small allowance; pooled over the whole file (``file``), or never below the
file's (``larger``), their agreement cannot shrink it. With few lines (few
degrees of freedom) every pooling falls back to the file's estimate, and with
a pair seen on one line only, to the spread with the voices' leans left in.
"""

from __future__ import annotations

import math
import random

import pytest
from typer.testing import CliRunner

from mtfix.cli.app import app
from mtfix.scoring import Candidate, Segment, Selector, load_config
from mtfix.scoring.config import ScoringConfig
from mtfix.scoring.consensus import MIN_NOISE_DF, NOISE_POOLINGS, ConsensusScorer, pool_noise

WORDS = ("the council approved the new budget for schools and hospitals after a long debate on "
         "taxes roads water power prices farms trade jobs rents wages ports rail").split()


def _variant(rng: random.Random, base: list[str], changes: int) -> str:
    words = list(base)
    for _ in range(changes):
        words[rng.randrange(len(words))] = rng.choice(WORDS)
    return " ".join(words)


def _correlated_pool(n_lines: int, seed: int = 3) -> list[Segment]:
    """sys0 (the incumbent) and three challengers; sys2 and sys3 are one family: sys3 is sys2 with at most
    one word changed, so the two agree with each other on every line, whatever either is worth.

    The pair (sys1, sys0) is judged by sys2 and sys3 only: their votes hardly spread. The pairs of sys2
    and sys3 are each judged by sys1 and the other one of the family: their votes spread as wide as
    independent systems' do."""
    rng = random.Random(seed)
    out = []
    for i in range(n_lines):
        base = [rng.choice(WORDS) for _ in range(14)]
        s2 = _variant(rng, base, 3)
        texts = [_variant(rng, base, 3), _variant(rng, base, 3), s2, _variant(rng, s2.split(), rng.randrange(2))]
        out.append(Segment(i, [Candidate(t, f"sys{c}") for c, t in enumerate(texts)], [], 0))
    return out


def test_correlated_voices_cannot_shrink_a_pairs_allowance():
    segs = _correlated_pool(80)
    se = {p: [row[1].se for row in ConsensusScorer(trust_weighted=False, length_weighting=0,
                                                   noise_pooling=p).score(segs)] for p in NOISE_POOLINGS}
    # per pair: the family's agreement makes sys1's noise small
    own = ConsensusScorer(trust_weighted=False, length_weighting=0).score(segs)
    assert all(row[1].se < 0.6 * row[2].se for row in own)
    # pooled over the file (or never below it), sys1's allowance widens on every line
    assert all(f > 1.3 * p for f, p in zip(se["file"], se["pair"]))
    assert se["larger"] == se["file"]
    # and the pairs whose voices disagree keep their own (larger) noise under `larger`, not under `file`
    larger = ConsensusScorer(trust_weighted=False, length_weighting=0, noise_pooling="larger").score(segs)
    filed = ConsensusScorer(trust_weighted=False, length_weighting=0, noise_pooling="file").score(segs)
    assert all(math.isclose(a[2].se, b[2].se) for a, b in zip(larger, own))
    assert all(b[2].se < a[2].se for a, b in zip(larger, filed))
    # the gain and the value do not depend on where the noise is pooled
    assert [[(s.value, s.gain) for s in row] for row in filed] == [[(s.value, s.gain) for s in row] for row in own]


def test_selector_requires_more_and_the_reason_names_the_estimate():
    segs = _correlated_pool(80)
    cfg = ScoringConfig(weights={"consensus": 1.0}, margin=0.01, z=1.645)
    got = {}
    for p in ("pair", "file"):
        sel = Selector(cfg, [ConsensusScorer(trust_weighted=False, noise_pooling=p)], gates=[]).select(segs)
        got[p] = sel
    pair, filed = got["pair"], got["file"]
    reasons = [d.reason for d in pair.decisions if d.challenger is not None]
    assert reasons and all("; noise of this pair's votes (df " in r for r in reasons)
    assert all("noise of the file's votes (df " in d.reason for d in filed.decisions if d.challenger is not None)
    switched = [d for d in filed.decisions if not d.kept_incumbent]
    assert all(any("noise of the file's votes" in e for e in d.evidence) for d in switched)
    # what the Selector adds up: sys1's noise, after the gates and the length weighting, is wider on every line
    assert all(b[1].se > a[1].se for a, b in zip(pair.scores["consensus"], filed.scores["consensus"]))


def test_pool_noise_per_pair_file_and_larger():
    a, b, c = ("a", "I"), ("b", "I"), ("c", "I")
    ss = {a: 10.0 * 100, b: 40.0 * 100, c: 5.0 * 10}
    df = {a: 100, b: 100, c: 10}
    file_s2 = (1000 + 4000 + 50) / 210
    pair = pool_noise(ss, df, "pair")
    assert pair.get(a) == (10.0, "noise of this pair's votes (df 100)")
    assert pair.get(b)[0] == 40.0
    # fewer than MIN_NOISE_DF: the file's, and the reason says why
    assert c in pair.pairs and pair.get(c)[0] == pytest.approx(file_s2)
    assert pair.get(c)[1] == f"noise of the file's votes (df 210; this pair's df 10 < {MIN_NOISE_DF})"
    # a pair never seen: the file's
    assert pair.get(("z", "I")) == (pytest.approx(file_s2), "noise of the file's votes (df 210)")
    filed = pool_noise(ss, df, "file")
    assert [filed.get(k)[0] for k in (a, b)] == [pytest.approx(file_s2)] * 2
    larger = pool_noise(ss, df, "larger")
    assert larger.get(a) == (pytest.approx(file_s2), "noise of the file's votes (df 210), above this pair's")
    assert larger.get(b) == (40.0, "noise of this pair's votes (df 100), above the file's")
    with pytest.raises(KeyError):  # checked where it is configured (the scorer's declared CHOICES), not here
        pool_noise(ss, df, "median")


def test_pool_noise_fallbacks_without_degrees_of_freedom():
    # one vote per segment: no within-line spread; the votes' spread across lines stands in
    got = pool_noise({}, {}, "pair", single=[1.0, 3.0, 5.0])
    assert got.get(("a", "I")) == (4.0, "noise of the single votes across 3 lines")
    # nothing at all: no estimate, whatever the pooling
    assert all(pool_noise({}, {}, p).get(("a", "I")) is None for p in NOISE_POOLINGS)
    # a pair whose degrees of freedom went to its voices' leans counts none
    got = pool_noise({("a", "I"): 0.0, ("b", "I"): 50.0}, {("a", "I"): -1, ("b", "I"): 5}, "file")
    assert got.get(("a", "I"))[0] == 10.0 and "df 5" in got.get(("a", "I"))[1]


@pytest.mark.parametrize("n_lines", [1, 3, 12])
def test_few_lines_every_pooling_falls_back_to_the_file(n_lines):
    """Below MIN_NOISE_DF every pair uses the file's estimate, so the three poolings agree; one line (no
    degree of freedom left once the voices' leans are taken out) still gets an estimate, with the leans in."""
    segs = _correlated_pool(n_lines)
    rows = {p: ConsensusScorer(trust_weighted=False, noise_pooling=p).score(segs) for p in NOISE_POOLINGS}
    for p, scores in rows.items():
        for row in scores:
            for c in (1, 2, 3):
                assert row[c].se is not None and row[c].se > 0, (p, n_lines)
                assert "noise of the file's votes" in row[c].reason and f"< {MIN_NOISE_DF})" in row[c].reason
    assert [[s.se for s in row] for row in rows["pair"]] == [[s.se for s in row] for row in rows["file"]] \
        == [[s.se for s in row] for row in rows["larger"]]


def test_the_preset_declares_it_a_config_sets_it_and_a_bad_value_is_one_line(tmp_path):
    assert load_config().scorer_params("consensus")["noise_pooling"] == "pair"
    from mtfix.scoring.select import build_scorers

    p = tmp_path / "c.toml"
    p.write_text('[consensus]\nnoise_pooling = "file"\n', encoding="utf-8")
    (cons, *_), _ = build_scorers(load_config(p), has_sources=False)
    assert cons.noise_pooling == "file" and cons.signature()["noise_pooling"] == "file"
    with pytest.raises(ValueError, match="noise_pooling"):
        ConsensusScorer(noise_pooling="median")
    bad = tmp_path / "bad.toml"
    bad.write_text('[consensus]\nnoise_pooling = "median"\n', encoding="utf-8")
    files = []
    for k, lines in enumerate(("a b c\nd e f\n", "a b c\nd e g\n", "a b x\nd e f\n")):
        files.append(tmp_path / f"s{k}.txt")
        files[-1].write_text(lines, encoding="utf-8")
    out = tmp_path / "out.txt"
    r = CliRunner().invoke(app, ["select", "--candidates", *map(str, files), "--out", str(out), "--config", str(bad)])
    assert r.exit_code == 2 and not out.exists()
    assert r.output.strip().splitlines() == [f"error: {bad}: [consensus] noise_pooling: must be one of 'pair', 'file', "
                                             f"'larger', not 'median'"]


def test_a_gain_measured_by_look_alikes_names_its_noise_too():
    """Repair with one back and one forward model: every challenger shares a model with the others, so no
    voice is independent of both it and the original; the allowance comes from the correlated votes' spread
    (pooled as the preset says) and the reason says which."""
    rng = random.Random(5)
    segs = []
    for i in range(40):
        base = [rng.choice(WORDS) for _ in range(12)]
        texts = [" ".join(base)] + [_variant(rng, base, 2) for _ in range(3)]
        origins = ["original", "fwd#1<back#1", "fwd#2<back#1", "fwd#1<back#2"]
        segs.append(Segment(i, [Candidate(t, o) for t, o in zip(texts, origins)], [], 0))
    for p in NOISE_POOLINGS:
        scores = ConsensusScorer(trust_weighted=False, noise_pooling=p).score(segs)
        for row in scores:
            for c in (1, 2, 3):
                assert row[c].gain is None and row[c].se > 0
                assert row[c].allowance.startswith("allowance: noise of ") and \
                    row[c].allowance.endswith(", no voice independent of both") and row[c].allowance in row[c].reason
    cfg = ScoringConfig(weights={"consensus": 1.0}, margin=0.01, z=1.645)
    sel = Selector(cfg, [ConsensusScorer(trust_weighted=False)], gates=[]).select(segs)
    assert all(", no voice independent of both" in d.reason for d in sel.decisions)
