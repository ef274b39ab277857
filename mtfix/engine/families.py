"""What differs between model families: language codes, prefixes, decoding.

- Marian (Helsinki-NLP opus-mt): one direction per model; multi-target models
  need a target token such as ``>>ara<<`` at the start of the source.
- NLLB: FLORES-200 codes; the source starts with ``src_lang`` and decoding is
  forced to start with the target code (``forced_bos_token_id``).
- M2M100: the same scheme with ``__ar__`` codes.

A family validates a language pair once (:meth:`Family.pair`) and turns texts
into token ids and back through a :class:`~mtfix.engine.tokenizer.TextTokenizer`.
Token ids always come from the tokenizer, never from constants.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mtfix.engine import languages
from mtfix.engine.registry import ModelRef
from mtfix.errors import MtfixError

_MARIAN_TARGET_TOKEN = re.compile(r"^>>[\w-]+<<$")


@dataclass(frozen=True)
class Pair:
    """A validated language pair, in the model's own terms."""

    src: str  # mtfix code, e.g. "ar"
    tgt: str
    src_code: str | None  # model's code for the source (NLLB/M2M100)
    source_prefix: str  # text put before every source (Marian multi-target)
    target_prefix: tuple[int, ...]  # token ids decoding must start with (NLLB/M2M100)

    @property
    def direction(self) -> str:
        return f"{self.src}-{self.tgt}"


class Family:
    name = "base"

    def __init__(self, tokenizer, ref: ModelRef):
        self.tokenizer = tokenizer
        self.ref = ref
        self.preset = ref.preset

    # -- languages -----------------------------------------------------------
    def pair(self, src: str, tgt: str) -> Pair:
        raise NotImplementedError

    def _check_direction(self, src: str, tgt: str) -> None:
        if self.preset and self.preset.directions and f"{src}-{tgt}" not in self.preset.directions:
            dirs = ", ".join(self.preset.directions)
            raise MtfixError(f"model {self.ref.name} translates {dirs}, not {src}-{tgt}; choose a model for that direction")

    # -- tokens --------------------------------------------------------------
    def encode(self, texts: list[str], pair: Pair) -> list[list[int]]:
        """Source token ids, special tokens included."""
        raise NotImplementedError

    def decode(self, ids: list[int]) -> str:
        return self.tokenizer.decode(ids).strip()

    def ids_to_tokens(self, ids: list[int]) -> list[str]:
        return self.tokenizer.ids_to_tokens(ids)

    def tokens_to_ids(self, tokens: list[str]) -> list[int]:
        return self.tokenizer.tokens_to_ids(tokens)

    def token_id(self, token: str) -> int | None:
        """The id of ``token`` if the tokenizer really has it (None rather than <unk>)."""
        return self.tokenizer.token_id(token)


class MarianFamily(Family):
    name = "marian"

    def __init__(self, tokenizer, ref: ModelRef):
        super().__init__(tokenizer, ref)
        # a cheap prefix test before the pattern: the vocabulary has tens of thousands of pieces
        self.target_tokens = sorted(t for t in tokenizer.vocab() if t[:2] == ">>" and _MARIAN_TARGET_TOKEN.match(t))
        self._declared = (tokenizer.config.get("source_lang"), tokenizer.config.get("target_lang"))

    @property
    def multi_target(self) -> bool:
        return bool(self.target_tokens)

    def _target_token(self, tgt: str) -> str:
        wanted = []
        if self.preset and tgt in self.preset.target_tokens:
            wanted.append(self.preset.target_tokens[tgt])
        lang = languages.lookup(tgt)
        if lang:
            wanted += [f">>{lang.iso3}<<", f">>{lang.code}<<", f">>{lang.flores}<<"]
        wanted.append(f">>{tgt}<<")
        for token in wanted:
            if token in self.target_tokens:
                return token
        shown = ", ".join(self.target_tokens[:12]) + (" ..." if len(self.target_tokens) > 12 else "")
        raise MtfixError(f"model {self.ref.name} cannot translate into {tgt!r}: its target tokens are {shown}")

    def _check_declared(self, src: str, tgt: str) -> None:
        # opus-mt tokenizer configs record source_lang/target_lang ("ar", "en"); use them
        # when they are real language codes.
        for side, declared, given in (("source", self._declared[0], src), ("target", self._declared[1], tgt)):
            lang = languages.lookup(declared) if declared else None
            if lang and lang.code != given and not (side == "target" and self.multi_target):
                raise MtfixError(
                    f"model {self.ref.name} has {side} language {lang.code}, not {given}; choose a model for that direction"
                )

    def pair(self, src: str, tgt: str) -> Pair:
        src, tgt = languages.canonical(src), languages.canonical(tgt)
        self._check_direction(src, tgt)
        if not self.preset:
            self._check_declared(src, tgt)
        prefix = f"{self._target_token(tgt)} " if self.multi_target else ""
        return Pair(src=src, tgt=tgt, src_code=None, source_prefix=prefix, target_prefix=())

    def encode(self, texts: list[str], pair: Pair) -> list[list[int]]:
        return self.tokenizer.encode([pair.source_prefix + t for t in texts])


