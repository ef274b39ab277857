"""`mtfix models`: list presets, pull from the hub, convert to CTranslate2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from mtfix.cli.options import ModelsDirOpt
from mtfix.errors import MtfixError


def register(app: typer.Typer) -> None:
    models = typer.Typer(help="List, pull and convert translation models.", no_args_is_help=True)
    app.add_typer(models, name="models")

    @models.command("list")
    def list_(
        models_dir: Optional[Path] = ModelsDirOpt,
        as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    ):
        """Presets, their directions, and whether they are available locally."""
        from mtfix.engine.catalog import model_status

        rows = model_status(models_dir)
        if as_json:
            typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
            return
        from rich.table import Table

        from mtfix.cli.console import console as rich_console

        table = Table("preset", "hub id", "family", "directions", "local", "CTranslate2", title="mtfix models")
        for r in rows:
            table.add_row(
                r["name"] + (" *" if r["default_for"] else ""),
                r["hub_id"],
                r["family"],
                " ".join(r["directions"]),
                r["local"] or "no",
                " ".join(r["converted"]) or "-",
            )
        console = rich_console()
        console = rich_console(width=max(console.width, 140)) if not console.is_terminal else console
        console.print(table)
        console.print("* default for " + ", ".join(f"{d} ({r['name']})" for r in rows for d in r["default_for"]))

    @models.command("pull")
    def pull(
        name: str = typer.Argument(..., help="Preset name or hub id."),
        revision: Optional[str] = typer.Option(None, "--revision", help="Branch, tag or commit."),
        to_models_dir: bool = typer.Option(
            False, "--to-models-dir", help="Download into models/NAME/ instead of the Hugging Face cache."
        ),
        models_dir: Optional[Path] = ModelsDirOpt,
    ):
        """Download a model from the Hugging Face hub (needs network)."""
        from mtfix.engine import hub
        from mtfix.engine.registry import load_presets, models_folder, storage_key

        if not name.strip():
            raise MtfixError("empty model name; pass a preset (see `mtfix models list`) or a hub id (org/name)")
        presets = load_presets(models_dir)
        preset = presets.get(name)
        if preset is None and "/" not in name:
            raise MtfixError(f"unknown model {name}; known presets: {', '.join(sorted(presets))}; or pass a hub id")
        hub_id = preset.hub_id if preset else name
        local_dir = models_folder(models_dir) / storage_key(name) if to_models_dir else None
        path = hub.pull(hub_id, name=name, revision=revision, local_dir=local_dir)
        typer.echo(f"{name}: {path}")

    @models.command("convert")
    def convert(
        model: str = typer.Argument(..., help="Preset name, hub id or local Hugging Face dir."),
        quantization: str = typer.Option("int8", "--quantization", help="int8 (CPU default), float32, ..."),
        out: Optional[Path] = typer.Option(None, "--out", help="Output dir (default: models/NAME-ct2-QUANT)."),
        force: bool = typer.Option(False, "--force", help="Replace an existing conversion."),
        models_dir: Optional[Path] = ModelsDirOpt,
    ):
        """Convert a model to CTranslate2 (self-contained: tokenizer included)."""
        from mtfix.engine.ct2 import convert as ct2_convert
        from mtfix.engine.registry import ct2_dir_for, resolve
        from mtfix.outputs import check_folder_above

        if out is not None:  # the conversion's folder is made, not the folders above it (as --models-dir)
            check_folder_above(out, "--out", "the conversion's folder")
        ref = resolve(model, models_dir)
        target = out or ct2_dir_for(ref.preset.name if ref.preset else ref.spec, quantization, models_dir)
        path = ct2_convert(ref, target, quantization=quantization, force=force)
        typer.echo(f"{ref.name} ({quantization}): {path}")
