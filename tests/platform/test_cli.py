"""The ``perspectief token`` command prints dev tokens the app accepts."""

import uuid
from collections.abc import Iterator

import httpx
import pytest
from jose import jwt

from app.auth import DEV_AUDIENCE, DEV_ISSUER
from app.cli import main
from app.config import get_settings


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


async def test_token_without_the_claim_its_role_needs_is_refused_by_the_app(
    client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    token = run_token(capsys, "--role", "district_professional")
    response = await client.get("/life-domains", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["detail"] == "The token lacks the claim 'team' its role needs."


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
    with pytest.raises(RuntimeError, match="dev tokens exist only"):
        main(["token", "--role", "admin"])
    assert capsys.readouterr().out == ""
