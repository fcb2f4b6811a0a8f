"""Identifiers are accepted only in their canonical ASCII form, everywhere.

``\\d`` (Python's and the Rust regex behind pydantic's ``pattern=``), ``str.isdigit()``,
``int()`` and ``uuid.UUID()`` all take other scripts' digits: a BSN in fullwidth digits once
gave the same person a second family. The class of bug is closed three ways:

* no ``\\d``/``\\w`` in a pattern and no ``isdigit`` & co. in the code (they are Unicode-aware);
* a property test over every identifier field of the OpenAPI document (path and query
  parameters, and request-body properties at any depth: every UUID and every string with a
  pattern other than free text) feeds it a valid value with some characters swapped for
  Unicode look-alikes, and expects a 400 naming that field;
* the examples that were found: BSN (families, GP referral), If-Match, cursors, token claims.
"""

import ast
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.auth import Unauthorized, principal_from_claims
from app.config import get_settings
from app.identifiers import ascii_date, ascii_int, ascii_uuid
from app.main import create_app
from app.models.base import NO_NUL
from app.models.families import Family
from app.pagination import encode_cursor
from app.services.families.bsn import bsn_problem
from app.versioning import parse_if_match
from tests.support.families import bsn, create_family, family_body, pro, years_ago
from tests.support.tokens import all_roles_headers

APP = Path(__file__).resolve().parents[2] / "app"

# Look-alikes: other scripts' digits (all of them str.isdigit() and matched by \d), fullwidth and
# mathematical letters, Cyrillic and Greek homoglyphs, dashes.
_DIGITS = [0xFF10, 0x0660, 0x06F0, 0x0966, 0x09E6, 0x1D7CE, 0x1D7D8, 0x1D7F6]
_HOMOGLYPHS = {
    "A": "АΑ",
    "B": "ВΒ",
    "E": "ЕΕ",
    "G": "Ԍ",
    "I": "ІΙӀ",
    "K": "КΚ",
    "M": "МΜ",
    "P": "РΡ",
    "W": "Ԝ",
    "a": "а",
    "c": "с",
    "e": "е",
    "i": "і",
    "o": "оο",
    "p": "р",
    "s": "ѕ",
    "x": "х",
}


def lookalikes(ch: str) -> list[str]:
    if "0" <= ch <= "9":
        return [chr(base + int(ch)) for base in _DIGITS]
    found = list(_HOMOGLYPHS.get(ch, ""))
    if "A" <= ch <= "Z":
        found += [chr(0xFF21 + ord(ch) - 65), chr(0x1D400 + ord(ch) - 65)]
    elif "a" <= ch <= "z":
        found += [chr(0xFF41 + ord(ch) - 97), chr(0x1D41A + ord(ch) - 97)]
    elif ch == "-":
        found += ["‐", "‑", "−", "－"]
    elif ch == "_":
        found += ["＿"]
    return found


@st.composite
def disguised(draw: Any, valid: st.SearchStrategy[str]) -> str:
    """A valid value with at least one character swapped for a look-alike."""
    value = draw(valid.filter(lambda v: any(lookalikes(c) for c in v)))
    positions = [i for i, c in enumerate(value) if lookalikes(c)]
    chosen = draw(st.sets(st.sampled_from(positions), min_size=1))
    chars = list(value)
    for i in chosen:
        chars[i] = draw(st.sampled_from(lookalikes(chars[i])))
    return "".join(chars)


# ---------------------------------------------------------------- the code has no Unicode classes


def _code_strings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


UNICODE_AWARE = {"isdigit", "isdecimal", "isnumeric", "isalnum", "isalpha"}


def test_no_unicode_aware_digit_or_word_class_in_the_code() -> None:
    wrong = []
    for path in APP.rglob("*.py"):
        calls = {
            node.attr
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Attribute) and node.attr in UNICODE_AWARE
        }
        wrong += [f"{path.name}: .{name}()" for name in sorted(calls)]
        wrong += [f"{path.name}: {s!r}" for s in _code_strings(path) if re.search(r"\\[dwDW]", s)]
    assert wrong == []


# ---------------------------------------------------------------- every identifier field of the API

DOCUMENT = create_app(
    get_settings(), database_url="postgresql+asyncpg://schema-only@localhost/none"
).openapi()


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = DOCUMENT
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _concrete(schema: dict[str, Any]) -> dict[str, Any]:
    """The non-null alternative of ``X | None``."""
    schema = _resolve(schema)
    for alternative in schema.get("anyOf", []):
        if _resolve(alternative).get("type") != "null":
            return _resolve(alternative)
    return schema


def is_identifier(schema: dict[str, Any]) -> bool:
    schema = _concrete(schema)
    pattern = schema.get("pattern")
    return schema.get("format") == "uuid" or (pattern is not None and pattern != NO_NUL)


