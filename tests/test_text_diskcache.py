"""Tables mtfix derives once and keeps on disk (mtfix.text.diskcache), and the lexicon cache's
clean-up of the files it made for older code."""

import os

import numpy as np
import pytest

from mtfix.text import diskcache


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "mtfix"


def _source(tmp_path, text="X = 1\n"):
    src = tmp_path / "definitions.py"
    src.write_text(text)
    return src


def test_a_table_is_built_once_then_read_and_a_damaged_file_is_built_again(tmp_path, cache):
    src = _source(tmp_path)
    calls = []

    def build():
        calls.append(1)
        return [np.arange(10, dtype=np.uint16), np.array([[1, 2], [3, 4]], np.int64)]

    first = diskcache.cached_arrays("demo", [src], build, key="k")
    (path,) = cache.glob("demo-*.npy")
    again = diskcache.cached_arrays("demo", [src], build, key="k")
    assert len(calls) == 1
    assert [a.tolist() for a in again] == [a.tolist() for a in first] and again[0].dtype == np.uint16
    for damage in (b"", b"\x02\x00\x00\x00garbage", path.read_bytes()[:-3], path.read_bytes() + b"extra"):
        path.write_bytes(damage)
        assert [a.tolist() for a in diskcache.cached_arrays("demo", [src], build, key="k")] == \
            [a.tolist() for a in first]
    assert len(calls) == 5 and len(list(cache.glob("demo-*.npy"))) == 1
    assert not [p for p in cache.iterdir() if p.suffix == ".tmp"]


def test_changed_code_or_key_makes_a_new_file_and_removes_only_the_older_one_of_that_kind(tmp_path, cache):
    src = _source(tmp_path)
    diskcache.cached_arrays("demo", [src], lambda: [np.zeros(3)])
    (old,) = cache.glob("demo-*.npy")
    _age(old)
    # neighbours that are not this table's: another kind, a name that only looks alike, a user's file
    keep = [cache / "demo2-0123456789abcdef01234567.npy", cache / "demo-0123456789abcdef0123456.npy",
            cache / "demo-notes.npy", cache / "translations.sqlite", cache / "lexicon-0123456789abcdef01234567.marshal"]
    for p in keep:
        p.write_bytes(b"x")
        _age(p)
    _source(tmp_path, "X = 2\n")  # the code the table is derived from changed
    got = diskcache.cached_arrays("demo", [src], lambda: [np.ones(3)])
    assert got[0].tolist() == [1, 1, 1]
    (new,) = [p for p in cache.glob("demo-*.npy") if p not in keep]
    assert new != old and not old.exists() and all(p.exists() for p in keep)
    # another key (or another mtfix sharing the cache) writes its file: one made within the hour stays,
    # so two versions that alternate do not remove each other's file on every run
    diskcache.cached_arrays("demo", [src], lambda: [np.full(3, 7)], key="other")
    assert new.exists() and len([p for p in cache.glob("demo-*.npy") if p not in keep]) == 2
    _age(new)
    diskcache.cached_arrays("demo", [src], lambda: [np.full(3, 8)], key="third")
    assert not new.exists() and len([p for p in cache.glob("demo-*.npy") if p not in keep]) == 2
    assert all(p.exists() for p in keep)


def _age(path, seconds=2 * 3600):
    """``path`` as if written ``seconds`` ago."""
    import time

    then = time.time() - seconds
    os.utime(path, (then, then))


def test_an_unwritable_cache_only_means_building_again(tmp_path, monkeypatch):
    src = _source(tmp_path)
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))
    assert diskcache.cached_arrays("demo", [src], lambda: [np.arange(4)])[0].tolist() == [0, 1, 2, 3]
    if os.geteuid() != 0:  # root writes anywhere
        ro = tmp_path / "ro"
        (ro / "mtfix").mkdir(parents=True)
        ro.chmod(0o500)
        (ro / "mtfix").chmod(0o500)
        monkeypatch.setenv("XDG_CACHE_HOME", str(ro))
        assert diskcache.cached_arrays("demo", [src], lambda: [np.arange(2)])[0].tolist() == [0, 1]
        assert not list((ro / "mtfix").iterdir())


def test_the_tables_read_from_the_cache_equal_the_derived_ones(cache):
    """charclass, the dedup key table and the column scan's tables, read back from the disk."""
    from mtfix.corpus import sides
    from mtfix.text import charclass, columns
    from mtfix.text.normalize import get_profile

    charclass._init()
    derived = charclass._plane()[0]
    charclass._TABLE.clear()
    charclass._init()  # from the file the first call wrote (or found)
    assert list(cache.glob("charclass-*.npy")) and (charclass._TABLE[0] == derived).all()
    columns._tables.cache_clear()
    got = columns._tables()
    assert list(cache.glob("columns-*.npy"))
    assert all((a == b).all() and a.dtype == b.dtype for a, b in zip(got, columns._derive_tables()))
    sides._KEY_TABLES.clear()
    profile = get_profile("arabic")
    table, single = sides._key_table(profile)
    assert list(cache.glob("dedupkeys-arabic-*.npy"))
    sides._KEY_TABLES.clear()
    again = sides._key_table(profile)
    assert (again[0] == table).all() and (again[1] == single).all()
    assert table[ord("أ")] == ord("ا") and table[ord("A")] == ord("a") and not single[ord("ß")]


