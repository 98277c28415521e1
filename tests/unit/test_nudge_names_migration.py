"""The migration that takes deleted accounts' names out of nudge lines already in the audit
log: each line naming one is written again from the ids its entry keeps, and the message
loses the old name where the old line shows it."""

import json

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from course_app import create_app
from course_app.extensions import db
from database import one_cohort

BEFORE = "4b9e2c7a1d35"  # the revision before it


def _seed(connection, entries):
    one_cohort(connection)
    for id_, name, deleted in ((1, "A former learner", "2026-02-01 00:00:00"),
                               (2, "Pat Peer", None), (3, "Fay Facilitator", None)):
        connection.execute(text(
            "INSERT INTO users (id, email, name, about, password_hash, role, created_at, "
            "deleted_at) VALUES (:id, :email, :name, '', 'x', 'learner', "
            "'2026-01-01 00:00:00', :deleted)"),
            {"id": id_, "email": f"u{id_}@example.org", "name": name, "deleted": deleted})
    for action, summary, detail in entries:
        connection.execute(text(
            "INSERT INTO audit_entry (cohort_id, actor_id, action, target, summary, detail, "
            "intervention, created_at) VALUES (1, 3, :action, '', :summary, :detail, 1, "
            "'2026-01-01 00:00:00')"),
            {"action": action, "summary": summary, "detail": json.dumps(detail)})


def test_nudge_lines_naming_a_deleted_account_are_written_again(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite'}",
                      "TESTING": True})
    with app.app_context():
        upgrade(revision=BEFORE)
        seeded = [
            ("nudge", "Nudged 1 learner: Zelda Quixote",
             {"learners": [1], "text": "Zelda Quixote, are you there?", "group": ""}),
            ("nudge", "Nudged 2 learners (every learner): Pat Peer, Zelda Quixote",
             {"learners": [2, 1], "text": "Hi {name}", "group": "every learner"}),
            ("nudge", "Nudged 1 learner: Pat Peer",
             {"learners": [2], "text": "Hi Pat", "group": ""}),
            ("hide", "Hid a post by Pat Peer: rude", {"reason": "rude"}),
        ]
        with db.engine.begin() as connection:
            _seed(connection, seeded)
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT summary, detail FROM audit_entry ORDER BY id")).all()
        assert [summary for summary, _ in rows] == [
            "Nudged 1 learner: A former learner",
            "Nudged 2 learners (every learner): Pat Peer, A former learner",
            "Nudged 1 learner: Pat Peer",
            "Hid a post by Pat Peer: rude",
        ]
        details = [json.loads(detail) for _, detail in rows]
        assert details[0] == {"learners": [1], "text": "A former learner, are you there?",
                              "group": ""}
        assert details[1:] == [detail for _, _, detail in seeded[1:]]
        downgrade(revision=BEFORE)  # nothing to undo: the names stay gone
        with db.engine.connect() as connection:
            assert "Zelda" not in " ".join(connection.scalars(text(
                "SELECT summary FROM audit_entry")))
        db.engine.dispose()


def test_the_message_loses_the_old_name_only_as_a_whole_word(tmp_path):
    """"Sam" out of "Sample the Samba" read "A former learnerple the A former learnerba"."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite'}",
                      "TESTING": True})
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            _seed(connection, [
                ("nudge", "Nudged 1 learner: Sam",
                 {"learners": [1], "text": "Sam, Sample the Samba: it's Sam's turn.",
                  "group": ""}),
                ("nudge", "Nudged 1 learner: Zoë",
                 {"learners": [1], "text": "Zoë? Zoëlla says hello, Zoë.", "group": ""}),
                ("nudge", "Nudged 1 learner: Al",
                 {"learners": [1], "text": "Al, dinner al fresco? Al.", "group": ""}),
            ])
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT summary, detail FROM audit_entry ORDER BY id")).all()
        assert [json.loads(detail)["text"] for _, detail in rows] == [
            "A former learner, Sample the Samba: it's A former learner's turn.",
            "A former learner? Zoëlla says hello, A former learner.",
            "Al, dinner al fresco? Al.",  # too short a name to tell from a word: left
        ]
        assert {summary for summary, _ in rows} == {"Nudged 1 learner: A former learner"}
        db.engine.dispose()
