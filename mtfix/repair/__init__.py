"""The repair loop: back-translate, re-translate, score, keep the best (never worse)."""

from mtfix.repair.pipeline import RepairResult, repair_text
from mtfix.repair.pool import Decoding

__all__ = ["Decoding", "RepairResult", "repair_text"]
