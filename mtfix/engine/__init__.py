"""Translation engine: one interface, two backends (transformers, CTranslate2).

    from mtfix.engine import load_translator
    tr = load_translator("opus-mt-ar-en")            # preset, hub id or local dir
    hyps = tr.translate_batch(["..."], src="ar", tgt="en", beam_size=4, n_best=2)
"""

from mtfix.engine.base import Hypothesis, Translator
from mtfix.engine.loader import load_translator, open_translator, plan_translator

__all__ = ["Hypothesis", "Translator", "load_translator", "open_translator", "plan_translator"]
