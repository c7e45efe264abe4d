"""The packages' allowed arrows (docs/architecture.md), as a table, and no import cycle in src/.

Every import counts for the arrows: at module level, inside functions, under `TYPE_CHECKING`, and
through `importlib.import_module` / `__import__` / Django's `import_string` (a module that imports
by a computed name counts every "chatarchief.…" string it holds). A forbidden import fails with the
file, the line, the import and the rule it breaks. The cycle test counts every import that runs
(module level and inside functions); imports for type checkers only never run.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import chatarchief

SRC = Path(chatarchief.__file__).resolve().parent
PACKAGE = "chatarchief"

SHELLS = ("chatarchief.web", "chatarchief.api", "chatarchief.cli")
PHASE_2 = ("chatarchief.review", "chatarchief.woo", "chatarchief.search", "chatarchief.preservation")


@dataclass(frozen=True)
class Rule:
    """Modules under `source` import nothing under any of `forbidden` (except under `unless`)."""

    source: str
    forbidden: tuple[str, ...]
    why: str
    unless: tuple[str, ...] = ()


RULES = [
    Rule("chatarchief.core", ("django",), "core is plain Python: no Django"),
    Rule("chatarchief.core", ("chatarchief",), "core imports nothing outside core", unless=("chatarchief.core",)),
    Rule("chatarchief.core.formats", ("chatarchief.archive",), "formats import nothing of the archive"),
    Rule(
        "chatarchief.archive",
        ("chatarchief.intake", "chatarchief.compliance", *SHELLS, *PHASE_2),
        "the archive is storage: it imports nothing of the pipeline, compliance, the shells or the apps above it",
    ),
    Rule("chatarchief.audit", SHELLS, "audit imports nothing of the web app, the API or the CLI"),
    Rule(
        "chatarchief.compliance",
        ("chatarchief.intake", *SHELLS),
        "compliance imports nothing of the pipeline that calls it, nor of the shells",
    ),
    Rule("chatarchief.access", ("chatarchief.intake", *SHELLS), "access decides for the shells, below them"),
    Rule("chatarchief.intake", SHELLS, "the pipeline imports nothing of the shells that call it"),
    Rule("chatarchief.demo", SHELLS, "the demo is data, loaded by the CLI and by tests"),
    Rule("chatarchief.cli", ("chatarchief.web",), "the CLI takes no service from the web app"),
    *(Rule(app, SHELLS, f"{app.rsplit('.', 1)[1]} (phase 2) imports nothing of the shells") for app in PHASE_2),
]

_DYNAMIC = {"import_module", "__import__", "import_string"}
_NAME = re.compile(r"^chatarchief(\.\w+)+$")


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    path = SRC.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _type_checking_only(tree: ast.AST) -> set[int]:
    """The nodes under `if TYPE_CHECKING:` (or `typing.TYPE_CHECKING`)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.attr if isinstance(test, ast.Attribute) else getattr(test, "id", "")
            if name == "TYPE_CHECKING":
                found.update(id(child) for statement in node.body for child in ast.walk(statement))
    return found


def imports_of(path: Path, *, type_checking: bool = True) -> Iterator[tuple[int, str]]:
    """(line, imported module) for every import in one file, wherever it stands (`type_checking`:
    also those under `if TYPE_CHECKING:`)."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skipped = set() if type_checking else _type_checking_only(tree)
    dynamic = False
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield node.lineno, base
            for alias in node.names:  # `from chatarchief.compliance import services`: a module too
                if _is_module(f"{base}.{alias.name}"):
                    yield node.lineno, f"{base}.{alias.name}"
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in _DYNAMIC:
                argument = node.args[0] if node.args else None
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    yield node.lineno, argument.value
                else:
                    dynamic = True
    if dynamic:  # imports by computed names: every module name the file holds counts
        skip = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
                if _NAME.match(node.value):
                    yield node.lineno, node.value


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def violations(files: list[Path]) -> list[str]:
    found = []
    for path in files:
        module = _module_name(path)
        for line, imported in imports_of(path):
            for rule in RULES:
                if not _under(module, rule.source) or any(_under(imported, u) for u in rule.unless):
                    continue
                if any(_under(imported, f) for f in rule.forbidden):
                    found.append(f"{path.relative_to(SRC.parent)}:{line} imports {imported}: {rule.why}")
    return sorted(set(found))


def source_files() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.parts)


def test_every_package_keeps_to_its_arrows() -> None:
    problems = violations(source_files())
    assert not problems, "forbidden imports:\n" + "\n".join(problems)


def test_the_rules_name_real_packages() -> None:
    """A rule about a package that does not exist yet (phase 2) is fine; a typo in a present one is not."""
    present = {_module_name(p) for p in source_files()}
    for rule in RULES:
        if rule.source not in PHASE_2:
            assert rule.source in present, rule


def test_a_forbidden_import_is_caught(tmp_path: Path) -> None:
    """The checker itself: a function-level import, a TYPE_CHECKING import and an importlib call."""
    fake = SRC / "archive" / "services" / "_layering_probe.py"
    fake.write_text(
        "from typing import TYPE_CHECKING\n"
        "import importlib\n"
        "if TYPE_CHECKING:\n    from chatarchief.web import views\n"
        "def f():\n    from chatarchief.compliance import findings\n"
        "    return importlib.import_module('chatarchief.intake.pipeline')\n",
        encoding="utf-8",
    )
    try:
        problems = violations([fake])
    finally:
        fake.unlink()
    assert sorted(p.split(" imports ")[1].split(":")[0] for p in problems) == [
        "chatarchief.compliance",
        "chatarchief.compliance.findings",
        "chatarchief.intake.pipeline",
        "chatarchief.web",
        "chatarchief.web.views",
    ]


def _graph() -> dict[str, set[str]]:
    """Module -> the chatarchief modules it imports (a package's own __init__ is not an edge)."""
    files = source_files()
    modules = {_module_name(p) for p in files}
    graph: dict[str, set[str]] = {}
    for path in files:
        module = _module_name(path)
        edges = set()
        for _, imported in imports_of(path, type_checking=False):
            if imported in modules and imported != module and not _under(module, imported):
                edges.add(imported)
        graph[module] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), each as a sorted list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_in_src() -> None:
    assert cycles(_graph()) == []


def test_a_cycle_is_found() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
