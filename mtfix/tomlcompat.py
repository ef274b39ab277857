"""TOML reading on every supported Python: ``tomllib`` (3.11+) or its backport ``tomli`` (3.10).

The one place that chooses; configs, presets and corpus configs import
``tomllib`` from here.
"""

from __future__ import annotations

import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised by tests/test_tomlcompat.py with a faked version
    import tomli as tomllib

__all__ = ["tomllib"]
