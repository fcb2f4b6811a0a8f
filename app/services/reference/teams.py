"""District teams (wijkteams): created by the municipality's admin, confined to its municipality.

A team serves one or more districts, all of the caller's municipality; only an ``intake``
team may serve none (it takes what cannot be routed to a district).
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.errors import InvalidInput, InvalidParam
from app.models.geography import District, Municipality, Team, TeamDistrict
from app.pagination import PageRequest
from app.services.platform.rows import one_or_not_found
from app.services.reference.common import TEXT, UUID, cut_page, keyset, listed_codes_problems, view_of
from app.services.reference.geography import district_scope


@dataclass(frozen=True)
class TeamView:
    id: uuid.UUID
    name: str
    kind: str
    municipality_code: str
    district_codes: list[str]
    created_at: datetime


def team_scope(principal: Principal) -> ColumnElement[bool]:
    """The teams a caller may see: those of its own municipality."""
    return Team.municipality_code == principal.municipality


def _view(team: Team, district_codes: list[str]) -> TeamView:
    return view_of(TeamView, team, district_codes=sorted(district_codes))


async def _check_districts(session: AsyncSession, principal: Principal, kind: str, codes: list[str]) -> None:
    query = select(District.code).where(District.code.in_(codes), district_scope(principal))
    known = set((await session.execute(query)).scalars().all()) if codes else set()
    unknown = ("unknown_district", "Not a district of your municipality.")
    problems = listed_codes_problems("districtCodes", codes, known, "district", unknown)
    if not codes and kind != "intake":
        problems.append(InvalidParam("districtCodes", "required", "A team serves at least one district."))
    if not codes and await session.get(Municipality, principal.municipality) is None:
        problems.append(
            InvalidParam("municipality", "unknown_municipality", "Your municipality is not registered.")
        )
    if problems:
        raise InvalidInput(problems)


async def create_team(
    session: AsyncSession, principal: Principal, name: str, kind: str, district_codes: list[str]
) -> TeamView:
    """A team of the caller's municipality serving the given districts of that municipality."""
    await _check_districts(session, principal, kind, district_codes)
    team = Team(name=name, kind=kind, municipality_code=principal.municipality)
    session.add(team)
    await session.flush()
    session.add_all([TeamDistrict(team_id=team.id, district_code=code) for code in district_codes])
    await session.flush()
    return _view(team, district_codes)


async def _district_codes(session: AsyncSession, team_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """The districts of several teams in one query."""
    codes: dict[uuid.UUID, list[str]] = {team_id: [] for team_id in team_ids}
    if team_ids:
        query = select(TeamDistrict.team_id, TeamDistrict.district_code).where(
            TeamDistrict.team_id.in_(team_ids)
        )
        for team_id, code in (await session.execute(query)).all():
            codes[team_id].append(code)
    return codes


async def list_teams(
    session: AsyncSession, principal: Principal, page: PageRequest
) -> tuple[list[TeamView], str | None]:
    query = keyset(select(Team).where(team_scope(principal)), [Team.name, Team.id], [TEXT, UUID], page)
    teams, cursor = cut_page((await session.execute(query)).scalars().all(), page, lambda t: [t.name, t.id])
    codes = await _district_codes(session, [t.id for t in teams])
    return [_view(t, codes[t.id]) for t in teams], cursor


async def get_team(session: AsyncSession, principal: Principal, team_id: uuid.UUID) -> TeamView:
    query = select(Team).where(Team.id == team_id, team_scope(principal))
    team = await one_or_not_found(session, query, "team")
    codes = await _district_codes(session, [team.id])
    return _view(team, codes[team.id])
