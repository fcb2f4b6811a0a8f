"""JW325 (declaratie-antwoord): the answer to a claim, with only its rejected lines (TR342).

The header names the claim it answers (``DeclaratieIdentificatie``); ``TotaalToegekendBedrag``
is what was approved (debit minus credit). A claim approved in full is answered ``8001`` and
lists no lines; a claim rejected as a whole approves nothing and lists no lines either.
"""

from dataclasses import dataclass
from datetime import date

from lxml import etree

from app.ijw.standard import BASE_NS, namespace
from app.services.ijw.assessment import Assessment
from app.services.ijw.elements import Builder, rebuild
from app.services.ijw.reading import child, children, text

FULLY_APPROVED = "8001"


@dataclass(frozen=True)
class Verdict:
    assessment: Assessment
    declaration: etree._Element
    approved: set[etree._Element]  # the Prestatie elements approved
    approved_cents: int  # debit minus credit


def recast(element: etree._Element, message: str, into: str) -> etree._Element:
    """A copy of ``element`` with the elements of ``message``'s namespace moved into ``into``'s."""
    return rebuild(element, namespace(message), namespace(into))


def _codes(b: Builder, codes: list[str]) -> etree._Element:
    return b("RetourCodes", *[b("RetourCode", c) for c in codes])


def _header(b: Builder, header: etree._Element, identification: str, issued: date) -> etree._Element:
    claim_xsd = recast(child(header, "XsdVersie"), "JW323", "JW325")  # type: ignore[arg-type]
    claim_xsd.tag = f"{{{b.ns}}}XsdVersieDeclaratie"
    return b(
        "Header",
        b("BerichtCode", "491"),
        b("BerichtVersie", "3"),
        b("BerichtSubversie", "2"),
        b("Afzender", text(header, "Ontvanger")),
        b("Ontvanger", text(header, "Afzender")),
        b("BerichtIdentificatie", b.base("Identificatie", identification), b.base("Dagtekening", issued)),
        b.xsd_version(),
        b(
            "DeclaratieIdentificatie",
            b.base("Identificatie", text(header, "BerichtIdentificatie/Identificatie")),
            b.base("Dagtekening", text(header, "BerichtIdentificatie/Dagtekening")),
        ),
        claim_xsd,
    )


def _rejected_clients(b: Builder, v: Verdict) -> etree._Element | None:
    clients = []
    for client in children(child(v.declaration, "Clienten"), "Client"):  # type: ignore[arg-type]
        lines = [p for w in children(client, "Prestaties") for p in children(w, "Prestatie")]
        rejected = [p for p in lines if p not in v.approved]
        if not rejected:
            continue
        answered = []
        for line in rejected:
            copied = recast(line, "JW323", "JW325")
            copied.append(_codes(b, v.assessment.codes(line)))
            answered.append(copied)
        clients.append(
            b(
                "Client",
                b("Bsn", text(client, "Bsn")),
                b("Prestaties", *answered),
                _codes(b, v.assessment.codes(client)),
            )
        )
    return b("Clienten", *clients) if clients else None


def build(header: etree._Element, v: Verdict, identification: str, issued: date) -> etree._Element:
    b = Builder("JW325")
    header_codes = v.assessment.codes(v.assessment.header)
    whole_rejected = v.assessment.rejected(v.declaration)
    clients = None if whole_rejected else _rejected_clients(b, v)
    codes = v.assessment.codes(v.declaration)
    if not whole_rejected and clients is None:
        codes = [FULLY_APPROVED]
    amount = 0 if whole_rejected else v.approved_cents
    submitted = recast(child(v.declaration, "TotaalIngediendBedrag"), "JW323", "JW325")  # type: ignore[arg-type]
    root = b(
        "Bericht",
        _header(b, header, identification, issued),
        b(
            "DeclaratieAntwoord",
            b("DeclaratieNummer", text(v.declaration, "DeclaratieNummer")),
            submitted,
            b(
                "TotaalToegekendBedrag",
                b.base("TotaalBedrag", abs(amount)),
                b.base("DebetCredit", "D" if amount >= 0 else "C"),
            ),
            clients,
            _codes(b, codes),
        ),
    )
    root.find(f"{{{b.ns}}}Header").append(_codes(b, header_codes))  # type: ignore[union-attr]
    etree.cleanup_namespaces(root, top_nsmap={None: b.ns, "ijw": BASE_NS})
    return root
