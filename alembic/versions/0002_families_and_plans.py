"""families and plans

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('families',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('district_code', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('team_id', sa.Uuid(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('care_ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['district_code'], ['districts.code'], name=op.f('fk_families_district_code_districts')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_families_municipality_code_municipalities')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_families_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_families'))
    )
    op.create_index(op.f('ix_families_district_code'), 'families', ['district_code'], unique=False)
    op.create_index(op.f('ix_families_municipality_code'), 'families', ['municipality_code'], unique=False)
    op.create_index(op.f('ix_families_team_id'), 'families', ['team_id'], unique=False)
    op.create_table('family_members',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('family_id', sa.Uuid(), nullable=False),
    sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('given_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('family_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('bsn', sqlmodel.sql.sqltypes.AutoString(length=9), nullable=True),
    sa.Column('extended_care', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['family_id'], ['families.id'], name=op.f('fk_family_members_family_id_families'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_family_members_municipality_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_family_members'))
    )
    op.create_index(op.f('ix_family_members_family_id'), 'family_members', ['family_id'], unique=False)
    op.create_index(op.f('ix_family_members_municipality_code'), 'family_members', ['municipality_code'], unique=False)
    op.create_index('ix_family_members_names', 'family_members', ['family_id', 'family_name', 'given_name'], unique=False)
    op.create_index('uq_family_members_active_bsn', 'family_members', ['municipality_code', 'bsn'], unique=True, postgresql_where=sa.text('bsn IS NOT NULL AND active'))
    op.create_table('plans',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('family_id', sa.Uuid(), nullable=False),
    sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('agreed_version', sa.Integer(), nullable=True),
    sa.Column('revision_open', sa.Boolean(), nullable=False),
    sa.Column('family_vision', sa.Text(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('agreed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('activated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('evaluating_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('evaluated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['family_id'], ['families.id'], name=op.f('fk_plans_family_id_families')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_plans_municipality_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plans'))
    )
    op.create_index(op.f('ix_plans_family_id'), 'plans', ['family_id'], unique=False)
    op.create_index(op.f('ix_plans_municipality_code'), 'plans', ['municipality_code'], unique=False)
    op.create_index('uq_plans_one_open_per_family', 'plans', ['family_id'], unique=True, postgresql_where=sa.text("status IN ('draft','agreed','active','evaluating')"))
    op.create_table('consents',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('family_id', sa.Uuid(), nullable=False),
    sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('scope', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('provider_id', sa.Uuid(), nullable=False),
    sa.Column('granted_by_member_id', sa.Uuid(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['family_id'], ['families.id'], name=op.f('fk_consents_family_id_families')),
    sa.ForeignKeyConstraint(['granted_by_member_id'], ['family_members.id'], name=op.f('fk_consents_granted_by_member_id_family_members')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_consents_municipality_code_municipalities')),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_consents_provider_id_providers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consents'))
    )
    op.create_index(op.f('ix_consents_family_id'), 'consents', ['family_id'], unique=False)
    op.create_index(op.f('ix_consents_municipality_code'), 'consents', ['municipality_code'], unique=False)
    op.create_index(op.f('ix_consents_provider_id'), 'consents', ['provider_id'], unique=False)
    op.create_table('goals',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('domain_code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('desired_result', sa.Text(), nullable=True),
    sa.Column('target_date', sa.Date(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['domain_code'], ['life_domains.code'], name=op.f('fk_goals_domain_code_life_domains')),
    sa.ForeignKeyConstraint(['member_id'], ['family_members.id'], name=op.f('fk_goals_member_id_family_members')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_goals_municipality_code_municipalities')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_goals_plan_id_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goals'))
    )
    op.create_index(op.f('ix_goals_municipality_code'), 'goals', ['municipality_code'], unique=False)
    op.create_index(op.f('ix_goals_plan_id'), 'goals', ['plan_id'], unique=False)
    op.create_table('plan_assessments',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('domain_code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('relevant', sa.Boolean(), nullable=False),
    sa.Column('situation', sa.Text(), nullable=True),
    sa.Column('family_wish', sa.Text(), nullable=True),
    sa.Column('final_score', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['domain_code'], ['life_domains.code'], name=op.f('fk_plan_assessments_domain_code_life_domains')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_assessments_plan_id_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_assessments')),
    sa.UniqueConstraint('plan_id', 'domain_code', name=op.f('uq_plan_assessments_plan_id_domain_code'))
    )
    op.create_index(op.f('ix_plan_assessments_plan_id'), 'plan_assessments', ['plan_id'], unique=False)
    op.create_table('plan_signatures',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('signer_kind', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=True),
    sa.Column('team_id', sa.Uuid(), nullable=True),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['family_members.id'], name=op.f('fk_plan_signatures_member_id_family_members')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_signatures_plan_id_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_plan_signatures_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_signatures'))
    )
    op.create_index(op.f('ix_plan_signatures_plan_id'), 'plan_signatures', ['plan_id'], unique=False)
    op.create_table('plan_versions',
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('snapshot', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('agreed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_versions_plan_id_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('plan_id', 'version', name=op.f('pk_plan_versions'))
    )
    op.create_table('referrals',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('family_id', sa.Uuid(), nullable=True),
    sa.Column('member_id', sa.Uuid(), nullable=True),
    sa.Column('child_bsn', sqlmodel.sql.sqltypes.AutoString(length=9), nullable=True),
    sa.Column('child_birth_date', sa.Date(), nullable=True),
    sa.Column('district_code', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('team_id', sa.Uuid(), nullable=True),
    sa.Column('referrer_type', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('referrer_agb', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('referrer_subject', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('profile_code', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('intensity_code', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['district_code'], ['districts.code'], name=op.f('fk_referrals_district_code_districts')),
    sa.ForeignKeyConstraint(['family_id'], ['families.id'], name=op.f('fk_referrals_family_id_families')),
    sa.ForeignKeyConstraint(['member_id'], ['family_members.id'], name=op.f('fk_referrals_member_id_family_members')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_referrals_municipality_code_municipalities')),
    sa.ForeignKeyConstraint(['profile_code'], ['support_profiles.code'], name=op.f('fk_referrals_profile_code_support_profiles')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_referrals_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals'))
    )
    op.create_index(op.f('ix_referrals_family_id'), 'referrals', ['family_id'], unique=False)
    op.create_index(op.f('ix_referrals_member_id'), 'referrals', ['member_id'], unique=False)
    op.create_index(op.f('ix_referrals_municipality_code'), 'referrals', ['municipality_code'], unique=False)
    op.create_index(op.f('ix_referrals_referrer_agb'), 'referrals', ['referrer_agb'], unique=False)
    op.create_index(op.f('ix_referrals_team_id'), 'referrals', ['team_id'], unique=False)
    op.create_table('plan_support_profiles',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('profile_code', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('intensity_code', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('problem_description', sa.Text(), nullable=False),
    sa.Column('referral_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['family_members.id'], name=op.f('fk_plan_support_profiles_member_id_family_members')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_support_profiles_plan_id_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['profile_code'], ['support_profiles.code'], name=op.f('fk_plan_support_profiles_profile_code_support_profiles')),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_plan_support_profiles_referral_id_referrals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_support_profiles'))
    )
    op.create_index(op.f('ix_plan_support_profiles_member_id'), 'plan_support_profiles', ['member_id'], unique=False)
    op.create_index(op.f('ix_plan_support_profiles_plan_id'), 'plan_support_profiles', ['plan_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_plan_support_profiles_plan_id'), table_name='plan_support_profiles')
    op.drop_index(op.f('ix_plan_support_profiles_member_id'), table_name='plan_support_profiles')
    op.drop_table('plan_support_profiles')
    op.drop_index(op.f('ix_referrals_team_id'), table_name='referrals')
    op.drop_index(op.f('ix_referrals_referrer_agb'), table_name='referrals')
    op.drop_index(op.f('ix_referrals_municipality_code'), table_name='referrals')
    op.drop_index(op.f('ix_referrals_member_id'), table_name='referrals')
    op.drop_index(op.f('ix_referrals_family_id'), table_name='referrals')
    op.drop_table('referrals')
    op.drop_table('plan_versions')
    op.drop_index(op.f('ix_plan_signatures_plan_id'), table_name='plan_signatures')
    op.drop_table('plan_signatures')
    op.drop_index(op.f('ix_plan_assessments_plan_id'), table_name='plan_assessments')
    op.drop_table('plan_assessments')
    op.drop_index(op.f('ix_goals_plan_id'), table_name='goals')
    op.drop_index(op.f('ix_goals_municipality_code'), table_name='goals')
    op.drop_table('goals')
    op.drop_index(op.f('ix_consents_provider_id'), table_name='consents')
    op.drop_index(op.f('ix_consents_municipality_code'), table_name='consents')
    op.drop_index(op.f('ix_consents_family_id'), table_name='consents')
    op.drop_table('consents')
    op.drop_index('uq_plans_one_open_per_family', table_name='plans', postgresql_where=sa.text("status IN ('draft','agreed','active','evaluating')"))
    op.drop_index(op.f('ix_plans_municipality_code'), table_name='plans')
    op.drop_index(op.f('ix_plans_family_id'), table_name='plans')
    op.drop_table('plans')
    op.drop_index('uq_family_members_active_bsn', table_name='family_members', postgresql_where=sa.text('bsn IS NOT NULL AND active'))
    op.drop_index('ix_family_members_names', table_name='family_members')
    op.drop_index(op.f('ix_family_members_municipality_code'), table_name='family_members')
    op.drop_index(op.f('ix_family_members_family_id'), table_name='family_members')
    op.drop_table('family_members')
    op.drop_index(op.f('ix_families_team_id'), table_name='families')
    op.drop_index(op.f('ix_families_municipality_code'), table_name='families')
    op.drop_index(op.f('ix_families_district_code'), table_name='families')
    op.drop_table('families')
