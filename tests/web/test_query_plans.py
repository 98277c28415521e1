"""The databases find what the pages ask for through indexes: every query the key pages run
on a large cohort is explained (SQLite: EXPLAIN QUERY PLAN; PostgreSQL, when
TEST_DATABASE_URL points at one: EXPLAIN with sequential scans priced out, so a plan
still scanning a table has no index to use), and none reads a whole table that grows with
the data."""

import re
import uuid
from types import SimpleNamespace

import pytest
from bulk_data import grow
from toolkit_world import builds_section

from course_app.clock import utcnow
from course_app.discussions import services as discussions
from course_app.extensions import db
from course_app.toolkit import services as toolkit
from database import statements_sent
from learner_journey import start

# Tables that grow with the data (posts, reads, evidence, people): never read whole.
GROWING = ("post", "post_read", "post_revision", "activity", "activity_count", "activity_week",
           "reply_pair", "thread_read", "thread", "membership", "users", "completion",
           "notification", "citation", "audit_entry", "login_sessions", "toolkit_section",
           "toolkit_consent", "toolkit_publication")


def full_scans(plan: list[str], dialect: str) -> list[str]:
    """The growing tables a plan reads from end to end."""
    if dialect == "sqlite":  # "SCAN post" (or "SCAN post USING COVERING INDEX ...": all of it)
        pattern = re.compile(r"\bSCAN (\w+)")
    else:
        pattern = re.compile(r"Seq Scan on (\w+)")
    return [m.group(1) for line in plan for m in pattern.finditer(line)
            if m.group(1) in GROWING]


def statements_run_by(work) -> list[tuple[str, object]]:
    """The reading statements `work()` runs, with their parameters."""
    with statements_sent() as sent:
        work()
    return [(s.sql, s.parameters) for s in sent
            if not s.executemany and s.verb in ("SELECT", "UPDATE", "DELETE", "WITH")]


def statements_of(client, path: str, data: dict | None = None) -> list[tuple[str, object]]:
    responses = []
    seen = statements_run_by(lambda: responses.append(
        client.post(path, data=data) if data is not None else client.get(path)))
    assert responses[0].status_code in (200, 302), (path, responses[0].status_code)
    return seen


def explain(statement: str, parameters) -> list[str]:
    with db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            plan = [row[-1] for row in rows]
        else:
            connection.exec_driver_sql("SET enable_seqscan = off")
            plan = [row[0] for row in connection.exec_driver_sql(f"EXPLAIN {statement}",
                                                                 parameters)]
        connection.rollback()
    return plan


@pytest.fixture
def large_cohort(factory, client, login_as):
    cohort = factory.cohort()
    facilitator = cohort.memberships[0].user
    learner, peer = factory.learner_in(cohort), factory.learner_in(cohort)
    long = start(cohort, peer, "introduce-yourself", title="Long")
    welcome = discussions.reply(long, facilitator, "Welcome!", utcnow())
    discussions.reply(long, peer, "Thank you.", utcnow(), parent=welcome)
    section = builds_section(cohort.course, "introduce-yourself", "introductions")
    toolkit.mark_current(cohort, section, long.posts[0], facilitator, utcnow())
    db.session.commit()
    ids = SimpleNamespace(cohort=cohort.id, thread=long.id)
    grow(cohort.id, long.id, learners=40, replies=200, pieces=30)
    return ids, SimpleNamespace(email=learner.email), SimpleNamespace(email=facilitator.email)


def test_the_key_pages_read_no_growing_table_whole(large_cohort, client, login_as):
    ids, learner, facilitator = large_cohort
    c, thread = ids.cohort, f"/cohorts/{ids.cohort}/threads/{ids.thread}"
    checked = {}
    login_as(learner)
    for path in (f"/cohorts/{c}", f"/cohorts/{c}/progress", f"/cohorts/{c}/e/introduce-yourself",
                 f"{thread}?page=1", f"{thread}?page=6", f"{thread}?page=11", thread,
                 f"/cohorts/{c}/toolkit", f"/cohorts/{c}/toolkit/e/introduce-yourself"):
        checked[path] = statements_of(client, path)
    checked["reply"] = statements_of(client, thread, {
        "body": "Explained.", "parent_id": "", "submission_key": uuid.uuid4().hex})
    login_as(facilitator)
    for path in (f"/reports/cohorts/{c}", f"/reports/cohorts/{c}/progress.csv",
                 f"/api/v1/cohorts/{c}/progress", f"/reports/cohorts/{c}/interactions.csv",
                 f"/facilitate/cohorts/{c}/calendar"):
        checked[path] = statements_of(client, path)

    dialect = db.engine.dialect.name
    scans = {}
    for page, statements in checked.items():
        assert statements, page
        for statement, parameters in statements:
            found = full_scans(explain(statement, parameters), dialect)
            if found:
                scans.setdefault(page, []).append((found, " ".join(statement.split())[:300]))
    assert scans == {}


