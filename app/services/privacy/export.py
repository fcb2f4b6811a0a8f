"""The family's data export (AVG art. 15 and 20): everything held on the family, one JSON document.

The access check and its audit row (``export``) happen in the request's transaction, which
commits before the first byte is sent. The document is then written section by section from a
connection of its own in one read-only, repeatable-read transaction (one consistent picture of
the family), each table's rows fetched through a server-side cursor in batches — so a large
family is never held in memory whole, let alone twice.
"""

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

from pydantic.alias_generators import to_camel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.auth import Principal
from app.models.base import utcnow
from app.services.families.scope import require_visible_family
from app.services.platform import audit
from app.services.platform.audit import Action
from app.services.privacy.family_tables import FAMILY, SECTIONS, Section

FORMAT = "perspectief-family-export/1"
BATCH_ROWS = 500


async def authorise_export(session: AsyncSession, principal: Principal, family_id: uuid.UUID) -> None:
    """404 unless the caller may see the family; records the export in the audit trail."""
    await require_visible_family(session, principal, family_id)
    audit.record(session, principal, Action.EXPORT, "family", family_id, family_id=family_id)


def _camel(document: str) -> bytes:
    row: dict[str, Any] = json.loads(document)
    return json.dumps({to_camel(k): v for k, v in row.items()}, ensure_ascii=False).encode()


def _query(section: Section) -> str:
    return (
        f"SELECT to_jsonb(t)::text FROM {section.table} t WHERE {section.where} ORDER BY {section.order_by}"
    )


async def stream_export(engine: AsyncEngine, family_id: uuid.UUID) -> AsyncIterator[bytes]:
    """The export document, in chunks: ``{"format", "exportedAt", "family", "<section>": [...], …}``."""
    params = {"family_id": family_id}
    async with engine.connect() as raw:
        conn = await raw.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        async with conn.begin():
            family = (await conn.execute(text(_query(FAMILY)), params)).scalar_one()
            head = {"format": FORMAT, "exportedAt": utcnow().isoformat(), "familyId": str(family_id)}
            yield json.dumps(head)[:-1].encode() + b', "family": ' + _camel(family)
            for section in SECTIONS:
                yield f', "{section.name}": ['.encode()
                result = await conn.stream(
                    text(_query(section)), params, execution_options={"yield_per": BATCH_ROWS}
                )
                first = True
                async for batch in result.partitions():
                    chunk = b",".join(_camel(document) for (document,) in batch)
                    yield chunk if first else b"," + chunk
                    first = False
                yield b"]"
            yield b"}"
