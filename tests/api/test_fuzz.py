"""Property-based fuzzing of the whole HTTP API against its own OpenAPI document.

Every operation of ``/api/v1/openapi.json`` is exercised, as one or two roles that can reach it,
with requests that schemathesis generates from the document: valid ones (positive) and ones that
break it (negative). Path and query parameters are sometimes pointed at rows that really exist
(the reference data and one family case with an agreed plan, a consent and a started
engagement), so that bodies are checked against live resources, not only against 404.

Whatever the input, the answer must be clear:

* never a server error (status 5xx);
* every 4xx is ``application/problem+json`` with ``status``, ``title`` and ``detail``;
* no 422 except ``idempotency_key_reused`` (invalid input is 400);
* the status code is one the operation documents, and a 2xx body has the documented
  content type and conforms to the documented response schema.

The requests go over ASGI to the real app with real dev tokens. Generation is derandomized and
bounded per operation for CI: the same tree gives the same examples (Hypothesis also draws
constants from the project's own modules, so changing code may change them; a failure's note
names the exact request). Cursors are sometimes forged (a valid encoding of arbitrary values),
and ids and codes in bodies are sometimes swapped for existing ones.

A negative example that reaches the app as generated must also be rejected (4xx). Every bug the
fuzzing found has a minimal reproduction in BAD_INPUT, which must stay a 400 naming the field.
"""

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import get_settings
from app.main import create_app
from app.models.plans import Plan, PlanVersion
from app.models.providers import Tariff
from app.services.plans.snapshot import content_json
from app.services.plans.view import load_content
from tests.support.builders import Case, add_engagement, build_case
from tests.support.factories import Reference

BASE_URL = "http://test/api/v1"
MAX_EXAMPLES = 15
ANONYMOUS = "anonymous"
PROBLEM_JSON = "application/problem+json"


def _load_schema() -> Any:
    """The OpenAPI document as the app serves it (no database is touched to serve it)."""
    app = create_app(get_settings(), database_url="postgresql+asyncpg://schema-only@localhost/none")
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)


SCHEMA = _load_schema()
OPERATIONS = {op.label: op for op in (result.ok() for result in SCHEMA.get_all_operations())}

# The roles that fuzz an operation: per tag, refined per (tag, method), refined per (method, path);
# the most specific entry wins. Each role listed can use the operation (it is not a 403 check).
_TAG_ROLES: dict[str, tuple[str, ...]] = {
    "operations": (ANONYMOUS,),
    "marketplace": (ANONYMOUS,),
    "problems": (ANONYMOUS,),
    "geography": ("admin", "district_professional"),
    "life-domains": ("family_member",),
    "catalogue": ("purchasing_officer", "district_professional"),
    "providers": ("purchasing_officer", "provider_staff"),
    "tariffs": ("purchasing_officer",),
    "catalogue-imports": ("purchasing_officer",),
    "families": ("district_professional", "family_member"),
    "consents": ("district_professional", "family_member"),
    "plans": ("district_professional", "family_member"),
    "referrals": ("district_professional", "family_member"),
    "engagements": ("district_professional", "provider_staff"),
    "treatment-plans": ("provider_staff", "district_professional"),
    "handoffs": ("district_professional", "provider_staff"),
    "payments": ("municipality_officer",),
    "budgets": ("municipality_officer",),
    "insights": ("municipality_officer",),
    "case-reviews": ("municipality_officer", "district_professional"),
    "privacy": ("admin",),
    "audit": ("admin",),
    "integration": ("integration",),
    "ijw-messages": ("provider_staff", "district_professional"),
    "ijw-allocation-requests": ("district_professional",),
}
_METHOD_ROLES: dict[tuple[str, str], tuple[str, ...]] = {
    ("geography", "POST"): ("admin",),
    ("catalogue", "POST"): ("purchasing_officer",),
    ("providers", "POST"): ("purchasing_officer",),
    ("families", "POST"): ("district_professional",),
    ("families", "PATCH"): ("district_professional",),
    ("referrals", "POST"): ("district_professional", "gp"),
    ("treatment-plans", "PUT"): ("provider_staff",),
    ("treatment-plans", "POST"): ("provider_staff",),
    ("ijw-messages", "POST"): ("provider_staff",),
}
TEAM = ("district_professional",)
STAFF = ("provider_staff",)
# The actions on a plan only its team takes, and those on an engagement only its provider takes.
PLAN_ACTIONS = ("support-profiles", "revisions", "withdraw", "evaluation", "close")
PROVIDER_ACTIONS = ("accept", "decline", "start", "close", "subcontracts", "progress-reports")


