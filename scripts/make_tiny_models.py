#!/usr/bin/env python
"""Build tiny random-weight translation models for the tests, offline.

    python scripts/make_tiny_models.py OUTDIR

writes, in Hugging Face format:

- ``OUTDIR/marian-ar-en``: MarianMT, single target (like Helsinki-NLP/opus-mt-ar-en)
- ``OUTDIR/marian-en-ar``: MarianMT, multi-target: the source needs a ``>>ara<<``
  prefix (like Helsinki-NLP/opus-mt-en-ar)
- ``OUTDIR/nllb``: M2M100 architecture with an NLLB tokenizer and its language
  codes (``arb_Arab``, ``eng_Latn``, ...), like facebook/nllb-200-distilled-600M
- ``OUTDIR/m2m100``: M2M100 with its own tokenizer and ``__ar__`` codes, like
  facebook/m2m100_418M

Weights are random (seeded, so every build is identical); the SentencePiece
models are trained on the text in ``scripts/data/`` and the seed article, as
transformers' own tests do. The saved generation configs carry the same traps
as the real hub models (``forced_eos_token_id``, ``max_length=512``,
``num_beams``) so the engine is tested against them.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPUS_EN = HERE / "data" / "tiny_corpus.en"
CORPUS_AR = HERE / "data" / "tiny_corpus.ar"
SEEDS = REPO / "seeds"

#: Every tiny model accepts at most this many source tokens, so tests can
#: exercise the length guard with ordinary sentences.
TINY_MAX_POSITIONS = 48
#: Extra target-language tokens of the multi-target Marian model.
MULTI_TARGET_CODES = (">>ara<<", ">>arz<<", ">>apc<<")
SIZES = dict(d_model=32, layers=2, heads=2, ffn=64)


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _arabic_text() -> list[str]:
    lines = _lines(CORPUS_AR)
    for seed in sorted(SEEDS.glob("*.txt")):
        lines += _lines(seed)
    return lines


def train_spm(lines: list[str], prefix: Path, vocab_size: int, model_type: str = "unigram") -> Path:
    import sentencepiece as spm

    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_prefix=str(prefix),
        vocab_size=vocab_size,
        model_type=model_type,
        character_coverage=1.0,
        hard_vocab_limit=False,
        num_threads=1,
        minloglevel=2,
        # Marian/NLLB conventions: <unk>=0, <s>=1, </s>=2 inside the spm; the
        # Hugging Face vocab decides the final ids.
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
    )
    return Path(f"{prefix}.model")


def _spm_pieces(model: Path) -> list[str]:
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(model))
    return [sp.id_to_piece(i) for i in range(sp.get_piece_size())]


def _architecture(sizes: dict, max_positions: int) -> dict:
    """Encoder-decoder shape arguments shared by MarianConfig and M2M100Config."""
    return dict(
        d_model=sizes["d_model"],
        encoder_layers=sizes["layers"],
        decoder_layers=sizes["layers"],
        encoder_attention_heads=sizes["heads"],
        decoder_attention_heads=sizes["heads"],
        encoder_ffn_dim=sizes["ffn"],
        decoder_ffn_dim=sizes["ffn"],
        max_position_embeddings=max_positions,
    )


def _randomise(model, std: float) -> None:
    """Re-initialise every weight with a wide normal, so logits have clear maxima
    (greedy search is then stable across backends and float orderings)."""
    import torch

    gen = torch.Generator().manual_seed(1234)
    with torch.no_grad():
        for name, p in sorted(model.named_parameters()):
            if "layer_norm" in name or "layernorm" in name or "embed_positions" in name:
                continue  # keep unit norms and the sinusoidal position tables
            p.copy_(torch.randn(p.shape, generator=gen) * std)
        # The <pad> embedding stays zero, as trained models have it: Marian starts
        # decoding from <pad>, which CTranslate2 reads as a zero embedding.
        pad = model.config.pad_token_id
        model.get_input_embeddings().weight[pad].zero_()


def _set_generation_traps(model, *, num_beams: int) -> None:
    """Like the hub models: these survive a passed GenerationConfig in transformers 5."""
    gc = model.generation_config
    gc.max_length = 512
    gc.num_beams = num_beams
    gc.forced_eos_token_id = model.config.eos_token_id


def build_marian(
    out: Path,
    src_lines: list[str],
    tgt_lines: list[str],
    *,
    source_lang: str,
    target_lang: str,
    target_codes=(),
    sizes: dict | None = None,
    spm_vocab: int = 600,
    vocab_size: int | None = None,
    max_positions: int = TINY_MAX_POSITIONS,
    std: float = 0.35,
    before_save=None,
) -> Path:
    """A MarianMT model under ``out``. The defaults build the tiny test models;
    the benchmark passes opus-mt sizes: ``sizes`` (d_model, layers, heads, ffn),
    ``spm_vocab`` pieces per SentencePiece side, ``vocab_size`` (the joint
    vocabulary is padded with unused filler pieces up to this size, like the
    ~62k of opus-mt), ``max_positions``, the weights' ``std``, and
    ``before_save(model, tokenizer)`` to adjust the model before it is saved."""
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    sizes = sizes or SIZES
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        src_spm = train_spm(src_lines, tmp / "source", spm_vocab)
        tgt_spm = train_spm(tgt_lines, tmp / "target", spm_vocab)
        shutil.copy(src_spm, out / "source.spm")
        shutil.copy(tgt_spm, out / "target.spm")
    # Marian's joint vocab: </s>=0, <unk>=1, then pieces, then <pad> last.
    vocab: dict[str, int] = {"</s>": 0, "<unk>": 1}
    for piece in list(target_codes) + _spm_pieces(out / "source.spm") + _spm_pieces(out / "target.spm"):
        if piece not in vocab and piece not in ("<s>",):
            vocab[piece] = len(vocab)
    while vocab_size is not None and len(vocab) < vocab_size - 1:
        vocab[f"\u2581filler{len(vocab)}"] = len(vocab)  # never produced by the SentencePiece models
    vocab["<pad>"] = len(vocab)
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, indent=0), encoding="utf-8")
    (out / "tokenizer_config.json").write_text(
        json.dumps(
            {
                "tokenizer_class": "MarianTokenizer",
                "model_max_length": max_positions,
                "separate_vocabs": False,
                "source_lang": source_lang,  # as opus-mt configs record them
                "target_lang": target_lang,
            }
        ),
        encoding="utf-8",
    )
    tok = MarianTokenizer.from_pretrained(out)
    config = MarianConfig(
        vocab_size=len(vocab),
        decoder_vocab_size=len(vocab),
        **_architecture(sizes, max_positions),
        pad_token_id=tok.pad_token_id,
        eos_token_id=tok.eos_token_id,
        decoder_start_token_id=tok.pad_token_id,
        forced_eos_token_id=tok.eos_token_id,
        activation_function="swish",
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
    )
    torch.manual_seed(0)
    model = MarianMTModel(config).eval()
    _randomise(model, std=std)
    _set_generation_traps(model, num_beams=4)
    model.generation_config.bad_words_ids = [[tok.pad_token_id]]
    if before_save is not None:
        before_save(model, tok)
    model.save_pretrained(out)
    return out


def build_nllb(out: Path, lines: list[str]) -> Path:
    from transformers import NllbTokenizer
    from transformers.models.nllb.tokenization_nllb import FAIRSEQ_LANGUAGE_CODES

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        spm_model = train_spm(lines, tmp / "sentencepiece.bpe", 1000, model_type="bpe")
        raw = tmp / "raw"
        raw.mkdir()
        shutil.copy(spm_model, raw / "sentencepiece.bpe.model")
        # A bare spm is converted through protobuf. The language codes must be
        # passed explicitly: otherwise `arb_Arab` silently becomes <unk>.
        tok = NllbTokenizer.from_pretrained(
            raw, src_lang="eng_Latn", tgt_lang="arb_Arab", extra_special_tokens=list(FAIRSEQ_LANGUAGE_CODES)
        )
        tok.model_max_length = TINY_MAX_POSITIONS
        tok.save_pretrained(out)
    tok = NllbTokenizer.from_pretrained(out)
    for code in ("arb_Arab", "eng_Latn"):
        if tok.convert_tokens_to_ids(code) == tok.unk_token_id:
            raise SystemExit(f"tiny NLLB tokenizer lost the language code {code}")
    return _save_m2m100(out, tok)


def build_m2m100(out: Path, lines: list[str]) -> Path:
    """M2M100 (facebook/m2m100_418M-like): ``__ar__``/``__en__`` language tokens."""
    from transformers.models.m2m_100.tokenization_m2m_100 import M2M100Tokenizer

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        spm_model = train_spm(lines, Path(tmp) / "spm", 1000, model_type="bpe")
        shutil.copy(spm_model, out / "sentencepiece.bpe.model")
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for piece in _spm_pieces(out / "sentencepiece.bpe.model"):
        vocab.setdefault(piece, len(vocab))
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    (out / "tokenizer_config.json").write_text(
        json.dumps({"tokenizer_class": "M2M100Tokenizer", "model_max_length": TINY_MAX_POSITIONS,
                    "src_lang": "en", "tgt_lang": "ar"}),
        encoding="utf-8",
    )
    tok = M2M100Tokenizer.from_pretrained(out)
    if tok.get_lang_id("ar") == tok.unk_token_id:
        raise SystemExit("tiny M2M100 tokenizer lost the language code __ar__")
    # Language tokens and "madeup words" sit after the vocabulary it reports, as in facebook/m2m100_418M.
    return _save_m2m100(out, tok, vocab_size=max(tok.lang_token_to_id.values()) + 1 + tok.num_madeup_words)


def _save_m2m100(out: Path, tok, vocab_size: int | None = None) -> Path:
    """The M2M100 architecture (NLLB's too) around ``tok``, random weights, hub-like traps."""
    import torch
    from transformers import M2M100Config, M2M100ForConditionalGeneration

    config = M2M100Config(
        vocab_size=vocab_size or len(tok),
        **_architecture(SIZES, TINY_MAX_POSITIONS),
        pad_token_id=tok.pad_token_id,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
        decoder_start_token_id=tok.eos_token_id,
        activation_function="relu",
        scale_embedding=True,
        tie_word_embeddings=True,
    )
    torch.manual_seed(0)
    model = M2M100ForConditionalGeneration(config).eval()
    _randomise(model, std=0.35)
    _set_generation_traps(model, num_beams=4)
    model.save_pretrained(out)
    return out


def build_all(outdir: str | Path) -> dict[str, Path]:
    """Build the tiny models under ``outdir``; returns name -> directory."""
    outdir = Path(outdir)
    en, ar = _lines(CORPUS_EN), _arabic_text()
    return {
        "marian-ar-en": build_marian(outdir / "marian-ar-en", ar, en, source_lang="ar", target_lang="en"),
        "marian-en-ar": build_marian(
            outdir / "marian-en-ar", en, ar, source_lang="en", target_lang="ar", target_codes=MULTI_TARGET_CODES
        ),
        "nllb": build_nllb(outdir / "nllb", en + ar),
        "m2m100": build_m2m100(outdir / "m2m100", en + ar),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", help="folder to write marian-ar-en/, marian-en-ar/, nllb/ and m2m100/ into")
    args = parser.parse_args(argv)
    for name, path in build_all(args.outdir).items():
        print(f"{name}: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
