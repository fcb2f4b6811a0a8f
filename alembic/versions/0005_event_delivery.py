"""event delivery: sequence at commit, webhook subscriptions and deliveries

The outbox ``sequence`` is no longer taken at insert (an identity) but when the writing
transaction commits: a deferred trigger takes one advisory lock, numbers the row and writes a
delivery row for every subscription that wants it, so sequence order is commit order and the pull
feed never skips an event that commits late. ``id`` becomes the primary key.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("status IN ('pending', 'failed')")

COMMIT_FUNCTION = """
CREATE FUNCTION outbox_events_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    assigned bigint;
BEGIN
    -- One committer at a time from here to the end of its commit: numbers follow commit order.
    PERFORM pg_advisory_xact_lock(hashtextextended('perspectief.outbox_events.sequence', 0));
    assigned := nextval('outbox_events_sequence_seq');
    UPDATE outbox_events SET sequence = assigned WHERE id = NEW.id;
    INSERT INTO event_deliveries (
        id, subscription_id, event_id, event_sequence, subject, municipality_code, status,
        attempts, next_attempt_at, window_started_at, created_at
    )
    SELECT gen_random_uuid(), s.id, NEW.id, assigned, NEW.subject, NEW.municipality_code, 'pending',
           0, clock_timestamp(), clock_timestamp(), clock_timestamp()
    FROM event_subscriptions s
    WHERE s.municipality_code = NEW.municipality_code AND NEW.type = ANY (s.types);
    IF FOUND THEN
        PERFORM pg_notify('perspectief_deliveries', '');
    END IF;
    RETURN NULL;
END
$$
"""

COMMIT_TRIGGER = """
CREATE CONSTRAINT TRIGGER outbox_events_at_commit AFTER INSERT ON outbox_events
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION outbox_events_at_commit()
"""


def upgrade() -> None:
    op.drop_constraint("pk_outbox_events", "outbox_events", type_="primary")
    op.execute("ALTER TABLE outbox_events ALTER COLUMN sequence DROP IDENTITY")
    op.alter_column("outbox_events", "sequence", existing_type=sa.BigInteger(), nullable=True)
    op.drop_constraint("uq_outbox_events_id", "outbox_events", type_="unique")
    op.create_primary_key("pk_outbox_events", "outbox_events", ["id"])
    op.create_unique_constraint("uq_outbox_events_sequence", "outbox_events", ["sequence"])
    op.create_index(
        "ix_outbox_events_municipality_sequence", "outbox_events", ["municipality_code", "sequence"]
    )
    op.execute("CREATE SEQUENCE outbox_events_sequence_seq OWNED BY outbox_events.sequence")
    op.execute(
        "SELECT setval('outbox_events_sequence_seq', coalesce(max(sequence), 0) + 1, false) FROM outbox_events"
    )

    op.create_table(
        "event_subscriptions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("municipality_code", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("callback_url", sa.Text(), nullable=False),
        sa.Column("types", sa.ARRAY(sa.String(length=120)), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name=op.f("fk_event_subscriptions_municipality_code_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_subscriptions")),
    )
    op.create_index(
        op.f("ix_event_subscriptions_municipality_code"), "event_subscriptions", ["municipality_code"]
    )
    op.create_table(
        "event_deliveries",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("subscription_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_sequence", sa.BigInteger(), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("municipality_code", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claim_token", sa.Uuid(), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["outbox_events.id"],
            name=op.f("fk_event_deliveries_event_id_outbox_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["event_subscriptions.id"],
            name=op.f("fk_event_deliveries_subscription_id_event_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_deliveries")),
        sa.UniqueConstraint(
            "subscription_id", "event_id", name=op.f("uq_event_deliveries_subscription_id_event_id")
        ),
    )
    op.create_index(op.f("ix_event_deliveries_event_id"), "event_deliveries", ["event_id"])
    op.create_index("ix_event_deliveries_due", "event_deliveries", ["next_attempt_at"], postgresql_where=OPEN)
    op.create_index(
        "ix_event_deliveries_subject_order",
        "event_deliveries",
        ["subscription_id", "subject", "event_sequence"],
        postgresql_where=OPEN,
    )
    op.create_index(
        "ix_event_deliveries_subscription_status",
        "event_deliveries",
        ["subscription_id", "status", "event_sequence"],
    )
    op.execute(COMMIT_FUNCTION)
    op.execute(COMMIT_TRIGGER)


def downgrade() -> None:
    op.execute("DROP TRIGGER outbox_events_at_commit ON outbox_events")
    op.execute("DROP FUNCTION outbox_events_at_commit()")
    op.drop_table("event_deliveries")
    op.drop_index(op.f("ix_event_subscriptions_municipality_code"), table_name="event_subscriptions")
    op.drop_table("event_subscriptions")
    op.drop_index("ix_outbox_events_municipality_sequence", table_name="outbox_events")
    op.drop_constraint("uq_outbox_events_sequence", "outbox_events", type_="unique")
    op.drop_constraint("pk_outbox_events", "outbox_events", type_="primary")
    op.execute("DELETE FROM outbox_events WHERE sequence IS NULL")
    op.execute("ALTER SEQUENCE outbox_events_sequence_seq OWNED BY NONE")
    op.execute("DROP SEQUENCE outbox_events_sequence_seq")
    op.alter_column("outbox_events", "sequence", existing_type=sa.BigInteger(), nullable=False)
    op.execute("ALTER TABLE outbox_events ALTER COLUMN sequence ADD GENERATED ALWAYS AS IDENTITY")
    op.execute(
        "SELECT setval(pg_get_serial_sequence('outbox_events', 'sequence'), coalesce(max(sequence), 0) + 1, false)"
        " FROM outbox_events"
    )
    op.create_primary_key("pk_outbox_events", "outbox_events", ["sequence"])
    op.create_unique_constraint("uq_outbox_events_id", "outbox_events", ["id"])
