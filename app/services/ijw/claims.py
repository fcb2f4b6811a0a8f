"""Claims (JW323): each line (Prestatie) matched against the engagement's payment ledger.

Layer 2, within the claim: the total is the sum of its lines (TR358), a reference appears
once and is not credited in the same claim (TR315/TR316), a period ends after it begins, not
after the claim's date and not over five years before it (TR137/TR335) — ``0001``.

Layer 3, per line, against what we sent and hold: the claim number is new (TR333 ``9333``),
the reference too (TR314 ``8021``); the line names an allocation of this provider (TR338
``9338``), not a removed one (TR384 ``9384``), for this client (TR304 ``8187``), with its
category, product and unit (TR339–TR341 ``9339``/``9340``/``9341``); its period lies within the
allocation (TR307/TR308 ``9307``/``9308``) and the claim period (TR319 ``9319``) and is one
calendar month, cut only by the allocation (TR387/TR388 ``9387``/``9388``); one debit per
period (TR389 ``9389``), a credit names an approved debit (TR323 ``8017``) once (TR390 ``9390``);
the volume (whole euros, rounded down) fits the allocation (TR321/TR322 ``9321``/``9322``) and the
amount is not above what the frozen tariff put in the ledger for that month (TR418 ``0611``).

Every line is kept (``ijw_claim_lines``) with its verdict and the ledger lines it matched. What a
claim is checked against is read once per claim (:class:`Holdings`), not once per line.
"""

import calendar
import uuid
from dataclasses import dataclass
from datetime import date

from lxml import etree
from sqlalchemy import func, select, tuple_

from app.models.catalogue import ProfileIntensity
from app.models.engagements import Engagement
from app.models.families import FamilyMember
from app.models.ijw import ClaimLine
from app.models.money import PaymentLine
from app.services.ijw import jw301, jw325
from app.services.ijw.allocations import allocated_from, allocated_to, ceiling_cents
from app.services.ijw.assessment import TECHNICAL, Assessment
from app.services.ijw.reading import child, children, day, text
from app.services.ijw.received import Received
from app.services.reference.support_profiles import IjwProduct, ijw_product

CLAIM_NUMBER_USED = "9333"
REFERENCE_USED = "8021"
NOT_ALLOCATED = "9338"
REMOVED_ALLOCATION = "9384"
OTHER_CLIENT = "8187"
OTHER_CATEGORY, OTHER_CODE, OTHER_UNIT = "9339", "9340", "9341"
BEFORE_ALLOCATION, AFTER_ALLOCATION = "9307", "9308"
OUTSIDE_CLAIM_PERIOD = "9319"
NOT_MONTH_START, NOT_MONTH_END = "9387", "9388"
DEBIT_TWICE, NO_DEBIT, CREDITED_TWICE = "9389", "8017", "9390"
VOLUME_LINE, VOLUME_TOTAL = "9321", "9322"
ABOVE_TARIFF = "0611"
MAX_ASSIGNMENT_NUMBER = 99_999_999
MAX_AGE_YEARS = 5


@dataclass
class Line:
    element: etree._Element
    client: etree._Element
    reference: str
    previous: str | None
    number: str
    category: str
    code: str
    unit: str
    start: date
    end: date
    volume: int
    cents: int
    debit: bool

    @classmethod
    def read(cls, element: etree._Element, client: etree._Element) -> "Line":
        def need(path: str) -> str:
            value = text(element, path)
            assert value is not None  # required by the schema
            return value

        return cls(
            element=element,
            client=client,
            reference=need("ProductReferentie/ReferentieNummer"),
            previous=text(element, "ProductReferentie/VorigReferentieNummer"),
            number=need("ToewijzingNummer"),
            category=need("ProductCategorie"),
            code=need("ProductCode"),
            unit=need("Eenheid"),
            start=date.fromisoformat(need("ProductPeriode/Begindatum")),
            end=date.fromisoformat(need("ProductPeriode/Einddatum")),
            volume=int(need("GeleverdVolume")),
            cents=int(need("IngediendBedrag/Bedrag")),
            debit=need("IngediendBedrag/DebetCredit") == "D",
        )

    @property
    def signed_cents(self) -> int:
        return self.cents if self.debit else -self.cents


def _period(element: etree._Element, path: str) -> tuple[date, date]:
    start, end = day(element, f"{path}/Begindatum"), day(element, f"{path}/Einddatum")
    assert start is not None and end is not None
    return start, end


def _within_message(a: Assessment, declaration: etree._Element, lines: list[Line], issued: date) -> None:
    total = int(text(declaration, "TotaalIngediendBedrag/TotaalBedrag") or 0)
    if text(declaration, "TotaalIngediendBedrag/DebetCredit") == "C":
        total = -total
    if total != sum(line.signed_cents for line in lines):
        a.reject(declaration, TECHNICAL)
    references = [line.reference for line in lines]
    oldest = issued.replace(year=issued.year - MAX_AGE_YEARS)
    for i, line in enumerate(lines):
        repeated = line.reference in references[:i] or (
            line.previous is not None and line.previous in references
        )
        if repeated or line.end < line.start or line.end > issued or line.end < oldest:
            a.reject(line.element, TECHNICAL)


