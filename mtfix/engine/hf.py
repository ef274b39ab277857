"""The transformers backend (PyTorch, CPU or GPU)."""

from __future__ import annotations

import json

from mtfix.engine.base import Backend, Generated
from mtfix.engine.families import load_family
from mtfix.engine.openmp import calm_openmp
from mtfix.engine.registry import ModelRef
from mtfix.errors import MtfixError


def quiet_transformers() -> None:
    """No weight-loading progress bars or advice on our stderr: mtfix reports itself.

    Called before anything of transformers (or torch) is imported: it also sets
    how torch's OpenMP threads wait (:mod:`mtfix.engine.openmp`)."""
    calm_openmp()
    from transformers.utils import logging

    logging.disable_progress_bar()
    logging.set_verbosity_error()


def load_tokenizer(ref: ModelRef):
    quiet_transformers()
    try:
        marian = _is_marian(ref)
        if marian:
            # The class AutoTokenizer resolves a Marian model to, imported directly:
            # AutoTokenizer's machinery imports torch (~190 MB of RSS, ~1 s), which a
            # CTranslate2 translator never needs.
            from transformers.models.marian.tokenization_marian import MarianTokenizer

            return MarianTokenizer.from_pretrained(str(ref.hf_dir))
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(str(ref.hf_dir))
    except Exception as e:  # noqa: BLE001 - any failure to load is the model's, reported in one line
        raise MtfixError(f"cannot load the tokenizer of {ref.name} from {ref.hf_dir}: {first_line(e)}") from None


