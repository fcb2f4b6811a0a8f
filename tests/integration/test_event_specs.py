"""What the bus hears of each resource is declared once (an EventSpec), and a spec cannot name
an attribute that could hold personal data."""

import importlib
import pkgutil
import uuid
from types import SimpleNamespace

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

import app.services
from app.services.platform.events import EventSpec


def _declared_specs() -> dict[str, EventSpec]:
    """Every EventSpec a service module declares, by ``module.NAME``."""
    found: dict[str, EventSpec] = {}
    for info in pkgutil.walk_packages(app.services.__path__, "app.services."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, EventSpec) and getattr(module, "__name__", "") == info.name:
                found[f"{info.name}.{name}"] = value
    return found


def test_every_resource_that_emits_declares_its_spec() -> None:
    specs = _declared_specs()
    paths = {spec.path.split("/")[1] for spec in specs.values()}
    assert {
        "families",
        "referrals",
        "plans",
        "engagements",
        "handoffs",
        "payments",
        "payment-batches",
        "ijw-messages",
    } <= paths
    for where, spec in specs.items():
        assert spec.path.startswith("/") and "{" in spec.path, where
        assert len(set(spec.fields)) == len(spec.fields), where


@pytest.mark.parametrize(
    "field", ["description", "name", "bsn", "birth_date", "reason", "note", "given_name"]
)
def test_a_spec_naming_personal_data_is_refused(field: str) -> None:
    with pytest.raises(ValueError, match=field):
        EventSpec("/families/{id}", ("status", field))


def test_the_path_and_payload_come_from_the_row(session: AsyncSession) -> None:
    spec = EventSpec("/families/{family_id}/consents/{id}", ("family_id", "provider_id", "scope"))
    family, consent = uuid.UUID(int=1), uuid.UUID(int=2)
    row = SimpleNamespace(
        id=consent,
        family_id=family,
        provider_id=None,
        scope="treatment",
        municipality_code="GM0363",
        note="x",
    )
    event = spec.emit(session, "consent.granted", row, extra="given")
    assert event.dataref.endswith(f"/api/v1/families/{family}/consents/{consent}")
    assert event.subject == str(consent)
    assert event.municipality_code == "GM0363"
    assert event.data == {
        "id": str(consent),
        "familyId": str(family),
        "providerId": None,
        "scope": "treatment",
        "extra": "given",
    }
    session.expunge(event)
