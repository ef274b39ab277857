"""Choosing and loading a translator.

:func:`plan_translator` decides everything (which weights, which backend,
which device and compute type) from what is on disk, without loading a model;
:meth:`TranslatorPlan.load` loads it through the backend registry
(:mod:`mtfix.engine.backends`). :func:`open_translator` wraps a plan with the
translation cache so that the model is loaded only if something is not cached
yet.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from pathlib import Path

from mtfix.engine.backends import backend_class
from mtfix.engine.base import Backend
from mtfix.engine.device import check_compute_type, parse_device, resolve_device
from mtfix.engine.registry import ModelRef, ct2_dir_for, model_fingerprint, resolve
from mtfix.errors import MtfixError


_FAMILY_LOCK = threading.Lock()


@dataclass(frozen=True)
class TranslatorPlan:
    ref: ModelRef  # the model as found (Hugging Face or CTranslate2 dir)
    backend: str  # a registered backend name
    quantization: str | None  # CTranslate2 only
    device: str = "cpu"  # resolved: "cpu" or "cuda:N"
    compute_type: str = "default"
    threads: int = 0
    models_dir: Path | None = None

    @property
    def ct2_path(self) -> Path:
        if self.ref.format == "ct2":
            return self.ref.path
        return ct2_dir_for(storage_name(self.ref), self.quantization, self.models_dir)

    @property
    def key(self) -> str:
        """The cache identity: model files/revision, backend, quantization, device kind, compute type.

        The device's kind (cpu, cuda), not its index: every GPU of a kind gives the same output."""
        kind = parse_device(self.device)[0]
        return f"{model_fingerprint(self.ref)}|{self.backend}|{self.quantization or '-'}|{kind}|{self.compute_type}"

    def family(self):
        """The model's family (tokenizer + language rules) without its weights (and, for
        CTranslate2, without transformers); read once per plan, shared with the loaded model."""
        if "_family" not in self.__dict__:  # frozen: memoised beside the fields
            with _FAMILY_LOCK:  # read once, also when a background load asks at the same time
                if "_family" not in self.__dict__:
                    self.__dict__["_family"] = self._read_family()
        return self.__dict__["_family"]

    def _read_family(self):
        from mtfix.engine.families import load_family

        if self.backend != "ctranslate2":
            return load_family(self.ref)
        ref = self.ref
        if ref.format != "ct2":  # its conversion, when already made: M2M100 needs its vocabulary
            from mtfix.engine.ct2 import conversion_status

            if conversion_status(self.ct2_path, ref, self.quantization) == "current":
                ref = replace(ref, path=self.ct2_path, format="ct2", quantization=self.quantization)
        return load_family(ref, light=True)

    def signature(self) -> dict:
        return {
            "model": self.ref.describe(),
            "backend": self.backend,
            "quantization": self.quantization,
            "device": self.device,
            "compute_type": self.compute_type,
        }

    def load(self) -> Backend:
        return backend_class(self.backend).from_plan(self)


def storage_name(ref: ModelRef) -> str:
    """The name conversions of ``ref`` are stored under in the models dir."""
    return ref.preset.name if ref.preset else ref.spec


def plan_translator(
    model: str | ModelRef,
    *,
    backend: str = "auto",
    device: str = "cpu",
    compute_type: str = "default",
    quantization: str = "int8",
    threads: int = 0,
    convert: bool = True,
    models_dir: Path | None = None,
) -> TranslatorPlan:
    """Decide how ``model`` (preset name, hub id, local dir) will be run; loads nothing.

    ``backend``: a registered name (``transformers``; ``ctranslate2``: a
    CTranslate2 dir, or a conversion of the model at ``quantization``, made on
    first load); ``auto``: CTranslate2 when a conversion exists or ``convert``
    allows making one, else transformers. ``device``: ``cpu``, ``cuda``,
    ``cuda:N`` or ``auto``; CUDA asked for and absent is an error here.
    """
    if backend != "auto":
        backend_class(backend)  # an unknown name fails here
    parse_device(device)  # a malformed device fails before the model is looked for
    ref = model if isinstance(model, ModelRef) else resolve(model, models_dir)
    if backend == "auto":
        name = "ctranslate2"
        if ref.format != "ct2" and not convert and not (ct2_dir_for(storage_name(ref), quantization, models_dir)
                                                        / "model.bin").is_file():
            name = "transformers"
    else:
        name = backend
    if ref.format not in backend_class(name).formats:
        raise MtfixError(f"{ref.spec} is a CTranslate2 model; use --backend ctranslate2 or the original model"
                         if ref.format == "ct2" else f"{ref.spec}: the {name} backend cannot run a {ref.format} model")
    quant = (ref.quantization if ref.format == "ct2" else quantization) if name == "ctranslate2" else None
    cls = backend_class(name)
    return TranslatorPlan(ref, name, quant, device=resolve_device(device, cls),
                          compute_type=check_compute_type(compute_type, cls), threads=threads,
                          models_dir=models_dir)


def load_translator(model: str | ModelRef, **options) -> Backend:
    """Plan and load at once (see :func:`plan_translator` for the options)."""
    return plan_translator(model, **options).load()


def open_translator(model: str | ModelRef, *, cache=None, **options):
    """A :class:`~mtfix.engine.cache.CachedTranslator`: the model loads on the first cache miss."""
    from mtfix.engine.cache import CachedTranslator

    plan = plan_translator(model, **options)
    return CachedTranslator(key=plan.key, load=plan.load, cache=cache, plan=plan)
