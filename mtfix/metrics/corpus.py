"""Corpus and sentence scores of registered metrics, with their signatures.

Nothing here re-implements a metric: every number comes from the sacrebleu
``Metric`` object a registered :class:`~mtfix.metrics.registry.EvalMetric`
builds. :class:`MetricOptions` says which metrics and how; the normalisation
profile already applied to hypotheses and references is only recorded in the
signatures (``|normalize:<profile>``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

from mtfix.errors import MtfixError
from mtfix.metrics import builtin  # noqa: F401  (registers BLEU, chrF, chrF++, TER)
from mtfix.metrics.builtin import BLEU_TOKENIZERS
from mtfix.metrics.registry import METRICS, EvalMetric, default_metric_keys, get_metric
from mtfix.metrics.signature import MetricSignature

#: options every metric that declares them takes from :class:`MetricOptions`
SHARED_PARAMS = ("tokenize", "lowercase")


@dataclass(frozen=True)
class MetricOptions:
    """Which metrics to compute and how.

    ``metrics``: registry keys (``--metric``); kept in the registry's display
    order. ``tokenize`` and ``lowercase`` follow sacrebleu's ``-tok`` and
    ``-lc`` (BLEU) and ``--chrf-lowercase`` (chrF/chrF++), for every metric that
    declares them in ``PARAMS``; ``params`` gives any metric its own
    parameters (``{"toy": {"scale": 2}}``). ``normalize`` names the profile
    already applied to the texts (recorded in the signatures only).
    """

    metrics: tuple[str, ...] | None = None  # None: the registry's defaults (BLEU, chrF, chrF++, TER)
    tokenize: str = "13a"
    lowercase: bool = False
    normalize: str = "none"
    params: Mapping[str, Mapping] = field(default_factory=dict)

    def __post_init__(self):
        chosen = default_metric_keys() if self.metrics is None else self.metrics
        keys = tuple(dict.fromkeys(m.strip().lower() for m in chosen if m.strip()))
        if not keys:
            raise MtfixError(f"no metric given; choose from {', '.join(METRICS)}")
        for k in keys:
            get_metric(k)  # unknown: one line listing the known ones
        object.__setattr__(self, "metrics", tuple(m for m in METRICS if m in keys))
        if self.tokenize not in BLEU_TOKENIZERS:
            raise MtfixError(f"unknown BLEU tokenizer {self.tokenize!r}; choose from {', '.join(BLEU_TOKENIZERS)}")
        unknown = [k for k in self.params if k not in METRICS]
        if unknown:
            raise MtfixError(f"parameters given for unknown metric {unknown[0]!r}; choose from {', '.join(METRICS)}")
        for k in self.metrics:
            self.spec(k)  # validate every metric's parameters now

    def with_normalize(self, normalize: str) -> "MetricOptions":
        return MetricOptions(metrics=self.metrics, tokenize=self.tokenize, lowercase=self.lowercase,
                             normalize=normalize, params=self.params)

    def spec(self, key: str) -> EvalMetric:
        """The configured :class:`EvalMetric` for ``key``."""
        cls = get_metric(key)
        params = {p: getattr(self, p) for p in SHARED_PARAMS if p in cls.PARAMS}
        params.update(self.params.get(key, {}))
        return cls(**params)


def metric_name(key: str) -> str:
    """The name sacrebleu gives the score of metric ``key`` (``chrf++`` -> ``chrF2++``)."""
    return get_metric(key).score_name


def lower_is_better(score_name: str) -> bool:
    """Whether a lower score of the metric named ``score_name`` (``TER``) is better."""
    return any(cls.lower_is_better for cls in METRICS.values() if cls.score_name == score_name)


def new_metric(key: str, opts: MetricOptions, references: Sequence[Sequence[str]] | None = None,
               *, sentence: bool = False, sources: Sequence[str] | None = None):
    """A fresh sacrebleu metric object for ``key``; references are cached if given.

    ``sentence=True`` gives the sentence-level variant (BLEU with effective order).
    """
    spec = opts.spec(key)
    return spec.sentence_metric(sources) if sentence else spec.corpus_metric(references, sources)


def build_metrics(opts: MetricOptions, references: Sequence[Sequence[str]],
                  sources: Sequence[str] | None = None) -> dict:
    """``{score name: metric}`` with the references pre-cached, as sacrebleu's CLI does."""
    out = {}
    for k in opts.metrics:
        spec = opts.spec(k)
        if spec.needs_sources and sources is None:
            raise MtfixError(f"metric {k} needs the source: give --src")
        out[spec.score_name] = spec.corpus_metric(references, sources)
    return out


def format_signature(sig, normalize: str = "none", extra: dict | None = None) -> str:
    """A sacrebleu ``Signature`` as text, with mtfix's additions (see :class:`MetricSignature`)."""
    return MetricSignature.from_sacrebleu(sig, normalize, extra).format()


def signature(metric, opts: MetricOptions, extra: dict | None = None) -> str:
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


def corpus_scores(hypotheses: Sequence[str], metrics: dict, opts: MetricOptions) -> dict[str, MetricScore]:
    """Corpus scores of one system against the references cached in ``metrics``."""
    specs = {opts.spec(k).score_name: opts.spec(k) for k in opts.metrics}
    out: dict[str, MetricScore] = {}
    for name, metric in metrics.items():
        s = metric.corpus_score(list(hypotheses), None)
        spec = specs.get(name)
        details = spec.details(s) if spec is not None else {}
        out[name] = MetricScore(name=s.name, score=float(s.score), signature=signature(metric, opts),
                                verbose=s.format(signature="", width=2).strip(), details=details)
    return out


def segment_keys(opts: MetricOptions) -> tuple[str, ...]:
    """Registry keys with a per-segment column: the ``segment_always`` ones and the chosen metrics that have one."""
    return tuple(k for k, cls in METRICS.items()
                 if cls.segment_column and (cls.segment_always or k in opts.metrics))


def sentence_scores(key: str, opts: MetricOptions, hypotheses: Sequence[str],
                    references: Sequence[Sequence[str]], corpus_metric=None,
                    sources: Sequence[str] | None = None) -> list[float]:
    """Sentence score of every line (what ``sentence_score(hyp, refs)`` gives), for metric ``key``.

    The per-segment statistics of ``corpus_metric`` (references cached) are
    reused when given, so nothing the corpus score computed is computed again;
    each line's score is the sentence-level object's score of its statistics.
    """
    from mtfix.metrics import sacrebleu_internals as internals

    spec = opts.spec(key)
    sent = spec.sentence_metric(sources)
    if not internals.usable():  # sacrebleu's public path: each line scored on its own (the same numbers)
        return [float(sent.sentence_score(hyp, [stream[i] for stream in references]).score)
                for i, hyp in enumerate(hypotheses)]
    corpus = corpus_metric if corpus_metric is not None else spec.corpus_metric(references, sources)
    return [internals.score_of_statistics(sent, st) for st in internals.corpus_statistics(corpus, hypotheses)]