class NllbFamily(Family):
    """NLLB-200 (FLORES codes) and M2M100 (``__xx__`` codes)."""

    name = "nllb"
    code_hint = "NLLB codes look like arb_Arab, eng_Latn"

    def _model_code(self, lang: str) -> str:
        if self.preset and lang in self.preset.languages:
            return self.preset.languages[lang]
        known = languages.lookup(lang)
        if known:
            return known.flores
        return lang

    def _code_id(self, code: str, side: str) -> int:
        token_id = self.token_id(self._code_token(code))
        if token_id is None or token_id == self.tokenizer.unk_id:
            raise MtfixError(
                f"model {self.ref.name} has no language code {code!r} for the {side} "
                f"({self.code_hint})"
            )
        return token_id

    def _code_token(self, code: str) -> str:
        return code

    def pair(self, src: str, tgt: str) -> Pair:
        src_code, tgt_code = self._model_code(src.strip()), self._model_code(tgt.strip())
        src_c, tgt_c = languages.canonical(src), languages.canonical(tgt)
        self._check_direction(src_c, tgt_c)
        self._code_id(src_code, "source")
        tgt_id = self._code_id(tgt_code, "target")
        return Pair(src=src_c, tgt=tgt_c, src_code=src_code, source_prefix="", target_prefix=(tgt_id,))

    def encode(self, texts: list[str], pair: Pair) -> list[list[int]]:
        ids = self.tokenizer.encode(texts, src_lang=pair.src_code)
        # The tokenizer must have put the real language code first or last.
        code_id = self.token_id(self._code_token(pair.src_code))
        for seq in ids[:1]:
            if code_id not in seq:
                raise MtfixError(f"tokenizer of {self.ref.name} did not add the source code {pair.src_code}")
        return ids


class M2M100Family(NllbFamily):
    name = "m2m100"
    code_hint = "M2M100 codes look like ar, en"

    def _model_code(self, lang: str) -> str:
        if self.preset and lang in self.preset.languages:
            return self.preset.languages[lang]
        return languages.canonical(lang)

    def _code_token(self, code: str) -> str:
        return f"__{code}__"


def detect_family(ref: ModelRef, tokenizer, config: dict) -> str:
    if ref.preset:
        return ref.preset.family
    model_type = config.get("model_type", "")
    if model_type == "marian":
        return "marian"
    if model_type == "m2m_100":
        return "nllb" if tokenizer.kind == "nllb" else "m2m100"
    raise MtfixError(
        f"model {ref.name}: unsupported model type {model_type or '?'}; "
        f"mtfix supports MarianMT (opus-mt), NLLB and M2M100"
    )


def make_family(ref: ModelRef, tokenizer, config: dict) -> Family:
    cls = {"marian": MarianFamily, "nllb": NllbFamily, "m2m100": M2M100Family}[detect_family(ref, tokenizer, config)]
    return cls(tokenizer, ref)


def load_family(ref: ModelRef, *, light: bool = False) -> Family:
    """The family of the model at ``ref``, with its tokenizer; no weights are loaded.

    ``light``: read the tokenizer with SentencePiece / ``tokenizers`` alone (the
    CTranslate2 path: no transformers, no torch) where the model's files allow it."""
    from mtfix.engine.hf import load_tokenizer, read_config
    from mtfix.engine.tokenizer import HFTokenizer, light_tokenizer, tokenizer_files_problem

    tokenizer = light_tokenizer(ref) if light else None
    if tokenizer is None and (problem := tokenizer_files_problem(ref.hf_dir)):
        raise MtfixError(f"cannot load the tokenizer of {ref.name} from {ref.hf_dir}: {problem}")
    return make_family(ref, tokenizer or HFTokenizer(load_tokenizer(ref)), read_config(ref))
