"""The ``mtfix`` typer application.

Each command lives in its own module under ``mtfix.cli`` and exposes
``register(app)``. Heavy libraries (torch, transformers) are imported inside
the commands, so ``mtfix --help`` stays instant.

Every :class:`~mtfix.errors.MtfixError` raised anywhere below a command, every
usage error (``--beam 0``, an unknown option) and, as a last resort, an OS or
SQLite error the library did not turn into a message, is printed as one line
``error: ...`` on stderr with exit code 2; never a traceback or a boxed panel.

Ctrl-C ends any command with exit code 130 and no traceback: typer turns it into
exit 130 while a command runs, and :func:`mtfix.cli.main.main` and this module's imports
do the same before (start-up imports of typer and of the command's module).

A reader of stdout that goes away (``mtfix check big.txt | head -1``) ends any
command quietly with exit code 141, as a shell reports ``cat`` ended by SIGPIPE:
no traceback, no "Exception ignored", no ``error:`` line
(:func:`mtfix.cli.failures.reader_gone`, the one place that handles it).

The entry, :func:`mtfix.cli.main.main`, builds this application only for a command line
that needs it: a plain ``corpus filter`` runs without typer (:mod:`mtfix.cli.fastcli`).
"""

from __future__ import annotations

import errno
import importlib
import sys
import types

try:  # Ctrl-C while the console script imports this module: exit 130, no traceback
    import typer
    from typer.core import TyperGroup

    from mtfix import __version__
    from mtfix.cli import fastparams
    from mtfix.cli.failures import failure_exit, reader_gone
    from mtfix.cli.main import COMMANDS

    fastparams.install()  # plain values skip typer's pydantic adapters (start-up time)
except KeyboardInterrupt:
    raise SystemExit(130) from None


class _Group(TyperGroup):
    """One line ``error: ...`` and exit code 2 for every user-facing failure: an
    :class:`MtfixError`, a usage error (bad option value, unknown option), and, as a
    last resort, an OS or SQLite error that escaped the library's own handling."""

    def make_context(self, *args, **kwargs):
        try:  # the root's --help and --version write here, before any command runs
            return super().make_context(*args, **kwargs)
        except OSError as e:
            if e.errno == errno.EPIPE:  # `mtfix --help | head -1`: quietly, before click's own exit 1
                raise typer.Exit(reader_gone()) from None
            raise

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except Exception as e:  # one line for what a command did not handle (mtfix.cli.failures)
            code = failure_exit(e, echo=lambda line: typer.echo(line, err=True))
            if code is None:  # click's own exits and usage errors, and bugs (their traceback)
                raise
            raise typer.Exit(code) from None

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        _flags_take_no_value(self)
        argv = sys.argv[1:] if args is None else list(args)
        if argv and argv[0] not in ("-h", "--help") and any(a in ("-h", "--help") for a in argv):
            from mtfix.cli.options import fill_registry_help

            fill_registry_help(self)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except typer.TyperException as e:  # typer's own click: usage errors, bad values
            if type(e).__name__ == "NoArgsIsHelpError":  # `mtfix corpus`: the help, as before
                e.show()
                rv = e.exit_code
            else:
                typer.echo(f"error: {usage_line(e, _command_path(self, argv))}", err=True)
                rv = 2
        except typer.Abort:
            typer.echo("aborted", err=True)
            rv = 1
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)

    def format_commands(self, ctx, formatter):
        """The command list: each command's first sentence, up to two lines (click cuts it at one)."""
        rows = [(name, cmd) for name in self.list_commands(ctx)
                if (cmd := self.get_command(ctx, name)) is not None and not cmd.hidden]
        if rows:
            limit = 2 * (formatter.width - 6 - max(len(name) for name, _ in rows))
            with formatter.section("Commands"):
                formatter.write_dl([(name, cmd.short_help or _first_sentence(cmd.help or "", limit))
                                    for name, cmd in rows])