def _is_marian(ref: ModelRef) -> bool:
    """A Marian model whose tokenizer config names MarianTokenizer, or no class at all."""
    try:
        config = json.loads((ref.hf_dir / "config.json").read_text(encoding="utf-8"))
        tok_config = json.loads((ref.hf_dir / "tokenizer_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False  # AutoTokenizer decides, and reports what is wrong
    return (
        isinstance(config, dict)
        and isinstance(tok_config, dict)
        and config.get("model_type") == "marian"
        # opus-mt configs often name no class at all ({"source_lang": "ar", "target_lang": "en"})
        and tok_config.get("tokenizer_class", "MarianTokenizer") == "MarianTokenizer"
        and not tok_config.get("auto_map")
    )


def read_config(ref: ModelRef) -> dict:
    try:
        return json.loads((ref.hf_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise MtfixError(f"cannot read {ref.hf_dir / 'config.json'}: {first_line(e)}") from None


def model_limits(ref: ModelRef, config: dict, tok_max: int | None) -> tuple[int, int]:
    """(max source tokens, max target tokens): the preset's, else the config's (and the tokenizer's)."""
    positions = int(config.get("max_position_embeddings") or 512)
    if isinstance(tok_max, int) and 0 < tok_max < 100_000:
        positions = min(positions, tok_max)
    preset = ref.preset
    src = preset.max_source_tokens if preset and preset.max_source_tokens else positions
    tgt = preset.max_target_tokens if preset and preset.max_target_tokens else positions
    return min(src, positions), min(tgt, positions)


def first_line(e: Exception) -> str:
    """``Type: first line of the message`` of an error from transformers, a converter, torch ...
    (one whose first line points at a report above it, which mtfix does not print, says what
    that report would)."""
    text = str(e).strip().splitlines()
    if text and "ignore_mismatched_sizes" in text[0]:
        return ("the weights' sizes do not match config.json (d_model, vocab_size, layers ...): one is damaged or "
                "another model's")
    return f"{type(e).__name__}: {text[0]}" if text else type(e).__name__


class StepScores:
    """Records each decoding step's scores of the tokens that can be chosen, nothing more.

    Passed as the last logits processor, it sees the final processed scores of
    every step: log-probabilities in beam search, processed logits in greedy
    search (normalised here, as ``compute_transition_scores(normalize_logits=True)``
    does). A beam keeps per step the best ``2 * beam`` continuations of all its
    rows, so a chosen token is always among its row's top ``2 * beam`` scores;
    greedy picks the top one. Keeping only those replaces ``output_scores``,
    which holds a rows x vocabulary copy of every step (GBs for a batch of a
    62k-vocabulary model) and stacks them all at the end.
    """

    def __init__(self, beam_size: int):
        self.k = 1 if beam_size == 1 else 2 * beam_size + 1  # at most the vocabulary (see __call__)
        self.normalize = beam_size == 1
        self.steps: list[tuple] = []

    def __call__(self, input_ids, scores):
        import torch

        values, ids = torch.topk(scores.float(), min(self.k, scores.shape[-1]), dim=-1)
        if self.normalize:
            values = values - torch.logsumexp(scores.float(), dim=-1, keepdim=True)
        self.steps.append((values, ids))
        return scores

    def transition_scores(self, sequences, beam_indices=None) -> list[list[float]]:
        """Per returned sequence, the score of each generated token (0.0 where none).

        The score of token ``t`` of a sequence is looked up in the row its beam
        had at step ``t`` (``beam_indices``; the sequence's own row in greedy
        search): the recorded value of that token, or the row's lowest recorded
        value where the token is not among them. One gather over all steps at
        once: about 5 times faster than the Python loop over sequences x steps x k
        it replaced, which was a small part of decoding all the same (25 ms of a
        1 s beam-4 batch of a tiny model; ``scripts/bench_hf.py``)."""
        import torch

        tokens = sequences[:, 1:]  # after the decoder start token
        n_seq, length = tokens.shape
        n = min(length, len(self.steps))
        if n == 0:
            return [[0.0] * length for _ in range(n_seq)]
        values = torch.stack([v for v, _ in self.steps[:n]])  # steps x rows x k
        ids = torch.stack([i for _, i in self.steps[:n]])
        device = values.device
        rows = torch.full((n_seq, n), -1, dtype=torch.long, device=device)
        if beam_indices is None:
            rows[:] = torch.arange(n_seq, device=device).unsqueeze(1)
        else:
            known = min(n, beam_indices.shape[1])
            rows[:, :known] = beam_indices[:, :known]
        steps = torch.arange(n, device=device).unsqueeze(0).expand(n_seq, n)
        picked_values = values[steps, rows.clamp(min=0)]  # sequences x steps x k
        match = ids[steps, rows.clamp(min=0)] == tokens[:, :n].to(device).unsqueeze(-1)
        # the first recorded occurrence of the token (argmax: the first of equal maxima), else the last value
        where = torch.where(match.any(-1), match.to(torch.uint8).argmax(-1), values.shape[-1] - 1)
        scores = picked_values.gather(-1, where.unsqueeze(-1)).squeeze(-1)
        scores = torch.where(rows >= 0, scores, torch.zeros_like(scores))  # past this hypothesis' end
        return [row + [0.0] * (length - n) for row in scores.tolist()]


_DTYPES = {"float32": "float32", "float16": "float16", "bfloat16": "bfloat16"}


class HFTranslator(Backend):
    backend = "transformers"
    compute_types = ("default", *_DTYPES)

    @classmethod
    def from_plan(cls, plan) -> "HFTranslator":
        return cls(plan.ref, device=plan.device, compute_type=plan.compute_type, threads=plan.threads,
                   family=plan.family())

    @staticmethod
    def cuda_devices() -> int:
        import torch

        return torch.cuda.device_count() if torch.cuda.is_available() else 0

    def __init__(self, ref: ModelRef, *, device: str = "cpu", compute_type: str = "default", threads: int = 0,
                 family=None):
        quiet_transformers()
        import torch
        from transformers import AutoModelForSeq2SeqLM, GenerationConfig

        if ref.format != "hf":
            raise MtfixError(f"{ref.spec} is a CTranslate2 model; use --backend ctranslate2")
        family = family or load_family(ref)
        tokenizer = family.tokenizer
        config = read_config(ref)
        if threads > 0:
            torch.set_num_threads(threads)
        try:
            model = AutoModelForSeq2SeqLM.from_pretrained(str(ref.path), revision=None)
        except Exception as e:  # noqa: BLE001 - safetensors, torch, config errors alike
            raise MtfixError(
                f"cannot load model {ref.name} from {ref.path}: {first_line(e)}; pull it again or pass another --model"
            ) from None
        if compute_type in _DTYPES:
            model = model.to(getattr(torch, _DTYPES[compute_type]))
        self.compute_type = compute_type
        model.eval().to(device)
        saved = model.generation_config
        # transformers 5 merges the options we pass with the saved generation
        # config (forced_eos_token_id, max_length, num_beams, ... survive). Replace
        # it with one that holds only token ids; every decoding option is passed
        # explicitly in _generate.
        model.generation_config = GenerationConfig(
            decoder_start_token_id=saved.decoder_start_token_id,
            bos_token_id=saved.bos_token_id,
            eos_token_id=saved.eos_token_id,
            pad_token_id=saved.pad_token_id if saved.pad_token_id is not None else tokenizer.pad_id,
            bad_words_ids=saved.bad_words_ids,
        )
        self.model = model
        self.device = device
        self.torch = torch
        self.eos_id = saved.eos_token_id if saved.eos_token_id is not None else tokenizer.eos_id
        self.pad_id = model.generation_config.pad_token_id
        src_max, tgt_max = model_limits(ref, config, tokenizer.max_length)
        super().__init__(ref, family, max_source_tokens=src_max, max_target_tokens=tgt_max)

    def _generate(self, batch, *, target_prefix, beam_size, n_best, length_penalty, max_new_tokens):
        from transformers import LogitsProcessorList

        torch = self.torch
        width = max(len(s) for s in batch)
        input_ids = torch.full((len(batch), width), self.pad_id, dtype=torch.long)
        attention = torch.zeros((len(batch), width), dtype=torch.long)
        for row, seq in enumerate(batch):
            input_ids[row, : len(seq)] = torch.tensor(seq)
            attention[row, : len(seq)] = 1
        recorder = StepScores(beam_size)
        kwargs = dict(
            num_beams=beam_size,
            num_return_sequences=n_best,
            do_sample=False,
            max_new_tokens=max_new_tokens,
            return_dict_in_generate=True,  # beam_indices come with it, the scores stay in the recorder
            logits_processor=LogitsProcessorList([recorder]),
        )
        if beam_size > 1:
            kwargs.update(length_penalty=length_penalty, early_stopping=True)
        if target_prefix:
            if len(target_prefix) != 1:
                raise MtfixError("only single-token target prefixes are supported")
            kwargs["forced_bos_token_id"] = target_prefix[0]
        with torch.inference_mode():
            out = self.model.generate(
                input_ids=input_ids.to(self.device), attention_mask=attention.to(self.device), **kwargs
            )
            steps = recorder.transition_scores(out.sequences, out.beam_indices if beam_size > 1 else None)
        sequences = out.sequences[:, 1:].tolist()  # drop the decoder start token
        results = []
        for i in range(len(batch)):
            hyps = []
            for k in range(n_best):
                row = i * n_best + k
                hyps.append(self._to_generated(sequences[row], steps[row], len(target_prefix)))
            results.append(hyps)
        return results

    def _to_generated(self, seq: list[int], steps: list[float], n_prefix: int) -> Generated:
        if self.eos_id in seq:
            end, finished = seq.index(self.eos_id) + 1, True
        else:
            end, finished = len(seq), False
        logprobs = steps[:end]
        score = sum(logprobs) / max(len(logprobs), 1)
        content = seq[n_prefix : end - 1] if finished else seq[n_prefix:end]
        return Generated(ids=content, score=score, finished=finished)

    def signature(self) -> dict:
        sig = super().signature()
        sig["device"] = self.device
        sig["compute_type"] = self.compute_type
        sig["dtype"] = str(self.model.dtype).replace("torch.", "")
        return sig
