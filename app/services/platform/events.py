"""The event outbox: CloudEvents 1.0 (NL GOV profile) rows in the transaction of the change.

``data`` carries ids and states only, never names, BSNs or free text; ``subject`` is the
resource id. The ``sequence`` is assigned by the database (an identity column).
"""

import uuid
from dataclasses import dataclass
from string import Formatter
from typing import Any

from pydantic.alias_generators import to_camel
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import get_settings
from app.models.core import OutboxEvent

EVENT_TYPE_PREFIX = "nl.perspectief."
API_PREFIX = "/api/v1"

EVENT_TYPES = frozenset(
    {
        "family.created",
        "plan.created",
        "plan.agreed",
        "plan.activated",
        "plan.evaluation-started",
        "plan.revised",
        "plan.closed",
        "plan.withdrawn",
        "referral.created",
        "referral.linked",
        "engagement.requested",
        "engagement.accepted",
        "engagement.declined",
        "engagement.withdrawn",
        "engagement.started",
        "engagement.closed",
        "treatment-plan.submitted",
        "handoff.raised",
        "handoff.acknowledged",
        "handoff.started",
        "handoff.resolved",
        "handoff.declined",
        "payment.scheduled",
        "payment-batch.exported",
        "consent.granted",
        "consent.withdrawn",
        "ijw-message.available",
    }
)
_ALLOWED_DATA_VALUES = (str, int, bool, type(None))
# CloudEvents' ``sequence`` is a string that must order lexicographically: zero-padded (bigint fits).
SEQUENCE_DIGITS = 20


def source() -> str:
    return f"urn:nld:oin:{get_settings().oin}:systeem:perspectief"


def _check_data(data: dict[str, Any]) -> None:
    """Events carry ids, codes and states only; nested structures are refused."""
    for key, value in data.items():
        if not isinstance(value, _ALLOWED_DATA_VALUES) and not isinstance(value, uuid.UUID):
            raise TypeError(f"event data '{key}' must be an id, code, number or state")


def emit(
    session: AsyncSession,
    event: str,
    resource_id: uuid.UUID,
    resource_path: str,
    *,
    municipality_code: str | None,
    data: dict[str, Any] | None = None,
) -> OutboxEvent:
    """Add an outbox row for ``event`` (e.g. ``plan.agreed``) about the resource at ``resource_path``."""
    if event not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event}")
    payload = {"id": str(resource_id), **(data or {})}
    _check_data(payload)
    row = OutboxEvent(
        type=EVENT_TYPE_PREFIX + event,
        source=source(),
        subject=str(resource_id),
        dataref=f"{get_settings().public_base_url}{API_PREFIX}{resource_path}",
        data={k: str(v) if isinstance(v, uuid.UUID) else v for k, v in payload.items()},
        municipality_code=municipality_code,
    )
    session.add(row)
    return row


EVENT_FIELD_SUFFIXES = ("_id", "_code", "_type", "_cents", "_count", "_version")
"""An event carries ids, codes, states, versions and amounts, never a name or a text: a field
must end in one of these or be one of ``EVENT_FIELDS``."""
EVENT_FIELDS = frozenset(
    {"status", "version", "revision_open", "kind", "period", "urgency", "route_to", "direction", "scope"}
)


@dataclass(frozen=True)
class EventSpec:
    """What the bus hears of one kind of resource, declared once beside the code that changes it.

    ``path`` is the resource's path below the API prefix, a template over the row's attributes
    (``/families/{family_id}/consents/{id}``); ``fields`` are the attributes every event about it
    carries, in this order, each under its camelCase name (``plan_id`` as ``planId``). A field
    that could hold personal data is refused when the spec is declared, at import.
    """

    path: str
    fields: tuple[str, ...]

    def __post_init__(self) -> None:
        personal = [f for f in self.fields if not (f in EVENT_FIELDS or f.endswith(EVENT_FIELD_SUFFIXES))]
        if personal:
            raise ValueError(f"an event carries ids, codes and states only, not {', '.join(personal)}")

    def emit(self, session: AsyncSession, event: str, row: Any, **extra: Any) -> OutboxEvent:
        """Add an outbox row for ``event`` about ``row``: the declared fields, then ``extra`` (codes
        and dates the event adds, such as an end reason) as given."""
        return emit(
            session,
            event,
            row.id,
            self.path_of(row),
            municipality_code=row.municipality_code,
            data={**{to_camel(name): getattr(row, name) for name in self.fields}, **extra},
        )

    def path_of(self, row: Any) -> str:
        """The path with the row's attributes in place of the names in braces."""
        names = [name for _, name, _, _ in Formatter().parse(self.path) if name]
        return self.path.format(**{name: getattr(row, name) for name in names})


def to_cloudevent(row: Any) -> dict[str, Any]:
    """The CloudEvents JSON form of an outbox row (or anything with its attributes)."""
    return {
        "specversion": "1.0",
        "id": str(row.id),
        "source": row.source,
        "type": row.type,
        "subject": row.subject,
        "time": row.time.isoformat(),
        "datacontenttype": "application/json",
        "dataref": row.dataref,
        "sequence": format_sequence(row.sequence),
        "data": row.data,
    }


def format_sequence(sequence: int | None) -> str:
    """The sequence as a fixed-width string, so that string order is numeric order."""
    if sequence is None:
        raise ValueError("an outbox row has a sequence once it commits (flushed is not enough)")
    return f"{sequence:0{SEQUENCE_DIGITS}d}"
