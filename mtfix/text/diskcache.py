"""What mtfix derives from its own code and data once, kept on disk for every later process.

Some tables cost tens of milliseconds per process to derive: the class bits
of every code point of the Basic Multilingual Plane (:mod:`mtfix.text.charclass`,
from predicates and regular expressions), the dedup key character of each
(:mod:`mtfix.corpus.sides`), the word/digit classes of the column scan
(:mod:`mtfix.text.columns`); the FreeDict lexicon takes seconds
(:mod:`mtfix.text.lexicon`). A corpus run of 10,000 pairs would spend a
tenth of its time on them. Each is kept in ``$XDG_CACHE_HOME/mtfix/`` (as the
translation cache) under ``<kind>-<hash>.<suffix>``, the hash covering all
it is derived from: the source of the modules that define it, Python's
version and Unicode database (what ``str.isalnum`` and ``re`` answer),
numpy's version, and the caller's own key.

Reading a table costs well under a millisecond. A file that is missing,
damaged or of other code is derived again and written all or nothing (a
temporary file renamed); then the older files of the same kind that mtfix
wrote (same name pattern, another hash, made an hour or more before) are
removed, so they do not pile up as the code changes. A cache folder that cannot be written (read-only, full
disk, a file in its place) only means the next process derives the table
again: no error, no message.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from pathlib import Path
from typing import Callable, Iterable, Sequence

__all__ = ["cache_dir", "source_hash", "write_atomic", "remove_older", "cached_arrays"]

#: bumped when the file layout of :func:`cached_arrays` changes
FORMAT = 1


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/mtfix`` (default ``~/.cache/mtfix``; a relative ``$XDG_CACHE_HOME`` is
    ignored, as the XDG base directory spec asks); not created here. Every mtfix cache folder is in it."""
    base = os.environ.get("XDG_CACHE_HOME") or ""
    return (Path(base) if os.path.isabs(base) else Path.home() / ".cache") / "mtfix"


def source_hash(files: Iterable[str | os.PathLike], key: object = ()) -> str:
    """24 hex digits of SHA-256 over ``key``, Python's version, its Unicode database and the bytes
    of ``files`` (the modules a table is derived from)."""
    import unicodedata

    h = hashlib.sha256(repr((FORMAT, sys.version, unicodedata.unidata_version, key)).encode())
    for f in files:
        h.update(Path(f).read_bytes())
    return h.hexdigest()[:24]


def write_atomic(path: Path, write: Callable) -> bool:
    """``write(binary file)`` into ``path``, all or nothing (a temporary file in the same folder,
    renamed); the folder is made when missing. False (nothing written, nothing left behind) when
    the folder or file cannot be written: a cache is best effort."""
    import tempfile

    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, path)
        tmp = None
        return True
    except (OSError, ValueError):
        return False
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


#: a file of the same table written less than this many seconds ago stays (see :func:`remove_older`)
MIN_AGE = 3600.0


def remove_older(path: Path, same: Callable[[Path], bool] | None = None, min_age: float = MIN_AGE) -> list[Path]:
    """Remove the files next to ``path`` that mtfix wrote for the same table before: named like
    it (``<kind>-<24 hex digits>.<suffix>``, another hash), written at least ``min_age`` seconds
    ago and, when ``same`` is given, for which ``same(file)`` is true. Nothing else is touched; a
    file that cannot be removed stays. Returns the files removed.

    The age keeps two mtfix versions that share a cache (two checkouts, two environments) from
    removing each other's file on every run: each writes its own once, and a file is only
    removed by a write an hour or more after it was made, so at most one more rebuild follows."""
    m = re.fullmatch(r"(.+)-[0-9a-f]{24}(\.[a-z]+)", path.name)
    if m is None:
        raise ValueError(f"not a cache file name: {path.name}")
    pattern = re.compile(re.escape(m.group(1)) + r"-[0-9a-f]{24}" + re.escape(m.group(2)))
    removed = []
    try:
        others = [p for p in path.parent.iterdir() if p.name != path.name and pattern.fullmatch(p.name)]
    except OSError:
        return removed
    import time

    now = time.time()
    for p in sorted(others):
        try:
            st = p.lstat()
            if (p.is_file() and not p.is_symlink() and now - st.st_mtime >= min_age
                    and (same is None or same(p))):
                p.unlink()
                removed.append(p)
        except OSError:
            pass
    return removed


def cached_arrays(kind: str, files: Sequence[str | os.PathLike], build: Callable[[], Sequence],
                  key: object = ()) -> list:
    """The numpy arrays ``build()`` returns, read from ``<cache>/<kind>-<hash>.npy`` when the
    cache holds them for exactly these ``files`` and ``key`` (see the module docstring), else
    built, written there and returned (the older files of ``kind`` removed)."""
    import numpy as np

    try:
        path = cache_dir() / f"{kind}-{source_hash(files, (key, np.__version__))}.npy"
    except OSError:  # a source file unreadable: no cache
        return list(build())
    got = _read_arrays(path)
    if got is not None:
        return got
    arrays = [np.ascontiguousarray(a) for a in build()]

    def write(f):
        f.write(len(arrays).to_bytes(4, "little"))
        for a in arrays:
            np.lib.format.write_array(f, a, allow_pickle=False)

    if write_atomic(path, write):
        remove_older(path)
    return arrays


def _read_arrays(path: Path) -> list | None:
    """The arrays of a file :func:`cached_arrays` wrote; None when absent, unreadable or damaged."""
    import numpy as np

    try:
        with open(path, "rb") as f:
            count = int.from_bytes(f.read(4), "little")
            if not 0 < count < 64:
                return None
            arrays = [np.lib.format.read_array(f, allow_pickle=False) for _ in range(count)]
            if f.read(1):
                return None
        return arrays
    except (OSError, ValueError, EOFError):
        return None
