"""Scoring configuration: weights and thresholds as data (TOML), not code.

The shipped preset ``mtfix/scoring/presets/default.toml`` documents every key.
A user file given with ``--config`` is laid over it (only the keys it changes
are needed); unknown sections, keys or scorer names are errors, so a typo
never silently falls back to a default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib import resources

from mtfix.errors import ConfigError, MtfixError
from mtfix.params import NUMBER, read_config, validate
from mtfix.tomlcompat import loads as toml_loads



def _profiles() -> tuple[str, ...]:
    from mtfix.text.normalize import PROFILES

    return tuple(PROFILES)


class _Selection:
    """The ``[selection]`` table, declared as a scorer's parameters are (:mod:`mtfix.params`)."""

    PARAMS = {"margin": (NUMBER, 0.01, "the smallest gain worth a change"),
              "z": (NUMBER, 1.645, "how many standard errors of noise a gain must beat on top"),
              "normalize": (str, "none", "normalisation profile applied before chrF/BLEU"),
              "trust_weighted": (bool, True, "weight each pseudo-reference by its origin's reliability")}
    CHOICES = {"normalize": _profiles}


class _Weights:
    """The ``[weights]`` table: one number >= 0 per registered scorer."""

    def __init__(self):
        from mtfix.scoring.registry import SCORERS

        self.PARAMS = {name: (NUMBER, 0.0, "weight") for name in SCORERS.names()}

#: Older spelling of a scorer parameter, still read: ``[thresholds] length_tolerance`` is ``[length] tolerance``.
_LEGACY = {"thresholds": {"length_tolerance": ("length", "tolerance")}}


def _scorer_names() -> list[str]:
    from mtfix.scoring.registry import SCORERS

    return SCORERS.names()


#: Every scorer name a weight may be given for (read from the registry; kept for callers of the old constant).
def __getattr__(name):
    if name == "SCORER_NAMES":
        return tuple(_scorer_names())
    raise AttributeError(name)


@dataclass(frozen=True)
class ScoringConfig:
    """Weights per scorer name, the do-no-harm margin, each scorer's and each gate's parameters.

    ``params[name]`` holds scorer ``name``'s ``PARAMS`` values, ``gates[name]``
    gate ``name``'s (with ``enabled``); both are complete (defaults filled in).
    """

    weights: dict[str, float]
    margin: float = 0.01
    z: float = 1.645
    normalize: str = "none"
    trust_weighted: bool = True
    params: dict = field(default_factory=dict)
    gates: dict = field(default_factory=dict)
    source: str = "default"  # the preset's name, or the path of the user file laid over it
    preset: str = "default"  # the shipped preset it starts from (:data:`PRESETS`)

    def weight(self, name: str) -> float:
        return float(self.weights.get(name, 0.0))

    def scorer_params(self, name: str) -> dict:
        from mtfix.scoring.registry import SCORERS

        return {**SCORERS.defaults(name), **self.params.get(name, {})}

    def gate_params(self, name: str) -> dict:
        from mtfix.scoring.registry import GATES

        return {**GATES.defaults(name), **self.gates.get(name, {})}

    @property
    def length_tolerance(self) -> float:
        return float(self.scorer_params("length")["tolerance"])

    @property
    def fluency_model(self) -> str:
        return str(self.scorer_params("fluency")["model"])

    def as_dict(self) -> dict:
        """Plain, JSON-ready, stable key order: for report signatures."""
        return {
            "config": self.source,
            **({"preset": self.preset} if self.preset != "default" else {}),
            "weights": {k: float(self.weights[k]) for k in sorted(self.weights)},
            "margin": float(self.margin),
            "z": float(self.z),
            "normalize": self.normalize,
            "trust_weighted": self.trust_weighted,
            "length_tolerance": float(self.length_tolerance),
            "fluency_model": self.fluency_model or None,
            "params": {k: dict(sorted(v.items())) for k, v in sorted(self.params.items()) if v},
            "gates": {k: dict(sorted(v.items())) for k, v in sorted(self.gates.items())},
        }


def declared_tables() -> dict:
    """Every table a scoring config may have, by name (``selection``, ``weights``, a scorer's ``NAME``,
    ``gates.NAME``), with what declares its keys (:mod:`mtfix.params`)."""
    from mtfix.scoring.registry import GATES, SCORERS

    return {"selection": _Selection, "weights": _Weights(), **{n: c for n, c in SCORERS.items() if c.PARAMS},
            **{f"gates.{n}": c for n, c in GATES.items()}}


