"""design: course authors, the designer's change history, and e-tivity versions

course_author: who may design which course (the owner may also grant authorship);
course_change: one row per change made in the designer (history and audit);
etivity.version: counts saves, so a second author's save from an older version is refused;
audit_entry.action: one more value, 'course-changed' (an author changed the cohort's course),
in the way 3532e5083e81 made the column an enum.

Revision ID: 5d7e2a9c4b13
Revises: 6e47756b43ca
Create Date: 2026-11-30 14:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5d7e2a9c4b13'
down_revision = '6e47756b43ca'
branch_labels = None
depends_on = None

# AuditAction's values before and after this migration (migrations don't import the app).
OLD_ACTIONS = ('open', 'state', 'settings', 'welcome', 'key', 'invite', 'invite-link',
               'invite-revoked', 'staff', 'remove', 'hide', 'show', 'pinned', 'locked', 'weave',
               'open-early', 'complete-by-hand', 'nudge')
NEW_ACTIONS = (*OLD_ACTIONS, 'course-changed')


def _action_enum(actions):
    return sa.Enum(*actions, name='auditaction', native_enum=False, length=20)


audit_entry = sa.table('audit_entry', sa.column('action', sa.String(20)))


def upgrade():
    op.create_table(
        'course_author',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('owner', sa.Boolean(), nullable=False),
        sa.Column('added_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['course_id'], ['course.id'],
                                name=op.f('fk_course_author_course_id_course'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_course_author_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_course_author')),
        sa.UniqueConstraint('course_id', 'user_id', name=op.f('uq_course_author_course_id')),
    )
    with op.batch_alter_table('course_author', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_author_user_id'), ['user_id'], unique=False)

    op.create_table(
        'course_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('etivity_id', sa.Integer(), nullable=True),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('changes', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'],
                                name=op.f('fk_course_change_actor_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['course_id'], ['course.id'],
                                name=op.f('fk_course_change_course_id_course'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['etivity_id'], ['etivity.id'],
                                name=op.f('fk_course_change_etivity_id_etivity'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_course_change')),
    )
    with op.batch_alter_table('course_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_change_course_id'), ['course_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_course_change_etivity_id'), ['etivity_id'],
                              unique=False)

    with op.batch_alter_table('etivity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1',
                                      nullable=False))
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.alter_column('action', existing_type=_action_enum(OLD_ACTIONS),
                              type_=_action_enum(NEW_ACTIONS), existing_nullable=False)


def downgrade():
    # The older app can't read 'course-changed': those entries go (the designer's own
    # history, course_change, goes with its table below).
    op.execute(audit_entry.delete().where(audit_entry.c.action == 'course-changed'))
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.alter_column('action', existing_type=_action_enum(NEW_ACTIONS),
                              type_=_action_enum(OLD_ACTIONS), existing_nullable=False)
    with op.batch_alter_table('etivity', schema=None) as batch_op:
        batch_op.drop_column('version')
    with op.batch_alter_table('course_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_change_etivity_id'))
        batch_op.drop_index(batch_op.f('ix_course_change_course_id'))
    op.drop_table('course_change')
    with op.batch_alter_table('course_author', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_author_user_id'))
    op.drop_table('course_author')
