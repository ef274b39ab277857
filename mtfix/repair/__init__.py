"""The repair loop: back-translate, re-translate, score, keep the best (never worse).

Names are imported on first use (the CLI reads :class:`RepairDecoding`'s defaults cheaply).
"""

import importlib

_EXPORTS = {
    "RepairResult": "mtfix.repair.pipeline",
    "repair_text": "mtfix.repair.pipeline",
    "RepairDecoding": "mtfix.repair.models",
    "RepairModels": "mtfix.repair.models",
    "named_translators": "mtfix.repair.models",
    "open_repair_models": "mtfix.repair.models",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'mtfix.repair' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
