"""courses: e-tivities say what they add to the toolkit, what the e-moderator does on which
day, and whether facilitators' posts count toward observe; courses state their weekly time

course.weekly_minutes; etivity.observe_facilitators, toolkit_slug, toolkit_title,
moderator_days (modules/README.md describes the fields they come from).

Revision ID: b7c3e91a4d20
Revises: 7d41c2a9e8b5
Create Date: 2026-11-30 14:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7c3e91a4d20'
down_revision = '7d41c2a9e8b5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('weekly_minutes', sa.Integer(), nullable=True))
    with op.batch_alter_table('etivity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('observe_facilitators', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('toolkit_slug', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('toolkit_title', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('moderator_days', sa.JSON(),
                                      server_default='[]', nullable=False))


def downgrade():
    with op.batch_alter_table('etivity', schema=None) as batch_op:
        batch_op.drop_column('moderator_days')
        batch_op.drop_column('toolkit_title')
        batch_op.drop_column('toolkit_slug')
        batch_op.drop_column('observe_facilitators')
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('weekly_minutes')
