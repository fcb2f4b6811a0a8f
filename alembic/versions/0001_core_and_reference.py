"""core and reference

Revision ID: 0001
Revises: None
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The default life-domain catalogue (DESIGN §3): the 13 ZRM domains plus the child domains.
LIFE_DOMAINS = [
    ("finances", "Financiën", "zrm"),
    ("work_education", "Werk en opleiding", "zrm"),
    ("daytime_activities", "Tijdsbesteding", "zrm"),
    ("housing", "Huisvesting", "zrm"),
    ("domestic_relations", "Huiselijke relaties", "zrm"),
    ("mental_health", "Geestelijke gezondheid", "zrm"),
    ("physical_health", "Lichamelijke gezondheid", "zrm"),
    ("substance_use", "Middelengebruik", "zrm"),
    ("basic_adl", "Basale ADL", "zrm"),
    ("instrumental_adl", "Instrumentele ADL", "zrm"),
    ("social_network", "Sociaal netwerk", "zrm"),
    ("community_participation", "Maatschappelijke participatie", "zrm"),
    ("justice", "Justitie", "zrm"),
    ("child_development", "Ontwikkeling van het kind", "child"),
    ("parenting", "Opvoeding", "child"),
    ("child_safety", "Veiligheid van het kind", "child"),
    ("school", "School", "child"),
]


def upgrade() -> None:
    op.create_table('audit_events',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('organisation', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('resource_type', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('resource_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.Column('family_id', sa.Uuid(), nullable=True),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('request_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    op.create_index('ix_audit_events_family_occurred', 'audit_events', ['family_id', 'occurred_at'], unique=False)
    op.create_index(op.f('ix_audit_events_municipality_code'), 'audit_events', ['municipality_code'], unique=False)
    op.create_index('ix_audit_events_subject_occurred', 'audit_events', ['subject', 'occurred_at'], unique=False)
    op.create_table('idempotency_keys',
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('method', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('path', sa.Text(), nullable=False),
    sa.Column('request_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('response_status', sa.Integer(), nullable=True),
    sa.Column('response_body', sa.Text(), nullable=True),
    sa.Column('response_headers', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('subject', 'key', name=op.f('pk_idempotency_keys'))
    )
    op.create_table('life_domains',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('group', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_life_domains'))
    )
    op.create_table('outbox_events',
    sa.Column('sequence', sa.BigInteger(), sa.Identity(always=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('type', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('dataref', sa.Text(), nullable=False),
    sa.Column('data', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
    sa.PrimaryKeyConstraint('sequence', name=op.f('pk_outbox_events')),
    sa.UniqueConstraint('id', name=op.f('uq_outbox_events_id'))
    )
    op.create_index(op.f('ix_outbox_events_municipality_code'), 'outbox_events', ['municipality_code'], unique=False)
    op.create_index(op.f('ix_outbox_events_type'), 'outbox_events', ['type'], unique=False)
    op.create_table('providers',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('agb_code', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('municipalities', sa.ARRAY(sa.String(length=6)), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_providers')),
    sa.UniqueConstraint('agb_code', name=op.f('uq_providers_agb_code'))
    )
    op.create_table('regions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_regions')),
    sa.UniqueConstraint('name', name=op.f('uq_regions_name'))
    )
    op.create_table('support_profiles',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('segment', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_support_profiles'))
    )
    op.create_table('contracts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('provider_id', sa.Uuid(), nullable=False),
    sa.Column('region_id', sa.Uuid(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('payment_model', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('start_share_percent', sa.Integer(), nullable=False),
    sa.Column('result_share_percent', sa.Integer(), nullable=True),
    sa.Column('completion_on_dropout', sa.Boolean(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('lumpsum_period_cents', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("payment_model IN ('milestone','monthly','lumpsum')", name=op.f('ck_contracts_payment_model')),
    sa.CheckConstraint('start_share_percent BETWEEN 0 AND 100', name=op.f('ck_contracts_start_share')),
    sa.CheckConstraint('valid_to IS NULL OR valid_to >= valid_from', name=op.f('ck_contracts_period')),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_contracts_provider_id_providers')),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_contracts_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contracts'))
    )
    op.create_index(op.f('ix_contracts_provider_id'), 'contracts', ['provider_id'], unique=False)
    op.create_index(op.f('ix_contracts_region_id'), 'contracts', ['region_id'], unique=False)
    op.create_table('municipalities',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('region_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_municipalities_region_id_regions')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_municipalities'))
    )
    op.create_index(op.f('ix_municipalities_region_id'), 'municipalities', ['region_id'], unique=False)
    op.create_table('profile_intensities',
    sa.Column('profile_code', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('max_months', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['profile_code'], ['support_profiles.code'], name=op.f('fk_profile_intensities_profile_code_support_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('profile_code', 'code', name=op.f('pk_profile_intensities'))
    )
    # btree_gist: equality on uuid/text inside the GiST exclusion constraint of tariffs.
    op.execute('CREATE EXTENSION IF NOT EXISTS btree_gist')
    op.create_table('tariffs',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('region_id', sa.Uuid(), nullable=False),
    sa.Column('profile_code', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('intensity_code', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('provider_id', sa.Uuid(), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_tariffs_amount_positive')),
    sa.CheckConstraint('valid_to IS NULL OR valid_to >= valid_from', name=op.f('ck_tariffs_period')),
    postgresql.ExcludeConstraint(
        ('region_id', '='),
        ('profile_code', '='),
        ('intensity_code', '='),
        (sa.text("coalesce(provider_id, '00000000-0000-0000-0000-000000000000'::uuid)"), '='),
        (sa.text("daterange(valid_from, valid_to, '[]')"), '&&'),
        using='gist',
        name='ex_tariffs_no_overlap',
    ),
    sa.ForeignKeyConstraint(['profile_code'], ['support_profiles.code'], name=op.f('fk_tariffs_profile_code_support_profiles')),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_tariffs_provider_id_providers')),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_tariffs_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tariffs'))
    )
    op.create_index(op.f('ix_tariffs_provider_id'), 'tariffs', ['provider_id'], unique=False)
    op.create_index(op.f('ix_tariffs_region_id'), 'tariffs', ['region_id'], unique=False)
    op.create_table('contract_products',
    sa.Column('contract_id', sa.Uuid(), nullable=False),
    sa.Column('profile_code', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('intensity_code', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_contract_products_contract_id_contracts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['profile_code'], ['support_profiles.code'], name=op.f('fk_contract_products_profile_code_support_profiles')),
    sa.PrimaryKeyConstraint('contract_id', 'profile_code', 'intensity_code', name=op.f('pk_contract_products'))
    )
    op.create_table('districts',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_districts_municipality_code_municipalities')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_districts'))
    )
    op.create_index(op.f('ix_districts_municipality_code'), 'districts', ['municipality_code'], unique=False)
    op.create_table('teams',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_teams_municipality_code_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teams'))
    )
    op.create_index(op.f('ix_teams_municipality_code'), 'teams', ['municipality_code'], unique=False)
    op.create_table('district_indicators',
    sa.Column('district_code', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('youth_population', sa.Integer(), nullable=True),
    sa.Column('values', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['district_code'], ['districts.code'], name=op.f('fk_district_indicators_district_code_districts')),
    sa.ForeignKeyConstraint(['municipality_code'], ['municipalities.code'], name=op.f('fk_district_indicators_municipality_code_municipalities')),
    sa.PrimaryKeyConstraint('district_code', 'year', name=op.f('pk_district_indicators'))
    )
    op.create_index(op.f('ix_district_indicators_municipality_code'), 'district_indicators', ['municipality_code'], unique=False)
    op.create_table('team_districts',
    sa.Column('team_id', sa.Uuid(), nullable=False),
    sa.Column('district_code', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.ForeignKeyConstraint(['district_code'], ['districts.code'], name=op.f('fk_team_districts_district_code_districts')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_districts_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('team_id', 'district_code', name=op.f('pk_team_districts')),
    sa.UniqueConstraint('district_code', 'team_id', name=op.f('uq_team_districts_district_code_team_id'))
    )

    domains = sa.table(
        "life_domains",
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("group", sa.String),
        sa.column("position", sa.Integer),
    )
    op.bulk_insert(
        domains,
        [
            {"code": code, "name": name, "group": group, "position": i}
            for i, (code, name, group) in enumerate(LIFE_DOMAINS, start=1)
        ],
    )

def downgrade() -> None:
    op.drop_table('team_districts')
    op.drop_index(op.f('ix_district_indicators_municipality_code'), table_name='district_indicators')
    op.drop_table('district_indicators')
    op.drop_index(op.f('ix_teams_municipality_code'), table_name='teams')
    op.drop_table('teams')
    op.drop_index(op.f('ix_districts_municipality_code'), table_name='districts')
    op.drop_table('districts')
    op.drop_table('contract_products')
    op.drop_index(op.f('ix_tariffs_region_id'), table_name='tariffs')
    op.drop_index(op.f('ix_tariffs_provider_id'), table_name='tariffs')
    op.drop_table('tariffs')
    op.drop_table('profile_intensities')
    op.drop_index(op.f('ix_municipalities_region_id'), table_name='municipalities')
    op.drop_table('municipalities')
    op.drop_index(op.f('ix_contracts_region_id'), table_name='contracts')
    op.drop_index(op.f('ix_contracts_provider_id'), table_name='contracts')
    op.drop_table('contracts')
    op.drop_table('support_profiles')
    op.drop_table('regions')
    op.drop_table('providers')
    op.drop_index(op.f('ix_outbox_events_type'), table_name='outbox_events')
    op.drop_index(op.f('ix_outbox_events_municipality_code'), table_name='outbox_events')
    op.drop_table('outbox_events')
    op.drop_table('life_domains')
    op.drop_table('idempotency_keys')
    op.drop_index('ix_audit_events_subject_occurred', table_name='audit_events')
    op.drop_index(op.f('ix_audit_events_municipality_code'), table_name='audit_events')
    op.drop_index('ix_audit_events_family_occurred', table_name='audit_events')
    op.drop_table('audit_events')
