"""Query filters that several lists share, declared once so each keeps one name and form.

A filter on a related item is its id in lowerCamelCase (``?planId=``); a filter on a catalogue
product is its code (``?profileCode=P06&intensityCode=I2``). Absent means "any".
"""

import uuid
from typing import Annotated

from fastapi import Query

from app.schemas.reference_catalogue import IntensityCode, ProfileCode

ByPlan = Annotated[uuid.UUID | None, Query(alias="planId")]
ByEngagement = Annotated[uuid.UUID | None, Query(alias="engagementId")]
ByFamily = Annotated[uuid.UUID | None, Query(alias="familyId")]
ByProvider = Annotated[uuid.UUID | None, Query(alias="providerId")]
ByProfile = Annotated[ProfileCode | None, Query(alias="profileCode")]
ByIntensity = Annotated[IntensityCode | None, Query(alias="intensityCode")]
