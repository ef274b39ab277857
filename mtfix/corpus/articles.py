"""Garbled Arabic articles as a source of pairs: repair each, pair pivot and repair.

Every article goes through stage 0 and the repair loop, as in ``mtfix repair``
(:func:`mtfix.repair.stage0.repair_article`): each sentence is back-translated into English (the pivot), re-translated,
scored, and the best Arabic kept. Each sentence then becomes a pair
``(pivot English, repaired Arabic)`` with the garbled sentence kept as
``original`` and its provenance (file, 1-based line, document id = the path
relative to the folder given, sentence index). Translators are the engine's
cached ones, so a resumed run repairs the article it stopped in again from
the translation cache without loading a model.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator, Sequence

from mtfix.corpus.readers import Item, Source, file_fingerprint
from mtfix.corpus.records import BadRow, Pair
from mtfix.errors import MtfixError

__all__ = ["ArticleSource", "find_articles", "ARTICLE_SUFFIXES"]

ARTICLE_SUFFIXES = (".txt", ".md", ".markdown")


def find_articles(paths: Sequence[str | os.PathLike]) -> list[tuple[Path, str]]:
    """``(path, doc id)`` of every article: files as given, folders searched for
    ``.txt``/``.md`` files (sorted, recursively; doc id = path inside the folder)."""
    from mtfix.text.read import text_name  # a doc id is UTF-8 text: a name that is not UTF-8, escaped

    found: list[tuple[Path, str]] = []
    for p in map(Path, paths):
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in ARTICLE_SUFFIXES
                           and not any(part.startswith(".") for part in f.relative_to(p).parts))
            if not files:
                raise MtfixError(f"{p}: no articles in it (looked for {', '.join(ARTICLE_SUFFIXES)} files)")
            found += [(f, text_name(f.relative_to(p).as_posix())) for f in files]
        elif p.is_file():
            found.append((p, text_name(p.name)))
        else:
            from mtfix.text.read import no_such_file

            raise no_such_file(p, "file or folder")
    return found


class ArticleSource(Source):
    """Pairs from repairing garbled Arabic articles (see the module docstring).

    ``back``/``forward`` are ``(name, translator)`` pairs as for
    :func:`mtfix.repair.repair_text`; ``decoding`` and ``scoring`` its options.
    """

    format = "articles"

    def __init__(self, paths: Sequence[str | os.PathLike], *, back, forward, decoding=None, scoring=None,
                 langs: tuple[str, str] = ("en", "ar")):
        super().__init__(langs)
        if tuple(langs) != ("en", "ar"):
            raise MtfixError(f"articles give (English pivot, repaired Arabic) pairs; the pipeline says "
                             f"{langs[0]}, {langs[1]}: set src_lang = \"en\", tgt_lang = \"ar\"")
        from mtfix.repair.models import RepairDecoding

        self.paths = list(paths)
        self.back = list(back)
        self.forward = list(forward)
        self.decoding = decoding or RepairDecoding()
        self.scoring = scoring
        self.order = ("en", "ar")
        self.articles: list[tuple[Path, str]] = []

    def check(self) -> None:
        self.articles = find_articles(self.paths)

    def describe(self) -> dict:
        return {"format": self.format, "files": [file_fingerprint(p) for p, _ in self.articles]}

    def options(self) -> dict:
        return {"format": self.format, "articles": len(self.articles)}

    def count(self) -> int | None:
        return None

    def read(self, cursor: dict | None = None) -> Iterator[tuple[Item, dict]]:
        from mtfix.repair.pipeline import check_article
        from mtfix.repair.stage0 import repair_article
        from mtfix.text.glossary import load_glossaries
        from mtfix.text.read import read_text, text_name

        doc = cursor["doc"] if cursor else 0
        start = cursor["segment"] if cursor else 0
        for i in range(doc, len(self.articles)):
            path, doc_id = self.articles[i]
            name = text_name(path)
            nxt = {"doc": i + 1, "segment": 0}
            try:  # a bad article is a bad row; a model failing is not (it stops the run)
                text = read_text(path)
                check_article(text, src="ar", name=name)
            except MtfixError as e:
                yield BadRow(name, 0, str(e)), nxt
                start = 0
                continue
            # stage 0 (rule fixes, glossary) first, as `mtfix repair` does; `original` stays the input's
            article = repair_article(text, back=self.back, forward=self.forward, glossary=load_glossaries(),
                                     name=name, decoding=self.decoding, config=self.scoring)
            result, given = article.model_result, article.report()["sentences"]
            decisions = result.selection.decisions
            n = len(result.pools)
            for j in range(start, n):
                pool = result.pools[j]
                pivot = pool.pivots[0].text if pool.pivots else ""
                repaired = pool.candidates[decisions[j].chosen].text
                pair = Pair(pivot, repaired, source=name, line=given[j]["line"], segment=j, doc_id=doc_id,
                            original=given[j]["input"])
                yield pair, (nxt if j == n - 1 else {"doc": i, "segment": j + 1})
            start = 0


def repair_description(back, forward, decoding, scoring) -> dict:
    """What the repaired pairs depend on (for the corpus signature)."""
    from mtfix.repair.models import translator_signatures

    line = (f"back={'+'.join(n for n, _ in back)},fwd={'+'.join(n for n, _ in forward)},"
            f"beam={decoding.beam_size},nbest={decoding.back_n_best}x{decoding.forward_n_best},stage0=rules+glossary")
    return {"line": line, "back_models": translator_signatures(back),
            "forward_models": translator_signatures(forward),
            "decoding": decoding.to_dict(), "scoring": scoring.as_dict() if scoring is not None else None}