def _read_toml(text: str, where: str) -> dict:
    try:
        return toml_loads(text)
    except ValueError as e:  # TOMLDecodeError, or a whole number of over 4300 digits
        raise MtfixError(f"{where}: not valid TOML ({e}); fix the file or drop --config") from None


def _validate(data: dict, where: str) -> dict:
    """Check ``data`` against the registries; returns it with legacy keys moved to their tables."""
    from mtfix.scoring.registry import GATES

    data = {k: dict(v) if isinstance(v, dict) else v for k, v in data.items()}
    for section, body in list(data.items()):
        if section in _LEGACY and isinstance(body, dict):
            for key in list(body):
                if key in _LEGACY[section]:
                    table, param = _LEGACY[section][key]
                    data.setdefault(table, {})
                    if isinstance(data[table], dict):
                        data[table].setdefault(param, body.pop(key))
            if not body:
                del data[section]
    tables = declared_tables()
    known = ", ".join(t for t in tables if not t.startswith("gates.")) + ", gates.NAME"
    for section, body in data.items():
        if section != "gates" and section not in tables:
            raise ConfigError(f"{where}: [{section}]: unknown table; known: {known}")
        if not isinstance(body, dict):
            raise ConfigError(f"{where}: [{section}]: must be a table, not {body!r}")
        for name, params in body.items() if section == "gates" else [(None, body)]:
            table = section if name is None else f"gates.{name}"
            if table not in tables:
                raise ConfigError(f"{where}: [{table}]: unknown gate; known: {', '.join(GATES.names())}")
            if not isinstance(params, dict):
                raise ConfigError(f"{where}: [{table}]: must be a table, not {params!r}")
            validate(tables[table], params, f"{where}: [{table}]")
    return data


#: The shipped presets. ``default`` is complete; every other one is laid over it and holds only the keys it
#: changes: ``repair`` judges the sentence being repaired at the do-no-harm level issue 11 sets for repair
#: (presets/repair.toml says why), ``default`` is what ``mtfix select`` and the rest use.
PRESETS = ("default", "repair")


def preset_toml(name: str = "default") -> str:
    """The text of the shipped preset ``name`` (one of :data:`PRESETS`)."""
    if name not in PRESETS:
        raise ConfigError(f"unknown scoring preset {name!r}; known: {', '.join(PRESETS)}")
    return resources.files("mtfix.scoring").joinpath(f"presets/{name}.toml").read_text(encoding="utf-8")


def default_toml() -> str:
    """The text of the shipped default preset."""
    return preset_toml("default")


def _lay_over(data: dict, over: dict) -> None:
    for section, body in over.items():
        if section == "gates":
            for name, params in body.items():
                data.setdefault("gates", {}).setdefault(name, {}).update(params)
        else:
            data.setdefault(section, {}).update(body)


def load_config(path: str | os.PathLike | None = None, *, preset: str = "default") -> ScoringConfig:
    """The default preset, the shipped preset ``preset`` laid over it (``"repair"`` for the repair loop),
    then the TOML file at ``path`` (if any)."""
    from mtfix.scoring.registry import GATES, SCORERS

    data = _validate(_read_toml(default_toml(), "default preset"), "default preset")
    source = "default"
    if preset != "default":
        _lay_over(data, _validate(_read_toml(preset_toml(preset), f"{preset} preset"), f"{preset} preset"))
        source = preset
    if path is not None:
        _lay_over(data, _validate(_read_toml(read_config(path, "config"), str(path)), str(path)))
        source = str(path)
    sel = data.get("selection", {})
    params = {name: {**SCORERS.defaults(name), **data.get(name, {})} for name, cls in SCORERS.items() if cls.PARAMS}
    gates = {name: {**GATES.defaults(name), **data.get("gates", {}).get(name, {})} for name in GATES.names()}
    fluency = data.get("weights", {}).get("fluency", 0)
    if fluency > 0 and not params.get("fluency", {}).get("model"):
        raise ConfigError(f"{source}: [fluency] model: empty, while [weights] fluency = {fluency:g}; name a causal LM "
                          f"(a hub id like \"gpt2\" or a local folder) or set the weight to 0")
    return ScoringConfig(
        weights={k: float(v) for k, v in data.get("weights", {}).items()},
        margin=float(sel.get("margin", 0.01)),
        z=float(sel.get("z", 1.645)),
        normalize=str(sel.get("normalize", "none")),
        trust_weighted=bool(sel.get("trust_weighted", True)),
        params=params,
        gates=gates,
        source=source,
        preset=preset,
    )
