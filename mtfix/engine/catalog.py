"""What models are available here: presets, pulls, conversions."""

from __future__ import annotations

from pathlib import Path

from mtfix.engine.registry import ct2_dir_for, load_presets, resolve
from mtfix.errors import MtfixError

_QUANTS = ("int8", "int8_float32", "float16", "float32")


def model_status(models_dir: Path | None = None) -> list[dict]:
    rows = []
    for preset in load_presets(models_dir).values():
        try:
            ref = resolve(preset.name, models_dir)
            local = str(ref.path)
        except MtfixError:
            local = ""
        converted = [q for q in _QUANTS if (ct2_dir_for(preset.name, q, models_dir) / "model.bin").is_file()]
        rows.append(
            {
                "name": preset.name,
                "hub_id": preset.hub_id,
                "family": preset.family,
                "directions": list(preset.directions),
                "default_for": list(preset.default_for),
                "description": preset.description,
                "local": local,
                "converted": converted,
            }
        )
    return rows