def _posts(resource: str, *actions: str) -> list[tuple[str, str]]:
    """The POST routes ``{resource}/{action}`` of the actions on one resource."""
    return [("POST", f"{resource}/{action}") for action in actions]


_PATH_ROLES: dict[tuple[str, str], tuple[str, ...]] = {
    ("PUT", "/districts/{code}/indicators/{year}"): ("admin", "municipality_officer"),
    ("GET", "/providers/{providerId}/contracts"): ("purchasing_officer",),
    ("GET", "/providers/{providerId}/contracts/{contractId}"): ("purchasing_officer",),
    ("POST", "/families/{familyId}/plans"): TEAM,
    ("PUT", "/plans/{planId}/assessments/{domainCode}"): TEAM,
    **dict.fromkeys(_posts("/plans/{planId}", *PLAN_ACTIONS), TEAM),
    ("GET", "/plans/{planId}"): (*TEAM, *STAFF),
    ("GET", "/plans/{planId}/provider-options"): TEAM,
    ("POST", "/engagements"): (*TEAM, "family_member"),
    **dict.fromkeys(_posts("/engagements/{engagementId}", *PROVIDER_ACTIONS), STAFF),
    ("POST", "/engagements/{engagementId}/withdraw"): (*TEAM, "family_member"),
    ("POST", "/engagements/{engagementId}/experience-surveys"): ("family_member",),
    **dict.fromkeys(_posts("/handoffs/{handoffId}", "acknowledge", "start", "resolve", "decline"), TEAM),
    ("GET", "/families/{familyId}/export"): (*TEAM, "family_member"),
}


def roles_for(method: str, path: str, tag: str) -> tuple[str, ...]:
    return _PATH_ROLES.get((method, path)) or _METHOD_ROLES.get((tag, method)) or _TAG_ROLES[tag]


def _cases() -> list[Any]:
    params = []
    for label, op in OPERATIONS.items():
        tag = op.definition.raw["tags"][0]
        for role in roles_for(op.method.upper(), op.path, tag):
            name = f"{op.method.upper()} {op.path} as {role}"
            params.append(pytest.param(label, role, id=name))
    return params


@dataclass
class World:
    """Rows that exist during one test, and the tokens of the roles that fuzz it."""

    headers: dict[str, dict[str, str]]
    path_values: dict[str, list[Any]]
    query_values: dict[str, list[Any]]
    body_values: dict[str, list[Any]]
    ids: dict[str, str]
    header_values: dict[str, list[str]] = field(default_factory=dict)

    def path_pool(self, path: str, name: str) -> list[Any]:
        """Existing values for a path parameter (``code`` means something else per resource)."""
        if name == "code":
            return self.path_values.get(f"code:{path.split('/')[1]}", [])
        return self.path_values.get(name, [])


async def _freeze_real_snapshot(session: AsyncSession, case: Case) -> None:
    """The builder stores a token snapshot; store the agreed version as signing would freeze it."""
    plan = await session.get(Plan, case.plan_id)
    frozen = await session.get(PlanVersion, (case.plan_id, plan.version))
    view = await load_content(session, plan)
    frozen.snapshot = content_json(view.as_dict(signatures_of_version=plan.version))
    await session.commit()


