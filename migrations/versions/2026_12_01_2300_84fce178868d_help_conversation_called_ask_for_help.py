"""discussions: the help conversation is called "Ask for help" everywhere

Links, the checklist, the glossary and the breadcrumb call it "Ask for help"; the
conversation itself was made with the title "Ask for help here"
(discussions.services.HELP_THREAD_TITLE), so a learner met two names for one thing. New help
conversations are made as "Ask for help"; this renames the existing ones whose title is
still exactly the old one (a title someone changed is theirs, and left). Downgrading gives
them the old title back.

Revision ID: 84fce178868d
Revises: 5d2e8a1c7b43
Create Date: 2026-12-01 23:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '84fce178868d'
down_revision = '5d2e8a1c7b43'
branch_labels = None
depends_on = None

# As the app has them when this migration was written (migrations don't import the app).
HELP = 'help'  # discussions.models.ThreadKind.HELP
OLD_TITLE = "Ask for help here"
NEW_TITLE = "Ask for help"  # discussions.services.HELP_THREAD_TITLE

thread = sa.table('thread', sa.column('id', sa.Integer), sa.column('kind', sa.String),
                  sa.column('title', sa.String))


def _rename(before: str, after: str) -> None:
    op.get_bind().execute(thread.update()
                          .where(thread.c.kind == HELP, thread.c.title == before)
                          .values(title=after))


def upgrade():
    _rename(OLD_TITLE, NEW_TITLE)


def downgrade():
    _rename(NEW_TITLE, OLD_TITLE)
