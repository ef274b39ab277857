"""The filter pipeline as data: a TOML file of ``[filters.NAME]`` tables.

The shipped preset ``mtfix/corpus/presets/default.toml`` documents every key.
A user file is laid over it: a table changes only the keys it gives,
``enabled = false`` drops a filter, a new name adds one (``type = "..."``
when the name is not a filter type), and ``[pipeline] base = "none"`` starts
from an empty pipeline. Unknown tables, keys, filter types or wrong value
types are errors naming the file, so a typo never falls back to a default.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Callable

from mtfix.corpus.filters import FILTERS, DedupFilter, Filter, RoundTripChrfFilter
from mtfix.errors import MtfixError

__all__ = ["FilterSpec", "PipelineConfig", "load_pipeline_config", "build_filters"]

_PIPELINE_KEYS = {"base": str, "src_lang": str, "tgt_lang": str}


@dataclass(frozen=True)
class FilterSpec:
    name: str
    type: str
    params: dict


@dataclass(frozen=True)
class PipelineConfig:
    """Languages of the two text columns and the filters, in order."""

    filters: tuple[FilterSpec, ...]
    src_lang: str = "en"
    tgt_lang: str = "ar"
    source: str = "default"  # "default" or the user file laid over it
    notes: tuple[str, ...] = field(default=())

    @property
    def langs(self) -> tuple[str, str]:
        return (self.src_lang, self.tgt_lang)

    def as_dict(self) -> dict:
        return {"config": self.source, "langs": list(self.langs),
                "filters": [{"name": f.name, "type": f.type, **f.params} for f in self.filters]}


def _read(text: str, where: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise MtfixError(f"{where}: not valid TOML ({e})") from None


def _default_text() -> str:
    return resources.files("mtfix.corpus").joinpath("presets/default.toml").read_text(encoding="utf-8")


def _check_type(value, expected, where: str):
    types = expected if isinstance(expected, tuple) else (expected,)
    if isinstance(value, bool) and bool not in types:
        ok = False
    else:
        ok = isinstance(value, types)
    if not ok:
        names = " or ".join(t.__name__ for t in types)
        raise MtfixError(f"{where} must be {names}, not {value!r}")


def _lay_over(base: dict, data: dict, where: str, *, is_default: bool) -> dict:
    unknown = set(data) - {"pipeline", "filters"}
    if unknown:
        raise MtfixError(f"{where}: unknown table [{sorted(unknown)[0]}]; known: [pipeline], [filters.NAME]")
    pipe = data.get("pipeline", {})
    for key, value in pipe.items():
        if key not in _PIPELINE_KEYS:
            raise MtfixError(f"{where}: [pipeline] unknown key {key!r}; known: {', '.join(_PIPELINE_KEYS)}")
        _check_type(value, _PIPELINE_KEYS[key], f"{where}: [pipeline] {key}")
    if pipe.get("base", "default") not in ("default", "none"):
        raise MtfixError(f"{where}: [pipeline] base must be \"default\" or \"none\", not {pipe['base']!r}")
    filters: dict[str, dict] = {} if pipe.get("base") == "none" and not is_default else dict(base["filters"])
    for name, table in data.get("filters", {}).items():
        at = f"{where}: [filters.{name}]"
        if not isinstance(table, dict):
            raise MtfixError(f"{at} must be a table")
        old = filters.get(name, {})
        kind = table.get("type", old.get("type", name))
        if kind not in FILTERS:
            raise MtfixError(f"{at}: unknown filter type {kind!r}; known: {', '.join(FILTERS)} "
                             f"(give type = \"...\" for a filter named otherwise)")
        params = dict(old.get("params", {})) if old.get("type", kind) == kind else {}
        enabled = old.get("enabled", True)
        for key, value in table.items():
            if key == "type":
                continue
            if key == "enabled":
                _check_type(value, bool, f"{at} enabled")
                enabled = value
                continue
            spec = FILTERS[kind].PARAMS.get(key)
            if spec is None:
                raise MtfixError(f"{at}: unknown key {key!r}; {kind} takes "
                                 f"{', '.join(FILTERS[kind].PARAMS) or 'no parameters'}")
            _check_type(value, spec[0], f"{at} {key}")
            params[key] = value
        filters[name] = {"type": kind, "params": params, "enabled": enabled}
    return {"pipeline": {**base.get("pipeline", {}), **pipe}, "filters": filters}


def load_pipeline_config(path: str | os.PathLike | None = None) -> PipelineConfig:
    """The default pipeline, with the user TOML at ``path`` laid over it."""
    merged = _lay_over({"filters": {}}, _read(_default_text(), "default pipeline"), "default pipeline",
                       is_default=True)
    source = "default"
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise MtfixError(f"{path}: no such pipeline file")
        from mtfix.text.read import read_text

        merged = _lay_over(merged, _read(read_text(p), str(path)), str(path), is_default=False)
        source = str(path)
    pipe = merged["pipeline"]
    from mtfix.text.lang import script_lang

    src, tgt = script_lang(pipe.get("src_lang", "en")), script_lang(pipe.get("tgt_lang", "ar"))
    if src == tgt:
        raise MtfixError(f"{source}: src_lang and tgt_lang are both {src}")
    specs = []
    for name, f in merged["filters"].items():
        if not f["enabled"]:
            continue
        cls = FILTERS[f["type"]]
        params = {k: v for k, v in f["params"].items()}
        full = {k: params.get(k, default) for k, (_, default, _) in cls.PARAMS.items()}
        specs.append(FilterSpec(name, f["type"], full))
    return PipelineConfig(tuple(specs), src, tgt, source)


def build_filters(
    config: PipelineConfig,
    *,
    back_translate: Callable[[list[str]], list[str]] | None = None,
    back_model_name: str = "custom",
    dedup_store=None,
) -> tuple[list[Filter], list[str]]:
    """The filters of ``config``, in order, and notes on what was left out.

    A ``roundtrip_chrf`` filter is built only with ``back_translate`` (target ->
    source); dedup filters share ``dedup_store`` (keys kept apart by name).
    """
    filters: list[Filter] = []
    notes: list[str] = []
    for spec in config.filters:
        cls = FILTERS[spec.type]
        kwargs = dict(name=spec.name, langs=config.langs, **spec.params)
        try:
            if cls is RoundTripChrfFilter:
                if back_translate is None:
                    notes.append(f"{spec.name}: skipped, no back-translation model (--back-model)")
                    continue
                filters.append(cls(back_translate=back_translate, model_name=back_model_name, **kwargs))
            elif cls is DedupFilter:
                store = dedup_store(spec.name) if callable(dedup_store) else dedup_store
                filters.append(cls(store=store, **kwargs))
            else:
                filters.append(cls(**kwargs))
            notes += getattr(filters[-1], "notes", [])
        except (TypeError, ValueError, MtfixError) as e:
            raise MtfixError(f"{config.source}: [filters.{spec.name}] {e}") from None
    return filters, notes
