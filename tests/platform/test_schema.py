"""The migrations build exactly the schema the models describe."""

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.models import metadata
from app.models.core import include_in_schema_comparison


async def test_migrations_match_models(app: Any) -> None:
    def diff(sync_conn: Any) -> list[Any]:
        opts = {"compare_type": True, "include_name": include_in_schema_comparison}
        context = MigrationContext.configure(sync_conn, opts=opts)
        return compare_metadata(context, metadata)

    async with app.state.engine.connect() as conn:
        differences = await conn.run_sync(diff)
    assert differences == []


async def test_life_domain_catalogue_is_seeded(client: Any) -> None:
    # the catalogue is migration data: 13 ZRM domains and 4 child domains
    from sqlalchemy import text

    from app.models.catalogue import LifeDomain  # noqa: F401

    assert client is not None
    async with client._transport.app.state.engine.connect() as conn:  # type: ignore[attr-defined]
        count = (await conn.execute(text("SELECT count(*) FROM life_domains"))).scalar_one()
    assert count == 17


async def test_the_lists_and_insights_have_their_indexes(app: Any) -> None:
    """The keyset, period and name-search indexes of migration 0010 are there, as defined."""
    from sqlalchemy import text

    expected = {
        "ix_families_team_created": "(team_id, created_at, id)",
        "ix_engagements_provider_requested": "(provider_id, municipality_code, requested_at, id)",
        "ix_engagements_municipality_start": "(municipality_code, start_date)",
        "ix_engagements_municipality_closed": "(municipality_code, end_date) WHERE",
        "ix_referrals_municipality_created": "(municipality_code, created_at)",
        "ix_payment_lines_municipality_due": "(municipality_code, due_date)",
        "ix_family_members_search": "gin (person_search_text(",
    }
    async with app.state.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(:names)"),
            {"names": list(expected)},
        )
        found = dict(rows.all())
        folded = await conn.scalar(text("SELECT person_search_text('Ayşe', 'Öztürk-Brontë')"))
    assert set(found) == set(expected)
    for name, fragment in expected.items():
        assert fragment in found[name], (name, found[name])
    assert folded == "ayse ozturk-bronte"
