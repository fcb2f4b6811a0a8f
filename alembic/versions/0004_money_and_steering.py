"""money and steering

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('budget_allocations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('total_cents', sa.BigInteger(), nullable=False),
    sa.Column('weights', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('result', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_budget_allocations_municipality_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_allocations'))
    )
    op.create_index(op.f('ix_budget_allocations_municipality_code'), 'budget_allocations', ['municipality_code'], unique=False)
    op.create_table('payment_batches',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('provider_key', sa.Text(), nullable=False),
    sa.Column('line_count', sa.Integer(), nullable=False),
    sa.Column('total_cents', sa.BigInteger(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_payment_batches_municipality_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_batches'))
    )
    op.create_index(op.f('ix_payment_batches_municipality_code'), 'payment_batches', ['municipality_code'], unique=False)
    op.create_index('uq_payment_batches_key', 'payment_batches', ['municipality_code', 'period', 'provider_key'], unique=True)
    op.create_table('budgets',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('district_code', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('allocation_id', sa.Uuid(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("category IN ('specialist','local_team','prevention','lumpsum')", name=op.f('ck_budgets_category')),
    sa.ForeignKeyConstraint(['allocation_id'], ['budget_allocations.id'], name=op.f('fk_budgets_allocation_id_budget_allocations')),
    sa.ForeignKeyConstraint(['district_code'], ['districts.code'], name=op.f('fk_budgets_district_code_districts')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_budgets_municipality_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budgets'))
    )
    op.create_index(op.f('ix_budgets_municipality_code'), 'budgets', ['municipality_code'], unique=False)
    op.create_index('uq_budgets_key', 'budgets', ['municipality_code', 'district_code', 'year', 'category'], unique=True, postgresql_nulls_not_distinct=True)
    op.create_table('case_reviews',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('pseudonym', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('flag', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('subject_type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('subject_id', sa.Uuid(), nullable=False),
    sa.Column('family_id', sa.Uuid(), nullable=False),
    sa.Column('team_id', sa.Uuid(), nullable=False),
    sa.Column('district_code', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('flagged_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['district_code'], ['districts.code'], name=op.f('fk_case_reviews_district_code_districts')),
    sa.ForeignKeyConstraint(['family_id'], ['families.id'], name=op.f('fk_case_reviews_family_id_families')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_case_reviews_municipality_code_municipalities')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_case_reviews_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_reviews')),
    sa.UniqueConstraint('pseudonym', name=op.f('uq_case_reviews_pseudonym'))
    )
    op.create_index(op.f('ix_case_reviews_family_id'), 'case_reviews', ['family_id'], unique=False)
    op.create_index(op.f('ix_case_reviews_municipality_code'), 'case_reviews', ['municipality_code'], unique=False)
    op.create_index(op.f('ix_case_reviews_team_id'), 'case_reviews', ['team_id'], unique=False)
    op.create_index('uq_case_reviews_flag', 'case_reviews', ['flag', 'subject_id'], unique=True)
    op.create_table('case_review_decisions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_review_id', sa.Uuid(), nullable=False),
    sa.Column('decision', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('decided_by_role', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_review_id'], ['case_reviews.id'], name=op.f('fk_case_review_decisions_case_review_id_case_reviews')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_review_decisions'))
    )
    op.create_index(op.f('ix_case_review_decisions_case_review_id'), 'case_review_decisions', ['case_review_id'], unique=False)
    op.create_table('payment_lines',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('engagement_id', sa.Uuid(), nullable=True),
    sa.Column('contract_id', sa.Uuid(), nullable=False),
    sa.Column('provider_id', sa.Uuid(), nullable=False),
    sa.Column('district_code', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('batch_id', sa.Uuid(), nullable=True),
    sa.Column('corrects_line_id', sa.Uuid(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.CheckConstraint("kind IN ('start','completion','monthly','result','lumpsum','correction')", name=op.f('ck_payment_lines_kind')),
    sa.ForeignKeyConstraint(['batch_id'], ['payment_batches.id'], name=op.f('fk_payment_lines_batch_id_payment_batches')),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_payment_lines_contract_id_contracts')),
    sa.ForeignKeyConstraint(['corrects_line_id'], ['payment_lines.id'], name=op.f('fk_payment_lines_corrects_line_id_payment_lines')),
    sa.ForeignKeyConstraint(['district_code'], ['districts.code'], name=op.f('fk_payment_lines_district_code_districts')),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagements.id'], name=op.f('fk_payment_lines_engagement_id_engagements')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_payment_lines_municipality_code_municipalities')),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_payment_lines_provider_id_providers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_lines'))
    )
    op.create_index(op.f('ix_payment_lines_batch_id'), 'payment_lines', ['batch_id'], unique=False)
    op.create_index(op.f('ix_payment_lines_contract_id'), 'payment_lines', ['contract_id'], unique=False)
    op.create_index(op.f('ix_payment_lines_engagement_id'), 'payment_lines', ['engagement_id'], unique=False)
    op.create_index(op.f('ix_payment_lines_municipality_code'), 'payment_lines', ['municipality_code'], unique=False)
    op.create_index(op.f('ix_payment_lines_provider_id'), 'payment_lines', ['provider_id'], unique=False)
    op.create_index('ix_payment_lines_status_period', 'payment_lines', ['municipality_code', 'status', 'period'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_payment_lines_status_period', table_name='payment_lines')
    op.drop_index(op.f('ix_payment_lines_provider_id'), table_name='payment_lines')
    op.drop_index(op.f('ix_payment_lines_municipality_code'), table_name='payment_lines')
    op.drop_index(op.f('ix_payment_lines_engagement_id'), table_name='payment_lines')
    op.drop_index(op.f('ix_payment_lines_contract_id'), table_name='payment_lines')
    op.drop_index(op.f('ix_payment_lines_batch_id'), table_name='payment_lines')
    op.drop_table('payment_lines')
    op.drop_index(op.f('ix_case_review_decisions_case_review_id'), table_name='case_review_decisions')
    op.drop_table('case_review_decisions')
    op.drop_index('uq_case_reviews_flag', table_name='case_reviews')
    op.drop_index(op.f('ix_case_reviews_team_id'), table_name='case_reviews')
    op.drop_index(op.f('ix_case_reviews_municipality_code'), table_name='case_reviews')
    op.drop_index(op.f('ix_case_reviews_family_id'), table_name='case_reviews')
    op.drop_table('case_reviews')
    op.drop_index('uq_budgets_key', table_name='budgets', postgresql_nulls_not_distinct=True)
    op.drop_index(op.f('ix_budgets_municipality_code'), table_name='budgets')
    op.drop_table('budgets')
    op.drop_index('uq_payment_batches_key', table_name='payment_batches')
    op.drop_index(op.f('ix_payment_batches_municipality_code'), table_name='payment_batches')
    op.drop_table('payment_batches')
    op.drop_index(op.f('ix_budget_allocations_municipality_code'), table_name='budget_allocations')
    op.drop_table('budget_allocations')
