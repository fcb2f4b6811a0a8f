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
