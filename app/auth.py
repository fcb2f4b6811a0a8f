"""Token verification (python-jose), the Principal, and role dependencies.

Two modes, chosen by configuration:

* production: RS256/ES256 tokens of the municipality's OIDC provider, verified against its
  JWKS (fetched with httpx, cached, refetched when an unknown ``kid`` appears: key rotation);
* dev/test only (``PERSPECTIEF_ENV=dev|test``): HS256 with ``PERSPECTIEF_DEV_JWT_SECRET``,
  issuer ``perspectief-dev`` and audience ``perspectief``.

The accepted algorithms are pinned per mode; ``none``, any other algorithm, a bad signature,
a wrong issuer or audience, an expired token or a missing claim is a 401.
"""

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any

import httpx
from fastapi import Depends, Request
from jose import jwt
from jose.exceptions import JOSEError

from app.config import Settings
from app.errors import Forbidden, Unauthorized

DEV_ISSUER = "perspectief-dev"
DEV_AUDIENCE = "perspectief"
DEV_ALGORITHMS = ["HS256"]
JWKS_ALGORITHMS = ["RS256", "ES256"]
JWKS_MIN_REFRESH_SECONDS = 10.0


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


class JwksCache:
    """The identity provider's key set, cached and refetched on an unknown ``kid``."""

    def __init__(self, url: str, ttl_seconds: int) -> None:
        self.url = url
        self.ttl = ttl_seconds
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def key_for(self, kid: str | None) -> dict[str, Any]:
        now = time.monotonic()
        if now - self._fetched_at > self.ttl:
            await self._refresh(force=True)
        key = self._lookup(kid)
        if key is None and now - self._fetched_at > JWKS_MIN_REFRESH_SECONDS:
            await self._refresh(force=False)  # rotation: a new kid appeared
            key = self._lookup(kid)
        if key is None:
            raise Unauthorized("The token was signed with an unknown key.")
        return key

    def _lookup(self, kid: str | None) -> dict[str, Any] | None:
        if kid is None:
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    async def _refresh(self, *, force: bool) -> None:
        async with self._lock:
            if not force and time.monotonic() - self._fetched_at <= JWKS_MIN_REFRESH_SECONDS:
                return
            try:
                async with httpx.AsyncClient(timeout=5.0) as client:
                    response = await client.get(self.url)
                    response.raise_for_status()
                    keys = response.json().get("keys", [])
            except (httpx.HTTPError, ValueError) as exc:
                if not self._keys:
                    raise Unauthorized("The identity provider's keys are unavailable.") from exc
                return  # keep serving with the keys we have
            self._keys = {str(k.get("kid", i)): k for i, k in enumerate(keys)}
            self._fetched_at = time.monotonic()


class TokenVerifier:
    """Verifies bearer tokens according to the configured mode."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.jwks = JwksCache(settings.jwks_url, settings.jwks_cache_seconds) if settings.jwks_url else None

    async def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except JOSEError as exc:
            raise Unauthorized("The token is malformed.") from exc
        alg = header.get("alg")
        if self.jwks is not None:
            if alg not in JWKS_ALGORITHMS:
                raise Unauthorized("The token's algorithm is not accepted.")
            key: Any = await self.jwks.key_for(header.get("kid"))
            algorithms, issuer, audience = [alg], self.settings.jwt_issuer, self.settings.jwt_audience
        elif self.settings.is_dev:
            if alg not in DEV_ALGORITHMS:
                raise Unauthorized("The token's algorithm is not accepted.")
            key, algorithms = self.settings.dev_jwt_secret, DEV_ALGORITHMS
            issuer, audience = DEV_ISSUER, DEV_AUDIENCE
        else:
            raise Unauthorized("No token verification is configured.")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=audience,
                issuer=issuer,
                options={"require_exp": True, "require_iss": True, "require_aud": True, "require_sub": True},
            )
        except JOSEError as exc:
            raise Unauthorized("The token is invalid or expired.") from exc
        return principal_from_claims(claims)


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    """Build a Principal, refusing tokens that lack a claim their role needs."""
    raw_roles = claims.get("roles")
    if not isinstance(raw_roles, list) or not raw_roles:
        raise Unauthorized("The token has no roles.")
    try:
        roles = frozenset(Role(r) for r in raw_roles)
    except ValueError as exc:
        raise Unauthorized("The token has an unknown role.") from exc
    municipality = claims.get("municipality")
    if not isinstance(municipality, str) or not municipality:
        raise Unauthorized("The token has no municipality.")
    for role in roles:
        for claim in ROLE_CLAIMS[role]:
            if not claims.get(claim):
                raise Unauthorized(f"The token lacks the claim '{claim}' its role needs.")
    values: dict[str, Any] = {}
    for claim in UUID_CLAIMS:
        if claims.get(claim):
            try:
                values[claim] = uuid.UUID(str(claims[claim]))
            except ValueError as exc:
                raise Unauthorized(f"The claim '{claim}' is not a valid id.") from exc
    return Principal(
        sub=str(claims["sub"]),
        roles=roles,
        municipality=municipality,
        agb=claims.get("agb"),
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
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("A bearer token is required.")
    verifier: TokenVerifier = request.app.state.verifier
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
