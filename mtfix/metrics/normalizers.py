"""Normalisation profiles (:mod:`mtfix.text.normalize`) resolved for metrics.

Hypotheses and references are normalised alike before scoring; the profile's
name goes into every signature.
"""

from __future__ import annotations

from typing import Callable

Normalizer = Callable[[str], str]


def identity(text: str) -> str:
    return text


def resolve_normalizer(normalize) -> tuple[str, Normalizer | None]:
    """A profile name, a profile object (any callable) or None -> ``(name, callable or None)``.

    ``None`` and ``"none"`` give ``("none", None)``: nothing to apply. An
    unknown name raises :class:`~mtfix.errors.MtfixError` listing the known ones.
    """
    if normalize is None or normalize == "none":
        return "none", None
    if isinstance(normalize, str):
        from mtfix.text.normalize import get_profile

        profile = get_profile(normalize)
        return profile.name, profile
    name = getattr(normalize, "name", None) or getattr(normalize, "__name__", "custom")
    return str(name), normalize


def get_normalizer(profile) -> tuple[str, Normalizer]:
    """Like :func:`resolve_normalizer`, but ``none`` gives the identity function (always callable)."""
    name, norm = resolve_normalizer(profile)
    return name, norm or identity