def test_a_new_lexicon_cache_file_removes_the_older_ones_of_the_same_lexicon_only(tmp_path, cache):
    import mtfix.text.lexicon as lx

    def lexicon(source):
        lex = lx.Lexicon(source=source)
        lex.add("كتاب", "book")
        return lex

    cache.mkdir(parents=True)
    older = [cache / f"lexicon-{k * 24}.marshal" for k in "ab"]  # two older versions of this one
    lx._write_cached(older[0], lexicon("/usr/share/dictd (freedict-ara-eng)"))
    older[1].write_bytes(older[0].read_bytes())
    recent = cache / f"lexicon-{'f' * 24}.marshal"  # another mtfix's, written within the hour
    recent.write_bytes(older[0].read_bytes())
    for p in older:
        _age(p)
    other = cache / f"lexicon-{'c' * 24}.marshal"
    lx._write_cached(other, lexicon("/elsewhere (freedict-ara-eng)"))  # another dictionary folder
    assert all(p.exists() for p in older)
    unrelated = [cache / f"lexicon-{'d' * 24}.marshal", cache / "lexicon-notes.marshal", cache / "translations.sqlite"]
    for p in unrelated:
        p.write_bytes(b"not a lexicon")
        _age(p)
    _age(other)
    new = cache / f"lexicon-{'e' * 24}.marshal"
    lx._write_cached(new, lexicon("/usr/share/dictd (freedict-ara-eng)"))
    assert new.exists() and not any(p.exists() for p in older)
    assert other.exists() and all(p.exists() for p in unrelated) and recent.exists()
    assert lx._read_cached(new).ar_en == lexicon("x").ar_en


def test_a_lexicon_cache_that_cannot_be_written_leaves_everything_as_it_was(tmp_path):
    import mtfix.text.lexicon as lx

    (tmp_path / "file").write_text("not a folder")
    lex = lx.Lexicon(source="s")
    lex.add("كتاب", "book")
    lx._write_cached(tmp_path / "file" / f"lexicon-{'a' * 24}.marshal", lex)  # no error
    assert (tmp_path / "file").read_text() == "not a folder"


def test_a_corpus_run_reads_its_tables_and_leaves_heavy_modules_unloaded(tmp_path):
    """A second `corpus filter` process derives no table (each read from the disk cache) and
    loads neither sacrebleu (its version is read from its version module), pyarrow.compute (the
    kernels are called directly) nor numpy.ma; the signature still names sacrebleu's version."""
    import json
    import subprocess
    import sys

    import sacrebleu

    from conftest import REPO

    (tmp_path / "in.tsv").write_text("The 3 cats “sleep”.\tالقطط الثلاث 3 تنام.\nA dog.\tكلب.\n", encoding="utf-8")
    code = ("import sys\n"
            "from mtfix.text import charclass, columns\n"
            "from mtfix.corpus import sides\n"
            "def fail(*a): raise SystemExit('derived again: ' + repr(a))\n"
            "if sys.argv[1] == 'second':\n"
            "    charclass._plane = columns._derive_tables = fail\n"
            "from mtfix.cli.app import main\n"
            "try:\n"
            "    main(['corpus', 'filter', 'in.tsv', '-o', 'out.jsonl', '--restart', '-q', '--workers', '1',\n"
            "          '--pipeline', 'p.toml'])\n"
            "except SystemExit as e:\n"
            "    if e.code: raise\n"
            "print(sorted(m for m in ('sacrebleu', 'pyarrow.compute', 'numpy.ma') if m in sys.modules))\n")
    (tmp_path / "p.toml").write_text("[filters.align]\ndictionary = \"none\"\n", encoding="utf-8")
    env = {**__import__("os").environ, "PYTHONPATH": str(REPO), "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    for run in ("first", "second"):
        out = subprocess.run([sys.executable, "-c", code, run], cwd=tmp_path, env=env, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip().splitlines()[-1] == "[]"
    names = {p.name.split("-")[0] for p in (tmp_path / "xdg" / "mtfix").iterdir()}
    assert {"charclass", "columns", "dedupkeys"} <= names
    summary = json.loads((tmp_path / "out.summary.json").read_text(encoding="utf-8"))
    assert summary["signature"]["sacrebleu"] == sacrebleu.__version__


def test_every_mtfix_cache_folder_follows_xdg_cache_home(tmp_path, monkeypatch):
    """The models dir of an installed package ignored $XDG_CACHE_HOME (the translation cache and the
    derived tables honoured it): one rule for every cache folder now, a relative value ignored as the
    XDG spec asks (it would make a new cache in every working folder)."""
    from mtfix.engine import registry
    from mtfix.engine.cache import default_cache_path

    monkeypatch.delenv("MTFIX_MODELS_DIR", raising=False)
    monkeypatch.setattr(registry, "BUILTIN_PRESETS", tmp_path / "not-a-checkout")  # an installed package
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert registry.default_models_dir() == tmp_path / "xdg" / "mtfix" / "models"
    assert default_cache_path() == tmp_path / "xdg" / "mtfix" / "translations.sqlite"
    assert diskcache.cache_dir() == tmp_path / "xdg" / "mtfix"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for unset in ("", "relative/cache"):
        monkeypatch.setenv("XDG_CACHE_HOME", unset)
        assert registry.default_models_dir() == tmp_path / "home" / ".cache" / "mtfix" / "models"
        assert default_cache_path().parent == diskcache.cache_dir() == tmp_path / "home" / ".cache" / "mtfix"
