"""JW301 (toewijzing): the allocation of one engagement's product to its main contractor.

Issued at acceptance (valid from the request date, open-ended); sent again when the allocation
ends: withdrawn before the start as *removed* (end date = start date, JZ002 ``13``), closed
with the end date and the JZ002 reason that matches the JZ588 end reason (the code list's own
mapping), else ``14`` (the provider stopped the care and the allocation is withdrawn).
The volume is the most the engagement may cost under its frozen terms, in euros (unit ``83``),
for the whole allocation (frequency ``6``).
"""

import math
from dataclasses import dataclass
from datetime import date, datetime

from lxml import etree

from app.services.ijw.elements import Builder, local_day_and_time, municipality_number, name

# JZ588 end reason → JZ002 reason of change (the JZ002 list names its JZ588 counterpart).
CHANGE_REASON_OF_END_REASON = {"02": "02", "36": "05", "37": "12", "38": "09", "39": "06"}
PROVIDER_STOPPED = "14"
REMOVED = "13"
UNIT_EUROS = "83"
WHOLE_ALLOCATION = "6"
# COD472: parents are 10 (ouder); a carer or another adult of the family 09 (anders).
RELATION_KIND = {"parent": "10", "carer": "09", "other": "09"}


@dataclass(frozen=True)
class Person:
    member_id: str
    given_name: str
    family_name: str
    birth_date: date
    role: str
    bsn: str | None = None


@dataclass(frozen=True)
class Allocation:
    municipality_code: str
    provider_agb: str
    identification: str
    issued: date
    client: Person
    relations: list[Person]
    assignment_number: str
    category: str
    code: str
    allocated_at: datetime
    valid_from: date
    valid_to: date | None
    change_reason: str | None
    volume_euros: int | None
    provider_reference: str | None = None  # the request (JW315) this allocation answers


def change_reason(status: str, end_reason: str | None) -> str | None:
    if status == "withdrawn":
        return REMOVED
    if status == "closed":
        return CHANGE_REASON_OF_END_REASON.get(end_reason or "", PROVIDER_STOPPED)
    return None


def volume_euros(ceiling_cents: int) -> int | None:
    return math.ceil(ceiling_cents / 100) if ceiling_cents > 0 else None


def _relation(b: Builder, person: Person) -> etree._Element:
    return b(
        "Relatie",
        b("Nummer", person.member_id.replace("-", "")[:20]),
        b("Soort", RELATION_KIND.get(person.role, "09")),
        name(b, person.family_name, person.given_name, full=True),
        b("Contact", b("Soort", "01")),
    )


def _product(b: Builder, a: Allocation) -> etree._Element:
    day, time = local_day_and_time(a.allocated_at)
    return b(
        "ToegewezenProduct",
        b("ToewijzingNummer", int(a.assignment_number)),
        b("ReferentieAanbieder", a.provider_reference) if a.provider_reference else None,
        b("Product", b.base("Categorie", a.category), b.base("Code", a.code)),
        b("Toewijzingsdatum", day),
        b("Toewijzingstijd", time),
        b("Ingangsdatum", a.valid_from),
        b("Einddatum", a.valid_to) if a.valid_to else None,
        b("RedenWijziging", a.change_reason) if a.change_reason else None,
        b(
            "Omvang",
            b.base("Volume", a.volume_euros),
            b.base("Eenheid", UNIT_EUROS),
            b.base("Frequentie", WHOLE_ALLOCATION),
        )
        if a.volume_euros
        else None,
    )


def build(a: Allocation) -> etree._Element:
    b = Builder("JW301")
    client = a.client
    assert client.bsn is not None
    return b(
        "Bericht",
        b.header(municipality_number(a.municipality_code), a.provider_agb, a.identification, a.issued),
        b(
            "Client",
            b("Bsn", client.bsn),
            b("Geboortedatum", b.base("Datum", client.birth_date)),
            b("Geslacht", "0"),  # not recorded: unknown
            name(b, client.family_name, client.given_name, full=True),
            b("Relaties", *[_relation(b, p) for p in a.relations]) if a.relations else None,
            b("Contactgegevens", b("Contact", b("Soort", "01"))),
            b("ToegewezenProducten", _product(b, a)),
        ),
    )
