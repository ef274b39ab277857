"""`--ray`: the pipeline on a local Ray cluster (2 CPUs) gives exactly the local runner's records,
counts, summary and outputs on the FLORES+NTREX noise set, with the input read as shards by the
cluster, dedup hash-partitioned on it (duplicates straddling shards), the round trip on an actor
pool (tiny models: one load per actor), outputs as shards (--shards), and resumes after a failure
skipping the shards committed; without Ray installed, `--ray` is one error line and exit 2."""

from __future__ import annotations

import hashlib
import json
import re
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_corpus_noise import noisy_bitext, write_tsv

from mtfix.corpus import CorpusRun, load_pipeline_config, open_bitext, parse_output
from mtfix.errors import MtfixError

CHUNK = 200


@pytest.fixture(scope="session")
def ray_cluster():
    ray = pytest.importorskip("ray", reason="Ray is the optional extra mtfix[ray] (make test installs it)")
    if not ray.is_initialized():
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def noisy(shared_data, tmp_path_factory) -> Path:
    pairs, _ = noisy_bitext(shared_data)
    path = tmp_path_factory.mktemp("ray") / "noisy.tsv"
    write_tsv(path, pairs)
    return path


def _run(src, out: Path, *, outs=("k.jsonl", "k.parquet"), source=None, chunk_size=CHUNK, **kw) -> CorpusRun:
    out.mkdir(exist_ok=True)
    source = source or open_bitext([src], order=("en", "ar"))
    return CorpusRun(source, load_pipeline_config(), [parse_output(out / o) for o in outs],
                     dropped=parse_output(out / "d.jsonl"), summary=out / "s.json", chunk_size=chunk_size, **kw)


def _files(out: Path, names=("k.jsonl", "k.parquet", "d.jsonl")) -> dict:
    summary = json.loads((out / "s.json").read_text(encoding="utf-8"))
    del summary["outputs"], summary["dropped"]  # paths
    return {"summary": summary, **{n: (out / n).read_bytes() for n in names}}


@pytest.fixture(scope="module")
def local(noisy, tmp_path_factory):
    out = tmp_path_factory.mktemp("local")
    result = _run(noisy, out, workers=1).run()
    return result, out


