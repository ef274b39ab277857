"""Decoding options: every option and its default, declared once.

The CLI's option defaults read :class:`DecodeOptions`; so do the repair loop,
the back-translator and the cache key. Nothing heavy is imported here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Callable

from mtfix.errors import MtfixError

#: ``on_progress(k, total)``: ``k`` more of ``total`` distinct segments are done.
BatchProgress = Callable[[int, int], None]


@dataclass(frozen=True)
class DecodeOptions:
    """Every decoding option, with its default: declared here once (the CLI's defaults read it)."""

    beam_size: int = 4
    n_best: int = 1
    length_penalty: float = 1.0
    max_batch_tokens: int = 4096  # source tokens x beam per batch: memory, never the output
    #: The output length cap, relative to the input (fairseq's ``max_len_a * src + max_len_b``, Marian's
    #: ``--max-length-factor``): at most ``ceil(max_output_ratio * source tokens) + output_slack`` tokens per
    #: segment (per piece of a split one), never above the model's own limit. Real translations stay far
    #: below it (Arabic/English token ratios are 0.5-2); a degenerate decoding (a loop, a random-weight
    #: model) stops there instead of running to the model's limit. In the cache key: it can change an output.
    max_output_ratio: float = 3.0
    output_slack: int = 10

    @classmethod
    def of(cls, options: "DecodeOptions | None" = None, **overrides) -> "DecodeOptions":
        """``options`` (default: the defaults) with single options replaced."""
        unknown = sorted(set(overrides) - {f.name for f in fields(cls)})
        if unknown:
            raise MtfixError(f"unknown decoding option(s): {', '.join(unknown)}")
        base = options if options is not None else cls()
        return replace(base, **overrides) if overrides else base

    def validate(self) -> "DecodeOptions":
        if self.beam_size < 1:
            raise MtfixError("beam size must be at least 1")
        if not 1 <= self.n_best <= self.beam_size:
            raise MtfixError(f"n-best must be between 1 and the beam size ({self.beam_size})")
        if self.max_batch_tokens < 1:
            raise MtfixError("the batch token budget must be positive")
        if not self.max_output_ratio > 0 or self.output_slack < 0:
            raise MtfixError("the output length cap needs a ratio > 0 and a slack >= 0 "
                             f"(got {self.max_output_ratio:g} and {self.output_slack})")
        return self

    def to_dict(self) -> dict:
        return asdict(self)

    def output_key(self) -> dict:
        """The options a translation depends on: all but the batch budget (batching
        never changes a segment's translation, tested), for cache keys."""
        return {k: v for k, v in asdict(self).items() if k != "max_batch_tokens"}
