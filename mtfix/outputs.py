"""Writing results safely: planned before any work, all or nothing, never over an input.

This module is the one place where output paths are checked and written.

* :func:`plan_outputs` (and its one-path form :func:`check_output_path`) runs
  before any work and refuses, with one message per rule, an output that is an
  input, is the translation cache, is written by two options, lands in a
  missing or unwritable folder, or is a folder.
* :func:`atomic_path` / :func:`atomic_dir` / :func:`atomic_write_text` /
  :func:`write_all` write into a temporary file (or folder) next to the output
  and rename it into place only on success. A symlinked output is written
  through (the link stays). OS errors (no space, read-only, permissions)
  become one :class:`~mtfix.errors.MtfixError` line and leave nothing behind.
* Temporary names are ``.<name>.mtfix-<pid>-<random>.part``: a later write of
  the same output removes the leftovers of processes that are gone (a SIGKILL
  leaves them), never those of a run still going.
* A command that makes its own output folders (``plan_outputs(...,
  make_folders=True)``, then ``write_all(..., make_folders=True)``) creates the
  missing ones only when it writes (:func:`made_folders`): a run that fails
  before never leaves an empty folder, and one whose write fails removes the
  folders it made in that run (only those, only while empty). No other folder
  is ever removed.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import sys
import secrets
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Sequence

from mtfix.errors import MtfixError
from mtfix.text.read import is_stream  # a device, FIFO or socket: written straight into

__all__ = [
    "plan_outputs", "check_output_path", "check_dir_output", "atomic_path", "atomic_dir", "atomic_write_text",
    "write_all", "os_error", "os_reason", "remove_leftovers", "temp_name", "usual_mode", "is_temp_name", "is_stream",
    "made_folders", "missing_folders", "install_dir", "names_a_folder", "check_folder_above",
]

_TEMP = re.compile(r"^\.(?P<name>.+)\.mtfix-(?P<pid>\d+)-[a-z0-9_]+\.(?:part|old)$")

_ERRNO_WORDS = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
}


def os_reason(e: OSError) -> str:
    """An OS error in a few plain words (``no space left on the device``)."""
    return _ERRNO_WORDS.get(e.errno) or (e.strerror or str(e)).lower()


def os_error(e: OSError, what: str) -> Exception:
    """One line for an OS error while doing ``what`` (e.g. ``"cannot write out.txt"``). A broken pipe
    (``mtfix ... --out - | head -1``) is no fault to report: it is given back as it is, for the CLI
    to end quietly (``mtfix.cli.app.reader_gone``)."""
    if e.errno == errno.EPIPE:
        return e
    return MtfixError(f"{what}: {os_reason(e)}")


# ------------------------------------------------------------------ planning

def _same(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists() and a.samefile(b):
            return True
    except OSError:
        pass
    try:
        return a.resolve() == b.resolve()
    except (OSError, RuntimeError):  # a loop of symlinks (RuntimeError before Python 3.13): not a file to be
        return False


def plan_outputs(
    outputs: Sequence[tuple] | Mapping[str, str | os.PathLike | None],
    inputs: Iterable[str | os.PathLike | None] = (),
    *,
    cache: str | os.PathLike | None = None,
    make_folders: bool = False,
) -> None:
    """Check every output before any work; raise MtfixError on the first broken rule.

    ``outputs`` are ``(option, path)`` pairs, or ``(option, path, "folder")`` for an
    output that is a folder (:func:`check_dir_output`); ``None`` is skipped, ``"-"`` is stdout (one
    output at most).
    Rules, one message each: the parent folder exists; it is writable; a file
    output is not a folder; no output is an input (symlinks followed) or the
    translation ``cache``; the cache is not an input; no two options write the
    same path. With ``make_folders`` a missing parent folder is allowed when the
    nearest existing one above it is a writable folder (the command creates it when
    it writes: :func:`write_all` with ``make_folders=True``).
    """
    items = list(outputs.items()) if isinstance(outputs, Mapping) else list(outputs)
    stdout = [opt for opt, p, *_ in items if p is not None and str(p) == "-"]
    if len(stdout) > 1:
        raise MtfixError(f"{' and '.join(stdout)} both write to stdout ('-'); send one of them to a file")
    # the paths as given (text, not Path): a trailing "/" says "a folder" (names_a_folder), and Path() drops it
    items = [(opt, p, *kind) for opt, p, *kind in items if p is not None and str(p) != "-"]
    inputs = [Path(i) for i in inputs if i is not None]
    for opt, out, *kind in items:
        if kind == ["folder"]:
            check_dir_output(out, inputs, option=opt, cache=cache, make_folders=make_folders)
        else:
            check_output_path(out, inputs, option=opt, cache=cache, make_folders=make_folders)
    if cache is not None:
        for inp in inputs:
            if _same(Path(cache), inp):
                raise MtfixError(f"--cache {cache} is also an input ({inp}); give the cache its own path")
    seen: dict[Path, str] = {}
    for opt, out, *_ in items:
        key = Path(os.path.realpath(out))
        if key in seen:
            raise MtfixError(f"{seen[key]} and {opt} both write {out}; give them different paths")
        seen[key] = opt


def _check_common(out: Path, inputs: Iterable[Path], option: str, cache, make_folders: bool = False) -> None:
    label = f"{option} {out}" if option else str(out)
    try:  # a loop of symlinks can be neither written through nor replaced (its resolve() was a traceback)
        os.stat(out)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise os_error(e, f"cannot write {out}") from None
    target = Path(os.path.realpath(out))  # a symlinked output is written through
    parent = target.parent
    if make_folders and not is_stream(out):
        missing = missing_folders(out)
        parent = missing[-1].parent if missing else parent  # the nearest folder that exists
        if parent.exists() and not parent.is_dir():
            raise MtfixError(f"cannot write {out}: {parent} is a file, not a folder")
    if is_stream(out):
        pass  # /dev/stdout, /dev/null, a FIFO: written in place, its folder does not matter
    elif not parent.is_dir():
        if parent.exists():
            raise MtfixError(f"cannot write {out}: {parent} is a file, not a folder")
        raise MtfixError(f"cannot write {out}: folder {parent} does not exist")
    elif not os.access(parent, os.W_OK | os.X_OK):
        reason = "the file system is read-only" if _read_only(parent) else "permission denied"
        raise MtfixError(f"cannot write {out}: folder {parent} is not writable ({reason})")
    for inp in inputs:
        if inp is not None and _same(out, Path(inp)):
            raise MtfixError(f"{label} is also an input ({inp}); choose another path")
    if cache is not None and _same(out, Path(cache)):
        raise MtfixError(f"{label} is the translation cache; choose another path (or another --cache)")


def _read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def names_a_folder(path: str | os.PathLike) -> bool:
    """True when ``path``, as it was given, can only name a folder: it ends with a separator (``out/``, as
    ``cp a out/`` reads it; ``Path("out/")`` drops the slash) or its last part is ``.`` or ``..``."""
    text = os.fspath(path)
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    return text.endswith(tuple(s for s in (os.sep, os.altsep) if s)) or os.path.basename(text) in (".", "..")


def check_output_path(out: str | os.PathLike | None, inputs: Iterable[str | os.PathLike | None] = (), *,
                      option: str = "", cache: str | os.PathLike | None = None, make_folders: bool = False) -> None:
    """Refuse a file output that would overwrite an input or the cache, or cannot be written, or whose name
    is empty or names a folder (``-o out/``: refused, never a file named ``out``)."""
    if out is None or str(out) == "-":
        return
    label = option or "the output"
    if not os.fspath(out):
        raise MtfixError(f"{label}: an empty file name; give the file to write")
    if names_a_folder(out) and not is_stream(out):
        raise MtfixError(f"cannot write {out}: the name ends in {os.path.basename(out) or os.sep!r}, so it is a "
                         f"folder, and {label} writes a file; give a file name (e.g. "
                         f"{os.path.join(out, 'NAME')})")
    out_p = Path(out)
    _check_common(out_p, [Path(i) for i in inputs if i is not None], option, cache, make_folders)
    if out_p.is_dir():
        raise MtfixError(f"cannot write {out}: it is a folder")


def check_dir_output(out: str | os.PathLike, inputs: Iterable[str | os.PathLike | None] = (), *,
                     option: str = "", cache: str | os.PathLike | None = None, make_folders: bool = False) -> None:
    """A dataset folder may replace an earlier dataset, never another folder, a file or an input."""
    out = Path(out)
    _check_common(out, [Path(i) for i in inputs if i is not None], option, cache, make_folders)
    if out.exists() and not (out.is_dir() and (out / "state.json").is_file()):
        what = "a file" if not out.is_dir() else "a folder that is not a saved dataset"
        raise MtfixError(f"cannot write the dataset {out}: it is {what}; choose another path")


# ------------------------------------------------------------------ folders a command makes

def check_folder_above(path: str | os.PathLike, option: str, what: str) -> None:
    """Refuse ``path`` (a folder or file that mtfix makes when it needs it: ``what``, e.g. "the models folder")
    when the folder above it is missing: mtfix makes the one it is given, never the folders above it (``mkdir``,
    not ``mkdir -p``), so a typo (``/data/modles/x``) is one line, not a new tree that starts empty and hides
    what the real folder holds. ``option`` names where the path came from (``--models-dir``)."""
    parent = Path(os.path.abspath(path)).parent
    if parent.is_dir():
        return
    if parent.exists():
        raise MtfixError(f"{option} {path}: {parent} is a file, not a folder")
    raise MtfixError(f"{option} {path}: folder {parent} does not exist (mtfix makes {what}, not the folders above "
                     f"it); check the path, or create it first: mkdir -p {parent}")


def missing_folders(out: str | os.PathLike) -> list[Path]:
    """The folders above ``out`` that do not exist, nearest to ``out`` first."""
    missing = []
    parent = Path(os.path.abspath(out)).parent
    while not parent.exists() and not parent.is_symlink() and parent != parent.parent:
        missing.append(parent)
        parent = parent.parent
    return missing


@contextlib.contextmanager
def made_folders(outs: Iterable[str | os.PathLike]) -> Iterator[list[Path]]:
    """Create the missing folders above each of ``outs`` (the command owns them); when
    the block fails they are removed again: only the folders made here, deepest first,
    and only while empty (``rmdir``), so nothing anyone else put there can go."""
    made: list[Path] = []
    try:
        for out in outs:
            if is_stream(out):
                continue
            for folder in reversed(missing_folders(out)):
                try:
                    folder.mkdir()
                except FileExistsError:  # made meanwhile by someone else: not ours
                    continue
                except OSError as e:
                    raise os_error(e, f"cannot create the folder {folder} for {out}") from None
                made.append(folder)
        yield made
    except BaseException:
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


# ------------------------------------------------------------------ temporary names

def _temp_stem(name: str) -> str:
    """``name`` as a temporary name holds it: itself, or, where the temporary name would pass the
    file system's 255 bytes (a long Arabic title: 2 bytes a letter), its start and a hash of it."""
    raw = os.fsencode(name)  # the name's bytes: a name that is not UTF-8 (``out\udcff.txt``) was a traceback here
    if len(raw) <= 200:
        return name
    import hashlib

    start = raw[:150].decode("utf-8", "ignore")
    return f"{start}~{hashlib.sha256(raw).hexdigest()[:16]}"


