"""Issue 13: no lost data, no traceback. Every fault ends with one line `error: ...`,
exit code 2, nothing half-written, no input, cache or user folder touched."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import assert_one_line_error, leftovers

AR = "هو لا يزال يشكل تهديدا للسكان.\nتحليل بي بي سي العربية للأحداث.\n"


@pytest.fixture()
def ar_file(tmp_path):
    p = tmp_path / "in.ar"
    p.write_text(AR, encoding="utf-8")
    return p


def _translate(cli, tiny_models, src, *args):
    return cli("translate", src, "--model", tiny_models["marian-ar-en"], "--src", "ar", "--tgt", "en",
               "--backend", "transformers", "--beam", "1", *args)


@pytest.fixture()
def small_fs(tmp_path):
    """``mount(size, ro=False)`` -> a fresh tmpfs folder (root only; skipped where mounts are not allowed)."""
    mounted = []

    def mount(size: str, ro: bool = False) -> Path:
        d = tmp_path / f"mnt{len(mounted)}"
        d.mkdir()
        opts = f"size={size}" + (",ro" if ro else "")
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(d)], capture_output=True, text=True)
        if r.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here ({r.stderr.strip() or 'not root'}); "
                        f"the injected-error tests cover the same paths")
        mounted.append(d)
        return d

    yield mount
    for d in reversed(mounted):
        subprocess.run(["umount", "-l", str(d)], capture_output=True)


def _fill(folder: Path, leave: int) -> None:
    """Fill ``folder``'s file system until about ``leave`` bytes are free."""
    st = os.statvfs(folder)
    free = st.f_bavail * st.f_frsize
    with open(folder / "filler", "wb") as f:
        try:
            f.write(b"\0" * max(0, free - leave))
        except OSError:
            pass


# ------------------------------------------------------------------ item 1: the work dir

def _bitext(tmp_path) -> Path:
    p = tmp_path / "in.tsv"
    p.write_text("en\tar\nThe cat sleeps.\tالقط ينام.\nA dog runs fast.\tكلب يركض بسرعة.\n", encoding="utf-8")
    return p


def test_work_dir_holding_user_files_is_refused_and_kept(cli, tmp_path):
    mine = tmp_path / "mydir"
    mine.mkdir()
    (mine / "notes.txt").write_text("precious", encoding="utf-8")
    r = cli("corpus", "filter", _bitext(tmp_path), "-o", tmp_path / "o.jsonl", "--work-dir", mine, "-q")
    assert_one_line_error(r, "holds other files", not_written=[tmp_path / "o.jsonl"])
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "precious"


@pytest.mark.parametrize("work, words", [("o.jsonl", "is --out"), ("o.summary.json", "is --summary"),
                                         ("ds/w", "is inside --out"), ("in.tsv", "is an input")])