@pytest.fixture
async def world(session: AsyncSession, ref: Reference, token: Callable[..., str]) -> World:
    """Built once per test; Hypothesis' examples of that test share it (and may change it)."""
    provider = ref.providers[0]
    case: Case = await build_case(session, ref, consent_providers=[provider])
    engagement = await add_engagement(session, case, provider, contract_id=ref.contracts[provider])
    await _freeze_real_snapshot(session, case)
    tariff_id = await session.scalar(select(Tariff.id).limit(1))
    claims: dict[str, dict[str, Any]] = {
        "admin": {},
        "municipality_officer": {},
        "district_professional": {"team": ref.teams["GM0363"]},
        "purchasing_officer": {"region": ref.region_id},
        "provider_staff": {"provider": provider},
        "family_member": {"family": case.family_id, "member": case.parent_id},
        "gp": {"agb": "01999999"},
        "integration": {},
    }
    headers = {role: {"Authorization": f"Bearer {token(role, **c)}"} for role, c in claims.items()}
    headers[ANONYMOUS] = {}
    gm0363 = ref.districts["GM0363"]
    path_values: dict[str, list[Any]] = {
        "code:municipalities": ["GM0363", "GM0344"],
        "code:districts": [gm0363[0], ref.districts["GM0344"][0]],
        "code:support-profiles": ["P03", "P10"],
        "regionId": [ref.region_id],
        "teamId": [ref.teams["GM0363"], ref.second_team],
        "providerId": [provider, ref.uncontracted_provider],
        "contractId": [ref.contracts[provider]],
        "tariffId": [tariff_id],
        "familyId": [case.family_id],
        "memberId": [case.child_id, case.parent_id],
        "consentId": [case.consent_ids[provider]],
        "planId": [case.plan_id],
        "goalId": case.goal_ids,
        "version": [3],
        "domainCode": ["finances", "parenting"],
        "referralId": [case.referral_id],
        "engagementId": [engagement.id],
        "municipality": ["GM0363"],
        "year": [2026],
    }
    query_values: dict[str, list[Any]] = {
        "profileCode": ["P03"],
        "intensityCode": ["I2"],
        "municipality": ["GM0363"],
        "providerId": [provider],
        "familyId": [case.family_id],
        "memberId": [case.child_id],
        "year": [2026],
    }
    ids = {k: [str(v) for v in pool] for k, pool in path_values.items() if k.endswith("Id")}
    members = [str(case.child_id), str(case.parent_id)]
    body_values: dict[str, list[Any]] = {
        **ids,
        "childMemberId": members[:1],
        "respondentMemberId": members,
        "grantedByMemberId": members[1:],
        "goalIds": [[str(g) for g in case.goal_ids]],
        "profileCode": ["P03"],
        "intensityCode": ["I2"],
        "domainCode": ["finances"],
        "districtCode": [gm0363[0]],
        "districtCodes": [[gm0363[0]]],
        "municipality": ["GM0363"],
        "municipalityCode": ["GM0363"],
    }
    named = {
        "provider": provider,
        "plan": case.plan_id,
        "engagement": engagement.id,
        "parent": case.parent_id,
        "child": case.child_id,
    }
    world_ids = {k: str(v) for k, v in named.items()}
    return World(headers, path_values, query_values, body_values, world_ids, {"If-Match": ['"3"']})


def _cursor(values: list[Any]) -> str:
    """A cursor in the service's encoding (base64 of a JSON list), holding whatever we chose."""
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


