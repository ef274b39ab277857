"""The metric registry: every corpus metric by name, each declaring its parameters and inputs.

A metric is one class plus one :func:`register_metric` line::

    class Toy(EvalMetric):
        key = "toy"                    # --metric toy
        score_name = "Toy"             # column and score name
        PARAMS = {"scale": ((int, float), 1.0, "multiply the score")}
        needs_references = True        # inputs, as data (huggingface/evaluate style)
        needs_sources = False
        segment_column = "Toy"         # a per-segment column (None: corpus only)

        def corpus_metric(self, references, sources=None):
            return ...                 # a sacrebleu ``Metric`` (see :class:`StatsMetric`)

    register_metric(Toy)

``PARAMS`` has the shape corpus filters use: ``name -> (type, default, help)``;
``CHOICES`` may list the allowed values of a parameter, ``LIMITS`` its numbers
(:mod:`mtfix.params`). The constructor validates them (one-line
:class:`~mtfix.errors.ConfigError`). ``mtfix evaluate``
(``--metric``, its columns, the per-segment view, the significance tests)
reads the registry, so a registered metric is validated, computed and
reported with no other change. Every score comes from a sacrebleu ``Metric``
object, so paired bootstrap and approximate randomization work on it too.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Sequence

from mtfix.errors import MtfixError
from mtfix.metrics.sacrebleu_internals import StatsMetric  # noqa: F401 (a sacrebleu Metric from two hooks)

__all__ = ["EvalMetric", "METRICS", "register_metric", "get_metric", "metric_keys", "default_metric_keys", "StatsMetric"]


class EvalMetric(ABC):
    """One metric of ``mtfix evaluate``; subclasses set the class attributes and :meth:`corpus_metric`."""

    key: ClassVar[str] = "?"
    #: the name of its score and column (sacrebleu's ``score.name``, e.g. ``chrF2``)
    score_name: ClassVar[str] = "?"
    #: ``name -> (type, default, help)``, as corpus filters declare theirs
    PARAMS: ClassVar[dict[str, tuple[type | tuple, Any, str]]] = {}
    #: optional: ``name -> allowed values``
    CHOICES: ClassVar[dict[str, tuple]] = {}
    needs_references: ClassVar[bool] = True
    needs_sources: ClassVar[bool] = False
    lower_is_better: ClassVar[bool] = False
    #: label of the sentence-level column in the per-segment view; None: corpus-level only
    segment_column: ClassVar[str | None] = None
    #: the per-segment column is there even when the metric is not among the corpus metrics
    segment_always: ClassVar[bool] = False
    #: computed when no metric is chosen (``--metric`` not given)
    default: ClassVar[bool] = False

    def __init__(self, **params):
        from mtfix.params import validate  # the one check of declared parameters (types, LIMITS, CHOICES)

        validate(type(self), params, f"metric {self.key}:")
        for name, (_, default, _) in self.PARAMS.items():
            setattr(self, name, params.get(name, default))

    def params(self) -> dict:
        return {name: getattr(self, name) for name in self.PARAMS}

    @abstractmethod
    def corpus_metric(self, references: Sequence[Sequence[str]] | None, sources: Sequence[str] | None = None):
        """A sacrebleu ``Metric`` with ``references`` (one list per reference) cached when given."""

    def sentence_metric(self, sources: Sequence[str] | None = None):
        """The metric object for sentence scores (default: the corpus one, no references cached)."""
        return self.corpus_metric(None, sources)

    def details(self, score) -> dict:
        """Extra JSON fields of a corpus score (BLEU: precisions, brevity penalty, lengths)."""
        return {}


#: the registry: key -> metric class, in display order
METRICS: dict[str, type[EvalMetric]] = {}


def register_metric(cls: type[EvalMetric]) -> type[EvalMetric]:
    """Add (or replace) a metric; usable as a class decorator."""
    if not (isinstance(cls, type) and issubclass(cls, EvalMetric)) or cls.key in ("", "?"):
        raise TypeError("register_metric needs an EvalMetric subclass with a key")
    _builtin()  # the built-in ones first: they keep their place in the display order
    METRICS[cls.key] = cls
    return cls


def unregister_metric(key: str) -> None:
    METRICS.pop(key, None)


def _builtin() -> None:
    import mtfix.metrics.builtin  # noqa: F401  (registers BLEU, chrF, chrF++, TER on first use)


def metric_keys() -> tuple[str, ...]:
    """Every registered metric key, in display order."""
    _builtin()
    return tuple(METRICS)


def default_metric_keys() -> tuple[str, ...]:
    """The metrics computed when none is chosen (those declaring ``default = True``), in display order."""
    _builtin()
    return tuple(k for k, cls in METRICS.items() if cls.default)


def get_metric(key: str) -> type[EvalMetric]:
    """The metric class registered as ``key``; MtfixError listing the known ones if none is."""
    _builtin()
    try:
        return METRICS[key]
    except KeyError:
        raise MtfixError(f"unknown metric {key!r}; choose from {', '.join(METRICS)}") from None
