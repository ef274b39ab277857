"""House rules checked on the code itself (issue 10 item 8)."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "mtfix"


def _module_name(path: Path, root: Path = PKG) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_imports(root: Path = PKG) -> list[str]:
    """``file:line: name`` for every private name (``_x``) one mtfix module takes from another:
    ``from mtfix.a import _x``, and ``m._x`` where ``m`` is an imported mtfix module."""
    found = []
    for path in sorted(root.rglob("*.py")):
        here = _module_name(path, root)
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        modules: dict[str, str] = {}  # local name -> mtfix module
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("mtfix"):
                for alias in node.names:
                    target = f"{node.module}.{alias.name}"
                    if _private(alias.name) and node.module != here:
                        found.append(f"{path.relative_to(root.parent)}:{node.lineno}: {target}")
                    if _is_module(target):
                        modules[alias.asname or alias.name] = target
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("mtfix") and alias.asname:
                        modules[alias.asname] = alias.name
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and _private(node.attr) and isinstance(node.value, ast.Name)
                    and node.value.id in modules and modules[node.value.id] != here):
                found.append(f"{path.relative_to(root.parent)}:{node.lineno}: {modules[node.value.id]}.{node.attr}")
    return found


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def test_no_private_name_is_imported_across_modules():
    assert private_imports() == []


def test_the_check_finds_a_private_import(tmp_path):
    pkg = tmp_path / "mtfix"
    (pkg / "a").mkdir(parents=True)
    (pkg / "a" / "b.py").write_text("from mtfix.outputs import _same\nfrom mtfix.a.b import _ok\n", encoding="utf-8")
    (pkg / "c.py").write_text("from mtfix import outputs\nx = outputs._same\ny = outputs.__name__\n",
                              encoding="utf-8")
    assert private_imports(pkg) == ["mtfix/a/b.py:1: mtfix.outputs._same", "mtfix/c.py:2: mtfix.outputs._same"]
