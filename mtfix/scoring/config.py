"""Scoring configuration: weights and thresholds as data (TOML), not code.

The shipped preset ``mtfix/scoring/presets/default.toml`` documents every key.
A user file given with ``--config`` is laid over it (only the keys it changes
are needed); unknown sections, keys or scorer names are errors, so a typo
never silently falls back to a default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from mtfix.errors import MtfixError
from mtfix.tomlcompat import tomllib

#: Every scorer name a weight may be given for.
SCORER_NAMES = ("consensus", "roundtrip_chrf", "roundtrip_bleu", "numbers", "script", "repetition", "length", "fluency")

_SCHEMA = {
    "selection": {"margin": (int, float), "z": (int, float), "normalize": str, "trust_weighted": bool},
    "weights": {name: (int, float) for name in SCORER_NAMES},
    "thresholds": {"length_tolerance": (int, float)},
    "fluency": {"model": str},
}


@dataclass(frozen=True)
class ScoringConfig:
    """Weights per scorer name, the do-no-harm margin and the thresholds."""

    weights: dict[str, float]
    margin: float = 0.01
    z: float = 1.645
    normalize: str = "none"
    trust_weighted: bool = True
    length_tolerance: float = 3.0
    fluency_model: str = ""
    source: str = "default"  # "default" or the path of the user file laid over it

    def weight(self, name: str) -> float:
        return float(self.weights.get(name, 0.0))

    def as_dict(self) -> dict:
        """Plain, JSON-ready, stable key order: for report signatures."""
        return {
            "config": self.source,
            "weights": {k: float(self.weights[k]) for k in sorted(self.weights)},
            "margin": float(self.margin),
            "z": float(self.z),
            "normalize": self.normalize,
            "trust_weighted": self.trust_weighted,
            "length_tolerance": float(self.length_tolerance),
            "fluency_model": self.fluency_model or None,
        }


def _read_toml(text: str, where: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise MtfixError(f"{where}: not valid TOML ({e}); fix the file or drop --config") from None


def _validate(data: dict, where: str) -> None:
    for section, body in data.items():
        if section not in _SCHEMA:
            raise MtfixError(f"{where}: unknown section [{section}]; known: {', '.join(_SCHEMA)}")
        if not isinstance(body, dict):
            raise MtfixError(f"{where}: [{section}] must be a table")
        for key, value in body.items():
            if key not in _SCHEMA[section]:
                known = ", ".join(_SCHEMA[section])
                raise MtfixError(f"{where}: unknown key {key!r} in [{section}]; known: {known}")
            want = _SCHEMA[section][key]
            if isinstance(value, bool) and want is not bool or not isinstance(value, want):
                raise MtfixError(f"{where}: [{section}] {key} = {value!r} has the wrong type")
            if section == "weights" and value < 0:
                raise MtfixError(f"{where}: weight {key} = {value} is negative; use 0 to switch a scorer off")
    sel = data.get("selection", {})
    if sel.get("margin", 0) < 0 or sel.get("z", 0) < 0:
        raise MtfixError(f"{where}: [selection] margin and z must be >= 0 (they guard the incumbent)")
    if data.get("thresholds", {}).get("length_tolerance", 1) <= 0:
        raise MtfixError(f"{where}: [thresholds] length_tolerance must be > 0")


def default_toml() -> str:
    """The text of the shipped default preset."""
    return resources.files("mtfix.scoring").joinpath("presets/default.toml").read_text(encoding="utf-8")


def load_config(path: str | os.PathLike | None = None) -> ScoringConfig:
    """The default preset, with the TOML file at ``path`` (if any) laid over it."""
    data = _read_toml(default_toml(), "default preset")
    _validate(data, "default preset")
    source = "default"
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise MtfixError(f"{path}: no such config file")
        try:
            text = p.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise MtfixError(f"{path}: config is not UTF-8 text") from None
        user = _read_toml(text, str(path))
        _validate(user, str(path))
        for section, body in user.items():
            data.setdefault(section, {}).update(body)
        source = str(path)
    sel, th = data.get("selection", {}), data.get("thresholds", {})
    return ScoringConfig(
        weights={k: float(v) for k, v in data.get("weights", {}).items()},
        margin=float(sel.get("margin", 0.01)),
        z=float(sel.get("z", 1.645)),
        normalize=str(sel.get("normalize", "none")),
        trust_weighted=bool(sel.get("trust_weighted", True)),
        length_tolerance=float(th.get("length_tolerance", 3.0)),
        fluency_model=str(data.get("fluency", {}).get("model", "")),
        source=source,
    )
