"""The migration that makes stored notification links open the thread at their post: a
link to /cohorts/1/threads/9#post-102 opened at the reader's first unread post instead."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from course_app import create_app
from course_app.discussions.reading import post_path
from course_app.extensions import db
from database import one_cohort

BEFORE = "f266fd228979"  # the revision before it


def test_links_to_a_post_are_written_as_post_path_writes_them(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite'}",
                      "TESTING": True})
    with app.app_context():
        upgrade(revision=BEFORE)
        links = ["/cohorts/1/threads/9#post-102", "/cohorts/1", "",
                 "/cohorts/1/threads/9?page=2#post-7", "/cohorts/1/threads/9"]
        with db.engine.begin() as connection:
            one_cohort(connection)
            connection.execute(text(
                "INSERT INTO users (id, email, name, about, password_hash, role, created_at) "
                "VALUES (1, 'a@example.org', 'Ana', '', 'x', 'learner', '2026-01-01')"))
            for link in links:
                connection.execute(text(
                    "INSERT INTO notification (user_id, cohort_id, kind, text, link, "
                    "created_at) VALUES (1, 1, 'reply', 'Ben replied', :link, '2026-01-01')"),
                    {"link": link})
        upgrade()
        with db.engine.connect() as connection:
            after = list(connection.scalars(text("SELECT link FROM notification ORDER BY id")))
        assert after == [post_path(1, 9, 102), *links[1:]]  # only the plain post links
        downgrade(revision=BEFORE)  # the new links work on the old pages too: kept
        db.engine.dispose()
