"""The pipeline signature, in the style of sacrebleu's.

One object records every setting a result depends on (models and revisions,
backend, decoding options, scorer weights, normalisation profile, sacrebleu
and mtfix versions). It prints as one line of ``key:value`` fields separated
by ``|`` (like ``nrefs:1|case:mixed|tok:13a|smooth:exp|version:2.6.0``), and
serialises in full to JSON. Two runs with equal signatures are comparable.
"""

from __future__ import annotations

from mtfix.metrics.signature import Signature as BaseSignature


def _model_short(m: dict) -> str:
    model = m.get("model") if isinstance(m.get("model"), dict) else {}
    name = m.get("name") or model.get("name") or "?"
    rev = model.get("revision")
    return f"{name}@{rev[:7]}" if rev else name


def _backend_short(models: list[dict]) -> str:
    kinds = []
    for m in models:
        kind = m.get("backend", "?")
        if m.get("quantization"):
            kind += f"-{m['quantization']}"
        kinds.append(kind)
    return "+".join(dict.fromkeys(kinds))


class Signature(BaseSignature):
    """The repair pipeline's signature; ``fields`` holds the full settings, JSON-ready."""

    @classmethod
    def build(cls, *, direction: str, back_models: list, forward_models: list, decoding: dict, scoring: dict):
        return cls(
            {
                "mtfix": scoring.get("mtfix"),
                "sacrebleu": scoring.get("sacrebleu"),
                "direction": direction,
                "back_models": back_models,
                "forward_models": forward_models,
                "decoding": decoding,
                "scoring": scoring,
            }
        )

    def items(self):
        f = self.fields
        s = f["scoring"]
        weights = ",".join(f"{k}={v:g}" for k, v in s.get("weights", {}).items() if v)
        return [
            ("mtfix", f"{f['mtfix']}"),
            ("dir", f"{f['direction']}"),
            ("back", "+".join(_model_short(m) for m in f["back_models"])),
            ("fwd", "+".join(_model_short(m) for m in f["forward_models"])),
            ("backend", _backend_short(f["back_models"] + f["forward_models"])),
            ("beam", f"{f['decoding'].get('beam_size')}"),
            ("nbest", f"{f['decoding'].get('back_n_best')}x{f['decoding'].get('forward_n_best')}"),
            ("weights", weights),
            ("margin", f"{s.get('margin')}"),
            ("z", f"{s.get('z')}"),
            ("norm", f"{s.get('normalize')}"),
            ("sacrebleu", f"{f['sacrebleu']}"),
        ]
