"""Per-text analyses computed once per selection and shared by every scorer and gate.

A selection looks at each candidate text many times: the repetition scorer
and the loop gate both want its repetition report, the script scorer and the
script gate its letter counts, the consensus matrix and the fidelity gate its
sentence chrF against the incumbent, the copy gate its chrF against the
source. :class:`Facts` is the memo they share: each analysis of a text (or of
a pair of texts) is computed the first time it is asked for and read from
the memo after that, so a text's chrF n-grams are extracted once and a pair's
chrF is computed once, whoever asks.

The :class:`~mtfix.scoring.select.Selector` makes one per
:meth:`~mtfix.scoring.select.Selector.select` call: gates get it as
``GateContext.facts``, scorers with :func:`shared_facts` (the one of the
selection running now; outside a selection, a fresh one, so a scorer used on
its own works the same, only without sharing)::

    facts = shared_facts()
    report = facts.of(repetition_report, text)     # any pure function of the text(s)
    value = facts.chrf(candidate, reference)       # == mtfix.metrics.sentence_chrf

Results are shared between callers: treat them as read-only. ``of`` is for
pure functions of their (hashable) arguments; the memo lives as long as the
selection, so it holds the analyses of one corpus.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Callable, Iterator, Sequence

__all__ = ["Facts", "shared_facts"]

_ACTIVE: ContextVar["Facts | None"] = ContextVar("mtfix_scoring_facts", default=None)


def shared_facts() -> "Facts":
    """The :class:`Facts` of the selection running now, or a fresh one outside a selection."""
    return _ACTIVE.get() or Facts()


class Facts:
    """Memo of per-text (and per-pair) analyses; see the module docstring."""

    def __init__(self):
        from mtfix.metrics.chrf_stats import ChrfMemo

        self._memo: dict[Callable, dict] = {}
        self._chrf = ChrfMemo()

    @contextmanager
    def shared(self) -> Iterator["Facts"]:
        """Make this the one :func:`shared_facts` returns, for the duration of the ``with``."""
        token = _ACTIVE.set(self)
        try:
            yield self
        finally:
            _ACTIVE.reset(token)

    def of(self, fn: Callable, *args):
        """``fn(*args)``, computed once per distinct ``args`` (``fn`` must be a pure function)."""
        memo = self._memo.get(fn)
        if memo is None:
            memo = self._memo[fn] = {}
        key = args[0] if len(args) == 1 else args
        try:
            return memo[key]
        except KeyError:
            value = memo[key] = fn(*args)
            return value

    def chrf(self, hyp: str, ref: str) -> float:
        """Sentence chrF of ``hyp`` against the single reference ``ref``, 0-100: the value of
        :func:`mtfix.metrics.sentence_chrf`, with each text's n-grams extracted once and both
        directions of a pair from one match count (:class:`mtfix.metrics.ChrfMemo`)."""
        return self._chrf.score(hyp, ref)

    def prefetch_chrf(self, groups: Sequence[Sequence[str]]) -> None:
        """Compute the chrF of every pair within each group in one vectorised pass per group
        (:meth:`mtfix.metrics.ChrfMemo.prefetch`), so that :meth:`chrf` finds them."""
        self._chrf.prefetch(groups)

    def pairwise(self, texts: Sequence[str]) -> list[list[float | None]]:
        """``m[a][b]`` = :meth:`chrf` of ``texts[a]`` against ``texts[b]``; None on the diagonal."""
        return self._chrf.pairwise(texts)
