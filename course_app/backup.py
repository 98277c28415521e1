"""Backing up the SQLite database while the app runs, and restoring a backup.

A plain copy of a live SQLite file is not a backup: in WAL mode the latest commits live in
the write-ahead log (`-wal`) until a checkpoint, so a copied file misses them (seven posts of
1,482 in one try), and a copy taken mid-write can be torn. SQLite's online backup API
(`sqlite3.Connection.backup`) reads the database through SQLite itself, log included, in one
step under one read transaction: the copy is a consistent snapshot of every commit before it
began, and writers carry on meanwhile (WAL readers never block them).

Restoring writes the backup's pages into the database through SQLite's locks, the same way,
so connections that stay open see the restored data, never a half-copied file. A backup is
checked first: an SQLite file, intact, with course_app's tables, at the migration this code
expects.

PostgreSQL has its own tools (pg_dump, pg_restore): `PG_HOW` says how.
"""

import errno
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

HEADER = b"SQLite format 3\x00"
TABLES = ("alembic_version", "users", "cohort", "thread", "post")  # course_app's, at least
COUNTS = {"accounts": "SELECT count(*) FROM users", "cohorts": "SELECT count(*) FROM cohort",
          "posts": "SELECT count(*) FROM post"}
PG_HOW = ("This database is PostgreSQL, which has its own tools. Back up with\n"
          "  pg_dump --format=custom --file=BACKUP.dump \"$DATABASE_URL\"\n"
          "and restore into an empty database with\n"
          "  pg_restore --no-owner --dbname=\"$DATABASE_URL\" BACKUP.dump\n"
          "(with --clean --if-exists to replace what is there), where $DATABASE_URL is a\n"
          "postgresql://user@host/db address (without +psycopg). See docs/security.md.")


class BackupError(Exception):
    """Why a backup or restore can't be done, worded for the person at the terminal.
    Nothing was changed."""


@dataclass(frozen=True)
class Summary:
    """What a backup file holds."""

    path: Path
    revision: str
    counts: dict[str, int]  # "accounts", "cohorts", "posts"

    def describe(self) -> str:
        counted = ", ".join(f"{n} {what}" for what, n in self.counts.items())
        return f"migration {self.revision}; {counted}"


# Why the system refused a write, in plain words (the OSError's own words otherwise).
REFUSALS = {errno.EACCES: "you don't have permission to write there",
            errno.EPERM: "you don't have permission to write there",
            errno.EROFS: "it is read-only", errno.ENOSPC: "the disk is full",
            errno.EDQUOT: "your disk quota is used up",
            errno.ENOENT: "it doesn't take new files or folders",
            errno.ENOTDIR: "part of that path is a file, not a folder",
            errno.ENAMETOOLONG: "the name is too long"}


def unwritable(folder: Path, error: OSError) -> str:
    """"Can't write to FOLDER: why." for a file or folder the system refused to make there
    (a backup, an exported course)."""
    reason = REFUSALS.get(error.errno) or (error.strerror or str(error)).lower()
    return f"Can't write to {folder}: {reason}."


def sqlite_file(database_url: str) -> Path:
    """The file behind an SQLite URL; BackupError for PostgreSQL or an in-memory database."""
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite"):
        raise BackupError(PG_HOW)
    if not url.database or url.database == ":memory:" or url.database.startswith("file::memory"):
        raise BackupError("This database lives in memory only: there is no file to back up.")
    return Path(url.database)


def _connect(path: Path, timeout_s: float) -> sqlite3.Connection:
    return sqlite3.connect(str(path), timeout=timeout_s, isolation_level=None)


def _read_only(path: Path) -> sqlite3.Connection:
    """A connection that can't change the file (a backup being checked or restored from)."""
    return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)


def summarise(connection: sqlite3.Connection, path: Path) -> Summary:
    """Check a database is intact and course_app's, and say what it holds."""
    try:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a database SQLite can read ({error}).") from None
    if integrity != "ok":
        raise BackupError(f"{path} is damaged (SQLite's integrity check says: {integrity}).")
    missing = [t for t in TABLES if t not in tables]
    if missing:
        raise BackupError(f"{path} is not a course_app database: it has no "
                          f"{', '.join(missing)} {'tables' if len(missing) > 1 else 'table'}.")
    revisions = [r for (r,) in connection.execute("SELECT version_num FROM alembic_version")]
    counts = {what: connection.execute(query).fetchone()[0] for what, query in COUNTS.items()}
    return Summary(path, ",".join(sorted(revisions)) or "none", counts)


