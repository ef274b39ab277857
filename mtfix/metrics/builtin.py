"""The metrics sacrebleu provides: BLEU, chrF, chrF++, TER (registered in this order).

Each wraps sacrebleu's own class with its default settings unless a parameter
says otherwise, so scores and signatures are the ones the field reports.
Per-segment statistics are remembered per system (:class:`~mtfix.metrics.sacrebleu_internals.MemoStatistics`): the
corpus score, the sentence scores, the paired bootstrap and the approximate
randomization test all read them, so they are computed once (TER's edit
distance is slow) and no number changes.
"""

from __future__ import annotations

from sacrebleu.metrics import BLEU, CHRF, TER

from mtfix.errors import MtfixError
from mtfix.metrics.registry import EvalMetric, register_metric
from mtfix.metrics.sacrebleu_internals import MemoStatistics

#: BLEU tokenizers sacrebleu knows (``flores101/200``, ``spm`` download a model on first use).
BLEU_TOKENIZERS = ("13a", "intl", "none", "char", "zh", "ja-mecab", "ko-mecab", "spm", "flores101", "flores200")


class CachedBLEU(MemoStatistics, BLEU):
    pass


class CachedCHRF(MemoStatistics, CHRF):
    pass


class CachedTER(MemoStatistics, TER):
    pass


def _setup(name: str, tokenize: str, build):
    try:
        return build()
    except (ImportError, RuntimeError, OSError) as e:  # e.g. a tokenizer needing a download or a package
        raise MtfixError(f"cannot set up {name} with tokenizer {tokenize!r}: {e}") from None


@register_metric
class BleuMetric(EvalMetric):
    """sacrebleu BLEU (``-tok``, ``-lc``); sentence scores with effective order, as ``--sentence-level``."""

    key = "bleu"
    score_name = "BLEU"
    PARAMS = {"tokenize": (str, "13a", "BLEU tokenizer (sacrebleu -tok)"),
              "lowercase": (bool, False, "case-insensitive (sacrebleu -lc)")}
    CHOICES = {"tokenize": BLEU_TOKENIZERS}
    segment_column = "BLEU"
    segment_always = True
    default = True

    def corpus_metric(self, references, sources=None):
        return _setup(self.score_name, self.tokenize, lambda: CachedBLEU(
            tokenize=self.tokenize, lowercase=self.lowercase, references=references))

    def sentence_metric(self, sources=None):
        return _setup(self.score_name, self.tokenize, lambda: CachedBLEU(
            tokenize=self.tokenize, lowercase=self.lowercase, effective_order=True))

    def details(self, score) -> dict:
        return {"precisions": [float(p) for p in score.precisions], "bp": float(score.bp),
                "sys_len": int(score.sys_len), "ref_len": int(score.ref_len)}


@register_metric
class ChrfMetric(EvalMetric):
    """sacrebleu chrF (chrF2; ``--chrf-lowercase``)."""

    key = "chrf"
    score_name = "chrF2"
    PARAMS = {"lowercase": (bool, False, "case-insensitive (sacrebleu --chrf-lowercase)")}
    segment_column = "chrF"
    segment_always = True
    default = True
    word_order = 0

    def corpus_metric(self, references, sources=None):
        return CachedCHRF(word_order=self.word_order, lowercase=self.lowercase, references=references)


@register_metric
class ChrfPlusMetric(ChrfMetric):
    """sacrebleu chrF++ (word bigrams added)."""

    key = "chrf++"
    score_name = "chrF2++"
    segment_column = None
    segment_always = False
    word_order = 2


@register_metric
class TerMetric(EvalMetric):
    """sacrebleu TER with its defaults (case-insensitive, tercom tokenisation); lower is better."""

    key = "ter"
    score_name = "TER"
    lower_is_better = True
    default = True

    def corpus_metric(self, references, sources=None):
        return CachedTER(references=references)
