"""De-duplication of a Ray run on the cluster: hash-partitioned, deterministic.

Locally, a dedup filter walks the pairs in input order and remembers the keys
of each pair it keeps (its exact key and its normalised key): a later pair
sharing either key with a remembered one is a duplicate of it. The exact key
is a digest of the text and the normalised key a digest of a function of the
same text, so equal exact keys mean equal normalised keys; the pairs
remembered are therefore, for each normalised key, the first pair with that
key that passed every other filter ("seen" means "seen and kept"), and a
pair is a duplicate exactly when that first pair comes before it. (With
``normalize = "none"`` the exact key plays both parts.)

On Ray the keys are hash-partitioned without a shuffle service: each task
that scores a shard also writes the shard's keys (``keys-<filter>-<shard>.npy``:
each pair's normalised and exact key digests, its id and whether it passed
every other filter, sorted by normalised key). The key space (the digests'
first 64 bits) is cut into ``units`` equal ranges; one task per range reads
that range's slice of every shard's keys file (memory-mapped: a binary search
finds it, only the slice is read), so every pair of a key meets in one task
whichever shard it is in. There, sorted by key then pair id (numpy, no Python
loop per pair), each key's first kept pair is found and the later pairs with
that key marked duplicates of it (``exact`` when their exact keys are equal,
else ``normalised``). Its verdicts are written next to the scores, one file
per shard (``dedup-<filter>-<shard>-<digest of the content>.json``, duplicates
only), and the driver then commits the unit and its files to the run's
manifest (the work dir's state). The result does not depend on how the input
was split, on the number of units or in which order the tasks ran, and equals
the local runner's, reasons included. Several dedup filters run one after the
other, each seeing the verdicts of those before it, as locally. Memory: a task
holds its range's keys (about 60 bytes a pair), so ``units`` grows with the
input (:func:`unit_count`).

**Resume**: a run killed during the dedup keeps the committed units; the next
one removes the verdict files no commit names (written by a task whose unit
was not committed) and runs only the units not committed.
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["dedup_on_cluster", "dedup_unit", "verdict_files", "load_verdicts", "scored_path", "write_keys",
           "unit_count", "first_of_kind"]

#: pairs per dedup unit (one task; its keys held in memory at once)
UNIT_PAIRS = 50_000
#: the columns of a keys file: normalised key (digest as two 64-bit numbers), exact key, pair id,
#: passed every other filter
KEY_DTYPE = [("hi", "<u8"), ("lo", "<u8"), ("ehi", "<u8"), ("elo", "<u8"), ("id", "<i8"), ("ok", "?")]


def unit_count(pairs: int) -> int:
    """Dedup units (key ranges, one task each) for a run of ``pairs`` pairs: at least 2."""
    return max(2, -(-pairs // UNIT_PAIRS))


def verdict_files(work: Path, j: int, shard: int | None = None) -> list[Path]:
    """The files holding dedup filter ``j``'s duplicates in shard ``shard`` (every shard: None)."""
    return sorted(Path(work).glob(f"dedup-{j}-{'*' if shard is None else f'{shard:05d}'}-*.json"))


def load_verdicts(work: Path, j: int, shard: int) -> dict[int, tuple[int, str]]:
    """``{pair id: (id of the pair it repeats, "exact" | "normalised")}`` for shard ``shard``."""
    out = {}
    for p in verdict_files(work, j, shard):
        out.update((int(k), (v[0], v[1])) for k, v in json.loads(p.read_text(encoding="utf-8")).items())
    return out


def scored_path(work: Path, shard: int) -> Path:
    return Path(work) / f"scored-{shard:05d}.jsonl"


def keys_path(work: Path, j: int, shard: int) -> Path:
    return Path(work) / f"keys-{j}-{shard:05d}.npy"


