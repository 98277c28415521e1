"""`backup` and `restore` (course_app/backup.py): a consistent copy of a busy SQLite
database, write-ahead log included, and a checked way back; PostgreSQL's pg_dump and
pg_restore round trip when TEST_DATABASE_URL names a PostgreSQL database.

These tests make their own databases (files in a temp folder, or PostgreSQL databases they
create and drop), so they don't share the suite's test database.
"""

import errno
import os
import shutil
import sqlite3
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from conftest import default_course_spec
from course_app import create_app
from course_app.auth.models import Role, User
from course_app.auth.services import create_user
from course_app.backup import migration_heads
from course_app.clock import utcnow
from course_app.cohorts.models import MemberRole
from course_app.cohorts.services import add_member, create_cohort
from course_app.courses.services import import_course
from course_app.discussions import services as discussions
from course_app.discussions.models import Post, Thread
from course_app.extensions import db

ROOT = Path(__file__).resolve().parents[2]


def make_app(url: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True,
                       "SECRET_KEY": "backup-tests", "RATELIMIT_ENABLED": False,
                       "PASSWORD_HASH_METHOD": "scrypt:1024:8:1"})


def fill(app) -> dict:
    """Migrate, then a course, a cohort, two learners and a thread. Returns their ids."""
    with app.app_context():
        upgrade()
        course = import_course(default_course_spec()).course
        facilitator = create_user("fay@example.org", "Fay", "a long passphrase here", utcnow(),
                                  role=Role.FACILITATOR)
        cohort = create_cohort(course, "Cohort", facilitator, utcnow())
        learners = []
        for n in range(2):
            learner = create_user(f"l{n}@example.org", f"Learner {n}", "a long passphrase here",
                                  utcnow())
            add_member(cohort, learner, MemberRole.LEARNER, utcnow())
            learners.append(learner)
        etivity = next(e for e in course.etivities if e.slug == "introduce-yourself")
        thread = discussions.start_thread(cohort, etivity, learners[0], "Hi", "Hello", utcnow())
        db.session.commit()
        return {"thread": thread.id, "writer": learners[1].id}


def post_ids(path: Path, author_id: int) -> list[int]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [i for (i,) in connection.execute(
            "SELECT id FROM post WHERE author_id = ? ORDER BY id", (author_id,))]
    finally:
        connection.close()


@pytest.fixture
def live(tmp_path):
    url = f"sqlite:///{tmp_path / 'live.sqlite'}"
    app = make_app(url)
    ids = fill(app)
    yield app, tmp_path / "live.sqlite", ids
    with app.app_context():
        db.engine.dispose()


def test_a_backup_of_a_busy_database_holds_every_post_committed_before_it(live, tmp_path):
    """A writer posts all the time; the backup is a snapshot: every post committed before it
    began is in it, and what it holds is exactly the first N posts (nothing torn)."""
    app, _, ids = live
    committed: list[int] = []
    stop = threading.Event()
    failures: list[BaseException] = []

    def writer():
        try:
            with app.app_context():
                author = db.session.get(User, ids["writer"])
                thread = db.session.get(Thread, ids["thread"])
                n = 0
                while not stop.is_set() and n < 5000:
                    n += 1
                    post = discussions.reply(thread, author, f"Post number {n}", utcnow())
                    db.session.commit()
                    committed.append(post.id)
                db.session.remove()
        except BaseException as error:  # reported by the test below
            failures.append(error)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(committed) < 30 and thread.is_alive():
            time.sleep(0.01)
        before = list(committed)
        result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "b.sqlite")])
        time.sleep(0.2)  # the writer carries on during and after the backup
    finally:
        stop.set()
        thread.join(30)
    assert not failures, failures
    assert result.exit_code == 0, result.output
    assert "Backed up to" in result.output and "posts" in result.output
    in_backup = post_ids(tmp_path / "b.sqlite", ids["writer"])
    assert set(before) <= set(in_backup)
    assert in_backup == committed[:len(in_backup)]  # a prefix: one consistent moment
    assert len(committed) > len(before)  # the writer was busy while it ran
    assert not (tmp_path / "b.sqlite-wal").exists()
    check = sqlite3.connect(tmp_path / "b.sqlite")
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert check.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    check.close()


