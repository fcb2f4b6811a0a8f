"""Field types shared by the family-side request bodies.

Free text may hold any character except NUL (PostgreSQL text cannot store it); codes have
their fixed formats, so a malformed one is a 400 before any lookup.
"""

from typing import Annotated

from pydantic import Field

from app.models.base import NO_NUL
from app.rules import Rule
from app.services.families.bsn import bsn_problem

Text = Annotated[str, Field(min_length=1, max_length=20_000, pattern=NO_NUL)]
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]
# The format and 11-proef of a BSN are checked by the service with every other rule, and by the
# 400 handler when the schema refuses the body (app/rules.py): one answer lists all problems.
BsnInput = Annotated[
    str, Field(min_length=1, max_length=20, pattern=NO_NUL, examples=["111222333"]), Rule(bsn_problem)
]
DistrictCode = Annotated[str, Field(pattern=r"^WK\d{6}$", examples=["WK036301"])]
DomainCode = Annotated[str, Field(pattern=r"^[a-z][a-z_]{0,39}$", examples=["finances"])]
ProfileCode = Annotated[str, Field(pattern=r"^P\d{2}$", examples=["P06"])]
IntensityCode = Annotated[str, Field(pattern=r"^I\d$", examples=["I2"])]
Agb = Annotated[str, Field(pattern=r"^\d{8}$", examples=["01012345"])]
Version = Annotated[int, Field(ge=1, le=2_147_483_647)]
