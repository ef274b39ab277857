"""sacrebleu metric objects built from options; corpus scores with signatures.

Nothing here re-implements a metric: every number comes from sacrebleu's own
``BLEU``, ``CHRF`` and ``TER`` classes, with their default settings unless an
option says otherwise, so the scores and signatures are the ones the field
reports. The only addition is the normalisation tag (``|normalize:<profile>``)
appended to the signature when a profile other than ``none`` was applied to
hypotheses and references. (It is not ``norm:``, which TER's signature already
uses for its own ``normalized`` flag.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from sacrebleu.metrics import BLEU, CHRF, TER
from sacrebleu.metrics.base import Metric

from mtfix.errors import MtfixError

#: Metric keys accepted by :class:`MetricOptions` (and ``--metric``), in display order.
METRIC_KEYS = ("bleu", "chrf", "chrf++", "ter")

#: BLEU tokenizers that work offline (``flores101/200``, ``spm`` download a model).
BLEU_TOKENIZERS = ("13a", "intl", "none", "char", "zh", "ja-mecab", "ko-mecab", "spm", "flores101", "flores200")

#: Metrics where a lower score is better.
LOWER_IS_BETTER = {"TER"}


@dataclass(frozen=True)
class MetricOptions:
    """Which metrics to compute and how.

    ``tokenize`` and ``lowercase`` follow sacrebleu's ``-tok`` and ``-lc`` (BLEU)
    and ``--chrf-lowercase`` (chrF/chrF++); TER keeps sacrebleu's defaults
    (case-insensitive, tercom tokenisation). ``normalize`` is the name of the
    text normalisation profile already applied to hypotheses and references;
    it is only recorded in the signatures here.
    """

    metrics: tuple[str, ...] = METRIC_KEYS
    tokenize: str = "13a"
    lowercase: bool = False
    normalize: str = "none"

    def __post_init__(self):
        keys = tuple(dict.fromkeys(m.strip().lower() for m in self.metrics if m.strip()))
        if not keys:
            raise MtfixError(f"no metric given; choose from {', '.join(METRIC_KEYS)}")
        bad = [m for m in keys if m not in METRIC_KEYS]
        if bad:
            raise MtfixError(f"unknown metric {bad[0]!r}; choose from {', '.join(METRIC_KEYS)}")
        # keep the canonical display order
        object.__setattr__(self, "metrics", tuple(m for m in METRIC_KEYS if m in keys))
        if self.tokenize not in BLEU_TOKENIZERS:
            raise MtfixError(f"unknown BLEU tokenizer {self.tokenize!r}; choose from {', '.join(BLEU_TOKENIZERS)}")


def metric_name(key: str) -> str:
    """The name sacrebleu gives the score of metric ``key`` (``chrf++`` -> ``chrF2++``)."""
    return {"bleu": "BLEU", "chrf": "chrF2", "chrf++": "chrF2++", "ter": "TER"}[key]


class _CachedStats:
    """Remembers sacrebleu's per-segment statistics for hypotheses scored against the cached references.

    The corpus score, the paired bootstrap and the approximate randomization
    test each ask sacrebleu for the statistics of the same system; computing
    them once (TER's edit distance is slow) changes no number. Only calls
    that use the cached references (``references=None``) are remembered.
    """

    def _extract_corpus_statistics(self, hypotheses, references):
        if references:
            return super()._extract_corpus_statistics(hypotheses, references)
        cache = self.__dict__.setdefault("_mtfix_stats_cache", {})
        key = tuple(hypotheses)
        if key not in cache:
            cache[key] = super()._extract_corpus_statistics(hypotheses, references)
        return cache[key]


class _BLEU(_CachedStats, BLEU):
    pass


class _CHRF(_CachedStats, CHRF):
    pass


class _TER(_CachedStats, TER):
    pass


def new_metric(key: str, opts: MetricOptions, references: Sequence[Sequence[str]] | None = None,
               *, sentence: bool = False) -> Metric:
    """A fresh sacrebleu metric object for ``key``; references are cached if given.

    ``sentence=True`` gives the sentence-level variant sacrebleu's CLI uses with
    ``--sentence-level`` (BLEU with effective order); chrF is unchanged.
    """
    try:
        if key == "bleu":
            return _BLEU(tokenize=opts.tokenize, lowercase=opts.lowercase,
                        effective_order=sentence, references=references)
        if key == "chrf":
            return _CHRF(lowercase=opts.lowercase, references=references)
        if key == "chrf++":
            return _CHRF(word_order=2, lowercase=opts.lowercase, references=references)
        if key == "ter":
            return _TER(references=references)
    except (ImportError, RuntimeError, OSError) as e:  # e.g. a tokenizer needing a download or a package
        raise MtfixError(f"cannot set up {metric_name(key)} with tokenizer {opts.tokenize!r}: {e}") from None
    raise MtfixError(f"unknown metric {key!r}; choose from {', '.join(METRIC_KEYS)}")


def build_metrics(opts: MetricOptions, references: Sequence[Sequence[str]]) -> dict[str, Metric]:
    """``{score name: metric}`` with the references pre-cached, as sacrebleu's CLI does."""
    return {metric_name(k): new_metric(k, opts, references) for k in opts.metrics}


def format_signature(sig, normalize: str = "none", extra: dict | None = None) -> str:
    """A sacrebleu ``Signature`` as text, with mtfix's additions.

    ``extra`` items (e.g. ``roundtrip:<model>``) go in before ``version`` as
    sacrebleu's own fields do; ``|normalize:<profile>`` is appended last when a
    profile other than ``none`` was applied.
    """
    for k, v in (extra or {}).items():
        sig.update(k, v)
    text = sig.format()
    if normalize and normalize != "none":
        text += f"|normalize:{normalize}"
    return text


def signature(metric: Metric, opts: MetricOptions, extra: dict | None = None) -> str:
    """sacrebleu's signature for ``metric``, plus ``|normalize:<profile>`` when one was applied."""
    return format_signature(metric.get_signature(), opts.normalize, extra)


@dataclass
class MetricScore:
    """One corpus-level score, as sacrebleu computed it."""

    name: str
    score: float
    signature: str
    #: sacrebleu's own one-line rendering, e.g. ``BLEU = 42.82 71.7/49.1/35.8/26.6 (BP = ...)``
    verbose: str
    details: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"score": self.score, "signature": self.signature, "verbose": self.verbose, **self.details}


def corpus_scores(hypotheses: Sequence[str], metrics: dict[str, Metric], opts: MetricOptions) -> dict[str, MetricScore]:
    """Corpus scores of one system against the references cached in ``metrics``."""
    out: dict[str, MetricScore] = {}
    for name, metric in metrics.items():
        s = metric.corpus_score(list(hypotheses), None)
        details = {}
        if name == "BLEU":
            details = {"precisions": [float(p) for p in s.precisions], "bp": float(s.bp),
                       "sys_len": int(s.sys_len), "ref_len": int(s.ref_len)}
        out[name] = MetricScore(name=s.name, score=float(s.score), signature=signature(metric, opts),
                                verbose=s.format(signature="", width=2).strip(), details=details)
    return out