def write_keys(work: Path, shard: int, dedup: list[str], entries: list[dict]) -> None:
    """A scored shard's dedup keys, one file per dedup filter (``entries``: the shard's scored
    pairs, their keys as hex under ``"k"``, the filters they failed under ``"f"``), sorted by
    normalised key; each file written in one step."""
    import numpy as np

    from mtfix.outputs import atomic_path

    for j, name in enumerate(dedup):
        keys = [e["k"][name] for e in entries]
        a = np.zeros(len(entries), dtype=KEY_DTYPE)
        if entries:  # after the kind byte: the 16-byte digest, as two big-endian 64-bit numbers
            norm = np.frombuffer(bytes.fromhex("".join(k[-1][1][2:] for k in keys)), dtype=">u8").reshape(-1, 2)
            exact = np.frombuffer(bytes.fromhex("".join(k[0][1][2:] for k in keys)), dtype=">u8").reshape(-1, 2)
            a["hi"], a["lo"], a["ehi"], a["elo"] = norm[:, 0], norm[:, 1], exact[:, 0], exact[:, 1]
            a["id"] = [e["id"] for e in entries]
            a["ok"] = [not e["f"] for e in entries]
            a = a[np.lexsort((a["id"], a["lo"], a["hi"]))]
        with atomic_path(keys_path(Path(work), j, shard)) as tmp:
            with open(tmp, "wb") as f:
                np.save(f, a)


def _bounds(unit: int, units: int) -> tuple[int, int | None]:
    """The range of the keys' first 64 bits that ``unit`` of ``units`` covers (None: to the end)."""
    return (unit << 64) // units, None if unit + 1 == units else ((unit + 1) << 64) // units


def _unit_keys(work: Path, j: int, shards: list[int], unit: int, units: int):
    """The keys of ``unit``'s range in every shard, and each row's shard."""
    import numpy as np

    lo, hi = _bounds(unit, units)
    parts, owners = [], []
    for shard in shards:
        path = keys_path(work, j, shard)
        try:
            a = np.load(path, mmap_mode="r")
        except (OSError, ValueError, EOFError) as e:  # cut short, emptied, gone: committed, so the work dir is damaged
            from mtfix.corpus.state import damaged_work_dir

            raise damaged_work_dir(Path(work).parent, f"{path.name}: {e}") from None
        start = int(np.searchsorted(a["hi"], np.uint64(lo)))
        stop = len(a) if hi is None else int(np.searchsorted(a["hi"], np.uint64(hi)))
        if stop > start:
            parts.append(np.array(a[start:stop]))
            owners.append(np.full(stop - start, shard, dtype=np.int64))
    if not parts:
        return np.zeros(0, dtype=KEY_DTYPE), np.zeros(0, dtype=np.int64)
    return np.concatenate(parts), np.concatenate(owners)


def first_of_kind(keys, shard_of) -> list[list]:
    """Duplicates among ``keys`` (rows of :data:`KEY_DTYPE`, every pair of each key present):
    after a key's first kept pair (in input order), every pair with that key is its duplicate.
    ``[[shard, id, id of the first, kind], ...]``."""
    import numpy as np

    order = np.lexsort((keys["id"], keys["lo"], keys["hi"]))
    k, owner = keys[order], shard_of[order]
    if not len(k):
        return []
    new = np.ones(len(k), dtype=bool)
    new[1:] = (k["hi"][1:] != k["hi"][:-1]) | (k["lo"][1:] != k["lo"][:-1])
    group = np.cumsum(new) - 1
    kept = np.flatnonzero(k["ok"])  # in key order, then input order: a key's first kept pair first
    groups, at = np.unique(group[kept], return_index=True)
    first = np.full(int(group[-1]) + 1, -1, dtype=np.int64)
    first[groups] = kept[at]
    f = first[group]
    dup = (f >= 0) & (k["id"] > k["id"][np.maximum(f, 0)])
    rows, of = np.flatnonzero(dup), f[dup]
    exact = (k["ehi"][rows] == k["ehi"][of]) & (k["elo"][rows] == k["elo"][of])
    return [[s, i, o, "exact" if e else "normalised"]
            for s, i, o, e in zip(owner[rows].tolist(), k["id"][rows].tolist(), k["id"][of].tolist(), exact.tolist())]


