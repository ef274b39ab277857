"""The backend registry: a backend is one module plus one line here.

A backend is a :class:`mtfix.engine.base.Backend` subclass: ``backend`` (its
name), ``compute_types``, ``from_plan(plan)`` (load what the plan names) and
``cuda_devices()``. Modules are imported only when their backend is used, so
choosing CTranslate2 never imports torch.
"""

from __future__ import annotations

import importlib

from mtfix.errors import MtfixError

#: name -> "module:Class" (imported on first use) or the class itself
BACKENDS: dict[str, object] = {
    "transformers": "mtfix.engine.hf:HFTranslator",
    "ctranslate2": "mtfix.engine.ct2:CT2Translator",
}


def register_backend(name: str, target) -> None:
    """Add (or replace) a backend: ``target`` is ``"package.module:Class"`` or the class."""
    BACKENDS[name] = target


def backend_class(name: str):
    """The :class:`~mtfix.engine.base.Backend` subclass registered as ``name``."""
    target = BACKENDS.get(name)
    if target is None:
        raise MtfixError(f"unknown backend {name}; choose one of auto, {', '.join(BACKENDS)}")
    if not isinstance(target, str):
        return target
    module, _, cls = target.partition(":")
    return getattr(importlib.import_module(module), cls)
