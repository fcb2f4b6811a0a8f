"""Settings, read from the environment (prefix ``PERSPECTIEF_``) and failing fast on unsafe values."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_DEFAULT = "dev-only-secret-change-me-0123456789abcdef"
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

    dev_jwt_secret: str = DEV_SECRET_DEFAULT
    jwks_url: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwks_cache_seconds: int = 300
    jwks_min_refresh_seconds: float = 10.0

    oin: str = "00000001234567890000"
    public_base_url: str = "http://127.0.0.1:8000"
    max_body_bytes: int = 1024 * 1024
    idempotency_hours: int = 24
    retention_years: int = 20
    audit_retention_months: int = 240
    audit_seal_seconds: float = 10.0
    audit_group_commit: bool = False
    trend_z_threshold: float = 3.0
    log_level: str = "INFO"

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
                )
                if not value
            ]
            if missing:
                raise ValueError(f"production needs {', '.join(missing)}")
        elif self.jwks_url and not (self.jwt_issuer and self.jwt_audience):
            raise ValueError("PERSPECTIEF_JWKS_URL needs PERSPECTIEF_JWT_ISSUER and PERSPECTIEF_JWT_AUDIENCE")
        elif len(self.dev_jwt_secret) < 32:
            raise ValueError("PERSPECTIEF_DEV_JWT_SECRET must be at least 32 characters")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