def _month_bounds(day_: date) -> tuple[date, date]:
    return day_.replace(day=1), day_.replace(day=calendar.monthrange(day_.year, day_.month)[1])


@dataclass
class Holdings:
    """What a claim is checked against, read in a fixed number of statements for all its lines."""

    engagements: dict[str, Engagement]  # by assignment number
    bsns: dict[uuid.UUID, str | None]  # member id → BSN
    products: dict[tuple[str, str], IjwProduct]  # (profile, intensity) → iJw product
    claimed: dict[uuid.UUID, list[ClaimLine]]  # engagement id → approved claim lines
    references: set[str]  # the provider's references already used
    ledger: dict[tuple[uuid.UUID, str], list[PaymentLine]]  # (engagement id, YYYY-MM) → ledger lines

    @classmethod
    async def read(cls, received: Received, lines: list[Line]) -> "Holdings":
        session, provider = received.session, received.provider.id
        numbers = {_canonical(line.number) for line in lines} - {None}
        engagements = {
            e.assignment_number: e
            for e in (
                await session.scalars(
                    select(Engagement).where(
                        Engagement.assignment_number.in_(numbers),
                        Engagement.provider_id == provider,
                        Engagement.municipality_code == received.principal.municipality,
                        Engagement.status.in_(("accepted", "started", "closed", "withdrawn")),
                    )
                )
            ).all()
            if e.assignment_number
        }
        ids = [e.id for e in engagements.values()]
        members = [e.member_id for e in engagements.values()]
        bsns = {
            member: bsn
            for member, bsn in (
                await session.execute(
                    select(FamilyMember.id, FamilyMember.bsn).where(FamilyMember.id.in_(members))
                )
            ).all()
        }
        pairs = {(e.profile_code, e.intensity_code) for e in engagements.values()}
        rows = (
            await session.execute(
                select(
                    ProfileIntensity.profile_code,
                    ProfileIntensity.code,
                    ProfileIntensity.ijw_category,
                    ProfileIntensity.ijw_code,
                ).where(tuple_(ProfileIntensity.profile_code, ProfileIntensity.code).in_(list(pairs)))
            )
            if pairs
            else []
        )
        products = {(p, i): ijw_product(p, i, c, k) for p, i, c, k in rows}
        claimed: dict[uuid.UUID, list[ClaimLine]] = {i: [] for i in ids}
        for row in (
            await session.scalars(
                select(ClaimLine).where(ClaimLine.engagement_id.in_(ids), ClaimLine.approved)
            )
        ).all():
            claimed[row.engagement_id].append(row)  # type: ignore[index]
        references = set(
            (
                await session.scalars(
                    select(ClaimLine.reference).where(
                        ClaimLine.provider_id == provider,
                        ClaimLine.reference.in_([line.reference for line in lines]),
                    )
                )
            ).all()
        )
        ledger: dict[tuple[uuid.UUID, str], list[PaymentLine]] = {}
        for payment in (
            await session.scalars(
                select(PaymentLine)
                .where(PaymentLine.engagement_id.in_(ids))
                .order_by(PaymentLine.created_at, PaymentLine.id)
            )
        ).all():
            ledger.setdefault((payment.engagement_id, payment.period), []).append(payment)  # type: ignore[arg-type]
        return cls(engagements, bsns, products, claimed, references, ledger)

    def product(self, engagement: Engagement) -> IjwProduct:
        key = (engagement.profile_code, engagement.intensity_code)
        return self.products.get(key) or ijw_product(*key)

    def month(self, engagement: Engagement, day_: date) -> list[PaymentLine]:
        return self.ledger.get((engagement.id, day_.strftime("%Y-%m")), [])


def _canonical(number: str) -> str | None:
    return f"{int(number):08d}" if int(number) <= MAX_ASSIGNMENT_NUMBER else None


