"""JW319 (antwoordbericht): the municipality's answer to a request (JW315) or change (JW317)
that is not an allocation — refused (WJ760 ``1``, with a WJ759 reason) or under investigation
(``2``). Refused for the residence principle (reason ``8``), it names the responsible municipality.
"""

from dataclasses import dataclass
from datetime import date

from lxml import etree

from app.services.ijw.elements import Builder, municipality_number

REFUSED = "1"
INVESTIGATING = "2"
RESIDENCE_PRINCIPLE = "8"
NO_CONTRACT = "3"


@dataclass(frozen=True)
class Reply:
    municipality_code: str
    provider_agb: str
    identification: str
    issued: date
    provider_reference: str
    answer: str
    refusal_reason: str | None = None
    responsible_municipality: str | None = None  # GM code, with reason 8


def build(r: Reply) -> etree._Element:
    b = Builder("JW319")
    residence = r.refusal_reason == RESIDENCE_PRINCIPLE and r.responsible_municipality
    return b(
        "Bericht",
        b.header(municipality_number(r.municipality_code), r.provider_agb, r.identification, r.issued),
        b(
            "Antwoord",
            b("ReferentieAanbieder", r.provider_reference),
            b("VerzoekAntwoord", r.answer),
            b("RedenAfwijzingVerzoek", r.refusal_reason) if r.refusal_reason else None,
            b("Woonplaatsbeginsel", b("Gemeente", municipality_number(r.responsible_municipality)))
            if residence
            else None,
        ),
    )
