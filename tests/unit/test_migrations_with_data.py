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


BEFORE_MAIL_CLAIMS = "5d7e2a9c4b13"  # sent_mail without claims; calendar tokens kept as made


def test_sent_keys_stay_sent_and_calendar_links_keep_working(tmp_path):
    import hashlib

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite'}",
                      "TESTING": True})
    with app.app_context():
        upgrade(revision=BEFORE_MAIL_CLAIMS)
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO sent_mail (key, sent_at) VALUES ('k:1', '2026-11-30 10:00:00')"))
            connection.execute(text(
                "INSERT INTO course (id, slug, title, summary, audience, imported_at) "
                "VALUES (1, 'c', 'C', '', '', '2026-01-01 00:00:00')"))
            connection.execute(text(
                "INSERT INTO cohort (id, course_id, name, enrolment_key, paced, state, "
                "silent_days, welcome_message, created_at) VALUES (1, 1, 'K', 'AAAA-BBBB', 1, "
                "'open', 5, '', '2026-01-01 00:00:00')"))
            connection.execute(text(
                "INSERT INTO users (id, email, name, about, password_hash, role, created_at) "
                "VALUES (7, 'a@example.org', 'A', '', 'x', 'learner', '2026-01-01 00:00:00')"))
            connection.execute(text(
                "INSERT INTO calendar_feed (token, user_id, cohort_id, created_at) "
                "VALUES ('the-token', 7, 1, '2026-11-30 10:00:00')"))
        upgrade()
        with db.engine.connect() as connection:
            assert connection.execute(text(
                "SELECT claimed_at, sent_at, message FROM sent_mail")).one() == (
                "2026-11-30 10:00:00", "2026-11-30 10:00:00", None)
            assert connection.scalar(text("SELECT token_hash FROM calendar_feed")) == (
                hashlib.sha256(b"the-token").hexdigest())
        db.engine.dispose()
