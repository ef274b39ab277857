"""TOML reading on every supported Python: ``tomllib`` (3.11+) or its backport ``tomli`` (3.10).

The one place that chooses; configs, presets, glossaries and corpus configs read TOML with
:func:`loads` from here.
"""

from __future__ import annotations

import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised by tests/test_tomlcompat.py with a faked version
    import tomli as tomllib

__all__ = ["tomllib", "loads"]


def loads(text: str) -> dict:
    """``tomllib.loads(text)``; every malformed document is a ValueError (``TOMLDecodeError``, a whole
    number of over 4300 digits), also one nested too deeply for the parser's recursion
    (``a = [[[[...`` thousands deep was a RecursionError traceback)."""
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply") from None
