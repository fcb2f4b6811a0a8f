"""scale: keyset and period indexes, name search by trigram

Revision ID: 0010
Revises: 0007

Each index serves a list's order within its scope, or an insight's period filter, as EXPLAIN on
a national data set showed them missing:

* families of a team, newest first (keyset ``created_at, id``);
* a provider's engagements, oldest request first, per municipality;
* referrals by municipality and creation time; engagements by start and (closed) end date;
  payment lines by due date — the insights filter by period before they aggregate;
* family search: member names through ``person_search_text`` (lower case, accents removed by
  ``unaccent``) in a trigram GIN index, so ``%q%`` is found without reading every member.
  ``unaccent`` is only STABLE (its dictionary can change), so the functions call it with the
  dictionary named explicitly and are declared IMMUTABLE, as an index expression needs.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_FUNCTIONS = [
    """CREATE FUNCTION search_text(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, value)) $$""",
    """CREATE FUNCTION person_search_text(given_name text, family_name text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, given_name || ' ' || family_name)) $$""",
]


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public")
    for statement in SEARCH_FUNCTIONS:
        op.execute(statement)
    op.execute(
        "CREATE INDEX ix_family_members_search ON family_members "
        "USING gin (person_search_text(given_name, family_name) public.gin_trgm_ops)"
    )
    op.create_index("ix_families_team_created", "families", ["team_id", "created_at", "id"])
    op.create_index(
        "ix_engagements_provider_requested",
        "engagements",
        ["provider_id", "municipality_code", "requested_at", "id"],
    )
    op.create_index("ix_engagements_municipality_start", "engagements", ["municipality_code", "start_date"])
    op.create_index(
        "ix_engagements_municipality_closed",
        "engagements",
        ["municipality_code", "end_date"],
        postgresql_where=sa.text("status = 'closed'"),
    )
    op.create_index("ix_referrals_municipality_created", "referrals", ["municipality_code", "created_at"])
    op.create_index("ix_payment_lines_municipality_due", "payment_lines", ["municipality_code", "due_date"])


def downgrade() -> None:
    op.drop_index("ix_payment_lines_municipality_due", table_name="payment_lines")
    op.drop_index("ix_referrals_municipality_created", table_name="referrals")
    op.drop_index("ix_engagements_municipality_closed", table_name="engagements")
    op.drop_index("ix_engagements_municipality_start", table_name="engagements")
    op.drop_index("ix_engagements_provider_requested", table_name="engagements")
    op.drop_index("ix_families_team_created", table_name="families")
    op.execute("DROP INDEX ix_family_members_search")
    op.execute("DROP FUNCTION person_search_text(text, text)")
    op.execute("DROP FUNCTION search_text(text)")
