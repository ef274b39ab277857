"""The selection signature (``mtfix select`` and :func:`mtfix.scoring.select_files`).

Extends the one :class:`~mtfix.metrics.signature.Signature` base. The JSON
form is the report's ``"signature"`` object as it has always been (no
``line`` key: published reports keep their shape); the one-line form is
``mtfix:…|config:…|weights:…|margin:…|z:…|norm:…|trust:…|scorers:…|sacrebleu:…``.
"""

from __future__ import annotations

from typing import Sequence

from mtfix.metrics.signature import Signature


class SelectionSignature(Signature):
    WITH_LINE = False

    @classmethod
    def build(cls, config, scorers: Sequence) -> "SelectionSignature":
        import sacrebleu

        from mtfix import __version__
        from mtfix.metrics import metric_signatures

        return cls({"mtfix": __version__, "sacrebleu": sacrebleu.__version__, **config.as_dict(),
                    "scorers": [s.signature() for s in scorers], "metrics": metric_signatures(),
                    "incumbent": "given, else the most trusted origin (three-cornered hat on pairwise chrF)"})

    def items(self):
        f = self.fields
        weights = ",".join(f"{k}={v:g}" for k, v in (f.get("weights") or {}).items() if v)
        return [("mtfix", f.get("mtfix")), ("config", f.get("config")), ("weights", weights),
                ("margin", f.get("margin")), ("z", f.get("z")), ("norm", f.get("normalize")),
                ("trust", f.get("trust_weighted")),
                ("scorers", "+".join(s.get("name", "?") for s in f.get("scorers", []))),
                ("sacrebleu", f.get("sacrebleu"))]
