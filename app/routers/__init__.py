"""Thin HTTP layer: one module per resource, no SQL and no rules."""

from fastapi import APIRouter

from app.routers import (
    budgets,
    case_reviews,
    catalogue,
    catalogue_imports,
    consents,
    engagements,
    families,
    geography,
    handoffs,
    health,
    insights,
    life_domains,
    marketplace,
    payments,
    plans,
    problems,
    providers,
    referrals,
    tariffs,
    treatment_plans,
)

ROUTERS: list[APIRouter] = [
    health.router,
    geography.router,
    life_domains.router,
    catalogue.router,
    providers.router,
    tariffs.router,
    marketplace.router,
    catalogue_imports.router,
    families.router,
    consents.router,
    plans.router,
    referrals.router,
    engagements.router,
    treatment_plans.router,
    handoffs.router,
    payments.router,
    budgets.router,
    insights.router,
    case_reviews.router,
    problems.router,
]
