"""The one back-translator: ``texts -> texts`` through a cached translator.

Repair (its round-trip scores), ``corpus filter``/``corpus build`` (the
round-trip chrF filter), ``select --back-model`` and ``evaluate --no-ref`` all
back-translate through :func:`back_translator`, so they share the translation
cache, the models dir, threads, quantization, device and compute type::

    from mtfix.engine import back_translator, open_cache
    bt = back_translator("opus-mt-ar-en", src="ar", tgt="en", cache=open_cache())
    bt(["..."])        # -> ["..."], the best hypothesis of each line
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Sequence

from mtfix.engine.decode import BatchProgress, DecodeOptions

if TYPE_CHECKING:
    from mtfix.engine.base import Translator

#: What every round-trip consumer takes: one output line per input line.
BackTranslate = Callable[[list[str]], list[str]]


class BackTranslator:
    """Translates lines ``src`` -> ``tgt`` with one translator and keeps each line's best hypothesis."""

    def __init__(self, translator: "Translator", *, src: str, tgt: str, options: DecodeOptions | None = None,
                 name: str | None = None, on_progress: BatchProgress | None = None):
        self.translator = translator
        self.src, self.tgt = src, tgt
        self.options = options if options is not None else DecodeOptions()
        self.name = name or translator.name
        self.on_progress = on_progress

    def __call__(self, texts: Sequence[str]) -> list[str]:
        hyps = self.translator.translate_batch(list(texts), src=self.src, tgt=self.tgt, options=self.options,
                                               on_progress=self.on_progress)
        return [h[0].text if h else "" for h in hyps]

    def signature(self) -> dict:
        return {"name": self.name, "src": self.src, "tgt": self.tgt, **self.translator.signature()}


def back_translator(model: "str | Translator", *, src: str, tgt: str, options: DecodeOptions | None = None,
                    name: str | None = None, cache=None, check: bool = True,
                    on_progress: BatchProgress | None = None, **open_options) -> BackTranslator:
    """A :class:`BackTranslator` for ``model``: a translator, or a model spec opened with
    :func:`~mtfix.engine.loader.open_translator` (``cache`` and ``open_options``:
    backend, device, compute_type, quantization, threads, convert, models_dir), so
    the model loads only on a cache miss. With ``check`` the language pair is checked
    now (from the cache or the tokenizer), before any work."""
    from mtfix.engine.loader import open_translator

    translator = model if not isinstance(model, str) else open_translator(model, cache=cache, **open_options)
    if check:
        translator.pair(src, tgt)
    return BackTranslator(translator, src=src, tgt=tgt, options=options, name=name, on_progress=on_progress)
