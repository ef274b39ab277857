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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from mtfix.corpus.filters import FILTERS, DedupFilter, Filter, RoundTripChrfFilter
from mtfix.errors import ConfigError, MtfixError
from mtfix.params import check_value, read_config, validate
from mtfix.tomlcompat import loads as toml_loads

__all__ = ["FilterSpec", "PipelineConfig", "declared_tables", "load_pipeline_config", "build_filters"]


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
        return toml_loads(text)
    except ValueError as e:  # TOMLDecodeError, or a whole number of over 4300 digits
        raise MtfixError(f"{where}: not valid TOML ({e})") from None


def _default_text() -> str:
    # beside this module, read as a file: importlib.resources imports tempfile, shutil, zipfile and
    # the compressors (16 M instructions, 1.5% of a one-pair run) to find a file that is always there
    return (Path(__file__).parent / "presets" / "default.toml").read_text(encoding="utf-8")


def _script_langs(params: dict, where: str) -> None:
    from mtfix.text.lang import script_lang

    for key in ("src_lang", "tgt_lang"):
        if key in params:
            try:
                script_lang(params[key])
            except MtfixError as e:
                raise ConfigError(f"{where} {key}: {e}") from None


class _Pipeline:
    """The ``[pipeline]`` table, declared as a filter's parameters are (:mod:`mtfix.params`)."""

    PARAMS = {"base": (str, "default", "\"none\": start from no filters"),
              "src_lang": (str, "en", "the first text column's language"),
              "tgt_lang": (str, "ar", "the second text column's language")}
    CHOICES = {"base": ("default", "none")}
    check_params = staticmethod(_script_langs)


def declared_tables() -> dict:
    """Every table a pipeline file may have (``pipeline``, ``filters.TYPE``; a filter of another name
    gives its ``type``), with what declares its keys (:mod:`mtfix.params`)."""
    return {"pipeline": _Pipeline, **{f"filters.{kind}": cls for kind, cls in FILTERS.items()}}


class _Switch:
    PARAMS = {"enabled": (bool, True, "false: leave the filter out")}


def _lay_over(base: dict, data: dict, where: str, *, is_default: bool) -> dict:
    unknown = set(data) - {"pipeline", "filters"}
    if unknown:
        raise ConfigError(f"{where}: [{sorted(unknown)[0]}]: unknown table; known: [pipeline], [filters.NAME]")
    for table in ("pipeline", "filters"):
        if not isinstance(data.get(table, {}), dict):
            raise ConfigError(f"{where}: [{table}]: must be a table, not {data[table]!r}")
    pipe = validate(_Pipeline, data.get("pipeline", {}), f"{where}: [pipeline]")
    filters: dict[str, dict] = {} if pipe.get("base") == "none" and not is_default else dict(base["filters"])
    for name, table in data.get("filters", {}).items():
        at = f"{where}: [filters.{name}]"
        if not isinstance(table, dict):
            raise ConfigError(f"{at}: must be a table, not {table!r}")
        old = filters.get(name, {})
        kind = table.get("type", old.get("type", name))
        if not isinstance(kind, str) or kind not in FILTERS:
            raise ConfigError(f"{at} type: unknown filter type {kind!r}; known: {', '.join(FILTERS)} "
                              f"(give type = \"...\" for a filter named otherwise)")
        params = dict(old.get("params", {})) if old.get("type", kind) == kind else {}
        given = {k: v for k, v in table.items() if k not in ("type", "enabled")}
        validate(FILTERS[kind], given, at)
        if "enabled" in table:
            check_value(_Switch, "enabled", table["enabled"], at)
        params.update(given)
        filters[name] = {"type": kind, "params": params, "enabled": table.get("enabled", old.get("enabled", True))}
    return {"pipeline": {**base.get("pipeline", {}), **pipe}, "filters": filters}


def load_pipeline_config(path: str | os.PathLike | None = None) -> PipelineConfig:
    """The default pipeline, with the user TOML at ``path`` laid over it."""
    merged = _lay_over({"filters": {}}, _read(_default_text(), "default pipeline"), "default pipeline",
                       is_default=True)
    source = "default"
    if path is not None:
        merged = _lay_over(merged, _read(read_config(path, "pipeline"), str(path)), str(path), is_default=False)
        source = str(path)
    pipe = merged["pipeline"]
    from mtfix.text.lang import script_lang

    src, tgt = script_lang(pipe.get("src_lang", "en")), script_lang(pipe.get("tgt_lang", "ar"))
    if src == tgt:
        raise ConfigError(f"{source}: [pipeline] tgt_lang: the same language as src_lang ({src}); "
                          f"a pipeline needs one English and one Arabic column")
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
