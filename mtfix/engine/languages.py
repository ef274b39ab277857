"""Language codes: what users type (``ar``, ``arb_Arab``) to what models want.

Marian multi-target models want ``>>ara<<`` (ISO 639-3), NLLB wants FLORES-200
codes (``arb_Arab``), M2M100 wants ``__ar__``. Users may type any of
``ar``/``ara``/``arb``/``arb_Arab``; :func:`canonical` folds them to ISO 639-1
where one exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from mtfix.errors import MtfixError


@dataclass(frozen=True)
class Language:
    code: str  # ISO 639-1 (or 639-3 when there is none): what mtfix uses
    iso3: str  # for Marian target tokens >>xxx<<
    flores: str  # NLLB / FLORES-200
    name: str


_LANGS = [
    Language("ar", "ara", "arb_Arab", "Arabic"),
    Language("en", "eng", "eng_Latn", "English"),
    Language("fr", "fra", "fra_Latn", "French"),
    Language("de", "deu", "deu_Latn", "German"),
    Language("es", "spa", "spa_Latn", "Spanish"),
    Language("it", "ita", "ita_Latn", "Italian"),
    Language("pt", "por", "por_Latn", "Portuguese"),
    Language("ru", "rus", "rus_Cyrl", "Russian"),
    Language("tr", "tur", "tur_Latn", "Turkish"),
    Language("fa", "pes", "pes_Arab", "Persian"),
    Language("ur", "urd", "urd_Arab", "Urdu"),
    Language("he", "heb", "heb_Hebr", "Hebrew"),
    Language("zh", "zho", "zho_Hans", "Chinese"),
]
_BY_ANY: dict[str, Language] = {}
for _l in _LANGS:
    for _k in (_l.code, _l.iso3, _l.flores, _l.flores.split("_")[0]):
        _BY_ANY.setdefault(_k.lower(), _l)


def lookup(code: str) -> Language | None:
    """The known language for any of its codes, or None."""
    return _BY_ANY.get(code.strip().lower())


def canonical(code: str) -> str:
    """``arb_Arab``/``ara``/``ar`` -> ``ar``; unknown codes are returned unchanged."""
    lang = lookup(code)
    return lang.code if lang else code.strip()


def require(code: str | None, what: str) -> str:
    if code is None or not code.strip():
        raise MtfixError(f"missing {what} language; pass it, e.g. --src ar --tgt en")
    return code.strip()
