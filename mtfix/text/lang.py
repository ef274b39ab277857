"""Language codes the text layer understands: Arabic and English, in common spellings."""

from __future__ import annotations

from mtfix.errors import MtfixError

_ALIASES = {
    "ar": "ar", "ara": "ar", "arb": "ar", "arb_arab": "ar", "ar_ar": "ar", "arabic": "ar",
    "en": "en", "eng": "en", "eng_latn": "en", "en_xx": "en", "en_us": "en", "en_gb": "en", "english": "en",
}


def script_lang(code: str | None) -> str | None:
    """Map ``ar``/``ara``/``arb_Arab``/``en``/``eng_Latn``… to ``"ar"`` or ``"en"``; None stays None."""
    if code is None:
        return None
    key = code.strip().lower().replace("-", "_")
    if key in _ALIASES:
        return _ALIASES[key]
    raise MtfixError(
        f"unknown language {code!r}: the text layer knows Arabic and English; use ar (arb_Arab) or en (eng_Latn)"
    )
