"""privacy rights and a partitioned, sealed audit trail

The audit trail becomes a table partitioned by month on ``occurred_at`` (its primary key
includes the partition key): the new table is created, the rows are copied and the names
swapped. Monthly partitions are created from the oldest row (at most three years back) to twelve months ahead, with a
default partition that catches anything outside them; the service keeps creating months ahead.
Copied rows get synthetic, negative ``xact`` values in time order (a thousand rows each), below
every real transaction id, so the sealer seals them first and in small checkpoints.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    "id, occurred_at, subject, role, organisation, municipality_code, action, resource_type, "
    "resource_id, family_id, outcome, request_id"
)
MONTHS_AHEAD = 12
MONTHS_BACK = 36
COPIED_XACT_BASE = -1_000_000_000_000
COPIED_ROWS_PER_XACT = 1000


def _month(day: date, add: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + add
    return date(index // 12, index % 12 + 1, 1)


def _create_partitions(first: date, last: date) -> None:
    month = first
    while month <= last:
        upper = _month(month, 1)
        op.execute(
            f"CREATE TABLE IF NOT EXISTS audit_events_p{month:%Y%m} PARTITION OF audit_events "
            f"FOR VALUES FROM ('{month.isoformat()}T00:00:00+00:00') TO ('{upper.isoformat()}T00:00:00+00:00')"
        )
        month = upper


def upgrade() -> None:
    op.execute("ALTER TABLE audit_events RENAME TO audit_events_unpartitioned")
    op.execute("ALTER TABLE audit_events_unpartitioned RENAME CONSTRAINT pk_audit_events TO pk_audit_events_unpartitioned")
    for name in ("ix_audit_events_family_occurred", "ix_audit_events_municipality_code", "ix_audit_events_subject_occurred"):
        op.execute(f"ALTER INDEX {name} RENAME TO {name}_unpartitioned")

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("organisation", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("municipality_code", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("resource_type", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("resource_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("family_id", sa.Uuid(), nullable=True),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("request_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column(
            "xact",
            sa.BigInteger(),
            server_default=sa.text("(pg_current_xact_id()::text::bigint)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", "occurred_at", name=op.f("pk_audit_events")),
        postgresql_partition_by="RANGE (occurred_at)",
    )
    op.execute("CREATE TABLE audit_events_default PARTITION OF audit_events DEFAULT")
    oldest = op.get_bind().execute(sa.text("SELECT min(occurred_at) FROM audit_events_unpartitioned")).scalar()
    today = datetime.now(UTC).date()
    # months from the oldest row (at most three years back: anything older waits in the default
    # partition until its month is created) to a year ahead
    first = max(_month(min(oldest.date(), today) if oldest else today, -1), _month(today, -MONTHS_BACK))
    _create_partitions(first, _month(today, MONTHS_AHEAD))
    op.execute(
        f"INSERT INTO audit_events ({COLUMNS}, xact) "
        f"SELECT {COLUMNS}, {COPIED_XACT_BASE} + (row_number() OVER (ORDER BY occurred_at, id) - 1) "
        f"/ {COPIED_ROWS_PER_XACT} FROM audit_events_unpartitioned"
    )
    op.drop_table("audit_events_unpartitioned")
    op.create_index("ix_audit_events_family_occurred", "audit_events", ["family_id", "occurred_at", "id"])
    op.create_index("ix_audit_events_subject_occurred", "audit_events", ["subject", "occurred_at", "id"])
    op.create_index(
        "ix_audit_events_municipality_occurred", "audit_events", ["municipality_code", "occurred_at", "id"]
    )
    op.create_index("ix_audit_events_xact", "audit_events", ["xact"])

    op.create_table(
        "audit_seals",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("from_xact", sa.BigInteger(), nullable=False),
        sa.Column("to_xact", sa.BigInteger(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("first_occurred_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_occurred_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("entries", sa.LargeBinary(), nullable=False),
        sa.Column("previous_hash", sa.LargeBinary(), nullable=False),
        sa.Column("hash", sa.LargeBinary(), nullable=False),
        sa.Column("sealed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_seals")),
        sa.UniqueConstraint("from_xact", name=op.f("uq_audit_seals_from_xact")),
    )

    op.create_table(
        "erasure_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("municipality_code", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=True),
        sa.Column("requested_by_member_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("refusal_code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["family_id"], ["families.id"], name=op.f("fk_erasure_requests_family_id_families")),
        sa.ForeignKeyConstraint(["member_id"], ["family_members.id"], name=op.f("fk_erasure_requests_member_id_family_members")),
        sa.ForeignKeyConstraint(
            ["municipality_code"], ["municipalities.code"],
            name=op.f("fk_erasure_requests_municipality_code_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure_requests")),
    )
    op.create_index(op.f("ix_erasure_requests_family_id"), "erasure_requests", ["family_id"])
    op.create_index(op.f("ix_erasure_requests_municipality_code"), "erasure_requests", ["municipality_code"])

    op.create_table(
        "retention_runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("municipality_code", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("ended_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("families_found", sa.Integer(), nullable=False),
        sa.Column("families_anonymised", sa.Integer(), nullable=False),
        sa.Column("families_skipped", sa.Integer(), nullable=False),
        sa.Column("idempotency_keys_purged", sa.Integer(), nullable=False),
        sa.Column("audit_partitions_dropped", sa.Integer(), nullable=False),
        sa.Column("audit_dropped_before", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_family_id", sa.Uuid(), nullable=True),
        sa.Column("started_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_runs")),
    )


def downgrade() -> None:
    op.drop_table("retention_runs")
    op.drop_index(op.f("ix_erasure_requests_municipality_code"), table_name="erasure_requests")
    op.drop_index(op.f("ix_erasure_requests_family_id"), table_name="erasure_requests")
    op.drop_table("erasure_requests")
    op.drop_table("audit_seals")
    op.execute("ALTER TABLE audit_events RENAME TO audit_events_partitioned")
    op.execute("ALTER TABLE audit_events_partitioned RENAME CONSTRAINT pk_audit_events TO pk_audit_events_partitioned")
    for name in (
        "ix_audit_events_family_occurred",
        "ix_audit_events_subject_occurred",
        "ix_audit_events_municipality_occurred",
        "ix_audit_events_xact",
    ):
        op.execute(f"ALTER INDEX {name} RENAME TO {name}_partitioned")
    op.execute(
        "CREATE TABLE audit_events (LIKE audit_events_partitioned INCLUDING DEFAULTS)"
    )
    op.execute("ALTER TABLE audit_events DROP COLUMN xact")
    op.execute("ALTER TABLE audit_events ADD CONSTRAINT pk_audit_events PRIMARY KEY (id)")
    op.execute(f"INSERT INTO audit_events ({COLUMNS}) SELECT {COLUMNS} FROM audit_events_partitioned")
    op.execute("DROP TABLE audit_events_partitioned CASCADE")
    op.create_index("ix_audit_events_family_occurred", "audit_events", ["family_id", "occurred_at"])
    op.create_index(op.f("ix_audit_events_municipality_code"), "audit_events", ["municipality_code"])
    op.create_index("ix_audit_events_subject_occurred", "audit_events", ["subject", "occurred_at"])
