"""Choosing and loading a translator.

:func:`plan_translator` decides everything (which weights, which backend)
from what is on disk, without loading a model; :meth:`TranslatorPlan.load`
loads it. :func:`open_translator` wraps a plan with the translation cache so
that the model is loaded only if something is not cached yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mtfix.engine.base import Translator
from mtfix.engine.registry import ModelRef, ct2_dir_for, model_fingerprint, resolve
from mtfix.errors import MtfixError

BACKENDS = ("auto", "transformers", "ctranslate2")


@dataclass(frozen=True)
class TranslatorPlan:
    ref: ModelRef  # the model as found (Hugging Face or CTranslate2 dir)
    backend: str  # "transformers" or "ctranslate2"
    quantization: str | None  # CTranslate2 only
    device: str = "cpu"
    threads: int = 0
    models_dir: Path | None = None

    @property
    def ct2_path(self) -> Path:
        if self.ref.format == "ct2":
            return self.ref.path
        return ct2_dir_for(_key(self.ref), self.quantization, self.models_dir)

    @property
    def key(self) -> str:
        """The cache identity: model files/revision, backend, quantization."""
        return f"{model_fingerprint(self.ref)}|{self.backend}|{self.quantization or '-'}"

    def family(self):
        """The model's family (tokenizer + language rules) without its weights."""
        from mtfix.engine.families import make_family
        from mtfix.engine.hf import load_tokenizer, read_config

        return make_family(self.ref, load_tokenizer(self.ref), read_config(self.ref))

    def signature(self) -> dict:
        return {
            "model": self.ref.describe(),
            "backend": self.backend,
            "quantization": self.quantization,
            "device": self.device,
        }

    def load(self) -> Translator:
        if self.backend == "transformers":
            from mtfix.engine.hf import HFTranslator

            return HFTranslator(self.ref, device=self.device, threads=self.threads)
        from mtfix.engine.ct2 import CT2Translator, conversion_status, convert

        ref = self.ref
        if ref.format != "ct2":
            path = self.ct2_path
            if conversion_status(path, ref, self.quantization) != "current":
                # Our own managed folder: (re)convert when missing or made from other weights.
                convert(ref, path, quantization=self.quantization, force=True)
            ref = ModelRef(
                spec=ref.spec,
                name=ref.name,
                path=path,
                format="ct2",
                hub_id=ref.hub_id,
                revision=ref.revision,
                preset=ref.preset,
                quantization=self.quantization,
            )
        return CT2Translator(ref, device=self.device, threads=self.threads)


def _key(ref: ModelRef) -> str:
    return ref.preset.name if ref.preset else ref.spec


def plan_translator(
    model: str | ModelRef,
    *,
    backend: str = "auto",
    device: str = "cpu",
    quantization: str = "int8",
    threads: int = 0,
    convert: bool = True,
    models_dir: Path | None = None,
) -> TranslatorPlan:
    """Decide how ``model`` (preset name, hub id, local dir) will be run; loads nothing.

    ``backend``: ``transformers``; ``ctranslate2`` (a CTranslate2 dir, or a
    conversion of the model at ``quantization``, made on first load);
    ``auto``: CTranslate2 when a conversion exists or ``convert`` allows making
    one, else transformers.
    """
    if backend not in BACKENDS:
        raise MtfixError(f"unknown backend {backend}; choose one of {', '.join(BACKENDS)}")
    ref = model if isinstance(model, ModelRef) else resolve(model, models_dir)
    common = dict(device=device, threads=threads, models_dir=models_dir)
    if ref.format == "ct2":
        if backend == "transformers":
            raise MtfixError(f"{ref.spec} is a CTranslate2 model; use --backend ctranslate2 or the original model")
        return TranslatorPlan(ref, "ctranslate2", ref.quantization, **common)
    if backend == "transformers":
        return TranslatorPlan(ref, "transformers", None, **common)
    plan = TranslatorPlan(ref, "ctranslate2", quantization, **common)
    if backend == "ctranslate2" or convert or (plan.ct2_path / "model.bin").is_file():
        return plan
    return TranslatorPlan(ref, "transformers", None, **common)


def load_translator(model: str | ModelRef, **options) -> Translator:
    """Plan and load at once (see :func:`plan_translator` for the options)."""
    return plan_translator(model, **options).load()


def open_translator(model: str | ModelRef, *, cache=None, **options):
    """A :class:`~mtfix.engine.cache.CachedTranslator`: the model loads on the first cache miss."""
    from mtfix.engine.cache import CachedTranslator

    plan = plan_translator(model, **options)
    return CachedTranslator(key=plan.key, load=plan.load, cache=cache, plan=plan)
