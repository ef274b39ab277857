"""The CTranslate2 backend, and converting Hugging Face models for it.

A conversion made by :func:`convert` is self-contained: CTranslate2's
``model.bin`` and vocabulary, the Hugging Face tokenizer and config under
``hf/``, and ``mtfix.json`` recording where it came from.

CTranslate2 silently truncates input at 1024 and output at 256 tokens by
default; here both limits are always passed explicitly, after the length guard.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

from mtfix.engine.background import Background
from mtfix.engine.base import Backend, Generated
from mtfix.engine.device import parse_device
from mtfix.engine.families import load_family
from mtfix.engine.hf import first_line, model_limits, quiet_transformers, read_config
from mtfix.engine.registry import CT2_META, CT2_TOKENIZER_DIR, ModelRef, ct2_dir_for, model_fingerprint
from mtfix.errors import MtfixError
from mtfix.cores import usable_cores

QUANTIZATIONS = ("int8", "int8_float32", "int8_float16", "int16", "float16", "bfloat16", "float32")
# Files the tokenizer and our loader need, copied into <conversion>/hf/.
_HF_FILES = (
    "config.json",
    "generation_config.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "tokenizer.json",
    "vocab.json",
    "target_vocab.json",
    "source.spm",
    "target.spm",
    "sentencepiece.bpe.model",
    "spm.model",
    "added_tokens.json",
)


class _M2M100Vocabulary:
    """An M2M100 tokenizer as CTranslate2's converter expects it under transformers 4.

    The converter appends ``special_tokens_map["additional_special_tokens"]`` (the
    ``__ar__`` language tokens) to the vocabulary; transformers 5 no longer lists
    them there, and the conversion fails on the vocabulary size. This lists them,
    in id order; everything else is the tokenizer's own.
    """

    def __init__(self, tokenizer):
        self._tokenizer = tokenizer

    def __getattr__(self, name):
        return getattr(self._tokenizer, name)

    @property
    def special_tokens_map(self) -> dict:
        tokens = self._tokenizer.lang_token_to_id
        return {**self._tokenizer.special_tokens_map, "additional_special_tokens": sorted(tokens, key=tokens.get)}


def _converter_class():
    from ctranslate2.converters import TransformersConverter

    class Converter(TransformersConverter):
        def load_tokenizer(self, tokenizer_class, model_name_or_path, **kwargs):
            tokenizer = super().load_tokenizer(tokenizer_class, model_name_or_path, **kwargs)
            return _M2M100Vocabulary(tokenizer) if hasattr(tokenizer, "lang_token_to_id") else tokenizer

    return Converter


def conversion_status(out: Path, ref: ModelRef, quantization: str) -> str:
    """``missing``, ``current`` (a conversion of these very weights at ``quantization``),
    ``stale`` (of this model folder, but its weights changed since, or another
    quantization) or ``foreign`` (something else)."""
    if not out.exists():
        return "missing"
    meta_path = out / CT2_META
    if not ((out / "model.bin").is_file() and meta_path.is_file()):
        return "foreign"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "foreign"
    if meta.get("source") != str(ref.path.resolve()):
        return "foreign"
    if meta.get("fingerprint") != model_fingerprint(ref) or meta.get("quantization") != quantization:
        return "stale"
    return "current"


def _check_target(ref: ModelRef, out: Path, quantization: str, force: bool) -> str:
    src, dst = ref.path.resolve(), out.resolve()
    if dst == src or src in dst.parents or dst in src.parents:
        raise MtfixError(f"--out {out} would overwrite the model being converted ({ref.path}); choose another folder")
    if out.exists() and not out.is_dir():
        raise MtfixError(f"--out {out} is a file; choose a folder for the conversion")
    if out.is_dir() and not any(out.iterdir()):
        return "missing"  # an empty folder is a place to put the conversion
    status = conversion_status(out, ref, quantization)
    if status == "foreign" and not (out / CT2_META).is_file():
        # --force replaces mtfix's own conversions only, never a folder the tool did not make
        raise MtfixError(f"--out {out} is a folder mtfix did not make (no {CT2_META} in it); choose another --out")
    if status in ("foreign", "stale") and not force:
        what = "holds something else" if status == "foreign" else "holds an older conversion of this model"
        raise MtfixError(f"{out} {what}; choose another --out, or pass --force to replace it")
    return status


def convert(ref: ModelRef, out: Path | None = None, *, quantization: str = "int8", force: bool = False) -> Path:
    """Convert a Hugging Face model to CTranslate2 under ``out`` (default: the models dir).

    An up-to-date conversion of the same weights is reused; anything else at
    ``out`` is replaced only with ``force``. The model folder itself is never a
    valid ``out``. Nothing is left behind on failure."""
    if ref.format == "ct2":
        raise MtfixError(f"{ref.spec} is already a CTranslate2 model")
    if quantization not in QUANTIZATIONS:
        raise MtfixError(f"unknown quantization {quantization}; choose one of {', '.join(QUANTIZATIONS)}")
    out = Path(out) if out else ct2_dir_for(ref.preset.name if ref.preset else ref.spec, quantization)
    if _check_target(ref, out, quantization, force) == "current" and not force:
        return out
    quiet_transformers()
    try:
        return _convert_into(ref, out, quantization)
    except OSError as e:  # read-only folder, full disk, permissions: one line, nothing left
        raise MtfixError(f"cannot write the conversion to {out}: {e.strerror or e}") from None


def _convert_into(ref: ModelRef, out: Path, quantization: str) -> Path:
    """Convert into a temporary folder next to ``out`` (named as :mod:`mtfix.outputs` names
    them, so a killed conversion's leftovers go with the next one, never a live one's) and
    rename it into place; the folders made for it go again if it fails."""
    import ctranslate2

    from mtfix.outputs import atomic_dir, made_folders

    from mtfix.engine.tokenizer import tokenizer_files_problem

    if problem := tokenizer_files_problem(ref.path):  # the converter reads the tokenizer too
        raise MtfixError(f"cannot convert {ref.name} to CTranslate2: {ref.path}: {problem}")
    with made_folders([out]), atomic_dir(out) as tmp:
        try:
            _converter_class()(str(ref.path)).convert(str(tmp), quantization=quantization, force=True)
        except OSError:
            raise  # a full disk, a read-only folder: one line from atomic_dir
        except Exception as e:  # noqa: BLE001 - the converter raises many kinds
            raise MtfixError(f"cannot convert {ref.name} to CTranslate2: {first_line(e)}") from None
        (tmp / CT2_TOKENIZER_DIR).mkdir()
        for name in _HF_FILES:
            if (ref.path / name).is_file():
                shutil.copy(ref.path / name, tmp / CT2_TOKENIZER_DIR / name)
        meta = {
            "source": str(ref.path.resolve()),
            "fingerprint": model_fingerprint(ref),
            "preset": ref.preset.name if ref.preset else None,
            "hub_id": ref.hub_id,
            "revision": ref.revision,
            "quantization": quantization,
            "ctranslate2": ctranslate2.__version__,
        }
        (tmp / CT2_META).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return out


class CT2Translator(Backend):
    backend = "ctranslate2"
    formats = ("ct2", "hf")  # a Hugging Face model is converted on first load
    compute_types = ("default", "auto", "int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16",
                     "float16", "bfloat16", "float32")

    @classmethod
    def from_plan(cls, plan) -> "CT2Translator":
        """The plan's CTranslate2 dir, or its managed conversion (made or redone when missing or stale)."""
        ref = plan.ref
        if ref.format != "ct2":
            path = plan.ct2_path
            if conversion_status(path, ref, plan.quantization) != "current":
                # Our own managed folder: (re)convert when missing or made from other weights.
                convert(ref, path, quantization=plan.quantization, force=True)
            ref = replace(ref, path=path, format="ct2", quantization=plan.quantization)
        # the plan's family is read (unless it was already) while the weights load
        return cls(ref, device=plan.device, compute_type=plan.compute_type, threads=plan.threads,
                   family=plan.family)

    @staticmethod
    def cuda_devices() -> int:
        import ctranslate2

        try:
            return ctranslate2.get_cuda_device_count()
        except Exception:  # noqa: BLE001 - a CPU-only build, a broken driver: no GPU
            return 0

    def __init__(self, ref: ModelRef, *, device: str = "cpu", compute_type: str = "default", threads: int = 0,
                 family=None):
        import ctranslate2

        if ref.format != "ct2":
            raise MtfixError(f"{ref.spec} is not a CTranslate2 model; convert it with `mtfix models convert`")
        if not (ref.path / "config.json").is_file():  # CTranslate2 reads it as JSON null: "type must be string"
            raise MtfixError(f"{ref.path} is a CTranslate2 model without its config.json; convert the model again "
                             f"with `mtfix models convert`")
        if not (ref.hf_dir / "config.json").is_file():
            raise MtfixError(
                f"{ref.path} has no Hugging Face tokenizer/config ({CT2_TOKENIZER_DIR}/); "
                f"convert the model with `mtfix models convert` so the conversion is self-contained"
            )
        # The weights load in C++ without holding the GIL: the tokenizer and the config are read
        # in a thread meanwhile (``family``: the family, or a callable that reads it).
        given = family
        reading = Background(lambda: (given() if callable(given) else given or load_family(ref, light=True),
                                      read_config(ref)), name="mtfix-read-tokenizer")
        # threads=0 means every core this process may use; CTranslate2's own default is 4.
        self.threads = threads if threads > 0 else usable_cores()
        kind, index = parse_device(device)
        try:
            self.translator = ctranslate2.Translator(
                str(ref.path), device=kind, device_index=index, compute_type=compute_type,
                intra_threads=self.threads, inter_threads=1,
            )
        except Exception as e:  # noqa: BLE001
            reading.result()  # its own error first: a missing tokenizer says more than the weights' error
            raise MtfixError(f"cannot load CTranslate2 model {ref.path}: {first_line(e)}") from None
        family, config = reading.result()
        self.device = device
        self.compute_type = self.translator.compute_type
        src_max, tgt_max = model_limits(ref, config, family.tokenizer.max_length)
        super().__init__(ref, family, max_source_tokens=src_max, max_target_tokens=tgt_max)

    def _generate(self, batch, *, target_prefix, beam_size, n_best, length_penalty, max_new_tokens):
        tokens = [self.family.ids_to_tokens(seq) for seq in batch]
        prefix = self.family.ids_to_tokens(target_prefix) if target_prefix else None
        results = self.translator.translate_batch(
            tokens,
            target_prefix=[prefix] * len(tokens) if prefix else None,
            beam_size=beam_size,
            num_hypotheses=n_best,
            length_penalty=length_penalty,
            max_input_length=0,  # no silent truncation: the guard already bounded the input
            max_decoding_length=max_new_tokens,  # counts the target prefix, like max_new_tokens
            return_scores=True,
            return_end_token=True,
        )
        out = []
        for res in results:
            hyps = []
            for toks, score in zip(res.hypotheses, res.scores):
                ids = self.family.tokens_to_ids(toks)
                finished = bool(ids) and ids[-1] == self.family.tokenizer.eos_id
                if finished:
                    ids = ids[:-1]
                hyps.append(Generated(ids=ids[len(target_prefix) :], score=float(score), finished=finished))
            out.append(hyps)
        return out

    def signature(self) -> dict:
        sig = super().signature()
        sig["device"] = self.device
        sig["compute_type"] = self.compute_type
        return sig
