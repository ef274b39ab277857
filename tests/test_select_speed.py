"""`mtfix select` made fast without changing a decision: the same selections and the same report
JSON as the frozen reference computations of tests/select_reference.py (main at 204bcbd) on the
FLORES-200 system outputs; the vectorised chrF equal to sacrebleu's bit for bit; every analysis
of a text computed once per selection, whichever scorer or gate asks."""

from __future__ import annotations

import dataclasses
import json
import random

import pytest
from sacrebleu.metrics import CHRF

from mtfix.metrics import ChrfMemo, ChrfStats
from mtfix.scoring import load_config
from mtfix.scoring.base import Candidate, Segment
from mtfix.scoring.facts import Facts, shared_facts
from mtfix.scoring.select import Selector, build_scorers
from mtfix.select import select_files, select_lines
from select_reference import reference_analyses, reference_report

SOURCES = {"ara-eng": "arb_Arab", "eng-ara": "eng_Latn"}
EDGE = ["a", "aa", "aaaa aaaa", "the cat sat on the mat", "the the the the", "cat", "CAT sat.", "مرحبا بالعالم",
        "مرحبا  بالعالم!", "٣ كتب", "3 books, 3 books, 3 books", "x" * 40, "a b c d e f g", "“quoted” — dash…",
        "new\tline", "ab ab ab ab ab ab", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 outside the BMP", "ab", "abcdef", "abcdefg"]


def _systems(data, direction, n=None):
    files = sorted((data / "systems" / f"flores200-devtest.{direction}").glob("*.txt"))
    return [(p.stem, p.read_text(encoding="utf-8").splitlines()[:n]) for p in files]


def _source(data, direction, n=None):
    return (data / "flores200-devtest" / f"{SOURCES[direction]}.txt").read_text(encoding="utf-8").splitlines()[:n]


def _same_as_reference(run):
    fast = run()
    with reference_analyses():
        ref = run()
    assert fast.lines == ref.lines
    got = json.dumps(fast.report(), ensure_ascii=False, indent=1)
    want = json.dumps(reference_report(ref), ensure_ascii=False, indent=1)
    assert got == want  # the whole report: scores, reasons, gates, decisions, trust, signature
    return fast


@pytest.mark.parametrize("direction,incumbent", [("ara-eng", None), ("eng-ara", None), ("eng-ara", 1)])
def test_select_same_as_reference_on_flores(shared_data, direction, incumbent):
    n = 100
    systems, source = _systems(shared_data, direction, n), _source(shared_data, direction, n)
    name = systems[incumbent][0] if incumbent is not None else None
    result = _same_as_reference(lambda: select_lines(systems, source, incumbent=name))
    assert len(result.lines) == n and result.summary()["switched"] > 0  # some lines did switch


@pytest.mark.slow
@pytest.mark.parametrize("direction", list(SOURCES))
def test_select_same_as_reference_on_all_of_flores(shared_data, direction):
    files = [str(p) for p in sorted((shared_data / "systems" / f"flores200-devtest.{direction}").glob("*.txt"))]
    source = shared_data / "flores200-devtest" / f"{SOURCES[direction]}.txt"
    _same_as_reference(lambda: select_files(files, source))


def test_repair_pools_same_as_reference(shared_data):
    """Repair's pools (an original, chains of back/forward models, pivots that are not trusted)."""
    systems = _systems(shared_data, "eng-ara", 60)
    pivots = _source(shared_data, "eng-ara", 60)
    cfg = load_config()

    def run():
        segments = []
        for i in range(60):
            cands = [Candidate(systems[0][1][i], "original")]
            cands += [Candidate(t[i], f"fwd{k % 2}#1<back{k // 2}#1") for k, (_, t) in enumerate(systems[1:])]
            segments.append(Segment(i, cands, [pivots[i], pivots[(i + 1) % 60]], incumbent=0,
                                    original=systems[0][1][i], sources_kind="pivot"))
        scorers, _ = build_scorers(cfg, tgt_lang="ar", has_sources=True)
        return Selector(cfg, scorers, tgt_lang="ar").select(segments)

    fast = run()
    with reference_analyses():
        ref = run()
    assert [d.to_dict() for d in fast.decisions] == [d.to_dict() for d in ref.decisions]
    assert {n: [[s.to_dict() for s in row] for row in rows] for n, rows in fast.scores.items()} == \
        {n: [[s.to_dict() for s in row] for row in rows] for n, rows in ref.scores.items()}
    assert fast.gates == ref.gates


# ------------------------------------------------------------- chrF of many pairs at once


def _pools(data, n):
    pools = [list(p) for p in zip(*(t for _, t in _systems(data, "ara-eng", n)), _source(data, "ara-eng", n))]
    pools += [list(p) for p in zip(*(t for _, t in _systems(data, "eng-ara", n)), _source(data, "eng-ara", n))]
    rng = random.Random(3)
    pools += [rng.sample(EDGE, rng.randint(2, 9)) for _ in range(40)]  # odd sizes, short texts
    return pools


@pytest.mark.parametrize("metric", [CHRF(), CHRF(eps_smoothing=True), CHRF(beta=3, char_order=4), CHRF(lowercase=True),
                                    CHRF(whitespace=True)], ids=["default", "eps", "beta3-order4", "lower", "space"])
def test_groups_are_sacrebleu_sentence_chrf_bit_for_bit(shared_data, metric):
    pools = _pools(shared_data, 40)
    got = ChrfStats(metric).groups(pools)
    pairs = 0
    for texts, m in zip(pools, got):
        for a, ta in enumerate(texts):
            for b, tb in enumerate(texts):
                if a == b:
                    assert m[a][b] is None
                else:
                    assert m[a][b] == metric.sentence_score(ta, [tb]).score, (ta, tb)  # ==, not approx
                    pairs += 1
    assert pairs > 3000


def test_groups_fall_back_where_they_do_not_apply():
    assert ChrfStats(CHRF(word_order=2)).groups([["a b", "a c", "b c"]]) == [None]  # chrF++: word n-grams
    many = "".join(chr(0x4E00 + i) for i in range(2000))  # too many distinct characters for exact keys
    texts = [many, many[::-1], many[:1000], "abc"]
    assert ChrfStats().groups([texts, ["ab", "abc", "bc"]])[0] is None
    memo = ChrfMemo()
    memo.prefetch([texts])  # nothing computed for that group ...
    assert memo.score(texts[0], texts[2]) == CHRF().sentence_score(texts[0], [texts[2]]).score  # ... until asked


def test_chunks_cut_anywhere_give_the_same_scores(shared_data, monkeypatch):
    import mtfix.metrics.chrf_stats as chrf_stats

    pools = _pools(shared_data, 30)
    whole = ChrfStats().groups(pools)
    monkeypatch.setattr(chrf_stats, "_CHUNK_CELLS", 1)  # one group per chunk
    assert ChrfStats().groups(pools) == whole
    monkeypatch.setattr(chrf_stats, "_CHUNK_CELLS", 10 ** 12)  # all in one chunk
    assert ChrfStats().groups(pools) == whole


def test_memo_prefetch_and_pairwise_follow_sentence_chrf_rules():
    from mtfix.metrics import sentence_chrf

    texts = ["the cat sat", "", "the cat sat", "a cat sat", "  ", "مرحبا بالعالم", "a cat sat", "cat"]
    memo = ChrfMemo()
    memo.prefetch([texts, texts[3:]])
    m = memo.pairwise(texts)
    for a, ta in enumerate(texts):
        for b, tb in enumerate(texts):
            if a != b:
                assert m[a][b] == sentence_chrf(ta, tb) == memo.score(ta, tb), (ta, tb)


# ------------------------------------------------------------- each analysis once


def test_each_analysis_is_computed_once_per_selection(shared_data, monkeypatch):
    """The repetition scorer and the loop gate share one report per text; no chrF pair is
    computed pair by pair (all come from the vectorised pass); scorers and gates see one Facts."""
    import mtfix.text.repetition as repetition
    from mtfix.metrics.chrf_stats import ChrfStats as Stats
    from mtfix.scoring.gates import Gate, GateContext, register_gate
    from mtfix.scoring.registry import GATES

    calls: dict[str, int] = {}
    real = repetition.repetition_report

    def counted(text, *a, **k):
        calls[text] = calls.get(text, 0) + 1
        return real(text, *a, **k)

    monkeypatch.setattr(repetition, "repetition_report", counted)
    monkeypatch.setattr(Stats, "ngrams", lambda *a: pytest.fail("a chrF pair computed on its own"))
    seen: list = []

    class Spy(Gate):
        name = "spy_facts"

        def check(self, seg, c, ctx: GateContext):
            seen.append(ctx.facts is shared_facts())
            return None

    register_gate(Spy)
    try:
        cfg = load_config()
        cfg = dataclasses.replace(cfg, gates={**cfg.gates, "spy_facts": {}})
        systems, source = _systems(shared_data, "ara-eng", 40), _source(shared_data, "ara-eng", 40)
        select_lines(systems, source, config=cfg)
    finally:
        GATES.unregister("spy_facts")
    assert calls and max(calls.values()) == 1
    assert seen and all(seen)


def test_facts_of_is_a_memo_and_shared_only_inside_a_selection():
    facts = Facts()
    calls = []

    def f(x, y=1):
        calls.append(x)
        return [x, y]

    assert facts.of(f, "a") is facts.of(f, "a") and facts.of(f, "a", 2) == ["a", 2]
    assert calls == ["a", "a"]  # once per distinct arguments
    assert shared_facts() is not shared_facts()  # outside a selection: a fresh one each time
    with facts.shared():
        assert shared_facts() is facts
    assert shared_facts() is not facts
