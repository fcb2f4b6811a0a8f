"""The map of the code stays true: domain packages import only what their ``__init__`` allows,
and no module imports itself back through a circle."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
SERVICES = APP / "services"


def _module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in APP.rglob("*.py")}


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    """Every ``app.…`` module a file imports, at any depth (function-level imports included).

    ``from package import submodule`` counts as an import of the submodule only.
    """
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("app"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("app"):
            submodules = {f"{node.module}.{a.name}" for a in node.names} & MODULES.keys()
            found.update(submodules)
            if len(submodules) < len(node.names):
                found.add(node.module)
    return found


def _allowed(package: Path) -> tuple[str, ...]:
    tree = ast.parse((package / "__init__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.AnnAssign | ast.Assign):
            target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0]
            if isinstance(target, ast.Name) and target.id == "MAY_USE":
                return tuple(ast.literal_eval(node.value))
    raise AssertionError(f"{package.name}/__init__.py declares no MAY_USE")


def test_every_service_module_lives_in_a_domain_package() -> None:
    loose = [p.name for p in SERVICES.glob("*.py") if p.name != "__init__.py"]
    assert loose == []


def test_every_domain_package_says_what_it_owns() -> None:
    for package in (p for p in SERVICES.iterdir() if (p / "__init__.py").exists()):
        doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text()))
        assert doc and len(doc) > 40, f"{package.name} has no docstring saying what it owns"


def test_domain_packages_import_only_what_they_allow() -> None:
    packages = {p.name: _allowed(p) for p in SERVICES.iterdir() if (p / "__init__.py").exists()}
    wrong = []
    for name, allowed in packages.items():
        for path in (SERVICES / name).rglob("*.py"):
            for imported in _imports(path):
                parts = imported.split(".")
                if parts[:2] != ["app", "services"] or len(parts) < 3 or parts[2] not in packages:
                    continue
                if parts[2] != name and parts[2] not in allowed:
                    wrong.append(f"{_module_name(path)} imports {imported}")
    assert sorted(set(wrong)) == []


def test_no_import_circle() -> None:
    modules = MODULES
    graph = {
        name: {m for m in _imports(path) if m in modules and m != name} for name, path in modules.items()
    }
    state: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                circles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert circles == []
