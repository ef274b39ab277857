"""The work dir of a corpus run: what a killed run leaves for the next one.

``<first output>.partial/`` holds

* ``kept.jsonl``, ``dropped.jsonl``, ``rejects.jsonl``: records written so far;
* ``state.sqlite``: the run's identity (pipeline signature, inputs with sizes
  and modification times, reader options), the reader cursor, the counts, the
  committed size of each ``.jsonl`` file and every dedup key seen;
* ``lock``: held (``flock``) while a run uses the dir;
* ``owner``: present when mtfix created the folder itself.

The folder is mtfix's only when mtfix created it: a finished run (or
``--restart``) removes the files listed above, and the folder only if it made
it. A ``--work-dir`` that already holds anything else is refused, so no user
file is ever deleted.

Each chunk is appended to the ``.jsonl`` files, flushed and fsynced, and only
then are the cursor, counts, sizes and the chunk's new dedup keys committed in
one SQLite transaction. A run killed at any instant therefore restarts from
the last commit: bytes written after it are cut off, dedup keys inserted
after it were never committed. Nothing is lost, nothing is counted twice, and
the final outputs are the same bytes as an uninterrupted run's.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Sequence

from mtfix.errors import MtfixError

__all__ = ["WorkDir", "SqliteKeyStore", "PARTS"]

PARTS = ("kept", "dropped", "rejects")
OWNER = "owner"
# Every name a run may create in its work dir (SQLite adds -wal/-shm/-journal files).
OWN_FILES = (*(f"{p}.jsonl" for p in PARTS), "state.sqlite", "state.sqlite-wal", "state.sqlite-shm",
             "state.sqlite-journal", "lock", OWNER, "ray")
SUBDIR = "ray"  # a Ray run's shard files (mtfix.corpus.ray_runner), made by WorkDir.subdir
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS state (k TEXT PRIMARY KEY, v TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS seen (filter TEXT NOT NULL, key BLOB NOT NULL, id INTEGER NOT NULL, "
    "PRIMARY KEY (filter, key)) WITHOUT ROWID",
)


def _differences(old: dict, new: dict) -> list[str]:
    labels = {"signature": "a different filter pipeline", "inputs": "changed input files",
              "reader": "other reader options", "skip_bad": "another --skip-bad setting",
              "chunk_size": "another --chunk-size (the align filter compares neighbours within a chunk)",
              "engine": "another engine (--ray or local workers)", "shard_chunks": "another shard size"}
    return [labels.get(k, k) for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]


class WorkDir:
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.db: sqlite3.Connection | None = None
        self._lock = None
        self.cursor: dict | None = None
        self.counts: dict = {}
        self.sizes: dict[str, int] = {p: 0 for p in PARTS}
        self.resumed = False
        self._files = {}

    def part(self, name: str) -> Path:
        return self.path / f"{name}.jsonl"

    # ------------------------------------------------------------ open / close

    def _check_foreign(self) -> None:
        """Refuse a folder holding anything a run did not put there."""
        if not self.path.exists():
            return
        if not self.path.is_dir():
            raise MtfixError(f"the work dir {self.path} is a file; give --work-dir a folder path")
        foreign = sorted(p.name for p in self.path.iterdir() if p.name not in OWN_FILES)
        if foreign:
            raise MtfixError(f"the work dir {self.path} holds other files ({', '.join(foreign[:3])}"
                             f"{', ...' if len(foreign) > 3 else ''}); give --work-dir a new or empty folder")

    def open(self, identity: dict, *, restart: bool = False) -> bool:
        """Create the dir or take up the unfinished run in it; True when resuming."""
        self._check_foreign()
        if restart and self.path.exists():
            self._remove_tree()
        fresh = not (self.path / "state.sqlite").exists()
        made = False
        try:
            if not self.path.exists():
                self.path.mkdir(parents=True)
                made = True
                (self.path / OWNER).write_text("created by mtfix: removed when the run ends\n", encoding="utf-8")
        except OSError as e:
            from mtfix.outputs import os_error

            if made:  # a full disk after mkdir: the folder goes again
                (self.path / OWNER).unlink(missing_ok=True)
                self.path.rmdir()
            raise os_error(e, f"cannot create the work dir {self.path}") from None
        self._take_lock()
        try:
            return self._load(identity, fresh)
        except MtfixError:
            raise
        except (OSError, sqlite3.DatabaseError) as e:
            self.close()
            if fresh:  # nothing to keep: leave no half-made work dir behind
                self._remove_tree()
            if isinstance(e, OSError) or "full" in str(e) or fresh:  # a work dir made just now is not damaged
                from mtfix.outputs import os_reason

                reason = (os_reason(e) if isinstance(e, OSError) else f"the disk is full ({e})" if "full" in str(e)
                          else f"{e} (is the disk full?)")  # SQLite's WAL on a full tmpfs: "disk I/O error"
                raise MtfixError(f"cannot write the work dir {self.path}: {reason}; free some space and run "
                                 f"the same command again") from None
            raise MtfixError(f"the work dir {self.path} is damaged ({e}); pass --restart to start over") from None

    def _load(self, identity: dict, fresh: bool) -> bool:
        """Open the state database and take up (or start) the run it records."""
        self.db = sqlite3.connect(str(self.path / "state.sqlite"))
        # WAL without a sync per commit: a killed process loses nothing committed; after a power
        # cut the last commits may be gone, which only means redoing those chunks (the .jsonl
        # files are synced before each commit, so they are never shorter than the state says).
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        for stmt in _SCHEMA:
            self.db.execute(stmt)
        self.db.commit()
        rows = dict(self.db.execute("SELECT k, v FROM state"))
        if "identity" not in rows:
            fresh = True
            self.db.execute("DELETE FROM seen")
            for name in PARTS:
                self.part(name).write_bytes(b"")
            self.db.execute("INSERT OR REPLACE INTO state VALUES ('identity', ?)", (json.dumps(identity),))
            self.db.execute("INSERT OR REPLACE INTO state VALUES ('sizes', ?)", (json.dumps(self.sizes),))
            self.db.commit()
        else:
            old = json.loads(rows["identity"])
            if old != identity:
                self.close()
                raise MtfixError(
                    f"{self.path} holds an unfinished run made with {' and '.join(_differences(old, identity))}; "
                    f"run the same command to finish it, or pass --restart to discard it")
            self.cursor = json.loads(rows["cursor"]) if "cursor" in rows else None
            self.counts = json.loads(rows.get("counts", "{}"))
            self.sizes = json.loads(rows["sizes"])
            for name in PARTS:
                p = self.part(name)
                have = p.stat().st_size if p.exists() else -1
                if have < self.sizes[name]:
                    self.close()
                    raise MtfixError(f"{p} is shorter than its committed size; the work dir {self.path} is "
                                     f"damaged, pass --restart to start over")
                if have > self.sizes[name]:  # written after the last commit: cut off
                    with open(p, "r+b") as f:
                        f.truncate(self.sizes[name])
        self.resumed = not fresh and self.cursor is not None
        self._files = {name: open(self.part(name), "ab") for name in PARTS}
        return self.resumed

    def _take_lock(self) -> None:
        import fcntl

        self._lock = open(self.path / "lock", "w")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lock.close()
            self._lock = None
            raise MtfixError(f"another mtfix corpus run is using {self.path}; wait for it to finish") from None

    def close(self) -> None:
        for f in self._files.values():
            f.close()
        self._files = {}
        if self.db is not None:
            self.db.close()
            self.db = None
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def _remove_tree(self) -> None:
        """Remove what a run put in the dir; the dir itself only if mtfix created it."""
        owned = (self.path / OWNER).is_file()
        sub = self.path / SUBDIR
        if (sub / OWNER).is_file():  # only the folder subdir() made
            import shutil

            shutil.rmtree(sub, ignore_errors=True)
        for name in OWN_FILES:
            if name not in (OWNER, "ray"):
                (self.path / name).unlink(missing_ok=True)
        if owned:
            (self.path / OWNER).unlink(missing_ok=True)
            try:
                self.path.rmdir()
            except OSError:  # something appeared meanwhile: leave it
                pass

    def remove(self) -> None:
        """Close and delete the dir (the run is finished, or its input was bad)."""
        self.close()
        self._remove_tree()

    # ------------------------------------------------------------ commit

    def commit(self, lines: dict[str, Sequence[str]], cursor: dict | None, counts: dict) -> None:
        """Append ``lines`` (per part), make them durable, then commit the state
        (and the dedup keys the stores inserted since the last commit). A full disk
        ends the run with one line; what was committed before stays for the next run."""
        try:
            self._append(lines)
            self._commit_state(cursor, counts)
        except (OSError, sqlite3.DatabaseError) as e:
            from mtfix.outputs import os_error

            what = f"cannot write the work dir {self.path}"
            err = os_error(e, what) if isinstance(e, OSError) else MtfixError(f"{what}: {e}")
            raise MtfixError(f"{err}; the chunks done before are kept: run the same command again to continue") \
                from None

    def subdir(self) -> Path:
        """``ray/`` inside the work dir (absolute), made (and marked as mtfix's) when missing."""
        sub = (self.path / SUBDIR).resolve()
        if not sub.exists():
            sub.mkdir()
            (sub / OWNER).write_text("created by mtfix: removed when the run ends\n", encoding="utf-8")
        return sub

    def load_state(self, prefix: str) -> dict:
        """Committed state entries whose key starts with ``prefix`` (a Ray run's shards)."""
        rows = self.db.execute("SELECT k, v FROM state WHERE substr(k, 1, ?) = ?", (len(prefix), prefix))
        return {k: json.loads(v) for k, v in rows}

    def save_state(self, items: dict) -> None:
        """Commit state entries (JSON values) in one transaction."""
        try:
            self.db.executemany("INSERT OR REPLACE INTO state VALUES (?, ?)",
                                [(k, json.dumps(v)) for k, v in items.items()])
            self.db.commit()
        except sqlite3.DatabaseError as e:
            raise MtfixError(f"cannot write the work dir {self.path}: {e}; the shards done before are kept: "
                             f"run the same command again to continue") from None

    def _append(self, lines: dict[str, Sequence[str]]) -> None:
        for name, rows in lines.items():
            if rows:
                data = ("\n".join(rows) + "\n").encode("utf-8")
                f = self._files[name]
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
                self.sizes[name] += len(data)

    def _commit_state(self, cursor: dict | None, counts: dict) -> None:
        self.db.executemany("INSERT OR REPLACE INTO state VALUES (?, ?)", [
            ("cursor", json.dumps(cursor)), ("counts", json.dumps(counts)), ("sizes", json.dumps(self.sizes))])
        self.db.commit()
        self.cursor = cursor
        self.counts = counts


class SqliteKeyStore:
    """Dedup keys of one filter in the work dir's SQLite file (disk, not memory).

    Inserts join the transaction that :meth:`WorkDir.commit` commits with the
    chunk they belong to."""

    def __init__(self, db: sqlite3.Connection, name: str):
        self.db = db
        self.name = name

    def lookup(self, keys: Sequence[bytes]) -> dict[bytes, int]:
        found: dict[bytes, int] = {}
        keys = sorted(set(keys))  # in key order: each B-tree page visited once
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            rows = self.db.execute(
                f"SELECT key, id FROM seen WHERE filter=? AND key IN ({','.join('?' * len(chunk))})",
                [self.name, *chunk])
            found.update((bytes(k), i) for k, i in rows)
        return found

    def add(self, items: dict[bytes, int]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?, ?)",  # in key order (fewer page writes)
                            [(self.name, k, items[k]) for k in sorted(items)])
