"""The scoring protocol: candidates, segments, scores and the :class:`Scorer` base.

Every scorer sees the **whole corpus** at once (a list of :class:`Segment`),
so it can estimate corpus-level quantities (how much each system agrees with
the others, the typical length ratio) before scoring single candidates. It
returns one :class:`Score` per candidate per segment::

    class MyScorer(Scorer):
        name = "my"
        def score(self, segments):
            return [[Score(1.0, "fine") for _ in seg.candidates] for seg in segments]

Conventions, shared by every scorer in :mod:`mtfix.scoring`:

* ``Score.value`` is in ``[0, 1]``, higher is better; each scorer documents
  what 1 and 0 mean.
* ``Score.reason`` is short and human (``"chrF 54.2 vs pivot"``,
  ``"missing number 20000"``).
* ``Score.se`` (optional) is the scorer's own estimate of the standard error of
  ``value(candidate) - value(incumbent)``, on the same scale; the selector
  turns it into a noise allowance (``z * se``). Deterministic checks leave it
  ``None``.
* BLEU and chrF always come from sacrebleu (:func:`sentence_chrf`,
  :func:`sentence_bleu`), never re-implemented.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from typing import Sequence


@dataclass
class Candidate:
    """One candidate translation of a segment, in the target language."""

    text: str
    origin: str  # "original", a system name, or "<model>#n" for the n-th best of a model
    model_score: float | None = None  # e.g. the model's mean log-probability, when known


@dataclass
class Segment:
    """One segment: the candidate pool and what it should mean.

    ``sources`` are in the *other* language: the ``--source`` line (select) or
    the pivot back-translations (repair); may be empty. ``incumbent`` is the
    index (into ``candidates``) of the do-no-harm default: the original
    sentence when repairing; chosen by the selector (the estimated-best system)
    when it is None. ``original`` is the sentence being repaired, if any.
    """

    index: int
    candidates: list[Candidate]
    sources: list[str] = field(default_factory=list)
    incumbent: int | None = None
    original: str | None = None

    @property
    def texts(self) -> list[str]:
        return [c.text for c in self.candidates]


@dataclass
class Score:
    """A scorer's verdict on one candidate: higher is better."""

    value: float
    reason: str
    se: float | None = None  # standard error of the gain over the incumbent, when the scorer can tell

    def to_dict(self) -> dict:
        d = asdict(self)
        d["value"] = round(self.value, 6)
        if self.se is None:
            del d["se"]
        else:
            d["se"] = round(self.se, 6)
        return d


class Scorer(ABC):
    """Scores every candidate of every segment; see the module docstring."""

    name: str = "?"

    @abstractmethod
    def score(self, segments: Sequence[Segment]) -> list[list[Score]]:
        """One :class:`Score` per candidate, per segment, in order."""

    def signature(self) -> dict:
        """What this scorer's numbers depend on (for reports); extend in subclasses."""
        return {"name": self.name}

    def __repr__(self) -> str:  # pragma: no cover - cosmetic
        return f"{type(self).__name__}({self.signature()})"


# ---------------------------------------------------------------- sacrebleu

# One metrics layer (mtfix.metrics) serves scoring, corpus and evaluate; these
# names stay importable from here for the scorers.
from mtfix.metrics import Normalizer, get_normalizer, metric_signatures, sentence_bleu, sentence_chrf  # noqa: E402


def check_shape(scorer: Scorer, segments: Sequence[Segment], scores: list[list[Score]]) -> None:
    """Raise if ``scores`` does not give one Score per candidate (a bug in ``scorer``)."""
    if len(scores) != len(segments) or any(len(s) != len(seg.candidates) for s, seg in zip(scores, segments)):
        raise RuntimeError(f"scorer {scorer.name} returned scores of the wrong shape")