def valid_values(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    schema = _concrete(schema)
    if schema.get("format") == "uuid":
        return st.uuids().map(str)
    if "enum" in schema:
        return st.sampled_from([str(v) for v in schema["enum"]])
    if schema.get("type") == "integer":
        return st.just(str(max(schema.get("minimum", 1), min(2026, schema.get("maximum", 2026)))))
    if pattern := schema.get("pattern"):
        strategy = st.from_regex(pattern, fullmatch=True, alphabet=st.characters(codec="ascii"))
        if max_length := schema.get("maxLength"):
            strategy = strategy.filter(lambda v: len(v) <= max_length)
        return strategy
    return st.just("x")


def _body_fields(
    schema: dict[str, Any], prefix: tuple[str, ...]
) -> list[tuple[tuple[str, ...], dict[str, Any]]]:
    schema = _concrete(schema)
    if schema.get("type") == "array":
        item = _concrete(schema.get("items", {}))
        if item.get("type") == "object" or "properties" in item:
            return _body_fields(item, (*prefix, "0"))
        return [((*prefix, "0"), item)] if is_identifier(item) else []
    found = []
    for name, prop in (schema.get("properties") or {}).items():
        concrete = _concrete(prop)
        if "properties" in concrete or concrete.get("type") == "array":
            found += _body_fields(concrete, (*prefix, name))
        elif is_identifier(prop):
            found.append(((*prefix, name), prop))
    return found


def _fields() -> list[Any]:
    fields = []
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            parameters = [_resolve(p) for p in operation.get("parameters", [])]
            for parameter in parameters:
                if parameter["in"] in ("path", "query") and is_identifier(parameter["schema"]):
                    fields.append(
                        ("parameter", method, path, parameters, parameter["name"], parameter["schema"])
                    )
            content = operation.get("requestBody", {}).get("content", {}).get("application/json")
            for pointer, schema in _body_fields(content["schema"], ()) if content else []:
                fields.append(("body", method, path, parameters, pointer, schema))
    return fields


FIELDS = _fields()


def _id(field: Any) -> str:
    kind, method, path, _, name, _ = field
    return f"{method.upper()} {path} {kind}:{'.'.join(name) if isinstance(name, tuple) else name}"


def test_the_api_has_the_identifier_fields_we_know_of() -> None:
    names = {".".join(f[4]) if isinstance(f[4], tuple) else f[4] for f in FIELDS}
    known = {
        "members.0.bsn",
        "bsn",
        "districtCode",
        "agbCode",
        "referrerAgb",
        "profileCode",
        "intensityCode",
        "municipality",
        "municipalityCode",
        "code",
        "period",
        "domainCode",
        "planId",
        "familyId",
    }
    assert known <= names, known - names


CODE_NAME = re.compile(r"(code|Code|agb|Agb|bsn|Bsn|period|municipality|Id|ids)$")


def _named_like_codes(schema: dict[str, Any], where: str) -> list[str]:
    schema = _concrete(schema)
    if schema.get("type") == "array":
        return _named_like_codes(schema.get("items", {}), where + ".0")
    found = []
    for name, prop in (schema.get("properties") or {}).items():
        concrete = _concrete(prop)
        if "properties" in concrete or concrete.get("type") == "array":
            found += _named_like_codes(concrete, f"{where}.{name}")
        elif CODE_NAME.search(name) and not (is_identifier(prop) or "enum" in concrete):
            found.append(f"{where}.{name}")
    return found


def test_every_input_named_like_a_code_or_id_has_a_strict_format() -> None:
    """A new identifier field cannot slip in as free text (and so out of the look-alike test)."""
    loose = []
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            for parameter in map(_resolve, operation.get("parameters", [])):
                schema = _concrete(parameter["schema"])
                if CODE_NAME.search(parameter["name"]) and not (is_identifier(schema) or "enum" in schema):
                    loose.append(f"{method} {path} {parameter['name']}")
            content = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if content:
                loose += _named_like_codes(content["schema"], f"{method} {path} body")
    assert loose == []


@pytest.fixture
def all_roles() -> dict[str, str]:
    return all_roles_headers()


def _fill(data: Any, path: str, parameters: list[dict[str, Any]], target: str | None, value: str) -> str:
    """The path with ``value`` for ``target`` and a valid value for every other path parameter."""
    for parameter in parameters:
        if parameter["in"] == "path":
            name = parameter["name"]
            filler = value if name == target else data.draw(valid_values(parameter["schema"]), label=name)
            path = path.replace("{" + name + "}", filler)
    return path


def _nest(pointer: tuple[str, ...], value: str) -> Any:
    if not pointer:
        return value
    head, *rest = pointer
    inner = _nest(tuple(rest), value)
    return [inner] if head == "0" else {head: inner}


@pytest.mark.parametrize("field", FIELDS, ids=[_id(f) for f in FIELDS])
@given(data=st.data())
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
async def test_every_identifier_field_refuses_lookalikes(client, all_roles, field, data) -> None:
    kind, method, path, parameters, name, schema = field
    value = data.draw(disguised(valid_values(schema)), label="value")
    query, body, wire_name = {}, None, name
    if kind == "body":
        url, body, wire_name = _fill(data, path, parameters, None, ""), _nest(name, value), ".".join(name)
    elif next(p for p in parameters if p["name"] == name)["in"] == "path":
        url = _fill(data, path, parameters, name, value)
    else:
        url, query = _fill(data, path, parameters, None, ""), {name: value}
    response = await client.request(
        method.upper(), url.removeprefix("/api/v1"), params=query, json=body, headers=all_roles
    )
    assert response.status_code == 400, (response.status_code, response.text[:300])
    flagged = {p["name"]: p["code"] for p in response.json()["invalidParams"]}
    assert wire_name in flagged and flagged[wire_name] != "missing", flagged


# ---------------------------------------------------------------- the examples found


@given(value=disguised(st.from_regex(r"[0-9]{9}", fullmatch=True)))
@settings(max_examples=50)
def test_a_bsn_in_other_digits_is_never_a_valid_bsn(value: str) -> None:
    assert bsn_problem(value) is not None


@given(value=disguised(st.integers(1, 2_147_483_647).map(str)), weak=st.booleans())
@settings(max_examples=50)
def test_if_match_in_other_digits_never_matches_a_version(value: str, weak: bool) -> None:
    parsed = parse_if_match(("W/" if weak else "") + f'"{value}"')
    assert parsed is not None
    # int() reads the look-alike digits as the version they imitate: that one must not match.
    assert not parsed.matches(int(value))
    assert not parsed.any and parsed.versions == frozenset()


@given(value=disguised(st.uuids().map(str)))
@settings(max_examples=50)
def test_token_id_claims_in_other_digits_are_refused(value: str) -> None:
    claims = {"sub": "x", "roles": ["provider_staff"], "municipality": "GM0363", "provider": value}
    with pytest.raises(Unauthorized):
        principal_from_claims(claims)


@pytest.mark.parametrize(
    "claims",
    [
        {"municipality": "GM０３６３"},
        {"municipality": "GM٠٣٦٣"},
        {"roles": ["gp"], "agb": "０１２３４５６７"},
    ],
    ids=["fullwidth-municipality", "arabic-indic-municipality", "fullwidth-agb"],
)
def test_token_code_claims_in_other_digits_are_refused(claims: dict[str, Any]) -> None:
    with pytest.raises(Unauthorized):
        principal_from_claims(
            {"sub": "x", "roles": ["municipality_officer"], "municipality": "GM0363", **claims}
        )


@given(value=disguised(st.sampled_from(["2026-01-31", "123", "3fa85f64-5717-4562-b3fc-2c963f66afa6"])))
@settings(max_examples=50)
def test_cursor_keys_in_other_digits_are_refused(value: str) -> None:
    for convert in (ascii_date, ascii_int, ascii_uuid):
        with pytest.raises(ValueError):
            convert(value)


async def test_a_cursor_outside_the_base64url_alphabet_is_400(client, auth, ref) -> None:
    cursor = encode_cursor(["2026-01-01T00:00:00+00:00", str(uuid.uuid4())])
    for forged in (cursor[:-1] + "Ａ", cursor + "!", "٣" + cursor):
        response = await client.get(
            "/families",
            params={"cursor": forged},
            headers=auth("district_professional", team=str(ref.teams["GM0363"])),
        )
        assert response.status_code == 400, forged
        assert response.json()["invalidParams"][0]["code"] == "invalid_cursor"


FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


async def test_a_bsn_in_other_digits_never_registers_a_second_family(client, auth, ref, session) -> None:
    for digits in (FULLWIDTH, ARABIC_INDIC):
        response = await client.post(
            "/families", json=family_body(ref, child_bsn=bsn(21).translate(digits)), headers=pro(auth, ref)
        )
        assert response.status_code == 400
        assert [p["name"] for p in response.json()["invalidParams"]] == ["members.1.bsn"]
    first = await client.post("/families", json=family_body(ref, child_bsn=bsn(21)), headers=pro(auth, ref))
    assert first.status_code == 201
    again = await client.post(
        "/families", json=family_body(ref, child_bsn=bsn(21).translate(FULLWIDTH)), headers=pro(auth, ref)
    )
    assert again.status_code == 400
    assert (await session.execute(select(func.count()).select_from(Family))).scalar_one() == 1


async def test_a_gp_referral_by_a_bsn_in_other_digits_is_400_not_an_unmatched_intake(
    client, auth, ref
) -> None:
    await create_family(client, pro(auth, ref), family_body(ref, child_bsn=bsn(22)))
    body = {
        "bsn": bsn(22).translate(ARABIC_INDIC),
        "birthDate": years_ago(8),
        "referrerType": "02",
        "referrerAgb": "01234567",
        "profileCode": "P06",
        "intensityCode": "I2",
        "reason": "Zorgen over de ontwikkeling.",
    }
    response = await client.post("/referrals", json=body, headers=auth("gp", agb="01234567"))
    assert response.status_code == 400
    assert "bsn" in {p["name"] for p in response.json()["invalidParams"]}
    agb = dict(body, bsn=bsn(22), referrerAgb="０１２３４５６７")
    response = await client.post("/referrals", json=agb, headers=auth("gp", agb="01234567"))
    assert response.status_code == 400
    assert "referrerAgb" in {p["name"] for p in response.json()["invalidParams"]}
