"""Writing the simulated world with bulk inserts, in batches, tables in the order their
foreign keys need: on SQLite, SQLAlchemy Core `insert()` with lists of dicts (executemany);
on PostgreSQL the same dicts through COPY, eight times faster than executemany there. Ids are given
explicitly (in time order, as the app would have numbered rows), so PostgreSQL's sequences
are moved past them afterwards.

Rows go in through plain copies of the app's tables: times already as the database stores
them (naive UTC; on SQLite the text SQLAlchemy writes) and enums as their values, so the
per-value conversions of UTCDateTime and Enum don't run ten million times.
"""

import json
import random
from datetime import UTC, date, datetime

from sqlalchemy import Column, DateTime, Enum, MetaData, String, Table, insert

from .database import is_sqlite, reset_sequences
from .plan import HELP_THREAD_BODY, World
from .progressbar import Bar
from .text import bodies


def _day(seconds: float) -> date:
    return datetime.fromtimestamp(seconds, UTC).date()


def _time_converter(sqlite: bool):
    """POSIX seconds to what the column holds: naive UTC (UTCDateTime's rule), as text on
    SQLite in SQLAlchemy's format (always with microseconds)."""
    def naive(seconds):
        if seconds is None:
            return None
        return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)

    def text(seconds):
        if seconds is None:
            return None
        return naive(seconds).isoformat(sep=" ", timespec="microseconds")

    return text if sqlite else naive


def _plain(table, sqlite: bool, values: dict[str, set] | None = None) -> Table:
    """A copy of `table` whose times and enums take values as stored. `values` are the enum
    values the rows will use: checked against the app's enums here, once."""
    columns = []
    for column in table.c:
        kind = column.type
        if isinstance(kind, Enum):
            allowed = {member.value for member in kind.enum_class}
            unknown = (values or {}).get(column.name, set()) - allowed
            if unknown:
                raise ValueError(f"{table.name}.{column.name} has no {sorted(unknown)}")
            kind = String(kind.length)
        elif isinstance(kind, DateTime) or isinstance(getattr(kind, "impl", None), DateTime):
            kind = String(26) if sqlite else DateTime()
        columns.append(Column(column.name, kind, primary_key=column.primary_key))
    return Table(table.name, MetaData(), *columns)


def write(engine, models, world: World, found: dict, course_id: int, password_hash: str,
          batch: int) -> dict[str, int]:
    """Insert everything; returns rows written per table."""
    sqlite = is_sqlite(str(engine.url))
    plan = _tables(models, world, found, course_id, password_hash, sqlite)
    bar = Bar(sum(total for _, total, _ in plan), "writing")
    written = {}
    with engine.connect() as conn:
        if sqlite:
            # Loading only: no fsync, no foreign-key checks (the rows are built consistent),
            # a large page cache for the indexes. The app's own settings apply on its connections.
            for pragma in ("foreign_keys=OFF", "synchronous=OFF", "journal_mode=WAL",
                           "cache_size=-1000000", "temp_store=MEMORY"):
                conn.exec_driver_sql(f"PRAGMA {pragma}")
        else:  # the same for PostgreSQL: no foreign-key triggers, no waiting for the WAL flush
            conn.exec_driver_sql("SET session_replication_role = replica")
            conn.exec_driver_sql("SET synchronous_commit = off")
        put = (lambda table, rows: conn.execute(insert(table), rows)) if sqlite else (
            lambda table, rows: _copy(conn, table, rows))
        for table, total, rows in plan:
            pending = []
            for row in rows:
                pending.append(row)
                if len(pending) >= batch:
                    put(table, pending)
                    bar.update(len(pending), table.name)
                    pending = []
            if pending:
                put(table, pending)
                bar.update(len(pending), table.name)
            conn.commit()
            written[table.name] = total
        bar.close()
        if sqlite:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            reset_sequences(conn, [table for table, _, _ in plan])
            conn.commit()
    return written


def _copy(conn, table, rows: list[dict]) -> None:
    """PostgreSQL's COPY, through psycopg, inside the connection's transaction."""
    names = ", ".join(f'"{name}"' for name in rows[0])
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([json.dumps(v) if isinstance(v, dict) else v for v in row.values()])


