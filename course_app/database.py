"""The database under load and in trouble: SQLite set up for several workers, a bounded
retry while the database is busy, and the write check behind /healthz.

SQLite allows one writer at a time. A request that writes (POST and the like) takes the write
lock when its transaction begins (BEGIN IMMEDIATE, the pysqlite recipe: pysqlite's own
BEGIN is turned off for it), waiting up to SQLITE_BUSY_TIMEOUT, so everything it reads is
read under the lock and its writes can't fail half way because another writer went first.
Other requests (GET) keep pysqlite's way: reads see the latest commit and never wait for
writers (WAL), and the rare write (recording what was read) begins a transaction just
before it, waiting for the lock the same way.

When the database stays busy, `retrying` runs the view again, at most DB_BUSY_RETRIES more
times, but only while nothing in the request has been committed, so a retry never does
anything twice. After that the error reaches `errors.py`, which answers 503 and gives the
writer back what they typed.
"""

import time
from functools import wraps

from flask import Flask, current_app, has_request_context, request
from sqlalchemy import event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from .extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRITE_LOCK_POLL = 0.001  # seconds between tries for SQLite's write lock (see begin_immediate)
# The database is busy or can't be reached (locked, gone, no connection free in time): a
# request answers 503 and keeps what was typed (errors.py); a job tries again later
# (jobs/sending.py).
TROUBLE = (OperationalError, PoolTimeout)
# PostgreSQL: lock_not_available, serialization_failure, deadlock_detected.
BUSY_SQLSTATES = frozenset({"55P03", "40001", "40P01"})
RETRY_PAUSE = 0.2  # seconds, times the attempt number: a little air between attempts


def is_busy(error: BaseException) -> bool:
    """The database is there but can't take this write now: worth waiting and trying again."""
    if not isinstance(error, DBAPIError):
        return False
    original = error.orig
    if is_busy_message(str(original)):
        return True
    return getattr(original, "sqlstate", None) in BUSY_SQLSTATES


def is_busy_message(message: str) -> bool:
    """SQLite's words for "another connection holds the lock"."""
    message = message.lower()
    return "database is locked" in message or "database table is locked" in message


def _state() -> dict:
    """This request's notes (kept in its WSGI environ: `g` may outlive a request in tests)."""
    return request.environ.setdefault("course_app.database", {})


def no_more_writes() -> None:
    """From here on this request only reads (an error page after the database failed): its
    transactions begin deferred, so drawing the page doesn't wait for the write lock again."""
    _state()["read_only"] = True


def _begins_immediately() -> bool:
    if not has_request_context() or _state().get("read_only"):
        return False
    return request.method not in SAFE_METHODS or bool(_state().get("retrying"))


def _note_commit(_session) -> None:
    if has_request_context():
        _state()["committed"] = True


