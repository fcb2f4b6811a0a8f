"""The problem types this service answers with, each a page a developer can read.

A problem's ``type`` is ``/api/v1/problems/<code>`` (relative to the service, as RFC 9457
allows), and that URL serves a short HTML page: what the problem means and what to do.
``GET /api/v1/problems`` lists them all. Every ``code`` a service raises must be listed in
``problem_types.toml`` (a test reads the code for them).
"""

import tomllib
from dataclasses import dataclass
from importlib.resources import files


@dataclass(frozen=True)
class ProblemType:
    status: int
    title: str
    explanation: str


def _catalogue() -> dict[str, ProblemType]:
    """The problem types of ``problem_types.toml`` (a table per status, in it a table per code)."""
    tables = tomllib.loads((files(__package__) / "problem_types.toml").read_text(encoding="utf-8"))
    return {
        code: ProblemType(int(status), **entry)
        for status, entries in tables.items()
        for code, entry in entries.items()
    }


PROBLEM_TYPES: dict[str, ProblemType] = _catalogue()
