"""ijw erasure: an allocation request's client BSN can be erased

Revision ID: 0011
Revises: 0010

Erasure and retention remove the client's BSN from an allocation request (JW315/JW317) together
with the rest of the family's personal data; the request itself (its reference, product, dates
and answer) stays, as the record of what was asked and answered.
"""

from collections.abc import Sequence

from sqlmodel.sql.sqltypes import AutoString

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.alter_column(
        "ijw_allocation_requests", "client_bsn", existing_type=AutoString(length=9), nullable=True
    )


def downgrade() -> None:
    # An erased BSN cannot come back: its requests keep an empty one.
    op.execute("UPDATE ijw_allocation_requests SET client_bsn = '' WHERE client_bsn IS NULL")
    op.alter_column(
        "ijw_allocation_requests", "client_bsn", existing_type=AutoString(length=9), nullable=False
    )
