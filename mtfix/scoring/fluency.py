"""Fluency: how likely a causal language model finds the candidate (off by default).

Any causal LM loadable by ``transformers.AutoModelForCausalLM`` (hub id or
local dir), or a model and tokenizer passed in. The value is the geometric
mean token probability, ``exp(mean log p(token))``, in (0, 1]: 1/perplexity.
transformers and torch are imported only when a score is asked for. With
``HF_HUB_OFFLINE=1`` only local files are used.
"""

from __future__ import annotations

import math
import os
from typing import Sequence

from mtfix.errors import MtfixError
from mtfix.scoring.base import Score, Scorer, ScorerContext, Segment
from mtfix.scoring.registry import register_scorer


@register_scorer
class FluencyScorer(Scorer):
    name = "fluency"
    PARAMS = {"model": (str, "", "a causal LM, by hub id or local dir (e.g. \"gpt2\"); empty: no fluency scorer")}
    HELP = "1/perplexity under a causal LM (off by default)"

    @classmethod
    def from_config(cls, params: dict, ctx: ScorerContext) -> "FluencyScorer":
        if not params.get("model"):
            raise MtfixError("the fluency weight is > 0 but [fluency] model is empty; name a causal LM in the config")
        return cls(params["model"], device=ctx.device)

    def __init__(self, model: str | None = None, *, lm=None, tokenizer=None, device: str = "cpu"):
        if model is None and lm is None:
            raise ValueError("FluencyScorer needs a model id/dir or an lm and tokenizer")
        self.model_id = model or getattr(getattr(lm, "config", None), "name_or_path", "custom")
        self._lm, self._tok = lm, tokenizer
        self.device = device

    def signature(self) -> dict:
        return {"name": self.name, "model": self.model_id}

    def _load(self):
        if self._lm is not None and self._tok is not None:
            return
        from mtfix.engine.openmp import calm_openmp

        calm_openmp()  # before torch loads: how its OpenMP threads wait on a busy machine
        try:
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as e:  # pragma: no cover - transformers is a dependency
            raise MtfixError(f"fluency scoring needs transformers ({e})") from None
        offline = os.environ.get("HF_HUB_OFFLINE") == "1"
        try:
            self._tok = self._tok or AutoTokenizer.from_pretrained(self.model_id, local_files_only=offline)
            self._lm = self._lm or AutoModelForCausalLM.from_pretrained(self.model_id, local_files_only=offline)
        except (OSError, ValueError) as e:
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise MtfixError(f"cannot load fluency model {self.model_id!r} ({first}); "
                             f"give a local directory or download it first") from None
        self._lm.to(self.device).eval()

    def log_probs(self, texts: list[str]) -> list[float]:
        """Mean log-probability per predicted token of each text (NaN for texts under 2 tokens)."""
        import torch

        self._load()
        tok, lm = self._tok, self._lm
        out: list[float] = []
        for text in texts:  # one at a time: no padding to get wrong, and fluency is off by default
            ids = tok(text, return_tensors="pt")["input_ids"].to(self.device)
            if ids.shape[1] < 2:
                out.append(float("nan"))
                continue
            with torch.no_grad():
                logits = lm(input_ids=ids).logits[:, :-1].float()
            lp = torch.log_softmax(logits, dim=-1).gather(-1, ids[:, 1:].unsqueeze(-1)).squeeze(-1)
            out.append(float(lp.mean()))
        return out

    def score(self, segments: Sequence[Segment]) -> list[list[Score]]:
        texts = list(dict.fromkeys(c.text for seg in segments for c in seg.candidates if c.text.strip()))
        lps = dict(zip(texts, self.log_probs(texts)))
        out = []
        for seg in segments:
            row = []
            for cand in seg.candidates:
                lp = lps.get(cand.text)
                if lp is None:
                    row.append(Score(0.0, "empty"))
                elif math.isnan(lp):
                    row.append(Score(1.0, "too short for the LM to judge"))
                else:
                    row.append(Score(math.exp(lp), f"LM perplexity {math.exp(-lp):.1f}"))
            out.append(row)
        return out
