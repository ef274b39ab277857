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
        """The cache file this command will use (None with --no-cache): no output may be it. A ``--cache`` whose
        folder is missing is refused, as an output's is: the cache is made, not the folders above it (the
        default one, in ``$XDG_CACHE_HOME/mtfix``, is made with them)."""
        from mtfix.engine.cache import default_cache_path

        if self.no_cache:
            return None
        if self.cache is not None:
            from mtfix.outputs import check_folder_above

            check_folder_above(self.cache, "--cache", "the cache file")
        return Path(self.cache or default_cache_path())

    def open_cache(self):
        """The translation cache (None with --no-cache), checked as :meth:`cache_file` says."""
        from mtfix.engine.cache import open_cache

        self.cache_file()
        return open_cache(self.cache, self.no_cache)
