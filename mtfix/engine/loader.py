"""One entry point: ``load_translator(model, backend=...)``."""

from __future__ import annotations

from pathlib import Path

from mtfix.engine.base import Translator
from mtfix.engine.registry import ModelRef, ct2_dir_for, resolve
from mtfix.errors import MtfixError

BACKENDS = ("auto", "transformers", "ctranslate2")


def converted_dir(ref: ModelRef, quantization: str, models_dir: Path | None = None) -> Path | None:
    """An existing CTranslate2 conversion of ``ref`` at ``quantization``, if any."""
    key = ref.preset.name if ref.preset else ref.spec
    path = ct2_dir_for(key, quantization, models_dir)
    return path if (path / "model.bin").is_file() else None


def load_translator(
    model: str | ModelRef,
    *,
    backend: str = "auto",
    device: str = "cpu",
    quantization: str = "int8",
    threads: int = 0,
    convert: bool = True,
    models_dir: Path | None = None,
) -> Translator:
    """Load a translator for ``model`` (preset name, hub id, local dir or a resolved ref).

    ``backend``: ``transformers``; ``ctranslate2`` (a CTranslate2 dir, or a
    conversion of the model at ``quantization``, made on first use unless
    ``convert`` is False); ``auto`` picks CTranslate2 when a conversion exists
    or can be made, else transformers.
    """
    if backend not in BACKENDS:
        raise MtfixError(f"unknown backend {backend}; choose one of {', '.join(BACKENDS)}")
    ref = model if isinstance(model, ModelRef) else resolve(model, models_dir)
    if ref.format == "ct2":
        if backend == "transformers":
            raise MtfixError(f"{ref.spec} is a CTranslate2 model; use --backend ctranslate2 or the original model")
        return _ct2(ref, device, threads)
    if backend == "transformers":
        return _hf(ref, device, threads)
    existing = converted_dir(ref, quantization, models_dir)
    if existing is None and (backend == "ctranslate2" or convert):
        from mtfix.engine.ct2 import convert as ct2_convert

        key = ref.preset.name if ref.preset else ref.spec
        existing = ct2_convert(ref, ct2_dir_for(key, quantization, models_dir), quantization=quantization)
    if existing is None:
        return _hf(ref, device, threads)
    ct2_ref = resolve(str(existing), models_dir)
    ct2_ref = ModelRef(
        spec=ref.spec,
        name=ref.name,
        path=ct2_ref.path,
        format="ct2",
        hub_id=ref.hub_id,
        revision=ref.revision,
        preset=ref.preset,
        quantization=quantization,
    )
    return _ct2(ct2_ref, device, threads)


def _hf(ref: ModelRef, device: str, threads: int) -> Translator:
    from mtfix.engine.hf import HFTranslator

    return HFTranslator(ref, device=device, threads=threads)


def _ct2(ref: ModelRef, device: str, threads: int) -> Translator:
    from mtfix.engine.ct2 import CT2Translator

    return CT2Translator(ref, device=device, threads=threads)