def retrying(view):
    """Run a view again while the database is busy, if nothing was committed yet."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        retries = current_app.config["DB_BUSY_RETRIES"]
        for attempt in range(retries + 1):
            try:
                return view(*args, **kwargs)
            except DBAPIError as error:
                if not is_busy(error) or attempt == retries or _state().get("committed"):
                    raise
                db.session.rollback()
                current_app.logger.warning("database busy on %s %s; trying again (%d of %d)",
                                           request.method, request.path, attempt + 1, retries)
                # A GET that writes (recording what was read) takes the lock at once next time.
                _state()["retrying"] = True
                time.sleep(RETRY_PAUSE * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    return wrapped


def register(app: Flask) -> None:
    """Wrap every view in `retrying` (after blueprints and throttling are in place) and set
    up SQLite."""
    for endpoint, view in list(app.view_functions.items()):
        if endpoint != "static":
            app.view_functions[endpoint] = retrying(view)
    if not event.contains(Session, "after_commit", _note_commit):
        event.listen(Session, "after_commit", _note_commit)
    _configure_sqlite(app)


def _configure_sqlite(app: Flask) -> None:
    """WAL (readers don't block the writer), foreign keys (cascades work), a busy timeout,
    and BEGIN IMMEDIATE for requests that write."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if not uri.startswith("sqlite"):
        return
    busy_timeout = int(app.config["SQLITE_BUSY_TIMEOUT"])

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if ":memory:" not in uri:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        driver = connection.connection.driver_connection
        if _begins_immediately():
            driver.isolation_level = None  # pysqlite stays out of the way: we BEGIN ourselves
            begin_immediate(connection.exec_driver_sql, busy_timeout)
        else:
            # pysqlite's own way: each read sees the latest commit, and a (deferred)
            # transaction begins just before the first write.
            driver.isolation_level = ""


def begin_immediate(execute, timeout_ms: int) -> None:
    """BEGIN IMMEDIATE, trying every millisecond for up to `timeout_ms` while another
    connection holds the write lock, then "database is locked" as SQLite would say it.

    SQLite's own wait (the busy timeout) sleeps longer and longer between tries, up to 100 ms,
    so under steady writes a worker that just committed takes the lock again before the
    sleeping one wakes: measured with two workers and four writers, half the replies took
    60 ms and one in twenty over 570 ms. Trying every millisecond catches the moment the lock
    is free, so writers take turns. The busy timeout stays as it was for everything else.
    `execute` runs one statement (the connection's `exec_driver_sql`, so errors come as
    SQLAlchemy's, which `retrying` knows)."""
    deadline = time.monotonic() + timeout_ms / 1000
    execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                execute("BEGIN IMMEDIATE")
                return
            except DBAPIError as error:
                if not is_busy(error) or time.monotonic() >= deadline:
                    raise
            time.sleep(WRITE_LOCK_POLL)
    finally:
        execute(f"PRAGMA busy_timeout={int(timeout_ms)}")


def accepts_writes(timeout_ms: int) -> bool:
    """Whether the database would take a write now, without changing anything.

    SQLite: take the write lock (waiting at most `timeout_ms`), rewrite the file header's
    user_version with its own value, and roll back: a read-only file refuses the write.
    PostgreSQL: the server is not a standby and transactions are not read-only.
    """
    try:
        with db.engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                _probe_sqlite(connection.connection.driver_connection, timeout_ms)
            else:
                # SET LOCAL: undone with the transaction, when the connection goes back.
                connection.execute(text(f"SET LOCAL statement_timeout = {int(timeout_ms)}"))
                writable = connection.scalar(text(
                    "SELECT current_setting('transaction_read_only') = 'off' "
                    "AND NOT pg_is_in_recovery()"))
                if not writable:
                    raise RuntimeError("the server is read-only or a standby")
    except Exception:  # whatever the reason, the answer is "no"; the log says why
        current_app.logger.warning("health check: the database does not take writes",
                                   exc_info=True)
        return False
    return True


def _probe_sqlite(driver, timeout_ms: int) -> None:
    version = driver.execute("PRAGMA user_version").fetchone()[0]
    driver.execute(f"PRAGMA busy_timeout={int(timeout_ms)}")
    try:
        driver.execute("BEGIN IMMEDIATE")
        driver.execute(f"PRAGMA user_version={int(version)}")
    finally:
        if driver.in_transaction:
            driver.execute("ROLLBACK")
        driver.execute(f"PRAGMA busy_timeout={int(current_app.config['SQLITE_BUSY_TIMEOUT'])}")


# PostgreSQL's unique_violation; SQLite says "UNIQUE constraint failed" (a primary key too).
DUPLICATE_SQLSTATE = "23505"


def is_duplicate(error: BaseException) -> bool:
    """A unique key refused a row: another request stored the same thing a moment before
    (two requests collided), not a fault in what was sent."""
    if not isinstance(error, IntegrityError):
        return False
    original = error.orig
    return (getattr(original, "sqlstate", None) == DUPLICATE_SQLSTATE
            or "unique constraint failed" in str(original).lower())


def added(row) -> bool:
    """Add `row` and flush it in a SAVEPOINT: False, with nothing added, when a row with the
    same unique key is there already because another request stored it a moment ago (on
    PostgreSQL it waited for that one to commit). Either way the transaction goes on, so the
    caller reads the row that is there and carries on as if it had made it. Any other
    refusal (a foreign key, a NOT NULL) is raised as it was."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError as error:
        if not is_duplicate(error):
            raise
        return False
    return True


def insert_or_merge(model):
    """An INSERT with `on_conflict_do_nothing` and `on_conflict_do_update` (and `excluded`),
    for the database this session uses: SQLite and PostgreSQL spell them the same way. A
    counter then grows in one statement, atomically, whichever server runs it."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(model)
