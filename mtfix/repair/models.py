"""The repair loop's models and decoding, wired once for the CLI and the library.

    from mtfix.repair import open_repair_models, repair_text
    models = open_repair_models(cache=open_cache())     # the presets' defaults, nothing loaded yet
    result = repair_text(text, back=models.back, forward=models.forward, decoding=models.decoding)

:func:`open_repair_models` picks the default models for each direction, opens
them behind the translation cache (a model loads only on a cache miss), names
them (the candidates' origins and the signature use these names) and checks
each one's direction before any work.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Sequence

from mtfix.engine.decode import DecodeOptions
from mtfix.errors import MtfixError

#: Pivots per sentence and back model, candidates per pivot and forward model.
REPAIR_N_BEST = 2


@dataclass(frozen=True)
class RepairDecoding:
    """Decoding of the repair loop: the back-translations (pivots) and the re-translations."""

    back: DecodeOptions = DecodeOptions(n_best=REPAIR_N_BEST)
    forward: DecodeOptions = DecodeOptions(n_best=REPAIR_N_BEST)

    @classmethod
    def make(cls, *, back_n_best: int = REPAIR_N_BEST, forward_n_best: int = REPAIR_N_BEST,
             **options) -> "RepairDecoding":
        """``options``: any :class:`DecodeOptions` field, for both directions (``beam_size=2``)."""
        base = DecodeOptions.of(**options)
        if max(back_n_best, forward_n_best) > base.beam_size:
            raise MtfixError(f"--back-n-best/--forward-n-best cannot exceed --beam {base.beam_size}")
        return cls(replace(base, n_best=back_n_best).validate(), replace(base, n_best=forward_n_best).validate())

    @property
    def beam_size(self) -> int:
        return self.back.beam_size

    @property
    def back_n_best(self) -> int:
        return self.back.n_best

    @property
    def forward_n_best(self) -> int:
        return self.forward.n_best

    @property
    def max_batch_tokens(self) -> int:
        return self.back.max_batch_tokens

    def to_dict(self) -> dict:
        return {"beam_size": self.beam_size, "back_n_best": self.back_n_best, "forward_n_best": self.forward_n_best,
                "max_batch_tokens": self.max_batch_tokens, "max_output_ratio": self.back.max_output_ratio}


def named_translators(translators: Sequence) -> list[tuple[str, object]]:
    """(short name, translator): the model's name (preset, hub id or folder name), made
    unique; used for candidate origins and signatures."""
    named, seen = [], {}
    for tr in translators:
        name = tr.name
        seen[name] = seen.get(name, 0) + 1
        named.append((name if seen[name] == 1 else f"{name}~{seen[name]}", tr))
    return named


def translator_signatures(named: Sequence[tuple[str, object]]) -> list[dict]:
    """``[{"name": ..., **translator.signature()}]`` of named translators (for signatures)."""
    return [{"name": n, **tr.signature()} for n, tr in named]


@dataclass
class RepairModels:
    back: list[tuple[str, object]]  # (name, translator), ar -> en
    forward: list[tuple[str, object]]  # en -> ar
    decoding: RepairDecoding = field(default_factory=RepairDecoding)

    @property
    def translators(self) -> list:
        return [tr for _, tr in self.back + self.forward]


def open_repair_models(
    back_models: Sequence[str] | None = None,
    forward_models: Sequence[str] | None = None,
    *,
    decoding: RepairDecoding | None = None,
    src: str = "ar",
    pivot: str = "en",
    models_dir: Path | None = None,
    cache=None,
    **open_options,
) -> RepairModels:
    """Named cached translators for the repair loop (the presets' defaults for
    ``src-pivot`` and ``pivot-src`` when none are given; nothing loaded yet), each
    checked for its direction. ``open_options`` go to
    :func:`~mtfix.engine.loader.open_translator` (backend, device, compute_type,
    quantization, threads, convert)."""
    from mtfix.engine.loader import open_translator
    from mtfix.engine.registry import default_model

    opened = {}
    for side, models, (a, b) in (("back", back_models, (src, pivot)), ("forward", forward_models, (pivot, src))):
        specs = list(models or [default_model(f"{a}-{b}", models_dir)])
        opened[side] = named_translators(
            [open_translator(m, cache=cache, models_dir=models_dir, **open_options) for m in specs])
        for _, tr in opened[side]:
            tr.pair(a, b)  # a model for the wrong direction fails here, before any work
    return RepairModels(opened["back"], opened["forward"], decoding or RepairDecoding())