class ClaimMessage:
    """JW323, answered with JW325. One instance per message: it gathers the verdict."""

    def __init__(self) -> None:
        self.claim_number = ""
        self.approved: set[etree._Element] = set()
        self.approved_cents = 0

    def classes(self, root: etree._Element) -> list[etree._Element]:
        declaration = child(root, "Declaratie")
        assert declaration is not None
        clients = [c for w in children(declaration, "Clienten") for c in children(w, "Client")]
        lines = [p for c in clients for w in children(c, "Prestaties") for p in children(w, "Prestatie")]
        return [declaration, *clients, *lines]

    async def handle(self, received: Received) -> None:
        a = received.assessment
        declaration = a.classes[0]
        lines = [
            Line.read(e, e.getparent().getparent())
            for e in a.classes
            if etree.QName(e).localname == "Prestatie"
        ]
        _within_message(a, declaration, lines, received.issued)
        self.claim_number = text(declaration, "DeclaratieNummer") or ""
        used = await received.session.scalar(
            select(func.count())
            .select_from(ClaimLine)
            .where(ClaimLine.provider_id == received.provider.id, ClaimLine.claim_number == self.claim_number)
        )
        if used:
            a.reject(declaration, CLAIM_NUMBER_USED)
        held = await Holdings.read(received, lines)
        claim_period = _period(declaration, "DeclaratiePeriode")
        received.session.add_all([self._line(received, held, line, claim_period) for line in lines])
        await received.session.flush()

    def _line(
        self, received: Received, held: Holdings, line: Line, claim_period: tuple[date, date]
    ) -> ClaimLine:
        a = received.assessment
        number = _canonical(line.number)
        engagement = held.engagements.get(number) if number else None
        if engagement is not None:
            received.link(engagement)
        matched: list[PaymentLine] = []
        if not a.rejected(line.element):
            codes = self._codes(held, line, engagement, claim_period)
            for code in codes:
                a.reject(line.element, code)
            if not codes and engagement is not None:
                matched = held.month(engagement, line.start)
        approved = not a.rejected(line.element)
        kept = ClaimLine(
            municipality_code=received.principal.municipality,
            message_id=received.row_id,
            provider_id=received.provider.id,
            engagement_id=engagement.id if engagement else None,
            claim_number=self.claim_number,
            reference=line.reference,
            previous_reference=line.previous,
            period_start=line.start,
            period_end=line.end,
            volume=line.volume,
            amount_cents=line.cents,
            debit_credit="D" if line.debit else "C",
            approved=approved,
            return_codes=a.codes(line.element),
            payment_line_ids=[str(p.id) for p in matched],
        )
        held.references.add(line.reference)
        if approved:
            self.approved.add(line.element)
            self.approved_cents += line.signed_cents
            assert engagement is not None
            held.claimed[engagement.id].append(kept)
        return kept

    def _codes(
        self, held: Holdings, line: Line, engagement: Engagement | None, claim_period: tuple[date, date]
    ) -> list[str]:
        if line.reference in held.references:
            return [REFERENCE_USED]
        if engagement is None:
            return [NOT_ALLOCATED]
        if engagement.status == "withdrawn":
            return [REMOVED_ALLOCATION]
        codes: list[str] = []
        if held.bsns.get(engagement.member_id) != text(line.client, "Bsn"):
            codes.append(OTHER_CLIENT)
        product = held.product(engagement)
        if line.category != product.category:
            codes.append(OTHER_CATEGORY)
        if line.code != product.code:
            codes.append(OTHER_CODE)
        if line.unit != jw301.UNIT_EUROS:
            codes.append(OTHER_UNIT)
        codes += self._period_codes(line, engagement, claim_period)
        codes += self._ledger_codes(held, line, engagement)
        return codes

    @staticmethod
    def _period_codes(line: Line, engagement: Engagement, claim_period: tuple[date, date]) -> list[str]:
        codes = []
        valid_from, valid_to = allocated_from(engagement), allocated_to(engagement)
        if line.start < valid_from:
            codes.append(BEFORE_ALLOCATION)
        if valid_to is not None and line.end > valid_to:
            codes.append(AFTER_ALLOCATION)
        if line.start < claim_period[0] or line.end > claim_period[1]:
            codes.append(OUTSIDE_CLAIM_PERIOD)
        first, last = _month_bounds(line.start)
        if line.start != first and line.start != valid_from:
            codes.append(NOT_MONTH_START)
        if line.end > last or (line.end != last and line.end != valid_to):
            codes.append(NOT_MONTH_END)
        return codes

    def _ledger_codes(self, held: Holdings, line: Line, engagement: Engagement) -> list[str]:
        earlier = held.claimed[engagement.id]
        if not line.debit:
            return self._credit_codes(line, earlier)
        debits = [c for c in earlier if c.debit_credit == "D" and c.period_start == line.start]
        credited = {c.previous_reference for c in earlier if c.debit_credit == "C"}
        if any(d.reference not in credited for d in debits):
            return [DEBIT_TWICE]
        codes = []
        allocated = jw301.volume_euros(ceiling_cents(engagement)) or 0
        claimed = sum(c.volume if c.debit_credit == "D" else -c.volume for c in earlier)
        if line.volume > allocated:
            codes.append(VOLUME_LINE)
        elif claimed + line.volume > allocated:
            codes.append(VOLUME_TOTAL)
        if line.cents > sum(p.amount_cents for p in held.month(engagement, line.start)):
            codes.append(ABOVE_TARIFF)
        return codes

    @staticmethod
    def _credit_codes(line: Line, earlier: list[ClaimLine]) -> list[str]:
        debit = next((c for c in earlier if c.debit_credit == "D" and c.reference == line.previous), None)
        if debit is None:
            return [NO_DEBIT]
        if any(c.debit_credit == "C" and c.previous_reference == line.previous for c in earlier):
            return [CREDITED_TWICE]
        return []

    def answer(self, received: Received, identification: str) -> etree._Element:
        a = received.assessment
        verdict = jw325.Verdict(a, a.classes[0], self.approved, self.approved_cents)
        return jw325.build(a.header, verdict, identification, received.today)
