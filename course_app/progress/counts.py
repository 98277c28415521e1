"""The counts tables: what the activity log says per learner and e-tivity (`ActivityCount`)
and per learner and week (`ActivityWeek`), so that pages read a few rows instead of counting
the whole log.

`evidence` calls `added` and `changed` in the transaction that writes the log, so the counts
move with it; each change is one INSERT … ON CONFLICT DO UPDATE that adds to the stored
figure, atomic on SQLite and PostgreSQL alike, whichever app server runs it.
`rebuild_cohort` makes them again from the log (the `progress rebuild-counts` command),
with the same sums as the migration that created them.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import Date, and_, case, cast, delete, distinct, func, insert, select, text, update

from ..database import insert_or_merge
from ..extensions import db
from .models import Activity, ActivityCount, ActivityWeek, Mode

COUNTED = (Mode.OBSERVE, Mode.INITIATE)  # counted one by one; interact counts different peers


def monday(day: date) -> date:
    """Weeks start on Monday (UTC)."""
    return day - timedelta(days=day.weekday())


def added(cohort_id: int, user_id: int, etivity_id: int, kinds: Iterable[Mode],
          at: datetime) -> None:
    """New evidence, all at `at`, by one learner in one e-tivity: one entry per activity row
    just written (`kinds` may repeat)."""
    tally = Counter(kinds)
    if not tally:
        return
    _add_counts(cohort_id, user_id, etivity_id, tally, at)
    _add_week(cohort_id, user_id, monday(at.date()), tally)


def changed(rows: Iterable[Activity], sign: int) -> None:
    """Activity rows just voided (`sign` -1) or restored (+1)."""
    by_key: dict[tuple[int, int, int], Counter] = defaultdict(Counter)
    latest: dict[tuple[int, int, int], datetime] = {}
    by_week: dict[tuple[int, int, date], Counter] = defaultdict(Counter)
    for row in rows:
        key = (row.cohort_id, row.user_id, row.etivity_id)
        by_key[key][row.kind] += sign
        latest[key] = max(latest.get(key, row.created_at), row.created_at)
        by_week[(row.cohort_id, row.user_id, monday(row.created_at.date()))][row.kind] += sign
    for key, tally in by_key.items():
        _add_counts(*key, tally, latest[key])
    for key, tally in by_week.items():
        _add_week(*key, tally)


def _add_counts(cohort_id: int, user_id: int, etivity_id: int, tally: Counter,
                at: datetime) -> None:
    table = ActivityCount.__table__
    values = {mode.value: tally.get(mode, 0) for mode in COUNTED}
    stmt = insert_or_merge(table).values(cohort_id=cohort_id, user_id=user_id,
                                         etivity_id=etivity_id, interact=0, last_at=at,
                                         **values)
    newer = stmt.excluded.last_at > table.c.last_at
    db.session.execute(stmt.on_conflict_do_update(
        index_elements=[table.c.cohort_id, table.c.user_id, table.c.etivity_id],
        set_={**{name: table.c[name] + stmt.excluded[name] for name in values},
              "last_at": case((newer, stmt.excluded.last_at), else_=table.c.last_at)},
    ))
    if tally.get(Mode.INTERACT):
        # Different peers: recounted from this learner's few replies here, under the row
        # lock the upsert above took, so two replies at once can't both count one peer.
        db.session.execute(
            update(table)
            .where(table.c.cohort_id == cohort_id, table.c.user_id == user_id,
                   table.c.etivity_id == etivity_id)
            .values(interact=select(func.count(distinct(Activity.peer_id))).where(
                Activity.cohort_id == cohort_id, Activity.user_id == user_id,
                Activity.etivity_id == etivity_id, Activity.kind == Mode.INTERACT,
                Activity.voided_at.is_(None)).scalar_subquery()))


def _add_week(cohort_id: int, user_id: int, week: date, tally: Counter) -> None:
    table = ActivityWeek.__table__
    values = {mode.value: tally.get(mode, 0) for mode in Mode}
    stmt = insert_or_merge(table).values(cohort_id=cohort_id, user_id=user_id, week=week,
                                         **values)
    db.session.execute(stmt.on_conflict_do_update(
        index_elements=[table.c.cohort_id, table.c.user_id, table.c.week],
        set_={name: table.c[name] + stmt.excluded[name] for name in values},
    ))


# ---- rebuilding from the log -------------------------------------------------------------

def _week_of(column):
    """The Monday of a stored time, in SQL. SQLite reads the date part of the text, so a time
    a microsecond before midnight is not rounded into the next day."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc("week", column), Date)
    return func.date(func.substr(column, 1, 10), "weekday 0", "-6 days")


def _counts_from_log(cohort_id: int):
    live = Activity.voided_at.is_(None)

    def distinct_live(mode: Mode, column):
        return func.count(distinct(case((and_(live, Activity.kind == mode), column))))

    return select(
        Activity.cohort_id, Activity.user_id, Activity.etivity_id,
        distinct_live(Mode.OBSERVE, Activity.post_id),
        distinct_live(Mode.INTERACT, Activity.peer_id),
        distinct_live(Mode.INITIATE, Activity.post_id),
        func.max(Activity.created_at),
    ).where(Activity.cohort_id == cohort_id).group_by(
        Activity.cohort_id, Activity.user_id, Activity.etivity_id)


def _weeks_from_log(cohort_id: int):
    """A row for each week with any evidence (as `added` makes them), summing the live."""
    week = _week_of(Activity.created_at).label("monday")

    def events(mode: Mode):
        return func.sum(case((Activity.voided_at.is_(None) & (Activity.kind == mode), 1),
                             else_=0))

    return select(
        Activity.cohort_id, Activity.user_id, week,
        events(Mode.OBSERVE), events(Mode.INTERACT), events(Mode.INITIATE),
    ).where(Activity.cohort_id == cohort_id).group_by(Activity.cohort_id, Activity.user_id, week)


def lock_while_counting(*tables: str) -> None:
    """PostgreSQL: hold other writers to these tables back until the transaction ends, so a
    row written while a cohort is being counted isn't missed or counted twice. (SQLite has
    one writer at a time anyway.)"""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"LOCK TABLE {', '.join(tables)} IN SHARE MODE"))


def rebuild_cohort(cohort_id: int) -> None:
    """Replace one cohort's counts with what its activity log says, in the caller's
    transaction."""
    counts, weeks = ActivityCount.__table__, ActivityWeek.__table__
    lock_while_counting("activity")
    db.session.execute(delete(counts).where(counts.c.cohort_id == cohort_id))
    db.session.execute(delete(weeks).where(weeks.c.cohort_id == cohort_id))
    db.session.execute(insert(counts).from_select(
        ["cohort_id", "user_id", "etivity_id", "observe", "interact", "initiate", "last_at"],
        _counts_from_log(cohort_id)))
    db.session.execute(insert(weeks).from_select(
        ["cohort_id", "user_id", "week", "observe", "interact", "initiate"],
        _weeks_from_log(cohort_id)))

