"""The core must stay plain Python: no module under core/ may import Django."""

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "src" / "chatarchief" / "core"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_has_modules():
    assert len(list(CORE.rglob("*.py"))) >= 5


def test_no_django_import_in_core():
    offenders = {
        str(path.relative_to(CORE)): sorted(n for n in _imports(path) if n == "django" or n.startswith("django."))
        for path in CORE.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}
