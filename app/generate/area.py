"""What the generator needs to know of one municipality: its districts, teams and providers.

A provider carries the terms its contract froze (payment model, result share), the band of
profiles it delivers, its typical waiting days and a quality that shifts GAS scores, dropout and
experience, so that the insights have differences to show.
"""

import uuid
from dataclasses import dataclass, field
from typing import Any

from app.demo.catalogue import PROFILES
from app.demo.ids import MUNICIPALITY, demo_id
from app.demo.reference import DISTRICT_NAMES, PAYMENT_MODELS, district_code

SPECIALIST = [(code, segment) for code, _, segment in PROFILES if segment != "A"]
QUALITY = [0.6, 0.2, -0.2, 0.4, -0.4, 0.1, 0.0, 0.3]


@dataclass(frozen=True)
class Area:
    """One municipality: district codes, the team of each district, the contracted providers."""

    municipality: str
    districts: list[str]
    teams: list[uuid.UUID]
    providers: list[dict[str, Any]]
    intake_team: uuid.UUID | None = None
    district_weights: list[int] = field(default_factory=list)

    def weights(self) -> list[int]:
        return self.district_weights or [1] * len(self.districts)


def provider_terms(n: int, provider_id: uuid.UUID, contract_id: uuid.UUID, model: str) -> dict[str, Any]:
    """Provider ``n`` (0-based) with the terms of its contract and its band of profiles."""
    return {
        "id": provider_id,
        "contract": contract_id,
        "model": model,
        "result_share": 10 if n % 3 == 0 else None,
        "band": {SPECIALIST[(n + k) % len(SPECIALIST)][0] for k in range(5)},
        "wait": 12 + 9 * (n % 4),  # typical waiting days
        "quality": QUALITY[n % len(QUALITY)],
    }


def demo_providers() -> list[dict[str, Any]]:
    """The eight providers of the demo reference data (``app.demo.reference``)."""
    return [
        provider_terms(n, demo_id("provider", str(n + 1)), demo_id("contract", str(n + 1)), model)
        for n, model in enumerate(PAYMENT_MODELS)
    ]


def demo_area(municipality: str = MUNICIPALITY) -> Area:
    """A municipality of the demo region, with the demo's team per district."""
    positions = range(len(DISTRICT_NAMES[municipality]))
    return Area(
        municipality=municipality,
        districts=[district_code(municipality, i) for i in positions],
        teams=[demo_id("team", municipality, str(i + 1)) for i in positions],
        providers=demo_providers(),
        intake_team=demo_id("team", municipality, "intake"),
        district_weights=[5, 9, 8, 6],
    )