def test_restore_round_trip(live, tmp_path):
    app, live_file, ids = live
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", str(tmp_path / "b.sqlite")]).exit_code == 0
    with app.app_context():
        thread = db.session.get(Thread, ids["thread"])
        author = db.session.get(User, ids["writer"])
        discussions.reply(thread, author, "After the backup", utcnow())
        db.session.commit()
        after = db.session.scalar(select(func.count()).select_from(Post))

    refused = runner.invoke(args=["restore", str(tmp_path / "b.sqlite")])
    assert refused.exit_code == 1
    assert "add --yes" in refused.output
    result = runner.invoke(args=["restore", str(tmp_path / "b.sqlite"), "--yes"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Post)) == after - 1
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"

    # Into an empty database: no --yes needed.
    fresh = make_app(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    result = fresh.test_cli_runner().invoke(args=["restore", str(tmp_path / "b.sqlite")])
    assert result.exit_code == 0, result.output
    with fresh.app_context():
        assert db.session.scalar(select(func.count()).select_from(Post)) == after - 1
        db.engine.dispose()


def test_backup_refuses_to_overwrite_without_yes(live, tmp_path):
    app, _, _ = live
    target = tmp_path / "b.sqlite"
    target.write_text("keep me")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 1 and "already exists" in result.output
    assert target.read_text() == "keep me"
    assert runner.invoke(args=["backup", str(target), "--yes"]).exit_code == 0
    assert target.read_bytes().startswith(b"SQLite format 3")


def test_a_backup_to_a_folder_that_takes_no_files_says_so(live, tmp_path):
    """SQLite's "unable to open database file" came out as a traceback: the file it opens
    was opened outside the `try`."""
    if not Path("/proc/self").exists():
        pytest.skip("no /proc here")
    app, _, _ = live
    result = app.test_cli_runner().invoke(args=["backup", "/proc/nope.sqlite"])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), result.exception  # not a traceback
    assert "Can't write to /proc: " in result.output
    assert "Nothing was written" in result.output


def test_a_backup_that_can_not_be_put_in_place_leaves_nothing_behind(live, tmp_path,
                                                                     monkeypatch):
    """The last step (the finished copy takes its name) fails, as on a full disk: no half
    file is left, under either name."""
    import course_app.backup

    def disk_full(_source, destination):
        raise OSError(errno.ENOSPC, "No space left on device", str(destination))

    app, _, _ = live
    folder = tmp_path / "backups"
    folder.mkdir()
    monkeypatch.setattr(course_app.backup.os, "replace", disk_full)
    result = app.test_cli_runner().invoke(args=["backup", str(folder / "b.sqlite")])
    assert result.exit_code == 1
    assert f"Can't write to {folder}: the disk is full. Nothing was written." in result.output
    assert list(folder.iterdir()) == []


def test_restore_refuses_what_is_not_a_course_app_backup(live, tmp_path):
    app, live_file, _ = live
    runner = app.test_cli_runner()

    def dump() -> list[str]:
        connection = sqlite3.connect(live_file)
        try:
            return list(connection.iterdump())
        finally:
            connection.close()
    before = dump()

    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("hello")
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE things (id integer)").connection.commit()
    old = tmp_path / "old.sqlite"
    assert runner.invoke(args=["backup", str(old)]).exit_code == 0
    connection = sqlite3.connect(old)
    connection.execute("UPDATE alembic_version SET version_num = 'cfb0802e1cdf'")
    connection.commit()
    connection.close()

    for path, words in ((not_sqlite, "not an SQLite database"),
                        (other, "not a course_app database"),
                        (old, "is at migration cfb0802e1cdf"),
                        (tmp_path / "missing.sqlite", "There is no file")):
        result = runner.invoke(args=["restore", str(path), "--yes"])
        assert result.exit_code == 1, result.output
        assert words in result.output, result.output
    assert dump() == before


def test_the_migration_a_backup_must_be_at_is_the_head():
    heads = migration_heads(ROOT / "migrations")
    assert len(heads) == 1


def test_postgresql_is_sent_to_pg_dump(tmp_path):
    app = make_app("postgresql+psycopg://nobody@127.0.0.1:1/none")
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert "pg_dump" in result.output and "pg_restore" in result.output


# ---- PostgreSQL: pg_dump and pg_restore, tried --------------------------------------------

def _postgres() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql") or not (shutil.which("pg_dump")
                                                 and shutil.which("pg_restore")):
        return None
    return url


@pytest.fixture
def two_postgres_databases():
    url = _postgres()
    if url is None:
        pytest.skip("needs TEST_DATABASE_URL on PostgreSQL, and pg_dump and pg_restore")
    import psycopg

    base = make_url(url)
    names = [f"course_backup_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    server = base.set(drivername="postgresql", database="postgres")
    admin = psycopg.connect(server.render_as_string(hide_password=False), autocommit=True)
    for name in names:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield [base.set(database=name) for name in names]
    finally:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_pg_dump_and_pg_restore_round_trip(two_postgres_databases, tmp_path):
    """The way docs/security.md gives for PostgreSQL: every row comes back."""
    source, target = two_postgres_databases
    app = make_app(source.render_as_string(hide_password=False))
    fill(app)
    with app.app_context():
        tables = [t.name for t in db.metadata.sorted_tables] + ["alembic_version"]
        counts = {t: db.session.scalar(text(f'SELECT count(*) FROM "{t}"')) for t in tables}
        db.engine.dispose()
    libpq = {url: url.set(drivername="postgresql").render_as_string(hide_password=False)
             for url in (source, target)}
    dump = tmp_path / "course.dump"
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", libpq[source]], check=True,
                   timeout=120)
    subprocess.run(["pg_restore", "--no-owner", f"--dbname={libpq[target]}", str(dump)],
                   check=True, timeout=120)
    restored = make_app(target.render_as_string(hide_password=False))
    with restored.app_context():
        assert {t: db.session.scalar(text(f'SELECT count(*) FROM "{t}"')) for t in tables} \
            == counts
        assert counts["post"] > 0
        db.engine.dispose()
