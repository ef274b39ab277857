"""The work dir of a corpus run: what a killed run leaves for the next one.

``<first output>.partial/`` holds

* ``kept.jsonl``, ``dropped.jsonl``, ``rejects.jsonl``: records written so far;
* ``state.sqlite``: the run's identity (pipeline signature, inputs with sizes
  and modification times, reader options), the reader cursor, the counts, the
  committed size of each ``.jsonl`` file, the dedup keys seen since the last
  sorted run was written (one row per chunk) and how many runs are committed;
* ``keys/``: the dedup keys seen, as sorted runs (:class:`DiskKeyStore`);
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
after it were never committed (a run file written after it is not counted,
and is written again). Nothing is lost, nothing is counted twice, and
the final outputs are the same bytes as an uninterrupted run's.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path
from typing import Sequence

from mtfix.errors import MtfixError

__all__ = ["WorkDir", "DiskKeyStore", "PARTS", "SUBDIR", "KEYS"]

PARTS = ("kept", "dropped", "rejects")
OWNER = "owner"
# Every name a run may create in its work dir (SQLite adds -wal/-shm/-journal files).
OWN_FILES = (*(f"{p}.jsonl" for p in PARTS), "state.sqlite", "state.sqlite-wal", "state.sqlite-shm",
             "state.sqlite-journal", "lock", OWNER, "ray", "keys")
SUBDIR = "ray"  # a Ray run's shard files (mtfix.corpus.ray_runner), made by WorkDir.subdir
KEYS = "keys"  # the dedup keys' sorted runs (DiskKeyStore), made by WorkDir.subdir(KEYS)
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS state (k TEXT PRIMARY KEY, v TEXT NOT NULL)",
    # every dedup key, in earlier versions: only read to refuse such a work dir (DiskKeyStore)
    "CREATE TABLE IF NOT EXISTS seen (filter TEXT NOT NULL, key BLOB NOT NULL, id INTEGER NOT NULL, "
    "PRIMARY KEY (filter, key)) WITHOUT ROWID",
    # the dedup keys of each chunk since the last sorted run: one row per chunk and filter
    "CREATE TABLE IF NOT EXISTS pending (filter TEXT NOT NULL, keys BLOB NOT NULL)",
)


def damaged_work_dir(path, why) -> MtfixError:
    """The one line for a work dir at ``path`` whose committed state cannot be read back (``why``:
    what failed, e.g. ``keys-0-00003.npy: cut short``): local runs and Ray runs alike."""
    return MtfixError(f"the work dir {path} is damaged ({why}); pass --restart to start over")


def _no_space(e: BaseException) -> bool:
    """``e`` says the disk is full (ENOSPC, EDQUOT, or SQLite's "database or disk is full")."""
    import errno

    return getattr(e, "errno", None) in (errno.ENOSPC, errno.EDQUOT) or "full" in str(e)


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
        self.stores: list = []  # the dedup key stores open on this dir (closed with it)

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
            raise damaged_work_dir(self.path, e) from None

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
            self.db.execute("DELETE FROM pending")
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
        for store in self.stores:
            store.close()
        self.stores = []
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
        import shutil

        owned = (self.path / OWNER).is_file()
        for sub in (self.path / SUBDIR, self.path / KEYS):
            if (sub / OWNER).is_file():  # only the folders subdir() made
                shutil.rmtree(sub, ignore_errors=True)
        for name in OWN_FILES:
            if name not in (OWNER, SUBDIR, KEYS):
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

    def subdir(self, name: str = SUBDIR) -> Path:
        """``name`` inside the work dir (absolute), made (and marked as mtfix's) when missing:
        ``ray/`` (:data:`SUBDIR`, a Ray run's shard files) or ``keys/`` (:data:`KEYS`, the dedup
        keys' sorted runs)."""
        sub = (self.path / name).resolve()
        if not sub.exists():
            sub.mkdir()
            (sub / OWNER).write_text("created by mtfix: removed when the run ends\n", encoding="utf-8")
        return sub

    def key_store(self, name: str, expected: int | None = None) -> "DiskKeyStore":
        """The dedup keys of filter ``name`` (:class:`DiskKeyStore` in ``keys/``), closed with the dir. A
        store that cannot be read back (the state database or a run file damaged, cut short or gone)
        is one line: the work dir is damaged, ``--restart`` starts over."""
        try:
            store = DiskKeyStore(self.db, name, self.subdir(KEYS), expected)
        except (sqlite3.DatabaseError, OSError, ValueError) as e:
            if isinstance(e, (sqlite3.OperationalError, OSError)) and _no_space(e):  # a full disk: not damage
                from mtfix.outputs import os_error

                raise os_error(e, f"cannot read the work dir {self.path}") if isinstance(e, OSError) else \
                    MtfixError(f"cannot write the work dir {self.path}: the disk is full ({e})") from None
            raise damaged_work_dir(self.path, e) from None
        self.stores.append(store)
        return store

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


class DiskKeyStore:
    """Dedup keys of one filter, on disk (the work dir), with memory bounded whatever the input size.

    Why not a SQLite table of every key: a B-tree of random keys costs about one page written per
    key once it outgrows the page cache, so each chunk's inserts got slower as the store grew (6
    µs per pair in the first tenth of 100k pairs, 18 in the last; ``scripts/bench_corpus_speed.py
    --stages``). Here, like a log-structured store:

    * a chunk's new keys go into SQLite as one row (``pending``: the chunk's keys and ids packed
      in one blob), in the chunk's transaction, and into a dict;
    * every ``MERGE`` keys, the dict is written out sorted as a *run*, ``keys/<filter>-NNNNN``
      (``.keys``: 17-byte keys, ``.ids``: int64 ids), synced, and then the run is counted and
      ``pending`` emptied in the chunk's transaction (a run file that no commit counts, from a
      killed run, is written again); runs never share a key;
    * a Bloom filter of every key (``BLOOM_BITS`` bits, 16 MiB, at most ``BITS_PER_KEY`` per key
      expected when the run knows its size, ``HASHES`` bit positions per key
      taken from the key's own BLAKE2b bytes) answers "never seen" for almost every key of a chunk
      (they are new) without looking further; a key it may have seen is looked up in the dict,
      then in each run (memory-mapped, a binary search: ``log2(MERGE)`` pages per key and run).

    Memory: the Bloom filter (16 MiB, less for a run of fewer than a million pairs) plus at most ``MERGE`` keys in the dict (about 15 MiB),
    flat in the input size; the runs are files. At 2 million keys (1M pairs) the Bloom filter
    says "maybe" for about 1 new key in 100,000; beyond about 30 million keys it says it more and
    more often, and with many runs each such key is searched in each run (runs are not merged;
    a limit of this design at hundreds of millions of pairs). A resumed run reads ``pending``
    back and rebuilds the Bloom filter from the committed runs."""

    MERGE = 100_000
    BLOOM_BITS = 1 << 27
    BITS_PER_KEY = 64  # with 4 hashes: about 1 "maybe" in 70,000 never-seen keys at the expected count
    HASHES = 4
    WIDTH = 17  # bytes of a DedupFilter key: a kind letter and a 16-byte BLAKE2b digest

    def __init__(self, db: sqlite3.Connection, name: str, folder: Path, expected: int | None = None):
        """``expected``: about how many keys the whole run will hold, when known: the Bloom filter
        is then sized for them (a power of two, at least 2^16 bits, at most ``BLOOM_BITS``). Every
        page of the filter is written by a run's first chunk (its bits are spread at random):
        16 MiB cost a 10,000-pair run a tenth of a second of page faults per dedup filter. A
        wrong guess costs only speed: past the expected count the filter says "maybe" more often
        and more keys are looked up exactly; what is found never depends on its size."""
        import numpy as np

        self.db = db
        self.name = name
        self.folder = Path(folder)
        self._stem = "dedup-" + hashlib.blake2b(name.encode(), digest_size=6).hexdigest()
        bits = self.BLOOM_BITS
        if expected is not None:
            bits = min(bits, max(1 << 16, 1 << (self.BITS_PER_KEY * max(expected, 1) - 1).bit_length()))
        self.bloom_bits = bits
        self._bits = np.zeros(bits >> 3, np.uint8)
        self._pending: dict[bytes, int] = {}
        if db.execute("SELECT 1 FROM seen WHERE filter=? LIMIT 1", (name,)).fetchone():
            raise MtfixError("the work dir was made by an older mtfix (its dedup keys are kept another way); "
                             "pass --restart to start over")
        row = db.execute("SELECT v FROM state WHERE k=?", (self._state_key,)).fetchone()
        self._runs: list = []
        for n in range(json.loads(row[0]) if row else 0):
            self._open_run(n)
            with open(self._run_files(n)[0], "rb") as f:
                while block := f.read(self.WIDTH << 16):
                    self._remember_array(block)
        for (blob,) in db.execute("SELECT keys FROM pending WHERE filter=? ORDER BY rowid", (name,)):
            keys, ids = self._unpack(blob)
            self._pending.update(zip(keys, ids))
            self._remember(keys)

    @property
    def _state_key(self) -> str:
        return "runs:" + self.name

    def _run_files(self, n: int) -> tuple[Path, Path]:
        base = self.folder / f"{self._stem}-{n:05d}"
        return base.with_suffix(".keys"), base.with_suffix(".ids")

    def _unpack(self, blob: bytes) -> tuple[list[bytes], list[int]]:
        import numpy as np

        n = len(blob) // (self.WIDTH + 8)
        keys = blob[:n * self.WIDTH]
        ids = np.frombuffer(blob, np.int64, n, n * self.WIDTH).tolist()
        return [keys[i:i + self.WIDTH] for i in range(0, len(keys), self.WIDTH)], ids

    def _digests(self, keys: Sequence[bytes]):
        """``(n, 2)`` uint64: 16 hash bytes of each key (a key of another width is hashed)."""
        import numpy as np

        raw = b"".join(keys)
        if len(raw) != self.WIDTH * len(keys) or any(len(k) != self.WIDTH for k in keys[:1]):
            raw = b"".join(k[-16:] if len(k) == self.WIDTH else hashlib.blake2b(b"?" + k, digest_size=16).digest()
                           for k in keys)
            return np.frombuffer(raw, np.uint64).reshape(-1, 2)
        return np.frombuffer(raw, np.uint8).reshape(-1, self.WIDTH)[:, 1:].copy().view(np.uint64)

    def _positions(self, digests):
        """The ``HASHES`` bit positions of each key (a row each): double hashing on its digest."""
        import numpy as np

        steps = np.arange(self.HASHES, dtype=np.uint64)
        return (digests[:, :1] + steps * (digests[:, 1:] | np.uint64(1))) & np.uint64(self.bloom_bits - 1)

    def _set(self, pos) -> None:
        import numpy as np

        np.bitwise_or.at(self._bits, pos >> np.uint64(3), np.left_shift(np.uint8(1), (pos & np.uint64(7)).astype(np.uint8)))

    def _remember(self, keys: Sequence[bytes]) -> None:
        if keys:
            self._set(self._positions(self._digests(keys)).ravel())

    def _remember_array(self, raw: bytes) -> None:
        """:meth:`_remember` for keys packed one after the other (a block of a run file)."""
        import numpy as np

        digests = np.frombuffer(raw, np.uint8).reshape(-1, self.WIDTH)[:, 1:].copy().view(np.uint64)
        self._set(self._positions(digests).ravel())

    def _open_run(self, n: int) -> None:
        """Run ``n``'s two files, memory-mapped: ``(maps, keys, ids)``."""
        import mmap

        import numpy as np

        maps = []
        keys, ids = self._run_files(n)
        size = keys.stat().st_size
        if size % self.WIDTH or ids.stat().st_size != size // self.WIDTH * 8:  # cut short, or not of this run
            raise ValueError(f"{keys.name} and {ids.name} do not hold the same number of keys")
        for path in (keys, ids):
            with open(path, "rb") as f:
                maps.append(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ))
        self._runs.append((maps, np.frombuffer(maps[0], f"S{self.WIDTH}"), np.frombuffer(maps[1], np.int64)))

    def lookup(self, keys: Sequence[bytes]) -> dict[bytes, int]:
        import numpy as np

        if not keys:
            return {}
        keys = list(keys)
        pos = self._positions(self._digests(keys))
        maybe = ((self._bits[pos >> np.uint64(3)] >> (pos & np.uint64(7)).astype(np.uint8)) & 1).all(axis=1)
        found: dict[bytes, int] = {}
        ask = []
        pending = self._pending
        for i in np.flatnonzero(maybe).tolist():
            k = keys[i]
            got = pending.get(k)
            if got is not None:
                found[k] = got
            elif len(k) == self.WIDTH:
                ask.append(k)
        if ask and self._runs:
            import mmap

            want = np.array(ask, f"S{self.WIDTH}")
            for maps, run_keys, run_ids in self._runs:
                at = np.minimum(np.searchsorted(run_keys, want), len(run_keys) - 1)
                for j in np.flatnonzero(run_keys[at] == want).tolist():
                    found[ask[j]] = int(run_ids[at[j]])
                for m in maps:  # the pages read go out of this process's memory again (the files stay cached)
                    m.madvise(mmap.MADV_DONTNEED)
        return found

    def add(self, items: dict[bytes, int]) -> None:
        """Remember keys not seen before (``lookup`` found none of them, and none is pending)."""
        import numpy as np

        if not items:
            return
        keys = list(items)
        packed = b"".join(keys)
        if len(packed) != self.WIDTH * len(keys):
            raise ValueError(f"dedup keys are {self.WIDTH} bytes")
        self.db.execute("INSERT INTO pending VALUES (?, ?)",
                        (self.name, packed + np.fromiter(items.values(), np.int64, len(keys)).tobytes()))
        self._pending.update(items)
        self._remember_array(packed)  # (every key is WIDTH bytes: packed as a run file's block)
        if len(self._pending) >= self.MERGE:
            self._write_run()

    def _write_run(self) -> None:
        """The pending keys as the next sorted run (synced), counted in the open transaction."""
        import numpy as np

        n = len(self._runs)
        self.folder.mkdir(exist_ok=True)
        keys = np.array(list(self._pending), f"S{self.WIDTH}")
        ids = np.fromiter(self._pending.values(), np.int64, len(keys))
        order = np.argsort(keys, kind="stable")
        for path, data in zip(self._run_files(n), (keys[order], ids[order])):
            tmp = path.with_suffix(path.suffix + ".tmp")
            with open(tmp, "wb") as f:
                f.write(data.tobytes())
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        self._open_run(n)
        self.db.execute("DELETE FROM pending WHERE filter=?", (self.name,))
        self.db.execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (self._state_key, json.dumps(n + 1)))
        self._pending.clear()

    def close(self) -> None:
        """Unmap the runs (their files can then be removed)."""
        runs, self._runs = self._runs, []
        while runs:
            maps = runs.pop()[0]  # the numpy views go with the tuple, so the maps can close
            for m in maps:
                try:
                    m.close()
                except BufferError:  # a view still held elsewhere: the map goes with it
                    pass