# Generated cursors almost never decode; forged ones do, and carry values of any JSON type.
FORGED_CURSORS = st.lists(
    st.one_of(
        st.sampled_from(
            ["2026-01-01", "2026-01-01T10:00:00+00:00", "00000000-0000-0000-0000-000000000000", "a\x00b"]
        ),
        st.text(max_size=8),
        st.integers(),
        st.none(),
        st.booleans(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.lists(st.integers(), max_size=2),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    ),
    max_size=5,
).map(_cursor)


def _strategy(op: Any) -> Any:
    positive = op.as_strategy(generation_mode=GenerationMode.POSITIVE)
    negatable = any(len(c) for c in (op.path_parameters, op.query, op.headers)) or len(op.body)
    if not negatable:
        return positive
    return st.one_of(positive, op.as_strategy(generation_mode=GenerationMode.NEGATIVE))


def _point_at_existing_rows(case: Any, world: World, data: st.DataObject) -> bool:
    """Now and then swap generated values for ones naming rows that exist; True if any was."""
    swapped = _swap_parameters(case, world, data)
    swapped |= _swap_body_values(case.body, world, data)
    if case.operation.query.get("cursor") is not None and data.draw(st.booleans(), label="forge cursor"):
        case.query = {**(case.query or {}), "cursor": data.draw(FORGED_CURSORS, label="cursor")}
        swapped = True
    return swapped


def _swap_parameters(case: Any, world: World, data: st.DataObject) -> bool:
    swapped = False
    for name in list(case.path_parameters or {}):
        pool = world.path_pool(case.operation.path, name)
        if pool and data.draw(st.booleans(), label=f"existing {name}"):
            case.path_parameters[name] = str(data.draw(st.sampled_from(pool), label=name))
            swapped = True
    for name, pool in world.query_values.items():
        declared = case.operation.query.get(name) is not None
        if declared and data.draw(st.booleans(), label=f"existing ?{name}"):
            case.query = {**(case.query or {}), name: str(data.draw(st.sampled_from(pool), label=name))}
            swapped = True
    for name, pool in world.header_values.items():
        if case.operation.headers.get(name) is not None and data.draw(st.booleans(), label=name):
            case.headers = {**(case.headers or {}), name: data.draw(st.sampled_from(pool), label=name)}
            swapped = True
    return swapped


def _swap_body_values(body: Any, world: World, data: st.DataObject) -> bool:
    """In a JSON body, swap ids and codes (at any depth) for existing ones now and then."""
    swapped = False
    if isinstance(body, dict):
        for key in list(body):
            pool = world.body_values.get(key)
            if pool and data.draw(st.booleans(), label=f"existing {key}"):
                body[key] = data.draw(st.sampled_from(pool), label=key)
                swapped = True
            else:
                swapped |= _swap_body_values(body[key], world, data)
    elif isinstance(body, list):
        for item in body[:5]:
            swapped |= _swap_body_values(item, world, data)
    return swapped


def _negation_is_sent(case: Any, swapped: bool) -> bool:
    """Whether a negative case reaches the app as generated (we always send a valid token)."""
    meta = case.meta
    if swapped or meta is None or not meta.generation.mode.is_negative:
        return False
    mutations = getattr(meta.phase.data, "mutations", ())
    return bool(mutations) and all(m.parameter != "Authorization" for m in mutations)


def _httpx_kwargs(case: Any, auth: dict[str, str]) -> dict[str, Any]:
    """Turn schemathesis' requests-style arguments into an httpx request."""
    kwargs = case.as_transport_kwargs(base_url=BASE_URL)
    headers = {k: v for k, v in kwargs.pop("headers").items() if k.lower() != "authorization"}
    kwargs["headers"] = {**headers, **auth}
    if not kwargs.get("cookies"):
        kwargs.pop("cookies", None)
    if isinstance(kwargs.get("data"), bytes | str):
        kwargs["content"] = kwargs.pop("data")
    elif kwargs.get("data") is None:
        kwargs.pop("data", None)
    else:
        kwargs["data"] = {k: _as_form_value(v) for k, v in kwargs["data"].items()}
    if kwargs.get("files"):
        kwargs["files"] = [_as_file(name, value) for name, value in kwargs["files"]]
    return kwargs


def _as_form_value(value: Any) -> str | list[str]:
    if isinstance(value, list):
        return [v if isinstance(v, str) else json.dumps(v) for v in value]
    return value if isinstance(value, str) else json.dumps(value)


def _as_file(name: str, value: Any) -> tuple[str, Any]:
    """A multipart part as httpx sends it: negative cases put any JSON value where a file goes."""
    filename, content, *rest = value if isinstance(value, tuple) else ("file", value)
    if not isinstance(content, bytes | str):
        content = json.dumps(content)
    return name, (filename, content, *rest)


def _describe(role: str, kwargs: dict[str, Any]) -> str:
    body = kwargs.get("json", kwargs.get("content", kwargs.get("data", kwargs.get("files"))))
    if isinstance(body, bytes):
        body = body[:500]
    extra = {k: v for k, v in kwargs["headers"].items() if k.lower() not in {"authorization", "user-agent"}}
    return (
        f"as {role}: {kwargs['method']} {kwargs['url']} params={kwargs.get('params')!r} "
        f"headers={extra!r} body={body!r}"
    )


def assert_clear_answer(case: Any, response: httpx.Response, *, negative: bool = False) -> None:
    status = response.status_code
    assert status < 500, f"server error {status}: {response.text[:500]}"
    if 400 <= status < 500:
        content_type = response.headers.get("content-type", "")
        assert content_type.startswith(PROBLEM_JSON), f"{status} as {content_type!r}: {response.text[:300]}"
        problem = response.json()
        assert problem.get("status") == status, problem
        assert isinstance(problem.get("title"), str) and problem["title"], problem
        assert isinstance(problem.get("detail"), str) and problem["detail"], problem
        if status == 422:
            assert problem.get("code") == "idempotency_key_reused", problem
    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
            *([negative_data_rejection] if negative else []),
        ],
    )


