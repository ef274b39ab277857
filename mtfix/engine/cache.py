"""A persistent translation cache (SQLite), and a translator that uses it.

Keyed by the model (name, revision or a fingerprint of the local files,
backend, quantization, device kind, compute type), every decoding option that
changes the output, the language pair and a hash of the text. It also remembers
which language pairs a model was checked for, so a re-run that finds every
translation cached loads neither a model nor a tokenizer. :class:`CachedTranslator` answers from the cache first and loads the
model only when something is missing, so a second run of the same article
never loads a model at all. Results are committed in chunks, so a run that
dies half-way keeps what it translated and the next run continues from there.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from mtfix.engine.base import BatchProgress, DecodeOptions, Hypothesis
from mtfix.engine.families import Pair
from mtfix.errors import MtfixError
from mtfix.text.diskcache import cache_dir

if TYPE_CHECKING:
    import sqlite3

#: The ``options`` column of the rows that record a checked language pair.
PAIR_OPTIONS = "language-pair"

SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    model TEXT NOT NULL,
    options TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    hypotheses TEXT NOT NULL,
    PRIMARY KEY (model, options, text_hash)
)
"""


def default_cache_path() -> Path:
    """``translations.sqlite`` in mtfix's cache folder (:func:`mtfix.text.diskcache.cache_dir`)."""
    return cache_dir() / "translations.sqlite"


def open_cache(path: str | os.PathLike | None = None, disabled: bool = False) -> "TranslationCache | None":
    """The cache at ``path`` (default :func:`default_cache_path`), or None when ``disabled``."""
    return None if disabled else TranslationCache(path or default_cache_path())