def dedup_unit(work: Path, j: int, shards: list[int], unit: int, units: int) -> dict:
    """Dedup filter ``j``'s duplicates in key range ``unit`` of ``units`` (see the module
    docstring), over the keys files of ``shards``: one verdict file per shard they belong to,
    named by their content (the same verdicts give the same file, whichever task writes it).
    What the driver commits: the unit, its files and its number of duplicates."""
    import hashlib

    import numpy as np

    from mtfix.outputs import atomic_write_text

    keys, shard_of = _unit_keys(Path(work), j, shards, unit, units)
    if j and len(keys):  # duplicates for an earlier dedup filter were not kept
        earlier = [i for s in shards for e in range(j) for i in load_verdicts(Path(work), e, s)]
        keys["ok"] &= ~np.isin(keys["id"], np.array(earlier, dtype=np.int64))
    by_shard: dict[int, dict] = {}
    for shard, i, o, kind in first_of_kind(keys, shard_of):
        by_shard.setdefault(shard, {})[i] = [o, kind]
    files = []
    for shard, dups in sorted(by_shard.items()):
        text = json.dumps({str(i): dups[i] for i in sorted(dups)})
        digest = hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
        files.append(f"dedup-{j}-{shard:05d}-{digest}.json")
        atomic_write_text(Path(work) / files[-1], text)
    return {"unit": unit, "files": files, "dups": sum(len(d) for d in by_shard.values())}


def _dedup_units(batch, *, work: str, j: int, shards: list[int], units: int):
    """Task: :func:`dedup_unit` for each unit of the batch."""
    return {"done": [json.dumps(dedup_unit(Path(work), j, shards, int(u), units)) for u in batch["unit"]]}


def dedup_on_cluster(work: Path, shards: list[int], dedup_names: list[str], *, units: int, manifest,
                     compute: dict | None = None) -> dict[str, int]:
    """Run every dedup filter over the scored shards in ``work`` (those with pairs: ``shards``);
    duplicates per filter.

    ``manifest`` (the run's :class:`~mtfix.corpus.state.WorkDir`: ``load_state``/``save_state``)
    records each unit done (``ray:dedup:<filter>:<unit>``) and each filter finished
    (``ray:dedup:<filter>:all``): a resumed run starts where the last commit left it.
    ``compute``: ``map_batches``' options (its task pool)."""
    import ray.data

    counts = {}
    for j, name in enumerate(dedup_names):
        prefix = f"ray:dedup:{j}:"
        done = manifest.load_state(prefix)
        blocks = [v for k, v in done.items() if k != prefix + "all"]
        if prefix + "all" not in done:
            committed = {f for b in blocks for f in b["files"]}
            for p in verdict_files(work, j):  # written by a task whose unit was not committed: made again
                if p.name not in committed:
                    p.unlink()
            todo = [u for u in range(units) if f"{prefix}{u:05d}" not in done]
            ds = ray.data.from_items([{"unit": u} for u in todo], override_num_blocks=max(1, len(todo)))
            ds = ds.map_batches(_dedup_units, fn_kwargs={"work": str(work), "j": j, "shards": shards, "units": units},
                                batch_size=1, batch_format="numpy", **(compute or {}))
            for batch in ds.iter_batches(batch_size=None, batch_format="numpy"):
                for text in batch["done"]:
                    block = json.loads(str(text))
                    manifest.save_state({f"{prefix}{block['unit']:05d}": block})
                    blocks.append(block)
            manifest.save_state({prefix + "all": True})
        counts[name] = sum(b["dups"] for b in blocks)
    return counts
