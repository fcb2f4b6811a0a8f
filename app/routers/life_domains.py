"""HTTP routes: life-domains (the catalogue every plan is assessed against)."""

from fastapi import APIRouter

from app.auth import CurrentPrincipal
from app.db import ReadSessionDep
from app.models.base import PublicModel
from app.services.reference import life_domains as service

router = APIRouter(tags=["life-domains"])


class LifeDomainPublic(PublicModel):
    code: str
    name: str
    group: str


@router.get(
    "/life-domains",
    summary="The life-domain catalogue, in catalogue order",
)
async def list_life_domains(session: ReadSessionDep, principal: CurrentPrincipal) -> list[LifeDomainPublic]:
    domains = await service.list_life_domains(session, principal)
    return [LifeDomainPublic.model_validate(domain) for domain in domains]
