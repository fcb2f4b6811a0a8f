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

Every line is kept (``ijw_claim_lines``) with its verdict and the ledger lines it matched.
"""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from lxml import etree
from sqlalchemy import func, select

from app.models.engagements import Engagement
from app.models.families import FamilyMember
from app.models.ijw import ClaimLine
from app.models.money import PaymentLine
from app.services.ijw import jw301, jw325
from app.services.ijw.allocations import allocated_from, allocated_to, ceiling_cents, product_of
from app.services.ijw.assessment import TECHNICAL, Assessment
from app.services.ijw.reading import child, children, day, text
from app.services.ijw.received import Received

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
        claim_period = _period(declaration, "DeclaratiePeriode")
        for line in lines:
            await self._line(received, line, claim_period)

    async def _line(self, received: Received, line: Line, claim_period: tuple[date, date]) -> None:
        a = received.assessment
        engagement = None
        matched: list[PaymentLine] = []
        if not a.rejected(line.element):
            engagement = await self._engagement(received, line)
            codes = await self._codes(received, line, engagement, claim_period)
            for code in codes:
                a.reject(line.element, code)
            if not codes and engagement is not None:
                matched = await self._match(received, line, engagement)
        approved = not a.rejected(line.element)
        if approved:
            self.approved.add(line.element)
            self.approved_cents += line.signed_cents
        received.session.add(
            ClaimLine(
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
        )
        await received.session.flush()

    async def _engagement(self, received: Received, line: Line) -> Engagement | None:
        if int(line.number) > MAX_ASSIGNMENT_NUMBER:
            return None
        engagement = (
            await received.session.execute(
                select(Engagement).where(
                    Engagement.assignment_number == f"{int(line.number):08d}",
                    Engagement.provider_id == received.provider.id,
                    Engagement.municipality_code == received.principal.municipality,
                    Engagement.status.in_(("accepted", "started", "closed", "withdrawn")),
                )
            )
        ).scalar_one_or_none()
        if engagement is not None:
            received.link(engagement)
        return engagement

    async def _codes(
        self, received: Received, line: Line, engagement: Engagement | None, claim_period: tuple[date, date]
    ) -> list[str]:
        session = received.session
        used = await session.scalar(
            select(func.count())
            .select_from(ClaimLine)
            .where(ClaimLine.provider_id == received.provider.id, ClaimLine.reference == line.reference)
        )
        if used:
            return [REFERENCE_USED]
        if engagement is None:
            return [NOT_ALLOCATED]
        if engagement.status == "withdrawn":
            return [REMOVED_ALLOCATION]
        codes: list[str] = []
        bsn = await session.scalar(select(FamilyMember.bsn).where(FamilyMember.id == engagement.member_id))
        if bsn != text(line.client, "Bsn"):
            codes.append(OTHER_CLIENT)
        product = await product_of(session, engagement)
        if line.category != product.category:
            codes.append(OTHER_CATEGORY)
        if line.code != product.code:
            codes.append(OTHER_CODE)
        if line.unit != jw301.UNIT_EUROS:
            codes.append(OTHER_UNIT)
        codes += self._period_codes(line, engagement, claim_period)
        codes += await self._ledger_codes(received, line, engagement)
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

    async def _ledger_codes(self, received: Received, line: Line, engagement: Engagement) -> list[str]:
        earlier = list(
            (
                await received.session.scalars(
                    select(ClaimLine).where(ClaimLine.engagement_id == engagement.id, ClaimLine.approved)
                )
            ).all()
        )
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
        if line.cents > await self._due(received, engagement, line.start):
            codes.append(ABOVE_TARIFF)
        return codes

    @staticmethod
    def _credit_codes(line: Line, earlier: Iterable[ClaimLine]) -> list[str]:
        earlier = list(earlier)
        debit = next((c for c in earlier if c.debit_credit == "D" and c.reference == line.previous), None)
        if debit is None:
            return [NO_DEBIT]
        if any(c.debit_credit == "C" and c.previous_reference == line.previous for c in earlier):
            return [CREDITED_TWICE]
        return []

    @staticmethod
    async def _due(received: Received, engagement: Engagement, month: date) -> int:
        """What the ledger holds for the engagement in ``month`` (corrections included)."""
        total = await received.session.scalar(
            select(func.coalesce(func.sum(PaymentLine.amount_cents), 0)).where(
                PaymentLine.engagement_id == engagement.id, PaymentLine.period == month.strftime("%Y-%m")
            )
        )
        return int(total or 0)

    @staticmethod
    async def _match(received: Received, line: Line, engagement: Engagement) -> list[PaymentLine]:
        rows = await received.session.scalars(
            select(PaymentLine)
            .where(
                PaymentLine.engagement_id == engagement.id, PaymentLine.period == line.start.strftime("%Y-%m")
            )
            .order_by(PaymentLine.created_at, PaymentLine.id)
        )
        return list(rows.all())

    def answer(self, received: Received, identification: str) -> etree._Element:
        a = received.assessment
        verdict = jw325.Verdict(a, a.classes[0], self.approved, self.approved_cents)
        return jw325.build(a.header, verdict, identification, received.today)
