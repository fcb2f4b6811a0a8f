"""iJw messages: products per intensity, messages, allocation requests, pending outcomes

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AutoString = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.add_column("profile_intensities", sa.Column("ijw_category", AutoString(length=2), nullable=True))
    op.add_column("profile_intensities", sa.Column("ijw_code", AutoString(length=5), nullable=True))
    op.add_column(
        "engagements",
        sa.Column("outcome_pending", sa.Boolean(), server_default="false", nullable=False),
    )
    op.execute(sa.schema.CreateSequence(sa.Sequence("ijw_message_number_seq")))
    op.create_table(
        "ijw_messages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("municipality_code", AutoString(length=6), nullable=False),
        sa.Column("engagement_id", sa.Uuid(), nullable=True),
        sa.Column("family_id", sa.Uuid(), nullable=True),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("message_code", AutoString(length=5), nullable=False),
        sa.Column("direction", AutoString(length=8), nullable=False),
        sa.Column("message_id", AutoString(length=12), nullable=False),
        sa.Column("sender", AutoString(length=8), nullable=False),
        sa.Column("body_sha256", AutoString(length=64), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("return_codes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("answers_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["answers_id"], ["ijw_messages.id"], name=op.f("fk_ijw_messages_answers_id_ijw_messages")
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"], ["engagements.id"], name=op.f("fk_ijw_messages_engagement_id_engagements")
        ),
        sa.ForeignKeyConstraint(["family_id"], ["families.id"], name=op.f("fk_ijw_messages_family_id_families")),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name=op.f("fk_ijw_messages_municipality_code_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name=op.f("fk_ijw_messages_provider_id_providers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ijw_messages")),
    )
    for column in ("answers_id", "engagement_id", "family_id", "municipality_code", "provider_id"):
        op.create_index(op.f(f"ix_ijw_messages_{column}"), "ijw_messages", [column], unique=False)
    op.create_index(
        "uq_ijw_messages_identification",
        "ijw_messages",
        ["sender", "message_code", "message_id"],
        unique=True,
    )
    op.create_table(
        "ijw_allocation_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("municipality_code", AutoString(length=6), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("kind", AutoString(length=10), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("engagement_id", sa.Uuid(), nullable=True),
        sa.Column("family_id", sa.Uuid(), nullable=True),
        sa.Column("member_id", sa.Uuid(), nullable=True),
        sa.Column("plan_id", sa.Uuid(), nullable=True),
        sa.Column("referral_id", sa.Uuid(), nullable=True),
        sa.Column("provider_reference", AutoString(length=36), nullable=False),
        sa.Column("client_bsn", AutoString(length=9), nullable=False),
        sa.Column("product_category", AutoString(length=2), nullable=True),
        sa.Column("product_code", AutoString(length=5), nullable=True),
        sa.Column("requested_start", sa.Date(), nullable=False),
        sa.Column("requested_end", sa.Date(), nullable=True),
        sa.Column("referrer_type", AutoString(length=2), nullable=True),
        sa.Column("change_reason", AutoString(length=1), nullable=True),
        sa.Column("status", AutoString(length=13), nullable=False),
        sa.Column("answer_due", sa.Date(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answer_code", AutoString(length=1), nullable=True),
        sa.Column("refusal_reason", AutoString(length=2), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_ijw_allocation_requests_engagement_id_engagements"),
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_ijw_allocation_requests_family_id_families")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["family_members.id"],
            name=op.f("fk_ijw_allocation_requests_member_id_family_members"),
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["ijw_messages.id"], name=op.f("fk_ijw_allocation_requests_message_id_ijw_messages")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name=op.f("fk_ijw_allocation_requests_municipality_code_municipalities"),
        ),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_ijw_allocation_requests_plan_id_plans")),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name=op.f("fk_ijw_allocation_requests_provider_id_providers")
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name=op.f("fk_ijw_allocation_requests_referral_id_referrals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ijw_allocation_requests")),
    )
    for column in ("family_id", "message_id", "municipality_code", "provider_id", "status"):
        op.create_index(
            op.f(f"ix_ijw_allocation_requests_{column}"), "ijw_allocation_requests", [column], unique=False
        )
    op.create_index(
        "uq_ijw_allocation_requests_reference",
        "ijw_allocation_requests",
        ["provider_id", "provider_reference"],
        unique=True,
    )
    op.create_table(
        "ijw_claim_lines",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("municipality_code", AutoString(length=6), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("engagement_id", sa.Uuid(), nullable=True),
        sa.Column("claim_number", AutoString(length=12), nullable=False),
        sa.Column("reference", AutoString(length=20), nullable=False),
        sa.Column("previous_reference", AutoString(length=20), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("volume", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("debit_credit", AutoString(length=1), nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("return_codes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("payment_line_ids", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"], ["engagements.id"], name=op.f("fk_ijw_claim_lines_engagement_id_engagements")
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["ijw_messages.id"], name=op.f("fk_ijw_claim_lines_message_id_ijw_messages")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name=op.f("fk_ijw_claim_lines_municipality_code_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name=op.f("fk_ijw_claim_lines_provider_id_providers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ijw_claim_lines")),
    )
    for column in ("engagement_id", "message_id", "municipality_code", "provider_id"):
        op.create_index(op.f(f"ix_ijw_claim_lines_{column}"), "ijw_claim_lines", [column], unique=False)
    op.create_index(
        "uq_ijw_claim_lines_reference",
        "ijw_claim_lines",
        ["provider_id", "reference"],
        unique=True,
        postgresql_where=sa.text("approved"),
    )


def downgrade() -> None:
    op.drop_table("ijw_claim_lines")
    op.drop_table("ijw_allocation_requests")
    op.drop_table("ijw_messages")
    op.execute(sa.schema.DropSequence(sa.Sequence("ijw_message_number_seq")))
    op.drop_column("engagements", "outcome_pending")
    op.drop_column("profile_intensities", "ijw_code")
    op.drop_column("profile_intensities", "ijw_category")