def temp_name(out: Path, kind: str = "part") -> str:
    """A fresh temporary name next to ``out`` that :func:`remove_leftovers` recognises."""
    return f".{_temp_stem(out.name)}.mtfix-{os.getpid()}-{secrets.token_hex(4)}.{kind}"


def is_temp_name(name: str) -> bool:
    return _TEMP.match(name) is not None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def remove_leftovers(out: str | os.PathLike) -> list[Path]:
    """Remove the temporary files/folders that a killed writer of ``out`` left next to it.

    Only names made by :func:`temp_name` for this very output, whose process is gone."""
    out = Path(os.path.realpath(out))
    removed = []
    try:
        entries = list(out.parent.iterdir())
    except OSError:
        return removed
    for p in entries:
        m = _TEMP.match(p.name)
        if not m or m["name"] != _temp_stem(out.name) or _alive(int(m["pid"])):
            continue
        try:
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            else:
                p.unlink()
            removed.append(p)
        except OSError:
            pass
    return removed


def usual_mode(path: str | os.PathLike) -> None:
    """Give ``path`` the permissions a plain ``open``/``mkdir`` would (``mkstemp`` and
    ``mkdtemp`` create owner-only files; outputs are read by other users and jobs)."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, (0o777 if Path(path).is_dir() else 0o666) & ~umask)


def _remove(p: Path) -> None:
    with contextlib.suppress(OSError):
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        elif p.exists() or p.is_symlink():
            p.unlink()


# ------------------------------------------------------------------ writing

@contextlib.contextmanager
def _staged(out: str | os.PathLike, *, folder: bool) -> Iterator[tuple[Path, Path]]:
    """``(tmp, target)``: a temporary file or folder next to the real target of ``out``.
    OS errors inside become one MtfixError line; the temporary never survives."""
    target = Path(os.path.realpath(out))
    tmp = target.parent / temp_name(target)
    try:
        remove_leftovers(target)
        if folder:
            tmp.mkdir()
        else:
            tmp.touch(exist_ok=False)
        yield tmp, target
    except OSError as e:
        _remove(tmp)
        raise os_error(e, f"cannot write {out}") from None
    except BaseException:
        _remove(tmp)
        raise


@contextlib.contextmanager
def atomic_path(out: str | os.PathLike, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path next to ``out``; it replaces ``out`` only on success.

    ``suffix`` is accepted for compatibility (writers that pick a format from it
    are given the path explicitly). A device or FIFO (:func:`is_stream`) is yielded
    itself: there is nothing to replace."""
    if is_stream(out):
        try:
            yield Path(out)
        except OSError as e:
            raise os_error(e, f"cannot write {out}") from None
        return
    with _staged(out, folder=False) as (tmp, target):
        yield tmp
        usual_mode(tmp)
        os.replace(tmp, target)


