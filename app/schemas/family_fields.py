"""Field types shared by the family-side request bodies.

Free text may hold any character except NUL (PostgreSQL text cannot store it); codes have
their fixed formats, so a malformed one is a 400 before any lookup.
"""

from typing import Annotated

from pydantic import Field

from app import identifiers
from app.models.base import NO_NUL
from app.rules import Rule
from app.services.families.bsn import bsn_problem

Text = Annotated[str, Field(min_length=1, max_length=20_000, pattern=NO_NUL)]
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]
# The format and 11-proef of a BSN are checked by the service with every other rule, and by the
# 400 handler when the schema refuses the body (app/rules.py): one answer lists all problems.
# At the edge only visible ASCII passes (a look-alike digit is never a BSN).
BsnInput = Annotated[identifiers.Bsn, Field(examples=["111222333"]), Rule(bsn_problem)]
DistrictCode = identifiers.DistrictCode
DomainCode = identifiers.DomainCode
ProfileCode = identifiers.ProfileCode
IntensityCode = identifiers.IntensityCodeAny
Agb = identifiers.AgbCode
Version = Annotated[int, Field(ge=1, le=2_147_483_647)]
