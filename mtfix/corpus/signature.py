"""The corpus pipeline signature, in the style of sacrebleu's.

One object records what a corpus depends on: languages, every filter with
its thresholds (and the back-translation model of the round-trip filter), the
reader options, the mtfix and sacrebleu versions. It prints as one
``key:value|...`` line and serialises in full to JSON; it goes into every
output's metadata and the summary. Two corpora with equal signatures were
filtered alike.
"""

from __future__ import annotations

from mtfix.metrics.signature import Signature

__all__ = ["CorpusSignature"]


def _sacrebleu_version() -> str:
    """``sacrebleu.__version__``, read from its ``version`` module alone when sacrebleu is not
    loaded: importing the package loads its metrics and numpy's linear algebra (~50 ms of a
    corpus run, which uses none of them)."""
    import sys

    loaded = sys.modules.get("sacrebleu")
    if loaded is None:
        try:
            import importlib.util
            from pathlib import Path

            spec = importlib.util.find_spec("sacrebleu")
            path = Path(spec.origin).with_name("version.py")
            module = importlib.util.module_from_spec(importlib.util.spec_from_file_location("_sacrebleu_version", path))
            module.__spec__.loader.exec_module(module)
            if isinstance(module.__version__, str):
                return module.__version__
        except Exception:  # noqa: BLE001 - another layout: the package itself says
            pass
        import sacrebleu as loaded
    return loaded.__version__


class CorpusSignature(Signature):
    """The corpus pipeline's signature; ``short`` (each filter's one-line form) only feeds the line."""

    HIDDEN = ("short",)

    @classmethod
    def build(cls, *, langs: tuple[str, str], filters: list, config: str, reader: dict, notes: list[str],
              mode: str = "filter", repair: dict | None = None) -> "CorpusSignature":
        from mtfix import __version__

        fields = {
            "mtfix": __version__,
            "sacrebleu": _sacrebleu_version(),
            "mode": mode,
            "langs": list(langs),
            "config": config,
            "reader": reader,
            "filters": [f.signature() for f in filters],
            "short": [f.short() for f in filters],
            "notes": list(notes),
        }
        if repair is not None:
            fields["repair"] = repair
        return cls(fields)

    def items(self):
        f = self.fields
        parts = [("mtfix", f["mtfix"]), ("mode", f["mode"]), ("langs", "-".join(f["langs"]))]
        if "repair" in f:
            parts.append(("repair", f["repair"].get("line", "?")))
        parts.append(("filters", "+".join(f["short"]) or "none"))
        parts.append(("config", f["config"]))
        parts.append(("sacrebleu", f["sacrebleu"]))
        return [(k, "None" if v is None else v) for k, v in parts]
