"""How the command line ends a command that failed, or whose reader went away (no typer: the
typer application, :mod:`mtfix.cli.app`, and the ``corpus filter`` fast path, :mod:`mtfix.cli.fastcli`,
end them alike).

Every :class:`~mtfix.errors.MtfixError` raised below a command and, as a last resort, an OS or
SQLite error the library did not turn into a message, is one line ``error: ...`` on stderr with
exit code 2 (:func:`failure_exit`). A reader of stdout that goes away (``mtfix check big.txt |
head -1``) ends any command quietly with exit code 141, as a shell reports ``cat`` ended by
SIGPIPE: no traceback, no "Exception ignored", no ``error:`` line (:func:`reader_gone`, the one
place that handles it).
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import os
import re
import sys

from mtfix.errors import MtfixError

__all__ = ["READER_GONE_EXIT", "echo_err", "failure_exit", "reader_gone", "stdout_to_devnull"]

#: the exit code of a command whose stdout reader went away: 128 + SIGPIPE, what a shell reports for
#: `cat big.txt | head -1` (a lint's exit 1, "findings", would be a lie: `check` never finished)
READER_GONE_EXIT = 141

#: what click's ``echo`` strips from a line written where no terminal reads it (its ``_ansi_re``)
_ANSI = re.compile(r"\033\[[;?0-9]*[a-zA-Z]")


def stdout_to_devnull() -> None:
    """What is still buffered for stdout goes nowhere, so it cannot fail again at exit ("Exception
    ignored ... BrokenPipeError")."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def reader_gone() -> int:
    """stdout's reader has gone: stdout goes to /dev/null from here; :data:`READER_GONE_EXIT`."""
    stdout_to_devnull()
    return READER_GONE_EXIT


def echo_err(line: str) -> None:
    """``line`` on stderr as ``typer.echo(line, err=True)`` (click's ``echo``) writes it: escape
    sequences stripped where no terminal reads it, flushed; UTF-8 (unencodable characters replaced)
    where stderr's encoding is ASCII (``PYTHONIOENCODING=ascii``, the C locale); nothing where
    there is no stderr."""
    stream = sys.stderr
    if stream is None:
        return
    out = line + "\n"
    try:
        terminal = stream.isatty()
    except (AttributeError, ValueError):
        terminal = False
    if not terminal:
        out = _ANSI.sub("", out)
    binary = getattr(stream, "buffer", None)
    if binary is not None and _is_ascii(getattr(stream, "encoding", None) or sys.getdefaultencoding()):
        stream.flush()
        binary.write(out.encode("utf-8", "replace"))
        binary.flush()
        return
    stream.write(out)
    stream.flush()


def _is_ascii(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name == "ascii"
    except LookupError:
        return False


def failure_exit(e: BaseException, echo=echo_err) -> int | None:
    """The exit code of a command that raised ``e``, its one line written with ``echo``: an
    :class:`MtfixError` (its own code), an OS error (a reader gone: quietly, 141; else 2), out of
    memory or a SQLite error (2); None for anything else (a bug: its traceback is shown)."""
    if isinstance(e, MtfixError):
        echo(f"error: {e}")
        return e.exit_code
    if isinstance(e, OSError):
        if e.errno == errno.EPIPE:  # `mtfix ... | head`: quietly, before click's own exit 1
            return reader_gone()
        from mtfix.outputs import os_error

        where = f" {e.filename}" if getattr(e, "filename", None) else ""
        echo(f"error: {os_error(e, 'cannot read or write' + where)}")
        return 2
    if isinstance(e, MemoryError):  # a run larger than this machine (--bs-n 1000000 on a big test set): one line
        echo("error: out of memory; give the run less to hold at once (fewer segments, samples, "
             "or a smaller batch) or run it on a machine with more memory")
        return 2
    sqlite3 = sys.modules.get("sqlite3")  # not imported by the light commands: then no SQLite error
    if sqlite3 is not None and isinstance(e, sqlite3.Error):
        echo(f"error: {MtfixError(f'SQLite: {e}')}")
        return 2
    return None
