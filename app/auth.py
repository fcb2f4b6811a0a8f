"""Token verification (python-jose), the Principal, and role dependencies.

Two modes, chosen by configuration:

* production: RS256/ES256 tokens of the municipality's OIDC provider, verified against its
  JWKS (fetched with httpx, cached, refetched when an unknown ``kid`` appears: key rotation);
* dev/test only (``PERSPECTIEF_ENV=dev|test``): HS256 with ``PERSPECTIEF_DEV_JWT_SECRET``,
  issuer ``perspectief-dev`` and audience ``perspectief``.

The accepted algorithms are pinned per mode; ``none``, any other algorithm, a bad signature,
a wrong issuer or audience, an expired token or a missing claim is a 401. When a JWKS is
configured the HS256 dev secret is never accepted, whatever the environment.
"""

import asyncio
import logging
import re
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any

import httpx
from fastapi import Depends, Request
from jose import jwk, jwt
from jose.backends.base import Key
from jose.exceptions import JOSEError

from app.config import Settings
from app.errors import AppError, Forbidden, Unauthorized
from app.identifiers import AGB, MUNICIPALITY, ascii_uuid

logger = logging.getLogger(__name__)

DEV_ISSUER = "perspectief-dev"
DEV_AUDIENCE = "perspectief"
DEV_ALGORITHMS = ["HS256"]
JWKS_ALGORITHMS = ["RS256", "ES256"]
# The algorithm each accepted key type verifies; a key is never used with another algorithm.
KEY_ALGORITHMS = {("RSA", None): "RS256", ("EC", "P-256"): "ES256"}
JWKS_FETCH_TIMEOUT_SECONDS = 5.0
JWKS_MAX_BYTES = 256 * 1024
CLOCK_SKEW_SECONDS = 30
VERIFIED_CACHE_SIZE = 10_000  # tokens verified recently, per worker
VERIFIED_TTL_SECONDS = 60
SUBJECT_MAX_LENGTH = 200
MUNICIPALITY_CODE = re.compile(MUNICIPALITY, re.ASCII)
AGB_CODE = re.compile(AGB, re.ASCII)


class Role(StrEnum):
    FAMILY_MEMBER = "family_member"
    DISTRICT_PROFESSIONAL = "district_professional"
    GP = "gp"
    PROVIDER_STAFF = "provider_staff"
    MUNICIPALITY_OFFICER = "municipality_officer"
    PURCHASING_OFFICER = "purchasing_officer"
    INTEGRATION = "integration"
    ADMIN = "admin"


# The claims each role needs beside sub, roles and municipality.
ROLE_CLAIMS: dict[Role, tuple[str, ...]] = {
    Role.FAMILY_MEMBER: ("family", "member"),
    Role.DISTRICT_PROFESSIONAL: ("team",),
    Role.GP: ("agb",),
    Role.PROVIDER_STAFF: ("provider",),
    Role.MUNICIPALITY_OFFICER: (),
    Role.PURCHASING_OFFICER: ("region",),
    Role.INTEGRATION: (),
    Role.ADMIN: (),
}
UUID_CLAIMS = ("team", "provider", "family", "member", "region")


class IdentityProviderUnavailable(AppError, status=503, code="identity_provider_unavailable"):
    """The identity provider's key set could not be fetched and none is cached."""


