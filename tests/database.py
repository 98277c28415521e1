"""How tests get a database cheaply: built once per worker, one rolled-back transaction per test.

- Each pytest-xdist worker has its own database: on SQLite a file in the worker's temp folder;
  on PostgreSQL (TEST_DATABASE_URL) that database's name with the worker's appended
  (`course_tests_gw0`), created here and dropped at the end.
- The schema and the default course are made once per worker (`prepare`).
- Each test runs inside `rolled_back(engine)`: one connection and an outer transaction rolled
  back at the end (or a SAVEPOINT on top of rows several tests share: see `rolled_back`).
  Every session that this thread opens on the test database runs on that connection and
  begins a SAVEPOINT (`join_transaction_mode="create_savepoint"`), so a view's commit releases
  a savepoint and its rollback returns to one, and nothing reaches the next test. This is
  SQLAlchemy's "joining a Session into an external transaction" recipe; the routing is done by
  `RoutedSession.get_bind`, because Flask-SQLAlchemy picks the engine there by bind key and
  would ignore a session's own `bind`.
- What can't share the connection commits for real and calls `reset` afterwards: the live
  server of the browser tests answers in another thread (and a SQLite connection stays in the
  thread that made it). Its demo data is made once per worker and copied back for each
  browser module (`built_once`), on SQLite in milliseconds instead of seconds.
"""

import os
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import Connection, Engine, Transaction, create_engine, delete, event, make_url, text
from sqlalchemy.pool import NullPool

from course_app.clock import utcnow
from course_app.extensions import db
from factories import default_course


@dataclass(frozen=True)
class _Joined:
    connection: Connection
    engine: Engine
    thread: int


_joined: _Joined | None = None


