"""Tokenizers: one small interface, two kinds behind it.

:class:`TextTokenizer` is what a model family asks of a tokenizer: source
token ids (language code and ``</s>`` included), text from output ids, the ids
of tokens, the vocabulary. Two kinds implement it:

- :class:`HFTokenizer` wraps the transformers tokenizer (the transformers
  backend, which imports transformers anyway);
- the light ones read the model's own files with SentencePiece and
  ``tokenizers`` only, so the CTranslate2 path imports neither transformers nor
  torch: :class:`MarianSpm` (``source.spm``/``target.spm`` + ``vocab.json``),
  :class:`NllbTokenizers` (``tokenizer.json``), :class:`M2M100Spm`
  (``sentencepiece.bpe.model`` + ``vocab.json``; its language tokens are asked of
  the CTranslate2 vocabulary, never computed from a list of codes).

The light ones give the same ids and the same text as transformers' tokenizers
(tested on the tiny models and on FLORES sentences), including their quirks:
Marian decodes with the source SentencePiece model when the vocabulary is
shared, M2M100 does not treat its language tokens as special.
:func:`light_tokenizer` returns None where a model's files do not allow one.
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Iterable

from mtfix.engine.registry import ModelRef
from mtfix.errors import MtfixError

SPIECE_UNDERLINE = "\u2581"


class TextTokenizer(ABC):
    kind: str = "?"  # "marian", "nllb" or "m2m100"
    eos_id: int
    pad_id: int | None
    unk_id: int
    unk_token: str
    config: dict  # tokenizer_config.json (source_lang, target_lang, ...)

    @property
    def max_length(self) -> int | None:
        value = self.config.get("model_max_length")
        return value if isinstance(value, int) else None

    @abstractmethod
    def encode(self, texts: list[str], src_lang: str | None = None) -> list[list[int]]:
        """Source ids with the model's special tokens; ``src_lang``: the model's code (NLLB, M2M100)."""

    @abstractmethod
    def decode(self, ids: list[int]) -> str:
        """Text of output ids, special tokens skipped."""

    @abstractmethod
    def ids_to_tokens(self, ids: list[int]) -> list[str]: ...

    @abstractmethod
    def tokens_to_ids(self, tokens: list[str]) -> list[int]: ...

    @abstractmethod
    def vocab(self) -> Iterable[str]:
        """Every token the model knows."""

    def token_id(self, token: str) -> int | None:
        """The id of ``token`` if the model really has it (None rather than ``<unk>``)."""
        tid = self.tokens_to_ids([token])[0]
        if tid is None or (tid == self.unk_id and token != self.unk_token):
            return None
        return tid


class HFTokenizer(TextTokenizer):
    """A transformers tokenizer behind the interface."""

    def __init__(self, tokenizer):
        self.hf = tokenizer
        name = type(tokenizer).__name__.lower()
        self.kind = "nllb" if "nllb" in name else "m2m100" if "m2m" in name else "marian"
        self.eos_id = tokenizer.eos_token_id
        self.pad_id = tokenizer.pad_token_id
        self.unk_id = tokenizer.unk_token_id
        self.unk_token = tokenizer.unk_token
        self.config = dict(getattr(tokenizer, "init_kwargs", {}) or {})
        self.config["model_max_length"] = tokenizer.model_max_length

    def encode(self, texts, src_lang=None):
        if src_lang is not None:
            self.hf.src_lang = src_lang
        return self.hf(list(texts)).input_ids

    def decode(self, ids):
        return self.hf.decode(ids, skip_special_tokens=True)

    def ids_to_tokens(self, ids):
        return self.hf.convert_ids_to_tokens(ids)

    def tokens_to_ids(self, tokens):
        return self.hf.convert_tokens_to_ids(tokens)

    def vocab(self):
        return self.hf.get_vocab()


# ----------------------------------------------------------------------------- light tokenizers


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise MtfixError(f"cannot read {path}: {e}") from None


def _spm(path: Path):
    import sentencepiece

    try:
        return sentencepiece.SentencePieceProcessor(model_file=str(path))
    except (OSError, RuntimeError) as e:
        raise MtfixError(f"cannot load {path}: {e}") from None


def _token(value, default: str) -> str:
    """A special token as tokenizer_config.json writes it (a string or an AddedToken dict)."""
    if isinstance(value, dict):
        return value.get("content", default)
    return value if isinstance(value, str) else default


def _splitter(tokens: Iterable[str]):
    """Splits text around ``tokens`` (longest first), keeping them, as transformers' trie does."""
    tokens = sorted({t for t in tokens if t}, key=len, reverse=True)
    if not tokens:
        return lambda text: [text]
    pattern = re.compile("(" + "|".join(map(re.escape, tokens)) + ")")
    return lambda text: [part for part in pattern.split(text) if part]


