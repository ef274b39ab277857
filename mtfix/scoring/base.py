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
  ``None``. ``Score.gain`` (optional) replaces that difference where the
  scorer measures the gain more directly (consensus: paired votes).
* BLEU and chrF always come from sacrebleu (:func:`sentence_chrf`,
  :func:`sentence_bleu`), never re-implemented.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, ClassVar, Sequence


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
    #: What ``sources`` are: ``"source"`` (the text that was translated, e.g.
    #: ``--source``) or ``"pivot"`` (machine back-translations of the original,
    #: repair): gates trust a source, never a pivot.
    sources_kind: str = "source"
    #: What made each of ``sources``, where known: ``"<back model>#<rank>"`` for a pivot (repair); empty
    #: when unknown. The round trip lets a pivot judge a pair only if neither was made from it.
    source_origins: list[str] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [c.text for c in self.candidates]


@dataclass
class Score:
    """A scorer's verdict on one candidate: higher is better."""

    value: float
    reason: str
    se: float | None = None  # standard error of the gain over the incumbent, when the scorer can tell
    #: the scorer's own estimate of ``value(candidate) - value(incumbent)`` when the plain difference
    #: is not the evidence (consensus: both judged by the same pseudo-references); None: the difference
    gain: float | None = None

    def to_dict(self) -> dict:
        # built by hand, not with dataclasses.asdict (a report holds one per candidate and scorer)
        d = {"value": round(self.value, 6), "reason": self.reason} if type(self) is Score \
            else {**asdict(self), "value": round(self.value, 6)}
        for k in ("se", "gain"):
            v = getattr(self, k)
            if v is None:
                d.pop(k, None)
            else:
                d[k] = round(v, 6)
        return d


@dataclass
class ScorerContext:
    """What a run offers the scorers it builds (see :meth:`Scorer.from_config`).

    ``back_translate`` (target -> source language, one line per line) is shared
    by every scorer that needs it, so each text is back-translated once.
    """

    tgt_lang: str | None = None
    has_sources: bool = True
    back_translate: Callable[[list[str]], list[str]] | None = None
    back_model_name: str = "custom"
    normalize: str = "none"
    trust_weighted: bool = True
    device: str = "cpu"
    #: where one vote's noise is pooled, for every scorer that votes (``[consensus] noise_pooling``)
    noise_pooling: str = "pair"


class Scorer(ABC):
    """Scores every candidate of every segment; see the module docstring.

    A scorer registers by name (:func:`mtfix.scoring.registry.register_scorer`)
    and declares its configuration as data: ``PARAMS`` maps each parameter to
    ``(type, default, help)`` (set in the preset's ``[NAME]`` table, like a
    corpus filter's ``PARAMS``), ``NEEDS`` names what it cannot run without
    (``"sources"``: a source or pivot line; ``"back_translate"``: a
    back-translation model). ``from_config`` builds it from its parameters and
    the run's :class:`ScorerContext`.
    """

    name: str = "?"
    PARAMS: ClassVar[dict[str, tuple[Any, Any, str]]] = {}
    NEEDS: ClassVar[tuple[str, ...]] = ()
    #: One line for ``--help`` and the preset listing.
    HELP: ClassVar[str] = ""

    @classmethod
    def from_config(cls, params: dict, ctx: ScorerContext) -> "Scorer":
        """This scorer, configured by ``params`` (its ``PARAMS``, validated) for the run ``ctx``."""
        return cls(**params)

    @abstractmethod
    def score(self, segments: Sequence[Segment]) -> list[list[Score]]:
        """One :class:`Score` per candidate, per segment, in order."""

    def signature(self) -> dict:
        """What this scorer's numbers depend on (for reports): its name and ``PARAMS`` values."""
        return {"name": self.name, **{k: getattr(self, k) for k in self.PARAMS if hasattr(self, k)}}

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
