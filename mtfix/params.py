"""Parameters declared as data: ``PARAMS = {name: (type, default, help)}`` on a class
(corpus filters, gates), set on an instance from the values a configuration gives."""

from __future__ import annotations

from typing import Any, Mapping


def set_params(obj: Any, declared: Mapping[str, tuple], given: Mapping[str, Any], owner: str) -> None:
    """Set every declared parameter on ``obj``: the given value, else its default.
    An undeclared name is a programming error (configs are validated before): TypeError."""
    unknown = set(given) - set(declared)
    if unknown:
        raise TypeError(f"{owner}: unknown parameter(s) {', '.join(sorted(unknown))}")
    for key, (_, default, _) in declared.items():
        setattr(obj, key, given.get(key, default))
