"""The round-trip scorers read chrF from the selection's shared memo (one vectorised pass over every
back-translation and its segment's sources) and BLEU from a per-text n-gram memo: the scores and
reasons are exactly those of sacrebleu's ``sentence_score`` pair by pair (the code of before,
frozen below), alone and inside a selection, on FLORES-200 pools shaped like repair's."""

from __future__ import annotations

import json

import pytest

from mtfix.metrics import sentence_bleu, sentence_chrf
from mtfix.scoring import load_config
from mtfix.scoring.base import Candidate, Score, Segment, get_normalizer
from mtfix.scoring.roundtrip import RoundTripScorer, roundtrip_scorers
from mtfix.scoring.select import Selector, build_scorers


def reference_roundtrip(segments, back_translate, metric, normalize=None):
    """The round trip as it was computed before: sacrebleu ``sentence_score`` for every pair."""
    _, norm = get_normalizer(normalize)
    fn, label = (sentence_chrf, "chrF") if metric == "chrf" else (sentence_bleu, "BLEU")
    texts = list(dict.fromkeys(c.text for seg in segments for c in seg.candidates if c.text.strip()))
    back = dict(zip(texts, back_translate(texts)))
    out = []
    for seg in segments:
        refs = [norm(s) for s in seg.sources if s and s.strip()]
        row = []
        for cand in seg.candidates:
            if not refs:
                row.append(Score(0.0, "no source or pivot to compare with"))
            elif not cand.text.strip():
                row.append(Score(0.0, "empty"))
            elif seg.original is not None and cand.text == seg.original:
                row.append(None)
            else:
                v = sum(fn(norm(back[cand.text]), r) for r in refs) / len(refs)
                what = "source" if len(refs) == 1 else f"{len(refs)} pivots"
                row.append(Score(min(1.0, max(0.0, v / 100.0)), f"round-trip {label} {v:.1f} vs {what}"))
        for k, sc in enumerate(row):
            if sc is None:
                own = norm(back[seg.original])
                others = [r for r in refs if r != own]
                if others:
                    v = sum(fn(own, r) for r in others) / len(others)
                    row[k] = Score(min(1.0, max(0.0, v / 100.0)),
                                   f"original: {label} {v:.1f} vs the {len(others)} pivot(s) it did not produce")
                else:
                    level = max((s.value for s in row if s is not None), default=1.0)
                    row[k] = Score(level, f"original: its only pivot is its own back-translation; level with the "
                                          f"best candidate ({label} {level * 100:.1f})")
        out.append(row)
    return out


def _pools(data, n):
    """Repair-shaped pools: an Arabic original and 4 challengers (FLORES eng->ara systems), 2 English
    pivots (the FLORES source and an ara->eng system; the first doubles as the original's own
    back-translation on every third line), plus edge cases (empty, no pivot, one pivot)."""
    ar = [p.read_text(encoding="utf-8").splitlines()[:n]
          for p in sorted((data / "systems" / "flores200-devtest.eng-ara").glob("*.txt"))]
    en_sys = [p.read_text(encoding="utf-8").splitlines()[:n]
              for p in sorted((data / "systems" / "flores200-devtest.ara-eng").glob("*.txt"))]
    en = (data / "flores200-devtest" / "eng_Latn.txt").read_text(encoding="utf-8").splitlines()[:n]
    back: dict[str, str] = {}
    segments = []
    for i in range(n):
        texts = [sys[i] for sys in ar[:5]]
        for k, t in enumerate(texts):  # a deterministic "back-translation" of each Arabic text
            back.setdefault(t, en_sys[k % len(en_sys)][(i + k) % n])
        pivots = [back[texts[0]] if i % 3 == 0 else en[i], en_sys[-1][i]]
        if i % 7 == 0:
            pivots = pivots[:1]  # one pivot: the original's own (every 21st line), else the source
        if i % 11 == 0:
            pivots = []
        cands = [Candidate(texts[0], "original")] + [Candidate(t, f"fwd#{k}") for k, t in enumerate(texts[1:])]
        if i % 5 == 0:
            cands.append(Candidate("  ", "fwd#empty"))
        segments.append(Segment(i, cands, pivots, incumbent=0, original=texts[0], sources_kind="pivot"))
    return segments, back


