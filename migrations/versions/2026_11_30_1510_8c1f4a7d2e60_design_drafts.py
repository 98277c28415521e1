"""design: drafts, so an author's edits reach learners only when the course is published

design_draft: one row per pending edit of a course (an e-tivity's fields, a new e-tivity,
or the course's and stages' texts); publishing applies and deletes them.

Revision ID: 8c1f4a7d2e60
Revises: a3f9c2d17e54
Create Date: 2026-11-30 15:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '8c1f4a7d2e60'
down_revision = 'a3f9c2d17e54'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'design_draft',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('etivity_id', sa.Integer(), nullable=True),
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('stage', sa.Integer(), nullable=True),
        sa.Column('fields', sa.JSON(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'],
                                name=op.f('fk_design_draft_author_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['course_id'], ['course.id'],
                                name=op.f('fk_design_draft_course_id_course'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['etivity_id'], ['etivity.id'],
                                name=op.f('fk_design_draft_etivity_id_etivity'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_design_draft')),
        sa.UniqueConstraint('course_id', 'key', name=op.f('uq_design_draft_course_id')),
    )
    with op.batch_alter_table('design_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_design_draft_course_id'), ['course_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('design_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_design_draft_course_id'))
    op.drop_table('design_draft')
