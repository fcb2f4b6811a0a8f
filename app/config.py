"""Settings, read from the environment (prefix ``PERSPECTIEF_``) and failing fast on unsafe values."""

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEV_SECRET_DEFAULT = "dev-only-secret-change-me-0123456789abcdef"
DEV_OIN = "00000001234567890000"
DEV_PUBLIC_BASE_URL = "http://127.0.0.1:8000"
OIN = re.compile(r"[0-9]{20}")
BASE_URL = re.compile(r"https?://[^\s/?#]+(/[^\s?#]*[^\s?#/])?")
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """All configuration of the service. See the README for the table."""

    model_config = SettingsConfigDict(env_prefix="PERSPECTIEF_", extra="ignore")

    env: Literal["dev", "test", "prod"] = "dev"
    database_url: str | None = None
    read_database_url: str | None = None
    data_dir: Path = PROJECT_ROOT / ".data"
    db_pool_size: int = 10
    db_statement_cache: bool = True
    db_pre_ping: bool = False
    db_pool_recycle_seconds: int = 1800
    db_connect_timeout_seconds: float = 3.0
    db_pool_timeout_seconds: float = 10.0

    dev_jwt_secret: str = DEV_SECRET_DEFAULT
    jwks_url: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwks_cache_seconds: int = 300
    jwks_min_refresh_seconds: float = 10.0
    # Token policy: the longest a token may live (exp - iat) and the largest one read at all.
    jwt_max_lifetime_seconds: int = 12 * 3600
    max_token_bytes: int = 8192

    # The OIN in every event's ``source`` and the base URL in every ``dataref``: production must
    # name them (a consumer would otherwise follow links to a made-up host).
    oin: str | None = None
    public_base_url: str | None = None
    max_body_bytes: int = 1024 * 1024
    # Bounds on every request, checked before any of it is parsed (see README, Production).
    max_header_bytes: int = 8192
    max_headers_total_bytes: int = 32768
    max_uri_bytes: int = 8192
    header_timeout_seconds: float = 10.0
    body_timeout_seconds: float = 30.0
    max_connections_per_worker: int = 200
    keep_alive_seconds: int = 5
    # Rate limits, enforced by the reverse proxy (`perspectief proxy-config`, deploy/nginx.conf).
    rate_limit_public_per_minute: int = 60  # per client address, the public care marketplace
    rate_limit_public_burst: int = 20
    rate_limit_address_per_minute: int = 1200  # per client address, every request
    rate_limit_address_burst: int = 200
    rate_limit_token_per_minute: int = 600  # per token, every request
    rate_limit_token_burst: int = 100
    rate_limit_search_per_minute: int = 120  # per token, every GET with a query string
    rate_limit_search_burst: int = 30
    max_connections_per_address: int = 50
    idempotency_hours: int = 24
    retention_years: int = 20
    audit_retention_months: int = 240
    delivered_webhook_days: int = 30  # delivered webhook attempts are kept this long
    audit_seal_seconds: float = 10.0
    audit_group_commit: bool = False
    trend_z_threshold: float = 3.0
    log_level: str = "INFO"
    # Browser origins allowed to call the API (CORS), comma-separated; empty: no CORS headers.
    cors_allow_origins: Annotated[list[str], NoDecode] = []

    @field_validator("cors_allow_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    # Event delivery (webhooks). Times in seconds so that tests can shrink them.
    dispatch_timeout_seconds: float = 10.0
    dispatch_lease_seconds: float = 60.0
    dispatch_backoff_base_seconds: float = 5.0
    dispatch_backoff_max_seconds: float = 3 * 3600.0
    dispatch_retry_window_seconds: float = 24 * 3600.0
    dispatch_batch_size: int = 200
    dispatch_concurrency: int = 64
    dispatch_idle_wake_seconds: float = 5.0
    dispatch_unhealthy_after_failures: int = 10
    # Networks (CIDR) that webhook callbacks may reach in production although they are loopback,
    # link-local or private; outside production no address is refused.
    webhook_allowed_networks: list[str] = []

    @property
    def is_dev(self) -> bool:
        return self.env in ("dev", "test")

    @model_validator(mode="after")
    def _fail_fast_outside_dev(self) -> "Settings":
        if self.env == "prod":
            missing = [
                name
                for name, value in (
                    ("PERSPECTIEF_DATABASE_URL", self.database_url),
                    ("PERSPECTIEF_JWKS_URL", self.jwks_url),
                    ("PERSPECTIEF_JWT_ISSUER", self.jwt_issuer),
                    ("PERSPECTIEF_JWT_AUDIENCE", self.jwt_audience),
                    ("PERSPECTIEF_OIN", self.oin),
                    ("PERSPECTIEF_PUBLIC_BASE_URL", self.public_base_url),
                )
                if not value
            ]
            if missing:
                raise ValueError(f"production needs {', '.join(missing)}")
        elif self.jwks_url and not (self.jwt_issuer and self.jwt_audience):
            raise ValueError("PERSPECTIEF_JWKS_URL needs PERSPECTIEF_JWT_ISSUER and PERSPECTIEF_JWT_AUDIENCE")
        elif len(self.dev_jwt_secret) < 32:
            raise ValueError("PERSPECTIEF_DEV_JWT_SECRET must be at least 32 characters")
        if self.is_dev:
            self.oin = self.oin or DEV_OIN
            self.public_base_url = self.public_base_url or DEV_PUBLIC_BASE_URL
        if not OIN.fullmatch(self.oin or ""):
            raise ValueError("PERSPECTIEF_OIN must be the 20 digits of an OIN")
        if not BASE_URL.fullmatch(self.public_base_url or ""):
            raise ValueError("PERSPECTIEF_PUBLIC_BASE_URL must be an http(s) URL without a trailing slash")
        if self.env == "prod" and not (self.public_base_url or "").startswith("https://"):
            raise ValueError("PERSPECTIEF_PUBLIC_BASE_URL must use https in production")
        return self


ENV_PREFIX = "PERSPECTIEF_"


class ConfigurationError(ValueError):
    """The environment does not make a valid configuration; the message names the variable."""


def describe(error: ValidationError) -> str:
    """One line naming each offending variable and what is wrong with it."""
    parts = []
    for item in error.errors():
        message = str(item["msg"]).removeprefix("Value error, ")
        loc = item.get("loc") or ()
        parts.append(f"{ENV_PREFIX}{str(loc[0]).upper()}: {message}" if loc else message)
    return "; ".join(parts)


@lru_cache
def get_settings() -> Settings:
    """The settings from the environment; :class:`ConfigurationError` when they are unusable."""
    try:
        return Settings()
    except ValidationError as exc:
        raise ConfigurationError(describe(exc)) from None
