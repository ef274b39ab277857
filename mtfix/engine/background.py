"""One function run in a background thread while the caller works on.

Used where a C++ library does long work without holding the GIL (CTranslate2
loading weights): the Python work beside it (reading a tokenizer) runs in a
thread meanwhile. The heavy C++ call itself stays on the calling thread:
CTranslate2 decodes several times slower with a translator built on another
thread.
"""

from __future__ import annotations

import threading
from typing import Callable, Generic, TypeVar

T = TypeVar("T")


class Background(Generic[T]):
    """``fn()`` started in a daemon thread; :meth:`result` waits for it and returns its value or
    raises its exception."""

    def __init__(self, fn: Callable[[], T], name: str = "mtfix-background"):
        self._box: dict = {}
        self._thread = threading.Thread(target=self._run, args=(fn,), name=name, daemon=True)
        self._thread.start()

    def _run(self, fn: Callable[[], T]) -> None:
        try:
            self._box["value"] = fn()
        except BaseException as e:  # noqa: BLE001 - raised in the caller's thread by result()
            self._box["error"] = e

    def result(self) -> T:
        self._thread.join()
        if "error" in self._box:
            raise self._box["error"]
        return self._box["value"]