def _first_sentence(text: str, limit: int) -> str:
    """The first sentence of ``text``'s first paragraph (not cut at "e.g."), at most ``limit`` characters."""
    words = text.split("\n\n", 1)[0].split()
    out: list[str] = []
    for i, word in enumerate(words):
        if len(" ".join(out + [word])) > limit - 3:
            return " ".join(out) + "..."
        out.append(word)
        if word[-1] in ".!?" and (i + 1 == len(words) or words[i + 1][:1].isupper()):
            break
    return " ".join(out)


def _flags_take_no_value(command) -> None:
    """``--json`` in --help, not ``--json <bool>``: a flag takes no value (``--json true`` is an error).
    Every command's help is click's plain formatter, as the root's (see :func:`build_app`)."""
    if hasattr(command, "rich_markup_mode"):
        command.rich_markup_mode = None
    if isinstance(command, TyperGroup) and not isinstance(command, _Group):  # `mtfix models`: its list alike
        command.format_commands = types.MethodType(_Group.format_commands, command)
    for param in getattr(command, "params", []):
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    if not getattr(command, "_mtfix_help_tidy", False) and hasattr(command, "get_help_option"):
        made = command.get_help_option

        def get_help_option(ctx, made=made):  # -h/--help is made per call, outside params
            option = made(ctx)
            if option is not None and option.metavar is None:
                option.metavar = ""
            return option

        command.get_help_option = get_help_option
        command._mtfix_help_tidy = True
    for sub in getattr(command, "commands", {}).values():
        _flags_take_no_value(sub)


def usage_line(e: Exception, command_path: str = "mtfix") -> str:
    """A click usage error as one line, naming the command's --help (its context's, else
    ``command_path``: click raises "Option '--src' requires an argument" without a context)."""
    line = " ".join(e.format_message().split()) if hasattr(e, "format_message") else " ".join(str(e).split())
    ctx = getattr(e, "ctx", None)
    return line + f" (see `{ctx.command_path if ctx is not None else command_path} --help`)"


def _command_path(group, argv: list[str]) -> str:
    """``mtfix corpus filter``: the commands and subcommands that ``argv`` names, in order."""
    path, command = ["mtfix"], group
    for arg in argv:
        sub = getattr(command, "commands", {}).get(arg)
        if sub is None:
            if arg.startswith("-"):
                continue  # an option of a group (`mtfix --version`)
            break
        path.append(arg)
        command = sub
    return " ".join(path)


def _version(value: bool):
    if value:
        typer.echo(f"mtfix {__version__}")
        raise typer.Exit()


def build_app(commands=None) -> typer.Typer:
    """The ``mtfix`` application with ``commands`` (names of :data:`COMMANDS`; default all) registered.

    Help is click's plain formatter (``rich_markup_mode=None``): typer's rich help pulls in
    rich's markdown, tables and traceback machinery, most of ``mtfix --help``'s start-up."""
    app = typer.Typer(
        cls=_Group,
        name="mtfix",
        help="Repair poor machine translations, evaluate MT systems, build clean parallel corpora.",
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode=None,
        pretty_exceptions_show_locals=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    @app.callback()
    def _root(
        version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                     help="Print the version and exit."),
    ):
        """mtfix: back-translate, re-translate, score with sacrebleu, keep the best."""

    for name in COMMANDS if commands is None else commands:
        importlib.import_module(f"mtfix.cli.{name}").register(app)
    return app


def __getattr__(name: str):
    """``app``, the whole application (every command), built on first use (PEP 562): ``main``
    registers only the command it runs, so ``mtfix check`` does not import ``mtfix repair``'s options."""
    if name == "app":
        globals()["app"] = built = build_app()
        return built
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv: list[str] | None = None) -> None:
    """The ``mtfix`` command (:func:`mtfix.cli.main.main`), under the name its console script calls."""
    from mtfix.cli.main import main as run

    run(argv)