def backup(database_url: str, destination: Path, *, replace: bool = False,
           timeout_s: float = 30.0) -> Summary:
    """Copy the live database to `destination` (a single file, no -wal beside it), checked.
    Written beside it first and moved into place, so a failed backup leaves no half file."""
    source = sqlite_file(database_url)
    if not source.exists():
        raise BackupError(f"There is no database at {source} yet: nothing to back up.")
    destination = Path(destination)
    if destination.resolve() == source.resolve():
        raise BackupError("The backup must go to another file than the database itself.")
    if destination.exists() and not replace:
        raise BackupError(f"{destination} already exists. Choose another name, or add --yes "
                          "to replace it.")
    if not destination.parent.is_dir():
        raise BackupError(f"There is no folder {destination.parent} to put the backup in.")
    partial = destination.with_name(f".{destination.name}.partial")
    try:
        partial.unlink(missing_ok=True)
        # Made here first, so a folder that takes no files is told in the system's words
        # (SQLite's are only "unable to open database file").
        os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except OSError as error:
        raise BackupError(f"{unwritable(destination.parent, error)} Nothing was written.") \
            from None
    src = dst = None
    try:
        src = _connect(source, timeout_s)
        dst = _connect(partial, timeout_s)
        src.backup(dst)  # all pages in one step: one read transaction, one snapshot
        dst.execute("PRAGMA journal_mode=DELETE")  # a self-contained file, no -wal to forget
        summary = summarise(dst, destination)
        dst.close()
        os.replace(partial, destination)
    except (sqlite3.Error, OSError, BackupError) as error:
        for connection in (dst, src):
            if connection is not None:
                connection.close()
        partial.unlink(missing_ok=True)
        if isinstance(error, BackupError):
            raise
        if isinstance(error, OSError):
            raise BackupError(f"{unwritable(destination.parent, error)} Nothing was "
                              "written.") from None
        raise BackupError(f"The backup failed: {error}. Nothing was written.") from None
    finally:
        if src is not None:
            src.close()
    return summary


def inspect(path: Path) -> Summary:
    """Check a backup file without changing it."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"There is no file {path}.")
    with path.open("rb") as fh:
        if fh.read(len(HEADER)) != HEADER:
            raise BackupError(f"{path} is not an SQLite database (a PostgreSQL dump goes to "
                              "pg_restore).")
    connection = _read_only(path)
    try:
        return summarise(connection, path)
    finally:
        connection.close()


def has_data(path: Path) -> bool:
    """The database file exists and holds at least one table."""
    if not path.exists() or path.stat().st_size == 0:
        return False
    connection = _read_only(path)
    try:
        return connection.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] > 0
    finally:
        connection.close()


def migration_heads(directory: str | Path) -> set[str]:
    """The migrations this code's database is at once upgraded (the heads of migrations/)."""
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory(str(directory)).get_heads())


def restore(database_url: str, source: Path, expected_revisions: set[str], *,
            replace: bool = False, timeout_s: float = 30.0) -> Summary:
    """Put a backup's data in place of the database's. The backup must be at the migration
    this code expects (`expected_revisions`: the heads of migrations/); an existing database
    is replaced only with `replace`."""
    target = sqlite_file(database_url)
    summary = inspect(source)
    if set(summary.revision.split(",")) != expected_revisions:
        raise BackupError(
            f"{source} is at migration {summary.revision}, and this version of course_app "
            f"expects {', '.join(sorted(expected_revisions))}. Bring the backup up to date "
            f"first (DATABASE_URL=sqlite:///{Path(source).resolve()} flask --app course_app "
            "db upgrade), then restore it; or restore it with the version of course_app "
            "that made it.")
    if Path(target).resolve() == Path(source).resolve():
        raise BackupError("That backup is the database itself.")
    if has_data(target) and not replace:
        raise BackupError(f"The database at {target} holds data, which restoring would "
                          "replace. Back it up first, then add --yes to replace it.")
    src = _read_only(source)
    dst = _connect(target, timeout_s)
    try:
        src.backup(dst)
    except sqlite3.Error as error:
        raise BackupError(f"The restore failed: {error}. The database was not changed.") \
            from None
    finally:
        dst.close()
        src.close()
    return summary
