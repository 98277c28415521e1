"""toolkit: each cohort's toolkit sections (editor, current version), publication, consent

A cohort's toolkit (course_app/toolkit/): one row per cohort and e-tivity that builds a
section, whether the cohort published its toolkit, and who agreed to be named on the public
page. New tables only; it follows b7c3e91a4d20, which adds the e-tivity columns they rely
on (toolkit_slug, toolkit_title).

Revision ID: faead3c229d2
Revises: b7c3e91a4d20
Create Date: 2026-11-30 13:42:58.799907

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'faead3c229d2'
down_revision = 'b7c3e91a4d20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('toolkit_consent',
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('given_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_toolkit_consent_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_toolkit_consent_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('cohort_id', 'user_id', name=op.f('pk_toolkit_consent'))
    )
    op.create_table('toolkit_publication',
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_toolkit_publication_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_toolkit_publication_published_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('cohort_id', name=op.f('pk_toolkit_publication'))
    )
    op.create_table('toolkit_section',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('etivity_id', sa.Integer(), nullable=False),
    sa.Column('editor_id', sa.Integer(), nullable=True),
    sa.Column('current_post_id', sa.Integer(), nullable=True),
    sa.Column('marked_by_id', sa.Integer(), nullable=True),
    sa.Column('marked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_toolkit_section_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['current_post_id'], ['post.id'], name=op.f('fk_toolkit_section_current_post_id_post'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['editor_id'], ['users.id'], name=op.f('fk_toolkit_section_editor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['etivity_id'], ['etivity.id'], name=op.f('fk_toolkit_section_etivity_id_etivity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['marked_by_id'], ['users.id'], name=op.f('fk_toolkit_section_marked_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_toolkit_section')),
    sa.UniqueConstraint('cohort_id', 'etivity_id', name=op.f('uq_toolkit_section_cohort_id'))
    )
    with op.batch_alter_table('toolkit_section', schema=None) as batch_op:
        batch_op.create_index('ix_toolkit_section_etivity', ['etivity_id'], unique=False)


def downgrade():
    op.drop_table('toolkit_section')
    op.drop_table('toolkit_publication')
    op.drop_table('toolkit_consent')
