"""sent mail claims: claimed_at, sent_at only once sent, the message kept until it is

Revision ID: a3f6c1d8e2b7
Revises: 5d7e2a9c4b13
Create Date: 2026-11-30 14:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a3f6c1d8e2b7'
down_revision = '5d7e2a9c4b13'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sent_mail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('message', sa.JSON(none_as_null=True), nullable=True))
    # Every key claimed so far was sent (or is being sent): claimed when it was sent.
    op.execute("UPDATE sent_mail SET claimed_at = sent_at")
    with op.batch_alter_table('sent_mail', schema=None) as batch_op:
        batch_op.alter_column('claimed_at', existing_type=sa.DateTime(), nullable=False)
        batch_op.alter_column('sent_at', existing_type=sa.DateTime(), nullable=True)
        batch_op.create_index(batch_op.f('ix_sent_mail_claimed_at'), ['claimed_at'],
                              unique=False)


def downgrade():
    op.execute("DELETE FROM sent_mail WHERE sent_at IS NULL")
    with op.batch_alter_table('sent_mail', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sent_mail_claimed_at'))
        batch_op.alter_column('sent_at', existing_type=sa.DateTime(), nullable=False)
        batch_op.drop_column('message')
        batch_op.drop_column('claimed_at')
