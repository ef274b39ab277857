"""The length guard: nothing is ever silently truncated.

Models accept a bounded number of source tokens (Marian 512, NLLB 1024) and
CTranslate2 cuts longer input silently. :func:`split_to_fit` splits a segment
that is too long into pieces that fit, at the best boundary available: end of
a sentence, then a clause (``، ; ؛ : ,``), then a space, then (last resort)
inside a word. ``"".join(pieces) == text`` always holds, so nothing is lost;
the translations of the pieces are joined with a space.
"""

from __future__ import annotations

import re
from typing import Callable

# Boundaries in order of preference; a split happens *after* the match.
_BOUNDARIES = [
    re.compile(r"[.!?؟…]+[\"'»”’)]*\s+"),  # sentence end
    re.compile(r"[;؛:،,]\s*"),  # clause
    re.compile(r"\s+"),  # word
]


def _best_cut(text: str, pattern: re.Pattern) -> int | None:
    """The boundary closest to the middle of ``text`` (an index strictly inside it)."""
    middle = len(text) / 2
    cuts = [m.end() for m in pattern.finditer(text) if 0 < m.end() < len(text)]
    if not cuts:
        return None
    return min(cuts, key=lambda c: (abs(c - middle), c))


def split_to_fit(text: str, count_tokens: Callable[[str], int], limit: int) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` tokens each (as counted by
    ``count_tokens``, special tokens included); returns ``[text]`` when it fits."""
    if count_tokens(text) <= limit or len(text) < 2:
        return [text]
    for pattern in _BOUNDARIES:
        cut = _best_cut(text, pattern)
        if cut is not None:
            break
    else:
        cut = len(text) // 2
    return split_to_fit(text[:cut], count_tokens, limit) + split_to_fit(text[cut:], count_tokens, limit)


def join_pieces(translations: list[str]) -> str:
    return " ".join(t.strip() for t in translations if t.strip())
