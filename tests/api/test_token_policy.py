"""Token policy: a correct signature is not enough.

A token must not live longer than ``PERSPECTIEF_JWT_MAX_LIFETIME_SECONDS`` (counted from its
``iat``, or from now without one), must not be issued (``iat``) or become valid (``nbf``) in the
future beyond the clock skew, and is not read at all past ``PERSPECTIEF_MAX_TOKEN_BYTES``.
"""

import time
from typing import Any

import pytest
from jose import jwt

from app.auth import CLOCK_SKEW_SECONDS, DEV_AUDIENCE, DEV_ISSUER, TokenVerifier, Unauthorized
from app.config import get_settings

YEAR = 365 * 24 * 3600


def token(**overrides: Any) -> str:
    now = int(time.time())
    claims = {
        "sub": "user-42",
        "roles": ["family_member"],
        "municipality": "GM0363",
        "family": "6f1c1b7e-8d2a-4a51-9a44-7d8f0f0f0f01",
        "member": "6f1c1b7e-8d2a-4a51-9a44-7d8f0f0f0f02",
        "iss": DEV_ISSUER,
        "aud": DEV_AUDIENCE,
        "iat": now,
        "exp": now + 600,
        **overrides,
    }
    return jwt.encode(
        {k: v for k, v in claims.items() if v is not None}, get_settings().dev_jwt_secret, "HS256"
    )


def now() -> int:
    return int(time.time())


REFUSED = {
    "exp 10^30 years ahead": lambda: token(exp=now() + 10**30 * YEAR),
    "exp a year ahead": lambda: token(exp=now() + YEAR),
    "longer than the policy": lambda: token(exp=now() + get_settings().jwt_max_lifetime_seconds + 3600),
    "no iat, exp too far": lambda: token(
        iat=None, exp=now() + get_settings().jwt_max_lifetime_seconds + 3600
    ),
    "iat ten years ahead": lambda: token(iat=now() + 10 * YEAR, exp=now() + 10 * YEAR + 600),
    "iat beyond the skew": lambda: token(iat=now() + CLOCK_SKEW_SECONDS + 60),
    "nbf beyond the skew": lambda: token(nbf=now() + CLOCK_SKEW_SECONDS + 60),
    "iat long ago, exp now": lambda: token(iat=now() - 10 * YEAR, exp=now() + 600),
}
ACCEPTED = {
    "ordinary": lambda: token(),
    "iat within the skew": lambda: token(iat=now() + CLOCK_SKEW_SECONDS // 2),
    "nbf within the skew": lambda: token(nbf=now() + CLOCK_SKEW_SECONDS // 2),
    "exactly the longest lifetime": lambda: token(exp=now() + get_settings().jwt_max_lifetime_seconds),
}


@pytest.mark.parametrize("make", REFUSED.values(), ids=REFUSED.keys())
async def test_out_of_policy_tokens_are_401(client, make) -> None:
    response = await client.get("/life-domains", headers={"Authorization": f"Bearer {make()}"})
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("make", ACCEPTED.values(), ids=ACCEPTED.keys())
async def test_tokens_within_policy_are_accepted(client, make) -> None:
    response = await client.get("/life-domains", headers={"Authorization": f"Bearer {make()}"})
    assert response.status_code == 200, response.text


async def test_a_100_kb_token_is_refused_before_it_is_parsed(client) -> None:
    huge = token(padding="x" * 100_000)
    response = await client.get("/life-domains", headers={"Authorization": f"Bearer {huge}"})
    assert response.status_code in (401, 431)
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_token_over_the_configured_size_is_401_whatever_its_signature() -> None:
    settings = get_settings().model_copy(update={"max_token_bytes": 1024})
    with pytest.raises(Unauthorized):
        await TokenVerifier(settings).verify(token(padding="x" * 2000))
    assert (await TokenVerifier(settings).verify(token())).sub == "user-42"
