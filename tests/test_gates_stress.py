"""The gates on real text (scripts/stress_repair.py's planted lines), and the fidelity gate reading
the consensus scorer's pairwise chrF instead of computing it again.

On the first 400 FLORES-200 devtest lines of each direction, every planted
loop, leaked token, copied source, changed digit and truncation is stopped,
at least 90 % of the neighbouring lines' translations are, and the gates stop
at most 3 % of the clean challenger lines (real system outputs; about half of
those that remain are real faults: a dropped or invented sentence, a changed
year). The full-size figures are the stress table's "Gates" row.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mtfix.scoring import Candidate, Segment, Selector, build_scorers, load_config
from mtfix.scoring.gates import GateContext, build_gates, run_gates
from conftest import load_script

N = 400


@pytest.fixture(scope="module")
def stress():
    return load_script("stress_repair")


def planted_segments(stress, data: Path, direction: str, n: int = N):
    spec = stress.DIRECTIONS[direction]
    sysdir = data / "systems" / f"flores200-devtest.{direction}"
    systems = {p.stem: stress.read(p) for p in sorted(sysdir.glob("*.txt"))}
    sources = stress.read(data / "flores200-devtest" / f"{spec['src']}.txt")[:n]
    original = systems[spec["original"]][:n]
    clean = {k: v[:n] for k, v in systems.items() if k != spec["original"]}
    offered, planted = {}, []
    for name, lines in clean.items():
        offered[name], p = stress.plant(name, lines, sources, [original, *clean.values()], tgt_lang=spec["tgt_lang"],
                                        rate=0.15, seed=1, neighbours_from=systems[name])
        planted += p
    names = ["original", *offered]
    segments = [Segment(i, [Candidate(original[i], "original")] + [Candidate(offered[m][i], m) for m in offered],
                        [sources[i]], incumbent=0) for i in range(n)]
    kinds = {(p.system, p.line): p.kind for p in planted}
    return segments, names, kinds, spec["tgt_lang"]


@pytest.mark.parametrize("direction", ["eng-ara", "ara-eng"])
def test_every_planted_kind_is_stopped_and_few_clean_lines_are(stress, shared_data, direction):
    segments, names, kinds, lang = planted_segments(stress, shared_data, direction)
    failures = run_gates(build_gates(load_config()), segments, GateContext(lang))
    stopped: dict[str, list[int]] = {}
    for i, row in enumerate(failures):
        for c in range(1, len(row)):
            s = stopped.setdefault(kinds.get((names[c], i), "clean"), [0, 0])
            s[0] += bool(row[c])
            s[1] += 1
    for kind in ("loop", "tokens", "source", "digits", "truncation"):
        assert stopped[kind][1] >= 20 and stopped[kind][0] == stopped[kind][1], (kind, stopped)
    assert stopped["neighbour"][0] >= 0.9 * stopped["neighbour"][1], stopped
    assert stopped["clean"][0] <= 0.03 * stopped["clean"][1], stopped


def test_fidelity_reads_the_agreement_and_decides_exactly_as_before(stress, shared_data):
    """The consensus scorer's pairwise chrF reaches the gates (the shared GateContext.facts): the fidelity
    gate and its evidence compute no chrF of their own, and every failure, evidence and decision is
    what the gates computing it themselves give."""
    segments, _, _, lang = planted_segments(stress, shared_data, "eng-ara", n=120)
    config = load_config()
    scorers, _ = build_scorers(config, tgt_lang=lang, has_sources=True)
    selector = Selector(config, scorers, tgt_lang=lang)
    selection = selector.select(segments)
    consensus = next(s for s in scorers if s.name == "consensus")

    # the same failures without the matrix (each chrF computed by the gate)
    plain_ctx = GateContext(lang)
    plain = run_gates(selector.gates, segments, plain_ctx)
    assert plain == selection.gates
    fidelity = next(g for g in selector.gates if g.name == "fidelity")
    assert any(g == "fidelity" for row in plain for fails in row for g, _ in fails)

    # with the consensus matrix in the selection's shared analyses the fidelity gate computes nothing
    from mtfix.scoring.consensus import Agreement
    from mtfix.scoring.facts import Facts

    facts = Facts()
    Agreement(segments, consensus._norm, facts=facts)  # the matrix, as the selection builds it
    calls = []
    memo = facts._chrf
    computed = memo._pair
    memo._pair = lambda hyp, ref: calls.append((hyp, ref)) or computed(hyp, ref)
    ctx = GateContext(lang, facts=facts)
    for seg in segments:
        for c in range(1, len(seg.candidates)):
            assert fidelity.check(seg, c, ctx) == fidelity.check(seg, c, plain_ctx)
            assert fidelity.evidence(seg, c, ctx) == fidelity.evidence(seg, c, plain_ctx)
    assert calls == []

    # and the decisions read the same with either context
    for i, seg in enumerate(segments):
        scores = {n: s[i] for n, s in selection.scores.items()}
        assert selector.decide(seg, scores, plain[i], plain_ctx).reason == selection.decisions[i].reason


def test_a_reference_that_is_itself_a_loop_is_no_fidelity_yardstick():
    loop = " ".join(["Shiva"] * 18)
    good = "The evening was opened by singer Sanju Sharma, followed by Jay Shankar Chowdhury."
    seg = Segment(0, [Candidate(loop, "incumbent"), Candidate(good, "challenger"),
                      Candidate(" ".join(["Sharma"] * 18), "another loop")],
                  ["افتتح السهرة المطرب سانجو شارما، تلاه جاي شانكار شودري."], incumbent=0)
    fails = run_gates(build_gates(load_config()), [seg], GateContext("en"))[0]
    assert not any(g == "fidelity" for g, _ in fails[1]), fails[1]
    assert any(g == "loop" for g, _ in fails[2])  # a loop challenger is still stopped
    # an ordinary reference still is one
    seg = Segment(0, [Candidate(good, "incumbent"), Candidate("Walking was the first means of transport.", "c")],
                  [], incumbent=0)
    assert any(g == "fidelity" for g, _ in run_gates(build_gates(load_config()), [seg], GateContext("en"))[0][1])


def test_memoised_sentence_metrics_are_sacrebleus(shared_data):
    """SentenceChrf / SentenceBleu (the gates' and the round-trip scorer's) give sacrebleu's numbers exactly."""
    import random

    from mtfix.metrics.chrf_stats import SentenceBleu, SentenceChrf
    from mtfix.metrics.sentence import sentence_bleu, sentence_chrf

    texts = []
    for name in ("arb_Arab", "eng_Latn"):
        texts += (shared_data / "flores200-devtest" / f"{name}.txt").read_text(encoding="utf-8").splitlines()[:40]
    texts += ["", " ", " ".join(["ال"] * 9), "a", "a b ."]
    rng = random.Random(3)
    chrf, bleu = SentenceChrf(), SentenceBleu()
    for a in texts:
        for b in rng.sample(texts, 8) + [a, a[:25]]:
            assert chrf(a, b) == sentence_chrf(a, b) and chrf(a, b) == sentence_chrf(a, b), (a, b)
            assert bleu(a, b) == sentence_bleu(a, b) and bleu(a, b) == sentence_bleu(a, b), (a, b)
