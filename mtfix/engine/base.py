"""The engine contract: :class:`Translator`, :class:`DecodeOptions`, :class:`Backend`.

:class:`Translator` is the protocol every translator follows: each backend
(:class:`Backend` subclasses, see :mod:`mtfix.engine.backends`) and the
translation cache (:class:`mtfix.engine.cache.CachedTranslator`). Its one call,
``translate_batch(segments, src=, tgt=, options=DecodeOptions(...))``, takes
every decoding option in one :class:`DecodeOptions` (whose defaults are the
only ones in mtfix: the CLI reads them); single options may also be given as
keywords (``beam_size=1``), as in CTranslate2.

:meth:`Backend.translate_batch` validates the language pair, tokenizes, applies
the length guard, translates identical pieces once, batches by length under a
token budget, and returns for each segment its n-best :class:`Hypothesis` list.
Backends only implement :meth:`Backend._generate` on token ids.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass
from typing import Protocol, Sequence, runtime_checkable

from mtfix.engine.batching import token_batches
from mtfix.engine.decode import BatchProgress, DecodeOptions
from mtfix.engine.families import Family, Pair
from mtfix.engine.guard import join_pieces, split_to_fit
from mtfix.engine.registry import ModelRef
from mtfix.errors import MtfixError


@dataclass(frozen=True)
class Hypothesis:
    text: str
    score: float  # mean log-probability per output token (</s> included); higher is better
    tokens: int  # output tokens
    truncated: bool = False  # stopped by the length cap, not by </s>
    pieces: int = 1  # > 1 when the length guard split the source

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Generated:
    """One raw hypothesis from a backend."""

    ids: list[int]  # output token ids, without the target prefix and </s>
    score: float
    finished: bool  # ended with </s>


@runtime_checkable
class Translator(Protocol):
    """What every translator is: a backend, or the cache in front of one."""

    name: str  # the model's short name (preset, hub id or folder name)

    def translate_batch(self, segments: Sequence[str], *, src: str, tgt: str, options: DecodeOptions | None = None,
                        on_progress: BatchProgress | None = None, **overrides) -> list[list[Hypothesis]]:
        """Per segment, up to ``options.n_best`` hypotheses, best first.

        ``overrides`` replace single fields of ``options`` (``beam_size=1``)."""

    def pair(self, src: str, tgt: str) -> Pair:
        """The validated language pair; raises :class:`MtfixError` for a pair the model lacks."""

    def signature(self) -> dict:
        """Everything that determines this translator's output."""


