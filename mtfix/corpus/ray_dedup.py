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

On Ray that is one hash-partitioned shuffle: the pairs' keys are grouped by
a bucket of the normalised key (the first hex digits of its hash: every pair
of a key lands in the same bucket; ``groupby(...).map_groups``, hash
shuffle), and in each bucket, sorted by pair id, each key's first kept pair
is found and the later pairs with that key marked duplicates of
it (``exact`` when their exact keys are equal, else ``normalised``). Each
group gives one row (its bucket and its duplicates), so a block of them holds
whole buckets: its verdicts are written next to the scores, one file per shard
(``dedup-<filter>-<shard>-<digest of the content>.json``, duplicates only), and
the driver then commits the block's buckets and files to the run's manifest
(the work dir's state). The result does not depend on how the input was split
or in which order the tasks ran, and equals the local runner's, reasons
included. Several dedup filters run one after the other, each seeing the
verdicts of those before it, as locally.

**Resume**: a run killed during the dedup keeps the committed buckets; the next
one removes the verdict files no commit names (written by a task whose block
was not committed) and shuffles only the keys of the buckets not committed.
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["dedup_on_cluster", "verdict_files", "load_verdicts", "scored_path"]


#: hex digits of the key digest that name its bucket (16**3 = 4096 buckets: one call of the
#: group function per bucket, not per key)
BUCKET_HEX = 3


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


def _key_rows(batch, *, work: str, j: int, name: str, skip: frozenset = frozenset()):
    """Task: the shards' pairs as rows (normalised key, exact key, id, shard, passed so far),
    but those of the buckets in ``skip`` (committed by an earlier attempt)."""
    import pandas as pd

    rows = {"key": [], "exact": [], "id": [], "shard": [], "ok": [], "bucket": []}
    for shard in batch["shard"]:
        shard = int(shard)
        earlier = [load_verdicts(Path(work), i, shard) for i in range(j)]
        with open(scored_path(Path(work), shard), encoding="utf-8") as f:
            for line in f:
                e = json.loads(line)
                if "p" not in e:
                    continue
                keys = e["k"][name]
                bucket = keys[-1][1][2:2 + BUCKET_HEX]  # after the kind byte: the digest
                if bucket in skip:
                    continue
                rows["key"].append(keys[-1][1])
                rows["bucket"].append(bucket)
                rows["exact"].append(keys[0][1])
                rows["id"].append(e["id"])
                rows["shard"].append(shard)
                rows["ok"].append(not e["f"] and not any(e["id"] in v for v in earlier))
    return pd.DataFrame({"key": pd.Series(rows["key"], dtype=object),
                         "exact": pd.Series(rows["exact"], dtype=object),
                         "id": pd.Series(rows["id"], dtype="int64"),
                         "shard": pd.Series(rows["shard"], dtype="int64"),
                         "ok": pd.Series(rows["ok"], dtype=bool),
                         "bucket": pd.Series(rows["bucket"], dtype=object)})


def _first_of_kind(group):
    """The pairs of one hash bucket (every pair of each of its keys): after a key's first kept
    pair (in input order), every pair with that key is its duplicate. One row: the bucket and
    its duplicates (``[shard, id, id of the first, kind]``, JSON)."""
    import pandas as pd

    group = group.sort_values("id", kind="stable")
    keys, exacts, ids, oks, shards = (group[c].tolist() for c in ("key", "exact", "id", "ok", "shard"))
    first: dict = {}
    for key, exact, i, ok in zip(keys, exacts, ids, oks):
        if ok and key not in first:
            first[key] = (i, exact)
    dups = []
    for key, exact, i, shard in zip(keys, exacts, ids, shards):
        f = first.get(key)
        if f is not None and i > f[0]:
            dups.append([int(shard), int(i), int(f[0]), "exact" if exact == f[1] else "normalised"])
    return pd.DataFrame({"bucket": pd.Series([group["bucket"].iloc[0]], dtype=object),
                         "dups": pd.Series([json.dumps(dups)], dtype=object)})


def _write_verdicts(batch, *, work: str, j: int):
    """A block of whole buckets: its duplicates, one file per shard they belong to, named by their
    content (the same verdicts give the same file, whichever task writes it); what the driver
    commits: the buckets, the files and the number of duplicates."""
    import hashlib

    from mtfix.outputs import atomic_write_text

    by_shard: dict[int, dict] = {}
    for text in batch["dups"]:
        for shard, i, o, k in json.loads(str(text)):
            by_shard.setdefault(shard, {})[i] = [o, k]
    files = []
    for shard, dups in sorted(by_shard.items()):
        text = json.dumps({str(i): dups[i] for i in sorted(dups)})
        digest = hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
        files.append(f"dedup-{j}-{shard:05d}-{digest}.json")
        atomic_write_text(Path(work) / files[-1], text)
    done = {"buckets": sorted(str(b) for b in batch["bucket"]), "files": files,
            "dups": sum(len(d) for d in by_shard.values())}
    return {"done": [json.dumps(done)]}


def dedup_on_cluster(work: Path, shards: list[int], dedup_names: list[str], *, partitions: int,
                     manifest) -> dict[str, int]:
    """Run every dedup filter over the scored shards in ``work``; duplicates per filter.

    ``manifest`` (the run's :class:`~mtfix.corpus.state.WorkDir`: ``load_state``/``save_state``)
    records each block of buckets done (``ray:dedup:<filter>:<first bucket>``) and each filter
    finished (``ray:dedup:<filter>:all``): a resumed run starts where the last commit left it."""
    import ray.data
    from ray.data.context import DataContext, ShuffleStrategy

    ctx = DataContext.get_current()
    ctx.shuffle_strategy = ShuffleStrategy.HASH_SHUFFLE
    counts = {}
    for j, name in enumerate(dedup_names):
        prefix = f"ray:dedup:{j}:"
        done = manifest.load_state(prefix)
        blocks = [v for k, v in done.items() if k != prefix + "all"]
        if prefix + "all" not in done:
            committed = {f for b in blocks for f in b["files"]}
            for p in verdict_files(work, j):  # written by a task whose block was not committed: made again
                if p.name not in committed:
                    p.unlink()
            skip = frozenset(b for block in blocks for b in block["buckets"])
            ds = ray.data.from_items([{"shard": s} for s in shards], override_num_blocks=max(1, len(shards)))
            ds = ds.map_batches(_key_rows, fn_kwargs={"work": str(work), "j": j, "name": name, "skip": skip},
                                batch_size=1, batch_format="pandas")
            ds = ds.groupby("bucket", num_partitions=partitions).map_groups(_first_of_kind, batch_format="pandas")
            ds = ds.map_batches(_write_verdicts, fn_kwargs={"work": str(work), "j": j}, batch_size=None,
                                batch_format="numpy")
            for batch in ds.iter_batches(batch_size=None, batch_format="numpy"):
                for text in batch["done"]:
                    block = json.loads(str(text))
                    if block["buckets"]:
                        manifest.save_state({prefix + block["buckets"][0]: block})
                        blocks.append(block)
            manifest.save_state({prefix + "all": True})
        counts[name] = sum(b["dups"] for b in blocks)
    return counts