def _dicts(rows):
    """Each score's value and reason as the reference gives them: a challenger's paired gain, its noise
    and their note (tests/test_scoring_repair_evidence.py) are left out."""
    return [[{"value": d["value"], "reason": d["reason"].split("; paired: ")[0]} for d in (s.to_dict() for s in row)]
            for row in rows]


@pytest.mark.parametrize("metric", ["chrf", "bleu"])
@pytest.mark.parametrize("normalize", [None, "arabic"])
def test_roundtrip_scores_equal_sentence_score_pair_by_pair(shared_data, metric, normalize):
    segments, back = _pools(shared_data, 120)
    calls = []

    def back_translate(texts):
        calls.append(len(texts))
        return [back[t] for t in texts]

    got = RoundTripScorer(back_translate, metric=metric, normalize=normalize).score(segments)
    want = reference_roundtrip(segments, lambda ts: [back[t] for t in ts], metric, normalize)
    assert _dicts(got) == _dicts(want)
    assert len(calls) == 1  # every candidate back-translated in one call


def test_roundtrip_inside_a_selection_gives_the_same_report(shared_data):
    """Inside a selection the chrF memo is the one the consensus and the gates fill too: the same
    scores, the same decisions as with the reference round trip."""
    segments, back = _pools(shared_data, 80)
    cfg = load_config()

    def run():
        scorers, _ = build_scorers(cfg, tgt_lang="ar", has_sources=True,
                                   back_translate=lambda ts: [back[t] for t in ts], back_model_name="m")
        return Selector(cfg, scorers, tgt_lang="ar").select(
            [Segment(s.index, list(s.candidates), list(s.sources), incumbent=0, original=s.original,
                     sources_kind="pivot") for s in segments])

    fast = run()
    assert {"roundtrip_chrf", "roundtrip_bleu"} <= set(fast.scores)
    for metric in ("chrf", "bleu"):
        want = _dicts(reference_roundtrip(segments, lambda ts: [back[t] for t in ts], metric))
        got = _dicts(fast.scores[f"roundtrip_{metric}"])
        # a candidate a gate stopped is not back-translated (scored level with the incumbent): every
        # other score is the reference's
        computed = [(g, w) for row_g, row_w in zip(got, want) for g, w in zip(row_g, row_w)
                    if not g["reason"].startswith("round trip not computed")]
        assert len(computed) > 0.6 * sum(map(len, got))
        assert [g for g, _ in computed] == [w for _, w in computed]
    assert json.dumps([d.to_dict() for d in fast.decisions]) == json.dumps([d.to_dict() for d in run().decisions])


def test_the_chrf_and_bleu_scorers_back_translate_each_text_once(shared_data):
    segments, back = _pools(shared_data, 30)
    seen = []

    def back_translate(texts):
        seen.extend(texts)
        return [back[t] for t in texts]

    for scorer in roundtrip_scorers(back_translate):
        scorer.score(segments)
    assert len(seen) == len(set(seen)) == len({c.text for s in segments for c in s.candidates if c.text.strip()})


def test_word_ngrams_are_sacrebleus(shared_data):
    from sacrebleu.metrics.helpers import extract_all_word_ngrams

    from mtfix.metrics.chrf_stats import word_ngrams

    lines = (shared_data / "flores200-devtest" / "eng_Latn.txt").read_text(encoding="utf-8").splitlines()[:300]
    lines += ["", " ", "a", "a a a a a", "x y", "the cat the cat the cat", "٣ كتب ٣ كتب"]
    for line in lines:
        for order in (1, 2, 4, 6):
            got, want = word_ngrams(line, order), extract_all_word_ngrams(line, 1, order)
            assert got == want and got[1] == want[1] and sorted(got[0].items()) == sorted(want[0].items())
