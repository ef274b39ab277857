"""Registries of scorers and gates: a new one is one module plus one line.

    from mtfix.scoring import Scorer, Score, register_scorer

    @register_scorer
    class ShoutScorer(Scorer):
        name = "shout"
        PARAMS = {"max_caps": (float, 0.5, "largest share of capital letters")}
        HELP = "penalises SHOUTING"
        def __init__(self, max_caps=0.5): self.max_caps = max_caps
        def score(self, segments): ...

After that ``[weights] shout = 0.2`` and ``[shout] max_caps = 0.3`` are valid in
a ``--config`` file (anything else in ``[shout]`` is an error), ``build_scorers``
builds it, the selector runs it, reports show its scores and signature, and
``mtfix repair --help`` / ``mtfix select --help`` list it. Gates
(:mod:`mtfix.scoring.gates`) register the same way with :func:`register_gate`
and are configured in ``[gates.NAME]``.

Config validation, the ``--help`` listings, ``build_scorers`` and the report
signatures all read these registries; nothing else lists scorer names.
"""

from __future__ import annotations

from typing import Any, Generic, Iterator, TypeVar

from mtfix.errors import MtfixError

T = TypeVar("T")

#: Modules whose classes register themselves on import, in the order their
#: scorers run and are reported (new built-ins: add a line here).
_BUILTIN_SCORERS = (
    "mtfix.scoring.consensus", "mtfix.scoring.roundtrip", "mtfix.scoring.numbers", "mtfix.scoring.length",
    "mtfix.scoring.script", "mtfix.scoring.repetition", "mtfix.scoring.fluency",
    "mtfix.scoring.terminology",
)
_BUILTIN_GATES = ("mtfix.scoring.gates", "mtfix.scoring.terminology")


class Registry(Generic[T]):
    """Classes by ``name``; each declares ``PARAMS = {param: (type, default, help)}``."""

    def __init__(self, kind: str, builtins: tuple[str, ...]):
        self.kind = kind
        self._builtins = builtins
        self._loaded = False
        self._classes: dict[str, type[T]] = {}

    def _load(self) -> None:
        if not self._loaded:
            self._loaded = True
            import importlib

            for module in self._builtins:
                importlib.import_module(module)

    def register(self, cls: type[T]) -> type[T]:
        """Class decorator: add ``cls`` under ``cls.name`` (a name is registered once)."""
        name = getattr(cls, "name", None)
        if not isinstance(name, str) or not name or name == "?" or not name.replace("_", "").isalnum():
            raise ValueError(f"a {self.kind} needs a name of letters, digits and '_' (got {name!r})")
        known = self._classes.get(name)
        if known is not None and known is not cls and known.__qualname__ != cls.__qualname__:
            raise ValueError(f"{self.kind} {name!r} is already registered by {known.__module__}.{known.__qualname__}")
        params = getattr(cls, "PARAMS", {})
        for key, spec in params.items():
            if not (isinstance(spec, tuple) and len(spec) == 3):
                raise ValueError(f"{self.kind} {name}: PARAMS[{key!r}] must be (type, default, help)")
        self._classes[name] = cls
        return cls

    def unregister(self, name: str) -> None:
        """Remove ``name`` (tests that register a toy clean up with this)."""
        self._classes.pop(name, None)

    def get(self, name: str) -> type[T]:
        self._load()
        try:
            return self._classes[name]
        except KeyError:
            raise MtfixError(f"unknown {self.kind} {name!r}; known: {', '.join(self.names())}") from None

    def _ordered(self) -> list[str]:
        """Built-ins in the order of their modules (whatever was imported first), then the rest as registered."""
        rank = {m: i for i, m in enumerate(self._builtins)}
        order = {n: i for i, n in enumerate(self._classes)}
        return sorted(self._classes, key=lambda n: (rank.get(self._classes[n].__module__, len(rank)), order[n]))

    def names(self) -> list[str]:
        self._load()
        return self._ordered()

    def __contains__(self, name: object) -> bool:
        self._load()
        return name in self._classes

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def items(self) -> list[tuple[str, type[T]]]:
        self._load()
        return [(n, self._classes[n]) for n in self._ordered()]

    def defaults(self, name: str) -> dict:
        return {k: v[1] for k, v in getattr(self.get(name), "PARAMS", {}).items()}

    def describe(self) -> list[str]:
        """One line per registered class: ``name(param=default, ...): help``."""
        lines = []
        for name, cls in self.items():
            params = ", ".join(f"{k}={_show(v[1])}" for k, v in getattr(cls, "PARAMS", {}).items())
            help_ = getattr(cls, "HELP", "") or (cls.__doc__ or "").strip().splitlines()[0:1]
            help_ = help_ if isinstance(help_, str) else (help_[0] if help_ else "")
            lines.append(f"{name}({params}): {help_}" if params else f"{name}: {help_}")
        return lines


def _show(v: Any) -> str:
    return repr(v) if isinstance(v, str) else f"{v:g}" if isinstance(v, float) else str(v).lower() \
        if isinstance(v, bool) else str(v)


SCORERS: Registry = Registry("scorer", _BUILTIN_SCORERS)
GATES: Registry = Registry("gate", _BUILTIN_GATES)


def register_scorer(cls):
    """Class decorator: register a :class:`mtfix.scoring.base.Scorer` subclass by its ``name``."""
    return SCORERS.register(cls)


def register_gate(cls):
    """Class decorator: register a :class:`mtfix.scoring.gates.Gate` subclass by its ``name``."""
    return GATES.register(cls)


def scorer_names() -> list[str]:
    return SCORERS.names()


def gate_names() -> list[str]:
    return GATES.names()


def help_text() -> str:
    """The scorers and gates a ``--config`` file may name (for ``--help``)."""
    # no square brackets: --help renders rich markup
    return ("Scorers (weight: weights.NAME; parameters: table NAME): " + "; ".join(SCORERS.describe())
            + ". Gates (table gates.NAME: enabled and parameters): " + "; ".join(GATES.describe()) + ".")