class MarianSpm(TextTokenizer):
    """MarianTokenizer's ids and text, from ``source.spm``/``target.spm`` and ``vocab.json``."""

    kind = "marian"

    def __init__(self, folder: Path, config: dict):
        self.config = config
        self.encoder: dict[str, int] = _read_json(folder / "vocab.json")
        self.spm_source = _spm(folder / "source.spm")
        self.unk_token = _token(config.get("unk_token"), "<unk>")
        eos, pad = _token(config.get("eos_token"), "</s>"), _token(config.get("pad_token"), "<pad>")
        if self.unk_token not in self.encoder:
            raise MtfixError(f"{folder / 'vocab.json'} has no {self.unk_token} token")
        # Special tokens missing from the vocabulary get the next ids, in this order (as transformers does).
        extra = [_token(t, "") for k in ("additional_special_tokens", "extra_special_tokens")
                 for t in (config.get(k) or []) if isinstance(config.get(k), list)]
        self.added: dict[str, int] = {}
        next_id = len(self.encoder)
        for tok in (eos, self.unk_token, pad, *extra):
            if tok and tok not in self.added:
                self.added[tok] = self.encoder.get(tok, next_id)
                next_id += tok not in self.encoder
        self.decoder = {v: k for k, v in self.encoder.items()}
        self.added_decoder = {v: k for k, v in self.added.items()}
        self.special_ids = set(self.added.values())
        self.eos_id, self.pad_id, self.unk_id = self.added[eos], self.added[pad], self.added[self.unk_token]
        self._split = _splitter(self.added)

    def _pieces(self, text: str) -> list[str]:
        out = []
        for part in self._split(text):
            if part in self.added:
                out.append(part)
                continue
            if part.startswith(">>") and (end := part.find("<<")) != -1:  # a target-language token
                out.append(part[: end + 2])
                part = part[end + 2 :]
            out += self.spm_source.encode(part, out_type=str)
        return out

    def encode(self, texts, src_lang=None):
        return [self.tokens_to_ids(self._pieces(t)) + [self.eos_id] for t in texts]

    def ids_to_tokens(self, ids):
        return [self.added_decoder[i] if i in self.added_decoder else self.decoder.get(i)
                or self.spm_source.IdToPiece(i) or self.unk_token for i in ids]

    def tokens_to_ids(self, tokens):
        return [self.added[t] if t in self.added else self.encoder.get(t, self.unk_id) for t in tokens]

    def decode(self, ids):
        tokens = self.ids_to_tokens([i for i in ids if i not in self.special_ids])
        text = self.spm_source.decode_pieces(tokens).replace(SPIECE_UNDERLINE, " ").strip()
        return _clean_up(text) if self.config.get("clean_up_tokenization_spaces") else text

    def vocab(self):
        return {**self.encoder, **self.added}