def _tables(m, world: World, found: dict, course_id: int, password_hash: str, sqlite: bool):
    """(table, row count, row iterator) in foreign-key order."""
    rng = random.Random(world.sizes.seed + 1)
    at = _time_converter(sqlite)
    releases = [(co.id, n, t) for co in world.cohorts for n, t in sorted(co.releases.items())]
    members = sorted(world.memberships, key=lambda row: row[3])

    def plain(model, **values):
        return _plain(model.__table__, sqlite, values)

    return [
        (plain(m.User, role={u[3] for u in world.users}), len(world.users),
         _users(world, password_hash, at)),
        (plain(m.Cohort, state={co.state for co in world.cohorts}), len(world.cohorts),
         _cohorts(world, course_id, at)),
        (plain(m.StageRelease), len(releases), _releases(releases)),
        (plain(m.Membership, role={row[2] for row in members}), len(members),
         _memberships(members, at)),
        (plain(m.Thread, kind={th.kind for th in world.threads}), len(world.threads),
         _threads(world, at)),
        (plain(m.Post), len(world.post_order), _posts(world, rng, at)),
        (plain(m.PostRead), len(found["reads"]), _reads(found["reads"], at)),
        (plain(m.Activity, kind={"observe", "interact", "initiate"}), len(found["log"]),
         _activity(found["log"], at)),
        (plain(m.Completion), len(found["done"]), _completions(found["done"], at)),
        (plain(m.Notification, kind={row[3] for row in found["notes"]}), len(found["notes"]),
         _notifications(found["notes"], at)),
    ]


def _releases(releases):
    for i, (cohort, number, at) in enumerate(releases, start=1):
        yield {"id": i, "cohort_id": cohort, "stage_number": number, "opens_on": _day(at)}


def _memberships(members, at):
    for i, (cohort, user, role, joined) in enumerate(members, start=1):
        yield {"id": i, "cohort_id": cohort, "user_id": user, "role": role,
               "joined_at": at(joined), "removed_at": None}


def _threads(world: World, at):
    for th in world.threads:
        yield {"id": th.id, "cohort_id": th.cohort.id,
               "etivity_id": th.etivity.id if th.etivity else None, "author_id": th.author,
               "kind": th.kind, "title": th.title, "piece": th.piece,
               "created_at": at(th.opened), "last_post_at": at(th.posts[-1][0]),
               "pinned": th.kind == "help", "locked": False}


def _reads(reads, at):
    for user, post, thread, read in reads:
        yield {"user_id": user, "post_id": post, "thread_id": thread, "read_at": at(read)}


def _activity(log, at):
    for i, (created, cohort, user, etivity, kind, post, peer) in enumerate(log, start=1):
        yield {"id": i, "cohort_id": cohort, "user_id": user, "etivity_id": etivity,
               "kind": kind, "post_id": post, "peer_id": peer, "created_at": at(created),
               "voided_at": None}


def _completions(done, at):
    for i, (completed, cohort, user, etivity, evidence) in enumerate(done, start=1):
        yield {"id": i, "cohort_id": cohort, "user_id": user, "etivity_id": etivity,
               "completed_at": at(completed), "by_hand_by_id": None, "evidence": evidence}


def _notifications(notes, at):
    for i, (created, user, cohort, kind, text, link, read) in enumerate(notes, start=1):
        yield {"id": i, "user_id": user, "cohort_id": cohort, "kind": kind, "text": text,
               "link": link, "created_at": at(created), "read_at": at(read)}


def _users(world: World, password_hash: str, at):
    for uid, email, name, role, created in world.users:
        yield {"id": uid, "email": email, "name": name, "about": "", "password_hash": password_hash,
               "role": role, "created_at": at(created), "last_login_at": None}


def _cohorts(world: World, course_id: int, at):
    for co in world.cohorts:
        yield {"id": co.id, "course_id": course_id, "name": co.name, "enrolment_key": co.key,
               "capacity": None, "paced": co.paced, "starts_on": _day(co.start),
               "state": co.state, "silent_days": 5, "welcome_message": "",
               "created_at": at(co.created)}


def _posts(world: World, rng: random.Random, at):
    openings, replies = bodies(world.sizes.seed)
    threads = world.threads
    for post_id, (index, position) in enumerate(world.post_order, start=1):
        th = threads[index]
        created, author, parent = th.posts[position]
        if parent is None:
            body = HELP_THREAD_BODY if th.kind == "help" else openings[post_id % len(openings)]
        else:
            body = replies[(post_id * 7919) % len(replies)]
        yield {"id": post_id, "thread_id": th.id, "position": position, "author_id": author,
               "parent_id": None if parent is None else th.post_ids[parent], "body": body,
               "created_at": at(created), "submission_key": f"{rng.getrandbits(128):032x}"}
