"""Rules that need no other rows (a BSN's 11-proef, a period's order), reported with the schema's.

Services check these rules together with every rule that does look at rows (an unknown
district, a BSN already in use), so a well-formed request gets one 400 listing all of them.
A request the schema refuses never reaches a service; for it, the 400 handler runs these
rules over the raw body too (:func:`raw_problems`), so that answer lists them beside the
schema's errors instead of on the next try.

A rule is attached where the input is typed: :class:`Rule` as ``Annotated`` metadata of a
value, or a ``raw_rules`` class attribute on a model for rules across its fields.
"""

import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

Problem = tuple[str, str]  # (code, reason)


@dataclass(frozen=True)
class Rule:
    """``check(value)`` → ``(code, reason)`` when the value breaks the rule, else None."""

    check: Callable[[Any], Problem | None]


ModelRule = Callable[[dict[str, Any]], list[tuple[str, str, str]]]  # raw → [(name, code, reason)]


def _unwrap(annotation: Any) -> Iterator[Any]:
    """The annotation and every type inside it (unions, lists, Annotated), with metadata."""
    yield annotation
    for arg in typing.get_args(annotation):
        yield from _unwrap(arg)


def _rules(annotation: Any, metadata: list[Any]) -> list[Rule]:
    found = [m for m in metadata if isinstance(m, Rule)]
    for part in _unwrap(annotation):
        if typing.get_origin(part) is typing.Annotated:
            found += [m for m in part.__metadata__ if isinstance(m, Rule)]
    return found


def _models(annotation: Any) -> tuple[bool, list[type[BaseModel]]]:
    """Whether the value is a list, and the models it may hold."""
    many = any(typing.get_origin(p) in (list, tuple, set) for p in _unwrap(annotation))
    models = [p for p in _unwrap(annotation) if isinstance(p, type) and issubclass(p, BaseModel)]
    return many, models


def raw_problems(model: type[BaseModel], raw: Any, prefix: str = "") -> list[tuple[str, str, str]]:
    """``(name, code, reason)`` of every rule a raw (unvalidated) body breaks, names as on the wire."""
    if not isinstance(raw, dict):
        return []
    found: list[tuple[str, str, str]] = []
    for rule in getattr(model, "raw_rules", ()):
        found += [(prefix + name, code, reason) for name, code, reason in rule(raw)]
    for name, field in model.model_fields.items():
        key = field.alias or name
        if key not in raw:
            continue
        value = raw[key]
        for rule in _rules(field.annotation, field.metadata):
            problem = rule.check(value) if isinstance(value, str) else None
            if problem:
                found.append((prefix + key, *problem))
        many, models = _models(field.annotation)
        items = list(enumerate(value)) if many and isinstance(value, list) else [(None, value)]
        for index, item in items:
            where = f"{prefix}{key}." + (f"{index}." if index is not None else "")
            for nested in models:
                found += raw_problems(nested, item, where)
    return found


def body_model(route: Any) -> type[BaseModel] | None:
    """The model of a route's JSON body, if it has one."""
    field = getattr(route, "body_field", None)
    annotation = getattr(getattr(field, "field_info", None), "annotation", None)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if isinstance(annotation, types.UnionType):
        models = [a for a in typing.get_args(annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
        return models[0] if models else None
    return None
