"""Shared arrangements for the iJw tests: a case whose child has a BSN, reading messages, and
provider-side messages (JW305, JW307, JW315, JW317, JW323) built from what a provider knows."""

from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
from lxml import etree
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.ijw.documents import schema_errors
from app.ijw.standard import BASE_NS, namespace, versions
from app.models.families import FamilyMember
from tests.support.builders import Case, build_case
from tests.support.engagements import Auth, Engaged, engagement_at
from tests.support.factories import Reference
from tests.support.families import bsn

Headers = dict[str, str]
XML = {"Content-Type": "application/xml"}
CHILD_BSN = bsn(7)


async def ijw_case(
    session: AsyncSession, ref: Reference, *, child_bsn: str = CHILD_BSN, **kwargs: Any
) -> Case:
    """``build_case`` with a BSN for the child (iJw allocates only to a client with a BSN)."""
    case = await build_case(session, ref, commit=False, **kwargs)
    await session.execute(update(FamilyMember).where(FamilyMember.id == case.child_id).values(bsn=child_bsn))
    await session.commit()
    return case


async def messages(client: httpx.AsyncClient, headers: Headers, engagement_id: str) -> list[dict[str, Any]]:
    response = await client.get(f"/engagements/{engagement_id}/ijw-messages", headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def document(client: httpx.AsyncClient, headers: Headers, message_id: str) -> etree._Element:
    response = await client.get(f"/ijw-messages/{message_id}", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    return etree.fromstring(response.content)


def valid(message: str, root: etree._Element) -> bool:
    return schema_errors(message, root) == []


async def post_message(
    client: httpx.AsyncClient, headers: Headers, body: bytes, *, status: int = 201
) -> httpx.Response:
    """A provider system's message posted as XML, answered with ``status``."""
    response = await client.post("/ijw-messages", content=body, headers=headers | XML)
    assert response.status_code == status, response.text
    return response


async def answer(client: httpx.AsyncClient, headers: Headers, body: bytes, reply: str) -> etree._Element:
    """The return message ``reply`` (schema-valid) answering a message taken in."""
    root = etree.fromstring((await post_message(client, headers, body)).content)
    assert valid(reply, root)
    return root


def text(root: etree._Element, path: str) -> str:
    """The text of the first element at ``path`` (local names joined by ``/``), any namespace."""
    steps = "/".join(f"*[local-name()='{step}']" for step in path.split("/"))
    found = root.xpath(f".//{steps}")
    assert found, path
    return str(found[0].text)


def codes(root: etree._Element, under: str | None = None) -> list[str]:
    scope = root if under is None else root.xpath(f".//*[local-name()='{under}']")[0]
    return [str(e.text) for e in scope.xpath("./*[local-name()='RetourCodes']/*[local-name()='RetourCode']")]


def all_codes(root: etree._Element) -> list[str]:
    return [str(e.text) for e in root.xpath(".//*[local-name()='RetourCode']")]


async def allocation(client: httpx.AsyncClient, headers: Headers, engagement_id: str) -> "Allocated":
    """What the provider reads from the engagement's one message, its JW301."""
    [jw301] = await messages(client, headers, engagement_id)
    return Allocated.of(await document(client, headers, jw301["id"]))


async def allocated(
    client: httpx.AsyncClient, session: AsyncSession, ref: Reference, auth: Auth, child_bsn: str = CHILD_BSN
) -> tuple[Engaged, "Allocated"]:
    """An engagement accepted for a child with a BSN, and what its provider read from the JW301."""
    engaged = await engagement_at("accepted", client, session, ref, auth, build=ijw_case, child_bsn=child_bsn)
    return engaged, await allocation(client, engaged.a.provider, engaged.id)


@dataclass
class Allocated:
    """What a provider system reads from a JW301 to build its messages."""

    municipality: str
    provider_agb: str
    bsn: str
    birth_date: str
    surname: str
    assignment_number: str
    category: str
    code: str
    valid_from: str

    @classmethod
    def of(cls, jw301: etree._Element) -> "Allocated":
        return cls(
            municipality=text(jw301, "Header/Afzender"),
            provider_agb=text(jw301, "Header/Ontvanger"),
            bsn=text(jw301, "Client/Bsn"),
            birth_date=text(jw301, "Client/Geboortedatum/Datum"),
            surname=text(jw301, "Client/Naam/Geslachtsnaam/Achternaam"),
            assignment_number=text(jw301, "ToegewezenProduct/ToewijzingNummer"),
            category=text(jw301, "ToegewezenProduct/Product/Categorie"),
            code=text(jw301, "ToegewezenProduct/Product/Code"),
            valid_from=text(jw301, "ToegewezenProduct/Ingangsdatum"),
        )


class Xml:
    """Elements of one message (``x("Client")``) and of the basisschema types (``x.b("Datum")``)."""

    def __init__(self, message: str) -> None:
        self.message = message
        self.ns = namespace(message)

    def __call__(self, name: str, *children: Any) -> etree._Element:
        return self._element(self.ns, name, children)

    def b(self, name: str, *children: Any) -> etree._Element:
        return self._element(BASE_NS, name, children)

    def _element(self, ns: str, name: str, children: tuple[Any, ...]) -> etree._Element:
        element = etree.Element(f"{{{ns}}}{name}", nsmap={None: self.ns, "ijw": BASE_NS})
        for child in children:
            if isinstance(child, etree._Element):
                element.append(child)
            elif child is not None:
                element.text = str(child)
        return element

    def header(self, a: Allocated, identification: str, issued: date) -> etree._Element:
        v = versions(self.message)
        return self(
            "Header",
            self("BerichtCode", v.code),
            self("BerichtVersie", "3"),
            self("BerichtSubversie", "2"),
            self("Afzender", a.provider_agb),
            self("Ontvanger", a.municipality),
            self(
                "BerichtIdentificatie", self.b("Identificatie", identification), self.b("Dagtekening", issued)
            ),
            self(
                "XsdVersie",
                self.b("BasisschemaXsdVersie", v.base_xsd),
                self.b("BerichtXsdVersie", v.message_xsd),
            ),
        )

    def client(self, a: Allocated, *products: etree._Element, wrapper: str) -> etree._Element:
        return self(
            "Client",
            self("Bsn", a.bsn),
            self("Geboortedatum", self.b("Datum", a.birth_date)),
            self("Geslacht", "0"),
            self("Naam", self.b("Geslachtsnaam", self.b("Achternaam", a.surname))),
            self(wrapper, *products),
        )


def _care(
    message: str,
    kind: str,
    a: Allocated,
    start: date,
    *details: tuple[str, Any],
    identification: str,
    assignment: str | None,
    issued: date,
) -> bytes:
    """A JW305 or JW307: one product of the allocation begun on ``start``, with the details
    (element name, value) the message adds before its delivery status."""
    x = Xml(message)
    product = x(
        kind,
        x("ToewijzingNummer", assignment or a.assignment_number),
        x("Product", x.b("Categorie", a.category), x.b("Code", a.code)),
        x("ToewijzingIngangsdatum", a.valid_from),
        x("Begindatum", start),
        *(x(name, value) for name, value in details),
        x("StatusAanlevering", "1"),
    )
    root = x("Bericht", x.header(a, identification, issued), x.client(a, product, wrapper=f"{kind}en"))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def jw305(
    a: Allocated, start: date, *, identification: str = "START1", assignment: str | None = None, issued: date
) -> bytes:
    return _care(
        "JW305", "StartProduct", a, start, identification=identification, assignment=assignment, issued=issued
    )


def jw307(
    a: Allocated,
    start: date,
    end: date,
    reason: str,
    *,
    identification: str = "STOP1",
    assignment: str | None = None,
    issued: date,
) -> bytes:
    return _care(
        "JW307",
        "StopProduct",
        a,
        start,
        ("RedenBeeindiging", reason),
        ("Einddatum", end),
        identification=identification,
        assignment=assignment,
        issued=issued,
    )


@dataclass
class Claimed:
    """One Prestatie of a test claim."""

    reference: str
    start: date
    end: date
    cents: int
    debit: bool = True
    previous: str | None = None
    unit: str = "83"
    category: str | None = None
    code: str | None = None
    assignment: str | None = None
    bsn: str | None = None


def jw323(
    a: Allocated,
    lines: list[Claimed],
    *,
    number: str,
    identification: str,
    issued: date,
    period: tuple[date, date],
    total: int | None = None,
) -> bytes:
    """A claim; each line's volume is its amount in whole euros (rounded down)."""
    x = Xml("JW323")
    prestaties_by_bsn: dict[str, list[etree._Element]] = {}
    for line in lines:
        prestaties_by_bsn.setdefault(line.bsn or a.bsn, []).append(
            x(
                "Prestatie",
                x(
                    "ProductReferentie",
                    x.b("ReferentieNummer", line.reference),
                    x.b("VorigReferentieNummer", line.previous) if line.previous else None,
                ),
                x("ToewijzingNummer", line.assignment or a.assignment_number),
                x("ProductCategorie", line.category or a.category),
                x("ProductCode", line.code or a.code),
                x("ProductPeriode", x.b("Begindatum", line.start), x.b("Einddatum", line.end)),
                x("GeleverdVolume", line.cents // 100),
                x("Eenheid", line.unit),
                x(
                    "IngediendBedrag",
                    x.b("Bedrag", line.cents),
                    x.b("DebetCredit", "D" if line.debit else "C"),
                ),
            )
        )
    clients = [x("Client", x("Bsn", bsn), x("Prestaties", *p)) for bsn, p in prestaties_by_bsn.items()]
    amount = sum(line.cents if line.debit else -line.cents for line in lines) if total is None else total
    root = x(
        "Bericht",
        x.header(a, identification, issued),
        x(
            "Declaratie",
            x("DeclaratieNummer", number),
            x("DeclaratiePeriode", x.b("Begindatum", period[0]), x.b("Einddatum", period[1])),
            x("DeclaratieDagtekening", issued),
            x(
                "TotaalIngediendBedrag",
                x.b("TotaalBedrag", abs(amount)),
                x.b("DebetCredit", "D" if amount >= 0 else "C"),
            ),
            x("Clienten", *clients),
        ),
    )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def requester(ref: Reference, *, bsn_: str = CHILD_BSN, product: str = "P03I2") -> Allocated:
    """What a provider knows before any allocation: the client and the product it asks for."""
    return Allocated(
        municipality="0363",
        provider_agb=ref.provider_agbs[0],
        bsn=bsn_,
        birth_date="2015-03-14",
        surname="Vries",
        assignment_number="",
        category="50",
        code=product,
        valid_from="",
    )


def jw315(a: Allocated, *references: str, start: date, identification: str, issued: date) -> bytes:
    x = Xml("JW315")
    products = [
        x(
            "AangevraagdProduct",
            x("ReferentieAanbieder", reference),
            x("Product", x.b("Categorie", a.category), x.b("Code", a.code)),
            x("ToewijzingIngangsdatum", start),
            x("Verwijzer", x.b("Type", "02"), x.b("Naam", "Huisarts")),
        )
        for reference in references
    ]
    root = x(
        "Bericht",
        x.header(a, identification, issued),
        x.client(a, *products, wrapper="AangevraagdeProducten"),
    )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@dataclass
class Change:
    """One product of a test change request: unchanged, to change or new."""

    kind: str  # OngewijzigdProduct / TeWijzigenProduct / NieuwProduct
    number: str | None = None
    wished: date | None = None
    end: date | None = None
    volume: int | None = 100


def jw317(a: Allocated, reference: str, changes: list[Change], *, identification: str, issued: date) -> bytes:
    x = Xml("JW317")
    groups: dict[str, list[etree._Element]] = {}
    for c in changes:
        omvang = (
            x("Omvang", x.b("Volume", c.volume), x.b("Eenheid", "83"), x.b("Frequentie", "6"))
            if c.volume is not None
            else None
        )
        if c.kind == "OngewijzigdProduct":
            element = x(c.kind, x("ToewijzingNummer", c.number))
        elif c.kind == "TeWijzigenProduct":
            element = x(
                c.kind,
                x("ToewijzingNummer", c.number),
                x("GewensteIngangsdatum", c.wished),
                x("Einddatum", c.end) if c.end else None,
                omvang,
            )
        else:
            element = x(
                c.kind,
                x("Product", x.b("Categorie", a.category), x.b("Code", a.code)),
                x("GewensteIngangsdatum", c.wished),
                x("Einddatum", c.end) if c.end else None,
                omvang,
            )
        groups.setdefault(c.kind, []).append(element)
    wrappers = {
        "OngewijzigdProduct": "OngewijzigdeProducten",
        "TeWijzigenProduct": "TeWijzigenProducten",
        "NieuwProduct": "NieuweProducten",
    }
    request = x(
        "Verzoek",
        x("ReferentieAanbieder", reference),
        x("RedenVerzoek", "2"),
        *[x(wrappers[kind], *groups[kind]) for kind in wrappers if kind in groups],
    )
    root = x("Bericht", x.header(a, identification, issued), x("Client", x("Bsn", a.bsn), request))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
