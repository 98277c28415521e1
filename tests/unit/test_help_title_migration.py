"""The migration that renames the cohorts' help conversations from "Ask for help here" to
"Ask for help", the one name the pages give it; downgrading gives the old title back."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from course_app import create_app
from course_app.discussions.services import HELP_THREAD_TITLE
from course_app.extensions import db
from database import one_cohort

BEFORE = "5d2e8a1c7b43"  # the revision before it


def _titles(connection) -> list[str]:
    return list(connection.scalars(text("SELECT title FROM thread ORDER BY id")))


def test_help_conversations_are_renamed_and_only_they(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite'}",
                      "TESTING": True})
    with app.app_context():
        upgrade(revision=BEFORE)
        rows = [("help", "Ask for help here"),  # renamed
                ("help", "Questions for Sam"),  # a title someone chose: left
                ("piece", "Ask for help here")]  # a learner's conversation of that name: left
        with db.engine.begin() as connection:
            one_cohort(connection)
            connection.execute(text(
                "INSERT INTO users (id, email, name, about, password_hash, role, created_at) "
                "VALUES (1, 'a@example.org', 'Ana', '', 'x', 'facilitator', '2026-01-01')"))
            for kind, title in rows:
                connection.execute(text(
                    "INSERT INTO thread (cohort_id, author_id, kind, title, created_at, "
                    "last_post_at, pinned, locked) VALUES (1, 1, :kind, :title, "
                    "'2026-01-01', '2026-01-01', 0, 0)"), {"kind": kind, "title": title})
        upgrade()
        with db.engine.connect() as connection:
            assert _titles(connection) == [HELP_THREAD_TITLE, "Questions for Sam",
                                           "Ask for help here"]
        downgrade(revision=BEFORE)
        with db.engine.connect() as connection:
            assert _titles(connection) == [title for _, title in rows]
        db.engine.dispose()
