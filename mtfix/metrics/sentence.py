"""Sentence-level chrF and BLEU from sacrebleu, as the scorers and filters use them.

One reference per call, sacrebleu's defaults (chrF2; BLEU 13a with effective
order, as ``sacrebleu --sentence-level`` does). Empty texts are decided here
(both empty: 100, one empty: 0) because sacrebleu's numbers on them are
undefined rather than wrong.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=None)
def chrf_metric():
    """The shared sacrebleu ``CHRF()`` (defaults) behind :func:`sentence_chrf`."""
    from sacrebleu.metrics import CHRF

    return CHRF()


@lru_cache(maxsize=None)
def bleu_metric():
    """The shared sacrebleu ``BLEU(effective_order=True)`` behind :func:`sentence_bleu`."""
    from sacrebleu.metrics import BLEU

    return BLEU(effective_order=True)


def sentence_chrf(hypothesis: str, reference: str) -> float:
    """sacrebleu sentence chrF (chrF2, defaults), 0-100."""
    if not hypothesis.strip() or not reference.strip():
        return 100.0 if hypothesis.strip() == reference.strip() else 0.0
    return chrf_metric().sentence_score(hypothesis, [reference]).score


def sentence_bleu(hypothesis: str, reference: str) -> float:
    """sacrebleu sentence BLEU (13a, ``effective_order=True``), 0-100."""
    if not hypothesis.strip() or not reference.strip():
        return 100.0 if hypothesis.strip() == reference.strip() else 0.0
    return bleu_metric().sentence_score(hypothesis, [reference]).score


def metric_signatures() -> dict:
    """sacrebleu signatures of the sentence metrics (one reference each): ``{"chrf": ..., "bleu": ...}``."""
    for metric in (chrf_metric(), bleu_metric()):
        metric.sentence_score("a", ["a"])  # sacrebleu fills in the reference count on first use
    return {"chrf": str(chrf_metric().get_signature()), "bleu": str(bleu_metric().get_signature())}