class RoutedSession(FlaskSession):
    """Flask-SQLAlchemy's session, sent to the test's connection while a test runs."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        engine = super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)
        joined = _joined
        if (joined is not None and isinstance(engine, Engine)
                and engine.url == joined.engine.url
                and threading.get_ident() == joined.thread):
            return joined.connection
        return engine


def route_sessions() -> None:
    """Replace `db.session` (a scoped session per app context) with one made of RoutedSession.

    Outside a test transaction a RoutedSession behaves as Flask-SQLAlchemy's own session.
    """
    db.session = db._make_scoped_session(
        {"class_": RoutedSession, "join_transaction_mode": "create_savepoint"})


def enable_sqlite_savepoints(engine: Engine) -> None:
    """pysqlite begins transactions itself, late, and so breaks SAVEPOINT; let SQLAlchemy
    emit BEGIN instead (the workaround in SQLAlchemy's SQLite dialect docs, for Python 3.11)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _no_implicit_begin(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection):
        # The app may have begun already (BEGIN IMMEDIATE for a request that writes).
        if not connection.connection.driver_connection.in_transaction:
            connection.exec_driver_sql("BEGIN")


@dataclass
class _Shared:
    """Rows that consecutive tests read, kept in an outer transaction between them."""
    name: str
    connection: Connection
    transaction: Transaction
    value: Any


_shared: _Shared | None = None


def skip_fsync(engine: Engine) -> None:
    """A test database needn't survive a power cut: on SQLite, commit without waiting for the
    disk (what the live server of the browser tests commits, and the per-worker setup)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _synchronous_off(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


@contextmanager
def rolled_back(engine: Engine, shared: tuple[str, Callable[[], Any]] | None = None):
    """Everything this thread does on `engine`'s database inside the block is undone after.

    With `shared=(name, build)` the block runs in a SAVEPOINT on top of what `build()` made
    (and returned, yielded here). `build` runs once for consecutive blocks that name the same
    rows; a block without them, or with others, or `close_shared()` (at each module's end)
    rolls them back. For rows as costly as the demo cohort, which several tests only read.
    """
    global _joined, _shared
    assert _joined is None, "test transactions don't nest"
    if shared is None:
        close_shared()
        connection = engine.connect()
        transaction = connection.begin()
        value = None
    else:
        if _shared is None or _shared.name != shared[0]:
            close_shared()
            _shared = _build_shared(engine, *shared)
        connection, value = _shared.connection, _shared.value
        transaction = connection.begin_nested()
    _joined = _Joined(connection, engine, threading.get_ident())
    try:
        yield value
    finally:
        _joined = None
        if transaction.is_active:
            transaction.rollback()
        if shared is None:
            connection.close()


def _build_shared(engine: Engine, name: str, build: Callable[[], Any]) -> _Shared:
    global _joined
    connection = engine.connect()
    transaction = connection.begin()
    _joined = _Joined(connection, engine, threading.get_ident())
    try:
        return _Shared(name, connection, transaction, build())
    except BaseException:
        transaction.rollback()
        connection.close()
        raise
    finally:
        _joined = None


def close_shared() -> None:
    """Roll back the shared rows, if any are kept."""
    global _shared
    if _shared is not None:
        shared, _shared = _shared, None
        shared.transaction.rollback()
        shared.connection.close()


def empty() -> None:
    """Delete every row, in the current session (inside a test: undone afterwards)."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(delete(table))


def reset() -> None:
    """Back to what `prepare` made, for data committed outside a test transaction."""
    db.session.rollback()
    empty()
    db.session.commit()
    default_course()


def prepare() -> None:
    """A new schema with the default course (inside an app context)."""
    db.drop_all()
    db.create_all()
    default_course()


# ---- what reaches the database -------------------------------------------------------

@dataclass(frozen=True)
class Sent:
    sql: str
    parameters: Any
    executemany: bool

    @property
    def verb(self) -> str:
        """The statement's first word, in capitals: SELECT, INSERT, SAVEPOINT..."""
        return self.sql.lstrip().split(None, 1)[0].upper()


@contextmanager
def statements_sent() -> Iterator[list[Sent]]:
    """Every statement sent to the database of `db.engine` during the block, in order."""
    sent: list[Sent] = []

    def note(_connection, _cursor, statement, parameters, _context, executemany):
        sent.append(Sent(statement, parameters, executemany))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)


def counted_get(client, url: str, **query):
    """GET `url` as a new request on another server would make it: asked once first (caches
    warmed, reads recorded), then again with a fresh session. (response, statements sent)."""
    client.get(url, query_string=query)
    db.session.remove()
    with statements_sent() as sent:
        response = client.get(url, query_string=query)
    return response, len(sent)


# ---- committed data made once per worker -------------------------------------------

# name -> (the day it was made, an in-memory SQLite copy of the whole database then)
_copies: dict[str, tuple[date, sqlite3.Connection]] = {}


def built_once(name: str, build: Callable[[], None]) -> None:
    """Leave the database as `build()` leaves it (inside an app context; `build` commits).

    On SQLite `build` runs once per worker and day: the database it leaves is copied into
    memory with SQLite's backup API, and later calls copy it back (a few milliseconds; the
    demo takes a couple of seconds to build). Made again on a new day, as data such as a
    paced cohort's calendar is relative to today. On PostgreSQL `build` runs every time."""
    if db.engine.dialect.name != "sqlite":
        build()
        return
    db.session.remove()  # no session may hold the file while it is overwritten
    today = utcnow().date()
    kept = _copies.get(name)
    if kept is not None and kept[0] == today:
        with _sqlite_file(db.engine) as file:
            kept[1].backup(file)
        return
    build()
    db.session.remove()
    memory = sqlite3.connect(":memory:", check_same_thread=False)
    with _sqlite_file(db.engine) as file:
        file.backup(memory)
    _copies[name] = (today, memory)


@contextmanager
def _sqlite_file(engine: Engine) -> Iterator[sqlite3.Connection]:
    """The pysqlite connection under one of `engine`'s pooled connections."""
    with engine.connect() as connection:
        yield connection.connection.driver_connection


# ---- a database per xdist worker -------------------------------------------------

def worker_url(url: str) -> str:
    """The database for this worker: on PostgreSQL `<name>_<worker>`, created if missing."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    parsed = make_url(url)
    if not worker or parsed.get_backend_name() != "postgresql":
        return url
    name = f"{parsed.database}_{worker}"
    with _server(url) as server:
        if not server.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                             {"name": name}):
            server.execute(text(f"CREATE DATABASE {_quoted(name)}"))
    return parsed.set(database=name).render_as_string(hide_password=False)


def drop_worker_database(url: str, worker_database_url: str) -> None:
    """Drop what `worker_url` made; the database TEST_DATABASE_URL names is left alone."""
    if worker_database_url == url:
        return
    name = make_url(worker_database_url).database
    with _server(url) as server:
        server.execute(text(f"DROP DATABASE IF EXISTS {_quoted(name)} WITH (FORCE)"))


@contextmanager
def _server(url: str):
    """An autocommit connection to the named database: CREATE/DROP DATABASE can't be in a
    transaction."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@contextmanager
def own_database(tmp_path, prefix: str):
    """A database for one test only, yielded as its URL: an SQLite file in `tmp_path`, or, when
    TEST_DATABASE_URL is PostgreSQL, a new database `<prefix>_<random>` dropped afterwards (for
    tests whose other processes or threads can't share a test's transaction)."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if make_url(url or "sqlite://").get_backend_name() != "postgresql":
        yield f"sqlite:///{tmp_path / (prefix + '.sqlite')}"
        return
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with _server(url) as server:
        server.execute(text(f"CREATE DATABASE {_quoted(name)}"))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with _server(url) as server:
            server.execute(text(f"DROP DATABASE IF EXISTS {_quoted(name)} WITH (FORCE)"))


def one_cohort(connection) -> None:
    """A course (id 1) and its cohort (id 1) as bare rows, for a migration test that seeds
    the tables as they were at an older revision (no models: they are today's)."""
    connection.execute(text(
        "INSERT INTO course (id, slug, title, summary, audience, imported_at) "
        "VALUES (1, 'c', 'C', '', '', '2026-01-01 00:00:00')"))
    connection.execute(text(
        "INSERT INTO cohort (id, course_id, name, enrolment_key, paced, state, silent_days, "
        "welcome_message, created_at) VALUES (1, 1, 'K', 'AAAA-BBBB', 0, 'open', 5, '', "
        "'2026-01-01 00:00:00')"))