@contextlib.contextmanager
def atomic_dir(out: str | os.PathLike) -> Iterator[Path]:
    """A temporary folder next to ``out`` that replaces it on success (an earlier
    folder at ``out`` is moved aside first and removed after)."""
    with _staged(out, folder=True) as (tmp, target):
        yield tmp
        usual_mode(tmp)
        _replace_dir(tmp, target)


def _replace_dir(src: Path, target: Path) -> None:
    """Rename the folder ``src`` to ``target`` (an earlier folder there is moved aside first and
    removed after; put back if the rename fails)."""
    old = None
    if target.exists():
        old = target.parent / temp_name(target, "old")
        os.replace(target, old)
    try:
        os.replace(src, target)
    except OSError:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def install_dir(src: str | os.PathLike, out: str | os.PathLike) -> None:
    """Put the finished folder ``src`` at ``out`` in one step, as :func:`atomic_dir` does (across
    file systems: copied into a temporary folder next to ``out``, then ``src`` removed)."""
    target = Path(os.path.realpath(out))
    try:
        remove_leftovers(target)
        usual_mode(src)
        _replace_dir(Path(src), target)
        return
    except OSError as e:
        if e.errno != errno.EXDEV:
            raise os_error(e, f"cannot write {out}") from None
    with atomic_dir(out) as tmp:
        shutil.copytree(src, tmp, dirs_exist_ok=True)
    shutil.rmtree(src, ignore_errors=True)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait while the block runs (the renames that put several outputs in place: a few
    system calls) and take effect, as they would have, when it ends. Their Python handlers are swapped for
    ones that note the signal (a thread's signal mask would not do: the kernel gives a signal to any thread
    that does not block it, a library's own included); in the main thread only, where handlers are set."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    old = {s: signal.signal(s, lambda signum, frame: caught.append(signum)) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler if handler is not None else signal.SIG_DFL)
        if caught:
            handler = old[caught[0]]
            if callable(handler):
                handler(caught[0], None)  # KeyboardInterrupt, the CLI's SIGTERM stop, ...: as if it came now
            elif handler == signal.SIG_DFL:
                signal.raise_signal(caught[0])


def atomic_write_text(out: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8, LF kept as given) to ``out`` in one step."""
    write_all({out: text})


def write_all(files: Mapping[str | os.PathLike, str], *, make_folders: bool = False) -> None:
    """Write several text files (UTF-8) all or nothing: every one is written to its
    temporary first; only when all succeeded are they renamed into place (``"-"``: stdout, written
    last, as a device is). With
    ``make_folders`` the missing folders above them are created first, and removed
    again if the write fails (:func:`made_folders`)."""
    if make_folders:
        with made_folders(files):
            _write_all(files)
    else:
        _write_all(files)


def _write_all(files: Mapping[str | os.PathLike, str]) -> None:
    staged: list[tuple[Path, Path]] = []
    streams = {out: text for out, text in files.items() if str(out) == "-" or is_stream(out)}
    try:
        for out, text in files.items():
            if out in streams:
                continue
            target = Path(os.path.realpath(out))
            try:
                remove_leftovers(target)
                tmp = target.parent / temp_name(target)
                staged.append((tmp, target))
                # a file name that is not UTF-8 (``bad\udcff.txt``, named in a report) is written escaped, as JSON
                # writes it (``\udcff``): every output stays UTF-8 (it was a UnicodeEncodeError traceback)
                with open(tmp, "x", encoding="utf-8", errors="backslashreplace", newline="") as f:
                    f.write(text)
                    f.flush()
                    os.fsync(f.fileno())
                usual_mode(tmp)
            except OSError as e:
                raise os_error(e, f"cannot write {out}") from None
        with _signals_held():  # Ctrl-C between two renames left --out without its --report: all or nothing
            for tmp, target in staged:
                try:
                    os.replace(tmp, target)
                except OSError as e:
                    raise os_error(e, f"cannot write {target}") from None
        for out, text in streams.items():  # last: the files are in place by then
            try:
                if str(out) == "-":
                    sys.stdout.write(text)
                    sys.stdout.flush()
                    continue
                with open(out, "w", encoding="utf-8", errors="backslashreplace", newline="") as f:
                    f.write(text)
            except OSError as e:
                raise os_error(e, "cannot write to stdout" if str(out) == "-" else f"cannot write {out}") from None
    finally:
        for tmp, _ in staged:
            _remove(tmp)
