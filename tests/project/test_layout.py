"""The layout rules of docs/architecture.md, checked on the source: no import circle among the
project's modules, no private name imported from another module of the form service, no module
far over 400 lines, and the one clock (no naive ``datetime.now()``)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("roster", "sitegen", "forms_app", "tools")
MAX_LINES = 420  # "about 400"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    found = {module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}
    found["build"] = ROOT / "build.py"
    return found


def _absolute(name: str, level: int, here: str, is_package: bool) -> str:
    if not level:
        return name
    base = here.split(".") if is_package else here.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def imports(name: str, path: Path, known: dict[str, Path]) -> list[tuple[str, str | None, int]]:
    """(module imported, name taken from it or None, line), every import, also inside functions;
    ``from package import module`` counts as importing the module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, None, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(node.module or "", node.level, name, is_package)
            for alias in node.names:
                if f"{source}.{alias.name}" in known:
                    found.append((f"{source}.{alias.name}", None, node.lineno))
                else:
                    found.append((source, alias.name, node.lineno))
    return [(module, taken, line) for module, taken, line in found if module in known]


def test_no_import_circle_among_the_projects_modules():
    known = modules()
    graph = {name: {module for module, _, _ in imports(name, path, known) if module != name}
             for name, path in known.items()}
    circles, index, low, stack, on_stack = [], {}, {}, [], set()

    def visit(node: str) -> None:  # Tarjan: every strongly connected group of more than one module
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    assert circles == []


def test_no_private_name_crosses_a_module_of_the_form_service():
    known = modules()
    crossing = [f"{path.relative_to(ROOT)}:{line} takes {taken} from {module}"
                for name, path in known.items() if name.startswith("forms_app")
                for module, taken, line in imports(name, path, known)
                if taken and taken.startswith("_") and not taken.startswith("__")]
    assert crossing == []


def test_no_module_is_far_over_400_lines():
    long = {str(path.relative_to(ROOT)): count for path in modules().values()
            if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_the_form_service_asks_one_clock():
    naive_now = re.compile(r"datetime\.now\(\s*\)|datetime\.utcnow\(|date\.today\(")
    found = [f"{path.relative_to(ROOT)}:{number}" for name, path in modules().items()
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if naive_now.search(line)]
    assert found == []
    # in the form service, only clock.py reads the system clock
    readers = [str(path.relative_to(ROOT)) for name, path in modules().items() if name.startswith("forms_app")
               and name != "forms_app.clock" and re.search(r"datetime\.now\(", path.read_text(encoding="utf-8"))]
    assert readers == []
