"""The ``mtfix`` typer application.

Each command lives in its own module under ``mtfix.cli`` and exposes
``register(app)``. Heavy libraries (torch, transformers) are imported inside
the commands, so ``mtfix --help`` stays instant.

Every :class:`~mtfix.errors.MtfixError` raised anywhere below a command is
printed as one line ``error: ...`` on stderr with exit code 2.
"""

from __future__ import annotations

import sys

import typer
from typer.core import TyperGroup

from mtfix import __version__
from mtfix.errors import MtfixError


class _Group(TyperGroup):
    """Turns MtfixError into a one-line message and exit code 2."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except MtfixError as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(e.exit_code) from None


app = typer.Typer(
    cls=_Group,
    name="mtfix",
    help="Repair poor machine translations, evaluate MT systems, build clean parallel corpora.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool):
    if value:
        typer.echo(f"mtfix {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
):
    """mtfix: back-translate, re-translate, score with sacrebleu, keep the best."""


def _register_all() -> None:
    from mtfix.cli import check, corpus, evaluate, fix, models, repair, select, translate

    for module in (translate, check, fix, repair, select, evaluate, corpus, models):
        module.register(app)


_register_all()


def main(argv: list[str] | None = None) -> None:
    app(args=argv if argv is not None else sys.argv[1:], prog_name="mtfix")


if __name__ == "__main__":  # pragma: no cover
    main()
