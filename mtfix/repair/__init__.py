"""The repair loop: back-translate, re-translate, score, keep the best (never worse).

Names are imported on first use (the CLI reads :class:`RepairDecoding`'s defaults cheaply).
"""

from mtfix.lazy import lazy_exports

_EXPORTS = {
    "RepairResult": "mtfix.repair.pipeline",
    "repair_text": "mtfix.repair.pipeline",
    "RepairDecoding": "mtfix.repair.models",
    "RepairModels": "mtfix.repair.models",
    "named_translators": "mtfix.repair.models",
    "open_repair_models": "mtfix.repair.models",
    "RepairRun": "mtfix.repair.run",
    "run_repair": "mtfix.repair.run",
}
__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS)
