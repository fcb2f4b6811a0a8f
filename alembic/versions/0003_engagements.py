"""engagements

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(sa.schema.CreateSequence(sa.Sequence("engagement_assignment_number_seq")))
    op.create_table('engagements',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('family_id', sa.Uuid(), nullable=False),
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('plan_support_profile_id', sa.Uuid(), nullable=False),
    sa.Column('referral_id', sa.Uuid(), nullable=True),
    sa.Column('district_code', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('team_id', sa.Uuid(), nullable=False),
    sa.Column('profile_code', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('intensity_code', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('provider_id', sa.Uuid(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('choice_reason', sa.Text(), nullable=True),
    sa.Column('requested_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decline_reason_code', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True),
    sa.Column('decline_reason', sa.Text(), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('assignment_number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('contract_id', sa.Uuid(), nullable=True),
    sa.Column('tariff_cents', sa.BigInteger(), nullable=True),
    sa.Column('payment_model', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('start_share_percent', sa.Integer(), nullable=True),
    sa.Column('result_share_percent', sa.Integer(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('end_reason', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True),
    sa.Column('problem_reduction', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_engagements_contract_id_contracts')),
    sa.ForeignKeyConstraint(['district_code'], ['districts.code'], name=op.f('fk_engagements_district_code_districts')),
    sa.ForeignKeyConstraint(['family_id'], ['families.id'], name=op.f('fk_engagements_family_id_families')),
    sa.ForeignKeyConstraint(['member_id'], ['family_members.id'], name=op.f('fk_engagements_member_id_family_members')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_engagements_municipality_code_municipalities')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_engagements_plan_id_plans')),
    sa.ForeignKeyConstraint(['plan_support_profile_id'], ['plan_support_profiles.id'], name=op.f('fk_engagements_plan_support_profile_id_plan_support_profiles')),
    sa.ForeignKeyConstraint(['profile_code'], ['support_profiles.code'], name=op.f('fk_engagements_profile_code_support_profiles')),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_engagements_provider_id_providers')),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_engagements_referral_id_referrals')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_engagements_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_engagements')),
    sa.UniqueConstraint('assignment_number', name=op.f('uq_engagements_assignment_number'))
    )
    op.create_index(op.f('ix_engagements_district_code'), 'engagements', ['district_code'], unique=False)
    op.create_index(op.f('ix_engagements_family_id'), 'engagements', ['family_id'], unique=False)
    op.create_index(op.f('ix_engagements_member_id'), 'engagements', ['member_id'], unique=False)
    op.create_index(op.f('ix_engagements_municipality_code'), 'engagements', ['municipality_code'], unique=False)
    op.create_index(op.f('ix_engagements_plan_id'), 'engagements', ['plan_id'], unique=False)
    op.create_index(op.f('ix_engagements_provider_id'), 'engagements', ['provider_id'], unique=False)
    op.create_index(op.f('ix_engagements_status'), 'engagements', ['status'], unique=False)
    op.create_index(op.f('ix_engagements_team_id'), 'engagements', ['team_id'], unique=False)
    op.create_table('engagement_goals',
    sa.Column('engagement_id', sa.Uuid(), nullable=False),
    sa.Column('goal_id', sa.Uuid(), nullable=False),
    sa.Column('final_gas_score', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagements.id'], name=op.f('fk_engagement_goals_engagement_id_engagements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['goal_id'], ['goals.id'], name=op.f('fk_engagement_goals_goal_id_goals')),
    sa.PrimaryKeyConstraint('engagement_id', 'goal_id', name=op.f('pk_engagement_goals'))
    )
    op.create_table('experience_surveys',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('engagement_id', sa.Uuid(), nullable=False),
    sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('respondent_member_id', sa.Uuid(), nullable=False),
    sa.Column('respondent_kind', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('answers', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagements.id'], name=op.f('fk_experience_surveys_engagement_id_engagements')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_experience_surveys_municipality_code_municipalities')),
    sa.ForeignKeyConstraint(['respondent_member_id'], ['family_members.id'], name=op.f('fk_experience_surveys_respondent_member_id_family_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_experience_surveys'))
    )
    op.create_index(op.f('ix_experience_surveys_engagement_id'), 'experience_surveys', ['engagement_id'], unique=False)
    op.create_index(op.f('ix_experience_surveys_municipality_code'), 'experience_surveys', ['municipality_code'], unique=False)
    op.create_table('handoffs',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('family_id', sa.Uuid(), nullable=False),
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('engagement_id', sa.Uuid(), nullable=True),
    sa.Column('domain_code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('need', sa.Text(), nullable=False),
    sa.Column('urgency', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('route_to', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('team_id', sa.Uuid(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('raised_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('raised_by_role', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('raised_by_provider_id', sa.Uuid(), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('declined_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('decline_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['domain_code'], ['life_domains.code'], name=op.f('fk_handoffs_domain_code_life_domains')),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagements.id'], name=op.f('fk_handoffs_engagement_id_engagements')),
    sa.ForeignKeyConstraint(['family_id'], ['families.id'], name=op.f('fk_handoffs_family_id_families')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_handoffs_municipality_code_municipalities')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_handoffs_plan_id_plans')),
    sa.ForeignKeyConstraint(['raised_by_provider_id'], ['providers.id'], name=op.f('fk_handoffs_raised_by_provider_id_providers')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_handoffs_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handoffs'))
    )
    op.create_index(op.f('ix_handoffs_due_at'), 'handoffs', ['due_at'], unique=False)
    op.create_index(op.f('ix_handoffs_engagement_id'), 'handoffs', ['engagement_id'], unique=False)
    op.create_index(op.f('ix_handoffs_family_id'), 'handoffs', ['family_id'], unique=False)
    op.create_index(op.f('ix_handoffs_municipality_code'), 'handoffs', ['municipality_code'], unique=False)
    op.create_index(op.f('ix_handoffs_plan_id'), 'handoffs', ['plan_id'], unique=False)
    op.create_index(op.f('ix_handoffs_team_id'), 'handoffs', ['team_id'], unique=False)
    op.create_table('progress_reports',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('engagement_id', sa.Uuid(), nullable=False),
    sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('problem_reduction', sa.Integer(), nullable=False),
    sa.Column('goals', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('reported_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagements.id'], name=op.f('fk_progress_reports_engagement_id_engagements')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_progress_reports_municipality_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_progress_reports'))
    )
    op.create_index(op.f('ix_progress_reports_engagement_id'), 'progress_reports', ['engagement_id'], unique=False)
    op.create_index(op.f('ix_progress_reports_municipality_code'), 'progress_reports', ['municipality_code'], unique=False)
    op.create_table('subcontracts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('engagement_id', sa.Uuid(), nullable=False),
    sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('provider_id', sa.Uuid(), nullable=True),
    sa.Column('agb_code', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagements.id'], name=op.f('fk_subcontracts_engagement_id_engagements')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_subcontracts_municipality_code_municipalities')),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_subcontracts_provider_id_providers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subcontracts'))
    )
    op.create_index(op.f('ix_subcontracts_engagement_id'), 'subcontracts', ['engagement_id'], unique=False)
    op.create_index(op.f('ix_subcontracts_municipality_code'), 'subcontracts', ['municipality_code'], unique=False)
    op.create_index(op.f('ix_subcontracts_provider_id'), 'subcontracts', ['provider_id'], unique=False)
    op.create_table('treatment_plans',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('engagement_id', sa.Uuid(), nullable=False),
    sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('approach', sa.Text(), nullable=False),
    sa.Column('expected_end_date', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagements.id'], name=op.f('fk_treatment_plans_engagement_id_engagements')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_treatment_plans_municipality_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_treatment_plans')),
    sa.UniqueConstraint('engagement_id', name=op.f('uq_treatment_plans_engagement_id'))
    )
    op.create_index(op.f('ix_treatment_plans_municipality_code'), 'treatment_plans', ['municipality_code'], unique=False)
    op.create_table('treatment_activities',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('treatment_plan_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('frequency', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('subcontract_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['subcontract_id'], ['subcontracts.id'], name=op.f('fk_treatment_activities_subcontract_id_subcontracts')),
    sa.ForeignKeyConstraint(['treatment_plan_id'], ['treatment_plans.id'], name=op.f('fk_treatment_activities_treatment_plan_id_treatment_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_treatment_activities'))
    )
    op.create_index(op.f('ix_treatment_activities_treatment_plan_id'), 'treatment_activities', ['treatment_plan_id'], unique=False)
    op.create_table('treatment_activity_goals',
    sa.Column('activity_id', sa.Uuid(), nullable=False),
    sa.Column('goal_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['treatment_activities.id'], name=op.f('fk_treatment_activity_goals_activity_id_treatment_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['goal_id'], ['goals.id'], name=op.f('fk_treatment_activity_goals_goal_id_goals')),
    sa.PrimaryKeyConstraint('activity_id', 'goal_id', name=op.f('pk_treatment_activity_goals'))
    )


def downgrade() -> None:
    op.drop_table('treatment_activity_goals')
    op.drop_index(op.f('ix_treatment_activities_treatment_plan_id'), table_name='treatment_activities')
    op.drop_table('treatment_activities')
    op.drop_index(op.f('ix_treatment_plans_municipality_code'), table_name='treatment_plans')
    op.drop_table('treatment_plans')
    op.drop_index(op.f('ix_subcontracts_provider_id'), table_name='subcontracts')
    op.drop_index(op.f('ix_subcontracts_municipality_code'), table_name='subcontracts')
    op.drop_index(op.f('ix_subcontracts_engagement_id'), table_name='subcontracts')
    op.drop_table('subcontracts')
    op.drop_index(op.f('ix_progress_reports_municipality_code'), table_name='progress_reports')
    op.drop_index(op.f('ix_progress_reports_engagement_id'), table_name='progress_reports')
    op.drop_table('progress_reports')
    op.drop_index(op.f('ix_handoffs_team_id'), table_name='handoffs')
    op.drop_index(op.f('ix_handoffs_plan_id'), table_name='handoffs')
    op.drop_index(op.f('ix_handoffs_municipality_code'), table_name='handoffs')
    op.drop_index(op.f('ix_handoffs_family_id'), table_name='handoffs')
    op.drop_index(op.f('ix_handoffs_engagement_id'), table_name='handoffs')
    op.drop_index(op.f('ix_handoffs_due_at'), table_name='handoffs')
    op.drop_table('handoffs')
    op.drop_index(op.f('ix_experience_surveys_municipality_code'), table_name='experience_surveys')
    op.drop_index(op.f('ix_experience_surveys_engagement_id'), table_name='experience_surveys')
    op.drop_table('experience_surveys')
    op.drop_table('engagement_goals')
    op.drop_index(op.f('ix_engagements_team_id'), table_name='engagements')
    op.drop_index(op.f('ix_engagements_status'), table_name='engagements')
    op.drop_index(op.f('ix_engagements_provider_id'), table_name='engagements')
    op.drop_index(op.f('ix_engagements_plan_id'), table_name='engagements')
    op.drop_index(op.f('ix_engagements_municipality_code'), table_name='engagements')
    op.drop_index(op.f('ix_engagements_member_id'), table_name='engagements')
    op.drop_index(op.f('ix_engagements_family_id'), table_name='engagements')
    op.drop_index(op.f('ix_engagements_district_code'), table_name='engagements')
    op.drop_table('engagements')
    op.execute(sa.schema.DropSequence(sa.Sequence("engagement_assignment_number_seq")))
