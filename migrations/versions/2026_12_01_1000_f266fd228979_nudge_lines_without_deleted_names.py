"""audit log: nudge lines no longer name learners who have deleted their account

Deleting an account now writes each nudge's audit line again from the ids the entry keeps,
with the person as "A former learner" (privacy/deletion.py: _scrub_nudges). This does the same
for accounts deleted before that: every nudge line naming one of them is written again,
from the learners' names as they are now. The message the entry keeps loses the old name
too (as a whole word: "Sam" never out of "Sample") where the old line shows it unambiguously
(the others it named are still called what they were then); otherwise it is left as it was. Nothing changes shape, and a name once gone
can't come back, so downgrading changes nothing.

Revision ID: f266fd228979
Revises: 4b9e2c7a1d35
Create Date: 2026-12-01 10:00:00.000000

"""
import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f266fd228979'
down_revision = '4b9e2c7a1d35'
branch_labels = None
depends_on = None

# As the app has them when this migration was written (migrations don't import the app).
FORMER = "A former learner"  # privacy.deletion.FORMER
NAMED = 5  # facilitate.nudges.NAMED
NAME_MIN_IN_WORDS = 3  # privacy.deletion.NAME_MIN_IN_WORDS

audit_entry = sa.table('audit_entry', sa.column('id', sa.Integer), sa.column('action', sa.String),
                       sa.column('summary', sa.Text), sa.column('detail', sa.JSON))
users = sa.table('users', sa.column('id', sa.Integer), sa.column('name', sa.String),
                 sa.column('deleted_at', sa.DateTime))


def _line(names: list[str], count: int, group: str) -> str:
    """facilitate.nudges.audit_summary."""
    listed = ", ".join(names) + (" and others" if count > NAMED else "")
    whom = f"{count} {'learner' if count == 1 else 'learners'}"
    return f"Nudged {whom}{f' ({group})' if group else ''}: {listed}"


def _without_name(text: str, name: str, shortest: int = 1) -> str:
    """privacy.deletion.without_name, copied: a migration runs as it was written, however
    the app's code changes later. `name` as FORMER only where it stands as a whole word
    ("Sam" never out of "Sample"); a name shorter than `shortest` is left."""
    name = name.strip()
    if len(name) < max(shortest, 1):
        return text
    return re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", FORMER, text)


def _nudged(detail) -> list[int]:
    ids = detail.get('learners') if isinstance(detail, dict) else None
    return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []


def _old_name(summary: str, count: int, names: list[str], at: int) -> str:
    """The name the old line gave the learner at position `at`, if the others it named are
    still called what the line says; "" if it can't be told."""
    _, _, listed = summary.partition(": ")
    if count > NAMED:
        listed = listed.removesuffix(" and others")
    before = "".join(f"{n}, " for n in names[:at])
    after = "".join(f", {n}" for n in names[at + 1:])
    if not (listed.startswith(before) and listed.endswith(after)):
        return ""
    return listed[len(before):len(listed) - len(after)].strip()


def upgrade():
    connection = op.get_bind()
    deleted = set(connection.scalars(sa.select(users.c.id)
                                     .where(users.c.deleted_at.is_not(None))))
    if not deleted:
        return
    entries = [(id_, summary, detail) for id_, summary, detail in connection.execute(
        sa.select(audit_entry.c.id, audit_entry.c.summary, audit_entry.c.detail)
        .where(audit_entry.c.action == 'nudge'))
        if deleted & set(_nudged(detail)[:NAMED])]
    wanted = {i for _, _, detail in entries for i in _nudged(detail)[:NAMED]}
    names = dict(connection.execute(sa.select(users.c.id, users.c.name)
                                    .where(users.c.id.in_(wanted))).all()) if wanted else {}
    for id_, summary, detail in entries:
        ids = _nudged(detail)
        now = [FORMER if i in deleted or i not in names else names[i] for i in ids[:NAMED]]
        gone = [at for at, i in enumerate(ids[:NAMED]) if i in deleted]
        text = detail.get('text')
        if len(gone) == 1 and isinstance(text, str):
            old = _old_name(summary or "", len(ids), now, gone[0])
            if old and old != FORMER and old in text:
                detail = {**detail, 'text': _without_name(text, old, NAME_MIN_IN_WORDS)}
        connection.execute(audit_entry.update().where(audit_entry.c.id == id_).values(
            summary=_line(now, len(ids), detail.get('group') or ""), detail=detail))


def downgrade():
    pass