def test_ray_gives_exactly_the_local_runners_results(ray_cluster, noisy, local, tmp_path):
    ref, ref_dir = local
    on_ray = _run(noisy, tmp_path / "ray", workers=2, ray="local", shard_chunks=2).run()
    assert on_ray.summary == ref.summary and str(on_ray.signature) == str(ref.signature)
    assert ref.summary["dropped"] > 300 and ref.summary["filters"]["dedup"]["rejected"] >= 120
    assert on_ray.engine["shards"] == -(-ref.summary["pairs"] // (2 * CHUNK)) >= 6
    assert _files(tmp_path / "ray") == _files(ref_dir)
    # the dedup ran across shards: duplicates of a pair read by another task
    per_shard = 2 * CHUNK
    dups = [(r["id"], int(m.group(1))) for line in (tmp_path / "ray" / "d.jsonl").open(encoding="utf-8")
            for r in [json.loads(line)] if (m := re.search(r"duplicate of #(\d+)", r["reason"]))]
    assert sum(i // per_shard != of // per_shard for i, of in dups) >= 50


def _part_of_the_noise_set(noisy, tmp_path) -> Path:
    """The noise set's first 1,400 lines."""
    src = tmp_path / "part.tsv"
    src.write_text("".join(noisy.read_text(encoding="utf-8").splitlines(keepends=True)[:1400]), encoding="utf-8")
    return src


def _a_ray_run_failing_on_the_fourth_shard(src, tmp_path, monkeypatch) -> None:
    """A --ray run into ``tmp_path/ray`` whose fourth shard's commit raises (a node lost): three committed."""
    from mtfix.corpus.ray_runner import RayRun

    real, calls = RayRun.commit_scored, []

    def fail_on_the_fourth(self, work, meta):
        calls.append(meta["index"])
        if len(calls) == 4:
            raise RuntimeError("a node died")
        return real(self, work, meta)

    monkeypatch.setattr(RayRun, "commit_scored", fail_on_the_fourth)
    with pytest.raises(RuntimeError):
        _run(src, tmp_path / "ray", ray="local", shard_chunks=1).run()
    monkeypatch.setattr(RayRun, "commit_scored", real)


def test_a_failed_ray_run_skips_the_committed_shards_when_run_again(ray_cluster, noisy, tmp_path, monkeypatch):
    src = _part_of_the_noise_set(noisy, tmp_path)
    _run(src, tmp_path / "ref", workers=1).run()
    _a_ray_run_failing_on_the_fourth_shard(src, tmp_path, monkeypatch)
    assert (tmp_path / "ray" / "k.jsonl.partial" / "ray").is_dir()
    result = _run(src, tmp_path / "ray", ray="local", shard_chunks=1).run()
    assert result.resumed_at == 3 * CHUNK  # the three shards committed before the failure
    assert result.engine["shards"] == 7 and result.engine["scored"] == 7 - 3
    assert _files(tmp_path / "ray") == _files(tmp_path / "ref")
    assert not (tmp_path / "ray" / "k.jsonl.partial").exists()


def test_a_work_dir_left_by_another_layout_is_not_taken_up(ray_cluster, tmp_path, monkeypatch):
    """A Ray work dir whose files an earlier version wrote (no ``ray:layout`` of this one): one error
    saying to start over, never outputs made from files read the wrong way."""
    import sqlite3

    from mtfix.corpus.ray_runner import RayRun

    src = tmp_path / "in.tsv"
    src.write_text("".join(f"Line {i} of the report.\tالسطر {i} من التقرير.\n" for i in range(30)), encoding="utf-8")

    def fail(self, work, meta):
        raise RuntimeError("a node died")

    monkeypatch.setattr(RayRun, "commit_scored", fail)
    with pytest.raises(RuntimeError):
        _run(src, tmp_path / "ray", chunk_size=10, ray="local", shard_chunks=1).run()
    monkeypatch.undo()
    db = sqlite3.connect(str(tmp_path / "ray" / "k.jsonl.partial" / "state.sqlite"))
    db.execute("DELETE FROM state WHERE k = 'ray:layout'")
    db.commit()
    db.close()
    with pytest.raises(MtfixError, match="another version of mtfix's Ray engine.*--restart"):
        _run(src, tmp_path / "ray", chunk_size=10, ray="local", shard_chunks=1).run()
    assert not (tmp_path / "ray" / "k.jsonl").exists()
    result = _run(src, tmp_path / "ray", chunk_size=10, ray="local", shard_chunks=1).run(restart=True)
    assert result.summary["pairs"] == 30


def _jsonl_with_traps(path: Path) -> None:
    """Duplicates (exact and normalised) far apart, a first occurrence dropped by another filter,
    blank lines and unreadable rows."""
    rows = []
    for i in range(40):
        rows.append({"en": f"The report number {i} was published today.", "ar": f"نُشر التقرير رقم {i} اليوم."})
        if i % 7 == 3:
            rows.append({"en": "Prices rose by 5% in May.", "ar": "ارتفعت الأسعار بنسبة 5٪ في مايو."})
        if i % 9 == 4:
            rows.append({"en": "prices ROSE by 5 % in may", "ar": "ارتفعت الاسعار بنسبة ٥٪ في مايو"})
        if i == 5:
            rows.append({"en": "The vote was held at 9 am.", "ar": "أجري التصويت في الساعة 10 صباحا."})
        if i == 30:
            rows.append({"en": "The vote was held at 9 am.", "ar": "أجري التصويت في الساعة 9 صباحا."})
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    lines[10:10] = ["", "not json at all"]
    lines[40:40] = ['{"en": "no arabic"}', "   "]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_small_shards_jsonl_bad_rows_and_sharded_outputs(ray_cluster, tmp_path):
    src = tmp_path / "in.jsonl"
    _jsonl_with_traps(src)

    def run(out, **kw):
        return _run(src, out, outs=("k.jsonl", "k.parquet"), chunk_size=4, skip_bad=True,
                    source=open_bitext([src], skip_bad=True), rejects=out / "r.jsonl", **kw).run()

    ref = run(tmp_path / "local", workers=1)
    got = run(tmp_path / "ray", ray="local", shard_chunks=1, shards=True)
    assert got.summary == ref.summary and ref.summary["bad_rows"] == 2
    assert ref.summary["filters"]["dedup"]["rejected"] >= 8 and ref.summary["filters"]["numbers"]["rejected"] >= 1
    n = got.engine["shards"]
    assert n >= 10
    parts = sorted((tmp_path / "ray" / "k.jsonl").iterdir())
    assert [p.name for p in parts] == [f"part-{k:05d}.jsonl" for k in range(n)]
    assert b"".join(p.read_bytes() for p in parts) == (tmp_path / "local" / "k.jsonl").read_bytes()
    dropped = sorted((tmp_path / "ray" / "d.jsonl").iterdir())
    assert b"".join(p.read_bytes() for p in dropped) == (tmp_path / "local" / "d.jsonl").read_bytes()
    assert (tmp_path / "ray" / "r.jsonl").read_bytes() == (tmp_path / "local" / "r.jsonl").read_bytes()
    import pyarrow.parquet as pq

    table = pq.read_table(tmp_path / "ray" / "k.parquet")  # the folder of parts, as one table
    assert table.to_pylist() == pq.read_table(tmp_path / "local" / "k.parquet").to_pylist()
    meta = json.loads(pq.read_schema(tmp_path / "ray" / "k.parquet" / "part-00000.parquet").metadata[b"mtfix"])
    assert meta["summary"] == ref.summary


def test_a_bad_row_without_skip_bad_is_the_local_runners_error(ray_cluster, tmp_path):
    src = tmp_path / "in.tsv"
    src.write_text("One.\tواحد.\n" * 30 + "ragged\trow\there\n" + "Two.\tاثنان.\n", encoding="utf-8")
    with pytest.raises(MtfixError) as local:
        _run(src, tmp_path / "local", chunk_size=4, workers=1).run()
    with pytest.raises(MtfixError) as on_ray:
        _run(src, tmp_path / "ray", chunk_size=4, ray="local", shard_chunks=1).run()
    assert str(on_ray.value) == str(local.value)
    assert str(local.value).startswith(f"{src}:31: expected 2 tab-separated fields, found 3")
    assert list((tmp_path / "ray").iterdir()) == []  # nothing written, no work dir


def test_round_trip_on_an_actor_pool_loads_each_model_once_per_actor(ray_cluster, tiny_models, shared_data,
                                                                      tmp_path):
    from mtfix.engine import back_translator

    en = (shared_data / "flores200-devtest" / "eng_Latn.txt").read_text(encoding="utf-8").splitlines()[:48]
    ar = (shared_data / "flores200-devtest" / "arb_Arab.txt").read_text(encoding="utf-8").splitlines()[:48]
    src = tmp_path / "in.tsv"
    src.write_text("".join(f"{a}\t{b}\n" for a, b in zip(en + en[:8], ar + ar[:8])), encoding="utf-8")

    def run(out, **kw):
        back = back_translator(str(tiny_models["marian-ar-en"]), src="ar", tgt="en", cache=None)
        return _run(src, out, chunk_size=8, back_translate=back, back_model_name="marian-ar-en", **kw).run()

    ref = run(tmp_path / "local", workers=1)
    got = run(tmp_path / "ray", ray="local", workers=2, shard_chunks=1)
    assert "roundtrip_chrf" in ref.summary["filters"]
    assert got.summary == ref.summary and _files(tmp_path / "ray") == _files(tmp_path / "local")
    scores = [json.loads(x)["scores"]["roundtrip_chrf"] for x in (tmp_path / "ray" / "d.jsonl").open()]
    assert len(set(scores)) > 5  # real, varied chrF of the tiny model's noise
    assert got.engine["shards"] == 7
    loads = got.engine["actors"]
    assert 1 <= len(loads) <= 2 and set(loads.values()) == {1}, loads  # one model load per actor


def test_cuda_gives_each_back_translation_actor_one_gpu(ray_cluster, tmp_path, monkeypatch):
    """No GPU here: the resources asked of Ray are checked, the pool is not run."""
    import ray.data

    from mtfix.corpus.ray_actors import RoundTripActor, actor_resources

    assert actor_resources("cuda") == {"num_gpus": 1, "num_cpus": 1}
    assert actor_resources("cpu") == actor_resources(None) == {"num_cpus": 1}
    asked = []
    real = ray.data.Dataset.map_batches

    class Stop(Exception):
        pass

    def spy(self, fn, *args, **kw):
        if fn is RoundTripActor:
            asked.append(kw)
            raise Stop
        return real(self, fn, *args, **kw)

    monkeypatch.setattr(ray.data.Dataset, "map_batches", spy)
    monkeypatch.setattr(ray, "cluster_resources", lambda: {"CPU": 2.0, "GPU": 3.0})
    src = tmp_path / "in.tsv"
    src.write_text("One.\tواحد.\n" * 50, encoding="utf-8")
    with pytest.raises(Stop):
        _run(src, tmp_path / "o", chunk_size=5, ray="local", shard_chunks=1, device="cuda",
             back_translate=lambda texts: list(texts)).run()
    assert asked[0]["num_gpus"] == 1 and asked[0]["concurrency"] == 3  # one actor per GPU


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["plain", "hf", "parquet", "chain"])
def test_every_input_format_is_read_as_shards_with_the_local_results(ray_cluster, noisy, kind, tmp_path):
    lines = [line for line in noisy.read_text(encoding="utf-8").splitlines()[:900] if line.count("\t") == 1]
    en, ar = zip(*(line.split("\t") for line in lines))
    if kind == "plain":
        (tmp_path / "c.en").write_text("\n".join(en) + "\n", encoding="utf-8")
        (tmp_path / "c.ar").write_text("\n".join(ar) + "\n", encoding="utf-8")
        paths = [tmp_path / "c.en", tmp_path / "c.ar"]
    elif kind == "hf":
        import datasets

        datasets.Dataset.from_dict({"en": list(en), "ar": list(ar)}).save_to_disk(str(tmp_path / "ds"))
        paths = [tmp_path / "ds"]
    elif kind == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.table({"en": list(en), "ar": list(ar)}), tmp_path / "c.parquet", row_group_size=64)
        paths = [tmp_path / "c.parquet"]
    else:
        (tmp_path / "a.tsv").write_text("\n".join(lines[:333]) + "\n", encoding="utf-8")
        (tmp_path / "b.tsv").write_text("\n".join(lines[333:]) + "\n", encoding="utf-8")
        paths = [tmp_path / "a.tsv", tmp_path / "b.tsv"]
    ref = _run(None, tmp_path / "local", source=open_bitext(paths), chunk_size=50, workers=1).run()
    got = _run(None, tmp_path / "ray", source=open_bitext(paths), chunk_size=50, ray="local", shard_chunks=2).run()
    assert got.summary == ref.summary and got.engine["shards"] == -(-len(lines) // 100) >= 8
    assert _files(tmp_path / "ray") == _files(tmp_path / "local")


def test_shards_need_ray(tmp_path, cli):
    src = tmp_path / "in.tsv"
    src.write_text("One.\tواحد.\n", encoding="utf-8")
    r = cli("corpus", "filter", src, "-o", tmp_path / "k.jsonl", "--shards")
    assert r.exit_code == 2 and r.stderr.strip() == (
        "error: --shards writes one part per shard of a Ray run: it needs --ray")
    r = cli("corpus", "filter", src, "-o", tmp_path / "k", "--shards", "--ray", "local")
    assert r.exit_code == 2 and "--shards writes .jsonl, .tsv or .parquet parts" in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.tsv"]


def test_without_ray_the_option_is_one_error_line(noisy, tmp_path):
    code = ("import sys; sys.modules['ray'] = None\n"  # as if Ray were not installed
            "from mtfix.cli.app import main\n"
            f"sys.argv = ['mtfix', 'corpus', 'filter', {str(noisy)!r}, '-o', 'k.jsonl', '--ray', 'local']\n"
            "main()\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        "error: --ray needs Ray, an optional extra: pip install 'mtfix[ray]' (or run without --ray: local "
        "worker processes)"]
    assert list(tmp_path.iterdir()) == []  # nothing written, no work dir


@pytest.mark.slow
def test_build_repairs_the_articles_on_actors_with_the_local_results(ray_cluster, tiny_models, seed_path, cli,
                                                                      tmp_path):
    import shutil

    arts = tmp_path / "articles"
    (arts / "sub").mkdir(parents=True)
    shutil.copy(seed_path, arts / "sub" / "seed.txt")
    shutil.copy(seed_path, arts / "again.txt")
    (arts / "english.md").write_text("This article is in English, not Arabic.\n", encoding="utf-8")
    common = ["-b", tiny_models["marian-ar-en"], "-f", tiny_models["marian-en-ar"], "--beam", "2", "--skip-bad",
              "--chunk-size", "7", "--no-cache"]
    for name, extra in (("local", ["--workers", "1"]), ("ray", ["--ray", "local", "--workers", "2"])):
        out = tmp_path / name
        out.mkdir()
        r = cli("corpus", "build", arts, "-o", out / "k.jsonl", "--dropped", out / "d.jsonl", *common, *extra)
        assert r.exit_code == 0, r.output
    for n in ("k.jsonl", "d.jsonl", "k.rejects.jsonl"):
        assert (tmp_path / "ray" / n).read_bytes() == (tmp_path / "local" / n).read_bytes(), n
    rows = [json.loads(x) for n in ("k.jsonl", "d.jsonl") for x in (tmp_path / "ray" / n).open(encoding="utf-8")]
    assert {Path(r["source"]).name for r in rows} == {"seed.txt", "again.txt"}


def test_a_parquet_input_gives_the_records_of_the_same_pairs_in_tsv(noisy, tmp_path):
    """The Parquet reader (what mtfix writes, row groups read one by one, resumable by row)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    lines = [line for line in noisy.read_text(encoding="utf-8").splitlines()[:300] if line.count("\t") == 1]
    en, ar = zip(*(line.split("\t") for line in lines))
    pq.write_table(pa.table({"en": list(en), "ar": list(ar)}), tmp_path / "in.parquet", row_group_size=70)
    (tmp_path / "in.tsv").write_text("".join(f"{a}\t{b}\n" for a, b in zip(en, ar)), encoding="utf-8")
    runs = {}
    for name in ("in.parquet", "in.tsv"):
        out = tmp_path / name.replace(".", "_")
        _run(None, out, source=open_bitext([tmp_path / name], order=("en", "ar")), chunk_size=50, workers=1).run()
        runs[name] = [{k: v for k, v in json.loads(x).items() if k != "source"}
                      for n in ("k.jsonl", "d.jsonl") for x in (out / n).open(encoding="utf-8")]
    assert runs["in.parquet"] == runs["in.tsv"] and len(runs["in.tsv"]) == len(lines)
    source = open_bitext([tmp_path / "in.parquet"])
    source.check()
    items = list(source.read())
    assert [i for i, _ in source.read(items[99][1])] == [i for i, _ in items[100:]]  # from a cursor
    assert source.count() == len(lines)


# ---------------------------------------------------------------- a real SIGKILL of the driver, mid-stage

#: the driver kills itself (SIGKILL) at its nth commit whose key starts with the prefix, before or after it
KILL_AT = r"""
import os, signal, sys
from pathlib import Path

sys.path.insert(0, sys.argv[1])
from mtfix.corpus.state import WorkDir
from test_corpus_ray import _run

prefix, nth, when, src, out, address, shards = sys.argv[2:9]
real, hits = WorkDir.save_state, []


def save_state(self, items):
    hit = any(k.startswith(prefix) for k in items)
    if hit:
        hits.append(1)
    if hit and len(hits) == int(nth) and when == "before":
        os.kill(os.getpid(), signal.SIGKILL)
    real(self, items)
    if hit and len(hits) == int(nth) and when == "after":
        os.kill(os.getpid(), signal.SIGKILL)


WorkDir.save_state = save_state
_run(Path(src), Path(out), ray=address, shard_chunks=1, shards=shards == "1").run()
"""

#: where each stage is killed: (the prefix of its commits, which one, before or after it is committed)
KILLS = {"plan": ("ray:plan:", 2, "after"), "score": ("ray:scored:", 3, "before"),
         "dedup": ("ray:dedup:0:", 1, "after"), "dedup-uncommitted": ("ray:dedup:0:", 1, "before"),
         "finish": ("ray:final:", 2, "before"), "parts": ("ray:part:", 3, "after"), "output": ("ray:out:", 1, "after"),
         "moved": ("ray:out:", 1, "before")}  # with --shards: the first folder moved into place, not yet recorded


@pytest.fixture(scope="module")
def part_of_noisy(noisy, tmp_path_factory):
    """The first 1,400 lines of the noise set (7 shards of 200) and the local runner's results on them."""
    d = tmp_path_factory.mktemp("part")
    src = d / "part.tsv"
    src.write_text("".join(noisy.read_text(encoding="utf-8").splitlines(keepends=True)[:1400]), encoding="utf-8")
    _run(src, d / "ref", workers=1).run()
    return src, d / "ref"


def _state(work: Path) -> dict:
    import sqlite3

    db = sqlite3.connect(str(work / "state.sqlite"))
    try:
        return {k: json.loads(v) for k, v in db.execute("SELECT k, v FROM state WHERE k LIKE 'ray:%'")}
    finally:
        db.close()


def _committed_files(work: Path, state: dict) -> dict:
    """Every file the state says is committed, with its modification time (a file made again changes it)."""
    names = [f"scored-{int(k.rsplit(':', 1)[1]):05d}.jsonl" for k in state if k.startswith("ray:scored:")]
    names += [f"{p}-{int(k.rsplit(':', 1)[1]):05d}.jsonl" for k in state if k.startswith("ray:final:")
              for p in ("kept", "dropped", "rejects")]
    names += [f for k, v in state.items() if k.startswith("ray:dedup:") and not k.endswith(":all") for f in v["files"]]
    times = {n: (work / "ray" / n).stat().st_mtime_ns for n in names}
    targets = {hashlib.blake2b(str(p.resolve()).encode(), digest_size=6).hexdigest(): p
               for p in (work.parent / n for n in ("k.jsonl", "k.parquet", "d.jsonl"))}
    for k in state:
        if k.startswith("ray:part:"):  # in the work dir, or in the output once it is in place
            _, _, tag, i = k.split(":")
            for folder in (work / "ray" / f"out-{tag}", targets[tag]):
                for p in folder.glob(f"part-{int(i):05d}.*") if folder.is_dir() else []:
                    times[f"{tag}/{p.name}"] = p.stat().st_mtime_ns
    return times


def _kill_then_resume(ray_cluster, part_of_noisy, tmp_path, stages, shards: bool) -> dict:
    src, ref = part_of_noisy
    out, work = tmp_path / "ray", tmp_path / "ray" / "k.jsonl.partial"
    address = ray_cluster.get_runtime_context().gcs_address
    tests = str(Path(__file__).parent)
    kept: dict = {}  # committed files and their times, from the kills before
    state: dict = {}
    for stage in stages:
        prefix, nth, when = KILLS[stage]
        r = subprocess.run([sys.executable, "-c", KILL_AT, tests, prefix, str(nth), when, str(src), str(out), address,
                            "1" if shards else "0"], capture_output=True, text=True, timeout=900)
        assert r.returncode == -9, (stage, r.returncode, r.stderr[-3000:])
        before, state = state, _state(work)
        hits = [k for k in state if k.startswith(prefix)]
        assert len(hits) == (nth if when == "after" else nth - 1), (stage, hits)
        assert all(state.get(k) == v for k, v in before.items()), stage  # nothing committed was undone
        files = _committed_files(work, state)
        assert {n: files.get(n) for n in kept} == kept, stage  # nor written again
        kept = files
        assert not (out / "k.jsonl").exists() or stage in ("output", "moved")
        if stage == "dedup":  # killed in the middle of the stage: some units (key ranges) committed, not all
            from mtfix.corpus.ray_dedup import unit_count

            committed = [v["unit"] for k, v in state.items() if k.startswith("ray:dedup:0:")]
            assert 0 < len(committed) < unit_count(1400), committed
    result = _run(src, out, ray="auto", shard_chunks=1, shards=shards).run()
    assert not work.exists()
    for name, t in kept.items():  # the parts committed before a kill: moved into place, not written again
        if "/" in name:
            tag, part = name.split("/")
            target = {hashlib.blake2b(str((out / n).resolve()).encode(), digest_size=6).hexdigest(): out / n
                      for n in ("k.jsonl", "k.parquet", "d.jsonl")}[tag]
            assert (target / part).stat().st_mtime_ns == t, name
    if shards:
        for name in ("k.jsonl", "k.parquet", "d.jsonl"):
            got = b"".join(p.read_bytes() for p in sorted((out / name).iterdir()))
            if name.endswith(".jsonl"):
                assert got == (ref / name).read_bytes(), name
        import pyarrow.parquet as pq

        assert pq.read_table(out / "k.parquet").to_pylist() == pq.read_table(ref / "k.parquet").to_pylist()
        summary = json.loads((out / "s.json").read_text(encoding="utf-8"))
        assert summary["summary"] == json.loads((ref / "s.json").read_text(encoding="utf-8"))["summary"]
    else:
        assert _files(out) == _files(ref)
    return {"engine": result.engine, "state": state, "result": result}


def test_a_driver_killed_in_the_dedup_and_output_stages_resumes_where_it_was(ray_cluster, part_of_noisy, tmp_path):
    """SIGKILL once the first block of dedup buckets is committed, then once the first output file is in
    place: the last run shuffles only the buckets not committed, leaves the written output alone, and
    ends with the local runner's bytes."""
    out = tmp_path / "ray"
    got = _kill_then_resume(ray_cluster, part_of_noisy, tmp_path, ["dedup", "output"], shards=False)
    engine, state = got["engine"], got["state"]
    assert engine["scored"] == 0 and engine["finished"] == 0 and engine.get("planned", 0) == 0
    assert engine["outputs_written"] == [str(out / "k.parquet"), str(out / "d.jsonl")]  # k.jsonl was written
    assert state[f"ray:out:{(out / 'k.jsonl').resolve()}"][0][1] == (out / "k.jsonl").stat().st_size


def test_a_driver_killed_after_moving_a_shards_folder_into_place_does_not_write_it_again(ray_cluster, part_of_noisy,
                                                                                        tmp_path):
    """--shards: SIGKILL after the first output folder was moved into place, before that was recorded:
    the same command finds the folder as it was moved (every part's size and time) and leaves it."""
    got = _kill_then_resume(ray_cluster, part_of_noisy, tmp_path, ["moved"], shards=True)
    engine, out = got["engine"], tmp_path / "ray"
    assert engine["parts_written"] == {str(out / "k.jsonl"): 0, str(out / "k.parquet"): 7, str(out / "d.jsonl"): 7}
    assert engine["outputs_written"] == [str(out / "k.parquet"), str(out / "d.jsonl")]


@pytest.mark.slow
def test_a_driver_killed_in_every_stage_resumes_where_it_was(ray_cluster, part_of_noisy, tmp_path):
    got = _kill_then_resume(ray_cluster, part_of_noisy, tmp_path,
                            ["plan", "score", "dedup-uncommitted", "dedup", "finish", "parts", "moved", "output"],
                            shards=True)
    engine = got["engine"]
    assert engine["scored"] == 0 and engine["finished"] == 0 and engine["dedup_blocks_kept"] >= 1
    assert engine["outputs_written"] == [str(tmp_path / "ray" / "k.parquet"), str(tmp_path / "ray" / "d.jsonl")]
    assert engine["parts_written"] == {str(tmp_path / "ray" / "k.parquet"): 7, str(tmp_path / "ray" / "d.jsonl"): 7}


# ---------------------------------------------------------------- Ctrl-C on a --ray driver

#: the CLI, its main thread stuck in C code (no Python signal handler can run there: like a driver
#: waiting inside Ray) from its first committed shard on
STUCK = r"""
import hashlib, sys
from mtfix.corpus.state import WorkDir
from mtfix.cli.app import main

real = WorkDir.save_state


def save_state(self, items):
    real(self, items)
    if any(k.startswith("ray:scored:") for k in items):
        hashlib.pbkdf2_hmac("sha256", b"stuck", b"in C", 2**31 - 1)  # minutes, the GIL released


WorkDir.save_state = save_state
sys.argv = ["mtfix", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize("driver", ["stuck", pytest.param("responsive", marks=pytest.mark.slow)])
def test_ctrl_c_stops_a_ray_run_and_the_same_command_continues_it(part_of_noisy, tmp_path, driver):
    """A real SIGINT to the process group, as a terminal's Ctrl-C sends it, once a shard is committed:
    exit 130, one line saying what was committed and how to go on, the local cluster mtfix started gone
    (every process that ran under the driver), and the same command then ends with the local bytes.
    ``stuck``: the main thread cannot take the signal (stuck in C code), the run ends all the same."""
    import signal
    import sqlite3

    pytest.importorskip("ray", reason="Ray is the optional extra mtfix[ray] (make test installs it)")
    import psutil  # Ray's own copy (ray/thirdparty_files), on the path once Ray is imported

    src, _ = part_of_noisy
    ref = _run(src, tmp_path / "ref", chunk_size=20, workers=1).run()
    out = tmp_path / "ray"
    out.mkdir()
    args = ["corpus", "filter", str(src), "-o", "k.jsonl", "-o", "k.parquet", "--dropped", "d.jsonl", "--summary",
            "s.json", "--order", "en,ar", "--chunk-size", "20", "--ray", "local", "--workers", "2"]
    start = [sys.executable, "-c", STUCK] if driver == "stuck" else [sys.executable, "-m", "mtfix"]
    proc = subprocess.Popen([*start, *args], cwd=out, stderr=subprocess.PIPE, text=True, start_new_session=True)
    state = out / "k.jsonl.partial" / "state.sqlite"
    scored = 0
    while not scored and proc.poll() is None:
        try:
            db = sqlite3.connect(f"file:{state}?mode=ro", uri=True, timeout=1)
            scored = db.execute("SELECT count(*) FROM state WHERE k LIKE 'ray:scored:%'").fetchone()[0]
            db.close()
        except sqlite3.Error:
            pass
    assert proc.poll() is None, proc.stderr.read()
    under = psutil.Process(proc.pid).children(recursive=True)
    assert any("raylet" in " ".join(p.cmdline()) for p in under if p.is_running())
    os.killpg(proc.pid, signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=300)  # not a speed test: minutes mean it did not stop
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    lines = err.strip().splitlines()
    assert proc.returncode == 130 and len(lines) == 1, err
    assert re.fullmatch(r"interrupted; committed: 7 shards planned, [1-7] of 7 scored.*; what is done is kept in "
                        r"k\.jsonl\.partial: run the same command again to continue", lines[0]), lines
    _, alive = psutil.wait_procs(under, timeout=60)
    assert not alive, [(p.pid, p.name()) for p in alive]
    assert not (out / "k.jsonl").exists() and (out / "k.jsonl.partial").is_dir()
    r = subprocess.run([sys.executable, "-m", "mtfix", *args], cwd=out, capture_output=True, text=True,
                       timeout=900)
    assert r.returncode == 0 and "resumed after" in r.stderr, r.stderr
    assert json.loads((out / "s.json").read_text(encoding="utf-8"))["summary"] == ref.summary
    for name in ("k.jsonl", "k.parquet", "d.jsonl"):
        assert (out / name).read_bytes() == (tmp_path / "ref" / name).read_bytes(), name


#: the CLI with one chunk per Ray shard, the driver killed (SIGKILL) right after its nth shard is planned
BUILD_KILL_AT = r"""
import os, signal, sys
import mtfix.corpus.ray_read as ray_read
from mtfix.corpus.state import WorkDir
from mtfix.cli.app import main

ray_read.SHARD_CHUNKS = 1
nth, hits, real = int(sys.argv[1]), [], WorkDir.save_state


def save_state(self, items):
    real(self, items)
    hits.extend(k for k in items if k.startswith("ray:plan:"))
    if len(hits) == nth:
        os.kill(os.getpid(), signal.SIGKILL)


WorkDir.save_state = save_state
sys.argv = ["mtfix", *sys.argv[2:]]
main()
"""


@pytest.mark.slow
def test_build_killed_while_repairing_goes_on_from_the_article_it_was_in(tiny_models, seed_path, tmp_path):
    """``corpus build`` on Ray: the driver killed after the second shard of repaired pairs is planned
    (the articles are repaired on actors as the plan goes); the same command repairs from the sentence
    after that shard's last one and ends with the local runner's bytes."""
    import shutil

    pytest.importorskip("ray", reason="Ray is the optional extra mtfix[ray] (make test installs it)")
    arts = tmp_path / "articles"
    arts.mkdir()
    shutil.copy(seed_path, arts / "a.txt")
    shutil.copy(seed_path, arts / "b.txt")
    common = ["-b", str(tiny_models["marian-ar-en"]), "-f", str(tiny_models["marian-en-ar"]), "--beam", "2",
              "--skip-bad", "--chunk-size", "5", "--no-cache", "--dropped", "d.jsonl", "-q"]
    for name in ("local", "ray"):
        (tmp_path / name).mkdir()
    local = subprocess.run([sys.executable, "-m", "mtfix", "corpus", "build", str(arts), "-o", "k.jsonl", *common,
                            "--workers", "1"], cwd=tmp_path / "local", capture_output=True, text=True, timeout=900)
    assert local.returncode == 0, local.stderr
    ray_args = ["corpus", "build", str(arts), "-o", "k.jsonl", *common, "--ray", "local", "--workers", "2"]
    r = subprocess.run([sys.executable, "-c", BUILD_KILL_AT, "2", *ray_args], cwd=tmp_path / "ray",
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == -9, r.stderr[-3000:]
    state = _state(tmp_path / "ray" / "k.jsonl.partial")
    plan = sorted(k for k in state if k.startswith("ray:plan:"))
    assert len(plan) == 2 and "ray:planned" not in state
    assert state[plan[-1]]["end"] == {"doc": 0, "segment": 10}  # the first article, after its 10th pair
    r = subprocess.run([sys.executable, "-c", BUILD_KILL_AT, "-1", *ray_args], cwd=tmp_path / "ray",
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    for n in ("k.jsonl", "d.jsonl", "k.rejects.jsonl"):
        assert (tmp_path / "ray" / n).read_bytes() == (tmp_path / "local" / n).read_bytes(), n


def test_parts_made_in_the_work_dir_reach_an_output_on_another_file_system(tmp_path, monkeypatch):
    """``install_dir``: the folder of parts is renamed into place, or copied when the rename crosses
    file systems (EXDEV), an earlier output replaced, nothing temporary left."""
    import errno

    from conftest import leftovers
    from mtfix.outputs import install_dir

    out = tmp_path / "o" / "k.jsonl"
    out.mkdir(parents=True)
    (out / "part-00009.jsonl").write_text("an earlier run's\n", encoding="utf-8")
    real = os.replace
    for cross in (False, True):
        src = tmp_path / "w" / f"staged-{cross}"
        src.mkdir(parents=True)
        (src / "part-00000.jsonl").write_text(f"{cross}\n", encoding="utf-8")

        def rename(a, b, src=src, cross=cross):
            if cross and Path(a) == src:
                raise OSError(errno.EXDEV, "Invalid cross-device link")
            return real(a, b)

        monkeypatch.setattr(os, "replace", rename)
        install_dir(src, out)
        assert sorted(p.name for p in out.iterdir()) == ["part-00000.jsonl"]
        assert (out / "part-00000.jsonl").read_text(encoding="utf-8") == f"{cross}\n"
        assert not src.exists() and leftovers(out.parent) == []


def test_dedup_by_key_ranges_gives_the_local_verdicts_with_two_dedup_filters(tmp_path):
    """The dedup of a Ray run (keys files per shard, key ranges judged apart: no Ray needed to check
    it) against the local filters walking the pairs in order: exact and normalised duplicates across
    shards, first occurrences dropped by another filter, a second dedup filter seeing the first's
    verdicts; the same reasons whatever the number of key ranges."""
    import random

    from mtfix.corpus.filters import DedupFilter
    from mtfix.corpus.ray_dedup import dedup_unit, load_verdicts, write_keys
    from mtfix.corpus.records import Pair

    rng = random.Random(7)
    base = [(f"Report {i} came out.", f"صدر التقرير {i}.") for i in range(40)]
    variants = [lambda s, t: (s, t), lambda s, t: (s.upper() + " ", t.replace("التقرير", "التقـرير")),
                lambda s, t: (s, t + "!"), lambda s, t: ("Other text.", t)]
    pairs = []
    for i in range(300):
        s, t = rng.choice(base)
        pairs.append(Pair(*rng.choice(variants)(s, t)))
        pairs[-1].id = i
    ok = [rng.random() > 0.3 for _ in pairs]
    filters = [DedupFilter("dedup"), DedupFilter("dedup_src", on="src", normalize="none")]
    passed, local = list(ok), []
    for f in filters:  # as the pipeline judges them: a pair is remembered once it passed everything before
        scores = f.score(pairs, register=passed)
        local.append({p.id: s.reason for p, s in zip(pairs, scores) if s.value < 1})
        passed = [a and s.value >= 1 for a, s in zip(passed, scores)]
    assert len(local[0]) > 100 and len(local[1]) > 10
    assert {r.split()[0] for r in local[0].values()} == {"exact", "normalised"}
    shards = [0, 1, 2]
    for units in (2, 5):
        work = tmp_path / f"u{units}"
        work.mkdir()
        for shard in shards:
            part = [(p, a) for p, a in zip(pairs, ok) if p.id % 3 == shard]  # shards interleave: ids far apart
            entries = [{"id": p.id, "f": [] if a else ["length"],
                        "k": {f.name: [[kind, key.hex()] for kind, key in f.keys(p)] for f in filters}}
                       for p, a in part]
            write_keys(work, shard, [f.name for f in filters], entries)
        for j in range(len(filters)):
            done = [dedup_unit(work, j, shards, u, units) for u in range(units)]
            assert sum(d["dups"] for d in done) == len(local[j])
            got = {i: f"{kind} duplicate of #{of}" for s in shards for i, (of, kind) in load_verdicts(work, j, s).items()}
            assert got == local[j], (units, j)


@pytest.mark.parametrize("damage", ["scored", "keys"])
def test_a_damaged_ray_work_dir_is_one_line_naming_it(ray_cluster, noisy, tmp_path, monkeypatch, damage):
    """A committed shard file cut short (``scored-00000.jsonl``, ``keys-0-00000.npy``) was Ray Data's ERROR
    lines and a ValueError traceback (or, cut at a line's end, fewer records): one line, the work dir kept."""
    src = _part_of_the_noise_set(noisy, tmp_path)
    _a_ray_run_failing_on_the_fourth_shard(src, tmp_path, monkeypatch)
    work = tmp_path / "ray" / "k.jsonl.partial"
    path = sorted((work / "ray").glob("scored-*.jsonl" if damage == "scored" else "keys-0-*.npy"))[0]
    os.truncate(path, path.stat().st_size // 2)
    with pytest.raises(MtfixError, match=rf"^the work dir .*k\.jsonl\.partial is damaged \({path.name}: .*\); "
                                         r"pass --restart to start over$"):
        _run(src, tmp_path / "ray", ray="local", shard_chunks=1).run()
    assert work.is_dir()