@pytest.mark.parametrize(("label", "role"), _cases())
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=(Phase.explicit, Phase.generate),  # no shrinking: the note names the failing request
    suppress_health_check=(
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ),
)
@given(data=st.data())
async def test_every_answer_is_clear_and_documented(
    label: str,
    role: str,
    data: st.DataObject,
    client: httpx.AsyncClient,
    world: World,
) -> None:
    op = OPERATIONS[label]
    case = data.draw(_strategy(op), label="case")
    swapped = _point_at_existing_rows(case, world, data)
    kwargs = _httpx_kwargs(case, world.headers[role])
    note(_describe(role, kwargs))
    response = await client.request(**kwargs)
    await response.request.aread()  # a multipart upload is streamed; the checks read it back
    note(f"answer {response.status_code}: {response.text[:500]}")
    assert_clear_answer(case, response, negative=_negation_is_sent(case, swapped))


def test_every_operation_is_fuzzed() -> None:
    """The parametrization covers the whole document, so a new endpoint is fuzzed too."""
    covered = {p.values[0] for p in _cases()}
    assert covered == set(OPERATIONS)
    assert len(OPERATIONS) >= 100


async def _send(
    client: httpx.AsyncClient, world: World, role: str, method: str, path: str, kwargs: dict[str, Any]
) -> httpx.Response:
    url = path.format(**world.ids)
    return await client.request(method, url, headers=world.headers[role], **_fill(kwargs, world.ids))


def _fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**ids) if "{" in value else value
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


