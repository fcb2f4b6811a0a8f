"""Authentication over HTTP against ``GET /life-domains``, in dev (HS256) and JWKS (RS256/ES256) mode.

The JWKS is served by a real HTTP server on 127.0.0.1 started by the test, which counts
how often the key set is fetched.
"""

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jose import jwk, jwt
from pydantic import ValidationError

from app.auth import DEV_AUDIENCE, DEV_ISSUER, issue_dev_token
from app.config import Settings, get_settings
from tests.support.apps import fresh_client

ISSUER = "https://login.gm0363.example/realms/youth"
AUDIENCE = "perspectief-api"
PROD_PUBLIC = {"oin": "00000004003214345000", "public_base_url": "https://jeugd.gm0363.example"}
TEAM = "5b0f9b8e-1a52-4c8e-9f4a-2d1d7f3c0a11"
EXPECTED_FIRST = {"code": "finances", "name": "Financiën", "group": "zrm"}


# --- keys and token builders --------------------------------------------------------------------


def _pem_private(key: Any) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _pem_public(key: Any) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_ROTATED = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_ROGUE = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())


def public_jwk(key: Any, alg: str, kid: str) -> dict[str, Any]:
    data = jwk.construct(_pem_public(key), alg).to_dict()
    return {**data, "kid": kid, "use": "sig"}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned_parts(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"


def hs256_raw(claims: dict[str, Any], secret: bytes, **header: Any) -> str:
    """An HS256 token signed by hand (python-jose refuses PEM keys as HMAC secrets)."""
    signing_input = unsigned_parts({"alg": "HS256", "typ": "JWT", **header}, claims)
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def alg_none(claims: dict[str, Any]) -> str:
    return unsigned_parts({"alg": "none", "typ": "JWT"}, claims) + "."


def claims_for(issuer: str, audience: str, *, drop: tuple[str, ...] = (), **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": "user-42",
        "roles": ["district_professional"],
        "municipality": "GM0363",
        "team": TEAM,
        "iss": issuer,
        "aud": audience,
        "iat": now,
        "exp": now + 600,
        **overrides,
    }
    return {k: v for k, v in claims.items() if k not in drop}


def dev_claims(**kwargs: Any) -> dict[str, Any]:
    return claims_for(DEV_ISSUER, DEV_AUDIENCE, **kwargs)


def prod_claims(**kwargs: Any) -> dict[str, Any]:
    return claims_for(ISSUER, AUDIENCE, **kwargs)


def dev_secret() -> str:
    return get_settings().dev_jwt_secret


def signed(claims: dict[str, Any], key: Any, alg: str, kid: str | None = None) -> str:
    headers = {"kid": kid} if kid else None
    return jwt.encode(claims, _pem_private(key).decode(), algorithm=alg, headers=headers)


def rs_token(**claims: Any) -> str:
    return signed(prod_claims(**claims), RSA_KEY, "RS256", "rsa-1")


def es_token(**claims: Any) -> str:
    return signed(prod_claims(**claims), EC_KEY, "ES256", "ec-1")


async def get_domains(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.get("/life-domains", headers=bearer(token))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_unauthorized(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 401
    assert body["title"] == "Unauthorized"
    assert {"type", "detail", "instance"} <= body.keys()
    assert "user-42" not in response.text


async def assert_catalogue(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body) == 17
    assert body[0] == EXPECTED_FIRST
    assert body[-1] == {"code": "school", "name": "School", "group": "child"}


# --- the endpoint itself ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "claims"),
    [
        ("district_professional", {"team": TEAM}),
        ("family_member", {"family": str(uuid.uuid4()), "member": str(uuid.uuid4())}),
        ("gp", {"agb": "01012345"}),
        ("provider_staff", {"provider": str(uuid.uuid4())}),
        ("municipality_officer", {}),
        ("purchasing_officer", {"region": str(uuid.uuid4())}),
        ("integration", {}),
        ("admin", {}),
    ],
)
async def test_every_role_reads_the_catalogue_in_order(
    client: httpx.AsyncClient, auth: Callable[..., dict[str, str]], role: str, claims: dict[str, str]
) -> None:
    response = await client.get("/life-domains", headers=auth(role, **claims))
    await assert_catalogue(response)
    codes = [d["code"] for d in response.json()]
    assert codes[:3] == ["finances", "work_education", "daytime_activities"]
    assert codes[13:] == ["child_development", "parenting", "child_safety", "school"]


# --- dev mode (HS256): every kind of bad token is a 401 -----------------------------------------


def _dev_bad_tokens() -> dict[str, Callable[[], str]]:
    secret = lambda: dev_secret().encode()  # noqa: E731 - read after conftest set the environment
    now = int(time.time())
    return {
        "alg_none": lambda: alg_none(dev_claims()),
        "alg_rs256_in_dev_mode": lambda: signed(dev_claims(), RSA_KEY, "RS256", kid="k1"),
        "alg_hs512": lambda: jwt.encode(dev_claims(), dev_secret(), algorithm="HS512"),
        "bad_signature": lambda: hs256_raw(dev_claims(), b"another-secret-0123456789abcdef0123"),
        "tampered_payload": lambda: _tamper(jwt.encode(dev_claims(), dev_secret(), algorithm="HS256")),
        "wrong_iss": lambda: hs256_raw(dev_claims(iss="someone-else"), secret()),
        "wrong_aud": lambda: hs256_raw(dev_claims(aud="another-service"), secret()),
        "expired": lambda: hs256_raw(dev_claims(iat=now - 7200, exp=now - 3600), secret()),
        "no_exp": lambda: hs256_raw(dev_claims(drop=("exp",)), secret()),
        "no_iss": lambda: hs256_raw(dev_claims(drop=("iss",)), secret()),
        "missing_sub": lambda: hs256_raw(dev_claims(drop=("sub",)), secret()),
        "empty_sub": lambda: hs256_raw(dev_claims(sub=""), secret()),
        "missing_roles": lambda: hs256_raw(dev_claims(drop=("roles",)), secret()),
        "roles_not_a_list": lambda: hs256_raw(dev_claims(roles="admin"), secret()),
        "missing_municipality": lambda: hs256_raw(dev_claims(drop=("municipality",)), secret()),
        "bad_municipality": lambda: hs256_raw(dev_claims(municipality="Amsterdam"), secret()),
        "missing_team": lambda: hs256_raw(dev_claims(drop=("team",)), secret()),
        "team_not_an_id": lambda: hs256_raw(dev_claims(team="team-1"), secret()),
        "family_member_without_member": lambda: hs256_raw(
            dev_claims(roles=["family_member"], family=str(uuid.uuid4())), secret()
        ),
        "unknown_role": lambda: hs256_raw(dev_claims(roles=["superuser"]), secret()),
        "garbage": lambda: "this-is-not-a-jwt",
        "three_garbage_parts": lambda: "a.b.c",
    }


def _tamper(token: str) -> str:
    header, _, signature = token.split(".")
    payload = b64url(json.dumps(dev_claims(roles=["admin"])).encode())
    return f"{header}.{payload}.{signature}"


DEV_BAD_TOKENS = _dev_bad_tokens()


@pytest.mark.parametrize("case", sorted(DEV_BAD_TOKENS))
async def test_bad_dev_token_is_401(client: httpx.AsyncClient, case: str) -> None:
    response = await client.get("/life-domains", headers=bearer(DEV_BAD_TOKENS[case]()))
    assert_unauthorized(response)


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": ""}, {"Authorization": "Bearer "}, {"Authorization": "Basic dXNlcjpwdw=="}],
    ids=["no_header", "empty_header", "empty_bearer", "basic_scheme"],
)
async def test_missing_bearer_token_is_401(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    assert_unauthorized(await client.get("/life-domains", headers=headers))


async def test_valid_hand_made_dev_token_passes(client: httpx.AsyncClient) -> None:
    """The builders above make tokens the app accepts when nothing is wrong with them."""
    response = await get_domains(client, hs256_raw(dev_claims(), dev_secret().encode()))
    await assert_catalogue(response)


def test_dev_tokens_are_refused_outside_dev() -> None:
    prod = Settings(
        env="prod",
        database_url="postgresql://db/x",
        jwks_url="http://127.0.0.1:1/jwks",
        jwt_issuer=ISSUER,
        jwt_audience=AUDIENCE,
        **PROD_PUBLIC,
    )
    with pytest.raises(RuntimeError):
        issue_dev_token(prod, sub="x", roles=["admin"], municipality="GM0363")


# --- JWKS mode (RS256 / ES256) against a real key server ----------------------------------------


class KeyServer:
    """A JWKS endpoint on 127.0.0.1 whose key set can be replaced; counts its fetches."""

    def __init__(self) -> None:
        self.keys: list[dict[str, Any]] = []
        self.fetches = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with server._lock:
                    server.fetches += 1
                    body = json.dumps({"keys": server.keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/protocol/openid-connect/certs"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def serve(self, *keys: dict[str, Any]) -> None:
        with self._lock:
            self.keys = list(keys)


@pytest.fixture
def key_server() -> Iterator[KeyServer]:
    server = KeyServer()
    server.serve(public_jwk(RSA_KEY, "RS256", "rsa-1"), public_jwk(EC_KEY, "ES256", "ec-1"))
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def prod_settings(database_url: str, jwks_url: str, min_refresh: float) -> Settings:
    return Settings(
        env="prod",
        database_url=database_url,
        jwks_url=jwks_url,
        jwt_issuer=ISSUER,
        jwt_audience=AUDIENCE,
        jwks_min_refresh_seconds=min_refresh,
        **PROD_PUBLIC,
    )


@pytest.fixture
def prod_client(database_url: str) -> Callable[..., Any]:
    """``async with prod_client(jwks_url, min_refresh=...) as client`` → a client on a JWKS-mode app."""
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def make(jwks_url: str, *, min_refresh: float = 0.0) -> AsyncIterator[httpx.AsyncClient]:
        async with fresh_client(database_url, prod_settings(database_url, jwks_url, min_refresh)) as client:
            yield client

    return make


async def test_rs256_and_es256_tokens_pass_and_keys_are_cached(
    key_server: KeyServer, prod_client: Callable[..., Any]
) -> None:
    async with prod_client(key_server.url, min_refresh=3600) as client:
        for _ in range(3):
            rs = await get_domains(client, rs_token())
            await assert_catalogue(rs)
            es = await get_domains(client, es_token())
            await assert_catalogue(es)
    assert key_server.fetches == 1


async def test_key_rotation_is_picked_up(key_server: KeyServer, prod_client: Callable[..., Any]) -> None:
    async with prod_client(key_server.url, min_refresh=0) as client:
        old = await get_domains(client, rs_token())
        await assert_catalogue(old)
        assert key_server.fetches == 1

        key_server.serve(public_jwk(RSA_ROTATED, "RS256", "rsa-2"))
        new_token = signed(prod_claims(), RSA_ROTATED, "RS256", "rsa-2")
        await assert_catalogue(await client.get("/life-domains", headers=bearer(new_token)))
        assert key_server.fetches == 2
        await assert_catalogue(await client.get("/life-domains", headers=bearer(new_token)))
        assert key_server.fetches == 2

        # The retired key is gone from the set, so its tokens no longer pass.
        retired = await get_domains(client, rs_token())
        assert_unauthorized(retired)


async def test_unknown_kid_is_401_and_refetches_are_rate_limited(
    key_server: KeyServer, prod_client: Callable[..., Any]
) -> None:
    async with prod_client(key_server.url, min_refresh=3600) as client:
        await assert_catalogue(await get_domains(client, rs_token()))
        for i in range(5):
            token = signed(prod_claims(), RSA_ROGUE, "RS256", f"made-up-{i}")
            assert_unauthorized(await client.get("/life-domains", headers=bearer(token)))
    assert key_server.fetches == 1


async def test_unknown_kid_triggers_one_refetch(
    key_server: KeyServer, prod_client: Callable[..., Any]
) -> None:
    async with prod_client(key_server.url, min_refresh=0) as client:
        await assert_catalogue(await get_domains(client, es_token()))
        token = signed(prod_claims(), RSA_ROGUE, "RS256", "not-in-the-set")
        assert_unauthorized(await client.get("/life-domains", headers=bearer(token)))
    assert key_server.fetches == 2


def _prod_bad_tokens() -> dict[str, Callable[[], str]]:
    now = int(time.time())
    rsa_public_pem = _pem_public(RSA_KEY)
    return {
        "alg_none": lambda: alg_none(prod_claims()),
        "alg_swap_hs256_with_public_key_pem": lambda: hs256_raw(prod_claims(), rsa_public_pem, kid="rsa-1"),
        "dev_hs256_token": lambda: jwt.encode(dev_claims(), dev_secret(), algorithm="HS256"),
        "es256_header_on_rsa_key": lambda: signed(prod_claims(), EC_KEY, "ES256", "rsa-1"),
        "rs512": lambda: signed(prod_claims(), RSA_KEY, "RS512", "rsa-1"),
        "bad_signature": lambda: signed(prod_claims(), RSA_ROGUE, "RS256", "rsa-1"),
        "wrong_iss": lambda: signed(prod_claims(iss="https://evil.example"), RSA_KEY, "RS256", "rsa-1"),
        "wrong_aud": lambda: signed(prod_claims(aud="another-api"), RSA_KEY, "RS256", "rsa-1"),
        "expired": lambda: signed(prod_claims(iat=now - 7200, exp=now - 3600), EC_KEY, "ES256", "ec-1"),
        "missing_sub": lambda: signed(prod_claims(drop=("sub",)), RSA_KEY, "RS256", "rsa-1"),
        "missing_roles": lambda: signed(prod_claims(drop=("roles",)), RSA_KEY, "RS256", "rsa-1"),
        "missing_municipality": lambda: rs_token(drop=("municipality",)),
        "missing_team": lambda: signed(prod_claims(drop=("team",)), RSA_KEY, "RS256", "rsa-1"),
        "unknown_role": lambda: signed(prod_claims(roles=["root"]), RSA_KEY, "RS256", "rsa-1"),
        "no_kid_with_two_keys": lambda: signed(prod_claims(), RSA_KEY, "RS256"),
        "garbage": lambda: "garbage",
    }


PROD_BAD_TOKENS = _prod_bad_tokens()


async def test_bad_tokens_in_jwks_mode_are_401(
    key_server: KeyServer, prod_client: Callable[..., Any]
) -> None:
    async with prod_client(key_server.url, min_refresh=3600) as client:
        for case in sorted(PROD_BAD_TOKENS):
            response = await client.get("/life-domains", headers=bearer(PROD_BAD_TOKENS[case]()))
            assert response.status_code == 401, case
            assert_unauthorized(response)
        assert_unauthorized(await client.get("/life-domains"))
        # ...while a good token still passes on the same app.
        good = signed(prod_claims(), RSA_KEY, "RS256", "rsa-1")
        await assert_catalogue(await client.get("/life-domains", headers=bearer(good)))


async def test_token_without_kid_passes_when_the_set_has_one_key(
    key_server: KeyServer, prod_client: Callable[..., Any]
) -> None:
    key_server.serve(public_jwk(EC_KEY, "ES256", "ec-only"))
    async with prod_client(key_server.url) as client:
        token = signed(prod_claims(), EC_KEY, "ES256")
        await assert_catalogue(await client.get("/life-domains", headers=bearer(token)))


async def test_symmetric_keys_in_the_set_are_never_used(
    key_server: KeyServer, prod_client: Callable[..., Any]
) -> None:
    secret = b"shared-secret-0123456789abcdef0123456789"
    key_server.serve({"kty": "oct", "kid": "oct-1", "k": b64url(secret), "alg": "HS256"})
    async with prod_client(key_server.url, min_refresh=3600) as client:
        response = await get_domains(client, hs256_raw(prod_claims(), secret, kid="oct-1"))
        assert_unauthorized(response)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_unreachable_identity_provider_is_503_problem(prod_client: Callable[..., Any]) -> None:
    async with prod_client(f"http://127.0.0.1:{_closed_port()}/certs", min_refresh=3600) as client:
        response = await get_domains(client, rs_token())
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "identity_provider_unavailable"


# --- settings fail fast ---------------------------------------------------------------------------

PROD_REQUIRED = {
    "database_url": "PERSPECTIEF_DATABASE_URL",
    "jwks_url": "PERSPECTIEF_JWKS_URL",
    "jwt_issuer": "PERSPECTIEF_JWT_ISSUER",
    "jwt_audience": "PERSPECTIEF_JWT_AUDIENCE",
    "oin": "PERSPECTIEF_OIN",
    "public_base_url": "PERSPECTIEF_PUBLIC_BASE_URL",
}


def _complete_prod() -> dict[str, Any]:
    return {
        "env": "prod",
        "database_url": "postgresql://perspectief@db/perspectief",
        "jwks_url": "https://login.example/certs",
        "jwt_issuer": ISSUER,
        "jwt_audience": AUDIENCE,
        **PROD_PUBLIC,
    }


def test_complete_production_settings_are_accepted() -> None:
    settings = Settings(**_complete_prod())
    assert settings.env == "prod"
    assert not settings.is_dev


@pytest.mark.parametrize("field", sorted(PROD_REQUIRED))
def test_production_without_a_required_setting_fails(field: str) -> None:
    with pytest.raises(ValidationError, match=PROD_REQUIRED[field]):
        Settings(**{**_complete_prod(), field: None})


def test_production_with_nothing_names_every_missing_setting() -> None:
    with pytest.raises(ValidationError) as info:
        Settings(env="prod", database_url=None, jwks_url=None, jwt_issuer=None, jwt_audience=None)
    for name in PROD_REQUIRED.values():
        assert name in str(info.value)


@pytest.mark.parametrize("env", ["dev", "test"])
def test_short_dev_secret_fails(env: str) -> None:
    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings(env=env, dev_jwt_secret="too-short")


def test_jwks_without_issuer_and_audience_fails_in_dev() -> None:
    with pytest.raises(ValidationError, match="PERSPECTIEF_JWT_ISSUER"):
        Settings(env="dev", jwks_url="http://127.0.0.1:1/certs", jwt_issuer=None, jwt_audience=None)
