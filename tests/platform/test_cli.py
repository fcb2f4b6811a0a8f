"""The ``perspectief token`` command prints dev tokens the app accepts."""

import argparse
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import httpx
import pytest
from jose import jwt

from app.auth import DEV_AUDIENCE, DEV_ISSUER, ROLE_CLAIMS, Role
from app.cli import build_parser, main, print_tokens
from app.config import get_settings
from app.demo.ids import DEMO_CLAIMS, DEMO_ROLE_DESCRIPTIONS


def run_token(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    main(["token", *args])
    out = capsys.readouterr().out.strip()
    assert out.count(".") == 2, out
    return out


def claims_of(token: str) -> dict[str, object]:
    return jwt.decode(token, get_settings().dev_jwt_secret, algorithms=["HS256"], audience=DEV_AUDIENCE)


async def test_token_for_a_district_professional_is_accepted(
    client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    team = str(uuid.uuid4())
    token = run_token(capsys, "--role", "district_professional", "--team", team)

    claims = claims_of(token)
    assert claims["roles"] == ["district_professional"]
    assert claims["team"] == team
    assert claims["municipality"] == "GM0363"
    assert claims["sub"] == "dev-district_professional"
    assert claims["iss"] == DEV_ISSUER

    response = await client.get("/life-domains", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json()[0] == {"code": "finances", "name": "Financiën", "group": "zrm"}


async def test_token_options_become_claims(
    client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    family, member = str(uuid.uuid4()), str(uuid.uuid4())
    token = run_token(
        capsys,
        "--role", "family_member",
        "--family", family,
        "--member", member,
        "--municipality", "GM0599",
        "--sub", "parent-7",
        "--ttl", "120",
    )  # fmt: skip
    claims = claims_of(token)
    assert (claims["family"], claims["member"], claims["municipality"], claims["sub"]) == (
        family,
        member,
        "GM0599",
        "parent-7",
    )
    assert int(str(claims["exp"])) - int(str(claims["iat"])) == 120
    response = await client.get("/life-domains", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def refusal(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run ``perspectief token`` expecting a refusal: exit code 2, no token, one line on stderr."""
    with pytest.raises(SystemExit) as exited:
        main(["token", *args])
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


@pytest.mark.parametrize(
    ("role", "missing"),
    [
        ("district_professional", "--team"),
        ("provider_staff", "--provider"),
        ("gp", "--agb"),
        ("purchasing_officer", "--region"),
        ("family_member", "--family and --member"),
    ],
)
def test_token_for_a_role_without_its_claims_is_refused(
    capsys: pytest.CaptureFixture[str], role: str, missing: str
) -> None:
    line = refusal(capsys, "--role", role)
    assert f"role {role} needs {missing}" in line
    assert "--demo" in line


def test_token_for_a_family_member_without_the_member_names_only_that(
    capsys: pytest.CaptureFixture[str],
) -> None:
    line = refusal(capsys, "--role", "family_member", "--family", str(uuid.uuid4()))
    assert "needs --member (" in line


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("--role", "chief"), "argument --role: invalid choice: 'chief'"),
        (("--role", "district_professional", "--team", "team-7"), "argument --team: not a UUID: 'team-7'"),
        (("--role", "provider_staff", "--provider", "1234"), "argument --provider: not a UUID"),
        (  # a look-alike digit is not a UUID (uuid.UUID alone would take it)
            ("--role", "provider_staff", "--provider", "\uff101234567-89ab-cdef-0123-456789abcdef"),
            "argument --provider: not a UUID",
        ),
        (("--role", "gp", "--agb", "0101"), "argument --agb: not an AGB code (8 digits)"),
        (("--role", "admin", "--municipality", "0363"), "argument --municipality: not a CBS municipality"),
        (("--role", "admin", "--ttl", "0"), "argument --ttl: not a positive whole number"),
    ],
)
def test_token_with_an_unknown_role_or_malformed_value_is_refused(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], named: str
) -> None:
    assert named in refusal(capsys, *args)


@pytest.mark.parametrize("role", [role.value for role in Role])
async def test_demo_token_of_every_role_is_accepted_and_stands_for_the_demo_region(
    client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str], role: str
) -> None:
    claims = claims_of(run_token(capsys, "--role", role, "--demo"))
    for name in ROLE_CLAIMS[Role(role)]:
        assert claims[name] == DEMO_CLAIMS[name]
    assert claims["municipality"] == "GM0363"
    token = run_token(capsys, "--role", role, "--demo")
    response = await client.get("/life-domains", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_demo_fills_only_what_is_not_given(capsys: pytest.CaptureFixture[str]) -> None:
    team = str(uuid.uuid4())
    claims = claims_of(run_token(capsys, "--role", "district_professional", "--demo", "--team", team))
    assert claims["team"] == team


def test_run_prints_what_each_token_stands_for(capsys: pytest.CaptureFixture[str]) -> None:
    print_tokens()
    out = capsys.readouterr().out
    for role, description in DEMO_ROLE_DESCRIPTIONS.items():
        block = out[out.index(f"  {role} — ") :]
        heading, carried, token = block.splitlines()[:3]
        assert heading == f"  {role} — {description}"
        for name in ROLE_CLAIMS[Role(role)]:
            assert f"{name} {DEMO_CLAIMS[name]}" in carried
        claims = claims_of(token.strip())
        assert claims["roles"] == [role]
        assert {name: claims[name] for name in ROLE_CLAIMS[Role(role)]} == {
            name: DEMO_CLAIMS[name] for name in ROLE_CLAIMS[Role(role)]
        }


def test_every_option_has_a_help_text_and_the_description_is_plain() -> None:
    parser = build_parser()
    assert "``" not in (parser.description or "")
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, command in subparsers.choices.items():
        assert "``" not in (command.description or ""), name
        for action in command._actions:
            if not isinstance(action, argparse._HelpAction):
                assert action.help, f"perspectief {name} {action.option_strings or action.dest}"


@pytest.fixture
def prod_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PERSPECTIEF_ENV", "prod")
    monkeypatch.setenv("PERSPECTIEF_DATABASE_URL", "postgresql://perspectief@db/perspectief")
    monkeypatch.setenv("PERSPECTIEF_JWKS_URL", "https://login.example/certs")
    monkeypatch.setenv("PERSPECTIEF_JWT_ISSUER", "https://login.example")
    monkeypatch.setenv("PERSPECTIEF_JWT_AUDIENCE", "perspectief-api")
    monkeypatch.setenv("PERSPECTIEF_OIN", "00000004003214345000")
    monkeypatch.setenv("PERSPECTIEF_PUBLIC_BASE_URL", "https://jeugd.gm0363.example")
    get_settings.cache_clear()
    try:
        yield
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_no_dev_tokens_in_production(prod_environment: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert "dev tokens exist only when PERSPECTIEF_ENV is dev or test" in refusal(capsys, "--role", "admin")


def perspectief(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The real command in a process of its own, with ``env`` on top of this environment."""
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


CONFIGURATION_ERRORS = [
    ({"PERSPECTIEF_ENV": "prod"}, "production needs PERSPECTIEF_DATABASE_URL, PERSPECTIEF_JWKS_URL"),
    ({"PERSPECTIEF_DEV_JWT_SECRET": "short"}, "PERSPECTIEF_DEV_JWT_SECRET must be at least 32 characters"),
    ({"PERSPECTIEF_ENV": "production"}, "PERSPECTIEF_ENV: Input should be 'dev', 'test' or 'prod'"),
    ({"PERSPECTIEF_DB_POOL_SIZE": "many"}, "PERSPECTIEF_DB_POOL_SIZE: Input should be a valid integer"),
]


@pytest.mark.parametrize(
    ("env", "named", "command"),
    [(env, named, ("migrate",)) for env, named in CONFIGURATION_ERRORS]
    + [(CONFIGURATION_ERRORS[0][0], CONFIGURATION_ERRORS[0][1], ("serve",))]
    + [(CONFIGURATION_ERRORS[1][0], CONFIGURATION_ERRORS[1][1], ("token", "--role", "admin"))],
)
def test_configuration_errors_are_one_line_naming_the_variable(
    env: dict[str, str], named: str, command: tuple[str, ...]
) -> None:
    result = perspectief(*command, **env)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"perspectief {command[0]}: configuration error: ")
    assert named in lines[0]


def test_run_is_refused_in_production(prod_environment: None, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["run"])
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "perspectief run: run loads demo data and prints dev tokens: it is for PERSPECTIEF_ENV dev or test "
        "(production: perspectief serve --migrate)"
    ]