class M2M100Spm(TextTokenizer):
    """M2M100Tokenizer's ids and text; the ids of its language tokens come from the
    CTranslate2 vocabulary (the model's own id order)."""

    kind = "m2m100"

    def __init__(self, folder: Path, config: dict, vocabulary: list[str]):
        self.config = config
        self.encoder: dict[str, int] = _read_json(folder / "vocab.json")
        self.decoder = {v: k for k, v in self.encoder.items()}
        self.sp = _spm(folder / "sentencepiece.bpe.model")
        size = len(self.encoder)
        self.lang_ids = {t: i for i, t in enumerate(vocabulary) if i >= size and re.fullmatch(r"__\S+__", t)}
        self.id_to_lang = {i: t for t, i in self.lang_ids.items()}
        names = {k: _token(config.get(f"{k}_token"), d) for k, d in
                 (("bos", "<s>"), ("eos", "</s>"), ("unk", "<unk>"), ("pad", "<pad>"))}
        self.special = {t: self.encoder[t] for t in names.values() if t in self.encoder}
        self.special_ids = set(self.special.values())
        self.unk_token = names["unk"]
        self.eos_id, self.pad_id, self.unk_id = (self.special[names[k]] for k in ("eos", "pad", "unk"))
        self._split = _splitter(self.special)

    def lang_token(self, code):
        return f"__{code}__"

    def encode(self, texts, src_lang=None):
        prefix = [self.lang_ids[self.lang_token(src_lang)]] if src_lang is not None else []
        out = []
        for text in texts:
            pieces = []
            for part in self._split(text):
                pieces += [part] if part in self.special else self.sp.encode(part, out_type=str)
            out.append(prefix + self.tokens_to_ids(pieces) + [self.eos_id])
        return out

    def ids_to_tokens(self, ids):
        return [self.id_to_lang.get(i) or self.decoder.get(i, self.unk_token) for i in ids]

    def tokens_to_ids(self, tokens):
        return [self.lang_ids[t] if t in self.lang_ids else self.special[t] if t in self.special
                else self.encoder.get(t, self.unk_id) for t in tokens]

    def decode(self, ids):
        out, current = "", []
        for token in self.ids_to_tokens([i for i in ids if i not in self.special_ids]):
            if token in self.special:  # an id outside the vocabulary reads as <unk>, kept as text
                out += self.sp.decode(current) + token
                current = []
            else:
                current.append(token)
        text = (out + self.sp.decode(current)).strip()
        return _clean_up(text) if self.config.get("clean_up_tokenization_spaces") else text

    def vocab(self):
        return {**self.encoder, **self.lang_ids}


class NllbTokenizers(TextTokenizer):
    """NllbTokenizer's ids and text, from ``tokenizer.json`` with the ``tokenizers`` library."""

    kind = "nllb"

    def __init__(self, folder: Path, config: dict):
        from tokenizers import Tokenizer

        self.config = config
        try:
            self.tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
        except Exception as e:  # noqa: BLE001 - the library raises its own exception type
            raise MtfixError(f"cannot load {folder / 'tokenizer.json'}: {e}") from None
        self.unk_token = _token(config.get("unk_token"), "<unk>")
        ids = {k: self.tok.token_to_id(_token(config.get(f"{k}_token"), d))
               for k, d in (("eos", "</s>"), ("pad", "<pad>"), ("unk", "<unk>"))}
        if ids["eos"] is None or ids["unk"] is None:
            raise MtfixError(f"{folder / 'tokenizer.json'} has no </s> or <unk> token")
        self.eos_id, self.pad_id, self.unk_id = ids["eos"], ids["pad"], ids["unk"]
        self.legacy = bool(config.get("legacy_behaviour", False))

    def encode(self, texts, src_lang=None):
        lang = self.tok.token_to_id(src_lang) if src_lang is not None else None
        out = []
        for enc in self.tok.encode_batch(list(texts), add_special_tokens=False):
            ids = list(enc.ids)
            if lang is None:
                out.append(ids + [self.eos_id])
            else:
                out.append(ids + [self.eos_id, lang] if self.legacy else [lang] + ids + [self.eos_id])
        return out

    def decode(self, ids):
        return self.tok.decode(ids, skip_special_tokens=True)

    def ids_to_tokens(self, ids):
        return [self.tok.id_to_token(i) for i in ids]

    def tokens_to_ids(self, tokens):
        ids = (self.tok.token_to_id(t) for t in tokens)
        return [self.unk_id if i is None else i for i in ids]

    def token_id(self, token):
        return self.tok.token_to_id(token)

    def vocab(self):
        return self.tok.get_vocab(with_added_tokens=True)


