"""Reference data for tests, inserted directly (arranging, not mocking).

Two municipalities in one region (GM0363, GM0599) and one in another region (GM0344), each
with districts and a team; the 11 profiles × 4 intensities; three contracted providers and
one uncontracted; regional tariffs for segment B and provider tariffs for segment C.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.demo.catalogue import INTENSITIES, PROFILES, REGIONAL_TARIFF_CENTS
from app.models.catalogue import ProfileIntensity, SupportProfile
from app.models.geography import District, DistrictIndicator, Municipality, Region, Team, TeamDistrict
from app.models.providers import Contract, ContractProduct, Provider, Tariff

CONTRACT_START = date(2024, 1, 1)


@dataclass
class Reference:
    region_id: uuid.UUID
    other_region_id: uuid.UUID
    # municipality code -> district codes
    districts: dict[str, list[str]]
    # municipality code -> team id (first district's team)
    teams: dict[str, uuid.UUID]
    second_team: uuid.UUID  # GM0363, second district
    providers: list[uuid.UUID]  # contracted in the region: P02..P11 all intensities
    provider_agbs: list[str]
    uncontracted_provider: uuid.UUID
    contracts: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)  # provider -> contract


async def build_reference(s: AsyncSession) -> Reference:
    region = Region(name="Regio Amstelland (test)")
    other = Region(name="Regio Elders (test)")
    s.add_all([region, other])
    await s.flush()
    municipalities = [
        Municipality(code="GM0363", name="Amsterdam", region_id=region.id),
        Municipality(code="GM0599", name="Rotterdam", region_id=region.id),
        Municipality(code="GM0344", name="Utrecht", region_id=other.id),
    ]
    s.add_all(municipalities)
    await s.flush()
    districts: dict[str, list[str]] = {}
    teams: dict[str, uuid.UUID] = {}
    second_team = uuid.uuid4()
    for m in municipalities:
        codes = [f"WK{m.code[2:]}0{i}" for i in (1, 2)]
        districts[m.code] = codes
        for code in codes:
            s.add(District(code=code, name=f"Wijk {code}", municipality_code=m.code))
            s.add(
                DistrictIndicator(
                    district_code=code,
                    year=2026,
                    municipality_code=m.code,
                    youth_population=4000,
                    values={"youthPopulation": 4000, "lowIncomeShare": 0.1},
                )
            )
    await s.flush()
    for m in municipalities:
        team = Team(name=f"Wijkteam {m.name} 1", kind="neighbourhood", municipality_code=m.code)
        s.add(team)
        await s.flush()
        s.add(TeamDistrict(team_id=team.id, district_code=districts[m.code][0]))
        teams[m.code] = team.id
    extra = Team(id=second_team, name="Wijkteam Amsterdam 2", kind="parent_child", municipality_code="GM0363")
    s.add(extra)
    await s.flush()
    s.add(TeamDistrict(team_id=second_team, district_code=districts["GM0363"][1]))

    for code, name, segment in PROFILES:
        s.add(SupportProfile(code=code, name=name, segment=segment))
    await s.flush()
    for code, _, _ in PROFILES:
        for icode, iname, months in INTENSITIES:
            s.add(ProfileIntensity(profile_code=code, code=icode, name=iname, max_months=months))

    agbs = ["12345678", "23456789", "34567890"]
    providers = [
        Provider(agb_code=agb, name=f"Aanbieder {i + 1}", municipalities=["GM0363", "GM0599"])
        for i, agb in enumerate(agbs)
    ]
    uncontracted = Provider(agb_code="45678901", name="Aanbieder zonder contract", municipalities=[])
    s.add_all([*providers, uncontracted])
    await s.flush()
    reference = Reference(
        region_id=region.id,
        other_region_id=other.id,
        districts=districts,
        teams=teams,
        second_team=second_team,
        providers=[p.id for p in providers],
        provider_agbs=agbs,
        uncontracted_provider=uncontracted.id,
    )
    for provider in providers:
        contract = Contract(
            provider_id=provider.id,
            region_id=region.id,
            valid_from=CONTRACT_START,
            payment_model="milestone",
            start_share_percent=70,
            capacity=50,
        )
        s.add(contract)
        await s.flush()
        reference.contracts[provider.id] = contract.id
        for code, _, segment in PROFILES:
            if segment == "A":
                continue
            for icode, _, _ in INTENSITIES:
                s.add(ContractProduct(contract_id=contract.id, profile_code=code, intensity_code=icode))
                if segment == "C":
                    s.add(
                        Tariff(
                            region_id=region.id,
                            profile_code=code,
                            intensity_code=icode,
                            provider_id=provider.id,
                            valid_from=CONTRACT_START,
                            amount_cents=REGIONAL_TARIFF_CENTS[icode] * 2,
                        )
                    )
    for code, _, segment in PROFILES:
        if segment != "B":
            continue
        for icode, _, _ in INTENSITIES:
            s.add(
                Tariff(
                    region_id=region.id,
                    profile_code=code,
                    intensity_code=icode,
                    valid_from=CONTRACT_START,
                    amount_cents=REGIONAL_TARIFF_CENTS[icode],
                )
            )
    await s.flush()
    return reference
