"""Migrations upgrade a SQLite database that holds data: batch mode rebuilds a table by
dropping it, which fails while other rows point at it and foreign keys are on."""

from flask_migrate import upgrade
from sqlalchemy import text

from course_app import create_app
from course_app.extensions import db

BEFORE_LOGINS = "3532e5083e81"  # the revision before users lost session_token (a rebuild)


def test_a_rebuilt_table_keeps_the_rows_that_point_at_it(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite'}",
                      "TESTING": True})
    with app.app_context():
        upgrade(revision=BEFORE_LOGINS)
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO course (id, slug, title, summary, audience, imported_at) "
                "VALUES (1, 'c', 'C', '', '', '2026-01-01 00:00:00')"))
            connection.execute(text(
                "INSERT INTO cohort (id, course_id, name, enrolment_key, paced, state, "
                "silent_days, welcome_message, created_at) VALUES (1, 1, 'K', 'AAAA-BBBB', 0, "
                "'open', 5, '', '2026-01-01 00:00:00')"))
            connection.execute(text(
                "INSERT INTO users (id, email, name, about, password_hash, role, created_at, "
                "session_token) VALUES (7, 'a@example.org', 'A', '', 'x', 'learner', "
                "'2026-01-01 00:00:00', 'token')"))
            connection.execute(text(
                "INSERT INTO membership (cohort_id, user_id, role, joined_at) "
                "VALUES (1, 7, 'learner', '2026-01-01 00:00:00')"))
        upgrade()
        with db.engine.connect() as connection:
            assert connection.scalar(text("SELECT user_id FROM membership")) == 7
            assert connection.scalar(text("SELECT email FROM users")) == "a@example.org"
            assert connection.scalar(text("PRAGMA foreign_keys")) == 1
        db.engine.dispose()
