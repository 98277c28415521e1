"""The job queue: one huey instance whose storage the app's config chooses (`configure`):
SQLite in instance/jobs.sqlite by default (a file of its own in instance/ for any other
database: `queue_file`), Redis when JOBS_URL (or REDIS_URL) is set, so several app servers
share one queue; memory in tests.

Jobs are enqueued only when the transaction that asked for them commits (`on_commit`): a
request that rolls back (an error, a refused form) sends nothing. Each task runs in an app
context: the caller's in tests and CLI commands, else the worker's app (`bind`).
"""

import functools
import hashlib
import logging
import re
from pathlib import Path

from flask import Flask, has_app_context
from huey import Huey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

from ..config import default_database_url
from ..extensions import db

NAME = "course_app"
PENDING = "jobs.pending"  # in Session.info: the jobs this transaction will enqueue

huey = Huey(NAME, results=False, storage_class=MemoryStorage)
log = logging.getLogger(__name__)
_worker_app: Flask | None = None


def storage_for(config: dict, instance_path: str):
    if config.get("JOBS_STORAGE") == "memory":
        return MemoryStorage(NAME)
    if config.get("JOBS_URL"):
        return RedisStorage(NAME, url=config["JOBS_URL"])
    return SqliteStorage(NAME, filename=str(queue_file(config, instance_path)))


def queue_file(config: dict, instance_path: str) -> Path:
    """Where the SQLite queue lives: instance/jobs.sqlite for the default database; for any
    other (DATABASE_URL=sqlite:////tmp/try/app.sqlite, or PostgreSQL without Redis) a queue
    of its own in instance/, named after that database: jobs-postgresql-course.sqlite, or
    for an SQLite file jobs-sqlite-app-1a2b3c.sqlite (a tag of its full path). A queue holds
    ids of rows in its database, so two databases must never share one (a worker would
    send one's emails to whoever has those ids in the other). The name comes from what the
    database is, not how its address is written (a password, localhost or 127.0.0.1, a
    relative path), so the app and its worker always find the same queue. instance/ is
    always there, so a mistyped database folder can't stop the app, --help included."""
    instance = Path(instance_path)
    uri = config.get("SQLALCHEMY_DATABASE_URI") or ""
    if not uri or uri == default_database_url(instance_path):
        return instance / "jobs.sqlite"
    try:
        url = make_url(uri)
    except ArgumentError:
        return instance / "jobs-database.sqlite"
    backend, database = url.get_backend_name(), url.database or "memory"
    if backend == "sqlite" and database != ":memory:":
        path = Path(database).resolve()
        if path == Path(default_database_url(instance_path).removeprefix("sqlite:///")):
            return instance / "jobs.sqlite"
        tag = hashlib.sha256(str(path).encode()).hexdigest()[:6]
        name = f"sqlite-{path.stem}-{tag}"
    else:
        name = f"{backend}-{database}"
    return instance / f"jobs-{re.sub(r'[^A-Za-z0-9_-]+', '-', name)[:60]}.sqlite"


def configure(app: Flask) -> None:
    """Not huey's immediate mode, even in tests: that would run a job inside the commit that
    queued it. Tests use the memory queue and `run_pending`."""
    huey.storage = storage_for(app.config, app.instance_path)


def bind(app: Flask) -> None:
    """The app whose context a worker's tasks run in."""
    global _worker_app
    _worker_app = app


def _in_app_context(fn):
    @functools.wraps(fn)
    def run(*args, **kwargs):
        if has_app_context():
            return fn(*args, **kwargs)
        if _worker_app is None:
            raise RuntimeError("jobs.queue.bind(app) first (the worker does)")
        with _worker_app.app_context():  # its own session, removed when the context ends
            return fn(*args, **kwargs)
    return run


def task(**options):
    """huey's `task`, run in an app context."""
    return lambda fn: huey.task(**options)(_in_app_context(fn))


def periodic_task(validate_datetime, **options):
    """huey's `periodic_task` (e.g. `crontab(minute="*/15")`), run in an app context."""
    return lambda fn: huey.periodic_task(validate_datetime, **options)(_in_app_context(fn))


def on_commit(call) -> None:
    """Enqueue `call` (a task's `.s(...)`) when db.session's transaction commits; forget it if
    the transaction rolls back."""
    db.session.info.setdefault(PENDING, []).append(call)


@event.listens_for(Session, "after_commit")
def _enqueue_pending(session) -> None:
    for call in session.info.pop(PENDING, []):
        try:
            huey.enqueue(call)
        except Exception:  # the data is committed: a lost email must not turn into an error page
            log.exception("could not enqueue %s", call)


@event.listens_for(Session, "after_soft_rollback")
def _forget_pending(session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(PENDING, None)


def pending_count() -> int:
    """Jobs waiting in the queue (not counting those scheduled for later)."""
    return huey.pending_count()


def run_pending(limit: int = 1000) -> int:
    """Run the queued jobs here, one after another (tests, the `jobs run-pending` command).
    Returns how many ran."""
    ran = 0
    while ran < limit:
        job = huey.dequeue()
        if job is None:
            break
        huey.execute(job)
        ran += 1
    return ran
