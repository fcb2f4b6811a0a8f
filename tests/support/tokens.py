"""Tokens for tests that must get past every role check (so that validation is what answers)."""

import uuid

from app.auth import Role, issue_dev_token
from app.config import get_settings


def all_roles_headers() -> dict[str, str]:
    """An Authorization header whose token holds every role and every claim a role needs."""
    claims = {c: str(uuid.uuid4()) for c in ("team", "provider", "family", "member", "region")}
    bearer = issue_dev_token(
        get_settings(),
        sub="test-everyone",
        roles=[r.value for r in Role],
        municipality="GM0363",
        agb="01234567",
        **claims,
    )
    return {"Authorization": f"Bearer {bearer}"}
