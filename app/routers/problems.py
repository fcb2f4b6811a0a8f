"""HTTP routes: the human-readable pages behind the problem ``type`` URIs."""

import html

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse

from app.errors import NotFound
from app.identifiers import PROBLEM_CODE
from app.problem_types import PROBLEM_TYPES, ProblemType

router = APIRouter(tags=["problems"])

_HTML = {200: {"content": {"text/html": {"schema": {"type": "string"}}}}}
_STYLE = "body{font-family:sans-serif;max-width:48rem;margin:2rem auto;line-height:1.5}code{background:#eee}"


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{_STYLE}</style></head><body>{body}</body></html>"
    )


def _section(code: str, problem: ProblemType) -> str:
    return (
        f'<section id="{code}"><h2><a href="problems/{code}">{html.escape(problem.title)}</a></h2>'
        f"<p>HTTP {problem.status} · <code>code: {code}</code></p><p>{html.escape(problem.explanation)}</p>"
        "</section>"
    )


@router.get(
    "/problems",
    response_class=HTMLResponse,
    responses=_HTML,
    summary="Every problem type of this API (HTML)",
)
async def list_problem_types() -> HTMLResponse:
    sections = "".join(_section(code, p) for code, p in sorted(PROBLEM_TYPES.items(), key=_by_status))
    intro = (
        "<h1>Problem types</h1><p>Errors are <code>application/problem+json</code> (RFC 9457); "
        "their <code>type</code> links here and <code>code</code> names the problem.</p>"
    )
    return _page("Problem types", intro + sections)


@router.get(
    "/problems/{code}",
    response_class=HTMLResponse,
    responses=_HTML,
    summary="What a problem type means and what to do about it (HTML)",
)
async def get_problem_type(
    code: str = Path(pattern=PROBLEM_CODE, examples=["plan_not_complete"]),
) -> HTMLResponse:
    problem = PROBLEM_TYPES.get(code)
    if problem is None:
        raise NotFound("problem type")
    body = (
        f"<h1>{html.escape(problem.title)}</h1><p>HTTP {problem.status} · <code>code: {code}</code></p>"
        f'<p>{html.escape(problem.explanation)}</p><p><a href="../problems">All problem types</a></p>'
    )
    return _page(problem.title, body)


def _by_status(item: tuple[str, ProblemType]) -> tuple[int, str]:
    return item[1].status, item[0]
