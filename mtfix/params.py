"""Parameters declared as data, and the one check of their values.

A class that takes parameters from a configuration (a scorer, a gate, a corpus filter, a metric,
a table of a preset) declares them:

- ``PARAMS = {name: (type, default, help)}``: the type is ``bool``, ``int``, ``str``,
  ``(int, float)`` (:data:`NUMBER`, a whole number is a number too), ``list[str]``,
  ``dict[str, str]`` or ``dict`` (a table, checked on its own);
- ``LIMITS = {name: Range(...)}`` (optional): the numbers allowed. A number without an entry must
  be ``>= 0``; every number must be finite (TOML reads ``nan`` and ``inf``);
- ``CHOICES = {name: (value, ...)}`` (optional; or a function giving them): the strings allowed;
- ``check_params(params, where)`` (optional classmethod): what the data cannot say (a regular
  expression that compiles, a glossary that exists); it raises :class:`~mtfix.errors.ConfigError`.

:func:`validate` is the one check every configuration loader and constructor uses, so a bad
value anywhere is one line that names the key: ``CONFIG: [table] key: must be ..., not ...``.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any, Mapping

from mtfix.errors import ConfigError

__all__ = ["NUMBER", "Range", "AT_LEAST_0", "ABOVE_0", "SHARE", "CHRF", "validate", "check_value", "set_params",
           "type_text", "read_config"]

#: a number: a whole number is accepted where a fraction is (``1`` for ``1.0``), a bool is not
NUMBER = (int, float)


@dataclass(frozen=True)
class Range:
    """The numbers allowed: ``lo <= value <= hi`` (None: no bound); ``above``: ``lo`` itself is not."""

    lo: float | None = 0
    hi: float | None = None
    above: bool = False

    def allows(self, value: float) -> bool:
        if self.lo is not None and (value <= self.lo if self.above else value < self.lo):
            return False
        return self.hi is None or value <= self.hi

    def __str__(self) -> str:
        if self.lo is not None and self.hi is not None and not self.above:
            return f"between {self.lo:g} and {self.hi:g}"
        parts = ([f"{'>' if self.above else '>='} {self.lo:g}"] if self.lo is not None else []) + \
            ([f"<= {self.hi:g}"] if self.hi is not None else [])
        return " and ".join(parts)


AT_LEAST_0 = Range(0)
ABOVE_0 = Range(0, above=True)  # a divisor, a scale
SHARE = Range(0, 1)
CHRF = Range(0, 100)


def type_text(want: Any) -> str:
    """``want`` in words: ``a number``, ``a whole number``, ``true or false``, ``a list of strings``."""
    wants = want if isinstance(want, tuple) else (want,)
    if float in wants:
        return "a number"
    if int in wants:
        return "a whole number"
    if bool in wants:
        return "true or false"
    if str in wants:
        return "a string"
    if any(getattr(w, "__origin__", w) is list for w in wants):
        return "a list of strings"
    if any(getattr(w, "__origin__", None) is dict for w in wants):
        return "a table of strings"
    if dict in wants:
        return "a table"
    return " or ".join(getattr(w, "__name__", str(w)) for w in wants)


def _has_type(value: Any, want: Any) -> bool:
    wants = want if isinstance(want, tuple) else (want,)
    if isinstance(value, bool):
        return bool in wants
    for w in wants:
        origin = getattr(w, "__origin__", None)
        if origin is list:  # list[str]: a list of strings
            (item,) = w.__args__
            if isinstance(value, list) and all(isinstance(x, item) and not isinstance(x, bool) for x in value):
                return True
        elif origin is dict:  # dict[str, str]: a table of strings
            _, item = w.__args__
            if isinstance(value, dict) and all(isinstance(x, item) and not isinstance(x, bool) for x in value.values()):
                return True
        elif isinstance(w, type) and isinstance(value, w):
            return True
        elif w is float and isinstance(value, int):
            return True
    return False


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # nan, inf, -inf, as TOML writes them
    shown = repr(value) if not isinstance(value, int) or value.bit_length() <= 128 else \
        f"a {'negative ' if value < 0 else ''}{len(str(abs(value)))}-digit number"
    return shown if len(shown) <= 80 else shown[:79] + "…"  # one line a person can read


def check_value(owner: Any, key: str, value: Any, where: str) -> None:
    """Raise :class:`~mtfix.errors.ConfigError` ``WHERE KEY: must be ..., not VALUE`` unless ``value`` is allowed for the
    parameter ``key`` that ``owner`` declares (see the module docstring)."""
    declared = getattr(owner, "PARAMS", {})
    if key not in declared:
        known = ", ".join(declared) or "none"
        raise ConfigError(f"{where} {key}: unknown key; known: {known}")
    want = declared[key][0]
    if not _has_type(value, want):
        raise ConfigError(f"{where} {key}: must be {type_text(want)}, not {_show(value)}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        allowed = getattr(owner, "LIMITS", {}).get(key, AT_LEAST_0)
        # finite: not nan or inf, nor a whole number past what a float holds (TOML reads any length)
        finite = math.isfinite(value) if isinstance(value, float) else value.bit_length() < 1000
        if not finite or not allowed.allows(value):
            raise ConfigError(f"{where} {key}: must be a finite number {allowed}, not {_show(value)}")
    choices = getattr(owner, "CHOICES", {}).get(key)
    if choices is not None:
        choices = tuple(choices() if callable(choices) else choices)
        if value not in choices:
            raise ConfigError(f"{where} {key}: must be one of {', '.join(map(repr, choices))}, not {_show(value)}")


def validate(owner: Any, given: Mapping[str, Any], where: str) -> dict:
    """``given`` checked against what ``owner`` declares (unknown keys, types, ranges, choices, then
    ``owner.check_params``); returns it as a dict. ``where`` names the table: ``FILE: [NAME]``."""
    for key, value in given.items():
        check_value(owner, key, value, where)
    hook = getattr(owner, "check_params", None)
    if hook is not None:
        hook(given, where)
    return dict(given)


def read_config(path: str | os.PathLike, what: str) -> str:
    """The text of the TOML file ``path`` (``what``: ``config``, ``pipeline``, in errors): a regular file
    or a pipe (``--config <(cmd)``); missing, a folder, binary or not UTF-8: one line naming it."""
    from mtfix.text.read import existing_file, read_text

    return read_text(existing_file(path, kind=f"{what} file", expected=f"a {what} file (TOML)"))


def set_params(obj: Any, declared: Mapping[str, tuple], given: Mapping[str, Any], owner: str) -> None:
    """Set every declared parameter on ``obj``: the given value, else its default. The given values
    are checked as a configuration's are (:func:`validate`, ``owner`` naming them); an undeclared name
    is a programming error (configurations are validated before): TypeError."""
    unknown = set(given) - set(declared)
    if unknown:
        raise TypeError(f"{owner}: unknown parameter(s) {', '.join(sorted(unknown))}")
    validate(type(obj), given, f"[{owner}]" if not owner.startswith("[") else owner)
    for key, (_, default, _) in declared.items():
        setattr(obj, key, given.get(key, default))
