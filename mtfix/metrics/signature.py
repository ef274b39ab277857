"""One ``Signature`` base for every result mtfix publishes, in sacrebleu's manner.

A signature is built from the settings a result depends on (``fields``, JSON-
ready) and prints as one line of ``key:value`` pairs joined by ``|`` (like
sacrebleu's ``nrefs:1|case:mixed|tok:13a|smooth:exp|version:2.6.0``). Two
results with equal signatures are comparable. Subclasses (repair, select,
corpus, evaluate) only say which fields make the line (:meth:`Signature.items`)
and what the JSON holds (:meth:`Signature.to_dict`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True)
class Signature:
    """Settings (``fields``) -> one line (:meth:`format`) and a JSON dict (:meth:`to_dict`)."""

    fields: dict

    #: fields kept out of :meth:`to_dict` (helpers for the line only)
    HIDDEN = ()
    #: whether :meth:`to_dict` starts with the one-line form under ``"line"``
    WITH_LINE = True

    def items(self) -> Iterable[tuple[str, object]]:
        """``(key, value)`` pairs of the one-line form, in order; by default every field."""
        return [(k, v) for k, v in self.fields.items() if k not in self.HIDDEN]

    @staticmethod
    def value(v) -> str:
        """A field value as sacrebleu prints it (booleans as yes/no)."""
        if isinstance(v, bool):
            return "yes" if v else "no"
        return str(v)

    def format(self) -> str:
        """The one-line form: ``key:value|key:value|...`` (fields that are None are left out)."""
        return "|".join(f"{k}:{self.value(v)}" for k, v in self.items() if v is not None)

    def to_dict(self) -> dict:
        d = {k: v for k, v in self.fields.items() if k not in self.HIDDEN}
        return {"line": self.format(), **d} if self.WITH_LINE else d

    def __str__(self) -> str:
        return self.format()


class MetricSignature(Signature):
    """A sacrebleu metric's signature with mtfix's additions (what ``mtfix evaluate`` prints).

    The fields are sacrebleu's own (``nrefs``, ``case``, ``tok``, ... in its
    order, ``version`` last), ``extra`` items (e.g. ``roundtrip:<model>``)
    before ``version`` as sacrebleu's own fields are, and ``normalize:<profile>``
    appended after ``version`` when a profile other than ``none`` was applied
    (not ``norm:``, which TER's signature already uses for its ``normalized`` flag).
    """

    @classmethod
    def from_sacrebleu(cls, sig, normalize: str = "none", extra: dict | None = None) -> "MetricSignature":
        for k, v in (extra or {}).items():
            sig.update(k, v)
        info = dict(sig.info)
        version = info.pop("version", None)
        fields = {**info, "version": version}
        if normalize and normalize != "none":
            fields["normalize"] = normalize
        return cls(fields)