def _clean_up(text: str) -> str:
    """transformers' ``clean_up_tokenization`` (spaces before punctuation and contractions)."""
    for a, b in ((" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m"),
                 (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")):
        text = text.replace(a, b)
    return text


def _ct2_vocabulary(path: Path) -> list[str] | None:
    for name in ("shared_vocabulary.json", "shared_vocabulary.txt"):
        f = path / name
        if f.is_file():
            if f.suffix == ".json":
                return _read_json(f)
            return f.read_text(encoding="utf-8").split("\n")[:-1]
    return None


#: the files transformers reads each family's tokenizer from (one of each tuple), by config.json model_type;
#: without them it fails with "expected str, ... not NoneType", or (NLLB) silently reads every word as <unk>
_TOKENIZER_FILES = {
    "marian": ("a Marian tokenizer", (("vocab.json",), ("source.spm",), ("target.spm",))),
    "nllb": ("an NLLB tokenizer", (("tokenizer.json", "sentencepiece.bpe.model"),)),
    "m2m_100": ("an M2M100 tokenizer", (("vocab.json",), ("sentencepiece.bpe.model",))),
}


def tokenizer_files_problem(folder: Path) -> str | None:
    """What keeps transformers from reading the tokenizer of the model in ``folder``, as a clause
    (``vocab.json is missing (a Marian tokenizer is read from ...)``, ``tokenizer_config.json is
    corrupt (...)``), or None when nothing does (or the model is not one of the families mtfix
    knows: transformers then says what it lacks)."""
    found: dict[str, dict] = {}
    for name in ("config.json", "tokenizer_config.json"):
        if not (folder / name).is_file():
            found[name] = {}
            continue
        try:
            data = json.loads((folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            return f"{name} is corrupt ({e})"
        if not isinstance(data, dict):
            return f"{name} is corrupt (not a JSON object)"
        found[name] = data
    model_type, config = found["config.json"].get("model_type"), found["tokenizer_config.json"]
    cls = str(config.get("tokenizer_class") or "")
    key = "nllb" if model_type == "m2m_100" and "nllb" in cls.lower() else model_type
    if key not in _TOKENIZER_FILES:
        return None
    what, need = _TOKENIZER_FILES[key]
    if key == "marian" and config.get("separate_vocabs"):
        need = need + (("target_vocab.json",),)
    missing = [" or ".join(names) for names in need if not any((folder / n).is_file() for n in names)]
    if not missing:
        return None
    if len(need) == 1:
        return f"{missing[0]} is missing: {what} is read from one of them"
    files = [" or ".join(names) for names in need]
    hint = ("; an NLLB model's tokenizer_config.json names NllbTokenizer, and it is missing too"
            if key == "m2m_100" and not config and (folder / "tokenizer.json").is_file() else "")
    return (f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing "
            f"({what} is read from {', '.join(files[:-1])} and {files[-1]}{hint})")


def light_tokenizer(ref: ModelRef) -> TextTokenizer | None:
    """The model's tokenizer without transformers, or None where its files do not allow one
    (then :class:`HFTokenizer` is used)."""
    folder = ref.hf_dir
    config_path = folder / "tokenizer_config.json"
    config = _read_json(config_path) if config_path.is_file() else {}
    model = _read_json(folder / "config.json") if (folder / "config.json").is_file() else {}
    cls = str(config.get("tokenizer_class") or "")
    if not isinstance(config, dict) or config.get("auto_map"):
        return None
    if model.get("model_type") == "marian" and cls in ("", "MarianTokenizer"):
        if config.get("separate_vocabs") or not all((folder / f).is_file() for f in ("vocab.json", "source.spm")):
            return None
        return MarianSpm(folder, config)
    if model.get("model_type") == "m2m_100":
        if "nllb" in cls.lower() and (folder / "tokenizer.json").is_file():
            return NllbTokenizers(folder, config)
        if (cls in ("M2M100Tokenizer", "") and ref.format == "ct2"
                and all((folder / f).is_file() for f in ("sentencepiece.bpe.model", "vocab.json"))):
            vocabulary = _ct2_vocabulary(ref.path)
            return M2M100Spm(folder, config, vocabulary) if vocabulary else None
    return None