NUL = "a\x00b"
CONTRACT = {"validFrom": "2026-01-01", "products": [{"profileCode": "P02", "intensityCode": "I1"}]}
# Inputs the fuzzer found answered with 500 (PostgreSQL cannot store NUL in text, integer columns
# hold 32 bits, cursor values went unchecked into the query) or accepted against the document;
# each is a 400 naming the field. ``{provider}`` etc. are ids of the test's world.
BAD_INPUT = [
    ("admin", "POST", "/regions", {"json": {"name": NUL}}, "name"),
    ("admin", "POST", "/teams", {"json": {"name": NUL, "kind": "intake"}}, "name"),
    ("admin", "GET", "/municipalities/GM%000363", {}, "code"),
    ("admin", "GET", "/districts/WK%00036301", {}, "code"),
    ("admin", "GET", "/districts/WK%00036301/indicators", {}, "code"),
    (
        "admin",
        "PUT",
        "/districts/WK036301/indicators/2026",
        {"json": {"youthPopulation": 2**31}},
        "youthPopulation",
    ),
    (
        "purchasing_officer",
        "POST",
        "/support-profiles",
        {
            "json": {
                "code": "P20",
                "name": "Nieuw",
                "segment": "B",
                "description": NUL,
                "intensities": [{"code": "I1", "name": "Licht", "maxMonths": 3}],
            }
        },
        "description",
    ),
    ("purchasing_officer", "GET", "/support-profiles/P%0001", {}, "code"),
    ("purchasing_officer", "POST", "/providers", {"json": {"agbCode": "12345678", "name": NUL}}, "name"),
    (
        "purchasing_officer",
        "POST",
        "/providers/{provider}/contracts",
        {"json": {**CONTRACT, "paymentModel": "milestone", "capacity": 2**31}},
        "capacity",
    ),
    (
        "purchasing_officer",
        "POST",
        "/providers/{provider}/contracts",
        {"json": {**CONTRACT, "paymentModel": "lumpsum", "lumpsumPeriodCents": 10**20}},
        "lumpsumPeriodCents",
    ),
    ("admin", "GET", "/regions", {"params": {"cursor": _cursor([1])}}, "cursor"),
    ("admin", "GET", "/regions", {"params": {"cursor": _cursor([NUL])}}, "cursor"),
    ("admin", "GET", "/teams", {"params": {"cursor": _cursor(["Wijkteam", 1])}}, "cursor"),
    (
        "admin",
        "GET",
        "/districts/WK036301/indicators",
        {"params": {"cursor": _cursor(["99999999999"])}},
        "cursor",
    ),
    ("purchasing_officer", "GET", "/providers", {"params": {"cursor": _cursor([{"agb": 1}])}}, "cursor"),
    # a number was read as a timestamp (1970-01-01) instead of being rejected
    ("purchasing_officer", "GET", "/tariffs", {"params": {"onDate": "0.0"}}, "onDate"),
    # forged cursors on the other lists (were 500; fixed by one typed cursor decoder)
    (
        "district_professional",
        "GET",
        "/engagements",
        {"params": {"cursor": _cursor(["2026-01-01", 1])}},
        "cursor",
    ),
    ("district_professional", "GET", "/handoffs", {"params": {"cursor": _cursor([1])}}, "cursor"),
    ("municipality_officer", "GET", "/payments", {"params": {"cursor": _cursor([1])}}, "cursor"),
    ("municipality_officer", "GET", "/payment-batches", {"params": {"cursor": _cursor([1])}}, "cursor"),
    ("municipality_officer", "GET", "/case-reviews", {"params": {"cursor": _cursor(["x"])}}, "cursor"),
    # found by this fuzzing outside the reference data, fixed since
    (
        "district_professional",
        "POST",
        "/handoffs",
        {"json": {"planId": "{plan}", "domainCode": "finances", "need": NUL, "urgency": "routine"}},
        "need",
    ),
    (
        "family_member",
        "POST",
        "/engagements/{engagement}/experience-surveys",
        {"json": {"respondentMemberId": "{parent}", "score": 7, "answers": {"q1": NUL}}},
        "answers",
    ),
    ("municipality_officer", "GET", "/insights/trends", {"params": {"asOf": "0001-01-01"}}, "asOf"),
    ("municipality_officer", "GET", "/insights/trends", {"params": {"asOf": "0.0"}}, "asOf"),
    ("municipality_officer", "GET", "/insights/districts", {"params": {"from": "0.0", "to": "0.0"}}, "from"),
    (
        "district_professional",
        "GET",
        "/plans/{plan}/provider-options",
        {"params": {"memberId": "{child}", "date": "0.0"}},
        "date",
    ),
]


@pytest.mark.parametrize(
    ("role", "method", "path", "request_kwargs", "field"),
    BAD_INPUT,
    ids=[f"{m} {p} {f}" for _, m, p, _, f in BAD_INPUT],
)
async def test_bad_input_is_a_400_naming_the_field(
    role: str,
    method: str,
    path: str,
    request_kwargs: dict[str, Any],
    field: str,
    client: httpx.AsyncClient,
    world: World,
) -> None:
    response = await _send(client, world, role, method, path, request_kwargs)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert field in {p["name"] for p in response.json()["invalidParams"]}, response.text


async def test_catalogue_import_rows_with_nul_or_out_of_range_numbers_are_row_errors(
    client: httpx.AsyncClient, world: World
) -> None:
    rows = [
        {
            "kind": "profile",
            "profileCode": "P20",
            "profileName": NUL,
            "segment": "B",
            "intensityCode": "I1",
            "intensityName": "Licht",
            "maxMonths": 3,
        },
        {
            "kind": "contract",
            "providerAgbCode": "12345678",
            "paymentModel": "milestone",
            "capacity": 2**31,
            **CONTRACT,
        },
    ]
    response = await client.post(
        "/catalogue-imports", json={"rows": rows}, headers=world.headers["purchasing_officer"]
    )
    assert response.status_code == 400, response.text
    errors = {(e["row"], e["name"]) for e in response.json()["rowErrors"]}
    assert errors == {(1, "profileName"), (2, "capacity")}