@dataclass(frozen=True)
class Principal:
    """Who is calling, in which role, for which organisation."""

    sub: str
    roles: frozenset[Role]
    municipality: str
    team: uuid.UUID | None = None
    provider: uuid.UUID | None = None
    family: uuid.UUID | None = None
    member: uuid.UUID | None = None
    agb: str | None = None
    region: uuid.UUID | None = None
    claims: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def has(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def role(self) -> Role:
        """The principal's primary role (the first in a fixed order) for audit rows."""
        for role in Role:
            if role in self.roles:
                return role
        raise Unauthorized("The token carries no known role.")

    @property
    def organisation(self) -> str:
        """The organisation acted for, as recorded in audit rows."""
        if self.provider:
            return f"provider:{self.provider}"
        if self.team:
            return f"team:{self.team}"
        if self.agb:
            return f"agb:{self.agb}"
        return f"municipality:{self.municipality}"


@dataclass(frozen=True)
class SigningKey:
    """A verification key from the JWKS and the one algorithm it may verify."""

    algorithm: str
    key: Key


def parse_jwks(document: Any) -> dict[str | None, SigningKey]:
    """The usable signature keys of a JWKS document, by ``kid``.

    Only RSA and EC P-256 public keys meant for signatures are kept: a symmetric (``oct``)
    key in the set can never be used, which rules out algorithm-confusion attacks.
    """
    keys = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(keys, list):
        raise ValueError("a JWKS document needs a 'keys' list")
    usable: dict[str | None, SigningKey] = {}
    for entry in keys:
        if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
            continue
        curve = entry.get("crv") if entry.get("kty") == "EC" else None
        algorithm = KEY_ALGORITHMS.get((entry.get("kty"), curve))
        if algorithm is None or entry.get("alg", algorithm) != algorithm:
            continue
        try:
            public = {k: v for k, v in entry.items() if k not in ("d", "p", "q", "dp", "dq", "qi")}
            usable[_kid(entry.get("kid"))] = SigningKey(algorithm, jwk.construct(public, algorithm))
        except JOSEError:
            logger.warning("jwks_key_skipped", extra={"reason": "unreadable key"})
    return usable


def _kid(value: Any) -> str | None:
    return None if value is None else str(value)


class JwksCache:
    """The identity provider's key set: cached, and refetched on an unknown ``kid`` (rotation).

    The set is fetched on first use and again when it is older than ``ttl_seconds``. A token
    with an unknown ``kid`` triggers a refetch, but fetches (successful or not) are at least
    ``min_refresh_seconds`` apart, so tokens with made-up key ids cannot flood the identity
    provider. When a refetch fails, the keys already held stay in use.
    """

    def __init__(self, url: str, ttl_seconds: float, min_refresh_seconds: float) -> None:
        self.url = url
        self.ttl = ttl_seconds
        self.min_refresh = min_refresh_seconds
        self._keys: dict[str | None, SigningKey] = {}
        self.generation = 0  # bumped when the key set changes: tokens verified before are re-checked
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._lock = asyncio.Lock()

    async def key_for(self, kid: str | None) -> SigningKey:
        if self._fetched_at is None or time.monotonic() - self._fetched_at >= self.ttl:
            await self._refresh()
        key = self._lookup(kid)
        if key is None and self._keys:
            await self._refresh()  # perhaps the provider rotated its keys
            key = self._lookup(kid)
        if not self._keys:
            raise IdentityProviderUnavailable("The identity provider's keys are unavailable.")
        if key is None:
            raise Unauthorized("The token was signed with an unknown key.")
        return key

    def _lookup(self, kid: str | None) -> SigningKey | None:
        if kid is None:
            # Without a kid only an unambiguous set (a single key) can be used.
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    async def _refresh(self) -> None:
        async with self._lock:
            now = time.monotonic()
            if self._attempted_at is not None and now - self._attempted_at < self.min_refresh:
                return  # fetched (or tried) a moment ago, perhaps by a concurrent request
            self._attempted_at = now
            try:
                keys = parse_jwks(await self._fetch())
            except (httpx.HTTPError, ValueError) as exc:
                logger.warning("jwks_fetch_failed", extra={"error": type(exc).__name__})
                return
            if keys.keys() != self._keys.keys():
                self.generation += 1
            self._keys = keys
            self._fetched_at = time.monotonic()
            logger.info("jwks_fetched", extra={"keys": len(keys)})

    async def _fetch(self) -> Any:
        async with httpx.AsyncClient(timeout=JWKS_FETCH_TIMEOUT_SECONDS, follow_redirects=False) as client:
            response = await client.get(self.url, headers={"Accept": "application/json"})
            response.raise_for_status()
            if len(response.content) > JWKS_MAX_BYTES:
                raise ValueError("the JWKS document is too large")
            return response.json()


class TokenVerifier:
    """Verifies bearer tokens according to the configured mode."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.jwks: JwksCache | None = None
        self._verified: OrderedDict[str, tuple[Principal, float, int]] = OrderedDict()
        if settings.jwks_url:
            if not (settings.jwt_issuer and settings.jwt_audience):
                raise ValueError("a JWKS needs PERSPECTIEF_JWT_ISSUER and PERSPECTIEF_JWT_AUDIENCE")
            self.jwks = JwksCache(
                settings.jwks_url, settings.jwks_cache_seconds, settings.jwks_min_refresh_seconds
            )

    async def verify(self, token: str) -> Principal:
        """The token's principal; a token verified before is taken from a small cache until
        its expiry (at most ``VERIFIED_TTL_SECONDS``) and only while the identity provider's key
        set is the one it was verified with (a retired key's tokens fail at the next refetch):
        verifying the signature is most of an authenticated request's CPU otherwise."""
        if len(token) > self.settings.max_token_bytes:
            raise Unauthorized("The token is too large.")
        now = time.time()
        generation = self.jwks.generation if self.jwks is not None else 0
        cached = self._verified.get(token)
        if cached is not None and now < cached[1] and cached[2] == generation:
            self._verified.move_to_end(token)
            return cached[0]
        principal, expires = await self._verify(token)
        generation = self.jwks.generation if self.jwks is not None else 0
        expiry = min(expires + CLOCK_SKEW_SECONDS, now + VERIFIED_TTL_SECONDS)
        self._verified[token] = (principal, expiry, generation)
        if len(self._verified) > VERIFIED_CACHE_SIZE:
            self._verified.popitem(last=False)
        return principal

    async def _verify(self, token: str) -> tuple[Principal, float]:
        try:
            header = jwt.get_unverified_header(token)
        except JOSEError as exc:
            raise Unauthorized("The token is malformed.") from exc
        alg = header.get("alg")
        key: Any
        if self.jwks is not None:
            if alg not in JWKS_ALGORITHMS:
                raise Unauthorized("The token's algorithm is not accepted.")
            signing_key = await self.jwks.key_for(_kid(header.get("kid")))
            if signing_key.algorithm != alg:
                raise Unauthorized("The token's algorithm does not match its key.")
            key, issuer, audience = signing_key.key, self.settings.jwt_issuer, self.settings.jwt_audience
        elif self.settings.is_dev:
            if alg not in DEV_ALGORITHMS:
                raise Unauthorized("The token's algorithm is not accepted.")
            key, issuer, audience = self.settings.dev_jwt_secret, DEV_ISSUER, DEV_AUDIENCE
        else:
            raise Unauthorized("No token verification is configured.")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[alg],
                audience=audience,
                issuer=issuer,
                options={
                    "require_exp": True,
                    "require_iss": True,
                    "require_aud": True,
                    "require_sub": True,
                    "leeway": CLOCK_SKEW_SECONDS,
                },
            )
        except JOSEError as exc:
            raise Unauthorized("The token is invalid or expired.") from exc
        check_lifetime(claims, self.settings.jwt_max_lifetime_seconds, time.time())
        return principal_from_claims(claims), float(claims["exp"])


def check_lifetime(claims: dict[str, Any], max_lifetime_seconds: int, now: float) -> None:
    """A signature proves who issued a token, not that it is sane: refuse a token issued in the
    future (``iat`` beyond the clock skew) or living longer than the policy allows (counted
    from ``iat``, or from now when it has none). python-jose has already checked ``exp`` and
    ``nbf`` against the clock and that all three are integers."""
    issued = claims.get("iat")
    if issued is not None and issued > now + CLOCK_SKEW_SECONDS:
        raise Unauthorized("The token was issued in the future.")
    start = min(issued, now) if issued is not None else now
    if claims["exp"] - start > max_lifetime_seconds + CLOCK_SKEW_SECONDS:
        raise Unauthorized("The token lives longer than the policy allows.")


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    """Build a Principal, refusing tokens that lack a claim their role needs."""
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.strip():
        raise Unauthorized("The token has no subject.")
    if len(sub) > SUBJECT_MAX_LENGTH:  # it is recorded in every audit row of the caller
        raise Unauthorized("The token's subject is too long.")
    raw_roles = claims.get("roles")
    if not isinstance(raw_roles, list) or not raw_roles or not all(isinstance(r, str) for r in raw_roles):
        raise Unauthorized("The token has no roles.")
    try:
        roles = frozenset(Role(r) for r in raw_roles)
    except ValueError as exc:
        raise Unauthorized("The token has an unknown role.") from exc
    municipality = claims.get("municipality")
    if not isinstance(municipality, str) or not MUNICIPALITY_CODE.match(municipality):
        raise Unauthorized("The token has no valid municipality.")
    for role in sorted(roles):
        for claim in ROLE_CLAIMS[role]:
            if not claims.get(claim):
                raise Unauthorized(f"The token lacks the claim '{claim}' its role needs.")
    values: dict[str, Any] = {}
    for claim in UUID_CLAIMS:
        if claims.get(claim):
            try:
                values[claim] = ascii_uuid(str(claims[claim]))
            except ValueError as exc:
                raise Unauthorized(f"The claim '{claim}' is not a valid id.") from exc
    agb = claims.get("agb")
    if agb is not None and not (isinstance(agb, str) and (agb == "" or AGB_CODE.match(agb))):
        raise Unauthorized("The claim 'agb' is not a valid code.")
    return Principal(
        sub=sub,
        roles=roles,
        municipality=municipality,
        agb=agb or None,
        claims=claims,
        **values,
    )


def issue_dev_token(
    settings: Settings,
    *,
    sub: str,
    roles: list[str],
    municipality: str,
    ttl_seconds: int = 8 * 3600,
    **claims: Any,
) -> str:
    """A dev/test HS256 token; refused outside dev and test."""
    if not settings.is_dev:
        raise RuntimeError("dev tokens exist only when PERSPECTIEF_ENV is dev or test")
    now = int(time.time())
    payload = {
        "sub": sub,
        "roles": roles,
        "municipality": municipality,
        "iss": DEV_ISSUER,
        "aud": DEV_AUDIENCE,
        "iat": now,
        "exp": now + ttl_seconds,
        **{k: str(v) for k, v in claims.items() if v is not None},
    }
    return jwt.encode(payload, settings.dev_jwt_secret, algorithm="HS256")


async def get_principal(request: Request) -> Principal:
    header = request.headers.get("authorization", "")
    verifier: TokenVerifier = request.app.state.verifier
    if len(header) > verifier.settings.max_token_bytes + len("Bearer "):
        raise Unauthorized("The token is too large.")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("A bearer token is required.")
    principal = await verifier.verify(token.strip())
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def require_roles(*roles: Role) -> Any:
    """A dependency that admits only principals holding one of ``roles`` (403 otherwise)."""

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if not principal.has(*roles):
            raise Forbidden("Your role may not use this function.")
        return principal

    return Depends(dependency)


FamilyMember = Annotated[Principal, require_roles(Role.FAMILY_MEMBER)]
Professional = Annotated[Principal, require_roles(Role.DISTRICT_PROFESSIONAL)]
GeneralPractitioner = Annotated[Principal, require_roles(Role.GP)]
ProviderStaff = Annotated[Principal, require_roles(Role.PROVIDER_STAFF)]
MunicipalityOfficer = Annotated[Principal, require_roles(Role.MUNICIPALITY_OFFICER)]
PurchasingOfficer = Annotated[Principal, require_roles(Role.PURCHASING_OFFICER)]
Integration = Annotated[Principal, require_roles(Role.INTEGRATION)]
Admin = Annotated[Principal, require_roles(Role.ADMIN)]

# Roles that share a set of functions.
FamilyOrTeam = Annotated[Principal, require_roles(Role.FAMILY_MEMBER, Role.DISTRICT_PROFESSIONAL)]
FamilyTeamOrBus = Annotated[
    Principal, require_roles(Role.FAMILY_MEMBER, Role.DISTRICT_PROFESSIONAL, Role.INTEGRATION)
]
OfficerOrTeam = Annotated[Principal, require_roles(Role.MUNICIPALITY_OFFICER, Role.DISTRICT_PROFESSIONAL)]
