"""Every command, when the database isn't ready or is busy: plain words and exit 1, never
SQLAlchemy's traceback (cli/common.py: `database_trouble`, for every command of the app).

These tests make their own SQLite databases (a file in a temp folder), so they don't share
the suite's test database."""

import sqlite3

import pytest
from sqlalchemy.exc import OperationalError, ProgrammingError

from conftest import DEFAULT_COURSE
from course_app import create_app
from course_app.auth.services import create_user
from course_app.cli.common import BEHIND, BUSY, NO_TABLES, Command, Group, database_trouble
from course_app.clock import utcnow
from course_app.extensions import db


@pytest.fixture
def own_app(tmp_path):
    """An app on an SQLite file of its own, with no tables; a write waits 100 ms at most."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'own.sqlite'}",
                      "TESTING": True, "SECRET_KEY": "cli-database", "SQLITE_BUSY_TIMEOUT": 100,
                      "PASSWORD_HASH_METHOD": "scrypt:256:2:1"})
    yield app, tmp_path / "own.sqlite"
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _plain(result, words: str) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not a traceback
    assert words in result.output
    assert "sqlite3" not in result.output and "[SQL:" not in result.output


@pytest.mark.parametrize("args", [
    ["report", "1"], ["demo"], ["demo", "--if-empty"], ["course", "import", str(DEFAULT_COURSE)],
    ["user", "disable", "ana@example.org"], ["progress", "rebuild-counts"]])
def test_a_database_without_tables_says_run_db_upgrade(own_app, args):
    app, _ = own_app
    _plain(app.test_cli_runner().invoke(args=args), NO_TABLES)


def test_a_database_someone_else_is_writing_to_says_try_again(own_app):
    app, path = own_app
    with app.app_context():
        db.create_all()
        create_user("ana@example.org", "Ana", "a long passphrase here", utcnow())
        db.session.commit()
        db.session.remove()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program's write, for longer than we wait
    try:
        result = app.test_cli_runner().invoke(args=["user", "disable", "ana@example.org"])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    _plain(result, BUSY)


class _Refusal(Exception):
    """A driver's error as PostgreSQL's (psycopg) gives it: its SQLSTATE."""

    def __init__(self, sqlstate: str, message: str):
        super().__init__(message)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(("error", "words"), [
    (ProgrammingError("SELECT", {}, _Refusal("42P01", 'relation "cohort" does not exist')),
     NO_TABLES),
    (ProgrammingError("SELECT", {}, _Refusal("42703", 'column "x" does not exist')), BEHIND),
    (OperationalError("UPDATE", {}, _Refusal("55P03", "could not obtain lock")), BUSY),
    (OperationalError("UPDATE", {}, sqlite3.OperationalError("database is locked")), BUSY),
    (OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: cohort")),
     NO_TABLES),
])
def test_the_words_for_each_kind_of_trouble_on_either_database(error, words):
    assert database_trouble(error) == words


def test_a_fault_in_the_code_keeps_its_traceback():
    """A ProgrammingError that isn't a missing table is a bug: its traceback helps more."""
    error = ProgrammingError("SELECT", {}, _Refusal("42601", "syntax error at or near"))
    assert database_trouble(error) is None


def test_an_unreachable_database_is_said_in_a_line():
    refused = OperationalError("connect", {}, _Refusal("08006", "connection refused\nmore"))
    assert database_trouble(refused) == "The database can't be used just now: connection refused."


def test_every_command_of_the_app_says_the_databases_trouble(app):
    """Each of the app's commands is a `Command` or a `Group` of cli/common.py (the
    database's own `db`, Flask-Migrate's, runs before there are tables)."""
    ours = {name: command for name, command in app.cli.commands.items() if name != "db"}
    assert ours, app.cli.commands
    unguarded = [name for name, command in ours.items()
                 if not isinstance(command, (Command, Group))]
    assert unguarded == []