def test_a_work_dir_at_an_output_or_an_input_is_refused_before_any_work(cli, tmp_path, work, words):
    """--work-dir at the default summary's path made the folder, wrote o.jsonl, then failed on the summary:
    an output written without the others and a folder left behind. Now refused before any work."""
    src = _bitext(tmp_path)
    r = cli("corpus", "filter", src, "-o", tmp_path / "o.jsonl", "-o", tmp_path / "ds", "--work-dir", tmp_path / work)
    assert_one_line_error(r, f"--work-dir {tmp_path / work} {words}", not_written=[tmp_path / "o.jsonl"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.tsv"]


def test_an_empty_work_dir_given_is_used_and_kept_a_new_one_is_removed(cli, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    r = cli("corpus", "filter", _bitext(tmp_path), "-o", tmp_path / "o.jsonl", "--work-dir", empty, "-q")
    assert r.exit_code == 0, r.output
    assert empty.is_dir() and list(empty.iterdir()) == []  # not ours to delete: emptied, kept
    (tmp_path / "new").mkdir()
    new = tmp_path / "new" / "wd"
    r = cli("corpus", "filter", _bitext(tmp_path), "-o", tmp_path / "o2.jsonl", "--work-dir", new, "-q")
    assert r.exit_code == 0, r.output
    assert not new.exists() and (tmp_path / "new").is_dir()  # only the folder mtfix made goes


# ------------------------------------------------------------------ folders mtfix makes: the one named, not above it

NAMED_FOLDERS = {  # option -> arguments that give it PATH (a place mtfix makes when it needs it)
    "--models-dir": ["models", "list", "--models-dir", "PATH"],
    "--models-dir (translate)": ["translate", "IN", "--src", "ar", "--tgt", "en", "--models-dir", "PATH"],
    "--models-dir (repair)": ["repair", "IN", "--models-dir", "PATH", "--no-cache"],
    "--models-dir (pull)": ["models", "pull", "opus-mt-ar-en", "--to-models-dir", "--models-dir", "PATH"],
    "$MTFIX_MODELS_DIR": ["models", "list"],
    "--cache": ["translate", "IN", "--src", "ar", "--tgt", "en", "--cache", "PATH/c.sqlite"],
    "--cache (repair)": ["repair", "IN", "--cache", "PATH/c.sqlite"],
    "--work-dir": ["corpus", "filter", "TSV", "-o", "OUT", "--work-dir", "PATH"],
    "--out (models convert)": ["models", "convert", "TINY", "--out", "PATH"],
}


@pytest.mark.parametrize("option", NAMED_FOLDERS)
def test_a_named_folder_is_made_but_never_the_missing_folders_above_it(cli, ar_file, tmp_path, monkeypatch, option,
                                                                         tiny_models):
    """``--models-dir /missing/deep/path`` made the whole chain at the first conversion: a typo started a new,
    empty models folder (no presets, no models) in a new tree. mtfix makes the folder (or cache file) it is
    given, as ``mkdir`` does, not the folders above it (``mkdir -p``): one line naming the missing folder,
    before any work, nothing made. The defaults in $XDG_CACHE_HOME/mtfix are made whole, as caches are."""
    deep = tmp_path / "missing" / "deep" / "path"
    files = {"IN": ar_file, "TSV": _bitext(tmp_path), "OUT": tmp_path / "o.jsonl",
             "TINY": tiny_models["marian-ar-en"], "PATH": deep}
    args = [str(files.get(a, a)).replace("PATH", str(deep)) for a in NAMED_FOLDERS[option]]
    if option.startswith("$"):
        monkeypatch.setenv("MTFIX_MODELS_DIR", str(deep))
    before = sorted(p.name for p in tmp_path.iterdir())
    option = option.split(" (")[0]
    line = assert_one_line_error(cli(*args), f"{option} {deep}", f"folder {deep.parent if option != '--cache' else deep} "
                                 "does not exist", f"mkdir -p {deep.parent if option != '--cache' else deep}",
                                 not_written=[tmp_path / "o.jsonl"])
    assert "not the folders above it" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing made


def test_a_models_dir_is_made_when_its_parent_exists_and_may_not_be_a_file(cli, tiny_models, ar_file, tmp_path):
    models = tmp_path / "models"  # the folder above exists: made at the first conversion, as before
    r = cli("models", "convert", tiny_models["marian-ar-en"], "--models-dir", models)
    assert r.exit_code == 0, r.output
    assert [p.name.endswith("-ct2-int8") for p in models.iterdir()] == [True]
    assert_one_line_error(cli("models", "list", "--models-dir", ar_file), f"--models-dir {ar_file}: is a file")


def test_a_full_disk_at_the_final_corpus_writes_keeps_the_work_for_a_rerun(cli, tmp_path, monkeypatch):
    import mtfix.outputs

    tsv, out, hf = _bitext(tmp_path), tmp_path / "o.jsonl", tmp_path / "o_hf"
    real = mtfix.outputs.os.replace

    def full(a, b):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(mtfix.outputs.os, "replace", full)
    r = cli("corpus", "filter", tsv, "-o", out, "-o", hf, "-q")
    assert_one_line_error(r, "no space left", not_written=[out, hf])
    assert (tmp_path / "o.jsonl.partial" / "state.sqlite").exists()  # the work is kept
    monkeypatch.setattr(mtfix.outputs.os, "replace", real)
    r = cli("corpus", "filter", tsv, "-o", out, "-o", hf, "-q")
    assert r.exit_code == 0, r.output
    assert out.is_file() and hf.is_dir() and not (tmp_path / "o.jsonl.partial").exists()
    assert leftovers(tmp_path) == []


def test_restart_never_deletes_a_user_folder(cli, tmp_path):
    out = tmp_path / "o.jsonl"
    partial = tmp_path / "o.jsonl.partial"
    partial.mkdir()
    (partial / "keep.me").write_text("x", encoding="utf-8")
    r = cli("corpus", "filter", _bitext(tmp_path), "-o", out, "--restart", "-q")
    assert_one_line_error(r, "holds other files", not_written=[out])
    assert (partial / "keep.me").exists()


# ------------------------------------------------------------------ item 2 and output planning

def _candidates(tmp_path) -> list[Path]:
    """Three line-aligned candidate files for `mtfix select` (no model needed: fast)."""
    paths = []
    for k, text in enumerate(("القط ينام على السرير.\nالكلب يركض.\n", "القط نائم على السرير.\nالكلب يجري.\n",
                              "قطة تنام فوق السرير.\nكلب يركض بسرعة.\n")):
        paths.append(tmp_path / f"cand{k}.ar")
        paths[-1].write_text(text, encoding="utf-8")
    return paths


def _make_cache(path: Path) -> None:
    from mtfix.engine.base import Hypothesis
    from mtfix.engine.cache import TranslationCache

    cache = TranslationCache(path)
    cache.put_many("m", "{}", {"a": [Hypothesis(text="b", score=0.0, tokens=1)]})
    cache.close()


def test_output_that_is_the_cache_is_refused(cli, tiny_models, ar_file, tmp_path):
    cache = tmp_path / "c.sqlite"
    _make_cache(cache)
    before = cache.read_bytes()
    r = _translate(cli, tiny_models, ar_file, "--cache", cache, "-o", cache)
    assert_one_line_error(r, "is the translation cache", unchanged={cache: before})
    r = cli("repair", ar_file, "--cache", cache, "--report", cache)
    assert_one_line_error(r, "is the translation cache", unchanged={cache: before})


def test_a_cache_that_is_an_input_or_not_a_cache_is_refused_and_kept(cli, tiny_models, ar_file, tmp_path):
    before = ar_file.read_bytes()
    r = _translate(cli, tiny_models, ar_file, "--cache", ar_file, "-o", tmp_path / "o.en")
    assert_one_line_error(r, "is also an input", not_written=[tmp_path / "o.en"], unchanged={ar_file: before})
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes, not a database\n" * 50, encoding="utf-8")
    r = _translate(cli, tiny_models, ar_file, "--cache", notes, "-o", tmp_path / "o.en")
    line = assert_one_line_error(r, "not a translation cache", not_written=[tmp_path / "o.en"],
                                 unchanged={notes: notes.read_bytes()})
    assert "delete" not in line


def test_output_planning_rules_each_have_one_message(cli, tiny_models, ar_file, tmp_path):
    link = tmp_path / "link.txt"
    link.symlink_to(ar_file)
    before = ar_file.read_bytes()
    assert_one_line_error(_translate(cli, tiny_models, ar_file, "-o", link), "is also an input",
                          unchanged={ar_file: before})
    assert_one_line_error(_translate(cli, tiny_models, ar_file, "-o", tmp_path / "nope" / "o.txt"), "does not exist")
    assert_one_line_error(_translate(cli, tiny_models, ar_file, "-o", tmp_path), "is a folder")
    r = cli("repair", ar_file, "--out", tmp_path / "a.txt", "--html", tmp_path / "a.txt")
    assert_one_line_error(r, "--out and --html both write", not_written=[tmp_path / "a.txt"])


def test_a_device_output_is_written_into_never_replaced(cli, tmp_path):
    """`--out /dev/null` (or /dev/stdout, a FIFO) is written straight in: replacing it with a
    renamed file would destroy the device node (mtfix often runs as root in containers)."""
    r = cli("select", "--candidates", *_candidates(tmp_path), "--out", "/dev/null", "--report", tmp_path / "r.json",
            "-q")
    assert r.exit_code == 0, r.output
    assert Path("/dev/null").is_char_device() and (tmp_path / "r.json").is_file()
    assert [p for p in Path("/dev").iterdir() if p.name.startswith(".null.")] == []
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE, text=True)
    r = cli("select", "--candidates", *_candidates(tmp_path), "--out", fifo, "-q")
    assert r.exit_code == 0, r.output
    assert reader.communicate(timeout=60)[0].count("\n") == 2 and fifo.is_fifo()


def test_a_symlinked_output_is_written_through(cli, tmp_path):
    real = tmp_path / "real.ar"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "out.ar"
    link.symlink_to(real)
    r = cli("select", "--candidates", *_candidates(tmp_path), "--out", link, "-q")
    assert r.exit_code == 0, r.output
    assert link.is_symlink() and real.read_text(encoding="utf-8") != "old\n"
    assert leftovers(tmp_path) == []


# ------------------------------------------------------------------ items 3 and 4: read-only, full disk

def test_read_only_output_folder_fails_before_any_work(cli, tiny_models, ar_file, small_fs, monkeypatch):
    ro = small_fs("1m", ro=True)
    import mtfix.engine

    monkeypatch.setattr(mtfix.engine, "open_translator",
                        lambda *a, **k: pytest.fail("a model was opened although the output cannot be written"))
    r = _translate(cli, tiny_models, ar_file, "-o", ro / "o.en")
    assert_one_line_error(r, "read-only")
    r = cli("select", "--candidates", ar_file, ar_file, "--out", ro / "o.ar")
    assert_one_line_error(r, "read-only")


def test_full_disk_leaves_nothing(cli, shared_data, flores_subset, small_fs):
    full = small_fs("2m")
    _fill(full, 16 * 1024)
    sys1, sys2 = flores_subset["systems"].values()
    r = cli("evaluate", "--ref", flores_subset["en"], "--sys", f"a={sys1}", "--sys", f"b={sys2}", "--paired", "none",
            "--json", full / "o.json", "--html", full / "o.html", "-q")
    assert_one_line_error(r, "no space left", not_written=[full / "o.json", full / "o.html"])


def test_a_write_failing_half_way_leaves_no_output(cli, flores_subset, tmp_path, monkeypatch):
    """ENOSPC injected at the second file: the first is not left behind either (all or nothing)."""
    import mtfix.outputs

    calls = []
    real = os.fsync

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd)

    monkeypatch.setattr(mtfix.outputs.os, "fsync", fsync)
    sys1, sys2 = flores_subset["systems"].values()
    outs = [tmp_path / "o.json", tmp_path / "o.md"]
    r = cli("evaluate", "--ref", flores_subset["en"], "--sys", f"a={sys1}", "--sys", f"b={sys2}", "--paired", "none",
            "--json", outs[0], "--markdown", outs[1], "-q")
    assert_one_line_error(r, "no space left", not_written=outs)


@pytest.mark.parametrize("code,words", [(errno.EROFS, "read-only"), (errno.EACCES, "permission denied"),
                                        (errno.ENOSPC, "no space left")])
def test_os_errors_at_the_final_rename_are_one_line(cli, tmp_path, monkeypatch, code, words):
    import mtfix.outputs

    def replace(a, b):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(mtfix.outputs.os, "replace", replace)
    out, report = tmp_path / "o.ar", tmp_path / "r.json"
    r = cli("select", "--candidates", *_candidates(tmp_path), "--out", out, "--report", report)
    assert_one_line_error(r, words, not_written=[out, report])


def test_a_full_disk_under_the_cache_ends_the_translation_cleanly(small_fs):
    """A real full disk under SQLite: MtfixError (one line), what was committed stays readable."""
    from mtfix.engine.base import Hypothesis
    from mtfix.engine.cache import CachedTranslator, TranslationCache
    from mtfix.errors import MtfixError

    class Echo:
        def translate_batch(self, segs, **kw):
            return [[Hypothesis(text=s * 3, score=0.0, tokens=1)] for s in segs]

    full = small_fs("64k")
    _make_cache(full / "c.sqlite")
    _fill(full, 0)
    tr = CachedTranslator(key="k", load=Echo, cache=TranslationCache(full / "c.sqlite"), chunk_size=16)
    with pytest.raises(MtfixError, match="disk is full.*--no-cache"):
        tr.translate_batch([f"جملة رقم {i} عن الطقس في المدينة." for i in range(400)], src="ar", tgt="en")
    assert len(TranslationCache(full / "c.sqlite")) >= 1


def test_a_new_corpus_work_dir_on_a_nearly_full_disk_is_not_called_damaged(cli, tmp_path, small_fs):
    """SQLite's WAL on a nearly full tmpfs fails with "disk I/O error": for a work dir this run
    just made, that is the disk, not a damaged run to --restart; nothing is left behind."""
    src = _bitext(tmp_path)
    for leave in range(4 << 10, 48 << 10, 4 << 10):
        full = small_fs("64k")
        _fill(full, leave)
        r = cli("corpus", "filter", src, "-o", full / "o.jsonl", "-q")
        if r.exit_code == 0:
            continue  # it fitted
        line = assert_one_line_error(r)
        assert "damaged" not in line and "--restart" not in line, line
        assert "space" in line or "full" in line, line
        assert sorted(p.name for p in full.iterdir()) == ["filler"]


def test_a_cache_made_on_a_nearly_full_disk_is_not_left_empty(small_fs):
    """The cache file is made by the first translation stored: when that first write fails (the
    schema fitted, the rows did not), the file goes again; one that holds translations stays."""
    from mtfix.engine.base import Hypothesis
    from mtfix.engine.cache import CachedTranslator, TranslationCache
    from mtfix.errors import MtfixError

    class Echo:
        def translate_batch(self, segs, **kw):
            return [[Hypothesis(text=s * 3, score=0.0, tokens=1)] for s in segs]

    stages = set()
    for leave in range(8 << 10, 36 << 10, 4 << 10):
        full = small_fs("64k")
        _fill(full, leave)
        tr = CachedTranslator(key="k", load=Echo, cache=TranslationCache(full / "c.sqlite"), chunk_size=16)
        with pytest.raises(MtfixError, match="disk is full") as e:
            tr.translate_batch([f"جملة رقم {i} عن الطقس في المدينة." for i in range(400)], src="ar", tgt="en")
        stage = str(e.value).split(" the translation cache")[0]
        kept = (full / "c.sqlite").exists()
        stages.add((stage, kept))
        assert sorted(p.name for p in full.iterdir()) == ["filler"] + (["c.sqlite"] if kept else [])
        if kept:
            assert len(TranslationCache(full / "c.sqlite")) >= 1  # never an empty cache
    assert ("cannot write", False) in stages, stages  # the case this is about was reached


@pytest.mark.slow
def test_cache_on_a_full_disk_is_one_line(cli, tiny_models, ar_file, small_fs):
    full = small_fs("64k")
    cache = full / "c.sqlite"
    _translate(cli, tiny_models, ar_file, "--cache", cache)  # may already fail; the point is the next run
    _fill(full, 0)
    big = ar_file.parent / "big.ar"
    big.write_text("".join(f"جملة رقم {i} عن الطقس في المدينة.\n" for i in range(60)), encoding="utf-8")
    r = _translate(cli, tiny_models, big, "--cache", cache, "-o", ar_file.parent / "o.en")
    assert_one_line_error(r, "translation cache", not_written=[ar_file.parent / "o.en"])


def test_cache_write_errors_are_one_line(tmp_path):
    from mtfix.engine.base import Hypothesis
    from mtfix.engine.cache import TranslationCache
    from mtfix.errors import MtfixError

    cache = TranslationCache(tmp_path / "c.sqlite")

    class Full:
        def executemany(self, *a):
            raise sqlite3.OperationalError("database or disk is full")

        def rollback(self):
            pass

    cache._db = Full()
    with pytest.raises(MtfixError, match="disk is full.*--no-cache"):
        cache.put_many("m", "{}", {"a": [Hypothesis(text="b", score=0.0, tokens=1)]})


# ------------------------------------------------------------------ item 5: a damaged cache

def test_a_malformed_cache_is_one_line_and_kept(cli, tiny_models, ar_file, tmp_path):
    cache = tmp_path / "c.sqlite"
    db = sqlite3.connect(cache)
    db.execute("CREATE TABLE translations (model TEXT NOT NULL, options TEXT NOT NULL, text_hash TEXT NOT NULL, "
               "hypotheses TEXT NOT NULL, PRIMARY KEY (model, options, text_hash))")
    db.executemany("INSERT INTO translations VALUES (?, ?, ?, ?)", [("m", "o", f"{i:064d}", "x" * 300)
                                                                  for i in range(2000)])
    db.commit()
    db.close()
    data = bytearray(cache.read_bytes())
    for page in range(2, len(data) // 4096):  # garbage pages, the header intact
        data[page * 4096:page * 4096 + 64] = os.urandom(64)
    cache.write_bytes(bytes(data))
    r = _translate(cli, tiny_models, ar_file, "--cache", cache, "-o", tmp_path / "o.en")
    assert_one_line_error(r, "translation cache", not_written=[tmp_path / "o.en"], unchanged={cache: bytes(data)})


# ------------------------------------------------------------------ item 6: usage errors

@pytest.mark.parametrize("args", [
    ["translate", "IN", "--src", "ar", "--tgt", "en", "--beam", "0"],
    ["translate", "IN", "--src", "ar", "--tgt", "en", "--beam", "-1"],
    ["translate", "IN", "--src", "ar", "--tgt", "en", "--batch-tokens", "0"],
    ["repair", "IN", "--beam", "0"],
    ["corpus", "filter", "IN", "-o", "o.jsonl", "--chunk-size", "0"],
    ["translate", "IN", "--src", "ar", "--tgt", "en", "--beam", "four"],
    ["repair", "IN", "--no-such-option"],
    ["evaluate", "--ref", "IN"],
])
def test_usage_errors_are_one_line(cli, ar_file, args):
    r = cli(*[ar_file if a == "IN" else a for a in args])
    line = assert_one_line_error(r)
    assert "--help" in line and "╭" not in r.output


@pytest.mark.parametrize("args", [
    ["translate", "-", "--src", "ar", "--tgt", "en"],
    ["repair", "-", "--out", "o.txt"],
    ["select", "--candidates", "-", "IN", "--out", "o.txt"],
    ["evaluate", "--ref", "-", "--sys", "IN"],
    ["corpus", "filter", "-", "-o", "o.jsonl"],
])
def test_stdin_where_a_file_is_needed_says_so(cli, ar_file, args, tmp_path, monkeypatch):
    """Not "-: no such file": only check and fix read stdin."""
    monkeypatch.chdir(tmp_path)
    assert_one_line_error(cli(*[ar_file if a == "IN" else a for a in args]),
                          "stdin is read only by `mtfix check` and `mtfix fix`", not_written=[tmp_path / "o.txt"])


# ------------------------------------------------------------------ items 7 and 8: silent acceptance

def test_nul_byte_after_the_first_64_kib_is_a_bad_row(cli, tmp_path):
    p = tmp_path / "in.tsv"
    rows = [f"Sentence number {i} is here.\tالجملة رقم {i} هنا." for i in range(3000)]
    rows[2500] = "Bad\x00row.\tصف\x00سيء."
    p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert p.stat().st_size > 65536
    r = cli("corpus", "filter", p, "-o", tmp_path / "o.jsonl", "-q")
    assert_one_line_error(r, ":2501", not_written=[tmp_path / "o.jsonl"])
    assert "NUL" in r.output


def test_translate_refuses_text_in_the_wrong_script(cli, tiny_models, tmp_path):
    en = tmp_path / "in.en"
    en.write_text("The cabinet met on Sunday.\nIt approved the budget.\n", encoding="utf-8")
    r = _translate(cli, tiny_models, en, "-o", tmp_path / "o.txt")
    assert_one_line_error(r, "Latin script", not_written=[tmp_path / "o.txt"])


# ------------------------------------------------------------------ item 10: temp files of a killed run

def test_a_rerun_removes_a_killed_writers_temp_files_not_a_live_ones(cli, tmp_path):
    from mtfix.outputs import is_temp_name

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    stale = tmp_path / f".o.ar.mtfix-{dead_pid}-ab12cd34.part"
    stale.write_text("partial", encoding="utf-8")
    stale_dir = tmp_path / f".o.ar.mtfix-{dead_pid}-ef56ab78.part"
    stale_dir.mkdir()
    (stale_dir / "shard").write_text("x", encoding="utf-8")
    live = tmp_path / f".o.ar.mtfix-{os.getppid()}-00aa11bb.part"  # a process that is running
    live.write_text("busy", encoding="utf-8")
    other = tmp_path / f".other.mtfix-{dead_pid}-ab12cd34.part"  # another output's: not ours to judge now
    other.write_text("x", encoding="utf-8")
    assert all(is_temp_name(p.name) for p in (stale, stale_dir, live, other))
    r = cli("select", "--candidates", *_candidates(tmp_path), "--out", tmp_path / "o.ar", "-q")
    assert r.exit_code == 0, r.output
    assert not stale.exists() and not stale_dir.exists()
    assert live.exists() and other.exists()


def test_a_killed_corpus_final_write_is_cleaned_by_the_rerun(tmp_path):
    """SIGKILL while the final outputs are written: the rerun removes the temp files and folders."""
    tsv = _bitext(tmp_path)
    code = ("import os, mtfix.outputs as o\n"
            "real = o.os.replace\n"
            "def replace(a, b):\n"  # the outputs' own renames: not a cache's (the lexicon's, on a first run)
            "    if os.path.dirname(os.path.abspath(b)) == os.getcwd():\n"
            "        os.kill(os.getpid(), 9)\n"
            "    return real(a, b)\n"
            "o.os.replace = replace\n"
            "from mtfix.cli.app import main\n"
            f"main(['corpus', 'filter', {str(tsv)!r}, '-o', 'c.jsonl', '-o', 'c_hf', '-q'])\n")
    p = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert p.returncode == -9, p.stderr
    assert leftovers(tmp_path), "the kill left no temp file: the test did not test anything"
    p = subprocess.run([sys.executable, "-m", "mtfix", "corpus", "filter", str(tsv), "-o", "c.jsonl", "-o", "c_hf",
                        "-q"], cwd=tmp_path, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert leftovers(tmp_path) == [] and (tmp_path / "c.jsonl").is_file() and (tmp_path / "c_hf").is_dir()


# ------------------------------------------------------------------ item 15: the cache counts

def test_in_run_reuse_is_not_reported_as_cache_hits(tmp_path):
    from mtfix.engine.base import Hypothesis
    from mtfix.engine.cache import CachedTranslator, TranslationCache

    class Echo:
        def translate_batch(self, segs, **kw):
            return [[Hypothesis(text=s.upper(), score=0.0, tokens=1)] for s in segs]

    cache = TranslationCache(tmp_path / "c.sqlite")
    tr = CachedTranslator(key="k", load=Echo, cache=cache)
    tr.translate_batch(["a", "b"], src="en", tgt="ar")
    tr.translate_batch(["a", "b", "c"], src="en", tgt="ar")
    assert (tr.misses, tr.hits, tr.reused) == (3, 0, 2)
    again = CachedTranslator(key="k", load=Echo, cache=cache)
    again.translate_batch(["a", "b", "c"], src="en", tgt="ar")
    assert (again.misses, again.hits, again.reused) == (0, 3, 0)


def test_a_failed_run_leaves_no_empty_cache_file(cli, ar_file, tmp_path):
    cache = tmp_path / "new.sqlite"
    r = cli("repair", ar_file, "-b", "no-such-model-anywhere", "--cache", cache, "--out", tmp_path / "o.txt")
    assert_one_line_error(r, not_written=[tmp_path / "o.txt"])
    assert not cache.exists()


def test_evaluate_shows_its_phases_when_piped(cli, flores_subset):
    sys1, sys2 = flores_subset["systems"].values()
    args = ["evaluate", "--ref", flores_subset["en"], "--sys", f"a={sys1}", "--sys", f"b={sys2}",
            "--bs-n", "20", "--ar-n", "20"]
    r = cli(*args)
    assert r.exit_code == 0, r.output
    phases = [line for line in r.stderr.splitlines() if line.startswith("[")]
    assert [p.split("] ")[1].split(" ")[0] for p in phases] == ["scoring", "scoring", "paired", "approximate"]
    assert cli(*args, "-q").stderr == ""


def test_an_os_error_escaping_the_library_is_still_one_line(cli, ar_file, monkeypatch):
    import mtfix.text.read

    def denied(*a, **k):
        raise PermissionError(errno.EACCES, "Permission denied", str(ar_file))

    monkeypatch.setattr(mtfix.text.read, "read_text_lines", denied)
    r = cli("translate", ar_file, "--src", "ar", "--tgt", "en", "--no-cache")
    assert_one_line_error(r, "permission denied")


def test_make_bench_and_the_readme_examples_write_only_ignored_paths():
    """`make bench` writes out/bench (not the tracked bench/ files); the README's evaluate
    example writes into out/, which git ignores."""
    from conftest import REPO

    dry = subprocess.run(["make", "-n", "bench"], cwd=REPO, capture_output=True, text=True)
    if dry.returncode != 0 and "No rule" in dry.stderr:
        pytest.fail(dry.stderr)
    assert "scripts/bench.py --out out/bench" in dry.stdout
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    example = readme[readme.index("mtfix evaluate --ref $D"):]
    example = example[:example.index("```")]
    paths = [w for w in example.split() if w.startswith("out/")]
    assert paths, example
    ignored = subprocess.run(["git", "check-ignore", *paths], cwd=REPO, capture_output=True, text=True)
    assert ignored.stdout.split() == paths


def test_cheap_input_errors_come_before_model_lookups(cli, ar_file, tmp_path):
    """A missing --config or article is named, not the (also missing) default model."""
    assert_one_line_error(cli("repair", ar_file, "--config", tmp_path / "nope.toml"), "nope.toml")
    assert_one_line_error(cli("corpus", "build", tmp_path / "nope", "-o", tmp_path / "o.jsonl"), "nope")


BAD_FILES = {  # kind -> (make it at path, words the error line says)
    "missing": (lambda p: None, "no such file"),
    "folder": (lambda p: p.mkdir(), "folder"),
    "empty": (lambda p: p.write_bytes(b""), "empty"),
    "binary": (lambda p: p.write_bytes(b"\x00\x01\x02\x03PK binary"), "binary"),
}
#: every command's input that a newcomer may get wrong (BAD: the bad file; the default models are
#: not there: each bad input must be named before any model is looked up)
WHERE = {
    "translate": ["translate", "BAD", "--src", "ar", "--tgt", "en"],
    "check": ["check", "BAD"],
    "fix": ["fix", "BAD"],
    "repair": ["repair", "BAD", "--out", "o.txt"],
    "select": ["select", "--candidates", "BAD", "GOOD", "GOOD2", "--out", "o.txt"],
    "evaluate --ref": ["evaluate", "--ref", "BAD", "--sys", "GOOD"],
    "evaluate --sys": ["evaluate", "--ref", "GOOD", "--sys", "BAD"],
    "corpus filter": ["corpus", "filter", "BAD", "GOOD", "-o", "o.jsonl"],
    "corpus build": ["corpus", "build", "BAD", "-o", "o.jsonl"],
}


@pytest.mark.parametrize("kind", BAD_FILES)
@pytest.mark.parametrize("where", WHERE)
def test_a_bad_input_file_is_one_line_naming_it_in_every_command(cli, ar_file, tmp_path, monkeypatch, where, kind):
    make, words = BAD_FILES[kind]
    if (where, kind) in {("corpus filter", "folder"), ("corpus build", "folder"), ("corpus build", "binary")}:
        pytest.skip("a folder is a dataset or a folder of articles there; tested in test_corpus_inputs.py")
    bad = tmp_path / "bad.txt"
    make(bad)
    other = tmp_path / "other.ar"
    other.write_bytes(ar_file.read_bytes())
    monkeypatch.chdir(tmp_path)
    args = [{"BAD": bad, "GOOD": ar_file, "GOOD2": other}.get(a, a) for a in WHERE[where]]
    assert_one_line_error(cli(*args), "bad.txt", words, not_written=[tmp_path / "o.txt", tmp_path / "o.jsonl"])


def test_nothing_is_left_when_a_full_disk_stops_a_run_at_its_start(cli, tmp_path, small_fs):
    """The corpus work dir and a new cache file that cannot be set up are not left behind."""
    from mtfix.engine.cache import TranslationCache
    from mtfix.errors import MtfixError

    full = small_fs("64k")
    _fill(full, 0)
    r = cli("corpus", "filter", _bitext(tmp_path), "-o", full / "o.jsonl", "-q")
    assert_one_line_error(r, "space")
    from mtfix.engine.base import Hypothesis

    assert TranslationCache(full / "d" / "c.sqlite").get_many("m", "{}", ["a"]) == {}  # a read creates nothing
    with pytest.raises(MtfixError, match="disk is full|no space"):
        TranslationCache(full / "d" / "c.sqlite").put_many("m", "{}", {"a": [Hypothesis(text="b", score=0.0,
                                                                                         tokens=1)]})
    assert sorted(p.name for p in full.iterdir()) == ["filler"]


# ------------------------------------------------------------------ item 15: make repair's out/ and cache

def test_the_makefile_leaves_the_output_folder_to_mtfix_repair():
    """`make repair` used to `mkdir -p out` first, so a failed run left an empty out/ (or old
    files that looked fresh): the folder is repair's own now."""
    from conftest import REPO

    mk = (REPO / "Makefile").read_text(encoding="utf-8")
    import re

    recipe = re.search(r"^repair:.*\n((?:\t.*\n)+)", mk, re.M).group(1)
    assert "mkdir" not in recipe and "mtfix repair" in recipe


def test_repair_makes_its_output_folders_and_a_failed_run_leaves_none(cli, ar_file, tmp_path):
    out = tmp_path / "out"
    cache = tmp_path / "c.sqlite"  # its folder must exist (a cache is made, not the folders above it)
    args = ["--out", out / "r.txt", "--report", out / "deep" / "r.json", "--html", out / "r.html", "--cache", cache]
    r = cli("repair", ar_file, "-b", "no-such-model-anywhere", *args)
    assert_one_line_error(r, "no-such-model-anywhere")
    assert not out.exists() and not cache.exists()
    r = cli("repair", ar_file, *args)  # offline: stage 0 only, exit 0
    assert r.exit_code == 0, r.output
    assert all(p.stat().st_size > 0 for p in (out / "r.txt", out / "deep" / "r.json", out / "r.html"))
    assert leftovers(out) == []


def test_a_failed_repair_write_removes_only_the_folders_it_made(cli, ar_file, tmp_path, monkeypatch):
    import mtfix.outputs

    def full(a, b):
        raise OSError(errno.ENOSPC, "No space left on device")

    mine = tmp_path / "mine"  # a folder of the user's, with a file in it: never removed
    mine.mkdir()
    (mine / "keep.txt").write_text("x", encoding="utf-8")
    monkeypatch.setattr(mtfix.outputs.os, "replace", full)
    r = cli("repair", ar_file, "--out", tmp_path / "new" / "a" / "r.txt", "--report", mine / "b" / "r.json",
            "--html", tmp_path / "mine2" / "r.html")
    assert_one_line_error(r, "no space left")
    assert not (tmp_path / "new").exists() and not (mine / "b").exists() and not (tmp_path / "mine2").exists()
    assert (mine / "keep.txt").read_text(encoding="utf-8") == "x"
    empty = tmp_path / "empty"  # an empty folder that was there before: kept, as it was
    empty.mkdir()
    r = cli("repair", ar_file, "--out", empty / "r.txt")
    assert_one_line_error(r, "no space left")
    assert empty.is_dir() and list(empty.iterdir()) == []


def test_repair_output_folder_rules_are_checked_before_any_work(cli, ar_file, tmp_path, small_fs):
    a_file = tmp_path / "f.txt"
    a_file.write_text("x", encoding="utf-8")
    assert_one_line_error(cli("repair", ar_file, "--out", a_file / "sub" / "r.txt"), "is a file")
    ro = small_fs("1m", ro=True)
    assert_one_line_error(cli("repair", ar_file, "--out", ro / "new" / "r.txt"), "read-only")


def test_a_broken_model_leaves_no_cache_file_or_folder(cli, tiny_models, ar_file, tmp_path):
    """The language pairs are checked (tokenizers read) before the weights load: a run that dies
    there used to leave a cache file holding those checks only."""
    import shutil

    bad = tmp_path / "bad-model"
    shutil.copytree(tiny_models["marian-ar-en"], bad)
    weights = bad / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    cache = tmp_path / "c.sqlite"
    r = cli("repair", ar_file, "-b", bad, "-f", tiny_models["marian-en-ar"], "--backend", "transformers",
            "--cache", cache, "--out", tmp_path / "out" / "r.txt")
    assert_one_line_error(r, "cannot load model")
    assert not cache.exists() and not (tmp_path / "out").exists()


def test_the_pairs_checked_before_the_cache_existed_are_stored_with_the_first_translation(tmp_path):
    from mtfix.engine.base import Hypothesis
    from mtfix.engine.cache import TranslationCache
    from mtfix.engine.families import Pair

    path = tmp_path / "d" / "c.sqlite"
    cache = TranslationCache(path)
    assert cache.get_many("m", "{}", ["a"]) == {} and len(cache) == 0 and cache.get_pair("m", "ar-en") is None
    pair = Pair(src="ar", tgt="en", src_code=None, source_prefix="", target_prefix=())
    cache.put_pair("m", "ar-en", pair)
    assert not path.parent.exists() and cache.get_pair("m", "ar-en") == pair  # nothing written yet
    cache.put_many("m", "{}", {"a": [Hypothesis(text="b", score=0.0, tokens=1)]})
    cache.close()
    again = TranslationCache(path)
    assert again.get_pair("m", "ar-en") == pair and len(again) == 2


def test_ctrl_c_names_the_work_dir_only_when_there_is_one(cli, tmp_path, monkeypatch):
    import mtfix.corpus.runner as runner

    def stop(*a, **k):
        raise KeyboardInterrupt

    out = tmp_path / "o.jsonl"
    with monkeypatch.context() as m:  # while the filters load (the align dictionaries take seconds)
        m.setattr(runner, "build_filters", stop)
        r = cli("corpus", "filter", _bitext(tmp_path), "-o", out)
    assert r.exit_code == 130 and r.stderr.strip() == "interrupted before any work was kept; nothing was written"
    assert not (tmp_path / "o.jsonl.partial").exists() and not out.exists()
    monkeypatch.setattr(runner.CorpusRun, "_commit", stop)  # in the middle of the run
    r = cli("corpus", "filter", _bitext(tmp_path), "-o", out)
    assert r.exit_code == 130 and f"what is done is kept in {tmp_path / 'o.jsonl.partial'}" in r.stderr
    assert (tmp_path / "o.jsonl.partial" / "state.sqlite").exists()


def test_select_gate_reasons_name_the_incumbent_not_a_reference():
    """In select there is no reference: the gates compare a challenger with the incumbent."""
    from mtfix.scoring import Candidate, Segment, load_config
    from mtfix.scoring.gates import GateContext, build_gates, run_gates

    inc = "غادر عشرون ألف مدني المنطقة يوم السبت بعد توقف القتال في المدينة الكبيرة."
    challengers = [inc + " " + inc + " " + inc,  # length
                   "ذهب الأطفال إلى المدرسة صباحا مع أصدقائهم.",  # far from it
                   "غادر عشرون ألف civilians left the area on Saturday after the fighting stopped."]  # script
    gates = build_gates(load_config())
    for select_style in (True, False):
        seg = Segment(0, [Candidate(inc, "a")] + [Candidate(c, f"s{k}") for k, c in enumerate(challengers)],
                      [], incumbent=0, original=None if select_style else inc)
        reasons = [r for c in range(1, 4) for _, r in run_gates(gates, [seg], GateContext("ar"))[0][c]]
        assert any("length" in r for r in reasons) and any("chrF" in r for r in reasons), reasons
        assert not any("reference" in r for r in reasons), reasons
        assert sum((("incumbent" if select_style else "original") in r) for r in reasons) >= 3, reasons
        evidence = next(g for g in gates if g.name == "fidelity").evidence(seg, 0, GateContext("ar"))
        assert evidence.endswith("the incumbent" if select_style else "the original")


# ------------------------------------------------------------------ items 2-4 across every command that writes
# A read-only output folder, a full disk (a real small tmpfs where mounts are allowed; an injected
# ENOSPC or EROFS at the one atomic-output path everywhere), an output that is the translation cache.

@pytest.fixture()
def inputs(tmp_path, flores_subset, tiny_models):
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.ar").write_text(AR, encoding="utf-8")
    sys1, sys2 = flores_subset["systems"].values()
    (d / "src.en").write_text("The cat sleeps on the bed.\nThe dog runs.\n", encoding="utf-8")
    return {"ar": d / "a.ar", "tsv": _bitext(d), "src": d / "src.en", "cands": _candidates(d), "ref": flores_subset["en"],
            "sys": (sys1, sys2), "tiny": tiny_models, "dir": d}


def _tiny(i, key):
    return str(i["tiny"][key])


# command -> (arguments given the inputs and the output folder, the files it would write)
COMMANDS = {
    "translate": lambda i, d: (["translate", i["ar"], "--src", "ar", "--tgt", "en", "--model", _tiny(i, "marian-ar-en"),
                                "--backend", "transformers", "--beam", "1", "--no-cache", "-o", d / "o.en"],
                               [d / "o.en"]),
    "repair": lambda i, d: (["repair", i["ar"], "--out", d / "o.ar", "--report", d / "r.json", "--html", d / "r.html"],
                            [d / "o.ar", d / "r.json", d / "r.html"]),
    "select": lambda i, d: (["select", "--candidates", *i["cands"], "--out", d / "o.ar", "--report", d / "r.json",
                             "-q"], [d / "o.ar", d / "r.json"]),
    "evaluate": lambda i, d: (["evaluate", "--ref", i["ref"], "--sys", f"a={i['sys'][0]}", "--sys",
                               f"b={i['sys'][1]}", "--paired", "none", "--json", d / "o.json", "--html",
                               d / "o.html", "-q"], [d / "o.json", d / "o.html"]),
    "fix": lambda i, d: (["fix", i["ar"], "--out", d / "o.ar"], [d / "o.ar"]),
    "corpus filter": lambda i, d: (["corpus", "filter", i["tsv"], "-o", d / "o.jsonl", "-o", d / "o_hf", "-q"],
                                   [d / "o.jsonl", d / "o_hf"]),
    "corpus build": lambda i, d: (["corpus", "build", i["ar"], "-b", _tiny(i, "marian-ar-en"), "-f",
                                   _tiny(i, "marian-en-ar"), "--backend", "transformers", "--beam", "1",
                                   "--back-n-best", "1", "--forward-n-best", "1", "--no-cache", "-o", d / "o.jsonl",
                                   "-q"], [d / "o.jsonl"]),
    "models convert": lambda i, d: (["models", "convert", _tiny(i, "marian-ar-en"), "--out", d / "ct2"], [d / "ct2"]),
}
CHEAP = ["repair", "select", "fix", "corpus filter"]  # no model: the default run; the rest are slow
ALL = [pytest.param(c, marks=() if c in CHEAP else pytest.mark.slow) for c in COMMANDS]


def _nothing_left(folder: Path, written) -> None:
    for p in written:
        assert not p.exists(), f"{p} was written"
    assert leftovers(folder) == [], leftovers(folder)
    assert not [p for p in folder.iterdir() if p.name.endswith(".partial")], list(folder.iterdir())


@pytest.mark.parametrize("command", ALL)
@pytest.mark.parametrize("code,words", [(errno.ENOSPC, "no space left"), (errno.EROFS, "read-only")])
def test_an_os_error_at_the_atomic_output_path_is_one_line_and_leaves_nothing(cli, inputs, tmp_path, monkeypatch,
                                                                                command, code, words):
    """The error is injected where every output is put in place (mtfix.outputs): the rename."""
    import mtfix.outputs

    def fail(a, b):
        raise OSError(code, os.strerror(code))

    out = tmp_path / "out"
    out.mkdir()
    args, written = COMMANDS[command](inputs, out)
    monkeypatch.setattr(mtfix.outputs.os, "replace", fail)
    assert_one_line_error(cli(*args), words)
    for p in written:
        assert not p.exists(), f"{p} was written"
    assert leftovers(out) == []
    if command.startswith("corpus"):  # the work is kept for the rerun; with the disk back, it finishes
        assert [p.name for p in out.iterdir()] == ["o.jsonl.partial"]
        monkeypatch.undo()
        r = cli(*args)
        assert r.exit_code == 0, r.output
        assert all(p.exists() for p in written) and leftovers(out) == []


@pytest.mark.parametrize("command", ALL)
def test_a_read_only_output_folder_is_one_line(cli, inputs, small_fs, command):
    ro = small_fs("1m", ro=True)
    args, written = COMMANDS[command](inputs, ro)
    assert_one_line_error(cli(*args), "read-only")
    _nothing_left(ro, written)
    if command == "repair":  # a folder repair would make there: refused before any work too
        args, _ = COMMANDS[command](inputs, ro / "new")
        assert_one_line_error(cli(*args), "read-only")


@pytest.mark.parametrize("command", ALL)
def test_a_full_disk_is_one_line_and_leaves_nothing(cli, inputs, small_fs, command):
    full = small_fs("2m")
    _fill(full, 0)
    before = sorted(p.name for p in full.iterdir())
    args, written = COMMANDS[command](inputs, full)
    assert_one_line_error(cli(*args), "space")
    for p in written:
        assert not p.exists(), f"{p} was written"
    assert sorted(p.name for p in full.iterdir()) == before


def test_models_pull_faults_are_one_line(cli, monkeypatch, tmp_path):
    """No network here: the hub is faked, and the download fails the way a full or read-only disk makes it."""
    import huggingface_hub

    import mtfix.engine.hub as hub

    monkeypatch.setattr(hub, "hub_reachable", lambda *a, **k: True)

    class Info:
        siblings = []

    class Api:
        def model_info(self, *a, **k):
            return Info()

    monkeypatch.setattr(huggingface_hub, "HfApi", Api)
    for code, words in ((errno.ENOSPC, "no space left"), (errno.EROFS, "read-only")):
        def download(*a, code=code, **k):
            raise OSError(code, os.strerror(code))

        monkeypatch.setattr(huggingface_hub, "snapshot_download", download)
        r = cli("models", "pull", "opus-mt-ar-en", "--to-models-dir", "--models-dir", tmp_path)
        assert_one_line_error(r, words)


def _model_commands(i, d, cache):
    """Every command that translates through the cache, with -o (or --json) on the cache file."""
    sys1, _ = i["sys"]
    src = i["dir"] / "src.ar"
    src.write_text("\n".join(["هذا اختبار."] * sum(1 for _ in open(sys1, encoding="utf-8"))) + "\n",
                   encoding="utf-8")
    m = _tiny(i, "marian-ar-en")
    return [
        ["translate", i["ar"], "--src", "ar", "--tgt", "en", "--model", m, "-o", cache],
        ["repair", i["ar"], "--out", cache],
        ["select", "--candidates", *i["cands"], "--source", i["src"], "--back-model", m, "--out", cache],
        ["evaluate", "--no-ref", "--src", src, "--sys", sys1, "--back-model", m, "--src-lang", "ar",
         "--tgt-lang", "en", "--json", cache],
        ["corpus", "filter", i["tsv"], "--back-model", m, "-o", d / "o.jsonl", "--summary", cache],
        ["corpus", "build", i["ar"], "-o", d / "o.jsonl", "--dropped", cache],
    ]


def test_no_command_writes_over_the_translation_cache(cli, inputs, tmp_path):
    cache = tmp_path / "c.jsonl"  # a name every output option takes (--dropped wants a known format)
    _make_cache(cache)
    before = cache.read_bytes()
    for args in _model_commands(inputs, tmp_path, cache):
        line = assert_one_line_error(cli(*args, "--cache", cache), "translation cache", unchanged={cache: before})
        assert "--cache" in line or "choose another path" in line, (args[0], line)


def test_convert_leftovers_of_a_killed_run_go_with_the_next_conversion_never_a_live_ones(cli, inputs, tmp_path):
    import subprocess
    import sys

    dead = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True).stdout)
    out = tmp_path / "ct2"
    stale = tmp_path / f".ct2.mtfix-{dead}-ab12cd34.part"
    stale.mkdir()
    (stale / "model.bin").write_bytes(b"half")
    live = tmp_path / f".ct2.mtfix-{os.getppid()}-00aa11bb.part"
    live.mkdir()
    mine = tmp_path / "ct2.part"  # not a name mtfix makes: not its to remove
    mine.mkdir()
    r = cli("models", "convert", _tiny(inputs, "marian-ar-en"), "--out", out)
    assert r.exit_code == 0, r.output
    assert (out / "model.bin").is_file() and not stale.exists() and live.is_dir() and mine.is_dir()
    shutil.rmtree(live)


def test_no_command_writes_over_an_input(cli, inputs):
    i = inputs
    sys1, sys2 = i["sys"]
    cases = [
        (["translate", i["ar"], "--src", "ar", "--tgt", "en", "-o", i["ar"]], i["ar"]),
        (["repair", i["ar"], "--report", i["ar"]], i["ar"]),
        (["fix", i["ar"], "--out", i["ar"]], i["ar"]),
        (["select", "--candidates", *i["cands"], "--out", i["cands"][1]], i["cands"][1]),
        (["evaluate", "--ref", i["ref"], "--sys", sys1, "--sys", sys2, "--html", sys2], sys2),
        (["corpus", "filter", i["tsv"], "-o", i["tsv"]], i["tsv"]),
        (["corpus", "build", i["ar"], "-o", i["dir"] / "o.jsonl", "--summary", i["ar"]], i["ar"]),
    ]
    for args, victim in cases:
        before = Path(victim).read_bytes()
        assert_one_line_error(cli(*args), "is also an input", unchanged={victim: before})


@pytest.mark.parametrize("args", [["check", "SEED"], ["check", "SEED", "--json"], ["fix", "SEED"], ["repair", "SEED"]])
def test_stdout_on_a_full_device_is_one_line(args, seed_path, tmp_path):
    """`mtfix check FILE > file-on-a-full-disk` (here /dev/full): one line on stderr, exit 2."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    from conftest import REPO

    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with open("/dev/full", "w") as full:
        p = subprocess.run([sys.executable, "-m", "mtfix", *[str(seed_path) if a == "SEED" else a for a in args]],
                           stdout=full, stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=env)
    assert p.returncode == 2, p.stderr
    lines = [line for line in p.stderr.splitlines() if line.strip() and not line.startswith("warning:")]
    assert lines[-1] == "error: cannot read or write: no space left on the device" and len(lines) == 1, p.stderr
    assert "Traceback" not in p.stderr and list(tmp_path.iterdir()) == []


def test_the_readme_says_where_conversions_land_and_what_they_are_called(tmp_path, monkeypatch, tiny_models):
    """Item 13: `NAME-ct2-int8/` for a preset, `FOLDER-<hash>-ct2-int8/` for a local folder, in
    --models-dir, else $MTFIX_MODELS_DIR, else the checkout's models/ whatever the current folder."""
    import re
    import shutil as sh

    from conftest import REPO
    from mtfix.engine.registry import ct2_dir_for

    readme = " ".join((REPO / "docs" / "models.md").read_text(encoding="utf-8").split())  # linked from README
    assert "a preset becomes `NAME-ct2-int8/`, a local model folder `FOLDER-<hash of its path>-ct2-int8/`" in readme
    assert "else `$MTFIX_MODELS_DIR`, else the checkout's `models/` (whatever the current directory" in readme
    monkeypatch.chdir(tmp_path)
    own = tmp_path / "own"
    assert ct2_dir_for("opus-mt-ar-en", "int8", own) == own / "opus-mt-ar-en-ct2-int8"
    assert ct2_dir_for("opus-mt-ar-en", "int8") == Path(os.environ["MTFIX_MODELS_DIR"]) / "opus-mt-ar-en-ct2-int8"
    monkeypatch.delenv("MTFIX_MODELS_DIR")
    assert ct2_dir_for("opus-mt-ar-en", "int8") == REPO / "models" / "opus-mt-ar-en-ct2-int8"
    a, b = tmp_path / "x" / "marian", tmp_path / "y" / "marian"
    for d in (a, b):
        sh.copytree(tiny_models["marian-ar-en"], d)
    na, nb = ct2_dir_for(str(a), "int8", own).name, ct2_dir_for(str(b), "int8", own).name
    assert re.fullmatch(r"marian-[0-9a-f]{8}-ct2-int8", na) and re.fullmatch(r"marian-[0-9a-f]{8}-ct2-int8", nb)
    assert na != nb  # two folders of the same name never collide


def test_a_cache_that_cannot_be_made_is_said_before_any_translating(cli, tiny_models, ar_file, tmp_path, monkeypatch):
    """$XDG_CACHE_HOME at a file (or a read-only home): the cache is made with the first translation stored, so
    translate and repair translated everything and then failed on the cache, the work lost. The first look-up
    (no cache file yet) now checks it can be made there: one line before any model runs. A run that needs no
    cache (repair's stage 0 alone) is not stopped by it."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(ar_file))
    out = tmp_path / "o.txt"
    for args in (["translate", ar_file, "--src", "ar", "--tgt", "en", "-m", tiny_models["marian-ar-en"], "-o", out],
                 ["repair", ar_file, "-b", tiny_models["marian-ar-en"], "-f", tiny_models["marian-en-ar"], "-o", out]):
        assert_one_line_error(cli(*args, "--backend", "transformers"),
                              f"translation cache: cannot write {ar_file}/mtfix/translations.sqlite: {ar_file} is a "
                              "file, not a folder", "--no-cache", not_written=[out])
    r = cli("repair", ar_file, "-o", out)  # no model offline: stage 0 only, no cache needed
    assert r.exit_code == 0 and out.read_text(encoding="utf-8"), r.output


def test_the_docs_quote_the_folder_rules_as_mtfix_says_them(cli, ar_file, tmp_path, monkeypatch):
    """docs/cli.md quotes two of these lines (a file output named as a folder; a folder named under a missing
    one): the words it quotes are the ones mtfix prints."""
    from conftest import REPO

    readme = " ".join((REPO / "docs" / "cli.md").read_text(encoding="utf-8").split())  # moved from the README
    monkeypatch.chdir(tmp_path)
    line = assert_one_line_error(cli("fix", ar_file, "-o", "out/"))
    assert line.split("; give")[0] in readme.replace("``", "")
    line = assert_one_line_error(cli("models", "list", "--models-dir", tmp_path / "modles" / "x"))
    said = line.split(f"{tmp_path / 'modles'} ", 1)[1].split(" mkdir -p")[0]  # between the paths
    assert said in readme, said


# ------------------------------------------------------------------ noticed last session, fixed in this one

@pytest.mark.parametrize("config, words", [
    ("", "config.json is empty"),
    ('{"model_type": "marian", "d_model"', "config.json is corrupt"),
    ("{}", "config.json is incomplete (it lacks model_type)"),
    ('{"model_type": "marian"}', "config.json is incomplete (it lacks d_model, vocab_size"),
    ("resized", "the weights' sizes do not match config.json"),
])
@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_an_empty_or_cut_short_model_config_is_one_whole_line(cli, tiny_models, ar_file, tmp_path, config, words,
                                                             backend):
    """An empty or truncated ``config.json`` ended in a message cut off at "For details look at the above
    report!" (transformers' size-mismatch report, several screens long, is not printed)."""
    import json

    model = tmp_path / "m"
    shutil.copytree(tiny_models["marian-ar-en"], model)
    if config == "resized":
        config = json.dumps({**json.loads((model / "config.json").read_text(encoding="utf-8")), "d_model": 64})
    (model / "config.json").write_text(config, encoding="utf-8")
    out = tmp_path / "o.txt"
    r = cli("translate", ar_file, "--model", model, "--src", "ar", "--tgt", "en", "--backend", backend, "-o", out)
    line = assert_one_line_error(r, words, not_written=[out])
    assert "above" not in line


def test_a_wrong_dict_dir_note_names_the_folder_and_what_is_missing(tmp_path, monkeypatch):
    """A ``MTFIX_DICT_DIR`` without the dictionaries gave a note saying "set MTFIX_DICT_DIR": it was set. The
    note names the folder it looked in and what it lacks."""
    from mtfix.corpus import build_filters, load_pipeline_config

    def note() -> str:
        (line,) = [n for n in build_filters(load_pipeline_config())[1] if n.startswith("align:")]
        return line

    monkeypatch.setenv("MTFIX_DICT_DIR", str(tmp_path / "nowhere"))
    assert f"no FreeDict dictionary in MTFIX_DICT_DIR={tmp_path / 'nowhere'} (" in note()
    assert "freedict-ara-eng.index with its .dict.dz" in note() and "; no such folder)" in note()
    monkeypatch.setenv("MTFIX_DICT_DIR", str(tmp_path))
    assert "; it holds neither)" in note() and "point MTFIX_DICT_DIR at the folder that holds them" in note()
    (tmp_path / "freedict-eng-ara.index").write_text("", encoding="utf-8")
    assert "; it holds only freedict-eng-ara.index)" in note()


# ------------------------------------------------------------------ a new user's first hour: what the walk found

def test_corpus_build_says_stdin_and_an_empty_folder_before_any_model_lookup(cli, tmp_path):
    """``corpus build -`` said "-: no such file or folder" (the other commands: stdin is not read here); an
    empty folder of articles went on to look the models up and failed on them instead."""
    (tmp_path / "articles").mkdir()
    out = tmp_path / "k.jsonl"
    for arg, words in (("-", "-: stdin is read only by `mtfix check` and `mtfix fix`"),
                       (tmp_path / "articles", "no articles in it (looked for .txt")):
        assert_one_line_error(cli("corpus", "build", arg, "-o", out, "-b", "no-such-model", "-q"), words,
                              not_written=[out])


def test_a_conversion_whose_record_is_corrupt_is_one_line(cli, tiny_models, ar_file, tmp_path):
    """A CTranslate2 folder whose ``mtfix.json`` was empty or cut short was a JSONDecodeError traceback."""
    cv = tmp_path / "cv"
    assert cli("models", "convert", tiny_models["marian-ar-en"], "--out", cv).exit_code == 0
    for text in ("", '{"source": "x"', "[]"):
        (cv / "mtfix.json").write_text(text, encoding="utf-8")
        r = cli("translate", ar_file, "--model", cv, "--src", "ar", "--tgt", "en")
        assert_one_line_error(r, f"{cv}: mtfix.json (what the conversion was made from) is corrupt",
                              "convert the model again")


def test_a_model_that_is_a_file_or_an_empty_name_says_so(cli, ar_file):
    """``--model a.ar`` (a file) said "no such model directory" as if it were not there; ``models pull ""``
    said "unknown model ;"."""
    r = cli("translate", ar_file, "--model", ar_file, "--src", "ar", "--tgt", "en")
    assert_one_line_error(r, f"{ar_file}: is a file, not a model directory")
    assert_one_line_error(cli("models", "convert", ar_file), "is a file, not a model directory")
    assert_one_line_error(cli("models", "pull", " "), "empty model name")


@pytest.mark.parametrize("device", ["/dev/full", "/dev/null"])
def test_a_cache_that_is_a_device_is_refused(cli, tiny_models, ar_file, tmp_path, device):
    """``--cache /dev/full`` said "the disk is full"; ``/dev/null`` is no place to keep translations either."""
    out = tmp_path / "o.txt"
    assert_one_line_error(_translate(cli, tiny_models, ar_file, "--cache", device, "-o", out),
                          f"translation cache {device} is not a regular file", not_written=[out])


@pytest.mark.parametrize("damage", ["state cut short", "state not SQLite", "keys cut short", "keys cut to a key",
                                    "ids gone"])
def test_a_damaged_work_dir_is_one_line_and_restart_starts_over(cli, tmp_path, monkeypatch, damage):
    """A killed run's work dir whose state database was cut short said "error: SQLite: database disk image is
    malformed" (naming neither the work dir nor the way out); a dedup keys file cut short was a ValueError
    traceback, or (cut at a whole key) would have been read as fewer keys."""
    from mtfix.corpus.state import DiskKeyStore, WorkDir

    src = tmp_path / "in.tsv"
    src.write_text("en\tar\n" + "".join(f"The cat number {i} sleeps.\tالقط رقم {i} ينام.\n" for i in range(400)),
                   encoding="utf-8")
    monkeypatch.setattr(DiskKeyStore, "MERGE", 20)  # sorted runs of dedup keys early
    real, calls = WorkDir._commit_state, []

    def crash_on_the_fifth(self, cursor, counts):
        calls.append(cursor)
        if len(calls) == 5:
            raise KeyboardInterrupt
        return real(self, cursor, counts)

    monkeypatch.setattr(WorkDir, "_commit_state", crash_on_the_fifth)
    out = tmp_path / "k.jsonl"
    args = ("corpus", "filter", src, "-o", out, "--chunk-size", "50", "--workers", "1", "-q")
    assert cli(*args).exit_code == 130
    monkeypatch.setattr(WorkDir, "_commit_state", real)
    work = tmp_path / "k.jsonl.partial"
    keys = sorted((work / "keys").glob("*.keys"))
    assert keys
    if damage == "state cut short":
        os.truncate(work / "state.sqlite", 3000)
    elif damage == "state not SQLite":
        (work / "state.sqlite").write_bytes(b"junk\n")
        for extra in work.glob("state.sqlite-*"):
            extra.unlink()
    elif damage.startswith("keys"):
        os.truncate(keys[0], 10 if damage == "keys cut short" else DiskKeyStore.WIDTH)
    else:
        keys[0].with_suffix(".ids").unlink()
    assert_one_line_error(cli(*args), f"the work dir {work} is damaged", "pass --restart to start over",
                          not_written=[out])
    assert work.is_dir()  # kept as it was, for a look
    r = cli(*args, "--restart")
    assert r.exit_code == 0, r.output
    assert len(out.read_text(encoding="utf-8").splitlines()) == 400 and not work.exists()
