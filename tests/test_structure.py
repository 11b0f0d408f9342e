"""How app/ is put together, read from its source with `ast` (nothing is imported):
app modules import each other one way (no cycle), none is over 400 lines, and no import of
app code hides inside a function.

The checkers take the package's root folder, so the tests at the bottom can show them
finding each problem in a small package written to a temporary folder.
"""

import ast
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1] / "app"
MAX_LINES = 400


@dataclass(frozen=True)
class Import:
    """One `import`/`from ... import` of the package's own code, and where it is written."""

    source: str  # the importing module, e.g. "app.mail"
    target: str  # the module or package imported, e.g. "app.mail.cli"
    where: str  # "app/mail/__init__.py:8"
    module_level: bool  # False inside a function or class body


def module_names(root: Path) -> dict[str, Path]:
    """Every module and package under `root`, by dotted name ("app", "app.mail", ...)."""
    names = {}
    for path in sorted(root.rglob("*.py")):
        parts = [root.name, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The longest known module `name` starts with (`app.models.Event` -> `app.models`)."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    return None


def _imported_names(node: ast.Import | ast.ImportFrom, module: str, is_package: bool):
    """The dotted names an import statement asks for, relative imports made absolute."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        base = ".".join(package[: len(package) - (node.level - 1)])
        base = f"{base}.{node.module}" if node.module else base
    else:
        base = node.module or ""
    # `from app.mail import cli` imports the module app.mail.cli when there is one.
    return [base] + [f"{base}.{alias.name}" for alias in node.names if alias.name != "*"]


def imports_of(root: Path) -> list[Import]:
    """Every import of the package's own modules under `root`, at any depth in the file."""
    known = module_names(root)
    package = root.name
    found = []
    for module, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        where_prefix = path.relative_to(root.parent).as_posix()
        nested = set()
        for scope in ast.walk(tree):
            if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                nested.update(id(node) for node in ast.walk(scope) if node is not scope)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            names = _imported_names(node, module, path.name == "__init__.py")
            own = [n for n in names if n == package or n.startswith(package + ".")]
            if isinstance(node, ast.ImportFrom) and own:
                # `from app.x import a, b`: each submodule named, else the module itself.
                submodules = [n for n in own[1:] if n in known]
                targets = submodules or [_resolve(own[0], known)]
                if len(submodules) < len(own) - 1:
                    targets.append(_resolve(own[0], known))
            else:
                targets = [_resolve(n, known) for n in own]
            for target in dict.fromkeys(t for t in targets if t and t != module):
                found.append(
                    Import(
                        source=module,
                        target=target,
                        where=f"{where_prefix}:{node.lineno}",
                        module_level=id(node) not in nested,
                    )
                )
    return found


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iteratively: the groups of modules that reach each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                groups.append(group)
    return groups


def _shortest_cycle(graph: dict[str, set[str]], group: set[str], start: str) -> list[str]:
    """The shortest path from `start` back to itself inside `group`: [start, ..., start]."""
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(graph[node] & group):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if child not in came_from:
                came_from[child] = node
                queue.append(child)
    raise AssertionError(f"{start} is in a cycle group but no cycle leads back to it")


def import_cycles(root: Path) -> list[str]:
    """One shortest cycle per group of modules that import each other, with where each
    import is written: "app.a -> app.b (app/a.py:3) -> app.a (app/b.py:1)"."""
    edges: dict[tuple[str, str], str] = {}
    graph: dict[str, set[str]] = {}
    for found in imports_of(root):
        graph.setdefault(found.source, set()).add(found.target)
        graph.setdefault(found.target, set())
        edges.setdefault((found.source, found.target), found.where)
    reports = []
    for group in _strongly_connected(graph):
        if len(group) < 2:
            continue
        start = min(group)
        path = _shortest_cycle(graph, group, start)
        steps = [start] + [f"{b} ({edges[(a, b)]})" for a, b in zip(path, path[1:], strict=False)]
        members = ", ".join(sorted(group))
        reports.append(f"{' -> '.join(steps)}  [cycle group: {members}]")
    return sorted(reports)


def long_modules(root: Path, limit: int = MAX_LINES) -> list[str]:
    """The modules under `root` over `limit` lines: "app/seed_data.py: 656 lines"."""
    reports = []
    for path in module_names(root).values():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            reports.append(f"{path.relative_to(root.parent).as_posix()}: {lines} lines")
    return sorted(reports)


def function_level_imports(root: Path) -> list[str]:
    """Imports of the package's own modules inside a function or class body:
    "app/mail/__init__.py:8 imports app.mail.cli"."""
    return sorted(
        f"{found.where} imports {found.target}"
        for found in imports_of(root)
        if not found.module_level
    )


# --- app/ as it is ---------------------------------------------------------------------


def test_app_modules_import_each_other_without_a_cycle():
    cycles = import_cycles(APP)
    assert not cycles, "import cycles among app modules:\n" + "\n".join(cycles)


def test_no_app_module_is_over_400_lines():
    long = long_modules(APP)
    assert not long, f"app modules over {MAX_LINES} lines:\n" + "\n".join(long)


def test_no_app_code_is_imported_inside_a_function():
    lazy = function_level_imports(APP)
    assert not lazy, "function-level imports of app modules:\n" + "\n".join(lazy)


# --- the checkers find what they look for ------------------------------------------------


def write_package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def tangled(tmp_path):
    """A package `app` with a three-module cycle, a 401-line module and lazy imports."""
    return write_package(
        tmp_path / "app",
        {
            "__init__.py": "def create_app():\n    from app.views import bp\n    return bp\n",
            "views.py": "from app.services import register\n\nbp = object()\n",
            "services.py": "from . import emails\n\n\ndef register():\n    return emails\n",
            "emails.py": "import app.views\n",
            "seed.py": "x = 1\n" * 401,
            "mail/__init__.py": "class Sender:\n    import app.mail.smtp as smtp\n",
            "mail/smtp.py": "from .. import seed\n",
        },
    )


@pytest.fixture
def tidy(tmp_path):
    """A package `app` whose imports run one way, with a module of exactly 400 lines."""
    return write_package(
        tmp_path / "app",
        {
            "__init__.py": "from app.views import bp\n",
            "views.py": "from app import services\nfrom app.models import Event\n\nbp = 1\n",
            "services.py": "from .models import Event\n\n\ndef f():\n    import json\n",
            "models/__init__.py": "from app.models.event import Event\n",
            "models/event.py": "class Event:\n    pass\n" + "#\n" * 398,
        },
    )


def test_a_cycle_is_found_and_shown_with_where_each_import_is(tangled):
    assert import_cycles(tangled) == [
        "app.emails -> app.views (app/emails.py:1) -> app.services (app/views.py:1)"
        " -> app.emails (app/services.py:1)  [cycle group: app.emails, app.services, app.views]"
    ]


def test_a_module_over_400_lines_is_found(tangled):
    assert long_modules(tangled) == ["app/seed.py: 401 lines"]


def test_imports_inside_functions_and_classes_are_found(tangled):
    assert function_level_imports(tangled) == [
        "app/__init__.py:2 imports app.views",
        "app/mail/__init__.py:2 imports app.mail.smtp",
    ]


def test_relative_imports_resolve_to_the_modules_they_name(tangled):
    edges = {(found.source, found.target) for found in imports_of(tangled)}
    assert ("app.services", "app.emails") in edges
    assert ("app.mail.smtp", "app.seed") in edges


def test_a_tidy_package_passes_every_check(tidy):
    assert import_cycles(tidy) == []
    assert long_modules(tidy) == []
    assert function_level_imports(tidy) == []