class TranslationCache:
    """The SQLite cache. The file (and its folder) is created by the first translation
    stored: reading a cache that is not there finds nothing, and a checked language
    pair waits in memory until then, so a run that fails before translating anything
    (a missing or broken model) leaves no empty cache file or folder behind. Every SQLite
    or OS error (a full disk, a damaged file, a read-only folder) becomes one
    :class:`MtfixError` line; the cache file itself is never deleted or replaced."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._db: sqlite3.Connection | None = None
        self._pending_pairs: dict[tuple[str, str], Pair] = {}  # checked before the file existed
        self._made = self._stored = False  # this object made the file; a translation got into it
        self._checked = False  # the file could be made where it is to go (:meth:`_check_can_be_made`)
        if self.path.is_dir():
            raise MtfixError(f"translation cache {self.path} is a folder; give a file path to --cache")
        if self.path.exists() and not self.path.is_file():  # /dev/full was "the disk is full", /dev/null lost it all
            raise MtfixError(f"translation cache {self.path} is not a regular file (a device or a pipe); give a file "
                             f"path to --cache")

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            import sqlite3  # here: `translate --no-cache` never imports it

            from mtfix.outputs import made_folders

            with self._errors("open"), made_folders([self.path]):
                existed = self.path.exists()
                db = sqlite3.connect(str(self.path))
                try:
                    db.execute(SCHEMA)
                    db.commit()
                except BaseException:
                    db.close()
                    if not existed:  # made just now and unusable (a full disk): not left behind
                        self._remove_files()
                    raise
                self._db = db
                self._made = not existed
        return self._db

    def _forget_made_file(self) -> None:
        """The file this object made, when no translation got into it (the first write failed,
        e.g. on a full disk): closed and removed, as if it had never been made."""
        if self._made and not self._stored and self._db is not None:
            self._db.close()
            self._db = None
            self._remove_files()

    def _remove_files(self) -> None:
        """The cache file and SQLite's side files (journal, WAL, shared memory), when present."""
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def _check_can_be_made(self) -> None:
        """Before the first translation (its look-up finds no cache file): refuse a cache that could not be made
        when it is stored (a read-only home, ``$XDG_CACHE_HOME`` at a file): said after the translating, the
        work was lost. Once: the folders above it made or not, as the outputs' rule says."""
        if self._checked:
            return
        from mtfix.outputs import check_output_path

        try:
            check_output_path(self.path, make_folders=True)
        except MtfixError as e:
            raise MtfixError(f"translation cache: {e}; pass --cache FILE elsewhere, or --no-cache") from None
        self._checked = True

    def _absent(self) -> bool:
        """No cache file yet: a read finds nothing (and creates nothing)."""
        return self._db is None and not self.path.exists()

    @contextlib.contextmanager
    def _errors(self, doing: str):
        import sqlite3

        try:
            yield
        except sqlite3.DatabaseError as e:
            raise self._error(e, doing) from None
        except OSError as e:
            from mtfix.outputs import os_error

            raise os_error(e, f"cannot {doing} the translation cache {self.path}") from None

    def _error(self, e: sqlite3.DatabaseError, doing: str) -> MtfixError:
        text = str(e)
        if "full" in text:
            return MtfixError(f"cannot {doing} the translation cache {self.path}: the disk is full ({text}); "
                              f"free some space, or pass --no-cache")
        if "readonly" in text or "read-only" in text or "unable to open" in text:
            return MtfixError(f"cannot {doing} the translation cache {self.path} ({text}); "
                              f"give a writable --cache, or pass --no-cache")
        if "not a database" in text:  # maybe a file of the user's: never suggest deleting it
            return MtfixError(f"{self.path} is not a translation cache (not an SQLite file); give --cache a new "
                              f"path or an mtfix cache, or pass --no-cache")
        return MtfixError(f"translation cache {self.path} is damaged ({text}); delete it or pass --no-cache")

    def get_many(self, model: str, options: str, texts: Sequence[str]) -> dict[str, list[Hypothesis]]:
        found: dict[str, list[Hypothesis]] = {}
        if self._absent():
            self._check_can_be_made()
            return found
        hashes = {_hash(t): t for t in texts}
        keys = list(hashes)
        with self._errors("read"):
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                rows = self.db.execute(
                    f"SELECT text_hash, hypotheses FROM translations WHERE model=? AND options=? "
                    f"AND text_hash IN ({','.join('?' * len(chunk))})",
                    [model, options, *chunk],
                ).fetchall()
                for h, hyps in rows:
                    try:
                        found[hashes[h]] = [Hypothesis(**d) for d in json.loads(hyps)]
                    except (ValueError, TypeError):  # a damaged row: translate that segment again
                        continue
        return found

    def put_many(self, model: str, options: str, items: dict[str, list[Hypothesis]]) -> None:
        rows = [
            (model, options, _hash(t), json.dumps([h.to_dict() for h in hyps], ensure_ascii=False))
            for t, hyps in items.items()
        ]
        rows += [(m, PAIR_OPTIONS, _hash(k), json.dumps(asdict(pair), ensure_ascii=False))
                 for (m, k), pair in self._pending_pairs.items()]
        with self._errors("write"):
            db = self.db
            try:
                db.executemany("INSERT OR REPLACE INTO translations VALUES (?, ?, ?, ?)", rows)
                db.commit()
                self._pending_pairs.clear()
                self._stored = True
            except BaseException:
                import sqlite3

                with contextlib.suppress(sqlite3.Error):
                    db.rollback()
                with contextlib.suppress(OSError, sqlite3.Error):
                    self._forget_made_file()
                raise

    def get_pair(self, model: str, key: str) -> Pair | None:
        """The language pair ``key`` as checked for ``model`` before, if it was."""
        if (model, key) in self._pending_pairs:
            return self._pending_pairs[model, key]
        if self._absent():
            return None
        with self._errors("read"):
            row = self.db.execute(
                "SELECT hypotheses FROM translations WHERE model=? AND options=? AND text_hash=?",
                [model, PAIR_OPTIONS, _hash(key)],
            ).fetchone()
        if row is None:
            return None
        data = json.loads(row[0])
        return Pair(**{**data, "target_prefix": tuple(data["target_prefix"])})

    def put_pair(self, model: str, key: str, pair: Pair) -> None:
        if self._absent():  # stored with the first translation: no cache file holding pairs only
            self._pending_pairs[model, key] = pair
            return
        with self._errors("write"):
            self.db.execute("INSERT OR REPLACE INTO translations VALUES (?, ?, ?, ?)",
                            (model, PAIR_OPTIONS, _hash(key), json.dumps(asdict(pair), ensure_ascii=False)))
            self.db.commit()

    def __len__(self) -> int:
        if self._absent():
            return 0
        with self._errors("read"):
            return self.db.execute("SELECT COUNT(*) FROM translations").fetchone()[0]

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class CachedTranslator:
    """A :class:`~mtfix.engine.base.Translator` answered from the cache; the model is
    loaded on the first miss.

    ``load`` builds the real translator; ``key`` identifies the model, backend,
    device and compute type (see :attr:`mtfix.engine.loader.TranslatorPlan.key`).
    """

    key: str
    load: Callable[[], object]
    cache: TranslationCache | None = None
    plan: object = None  # the TranslatorPlan, for the signature and the language check without loading
    chunk_size: int = 64
    _translator: object = None
    misses: int = 0  # distinct segments translated by the model
    hits: int = 0  # distinct segments served from the cache, translated by an earlier run
    reused: int = 0  # distinct segments served from the cache, translated earlier in this run
    _written: set = None  # (options, text) this translator put into the cache
    _ahead: tuple | None = None  # (options key, texts, found): load_if_missing's cache look-up

    @property
    def name(self) -> str:
        """The model's short name: preset, hub id or folder name."""
        return self.plan.ref.name if self.plan is not None else self.key.split("|")[0]

    @property
    def loaded(self) -> bool:
        return self._translator is not None

    @property
    def translator(self):
        if self._translator is None:
            self._translator = self.load()
        return self._translator

    def load_if_missing(self, segments: Sequence[str], *, src: str, tgt: str, options: DecodeOptions | None = None,
                        **overrides) -> bool:
        """Load the model now if some of ``segments`` is not cached (the CTranslate2 backend reads
        the tokenizer while its weights load, where a language check first would read it alone,
        before); nothing is loaded when everything is cached. The cache look-up is kept for the
        :meth:`translate_batch` call that follows with the same arguments, so it is done once.
        Returns whether the model is loaded."""
        if self._translator is None:
            opts = DecodeOptions.of(options, **overrides).validate()
            key = json.dumps(dict(src=src, tgt=tgt, **opts.output_key()), sort_keys=True)
            distinct = list(dict.fromkeys(segments))
            found = self.cache.get_many(self.key, key, distinct) if self.cache is not None else {}
            self._ahead = (key, set(distinct), found)
            if len(found) < len(distinct):
                self.translator  # noqa: B018 - loads it
        return self._translator is not None

    def _lookup(self, key: str, distinct: list[str]) -> dict:
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead[0] == key and ahead[1].issuperset(distinct):
            return {s: ahead[2][s] for s in distinct if s in ahead[2]}
        return self.cache.get_many(self.key, key, distinct) if self.cache is not None else {}

    def translate_batch(self, segments: Sequence[str], *, src: str, tgt: str, options: DecodeOptions | None = None,
                        on_progress: BatchProgress | None = None, **overrides) -> list[list[Hypothesis]]:
        opts = DecodeOptions.of(options, **overrides).validate()
        key = json.dumps(dict(src=src, tgt=tgt, **opts.output_key()), sort_keys=True)
        distinct = list(dict.fromkeys(s for s in segments))
        found = self._lookup(key, distinct)
        # Longest first, so each chunk (and each batch the engine makes of it) holds
        # segments of similar length: little padding, and a batch's decoding stops
        # near its own segments' length caps. Results are keyed by text: order-free.
        missing = sorted((s for s in distinct if s not in found), key=len, reverse=True)
        written = self._written if self._written is not None else set()
        mine = sum(1 for s in found if (key, s) in written)
        self.reused += mine
        self.hits += len(found) - mine
        total = len(distinct)
        if on_progress and found:
            on_progress(len(found), total)
        for start in range(0, len(missing), self.chunk_size):
            chunk = missing[start : start + self.chunk_size]
            try:
                results = self.translator.translate_batch(chunk, src=src, tgt=tgt, options=opts)
            except MtfixError:
                raise
            except Exception as e:  # noqa: BLE001 - a model failing mid-run ends the run cleanly
                kept = f"; the {start} translated before are cached in {self.cache.path}, re-run to continue" if (
                    self.cache is not None and start) else ""
                raise MtfixError(f"model {self.name} failed ({type(e).__name__}: {e}){kept}") from None
            new = dict(zip(chunk, results))
            self.misses += len(chunk)
            if self.cache is not None:
                self.cache.put_many(self.key, key, new)
                if self._written is None:
                    self._written = set()
                self._written.update((key, s) for s in chunk)
            found.update(new)
            if on_progress:
                on_progress(len(chunk), total)
        return [found[s] for s in segments]

    def pair(self, src: str, tgt: str) -> Pair:
        """Validate the language pair: remembered in the cache from an earlier check, else
        from the tokenizer alone (no weights loaded), else from the loaded translator."""
        if self._translator is not None or self.plan is None:
            return self.translator.pair(src, tgt)
        memo = f"{src}\t{tgt}\t{self._preset_key()}"
        if self.cache is not None and (pair := self.cache.get_pair(self.key, memo)) is not None:
            return pair
        pair = self.plan.family().pair(src, tgt)
        if self.cache is not None:
            self.cache.put_pair(self.key, memo, pair)
        return pair

    def _preset_key(self) -> str:
        """The preset's rules (directions, codes) take part in the check: an edited preset checks again."""
        preset = self.plan.ref.preset
        return json.dumps(asdict(preset), sort_keys=True, default=str) if preset is not None else "-"

    def signature(self) -> dict:
        sig = dict(self.plan.signature()) if self.plan is not None else {}
        sig["cache_key"] = self.key
        return sig
