"""Demo reference data: region Amstelland with Amsterdam, Amstelveen and Diemen (real CBS
municipality codes), four districts each with indicators, teams, the illustrative profile
catalogue, and eight providers with contracts and tariffs.

District names and codes follow the CBS ``WK`` format; the names and indicator values are
illustrative.
"""

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.demo.catalogue import INTENSITIES, PROFILES, REGIONAL_TARIFF_CENTS
from app.demo.ids import DEMO_REGION, demo_id
from app.models.catalogue import ProfileIntensity, SupportProfile
from app.models.geography import District, DistrictIndicator, Municipality, Region, Team, TeamDistrict
from app.models.providers import Contract, ContractProduct, Provider, Tariff

MUNICIPALITIES = [("GM0363", "Amsterdam"), ("GM0362", "Amstelveen"), ("GM0384", "Diemen")]
DISTRICT_NAMES = {
    "GM0363": ["Centrum", "Nieuw-West", "Zuidoost", "Noord"],
    "GM0362": ["Stadshart", "Westwijk", "Bovenkerk", "Keizer Karelpark"],
    "GM0384": ["Centrum", "Noord", "Zuid", "Plantage de Sniep"],
}
# (youth population, low-income share) per district position: deliberately unequal
INDICATORS = [(5200, 0.08), (9800, 0.21), (8700, 0.27), (6100, 0.16)]
TEAM_KINDS = ["neighbourhood", "parent_child", "samen_doen", "neighbourhood"]
PROVIDERS = [
    ("10000011", "Jeugdzorg Amstelland (demo)"),
    ("10000022", "Kind & Gezin Centraal (demo)"),
    ("10000033", "De Opvoedpoli (demo)"),
    ("10000044", "Spectrum Jeugd (demo)"),
    ("10000055", "Kinderpsychiatrie Noord (demo)"),
    ("10000066", "Gezinshuis De Linde (demo)"),
    ("10000077", "Verslavingszorg Jong (demo)"),
    ("10000088", "Wijkgerichte Jeugdhulp (demo)"),
]
CONTRACT_FROM = date(2025, 1, 1)
PAYMENT_MODELS = [
    "milestone",
    "milestone",
    "milestone",
    "monthly",
    "milestone",
    "monthly",
    "milestone",
    "lumpsum",
]


def district_code(municipality: str, position: int) -> str:
    return f"WK{municipality[2:]}{position + 1:02d}"


async def seed(session: AsyncSession) -> None:
    session.add(Region(id=DEMO_REGION, name="Regio Amstelland (demo)"))
    await session.flush()
    for code, name in MUNICIPALITIES:
        session.add(Municipality(code=code, name=name, region_id=DEMO_REGION))
    await session.flush()
    await _seed_districts_and_teams(session)
    await _seed_catalogue(session)
    await _seed_providers(session)
    await session.flush()


async def _seed_districts_and_teams(session: AsyncSession) -> None:
    for code, _ in MUNICIPALITIES:
        for i, district_name in enumerate(DISTRICT_NAMES[code]):
            session.add(District(code=district_code(code, i), name=district_name, municipality_code=code))
    await session.flush()
    for code, _ in MUNICIPALITIES:
        for i, district_name in enumerate(DISTRICT_NAMES[code]):
            wk = district_code(code, i)
            youth, low_income = INDICATORS[i]
            for year in (2025, 2026):
                session.add(
                    DistrictIndicator(
                        district_code=wk,
                        year=year,
                        municipality_code=code,
                        youth_population=youth,
                        values={"youthPopulation": youth, "lowIncomeShare": low_income},
                    )
                )
            team_id = demo_id("team", code, str(i + 1))
            session.add(
                Team(
                    id=team_id,
                    name=f"Wijkteam {district_name} (demo)",
                    kind=TEAM_KINDS[i],
                    municipality_code=code,
                )
            )
            await session.flush()
            session.add(TeamDistrict(team_id=team_id, district_code=wk))
        intake = demo_id("team", code, "intake")
        session.add(Team(id=intake, name="Intaketeam (demo)", kind="intake", municipality_code=code))


async def _seed_catalogue(session: AsyncSession) -> None:
    for code, name, segment in PROFILES:
        session.add(SupportProfile(code=code, name=name, segment=segment))
    await session.flush()
    for code, _, _ in PROFILES:
        for icode, iname, months in INTENSITIES:
            session.add(ProfileIntensity(profile_code=code, code=icode, name=iname, max_months=months))
    for code, _, segment in PROFILES:
        if segment == "B":
            for icode, _, _ in INTENSITIES:
                session.add(
                    Tariff(
                        region_id=DEMO_REGION,
                        profile_code=code,
                        intensity_code=icode,
                        valid_from=CONTRACT_FROM,
                        amount_cents=REGIONAL_TARIFF_CENTS[icode],
                    )
                )


async def _seed_providers(session: AsyncSession) -> None:
    municipalities = [code for code, _ in MUNICIPALITIES]
    specialist = [(code, segment) for code, _, segment in PROFILES if segment != "A"]
    for n, (agb, name) in enumerate(PROVIDERS):
        provider_id = demo_id("provider", str(n + 1))
        contract_id = demo_id("contract", str(n + 1))
        session.add(Provider(id=provider_id, agb_code=agb, name=name, municipalities=municipalities))
        await session.flush()
        model = PAYMENT_MODELS[n]
        session.add(
            Contract(
                id=contract_id,
                provider_id=provider_id,
                region_id=DEMO_REGION,
                valid_from=CONTRACT_FROM,
                payment_model=model,
                start_share_percent=70,
                result_share_percent=10 if n % 3 == 0 else None,
                capacity=40 + 10 * (n % 4),
                lumpsum_period_cents=2_500_000 if model == "lumpsum" else None,
            )
        )
        await session.flush()
        # each provider covers a band of profiles, all intensities; bands overlap for choice
        band = [specialist[(n + k) % len(specialist)] for k in range(5)]
        for profile_code, segment in band:
            for icode, _, _ in INTENSITIES:
                session.add(
                    ContractProduct(contract_id=contract_id, profile_code=profile_code, intensity_code=icode)
                )
                if segment == "C":
                    session.add(
                        Tariff(
                            region_id=DEMO_REGION,
                            profile_code=profile_code,
                            intensity_code=icode,
                            provider_id=provider_id,
                            valid_from=CONTRACT_FROM,
                            amount_cents=REGIONAL_TARIFF_CENTS[icode] * 2 + 10_000 * n,
                        )
                    )