def test_a_full_scan_is_caught(app):
    """The check above can fail: a query with no index to use is reported."""
    plan = explain("SELECT id FROM post WHERE body = 'x'", {} if db.engine.dialect.name
                   != "sqlite" else ())
    assert full_scans(plan, db.engine.dialect.name) == ["post"]


def plans_of(work) -> str:
    return "\n".join(line for statement, parameters in statements_run_by(work)
                     for line in explain(statement, parameters))


def test_the_key_queries_use_the_indexes_made_for_them(large_cohort):
    """What the plans asked for, by name (SQLite names a WITHOUT ROWID table's key PRIMARY KEY)."""
    from course_app.auth.models import User
    from course_app.cohorts.models import Cohort
    from course_app.discussions import reading
    from course_app.discussions.models import Post, Thread
    from course_app.progress import evidence
    from course_app.progress.standing import counts_for, weekly_profile

    ids, learner, facilitator = large_cohort
    cohort, thread = db.session.get(Cohort, ids.cohort), db.session.get(Thread, ids.thread)
    reader = db.session.scalar(db.select(User).where(User.email == learner.email))
    staff = db.session.scalar(db.select(User).where(User.email == facilitator.email))
    discussions.ensure_help_thread(cohort, staff, utcnow())
    post = db.session.scalar(db.select(Post).where(Post.thread_id == thread.id,
                                                   Post.position == 100))
    expected = {
        "a page of a thread": (lambda: reading.posts_page(thread, 6), "uq_post_thread_position"),
        "the first unread post": (lambda: reading.first_unread_post(thread, reader),
                                  "uq_post_thread_position"),
        "hidden posts of threads": (lambda: reading.summaries([thread], reader),
                                    "ix_post_not_shown"),
        "has read the help thread": (lambda: reading.has_read_help(cohort, reader),
                                     "ix_post_read_user_thread"),
        "an e-tivity's conversations": (
            lambda: reading.pieces_page(cohort, thread.etivity, 1), "ix_thread_listing"),
        "has started a piece": (lambda: reading.started_in(cohort, reader, [thread.etivity_id]),
                                "ix_activity_cohort_user"),
        "evidence of a post": (lambda: evidence.void_post(post.id, utcnow()),
                               "ix_activity_post_id"),
        "a learner's counts": (lambda: counts_for(cohort.id, reader.id),
                               ("pk_activity_count", "activity_count USING PRIMARY KEY")),
        "a learner's weeks": (lambda: weekly_profile(cohort.id, reader.id, utcnow().date()),
                              ("pk_activity_week", "activity_week USING PRIMARY KEY")),
    }
    for what, (work, names) in expected.items():
        plan = plans_of(work)
        names = (names,) if isinstance(names, str) else names
        assert any(name in plan for name in names), f"{what}: {plan}"
    db.session.rollback()


def test_how_far_a_reader_has_read_stops_at_the_first_post_not_shown(large_cohort):
    """`reads_added` walks the thread in order from where the reader stopped and stops at the
    first post they were not shown, whatever the planner knows of the tables: PostgreSQL
    once hashed every later post of a 20,000-post thread against the reader's reads for
    each reply (23 ms). SQLite: the thread's positions, in order, one read looked up each."""
    from course_app.auth.models import User
    from course_app.discussions.counts import reads_added

    ids, learner, _facilitator = large_cohort
    reader = db.session.scalar(db.select(User).where(User.email == learner.email))
    plan = plans_of(lambda: reads_added(reader.id, ids.thread, 1))
    if db.engine.dialect.name == "postgresql":
        assert "Hash Anti Join" not in plan and "Limit" in plan, plan
    else:
        assert "uq_post_thread_position" in plan and "CORRELATED SCALAR SUBQUERY" in plan, plan
    db.session.rollback()