class Backend(ABC):
    """The base of every backend: the engine's work around :meth:`_generate`."""

    backend: str = "?"  # its name in the registry (mtfix.engine.backends)
    #: compute types it accepts (``--compute-type``); "default": the weights' own
    compute_types: tuple[str, ...] = ("default",)
    #: model formats it runs (:attr:`ModelRef.format`): "hf" (Hugging Face), "ct2"
    formats: tuple[str, ...] = ("hf",)

    def __init__(self, ref: ModelRef, family: Family, *, max_source_tokens: int, max_target_tokens: int):
        self.ref = ref
        self.family = family
        self.max_source_tokens = max_source_tokens
        self.max_target_tokens = max_target_tokens
        self.calls = 0  # number of _generate calls, for tests and benchmarks

    @property
    def name(self) -> str:
        return self.ref.name

    # -- what a backend declares (the registry and the planner read these) --------
    @classmethod
    @abstractmethod
    def from_plan(cls, plan) -> "Backend":
        """Load the model a :class:`~mtfix.engine.loader.TranslatorPlan` names."""

    @staticmethod
    def cuda_devices() -> int:
        """How many CUDA devices this backend can use here (0: CPU only)."""
        return 0

    # -- the one call ----------------------------------------------------------
    def translate_batch(self, segments: Sequence[str], *, src: str, tgt: str, options: DecodeOptions | None = None,
                        on_progress: BatchProgress | None = None, **overrides) -> list[list[Hypothesis]]:
        """Translate ``segments``; returns, per segment, up to ``n_best`` hypotheses, best first.

        ``max_batch_tokens`` bounds each batch's padded size counting every beam
        hypothesis (``len(batch) * longest source * beam_size``; a longer segment
        gets a batch of its own). Blank segments translate to ``""`` without calling the model. A segment
        longer than the model's source limit is split by the length guard and
        its pieces' translations joined (``Hypothesis.pieces`` > 1).
        ``on_progress(k, total)`` is called as each batch of ``k`` of the
        ``total`` distinct pieces is done.
        """
        opts = DecodeOptions.of(options, **overrides).validate()
        n_best = opts.n_best
        pair = self.pair(src, tgt)
        # Every text is tokenized once: the guard's counts and the pieces to translate share the ids,
        # and the distinct segments are encoded in one call (a call per text costs more than the text).
        ids_of = _Encodings(self.family, pair, [t for t in segments if t.strip()])
        # 1. guard: split every segment into pieces that fit
        pieces_of: list[list[str]] = []
        for text in segments:
            if not text.strip():
                pieces_of.append([])
                continue
            pieces_of.append([p for p in split_to_fit(text, ids_of.count, self.max_source_tokens) if p.strip()])
        # 2. translate each distinct piece once
        unique = list(dict.fromkeys(p.strip() for pieces in pieces_of for p in pieces))
        results = self._translate_unique(unique, pair, opts, on_progress, ids_of)
        by_text = dict(zip(unique, results))
        # 3. rejoin
        out: list[list[Hypothesis]] = []
        for pieces in pieces_of:
            if not pieces:
                out.append([Hypothesis(text="", score=0.0, tokens=0)])
            elif len(pieces) == 1:
                out.append(by_text[pieces[0].strip()])
            else:
                out.append(_combine([by_text[p.strip()] for p in pieces], n_best))
        return out

    def pair(self, src: str, tgt: str) -> Pair:
        return self.family.pair(src, tgt)

    def count_tokens(self, text: str, pair: Pair) -> int:
        return len(self.family.encode([text], pair)[0])

    def _output_cap(self, n_source: int, opts: DecodeOptions) -> int:
        cap = math.ceil(opts.max_output_ratio * n_source) + opts.output_slack
        return max(1, min(cap, self.max_target_tokens))

    def _translate_unique(
        self, texts: list[str], pair: Pair, opts: DecodeOptions, on_progress, ids_of: "_Encodings"
    ) -> list[list[Hypothesis]]:
        if not texts:
            return []
        ids = ids_of.ids(texts)
        for text, seq in zip(texts, ids):
            if len(seq) > self.max_source_tokens:  # the guard failed to split (one huge token?)
                raise MtfixError(f"cannot fit a segment into {self.max_source_tokens} tokens: {text[:40]!r}...")
        results: list[list[Hypothesis]] = [[] for _ in texts]
        # The budget counts every hypothesis a beam carries (padded source tokens x
        # beam size): a decoding step scores beam x batch rows against the whole
        # vocabulary, so on CPU wide beams over big batches only add memory and
        # cache misses (beam 4: ~1.5x faster and half the peak RSS at 1024 than at 4096).
        budget = max(1, opts.max_batch_tokens // opts.beam_size)
        for batch in token_batches([len(s) for s in ids], budget):
            caps = [self._output_cap(len(ids[i]), opts) for i in batch]
            self.calls += 1
            generated = self._generate(
                [ids[i] for i in batch],
                target_prefix=list(pair.target_prefix),
                beam_size=opts.beam_size,
                n_best=opts.n_best,
                length_penalty=opts.length_penalty,
                max_new_tokens=max(caps),
            )
            for i, cap, hyps in zip(batch, caps, generated):
                results[i] = [self._hypothesis(g, cap - len(pair.target_prefix)) for g in hyps]
            if on_progress:
                on_progress(len(batch), len(texts))
        return results

    def _hypothesis(self, g: Generated, cap: int) -> Hypothesis:
        """``cap``: the most output tokens (</s> included) this segment may have.

        The batch ran to its longest cap; each hypothesis is held to its own, so
        a segment's translation does not depend on its batch neighbours."""
        ids, finished = g.ids, g.finished
        if len(ids) + (1 if finished else 0) > cap:
            ids, finished = ids[:cap], False
        tokens = len(ids) + (1 if finished else 0)
        return Hypothesis(text=self.family.decode(ids), score=g.score, tokens=tokens, truncated=not finished)

    # -- what a backend implements ----------------------------------------------
    @abstractmethod
    def _generate(
        self,
        batch: list[list[int]],
        *,
        target_prefix: list[int],
        beam_size: int,
        n_best: int,
        length_penalty: float,
        max_new_tokens: int,
    ) -> list[list[Generated]]:
        """Decode a batch of source id lists; per source, ``n_best`` results, best first."""

    def signature(self) -> dict:
        """Everything that determines this translator's output."""
        return {
            "model": self.ref.describe(),
            "family": self.family.name,
            "backend": self.backend,
            "max_source_tokens": self.max_source_tokens,
            "max_target_tokens": self.max_target_tokens,
        }


class _Encodings:
    """Source token ids by text, for one ``translate_batch`` call: each text is encoded once, those
    known up front in one call; a text asked for later (a piece the guard cut) is encoded then."""

    def __init__(self, family: Family, pair: Pair, texts: Sequence[str]):
        self.family, self.pair = family, pair
        distinct = list(dict.fromkeys(texts))
        self.known: dict[str, list[int]] = dict(zip(distinct, family.encode(distinct, pair))) if distinct else {}

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        missing = list(dict.fromkeys(t for t in texts if t not in self.known))
        if missing:
            self.known.update(zip(missing, self.family.encode(missing, self.pair)))
        return [self.known[t] for t in texts]

    def count(self, text: str) -> int:
        return len(self.ids([text])[0])


def _combine(per_piece: list[list[Hypothesis]], n_best: int) -> list[Hypothesis]:
    """n-best of a split segment: the k-th best of every piece, joined."""
    combined = []
    for k in range(n_best):
        chosen = [hyps[min(k, len(hyps) - 1)] for hyps in per_piece]
        tokens = sum(h.tokens for h in chosen)
        score = sum(h.score * max(h.tokens, 1) for h in chosen) / max(sum(max(h.tokens, 1) for h in chosen), 1)
        combined.append(
            Hypothesis(
                text=join_pieces([h.text for h in chosen]),
                score=score,
                tokens=tokens,
                truncated=any(h.truncated for h in chosen),
                pieces=len(chosen),
            )
        )
    return combined
