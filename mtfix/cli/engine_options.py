"""The engine options of every command that loads a translation model, as one value (no typer:
:mod:`mtfix.cli.fastcli` builds it too)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

__all__ = ["EngineOptions"]


@dataclass(frozen=True)
class EngineOptions:
    """The engine options of every command that loads a translation model (see :func:`engine_command`)."""

    backend: str = "auto"
    quantization: str = "int8"
    no_convert: bool = False
    threads: int = 0
    device: str = "cpu"
    compute_type: str = "default"
    models_dir: Optional[Path] = None
    cache: Optional[Path] = None
    no_cache: bool = False

    def translator_options(self) -> dict:
        """:func:`mtfix.engine.open_translator` keywords (the cache apart)."""
        return dict(backend=self.backend, device=self.device, compute_type=self.compute_type,
                    quantization=self.quantization, convert=not self.no_convert, threads=self.threads,
                    models_dir=self.models_dir)

    def cache_file(self) -> Optional[Path]:
        """The cache file this command will use (None with --no-cache): no output may be it."""
        from mtfix.engine.cache import default_cache_path

        return None if self.no_cache else Path(self.cache or default_cache_path())

    def open_cache(self):
        """The translation cache (None with --no-cache)."""
        from mtfix.engine.cache import open_cache

        return open_cache(self.cache, self.no_cache)
