"""A denied attempt is audited whatever the caller put in the path (NUL, controls, length).

``PUT /districts/%00/indicators/2026`` was a 403 whose audit row could not be written (PostgreSQL
text cannot hold NUL). The class: any path value of any route a caller is refused on. The id is
stored escaped and cut to the column's width.
"""

import logging
import re

import pytest
from sqlalchemy import select

from app.errors import AUDIT_ID_LENGTH, audit_safe_id
from app.models.core import AuditEvent
from app.routers import ROUTERS

NASTY = ["\x00", "a\x00b", "\x1b[31m", "\u202e", "x" * 500, "\\x00", "é\x7f"]


def _templates() -> list[tuple[str, str]]:
    """Every (method, path) of the API with a path parameter."""
    found = []
    for router in ROUTERS:
        for route in router.routes:
            if "{" in route.path:
                found += [(m, route.path) for m in sorted(route.methods - {"HEAD"})]
    return found


@pytest.mark.parametrize("value", NASTY, ids=[repr(v)[:20] for v in NASTY])
def test_audit_safe_ids_are_storable(value: str) -> None:
    stored = audit_safe_id(value)
    assert "\x00" not in stored and stored.isprintable()
    assert len(stored) <= AUDIT_ID_LENGTH


async def test_the_reported_example_is_audited(client, auth, session, caplog) -> None:
    with caplog.at_level(logging.ERROR):
        response = await client.put(
            "/districts/%00/indicators/2026", json={}, headers=auth("gp", agb="01234567")
        )
    assert response.status_code == 403
    assert "not audited" not in caplog.text
    row = (await session.execute(select(AuditEvent).where(AuditEvent.outcome == "denied"))).scalar_one()
    assert (row.resource_type, row.resource_id) == ("district", "\\x00")


async def test_every_route_audits_a_denied_attempt_with_any_path_value(client, auth, session, caplog) -> None:
    headers = auth("gp", agb="01234567")  # a role most routes refuse
    denied = 0
    with caplog.at_level(logging.ERROR):
        for method, template in _templates():
            for value in ("%00", "%1B" + "y" * 200, "%E2%80%AE"):  # NUL; ESC and too long; RTL override
                path = re.sub(r"\{[^}]+\}", value, template)
                response = await client.request(method, path, headers=headers, json={})
                assert response.status_code < 500, (method, template)
                denied += response.status_code == 403
    assert "not audited" not in caplog.text
    assert denied >= 40  # most routes refuse a GP
    rows = (await session.execute(select(AuditEvent).where(AuditEvent.outcome == "denied"))).scalars().all()
    assert len(rows) == denied
