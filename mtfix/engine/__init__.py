"""Translation engine: one contract, backends in a registry, a cache in front.

    from mtfix.engine import DecodeOptions, open_cache, open_translator
    tr = open_translator("opus-mt-ar-en", cache=open_cache())  # preset, hub id or dir; loads on a miss
    hyps = tr.translate_batch(["..."], src="ar", tgt="en", options=DecodeOptions(n_best=2))

Names are imported on first use, so ``from mtfix.engine.decode import
DecodeOptions`` (the CLI's defaults) stays cheap.
"""

from mtfix.lazy import lazy_exports

_EXPORTS = {
    "BackTranslator": "mtfix.engine.back",
    "back_translator": "mtfix.engine.back",
    "Backend": "mtfix.engine.base",
    "Hypothesis": "mtfix.engine.base",
    "Translator": "mtfix.engine.base",
    "DecodeOptions": "mtfix.engine.decode",
    "open_cache": "mtfix.engine.cache",
    "load_translator": "mtfix.engine.loader",
    "open_translator": "mtfix.engine.loader",
    "plan_translator": "mtfix.engine.loader",
}
__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS)
