"""The audit-action migration keeps every stored action, tidies hand-edited ones, refuses
what it can't read, and goes back down."""

import pytest
from alembic import command
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from course_app import create_app
from course_app.extensions import db
from course_app.facilitate.models import AuditAction, AuditEntry
from database import one_cohort

BEFORE = "39587b365031"  # the revision before audit actions became an enum
# The actions there were when that migration was written (later ones came with later code).
THEN = [a for a in AuditAction if a.value in (
    "open", "state", "settings", "welcome", "key", "invite", "invite-link", "invite-revoked",
    "staff", "remove", "hide", "show", "pinned", "locked", "weave", "open-early",
    "complete-by-hand", "nudge")]


def _seed(connection, actions):
    one_cohort(connection)
    for action in actions:
        connection.execute(text(
            "INSERT INTO audit_entry (cohort_id, action, target, summary, detail, intervention, "
            "created_at) VALUES (1, :action, '', 's', '{}', 0, '2026-01-01 00:00:00')"),
            {"action": action})


@pytest.fixture
def app_at_before(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite'}",
                      "TESTING": True})
    with app.app_context():
        upgrade(revision=BEFORE)
        yield app
        db.session.remove()
        db.engine.dispose()


def test_stored_actions_become_enum_values_and_come_back(app_at_before):
    stored = [a.value for a in THEN] + ["Open-Early", "complete_by_hand", " nudge "]
    with db.engine.begin() as connection:
        _seed(connection, stored)
    upgrade()
    actions = db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == [*THEN, AuditAction.OPEN_EARLY, AuditAction.COMPLETE_BY_HAND,
                       AuditAction.NUDGE]
    db.session.remove()
    downgrade(revision=BEFORE)
    with db.engine.connect() as connection:
        kept = connection.scalars(text("SELECT action FROM audit_entry ORDER BY id")).all()
    assert kept == [a.value for a in actions]


def test_an_unknown_action_stops_the_upgrade_and_is_named(app_at_before):
    with db.engine.begin() as connection:
        _seed(connection, ["hide", "mystery"])
    config = current_app.extensions["migrate"].migrate.get_config()
    with pytest.raises(RuntimeError, match="mystery"):  # flask_migrate.upgrade would exit
        command.upgrade(config, "head")
    with db.engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == BEFORE
