"""Length-sorted batches under a token budget, deterministic."""

from __future__ import annotations

from typing import Sequence


def token_batches(lengths: Sequence[int], max_batch_tokens: int, max_batch_size: int = 64) -> list[list[int]]:
    """Group indices into batches, longest first, so that every batch's padded
    size (``len(batch) * longest``) stays within ``max_batch_tokens``.

    A single item longer than the budget gets a batch of its own. Ties are
    broken by index, so the result depends only on the lengths.
    """
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for i in order:
        longest_if_added = max(longest, lengths[i])
        if current and (
            (len(current) + 1) * longest_if_added > max_batch_tokens or len(current) >= max_batch_size
        ):
            batches.append(current)
            current, longest_if_added = [], lengths[i]
        current.append(i)
        longest = longest_if_added
    if current:
        batches.append(current)
    return batches
