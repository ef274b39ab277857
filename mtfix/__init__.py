"""mtfix: repair poor machine translations.

The library is importable on its own; the ``mtfix`` command line (``mtfix.cli``)
is a thin shell over it.
"""

__version__ = "0.1.0"

from mtfix.errors import MtfixError  # noqa: E402  (re-exported)

__all__ = ["MtfixError", "__version__"]
