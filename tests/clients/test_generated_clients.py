"""Clients generated from the OpenAPI document are complete and typed.

A Python client (openapi-python-client, pinned in the dev extras) and a TypeScript one
(openapi-typescript with its default flags, then ``tsc --strict --noEmit``; both pinned in
``package.json`` here and installed with ``npm ci`` into ``node_modules`` here) must generate
without a warning, keep every operation and type every field whose values are a fixed set.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.main import create_app
from tests.support.openapi import operations

HERE = Path(__file__).parent
# The methods of the operations a generated client offers.
CLIENT_METHODS = ("get", "put", "post", "delete", "patch")
# Properties and query keys whose values are a fixed set: they must be enums, not strings.
ENUM_NAME = re.compile(r"^(status|urgency|kind|role|view|flag|category|dimension)$|(Status|Kind|Urgency)$")
PASCAL = re.compile(r"^[A-Z][A-Za-z0-9]*$")
WARNING = re.compile(r"warn|unable|error|skipp", re.IGNORECASE)


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    # The document needs no database: the engine is created but never connected.
    return create_app(database_url="postgresql+asyncpg://openapi@localhost/none").openapi()


@pytest.fixture(scope="module")
def document_file(document: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("clients") / "openapi.json"
    path.write_text(json.dumps(document))
    return path


def resolve(doc: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = doc["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def is_plain_string(doc: dict[str, Any], node: dict[str, Any]) -> bool:
    """A string without ``enum``, or an optional (``anyOf`` with null) one."""
    node = resolve(doc, node)
    if "enum" in node or "const" in node:
        return False
    if node.get("type") == "string" or "string" in (node.get("type") or []):
        return True
    return any(is_plain_string(doc, o) for o in node.get("anyOf", []))


def fixed_set_fields(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """``(schema or operation, name, schema)`` of every property or query key named like a state."""
    for name, schema in doc["components"]["schemas"].items():
        for prop, node in (schema.get("properties") or {}).items():
            if ENUM_NAME.search(prop):
                yield name, prop, node
    for _, _, op in operations(doc, CLIENT_METHODS):
        for param in op.get("parameters", []):
            if param.get("in") == "query" and ENUM_NAME.search(param["name"]):
                yield op["operationId"], param["name"], param["schema"]


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_schema_names_are_unique_and_meaningful(document: dict[str, Any]) -> None:
    names = list(document["components"]["schemas"])
    assert [n for n in names if not PASCAL.match(n)] == []
    # FastAPI falls back to module paths (AppSchemasPlans…) when two models share a name,
    # and names bodies it wraps itself Body_<operation>.
    assert [n for n in names if re.match(r"^App(Schemas|Models|Routers)|^Body[A-Z]", n)] == []
    lowered = [n.lower() for n in names]
    assert sorted({n for n in lowered if lowered.count(n) > 1}) == []


def test_fixed_sets_are_enums(document: dict[str, Any]) -> None:
    untyped = [
        f"{owner}.{name}"
        for owner, name, node in fixed_set_fields(document)
        if is_plain_string(document, node)
    ]
    assert untyped == []


def test_properties_and_bodies_are_named(document: dict[str, Any]) -> None:
    titles = [
        f"{name}.{prop}: {node['title']}"
        for name, schema in document["components"]["schemas"].items()
        for prop, node in (schema.get("properties") or {}).items()
        if "title" in node
        and node["title"].replace(" ", "").lower() == prop.lower()
        and prop != prop.lower()
        and " " not in node["title"]
    ]
    assert titles == []  # ``Familyid`` for ``familyId``
    inline = [
        f"{method.upper()} {path} {media}"
        for path, method, op in operations(document, CLIENT_METHODS)
        for media, content in op.get("requestBody", {}).get("content", {}).items()
        if content.get("schema", {}).get("type") == "object"
    ]
    assert inline == []


def test_every_success_status_fits_the_method(document: dict[str, Any]) -> None:
    wrong = [
        f"{method.upper()} {path} {status}"
        for path, method, op in operations(document, CLIENT_METHODS)
        for status in op["responses"]
        if status == "201" and method not in ("post", "put")
    ]
    assert wrong == []


def test_python_client_is_complete(document: dict[str, Any], document_file: Path) -> None:
    out = document_file.parent / "python"
    result = run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(document_file),
            "--output-path",
            str(out),
            "--meta",
            "none",
            "--config",
            str(HERE / "openapi-python-client.yaml"),
        ],
        HERE,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert not WARNING.search(output), output
    generated = {p.stem for p in (out / "api").glob("*/*.py") if p.stem != "__init__"}
    expected = {snake(op["operationId"]) for _, _, op in operations(document, CLIENT_METHODS)}
    assert sorted(expected - generated) == []
    models = {p.stem for p in (out / "models").glob("*.py")}
    for owner, name, node in fixed_set_fields(document):
        ref = resolve(document, node).get("title")
        if owner in document["components"]["schemas"] and ref and "$ref" in json.dumps(node):
            assert snake(ref) in models, f"{owner}.{name}: no enum {ref} in the Python client"
    compiled = run([sys.executable, "-m", "compileall", "-q", str(out)], HERE)
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr


def _node_tools() -> Path:
    if shutil.which("npm") is None:
        pytest.fail("npm is needed for the TypeScript client check (Node.js 18 or later)")
    bin_dir = HERE / "node_modules" / ".bin"
    if not (bin_dir / "openapi-typescript").exists() or not (bin_dir / "tsc").exists():
        installed = run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], HERE)
        assert installed.returncode == 0, installed.stdout + installed.stderr
    return bin_dir


def _type_checks(document: dict[str, Any]) -> str:
    """TypeScript that compiles only if every operation is there and every fixed set is a union of
    literals (``string extends T`` is false for a union of string literals)."""
    lines = [
        'import type { components, operations } from "./api";',
        'type Schemas = components["schemas"];',
        "type Literal<T> = string extends NonNullable<T> ? false : true;",
    ]
    for i, (_, _, op) in enumerate(operations(document, CLIENT_METHODS)):
        lines.append(f'export type Op{i} = operations["{op["operationId"]}"];')
    for i, (owner, name, node) in enumerate(fixed_set_fields(document)):
        if owner in document["components"]["schemas"] and "string" in json.dumps(resolve(document, node)):
            lines.append(f'export const enum{i}: Literal<Schemas["{owner}"]["{name}"]> = true;')
    return "\n".join(lines) + "\n"


def test_typescript_client_compiles_strictly(document: dict[str, Any], document_file: Path) -> None:
    bin_dir = _node_tools()
    out = document_file.parent / "typescript"
    out.mkdir()
    generator = str(bin_dir / "openapi-typescript")
    generated = run([generator, str(document_file), "-o", str(out / "api.ts")], HERE)
    output = generated.stdout + generated.stderr
    assert generated.returncode == 0, output
    assert not WARNING.search(output) and "⚠" not in output, output
    (out / "check.ts").write_text(_type_checks(document))
    (out / "tsconfig.json").write_text(
        json.dumps(
            {
                "compilerOptions": {
                    "strict": True,
                    "noEmit": True,
                    "target": "ES2022",
                    "module": "ESNext",
                    "moduleResolution": "Bundler",
                },
                "files": ["api.ts", "check.ts"],
            }
        )
    )
    checked = run([str(bin_dir / "tsc"), "--strict", "--noEmit", "-p", str(out / "tsconfig.json")], HERE)
    assert checked.returncode == 0, checked.stdout + checked.stderr
